"""Enrichment of a store in this process, in a process pool and on Ray: posts/s and memory.

A SQLite store of ``--posts`` demo posts (the fast generator, ``confiance.demo.iter_posts``)
with the demo brand and its two competitors (their suggested queries, so the brand matcher
runs) is built in ``benchmarks/out/``. Each measurement copies it, unenriched, and runs
the real command in a child process, ``confiance enrich --json`` with:

* ``in-process``: no option (one process, the default);
* ``process-pool``: ``--workers N``;
* ``ray``: ``--ray --workers N`` (a local Ray started and stopped by the command).

posts/s is ``enriched / seconds`` from the command's own report: the whole of
``enrich_store``, starting the workers (and Ray) and loading their models included, as a
user waits for it. Runs are interleaved (in-process, pool, Ray, in-process...) so a busy
spell on a shared machine hits every runner alike; the report gives the median of
``--repeat`` runs and its ratio to in-process, the peak memory of the largest process (max
RSS, from ``wait4``: the command or one of its workers), the peak of the whole process tree
(workers, Ray's raylet and GCS: their resident memory summed, sampled every 0.5 s from
``/proc``), and the load average before and after.

    python benchmarks/enrich_parallel.py                          # 20,000 posts, 3 repeats
    python benchmarks/enrich_parallel.py --posts 5000 --repeat 1  # a quick look
    python benchmarks/enrich_parallel.py --runners in-process,process-pool --workers 4

Results are appended to ``benchmarks/results/enrich_parallel.jsonl`` and printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "results" / "enrich_parallel.jsonl"
RUNNERS = ("in-process", "process-pool", "ray")


def template_store(posts: int, seed: int) -> Path:
    """The store of ``posts`` unenriched demo posts and the demo brands, made anew on each
    invocation (seconds), so it always has the current schema."""
    from confiance.core.db import make_engine
    from confiance.core.settings import Settings
    from confiance.demo import iter_posts
    from confiance.demo.manifest import brand_entries
    from confiance.domain import Brand, Post
    from confiance.store import brands, ingest, migrate

    OUT.mkdir(exist_ok=True)
    path = OUT / f"enrich-parallel-{posts}-seed{seed}.db"
    partial = path.with_name(path.name + ".partial")
    for stale in (partial, partial.with_name(partial.name + "-wal"),
                  partial.with_name(partial.name + "-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    engine = make_engine(Settings(database_url=f"sqlite:///{partial}"))
    migrate.upgrade(engine)
    brand, rivals = brand_entries()
    for entry in (brand, *rivals):
        brands.add(engine, Brand(name=entry["name"], query=entry.get("query"),
                                 hashtags=entry.get("hashtags", [])))
    ingest.ingest(engine, (Post.model_validate(item) for item in iter_posts(posts, seed=seed)),
                  source="benchmark", format="canonical")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    partial.replace(path)
    print(f"Built a store of {posts:,} posts in {time.perf_counter() - started:,.1f} s",
          file=sys.stderr)
    return path


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(entry.name))
    return found


def _tree(root: int) -> Iterator[int]:
    children, todo = _children(), [root]
    while todo:
        pid = todo.pop()
        yield pid
        todo.extend(children.get(pid, []))


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory:
    """The peak of the summed resident memory of a process and its descendants (Linux)."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        self.pid, self.every, self.peak_kb = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreeMemory:
        if Path("/proc").is_dir():
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in _tree(self.pid)))


