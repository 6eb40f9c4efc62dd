"""Import speed and memory: Confiance's import against bare inserts of the same rows.

For each backend, in the same run and on the same generated file of canonical posts:

* ``confiance import FILE --format ndjson --no-enrich`` (the real command, in a child
  process; enrichment is measured by its own benchmark), timed from
  its own ``--json`` report, with the child's peak memory (max RSS);
* the baseline: the very rows Confiance writes, built beforehand outside the timer, inserted
  with a bare ``sqlite3`` ``executemany`` (SQLite) or a bare ``COPY`` (PostgreSQL) into the
  same schema, in batches of the same size with one commit per batch.

Each measurement is repeated ``--repeat`` times on a fresh database; the report quotes medians
and the ratio of medians. A separate ``--memory-gb`` run imports a file of at least that size
and records the peak memory of the import process.

    python benchmarks/import_speed.py                       # 1,000,000 posts, SQLite, 3 repeats
    python benchmarks/import_speed.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
    python benchmarks/import_speed.py --posts 100000 --repeat 1      # a quick look
    python benchmarks/import_speed.py --memory-gb 1.0 --skip-speed

Results are appended to ``benchmarks/results/import_speed.jsonl`` and printed as a table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from confiance.core.db import make_engine, sqlite_pragmas
from confiance.core.settings import Settings
from confiance.demo import write_canonical_ndjson
from confiance.domain import Post
from confiance.store import migrate
from confiance.store.rows import (
    AUTHOR_COLUMNS,
    POST_COLUMNS,
    author_row,
    iso_time,
    post_row,
    sqlite_time,
)

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "results" / "import_speed.jsonl"
BATCH = 5000


def posts_file(n: int, seed: int) -> Path:
    """The generated file of ``n`` canonical posts, made once and reused."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"posts-{n}-seed{seed}.ndjson"
    if not path.exists():
        partial = path.with_suffix(".partial")
        started = time.perf_counter()
        write_canonical_ndjson(partial, n=n, seed=seed)
        partial.rename(path)
        print(f"Generated {n:,} posts ({path.stat().st_size / 1e6:,.0f} MB) in "
              f"{time.perf_counter() - started:,.1f} s", file=sys.stderr)
    return path


def _run_child(args: list[str], env: dict[str, str] | None = None) -> tuple[str, float, float]:
    """Run a child process; its stdout, wall seconds and own peak memory (MB, from wait4).

    Peak memory comes from the child's own rusage, which covers its reader process too and is
    not inflated by the memory of this benchmark process.
    """
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    out, err = child.stdout.read(), child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"{args} failed: {err.decode()[-2000:]}")
    return out.decode(), wall, usage.ru_maxrss / 1024


def run_import(path: Path, database_url: str) -> dict[str, Any]:
    """Run the real CLI import in a child process; its JSON report plus peak memory."""
    env = {**os.environ, "CONFIANCE_DATABASE_URL": database_url}
    cli = [sys.executable, "-m", "confiance"]
    subprocess.run([*cli, "init", "--json"], env=env, check=True, capture_output=True)
    out, wall, peak = _run_child([*cli, "import", str(path), "--format", "ndjson",
                                  "--no-enrich", "--json"], env)
    report: dict[str, Any] = json.loads(out)
    report["wall_seconds"] = wall
    report["peak_rss_mb"] = peak
    return report


def run_bare(backend: str, path: Path, database_url: str) -> float:
    """Seconds of the bare baseline, run in a child process of its own."""
    out, _, _ = _run_child([sys.executable, __file__, "--bare", backend, "--file", str(path),
                            "--url", database_url])
    return float(json.loads(out)["seconds"])


