"""Emerging-topic discovery speed, on the demo's price episode and on 20,000 generated posts.

Two cases, each timed ``--repeat`` times (the report quotes medians):

* ``demo``: the demo storyline (seed 7, 6,000 posts, built in memory): the posts of the
  price-rise episode window are the recent window, the 14 days before it the baseline.
  Timed end to end (embedding every post, then clustering, scoring and labels), and once
  more with the vectors already known (the analysis alone). The share of the top topic's
  posts that belong to the episode is recorded as a check of the result.
* ``generated``: ``--posts`` (default 20,000) generated everyday posts as the recent window,
  with 1 % of them a burst of price-rise posts, against as many earlier posts as baseline.
  The vectors are computed once (embedding throughput is reported), then the analysis is
  timed with them; the end-to-end figure adds the two.

    python benchmarks/emerging_topics.py                    # both cases, 3 repeats
    python benchmarks/emerging_topics.py --skip-generated --repeat 5
    python benchmarks/emerging_topics.py --threads 1        # encoder on one BLAS thread

Results are appended to ``benchmarks/results/emerging_topics.jsonl`` and printed.
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

from confiance.demo import build, iter_posts
from confiance.demo.timeline import DAY
from confiance.enrich.embeddings import Encoder
from confiance.enrich.emerging import TopicDoc, emerging_topics

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "emerging_topics.jsonl"
BURST = ("Les prix ont encore augmenté de {p}%, c'est abusé",
         "Hausse des prix sur toute la gamme, {p}% d'un coup",
         "Encore une augmentation des tarifs, je vais arrêter d'acheter",
         "Prices went up {p}% overnight, way too expensive now",
         "Another price hike? Not paying that")


def timed(recent: list[TopicDoc], baseline: list[TopicDoc], encoder: Encoder,
          **options: Any) -> tuple[float, list[Any]]:
    """Seconds of one call of emerging_topics, and its topics."""
    started = time.perf_counter()
    topics = emerging_topics(recent, baseline, encoder=encoder, **options)
    return time.perf_counter() - started, topics


def with_vectors(docs: list[TopicDoc], encoder: Encoder) -> tuple[list[TopicDoc], float]:
    """The docs with their embeddings set, and the seconds it took to compute them."""
    started = time.perf_counter()
    vectors = encoder.encode([d.text for d in docs])
    seconds = time.perf_counter() - started
    return [TopicDoc(text=d.text, language=d.language, created_at=d.created_at, key=d.key,
                     embedding=v) for d, v in zip(docs, vectors, strict=True)], seconds


def demo_case(encoder: Encoder, repeat: int) -> dict[str, Any]:
    """The demo's episode window against the 14 days before it."""
    story = build(seed=7, posts=6000)
    setup = story.setup
    ordered = sorted(story.drafts, key=lambda d: (d.ts, d.platform, d.uid))

    def doc(draft: Any) -> TopicDoc:
        text = f"{draft.title}. {draft.text}" if draft.title else draft.text
        return TopicDoc(text=text, language=draft.lang, key=draft.episode,
                        created_at=datetime.fromtimestamp(draft.ts, UTC))

    recent = [doc(d) for d in ordered if setup.episode_start <= d.ts < setup.episode_end]
    baseline = [doc(d) for d in ordered
                if setup.episode_start - 14 * DAY <= d.ts < setup.episode_start]
    ignore = ["Maison Lumière"]
    full = [timed(recent, baseline, encoder, ignore=ignore) for _ in range(repeat)]
    recent_v, _ = with_vectors(recent, encoder)
    baseline_v, _ = with_vectors(baseline, encoder)
    analysis = [timed(recent_v, baseline_v, encoder, ignore=ignore) for _ in range(repeat)]
    topics = analysis[0][1]
    top = topics[0] if topics else None
    return {
        "case": "demo", "recent": len(recent), "baseline": len(baseline), "repeat": repeat,
        "end_to_end_seconds": round(statistics.median(s for s, _ in full), 3),
        "analysis_seconds": round(statistics.median(s for s, _ in analysis), 3),
        "runs_end_to_end": [round(s, 3) for s, _ in full],
        "runs_analysis": [round(s, 3) for s, _ in analysis],
        "topics": len(topics), "top_label": top.label if top else None,
        "top_size": top.size if top else 0,
        "top_episode_share": round(sum(top.keys) / top.size, 3) if top else None,
    }


def generated_case(encoder: Encoder, n: int, repeat: int, seed: int) -> dict[str, Any]:
    """``n`` recent generated posts (1 % a price burst) against ``n`` earlier ones."""
    texts = [p["text"] for p in iter_posts(2 * n, seed=seed)]
    rng = random.Random(seed)
    burst = n // 100
    recent_texts = texts[n:2 * n - burst] + [
        rng.choice(BURST).format(p=rng.choice((15, 20, 30))) + rng.choice(("", " 😡", " #prix"))
        for _ in range(burst)]
    baseline, embed_base = with_vectors([TopicDoc(text=t) for t in texts[:n]], encoder)
    recent, embed_recent = with_vectors(
        [TopicDoc(text=t, key=i >= n - burst) for i, t in enumerate(recent_texts)], encoder)
    embed_seconds = embed_base + embed_recent
    analysis = [timed(recent, baseline, encoder) for _ in range(repeat)]
    topics = analysis[0][1]
    top = topics[0] if topics else None
    median = statistics.median(s for s, _ in analysis)
    return {
        "case": "generated", "recent": len(recent), "baseline": len(baseline),
        "repeat": repeat, "embed_posts_per_s": round(2 * n / embed_seconds),
        "embed_seconds": round(embed_seconds, 2), "analysis_seconds": round(median, 3),
        "end_to_end_seconds": round(embed_seconds + median, 2),
        "runs_analysis": [round(s, 3) for s, _ in analysis],
        "topics": len(topics), "top_label": top.label if top else None,
        "top_size": top.size if top else 0,
        "top_burst_share": round(sum(top.keys) / top.size, 3) if top else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads of the encoder (default: the encoder's own)")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-generated", action="store_true")
    args = parser.parse_args()
    encoder = Encoder(threads=args.threads)
    encoder.encode(["warm up"])  # load the model outside the timers
    results: list[dict[str, Any]] = []
    if not args.skip_demo:
        results.append(demo_case(encoder, args.repeat))
        print(json.dumps(results[-1]), file=sys.stderr)
    if not args.skip_generated:
        results.append(generated_case(encoder, args.posts, args.repeat, args.seed))
        print(json.dumps(results[-1]), file=sys.stderr)
    stamp = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                        f"{platform.python_version()}, encoder threads {encoder.threads}",
             "load_average": round(os.getloadavg()[0], 2)}
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        for result in results:
            handle.write(json.dumps({**stamp, **result}, ensure_ascii=False) + "\n")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
