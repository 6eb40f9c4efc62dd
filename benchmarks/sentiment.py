"""Sentiment accuracy against the lexicons, and the default pipeline's throughput.

Accuracy and macro-F1 (three classes) in one run, on labelled sets Confiance never trained on:

* ``fr-eval``: ``benchmarks/data/sentiment_fr_eval.jsonl``, 480 French consumer texts
  (machine-written, single-annotated: see ``benchmarks/data/README.md``);
* ``en-tweets``: the 4,200 tweets of Hutto & Gilbert (ICWSM 2014), rated by 20 people each
  from -4 to +4; above +0.5 positive, below -0.5 negative, neutral between;
* ``en-amazon`` (development set): their 3,708 Amazon review snippets, same mapping. The
  English head's regularisation was chosen on it, so it is reported but is not a test set.

The Hutto & Gilbert sets ship inside the vaderSentiment source distribution (MIT); this
script fetches it from PyPI into ``benchmarks/out/`` (``pip download``) and never
redistributes it. Systems, side by side: Confiance (language detected by
``confiance.language.v1``, then ``confiance.sentiment.v1``), VADER (English lexicon, the
recommended +-0.05 compound thresholds), vaderSentiment-fr (French VADER, same thresholds),
TextBlob (English) and textblob-fr (French), polarity above 0.1 positive, below -0.1 negative.

Throughput: the full default pipeline (``Pipeline.default``) over tweet-length demo posts in a
child process (its peak memory is its max RSS), and VADER over the same texts in the same run;
medians of ``--repeat`` runs.

    python benchmarks/sentiment.py                 # accuracy + throughput, 3 repeats
    python benchmarks/sentiment.py --skip-throughput
    python benchmarks/sentiment.py --posts 5000 --repeat 5 --json

Results are appended to ``benchmarks/results/sentiment.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "results" / "sentiment.jsonl"
FR_EVAL = HERE / "data" / "sentiment_fr_eval.jsonl"
HUTTO = "vaderSentiment==3.3.2"

Labelled = list[tuple[str, str]]


def three_class(value: float, band: float) -> str:
    """positive / neutral / negative around a neutral band."""
    return "positive" if value > band else "negative" if value < -band else "neutral"


def hutto_sets() -> dict[str, Labelled]:
    """The Hutto & Gilbert tweets and Amazon snippets, fetched once from PyPI."""
    folder = OUT / "hutto"
    archive = folder / "hutto_ICWSM_2014.tar.gz"
    if not archive.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        "--no-binary", ":all:", HUTTO, "-d", str(folder)], check=True)
        with tarfile.open(folder / "vaderSentiment-3.3.2.tar.gz") as sdist:
            member = sdist.getmember(
                "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
            source = sdist.extractfile(member)
            assert source is not None
            archive.write_bytes(source.read())
    out: dict[str, Labelled] = {}
    with tarfile.open(archive) as data:
        for key, name in (("en-tweets", "tweets_GroundTruth.txt"),
                          ("en-amazon", "amazonReviewSnippets_GroundTruth.txt")):
            member = next(m for m in data.getmembers() if m.name.endswith(name))
            handle = data.extractfile(member)
            assert handle is not None
            rows: Labelled = []
            for line in handle.read().decode("latin-1").splitlines():
                parts = line.split("\t")
                if len(parts) >= 3:
                    rows.append((parts[2], three_class(float(parts[1]), 0.5)))
            out[key] = rows
    return out


def french_set() -> Labelled:
    """The French evaluation set."""
    rows = [json.loads(line) for line in FR_EVAL.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    return [(row["text"], row["label"]) for row in rows]


# --- systems ------------------------------------------------------------------------------

class ConfianceSystem:
    """Language detection then the shipped sentiment model, as the pipeline runs them;
    ``unknown`` marks the texts of the last call that were left without a language."""

    def __init__(self) -> None:
        from confiance.enrich.language import LanguageDetector
        from confiance.enrich.sentiment import SentimentClassifier

        self.detector, self.classifier = LanguageDetector(), SentimentClassifier()
        self.unknown: list[bool] = []

    def __call__(self, texts: Sequence[str]) -> list[str]:
        from confiance.enrich.component import Doc

        docs = [Doc.from_text(text, i) for i, text in enumerate(texts)]
        done = list(self.classifier.pipe(self.detector.pipe(docs)))
        self.unknown = [doc.primary_language() is None for doc in done]
        return [str(doc.values["sentiment"]) for doc in done]


def vader_system() -> Callable[[Sequence[str]], list[str]]:
    """VADER with its recommended compound thresholds."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    return lambda texts: [three_class(analyser.polarity_scores(t)["compound"], 0.0499)
                          for t in texts]


