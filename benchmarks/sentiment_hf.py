"""Speed (and, on labelled data, accuracy) of the Hugging Face sentiment backend.

Runs ``confiance.sentiment.hf.v1`` with a local model directory (ONNX or transformers) over a
set of texts, ``--repeat`` times per device, and reports the median posts per second on CPU
and, when the runtime has one, on CUDA. The model is loaded and warmed up outside the timer.

Texts come from ``--texts`` (JSONL / NDJSON with a ``text`` field, CSV with a ``text``
column, or plain text, one per line), else from the demo generator: ``--posts`` French and
English posts of tweet length (280 characters at most). When every row of a JSONL or CSV file
also has a ``label`` (positive / neutral / negative), accuracy and macro-F1 are reported too,
e.g. on ``benchmarks/data/sentiment_fr_eval.jsonl`` (measuring only: never train on it).

    python benchmarks/sentiment_hf.py --model ~/models/my-sentiment-onnx
    python benchmarks/sentiment_hf.py --model DIR --texts benchmarks/data/sentiment_fr_eval.jsonl
    python benchmarks/sentiment_hf.py --model DIR --threads 8 --batch-size 64 --json
    python benchmarks/sentiment_hf.py --model DIR --save    # append to results/sentiment_hf.jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import statistics
import sys
import time
import warnings
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confiance.core.errors import ConfianceError
from confiance.demo import iter_posts
from confiance.enrich.component import Doc, EnrichError
from confiance.enrich.sentiment_hf import CLASSES, Device, HFSentiment, default_threads

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "sentiment_hf.jsonl"
TWEET = 280


def demo_texts(n: int, seed: int) -> list[str]:
    """``n`` French and English demo posts of tweet length."""
    texts: list[str] = []
    for post in iter_posts(max(4 * n, 1000), seed=seed):
        text = (post.get("text") or "").strip()
        if post.get("language") in {"fr", "en"} and 0 < len(text) <= TWEET:
            texts.append(text)
            if len(texts) == n:
                break
    return texts


def read_texts(path: Path, field: str) -> tuple[list[str], list[str] | None]:
    """Texts (and labels, when every row has a known one) from a JSONL, CSV or text file."""
    rows: list[dict[str, Any]]
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson", ".json"}:
        with path.open(encoding="utf-8") as stream:
            rows = [json.loads(line) for line in stream if line.strip()]
    elif suffix in {".csv", ".tsv"}:
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream, delimiter="\t" if suffix == ".tsv" else ","))
    else:
        with path.open(encoding="utf-8") as stream:
            rows = [{field: line.rstrip("\n")} for line in stream if line.strip()]
    texts = [str(row.get(field) or "") for row in rows]
    labels = [str(row.get("label", "")).lower() for row in rows]
    return texts, labels if labels and all(label in CLASSES for label in labels) else None


def quality(predicted: list[str], gold: list[str]) -> dict[str, float]:
    """Accuracy and macro-F1 over the three classes."""
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    f1s = []
    for cls in CLASSES:
        tp = sum(p == g == cls for p, g in zip(predicted, gold, strict=True))
        fp = sum(p == cls != g for p, g in zip(predicted, gold, strict=True))
        fn = sum(g == cls != p for p, g in zip(predicted, gold, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return {"accuracy": round(accuracy, 4), "macro_f1": round(statistics.fmean(f1s), 4)}


def cuda_available(backend: str) -> bool:
    """Whether the backend's runtime can use a CUDA GPU here."""
    try:
        if backend == "onnx":
            import onnxruntime

            return "CUDAExecutionProvider" in onnxruntime.get_available_providers()
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False


def measure(args: argparse.Namespace, device: Device, texts: list[str],
            gold: list[str] | None) -> dict[str, Any]:
    """Median posts/s of ``--repeat`` runs over ``texts`` on ``device``."""
    component = HFSentiment(args.model, backend=args.backend, max_length=args.max_length,
                            batch_size=args.batch_size, device=device, threads=args.threads)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        in_use = component.device_in_use
    list(component.pipe([Doc.from_text(t, i) for i, t in enumerate(texts[:64])],
                        on_error=lambda error: None))  # warm-up, outside the timer
    seconds: list[float] = []
    errors: list[EnrichError] = []
    docs: list[Doc] = []
    for _ in range(args.repeat):
        errors.clear()
        fresh = [Doc.from_text(t, i) for i, t in enumerate(texts)]
        start = time.perf_counter()
        docs = list(component.pipe(fresh, batch_size=args.pipe_batch, on_error=errors.append))
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    predicted = [str(doc.values.get("sentiment", "")) for doc in docs]
    result: dict[str, Any] = {
        "model": component.name, "backend": component.backend, "device": in_use,
        "threads": component.threads if component.backend == "onnx" else None,
        "batch_size": args.batch_size, "max_length": args.max_length, "posts": len(texts),
        "runs_s": [round(s, 4) for s in seconds], "median_s": round(median, 4),
        "posts_per_s": round(len(texts) / median, 1), "errors": len(errors),
        "sentiments": dict(Counter(predicted).most_common()),
    }
    if gold is not None:
        result.update(quality(predicted, gold))
    return result


def table(results: list[dict[str, Any]]) -> str:
    """The results as a plain-text table."""
    head = ("backend", "device", "threads", "batch", "posts", "median s", "posts/s", "errors",
            "accuracy", "macro-F1")
    rows = [head] + [(r["backend"], r["device"], str(r["threads"] or "-"), str(r["batch_size"]),
                      str(r["posts"]), f"{r['median_s']:.3f}", f"{r['posts_per_s']:.1f}",
                      str(r["errors"]), str(r.get("accuracy", "-")),
                      str(r.get("macro_f1", "-"))) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main() -> None:
    """Parse the arguments, measure on CPU (and CUDA when available), report."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, required=True, help="local model directory")
    parser.add_argument("--texts", type=Path, help="JSONL, CSV or text file of texts")
    parser.add_argument("--field", default="text", help="text field or column (default text)")
    parser.add_argument("--posts", type=int, default=2000, help="demo texts when no --texts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=["auto", "onnx", "transformers"], default="auto")
    parser.add_argument("--batch-size", type=int, default=32, help="texts per model call")
    parser.add_argument("--pipe-batch", type=int, default=256, help="docs per pipe batch")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--threads", type=int, default=default_threads(),
                        help="ONNX Runtime intra-op threads")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpu-only", action="store_true", help="skip CUDA even if present")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--save", action="store_true", help=f"append to {RESULTS}")
    args = parser.parse_args()
    if args.texts:
        texts, gold = read_texts(args.texts, args.field)
    else:
        texts, gold = demo_texts(args.posts, args.seed), None
    if not texts:
        parser.error("no texts to run on")
    try:
        results = [measure(args, "cpu", texts, gold)]
        if not args.cpu_only and cuda_available(results[0]["backend"]):
            results.append(measure(args, "cuda", texts, gold))
    except ConfianceError as error:
        print(f"Error {error}", file=sys.stderr)
        raise SystemExit(1) from error
    stamp = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                        f"{platform.python_version()}",
             "texts": str(args.texts) if args.texts else f"demo:{args.posts}:{args.seed}"}
    if args.save:
        RESULTS.parent.mkdir(exist_ok=True)
        with RESULTS.open("a", encoding="utf-8") as handle:
            for result in results:
                handle.write(json.dumps({**stamp, **result}, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps([{**stamp, **r} for r in results], indent=2, ensure_ascii=False))
    else:
        print(f"{results[0]['model']}  ({stamp['texts']}, {stamp['machine']})")
        print(table(results))


if __name__ == "__main__":
    main()
