"""Crisis alerts, replayed: time to alert, false alarms per week and replay speed.

Replays, through ``confiance.listen.replay`` (the code path of ``confiance replay``: the
default enrichment pipeline, then the detectors and the alert store step by step in
simulated time), the demo brand's 90 days (``write_stream``: the price backlash) and the
crisis scenarios of ``confiance.demo.scenarios`` (``boycott-lent``, ``post-viral``,
``pic-saisonnier``, ``calme``), each for the seeds given (default 7). Every post of a stream
counts as the brand's, as when the file is imported with ``--brand`` (``--query`` keeps only
the posts that the demo brand's query names, about 40 % of them). The enrichment is
computed once per stream and cached in ``benchmarks/out/replay-cache`` (it runs at the
pipeline's speed; the replay loop is timed apart). Each replay loop runs ``--runs`` times;
the median posts per minute is reported.

Targets: every labelled episode alerted within 10 minutes of its start, at most one false
alarm per simulated week, and the replay at 1,000,000 posts per minute or faster.

    python benchmarks/alerts.py                    # seed 7, every stream
    python benchmarks/alerts.py --seeds 1 2 3 7    # other seeds of the same storylines

``--counting-only`` measures the floor of a step: the same replays with every detector's
test turned off (nothing is signalled or written), so what is left is the counting (minute
and term windows, hourly history, reach histograms) and the loop; it prints microseconds
per step and the posts per minute such a replay reaches.

Prints a table and appends one JSON line per stream to ``benchmarks/results/alerts.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from confiance.core.plugins import plugin_manager
from confiance.demo import generate_scenario, write_stream
from confiance.listen.replay import enrich, file_digest, load_episodes, play, read_stream
from confiance.sources.registry import FormatRegistry

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "results" / "alerts.jsonl"
STREAMS = ("demo", "boycott-lent", "post-viral", "pic-saisonnier", "calme")
QUERY = ('"Maison Lumière" OR "Maison Lumiere" OR @MaisonLumiere OR #MaisonLumiere OR '
         "#MaLumiereAMoi")
NAMES = ("Maison Lumière", "Bougies Céleste", "Atelier Flamme")


def stream_folder(name: str, seed: int) -> Path:
    """Write the stream (once) and return its folder."""
    folder = OUT / "alerts" / f"{name}-seed{seed}"
    if not (folder / "stream.ndjson").exists():
        if name == "demo":
            from confiance.demo import generate

            generate(folder, seed=seed)  # episodes.json, labels.ndjson
            write_stream(folder, seed=seed)
        else:
            generate_scenario(folder, name, seed=seed)
    return folder


def measure(name: str, seed: int, runs: int, query: str | None) -> dict[str, Any]:
    """Replay one stream ``runs`` times; the report of the median run."""
    folder = stream_folder(name, seed)
    path = folder / "stream.ndjson"
    fmt = FormatRegistry.from_plugins(plugin_manager()).get("ndjson")
    posts, rejected = read_stream(path, fmt)
    observations, enrich_s, cached = enrich(
        posts, digest=file_digest(path), query=query, brand_names=NAMES,
        cache_dir=OUT / "replay-cache")
    episodes = load_episodes(folder / "episodes.json")
    reports = [play(observations, episodes, brand="Maison Lumière") for _ in range(runs)]
    speeds = [report.posts_per_minute for report in reports]
    median = sorted(reports, key=lambda report: report.posts_per_minute)[len(reports) // 2]
    return {"stream": name, "seed": seed, "query": query, "posts_in_file": len(posts),
            "brand_posts": median.posts, "rejected": rejected,
            "weeks": median.weeks, "episodes": [
                {"name": e.name, "detected": e.detected, "time_to_alert_s": e.time_to_alert_s,
                 "first_alert": e.first_alert} for e in median.episodes],
            "false_alarms": median.false_alarms,
            "false_alarms_per_week": median.false_alarms_per_week,
            "false_alarm_list": [a for a in median.alerts if a["episode"] is None],
            "posts_per_minute_median": statistics.median(speeds),
            "posts_per_minute_runs": speeds, "replay_s": median.replay_s,
            "signals": median.signals, "steps": median.steps,
            "enrichment_s": round(enrich_s, 1), "enrichment_cached": cached}


def counting_only() -> None:
    """Turn every detector's test off (for ``--counting-only``)."""
    from confiance.listen.alerts import detectors, risk

    detectors.AlertEngine._evaluate = lambda self, *args: []  # type: ignore[method-assign]
    detectors.AlertEngine._emerging = lambda self, *args: []  # type: ignore[method-assign]
    risk.RiskTerms.observe = lambda self, *args: []  # type: ignore[method-assign]
    detectors.high_reach_signals = lambda *args, **kwargs: []  # type: ignore[attr-defined]


def verdict(row: dict[str, Any]) -> str:
    """Which targets the stream meets."""
    late = [e["name"] for e in row["episodes"]
            if not e["detected"] or e["time_to_alert_s"] > 600]
    parts = ["episodes ok" if not late else f"late or missed: {', '.join(late)}",
             "alarms ok" if row["false_alarms_per_week"] <= 1 else "too many alarms",
             "speed ok" if row["posts_per_minute_median"] >= 1_000_000 else "too slow"]
    return "; ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--streams", nargs="+", default=list(STREAMS), choices=STREAMS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--counting-only", action="store_true",
                        help="turn every detector's test off: the floor of a step")
    parser.add_argument("--query", action="store_true",
                        help="keep only the posts the demo brand's query matches")
    args = parser.parse_args()
    if args.counting_only:
        counting_only()
    rows = [measure(name, seed, args.runs, QUERY if args.query else None)
            for seed in args.seeds for name in args.streams]
    stamp = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                        f"{platform.python_version()}",
             "load_average": [round(v, 2) for v in os.getloadavg()],
             "counting_only": args.counting_only}
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        for row in rows:
            handle.write(json.dumps({**stamp, **row}) + "\n")
    print(f"{'stream':<16}{'seed':>5}{'posts':>7}{'time to alert':>16}{'false/wk':>10}"
          f"{'posts/min':>12}{'us/step':>9}  verdict", file=sys.stdout)
    for row in rows:
        times = ", ".join("-" if e["time_to_alert_s"] is None
                          else f"{e['time_to_alert_s'] / 60:.0f} min" for e in row["episodes"])
        step_us = row["replay_s"] / max(row["steps"], 1) * 1e6
        print(f"{row['stream']:<16}{row['seed']:>5}{row['brand_posts']:>7}{times or 'none':>16}"
              f"{row['false_alarms_per_week']:>10.2f}{row['posts_per_minute_median']:>12,.0f}"
              f"{step_us:>9.0f}  "
              f"{'counting only (no detector tested)' if args.counting_only else verdict(row)}")


if __name__ == "__main__":
    main()