def vader_fr_system() -> Callable[[Sequence[str]], list[str]]:
    """The French VADER (vaderSentiment-fr)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer

    analyser = SentimentIntensityAnalyzer()
    return lambda texts: [three_class(analyser.polarity_scores(t)["compound"], 0.0499)
                          for t in texts]


def textblob_system(french: bool) -> Callable[[Sequence[str]], list[str]]:
    """TextBlob's pattern lexicon (English) or textblob-fr's (French)."""
    from textblob import TextBlob

    if french:
        from textblob_fr import PatternAnalyzer

        analyser = PatternAnalyzer()
        return lambda texts: [three_class(TextBlob(t, analyzer=analyser).sentiment[0], 0.1)
                              for t in texts]
    return lambda texts: [three_class(TextBlob(t).sentiment.polarity, 0.1) for t in texts]


def accuracy_report() -> list[dict[str, Any]]:
    """Every system on every set it applies to."""
    from confiance.enrich.sentiment_train import scores

    sets = {"fr-eval": french_set(), **hutto_sets()}
    systems: dict[str, tuple[Callable[[Sequence[str]], list[str]], tuple[str, ...]]] = {
        "confiance.sentiment.v1": (ConfianceSystem(), ("fr-eval", "en-tweets", "en-amazon")),
        "VADER": (vader_system(), ("fr-eval", "en-tweets", "en-amazon")),
        "vaderSentiment-fr": (vader_fr_system(), ("fr-eval",)),
        "textblob-fr": (textblob_system(True), ("fr-eval",)),
        "TextBlob": (textblob_system(False), ("en-tweets", "en-amazon")),
    }
    rows = []
    for name, (predict, applies) in systems.items():
        for key in applies:
            texts = [t for t, _ in sets[key]]
            gold = [g for _, g in sets[key]]
            started = time.perf_counter()
            found = predict(texts)
            seconds = time.perf_counter() - started
            result = scores(gold, found)
            row = {"system": name, "set": key, "n": result["n"],
                   "accuracy": result["accuracy"], "macro_f1": result["macro_f1"],
                   "seconds": round(seconds, 2)}
            if isinstance(predict, ConfianceSystem):  # the texts left without a language
                left = [i for i, unknown in enumerate(predict.unknown) if unknown]
                row["no_language"] = {"n": len(left), "accuracy": round(
                    sum(found[i] == gold[i] for i in left) / len(left), 4) if left else None}
            rows.append(row)
    return rows


# --- throughput ---------------------------------------------------------------------------

def tweet_texts(count: int) -> list[str]:
    """``count`` tweet-length demo posts (at most 280 characters)."""
    from confiance.demo import iter_posts

    out: list[str] = []
    for post in iter_posts(count * 4, seed=7):
        text = post.get("text") or ""
        if 0 < len(text) <= 280:
            out.append(text)
            if len(out) == count:
                break
    return out


def throughput_child(posts: int, repeat: int) -> dict[str, Any]:
    """Run in a child process: the default pipeline's and VADER's posts/s, and peak memory."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from confiance.enrich.component import Doc
    from confiance.enrich.pipeline import Pipeline

    texts = tweet_texts(posts)
    pipeline = Pipeline.default(brand_names=["Maison Lumière"])
    list(pipeline.pipe([Doc.from_text(t, i) for i, t in enumerate(texts[:64])]))  # warm up
    pipeline_runs, vader_runs = [], []
    analyser = SentimentIntensityAnalyzer()
    for _ in range(repeat):
        docs = [Doc.from_text(t, i) for i, t in enumerate(texts)]
        started = time.perf_counter()
        for _doc in pipeline.pipe(docs, batch_size=256):
            pass
        pipeline_runs.append(len(texts) / (time.perf_counter() - started))
        started = time.perf_counter()
        for text in texts:
            analyser.polarity_scores(text)
        vader_runs.append(len(texts) / (time.perf_counter() - started))
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"posts": len(texts), "components": pipeline.names,
            "pipeline_posts_per_s": [round(r) for r in pipeline_runs],
            "vader_posts_per_s": [round(r) for r in vader_runs],
            "pipeline_median": round(statistics.median(pipeline_runs)),
            "vader_median": round(statistics.median(vader_runs)),
            "peak_memory_mb": round(peak_kb / 1024)}


def throughput(posts: int, repeat: int) -> dict[str, Any]:
    """:func:`throughput_child` in a fresh process, so its peak memory is its own."""
    done = subprocess.run([sys.executable, __file__, "--child", "--posts", str(posts),
                           "--repeat", str(repeat)], check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(throughput_child(args.posts, args.repeat)))
        return
    record: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}"}
    if not args.skip_accuracy:
        record["accuracy"] = accuracy_report()
    if not args.skip_throughput:
        record["throughput"] = throughput(args.posts, args.repeat)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    print(record["machine"])
    if "accuracy" in record:
        print(f"{'system':<24} {'set':<10} {'n':>5} {'accuracy':>9} {'macro-F1':>9} {'s':>7}")
        for row in record["accuracy"]:
            left = row.get("no_language")
            print(f"{row['system']:<24} {row['set']:<10} {row['n']:>5} {row['accuracy']:>9.3f} "
                  f"{row['macro_f1']:>9.3f} {row['seconds']:>7.2f}"
                  + (f"   no language: {left['n']}, accuracy {left['accuracy']:.3f}"
                     if left and left["n"] else ""))
    if "throughput" in record:
        t = record["throughput"]
        print(f"\nDefault pipeline ({', '.join(t['components'])}) on {t['posts']:,} "
              f"tweet-length posts: median {t['pipeline_median']:,} posts/s "
              f"(runs {t['pipeline_posts_per_s']}); VADER alone: median {t['vader_median']:,} "
              f"posts/s; peak memory {t['peak_memory_mb']:,} MB")


if __name__ == "__main__":
    main()
