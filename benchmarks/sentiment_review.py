"""Which posts should analysts correct? The least certain labels first, measured.

``confiance sentiment review`` and the mentions page's "least certain first" order list a
brand's posts by ``sentiment_confidence`` (the winning class's probability), lowest first, and
the page marks a label "unsure" under 0.5. This script checks, on labelled sets, the three
things that rely on:

1. **Calibration**: the shipped model's accuracy by confidence band (under 0.5, 0.5-0.7,
   0.7-0.9, 0.9 and over): is a low confidence a likely error?
2. **Review yield**: among the ``K`` least certain posts, how many labels are wrong, against
   the ``K`` posts an analyst would meet in any other order (the set's error rate times
   ``K``). Wrong labels found per post read is what an analyst's time buys.
3. **Retraining** (``--retrain``): half of a set is the brand's stream, the other half is
   the test. An analyst reads ``K`` posts of the stream, least certain first or in random
   order (median of ``--seeds`` orders), and either corrects the wrong labels only
   (``errors``) or also confirms the right ones (``every``: the label already set is
   recorded too); ``retrain`` (the code of ``confiance sentiment retrain``) fits a brand head
   with those corrections, with the stream's other posts as anchors (their labels from the
   shipped model, the latest 2,000, as ``confiance sentiment retrain`` takes them) or, for
   comparison, without (``errors, no anchors``: how retraining worked before anchors); its
   accuracy on the test half is compared with the shipped model's.

Sets: ``fr-eval`` (480 French texts), Hutto & Gilbert's ``en-tweets`` (4,200) and
``en-amazon`` snippets (3,708), loaded as ``benchmarks/sentiment.py`` does. Language is
detected by ``confiance.language.v1`` first, as in the pipeline. The brand heads trained here
are thrown away: no shipped model ever learns from these sets.

    python benchmarks/sentiment_review.py
    python benchmarks/sentiment_review.py --retrain --sets en-amazon en-tweets

Results are appended to ``benchmarks/results/sentiment_review.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "sentiment_review.jsonl"
sys.path.insert(0, str(HERE))

from sentiment import french_set, hutto_sets  # noqa: E402  (the sibling benchmark's loaders)

BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))
SETS = ("fr-eval", "en-tweets", "en-amazon")


class Scored:
    """A labelled set scored by the shipped model: features, languages, labels, guesses."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        from confiance.enrich.component import Doc
        from confiance.enrich.language import LanguageDetector
        from confiance.enrich.sentiment import SentimentModel, features, scoring_language

        self.texts = [text for text, _ in rows]
        self.truth = [label for _, label in rows]
        docs = list(LanguageDetector().pipe(
            [Doc.from_text(text, i) for i, text in enumerate(self.texts)]))
        self.languages = [scoring_language(doc) for doc in docs]
        self.x = features(docs, languages=self.languages)
        found = SentimentModel.default().predict(self.x, self.languages)
        self.guess = [label for label, _, _ in found]
        self.confidence = np.array([confidence for _, _, confidence in found])
        self.wrong = np.array([g != t for g, t in zip(self.guess, self.truth, strict=True)])


def calibration(scored: Scored) -> list[dict[str, Any]]:
    """Accuracy and share of the set in each confidence band."""
    out = []
    for low, high in BANDS:
        inside = (scored.confidence >= low) & (scored.confidence < high)
        n = int(inside.sum())
        out.append({"band": f"{low:.1f}-{min(high, 1.0):.1f}", "n": n,
                    "share": round(n / len(scored.truth), 3),
                    "accuracy": round(float(1 - scored.wrong[inside].mean()), 3) if n else None})
    return out


def review_yield(scored: Scored, sizes: list[int]) -> list[dict[str, Any]]:
    """Wrong labels among the K least certain posts, against K posts in any other order."""
    order = np.argsort(scored.confidence, kind="stable")
    rate = float(scored.wrong.mean())
    out = []
    for k in sizes:
        if k > len(order) // 2:
            continue
        found = int(scored.wrong[order[:k]].sum())
        out.append({"k": k, "wrong_least_certain": found,
                    "wrong_any_order": round(rate * k, 1),
                    "ratio": round(found / (rate * k), 2) if rate else None})
    return out