def run_once(runner: str, store: Path, workers: int, batch_size: int) -> dict[str, Any]:
    """``confiance enrich --json`` on a fresh copy of ``store``, in a child process."""
    db = OUT / f"enrich-parallel-run-{os.getpid()}.db"
    for stale in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(store, db)
    options = {"in-process": [], "process-pool": ["--workers", str(workers)],
               "ray": ["--ray", "--workers", str(workers)]}[runner]
    env = {**os.environ, "CONFIANCE_DATABASE_URL": f"sqlite:///{db}"}
    args = [sys.executable, "-m", "confiance", "enrich", "--json",
            "--batch-size", str(batch_size), *options]
    errors = db.with_name(db.name + ".stderr")
    started = time.perf_counter()
    with errors.open("wb") as stderr:
        child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=stderr)
        with TreeMemory(child.pid) as tree:
            assert child.stdout is not None
            out = child.stdout.read()
            _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{runner} failed: {errors.read_text()[-3000:]}")
    report: dict[str, Any] = json.loads(out)
    for done in (db, errors):
        done.unlink(missing_ok=True)
    return {"posts_per_s": report["enriched"] / report["seconds"], "enriched":
            report["enriched"], "seconds": report["seconds"], "wall_seconds": wall,
            "max_rss_mb": usage.ru_maxrss / 1024,
            "tree_peak_mb": tree.peak_kb / 1024 if tree.peak_kb else None}


def measure(runners: list[str], store: Path, posts: int, workers: int, batch_size: int,
            repeat: int) -> dict[str, dict[str, Any]]:
    """Every runner ``repeat`` times, interleaved; medians and ratios to in-process."""
    runs: dict[str, list[dict[str, Any]]] = {runner: [] for runner in runners}
    for attempt in range(repeat):
        for runner in runners:
            found = run_once(runner, store, workers, batch_size)
            if found["enriched"] != posts:
                raise RuntimeError(f"{runner} enriched {found['enriched']} of {posts} posts")
            runs[runner].append(found)
            print(f"run {attempt + 1}/{repeat} {runner}: {found['posts_per_s']:,.0f} posts/s",
                  file=sys.stderr)
    table: dict[str, dict[str, Any]] = {}
    for runner, found in runs.items():
        rates = [r["posts_per_s"] for r in found]
        trees = [r["tree_peak_mb"] for r in found if r["tree_peak_mb"] is not None]
        table[runner] = {
            "workers": 1 if runner == "in-process" else workers,
            "posts_per_s": [round(rate) for rate in rates],
            "median_posts_per_s": round(statistics.median(rates)),
            "seconds": [round(r["seconds"], 1) for r in found],
            "wall_seconds": [round(r["wall_seconds"], 1) for r in found],
            "max_rss_mb": round(max(r["max_rss_mb"] for r in found)),
            "peak_tree_rss_mb": round(max(trees)) if trees else None}
    base = table.get("in-process", {}).get("median_posts_per_s")
    for row in table.values():
        row["vs_in_process"] = round(row["median_posts_per_s"] / base, 2) if base else None
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runners", default=",".join(RUNNERS),
                        help="comma-separated, among " + ", ".join(RUNNERS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runners = [r for r in args.runners.split(",") if r]
    if unknown := set(runners) - set(RUNNERS):
        parser.error(f"unknown runners {sorted(unknown)}")
    store = template_store(args.posts, args.seed)
    load_before = os.getloadavg()
    table = measure(runners, store, args.posts, args.workers, args.batch_size, args.repeat)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "posts": args.posts, "batch_size": args.batch_size, "repeat": args.repeat,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "runners": table}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    if args.json:
        print(json.dumps(record, indent=2))
        return
    print(f"{record['machine']}; {args.posts:,} posts, batches of {args.batch_size:,}, "
          f"median of {args.repeat}; load average {record['load_average_before'][0]} before, "
          f"{record['load_average_after'][0]} after")
    print(f"{'runner':<14} {'workers':>7} {'posts/s':>8} {'runs':<20} {'vs in-process':>13} "
          f"{'max RSS':>9} {'tree peak':>10}")
    for runner, row in table.items():
        tree = f"{row['peak_tree_rss_mb']:,} MB" if row["peak_tree_rss_mb"] else "-"
        ratio = f"{row['vs_in_process']:.2f}x" if row["vs_in_process"] else "-"
        print(f"{runner:<14} {row['workers']:>7} {row['median_posts_per_s']:>8,} "
              f"{row['posts_per_s']!s:<20} {ratio:>13} {row['max_rss_mb']:>6,} MB "
              f"{tree:>10}")


if __name__ == "__main__":
    main()
