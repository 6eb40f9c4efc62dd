"""Intent classification (``confiance.intent.v1``) on a labelled evaluation set.

Reads ``benchmarks/data/intent_eval.jsonl`` (one ``{"text", "lang", "intent"}`` object per
line), runs :func:`confiance.enrich.intent.classify` on every text with its language as the
hint (``--no-language`` gives none, so both rule sets apply), and reports:

* accuracy of the primary intent, and macro-F1 over the five labels;
* precision, recall and F1 per label;
* the confusion counts (rows: expected label, columns: predicted primary intent);
* the throughput of ``classify`` over the set, repeated (``--speed-repeat``), single core.

The set is for measuring only: no rule may be written from its errors. Standard output is a
table, or one JSON object with ``--json``; ``--record`` also appends the JSON, with the date
and the machine, to ``benchmarks/results/intent.jsonl``.

    .venv/bin/python benchmarks/intent.py
    .venv/bin/python benchmarks/intent.py --json --no-language
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confiance.enrich.intent import INTENTS, NAME, classify

HERE = Path(__file__).parent
DEFAULT_DATA = HERE / "data" / "intent_eval.jsonl"
RESULTS = HERE / "results" / "intent.jsonl"


def load(path: Path) -> list[dict[str, str]]:
    """The labelled rows of ``path``; stops with a message on a malformed line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if set(row) != {"text", "lang", "intent"} or row["intent"] not in INTENTS:
            sys.exit(f"{path}:{number}: expected text, lang and one of {INTENTS}")
        rows.append(row)
    return rows


def evaluate(rows: list[dict[str, str]], *, use_language: bool) -> dict[str, Any]:
    """Accuracy, macro-F1, per-label scores and confusion counts of ``classify`` on ``rows``."""
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        predicted, _ = classify(row["text"], row["lang"] if use_language else None)
        confusion[row["intent"], predicted] += 1
    per_label = {}
    for label in INTENTS:
        true_positive = confusion[label, label]
        predicted = sum(confusion[other, label] for other in INTENTS)
        expected = sum(confusion[label, other] for other in INTENTS)
        precision = true_positive / predicted if predicted else 0.0
        recall = true_positive / expected if expected else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"support": expected, "precision": round(precision, 3),
                            "recall": round(recall, 3), "f1": round(f1, 3)}
    correct = sum(confusion[label, label] for label in INTENTS)
    return {
        "items": len(rows),
        "accuracy": round(correct / len(rows), 3) if rows else 0.0,
        "macro_f1": round(sum(v["f1"] for v in per_label.values()) / len(INTENTS), 3),
        "per_label": per_label,
        "confusion": {label: {other: confusion[label, other] for other in INTENTS}
                      for label in INTENTS},
    }


def speed(rows: list[dict[str, str]], repeat: int, *, use_language: bool) -> dict[str, Any]:
    """Posts per second of ``classify`` over ``rows`` repeated ``repeat`` times."""
    texts = [(row["text"], row["lang"] if use_language else None) for row in rows] * repeat
    for text, language in texts[:len(rows)]:  # compile the lazily built buckets first
        classify(text, language)
    started = time.perf_counter()
    for text, language in texts:
        classify(text, language)
    seconds = time.perf_counter() - started
    return {"posts": len(texts), "seconds": round(seconds, 4),
            "posts_per_second": round(len(texts) / seconds) if seconds else None,
            "microseconds_per_post": round(seconds / len(texts) * 1e6, 1) if texts else None}


def table(report: dict[str, Any]) -> str:
    """The report as plain-text tables."""
    short = {"question": "question", "complaint": "complaint", "praise": "praise",
             "purchase_intent": "purchase", "other": "other"}
    lines = [f"{report['component']} on {report['data']} ({report['items']} items, "
             f"language hint: {'yes' if report['language_hint'] else 'no'})",
             f"accuracy {report['accuracy']:.3f}   macro-F1 {report['macro_f1']:.3f}", "",
             f"{'label':<16}{'support':>8}{'precision':>11}{'recall':>8}{'f1':>7}"]
    for label, scores in report["per_label"].items():
        lines.append(f"{label:<16}{scores['support']:>8}{scores['precision']:>11.3f}"
                     f"{scores['recall']:>8.3f}{scores['f1']:>7.3f}")
    lines += ["", "confusion (rows: expected, columns: predicted)",
              f"{'':<16}" + "".join(f"{short[label]:>10}" for label in INTENTS)]
    for label in INTENTS:
        lines.append(f"{label:<16}" + "".join(f"{report['confusion'][label][other]:>10}"
                                              for other in INTENTS))
    fast = report["speed"]
    lines += ["", f"speed: {fast['posts_per_second']} posts/s "
                  f"({fast['microseconds_per_post']} µs/post, {fast['posts']} posts, one core)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-language", action="store_true",
                        help="give no language hint (both rule sets apply)")
    parser.add_argument("--speed-repeat", type=int, default=20,
                        help="how many times the set is classified for the speed figure")
    parser.add_argument("--record", action="store_true",
                        help=f"append the JSON report to {RESULTS.relative_to(HERE.parent)}")
    args = parser.parse_args(argv)
    rows = load(args.data)
    use_language = not args.no_language
    report: dict[str, Any] = {"component": NAME, "data": str(args.data.name),
                              "language_hint": use_language}
    report |= evaluate(rows, use_language=use_language)
    report["speed"] = speed(rows, args.speed_repeat, use_language=use_language)
    if args.record:
        record = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                  "machine": platform.node(), "python": platform.python_version(), **report}
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with RESULTS.open("a", encoding="utf-8") as stream:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2) if args.json else table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