def retraining(scored: Scored, name: str, sizes: list[int], seeds: int) -> list[dict[str, Any]]:
    """Accuracy on the test half after correcting the wrong labels among K posts read."""
    from confiance.enrich.sentiment import SentimentModel
    from confiance.enrich.sentiment_train import ANCHOR_LIMIT, Example, retrain

    n = len(scored.truth)
    shuffled = list(range(n))
    random.Random(0).shuffle(shuffled)
    stream, test = sorted(shuffled[: n // 2]), sorted(shuffled[n // 2:])
    x_test = scored.x[test]
    test_languages = [scored.languages[i] for i in test]
    test_truth = [scored.truth[i] for i in test]

    def accuracy(model: SentimentModel) -> float:
        found = model.predict(x_test, test_languages)
        return round(sum(g == t for (g, _, _), t in zip(found, test_truth, strict=True))
                     / len(test), 3)

    def after(read: list[int], every: bool, anchored: bool) -> tuple[float | None, int]:
        fixed = [i for i in read if every or scored.wrong[i]]
        corrected = [Example(scored.texts[i], scored.truth[i], scored.languages[i])
                     for i in fixed]
        if len(corrected) < 5:  # retrain's minimum (E511)
            return None, len(corrected)
        left = set(fixed)
        rest = [i for i in reversed(stream) if i not in left][:ANCHOR_LIMIT] if anchored else []
        anchors = [Example(scored.texts[i], scored.guess[i], scored.languages[i]) for i in rest]
        report = retrain(name, corrected, base=SentimentModel.default(), revision=1,
                         anchors=anchors, anchor_features=scored.x[rest] if rest else None)
        return accuracy(report.model), len(corrected)

    shipped = accuracy(SentimentModel.default())
    by_confidence = sorted(stream, key=lambda i: (scored.confidence[i], i))
    out = []
    for mode in ("errors, no anchors", "errors", "every"):
        every, anchored = mode == "every", mode != "errors, no anchors"
        for k in sizes:
            if k > len(stream) // 2:
                continue
            least, fixed = after(by_confidence[:k], every, anchored)
            randoms = []
            for seed in range(seeds):
                order = stream[:]
                random.Random(seed + 1).shuffle(order)
                randoms.append(after(order[:k], every, anchored))
            scores = [score for score, _ in randoms if score is not None]
            out.append({"mode": mode, "k": k, "shipped": shipped, "least_certain": least,
                        "least_certain_corrections": fixed,
                        "random_median": statistics.median(scores) if scores else None,
                        "random_corrections": [count for _, count in randoms]})
            print(f"  {name}, {mode}: read {k}: least certain {least} ({fixed} corrections), "
                  f"random {out[-1]['random_median']} ({out[-1]['random_corrections']}), "
                  f"shipped {shipped}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200])
    parser.add_argument("--retrain", action="store_true")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()

    loaded = {"fr-eval": french_set(), **hutto_sets()}
    record: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}", "sets": {}}
    for name in args.sets:
        started = time.perf_counter()
        scored = Scored(loaded[name])
        row: dict[str, Any] = {
            "n": len(scored.truth), "accuracy": round(float(1 - scored.wrong.mean()), 3),
            "calibration": calibration(scored), "review": review_yield(scored, args.sizes)}
        print(f"{name}: {row['n']} texts, accuracy {row['accuracy']}")
        for band in row["calibration"]:
            print(f"  confidence {band['band']}: {band['n']:>5} texts ({band['share']:.0%}), "
                  f"accuracy {band['accuracy']}")
        for found in row["review"]:
            print(f"  the {found['k']} least certain: {found['wrong_least_certain']} wrong, "
                  f"against {found['wrong_any_order']} in any order (x{found['ratio']})")
        if args.retrain:
            row["retrain"] = retraining(scored, name, args.sizes, args.seeds)
        row["seconds"] = round(time.perf_counter() - started, 1)
        record["sets"][name] = row
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
