"""Crisis-alert engine: speed on the demo stream, and detection quality on labelled streams.

**Speed** (default): the demo stream of the brand (seed 7, ``--posts`` items, read back from
the generated files: see ``alert_data.py``) is fed through ``AlertEngine`` in per-minute
batches, as a replay does: every simulated minute that has posts, delivered at the end of
that minute. ``--scale K`` makes every post K posts (distinct keys and authors, spread
within the same minute): the same storyline, K times denser, so that per-call costs no
longer hide the cost per post. Only ``observe`` is timed (loading and batching happen
before); the figure is posts per minute of wall time on one core, median of ``--runs``.

**Quality** (``--quality``): for each seed (``--seeds``) the demo and, with
``--scenarios``, the crisis scenarios of ``confiance.demo.scenarios``, replayed the same way:

* the delay from each labelled episode's start to the first signal inside it;
* false alarms: alert episodes (signals with the same ``episode_key`` less than
  ``--merge-hours`` apart form one) that start outside every labelled episode, per week of
  stream outside the episodes, each listed with its detector, scope, figures and top terms.

    python benchmarks/alert_engine.py                          # speed, demo as generated
    python benchmarks/alert_engine.py --scale 100              # speed, 100 times denser
    python benchmarks/alert_engine.py --quality --seeds 7,1,2,3 --scenarios

Results are appended to ``benchmarks/results/alert_engine.jsonl`` and printed. Generated
data is cached in ``benchmarks/out/alerts/``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from alert_data import DemoStream, demo_stream, minute_batches, scaled, scenario_stream

from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.detectors import AlertEngine
from confiance.listen.alerts.model import Observation, Signal

HERE = Path(__file__).parent
RESULTS = HERE / "results" / "alert_engine.jsonl"
DATA = HERE / "out" / "alerts"
SCENARIOS = ("calme", "boycott-lent", "post-viral", "pic-saisonnier")
WEEK = 7 * 86400.0


def replay(
    batches: Sequence[tuple[float, list[Observation]]], config: DetectorConfig
) -> tuple[float, list[Signal]]:
    """Seconds spent in ``observe`` over the whole replay, and every signal."""
    engine = AlertEngine(config)
    signals: list[Signal] = []
    gc.collect()
    started = time.perf_counter()
    for now, batch in batches:
        signals.extend(engine.observe(batch, now))
    return time.perf_counter() - started, signals


def speed(args: argparse.Namespace, config: DetectorConfig) -> dict[str, Any]:
    """Posts per minute of wall time, median of ``args.runs`` replays."""
    stream = demo_stream(DATA / f"demo-{args.posts}-s{args.seed}", seed=args.seed, posts=args.posts)
    observations = scaled(stream.observations, args.scale)
    batches = list(minute_batches(observations))
    rates, counts = [], 0
    for _ in range(args.runs):
        seconds, signals = replay(batches, config)
        rates.append(len(observations) / seconds * 60.0)
        counts = len(signals)
    result = {
        "case": "speed",
        "posts": len(observations),
        "scale": args.scale,
        "batches": len(batches),
        "posts_per_batch": round(len(observations) / len(batches), 2),
        "signals": counts,
        "posts_per_min": round(statistics.median(rates)),
        "runs": [round(r) for r in rates],
    }
    print(
        f"{len(observations):,} posts in {len(batches):,} minute batches "
        f"({result['posts_per_batch']} a batch): {result['posts_per_min']:,} posts/min "
        f"(median of {args.runs}: {', '.join(f'{r:,.0f}' for r in rates)}), "
        f"{counts:,} signals"
    )
    return result


def episodes_of(signals: Sequence[Signal], merge: float) -> list[dict[str, Any]]:
    """Alert episodes: runs of signals with one episode key, gaps of at most ``merge`` s."""
    open_runs: dict[str, dict[str, Any]] = {}
    runs: list[dict[str, Any]] = []
    for signal in signals:
        key = signal.episode_key
        run = open_runs.get(key)
        if run is not None and signal.window_end - run["last"] <= merge:
            run["last"] = signal.window_end
            run["signals"] += 1
            run["severity"] = max(run["severity"], signal.severity)
            continue
        run = {
            "key": key,
            "first": signal.window_end,
            "last": signal.window_end,
            "signals": 1,
            "severity": signal.severity,
            "signal": signal,
        }
        open_runs[key] = run
        runs.append(run)
    return runs


def quality_of(
    name: str, stream: DemoStream, config: DetectorConfig, merge_hours: float
) -> dict[str, Any]:
    """Detection delays and false alarms of one labelled stream."""
    seconds, signals = replay(list(minute_batches(stream.observations)), config)
    runs = episodes_of(signals, merge_hours * 3600.0)
    inside = [r for r in runs if any(e.start <= r["first"] < e.end for e in stream.episodes)]
    outside = [r for r in runs if r not in inside]
    delays = []
    for episode in stream.episodes:
        first = min(
            (s.window_end for s in signals if episode.start <= s.window_end < episode.end),
            default=None,
        )
        delays.append(None if first is None else round((first - episode.start) / 60.0, 1))
    quiet = (stream.end - stream.start) - sum(e.end - e.start for e in stream.episodes)
    weeks = quiet / WEEK
    return {
        "case": "quality",
        "stream": name,
        "posts": len(stream.observations),
        "seconds": round(seconds, 2),
        "signals": len(signals),
        "episodes": [e.name for e in stream.episodes],
        "delay_minutes": delays,
        "alert_episodes_inside": len(inside),
        "false_alarms": len(outside),
        "weeks_outside": round(weeks, 2),
        "false_alarms_per_week": round(len(outside) / weeks, 3),
        "false_alarm_list": [_describe(r) for r in outside],
    }


def _describe(run: dict[str, Any]) -> dict[str, Any]:
    signal: Signal = run["signal"]
    return {
        "key": run["key"],
        "start": _iso(run["first"]),
        "end": _iso(run["last"]),
        "signals": run["signals"],
        "severity": run["severity"],
        "observed": round(signal.observed, 3),
        "expected": round(signal.expected, 3),
        "score": round(signal.score, 1),
        "window_minutes": signal.details.get("window_minutes"),
        "terms": [t for t, _ in signal.top_terms[:5]],
    }


def quality(args: argparse.Namespace, config: DetectorConfig) -> list[dict[str, Any]]:
    """Quality of every asked stream; prints a line per stream and per false alarm."""
    out = []
    for seed in (int(s) for s in args.seeds.split(",")):
        streams = [
            (f"demo s{seed}", lambda seed=seed: demo_stream(DATA / f"demo-6000-s{seed}", seed=seed))
        ]
        if args.scenarios:
            streams += [
                (
                    f"{name} s{seed}",
                    lambda name=name, seed=seed: scenario_stream(
                        DATA / f"{name}-s{seed}", name, seed=seed
                    ),
                )
                for name in SCENARIOS
            ]
        for name, load in streams:
            result = quality_of(name, load(), config, args.merge_hours)
            out.append(result)
            print(
                f"{name:22} delay {result['delay_minutes']} min, inside "
                f"{result['alert_episodes_inside']}, false alarms "
                f"{result['false_alarms']} ({result['false_alarms_per_week']}/week), "
                f"{result['seconds']} s"
            )
            for alarm in result["false_alarm_list"]:
                print(
                    f"    {alarm['start']} {alarm['key']} sev {alarm['severity']} "
                    f"{alarm['observed']} vs {alarm['expected']} score {alarm['score']} "
                    f"window {alarm['window_minutes']} {alarm['terms']}"
                )
    per_week = [r["false_alarms_per_week"] for r in out]
    delays = [d for r in out for d in r["delay_minutes"]]
    print(
        f"false alarms per week: mean {statistics.mean(per_week):.2f}, max "
        f"{max(per_week):.2f}; delays {delays}"
    )
    return out


def _value(text: str) -> Any:
    """A --set value: JSON (numbers, lists, true/false) or else the text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%MZ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=6000, help="demo items (generator)")
    parser.add_argument("--seed", type=int, default=7, help="demo seed for the speed case")
    parser.add_argument("--scale", type=int, default=1, help="copies of every post")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quality", action="store_true", help="measure detection instead")
    parser.add_argument("--seeds", default="7,1,2,3")
    parser.add_argument(
        "--scenarios", action="store_true", help="also the scenarios of confiance.demo.scenarios"
    )
    parser.add_argument("--merge-hours", type=float, default=6.0)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a detector setting",
    )
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    config = DetectorConfig().with_overrides(
        {name: _value(value) for name, value in (item.split("=", 1) for item in args.set)}
    )
    results = quality(args, config) if args.quality else [speed(args, config)]
    if args.no_save:
        return
    stamp = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "overrides": args.set,
        "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as out:
        for result in results:
            out.write(json.dumps({**stamp, **result}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