def build_rows(path: Path, *, sqlite: bool) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows Confiance writes for ``path`` (built outside any timer)."""
    time_fn = sqlite_time if sqlite else iso_time
    now = time_fn(datetime.now(UTC))
    posts: list[tuple[Any, ...]] = []
    authors: dict[tuple[str, str], tuple[Any, ...]] = {}
    with path.open("rb") as handle:
        for line in handle:
            post = Post.model_validate_json(line)
            posts.append(post_row(post, source_id=1, now=now, time=time_fn))
            if post.author is not None:
                authors[(post.author.platform.value, post.author.platform_id)] = author_row(
                    post.author, now=now)
    return posts, list(authors.values())


def _batches(rows: list[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start:start + BATCH]


def bare_sqlite(db: Path, posts: list[tuple[Any, ...]], authors: list[tuple[Any, ...]]) -> float:
    """Seconds for plain executemany INSERTs of the same rows, same schema and pragmas."""
    engine = make_engine(Settings(database_url=f"sqlite:///{db}"))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO sources (id, kind, name, format, config, created_at) "
                             "VALUES (1, 'file', 'bench', 'ndjson', '{}', '2026-01-01')"))
    engine.dispose()
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in sqlite_pragmas(Settings()):  # the very pragmas Confiance's engine sets
        conn.execute(pragma)
    post_sql = (f"INSERT INTO posts ({', '.join(POST_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(POST_COLUMNS))})")
    author_sql = (f"INSERT INTO authors ({', '.join(AUTHOR_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(AUTHOR_COLUMNS))})")
    started = time.perf_counter()
    for sql, rows in ((author_sql, authors), (post_sql, posts)):
        for batch in _batches(rows):
            conn.execute("BEGIN")
            conn.executemany(sql, batch)
            conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def bare_copy(url: str, posts: list[tuple[Any, ...]], authors: list[tuple[Any, ...]]) -> float:
    """Seconds for plain COPY of the same rows into the same schema, one commit per batch."""
    engine = make_engine(Settings(database_url=url))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO sources (id, kind, name, format, config, created_at) "
                             "VALUES (1, 'file', 'bench', 'ndjson', '{}', now())"))
    raw = engine.raw_connection()
    cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
    started = time.perf_counter()
    for table, columns, rows in (("authors", AUTHOR_COLUMNS, authors),
                                 ("posts", POST_COLUMNS, posts)):
        for batch in _batches(rows):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
            raw.commit()
    seconds = time.perf_counter() - started
    raw.close()
    engine.dispose()
    return seconds


class PgSchema:
    """A fresh schema on the server for one measurement, dropped afterwards."""

    def __init__(self, server: str) -> None:
        self.server, self.name = server, f"bench_{uuid.uuid4().hex[:10]}"
        self.admin = sa.create_engine(server)

    def __enter__(self) -> str:
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.name}"'))
        url = sa.make_url(self.server).update_query_dict(
            {"options": f"-csearch_path={self.name}"})
        return url.render_as_string(hide_password=False)

    def __exit__(self, *exc: object) -> None:
        with self.admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.admin.dispose()


def measure(backend: str, path: Path, repeat: int, server: str | None) -> dict[str, Any]:
    """Median posts/s of Confiance and of the bare baseline on ``backend``."""
    ours, bare, peaks = [], [], []
    n = 0
    for attempt in range(repeat):
        with tempfile.TemporaryDirectory(dir=OUT) as tmp:
            if backend == "sqlite":
                report = run_import(path, f"sqlite:///{Path(tmp) / 'ours.db'}")
                baseline = run_bare("sqlite", path, str(Path(tmp) / "bare.db"))
            else:
                assert server is not None
                with PgSchema(server) as url:
                    report = run_import(path, url)
                with PgSchema(server) as url:
                    baseline = run_bare("postgresql", path, url)
        n = report["imported"]
        ours.append(n / report["seconds"])
        bare.append(n / baseline)
        peaks.append(report["peak_rss_mb"])
        print(f"{backend} run {attempt + 1}/{repeat}: confiance {ours[-1]:,.0f} posts/s, "
              f"bare {bare[-1]:,.0f} posts/s, peak {peaks[-1]:,.0f} MB", file=sys.stderr)
    med_ours, med_bare = statistics.median(ours), statistics.median(bare)
    return {"backend": backend, "posts": n, "repeat": repeat,
            "confiance_posts_per_s": round(med_ours), "bare_posts_per_s": round(med_bare),
            "ratio": round(med_ours / med_bare, 3), "runs_confiance": [round(v) for v in ours],
            "runs_bare": [round(v) for v in bare], "peak_rss_mb": round(max(peaks))}


def bare_child(backend: str, path: Path, url: str) -> None:
    """Build the rows (untimed), then time the bare insert; print {"seconds", "posts"}."""
    posts, authors = build_rows(path, sqlite=backend == "sqlite")
    seconds = (bare_sqlite(Path(url), posts, authors) if backend == "sqlite"
               else bare_copy(url, posts, authors))
    print(json.dumps({"seconds": seconds, "posts": len(posts)}))


def memory_run(gigabytes: float, seed: int) -> dict[str, Any]:
    """Import a file of at least ``gigabytes`` and report the import's peak memory."""
    sample = posts_file(10_000, seed)
    per_post = sample.stat().st_size / 10_000
    n = int(gigabytes * 1e9 / per_post * 1.02) + 1  # a little over, whatever the sample
    path = posts_file(n, seed)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        report = run_import(path, f"sqlite:///{Path(tmp) / 'memory.db'}")
    return {"backend": "sqlite", "file_gb": round(path.stat().st_size / 1e9, 3), "posts": n,
            "peak_rss_mb": round(report["peak_rss_mb"]),
            "posts_per_s": round(n / report["seconds"])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--postgres", help="PostgreSQL server URL; omit to skip PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--memory-gb", type=float, default=0.0)
    parser.add_argument("--bare", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        bare_child(args.bare, args.file, args.url)
        return
    results: list[dict[str, Any]] = []
    if not args.skip_speed:
        path = posts_file(args.posts, args.seed)
        if not args.skip_sqlite:
            results.append(measure("sqlite", path, args.repeat, None))
        if args.postgres:
            results.append(measure("postgresql", path, args.repeat, args.postgres))
    if args.memory_gb:
        results.append({"memory": memory_run(args.memory_gb, args.seed)})
    stamp = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"}
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        for result in results:
            handle.write(json.dumps({**stamp, **result}) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
