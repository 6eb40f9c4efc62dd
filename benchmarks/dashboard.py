"""Dashboard API latency: every Overview route under concurrent clients, on 1,000,000 posts.

For each backend:

* builds the database once (SQLite: cached as ``benchmarks/out/dashboard-N-seedS.db``;
  PostgreSQL: a fresh schema, dropped at the end, whose tables are then ANALYZEd as
  autovacuum would): the generated posts of
  ``import_speed.py`` imported with the real importer, attached to a brand and its two
  competitors (55 / 30 / 15 %, and 1 brand post in 23 also to the first competitor), and
  **synthetic enrichment rows written directly** with a fixed seed (sentiment, language,
  topics): running the real pipeline on 1,000,000 posts would take about 30 minutes
  (547 posts/s, docs/enrichment.md), and the dashboard only reads what enrichment stored;
* times ``rollups.rebuild`` of every brand from scratch (what ``confiance rollups rebuild``
  and migration 0006 do);
* starts the real server (``uvicorn`` on 127.0.0.1 in a child process, ``create_app``,
  ``--workers`` processes, 2 by default: one per core of a 2-core machine) and drives every
  dashboard route with ``--clients`` concurrent clients (one asyncio task each, keep-alive
  connections, no pause between requests) for ``--seconds`` after a warm-up, over a mix of
  periods (the default 30 days, the last 7 and 90 days, random windows of 2, 14 and 30
  days), comparison on; then one client alone, for the latency without queueing.

Each worker has its own block cache (``confiance.store.dashboard_cache``), with a budget of
``--cache-bytes`` (0: no cache, every block computed from the rollups); the hits and misses
of each worker are recorded, with its garbage-collection pauses. Nothing changes the data
during a run, so the cache only misses on the first request of each (block, period) in each
worker: run with ``--cache-bytes 0`` as well to see the cost of a miss under load.

uvicorn's ``--workers`` listener leaves Nagle's algorithm on (about 40 ms per keep-alive
request, see :func:`keep_nodelay`): the server child fixes it unless ``--uvicorn-default``.
Each worker moves what it built at startup out of the garbage collector's way, as
``confiance serve`` does (``--no-gc-freeze`` to compare).

Each worker's connection pool follows ``CONFIANCE_DATABASE_POOL_SIZE`` and
``CONFIANCE_DATABASE_POOL_OVERFLOW`` as ``confiance serve``'s would (recorded as ``pool``):
set them to 5 and 10, SQLAlchemy's defaults, to see the cost of a pool smaller than the
requests a worker serves at once.

Reports p50 / p95 / p99 per route and requests per second, prints a table and appends the
results to ``benchmarks/results/dashboard.jsonl``, with the load average of the machine
before, during (the highest one-minute value sampled each second) and after the run.

    python benchmarks/dashboard.py                                   # SQLite, 1,000,000 posts
    python benchmarks/dashboard.py --postgres postgresql+psycopg://postgres@127.0.0.1/test
    python benchmarks/dashboard.py --posts 100000 --seconds 10      # a quick look
    python benchmarks/dashboard.py --cache-bytes 0                  # every block computed
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy import Engine

from confiance.auth.roles import Role
from confiance.core.db import make_engine
from confiance.core.plugins import plugin_manager
from confiance.core.settings import Settings
from confiance.domain import Brand
from confiance.enrich.aspects import load_aspects
from confiance.sources.registry import FormatRegistry
from confiance.store import (
    accounts,
    brands,
    credentials,
    dashboard,
    ingest,
    migrate,
    rollups,
    tables,
)
from confiance.store import workspaces as workspace_store
from confiance.store.dashboard_cache import DEFAULT_MAX_BYTES, BlockCache
from confiance.store.tables import brand_posts, posts

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "results" / "dashboard.jsonl"
BRAND, RIVALS = "Maison Lumière", ("Bougies Céleste", "Atelier Flamme")
EMAIL = "viewer@benchmark.example"
CACHE_BYTES = "CONFIANCE_BENCHMARK_CACHE_BYTES"  # tells make_app the block cache's budget
GC_FREEZE = "CONFIANCE_BENCHMARK_GC_FREEZE"  # "1": make_app moves what it built out of GC
ROUTES = ("overview", "totals", "volume", "share-of-voice", "breakdown", "top-topics",
          "top-authors", "top-posts")
LANGUAGES = (("fr", 0.62), ("en", 0.28), ("es", 0.04), ("de", 0.03), ("it", 0.03))
CHUNK = 50_000


# --- the database ------------------------------------------------------------------------------


def build(url: str, n: int, seed: int) -> dict[str, Any]:
    """Import, attach, enrich (synthetic) and roll up ``n`` posts; the seconds of each step."""
    from import_speed import posts_file  # the same cached file of generated posts

    path = posts_file(n, seed)
    engine = make_engine(Settings(database_url=url))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        workspace = workspace_store.ensure(conn, "benchmark")
        user = accounts.create_user(conn, EMAIL, "benchmark passphrase")
        accounts.set_role(conn, user, workspace, Role.VIEWER)
    brand = brands.add(engine, Brand(name=BRAND, competitors=list(RIVALS)),
                       workspace_id=workspace)
    ids = [brand, *(brands.resolve(engine, name) for name in RIVALS)]
    timings: dict[str, Any] = {}
    started = time.perf_counter()
    fmt = FormatRegistry.from_plugins(plugin_manager()).get("ndjson")
    summary = ingest.import_file(engine, path, fmt)
    timings["import_s"] = round(time.perf_counter() - started, 1)
    timings["posts"] = summary.imported
    started = time.perf_counter()
    timings["attachments"] = attach(engine, ids)
    timings["attach_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    enrich(engine, seed)
    timings["synthetic_enrichment_s"] = round(time.perf_counter() - started, 1)
    engine.dispose()
    print(f"Built {summary.imported:,} posts: {timings}", file=sys.stderr)
    return timings


def attach(engine: Engine, ids: list[int]) -> int:
    """Attach every post to one of the three brands by its id, and some brand posts to the
    first competitor as well."""
    slot = posts.c.id % 20
    which = sa.case((slot < 11, ids[0]), (slot < 17, ids[1]), else_=ids[2])
    with engine.begin() as conn:
        conn.execute(sa.insert(brand_posts).from_select(
            ["brand_id", "post_id", "via"], sa.select(which, posts.c.id, sa.literal("import"))))
        conn.execute(sa.insert(brand_posts).from_select(
            ["brand_id", "post_id", "via"],
            sa.select(sa.literal(ids[1]), posts.c.id, sa.literal("query"))
            .where(slot < 11, posts.c.id % 23 == 0)))
        return int(conn.execute(sa.select(sa.func.count()).select_from(brand_posts))
                   .scalar_one())


def synthetic_rows(rows: Sequence[Any], rng: random.Random, topics: list[str],
                   start: date, now: str) -> list[tuple[Any, ...]]:
    """Enrichment rows for (id, language, created_at) rows: a sentiment mix that varies by
    brand and turns negative for the main brand on days 60 to 63 (the demo's backlash)."""
    found = []
    weights = [1.0 / (rank + 1) for rank in range(len(topics))]
    languages = [language for language, _ in LANGUAGES]
    language_weights = [weight for _, weight in LANGUAGES]
    for post_id, language, created_at in rows:
        day = (_day(created_at) - start).days
        main = post_id % 20 < 11
        negative = 0.55 if main and 60 <= day <= 63 else (0.15 if main else 0.25)
        draw = rng.random()
        sentiment = ("negative" if draw < negative else
                     "neutral" if draw < negative + 0.35 else "positive")
        score = {"negative": -0.6, "neutral": 0.0, "positive": 0.6}[sentiment]
        chosen = sorted(set(rng.choices(topics, weights, k=rng.choice((0, 1, 1, 2, 3)))))
        lang = (language or rng.choices(languages, language_weights)[0]).split("-")[0]
        found.append((post_id, lang, 0.9, sentiment, score + rng.uniform(-0.3, 0.3),
                      orjson.dumps(chosen).decode(),
                      '{"sentiment": "benchmark.synthetic", "topics": "benchmark.synthetic"}',
                      now))
    return found


def _day(value: Any) -> date:
    return (value if isinstance(value, datetime) else datetime.fromisoformat(str(value))).date()


def enrich(engine: Engine, seed: int) -> None:
    """Write one synthetic ``enrichments`` row per post (executemany on SQLite, COPY on
    PostgreSQL), chunk by chunk."""
    rng = random.Random(seed)
    topics = [aspect.id for aspect in load_aspects()]
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(posts.c.created_at))).scalar_one()
    start = _day(first)
    now = datetime.now(UTC)
    sql = ("INSERT INTO enrichments (post_id, language, language_confidence, sentiment, "
           "sentiment_score, topics, made_by, enriched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    postgres = engine.dialect.name == "postgresql"
    stamp = now.isoformat() if postgres else now.replace(tzinfo=None).isoformat(sep=" ")
    last = 0
    while True:
        with engine.begin() as conn:
            rows = conn.execute(sa.select(posts.c.id, posts.c.language, posts.c.created_at)
                                .where(posts.c.id > last).order_by(posts.c.id)
                                .limit(CHUNK)).all()
            if not rows:
                return
            batch = synthetic_rows(rows, rng, topics, start, stamp)
            if postgres:
                cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                with cursor.copy("COPY enrichments (post_id, language, language_confidence, "
                                 "sentiment, sentiment_score, topics, made_by, enriched_at) "
                                 "FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                conn.exec_driver_sql(sql, batch)
        last = rows[-1][0]


def table_sizes(engine: Engine) -> dict[str, int]:
    """Rows in the rollup tables."""
    with engine.connect() as conn:
        return {name: int(conn.execute(sa.text(f"SELECT count(*) FROM {name}")).scalar_one())
                for name in ("rollup_posts", "rollup_hours", "rollup_days", "rollup_topics",
                             "rollup_authors")}


def prepare(url: str, n: int, seed: int, cached: Path | None) -> dict[str, Any]:
    """Build the database (or reuse the cached SQLite file), then time a rollup rebuild."""
    info_path = cached.with_suffix(".json") if cached else None
    if cached is not None and info_path is not None and info_path.exists():
        info: dict[str, Any] = json.loads(info_path.read_text())
        print(f"Reusing {cached} (built {info['built']})", file=sys.stderr)
        upgrading = make_engine(Settings(database_url=url))
        migrate.upgrade(upgrading)  # a database cached by an older version of the schema
        upgrading.dispose()
    else:
        info = {"built": datetime.now(UTC).isoformat(timespec="seconds"),
                **build(url, n, seed)}
    engine = make_engine(Settings(database_url=url))
    summary = rollups.rebuild_store(engine)
    info["rollups_build_s"] = round(summary.seconds, 1)
    info["rollup_rows"] = table_sizes(engine)
    if engine.dialect.name == "postgresql":
        # The planner's statistics, as autovacuum gathers them after bulk changes on a
        # default server (a test server may run without autovacuum: no statistics at all,
        # and plans made for one-row tables, 2-3 times slower on the author rankings).
        started = time.perf_counter()
        with engine.begin() as conn:
            for table in tables.metadata.sorted_tables:
                conn.exec_driver_sql(f'ANALYZE "{table.name}"')
        info["analyze_s"] = round(time.perf_counter() - started, 1)
    print(f"Built the rollups of {summary.attachments:,} attachments in "
          f"{summary.seconds:,.1f} s", file=sys.stderr)
    with engine.begin() as conn:
        user = accounts.find(conn, EMAIL)
        assert user is not None
        _, info["token"] = credentials.create_token(conn, user.id, "benchmark")
        info["brand_id"] = brands.ids_by_name(conn, [BRAND])[BRAND]
        newest = dashboard.newest_day(conn, info["brand_id"])
        assert newest is not None
        info["newest"] = newest.isoformat()
    engine.dispose()
    if info_path is not None:
        info_path.write_text(json.dumps({k: v for k, v in info.items() if k != "token"}))
    return info


# --- the server and its clients ----------------------------------------------------------------


def make_app() -> FastAPI:
    """The app uvicorn serves (``--factory``): settings from the environment, the block
    cache's budget from ``CONFIANCE_BENCHMARK_CACHE_BYTES``, and a route that tells this
    worker's cache counters (a benchmark-only route)."""
    import gc

    from confiance.web.app import create_app

    app = create_app(Settings())
    cache = BlockCache(int(os.environ.get(CACHE_BYTES, DEFAULT_MAX_BYTES)))
    app.state.dashboard_cache = cache
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started: list[float] = [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append(time.perf_counter() - started[0])

    gc.callbacks.append(timed)
    if os.environ.get(GC_FREEZE) == "1":  # what `confiance serve` does after startup
        from confiance.core.collector import freeze_startup_heap

        freeze_startup_heap()

    @app.get("/_benchmark/cache", include_in_schema=False)
    async def cache_stats() -> dict[str, Any]:
        return {"pid": os.getpid(), **cache.stats().as_dict(),
                "gc": {str(generation): {"n": len(found),
                                         "max_ms": round(1000 * max(found, default=0.0), 1),
                                         "total_ms": round(1000 * sum(found), 1)}
                       for generation, found in pauses.items()}}

    return app


def run_server(port: int, workers: int, nodelay: bool) -> None:
    """The server child: ``uvicorn`` with ``workers`` processes on 127.0.0.1:``port``."""
    import uvicorn

    if nodelay:
        from confiance.cli.serve import keep_nodelay

        keep_nodelay()
    uvicorn.run("dashboard:make_app", factory=True, app_dir=str(HERE), host="127.0.0.1",
                port=port, workers=workers, log_level="warning", access_log=False)


@contextmanager
def server(url: str, workers: int, cache_bytes: int, nodelay: bool = True,
           gc_freeze: bool = False) -> Iterator[str]:
    """``uvicorn`` serving the app on a free loopback port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "CONFIANCE_DATABASE_URL": url, CACHE_BYTES: str(cache_bytes),
           GC_FREEZE: "1" if gc_freeze else "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE),
                                                       os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen(
        [sys.executable, "-c", f"import dashboard; dashboard.run_server({port}, {workers}, "
         f"{nodelay})"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.5)
        yield base
    finally:
        child.terminate()
        child.wait(timeout=30)


def periods(newest: date, rng: random.Random) -> str:
    """The query string of a period the way people pick them: mostly the default and the
    last 7 / 30 / 90 days, sometimes a window of 2 (hourly), 14 or 30 days."""
    kind = rng.choice(("default", "default", "7", "30", "90", "2", "14", "30w"))
    if kind == "default":
        return "compare=true"
    days = int(kind.rstrip("w"))
    end = newest if kind in ("7", "30", "90") else newest - timedelta(
        days=rng.randrange(0, 91 - days))
    return f"since={end - timedelta(days=days - 1)}&until={end}&compare=true"


class Keepalive:
    """One keep-alive HTTP/1.1 connection that sends GET requests and reads the answers.

    A load generator on the same 2-core machine takes its CPU from the server it measures:
    httpx spends about 1 ms of CPU per request, this a fraction of that (asyncio streams,
    pre-built headers, the body read by its Content-Length)."""

    def __init__(self, host: str, port: int, prefix: str, token: str) -> None:
        self.host, self.port, self.prefix = host, port, prefix
        self.headers = (f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                        "Accept: application/json\r\n\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> int:
        """The status of ``GET prefix + path``; reconnects when the server closed the line."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            sock = self.writer.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.writer.write(f"GET {self.prefix}{path} HTTP/1.1\r\n".encode() + self.headers)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, close = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding":
                raise RuntimeError("a dashboard route answered chunked; expected a length")
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        await self.reader.readexactly(length)
        if close:
            await self.close()
        return status

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()
        self.reader = self.writer = None


async def drive(base: str, token: str, brand_id: int, newest: date, *, clients: int,
                seconds: float, warmup: float, seed: int
                ) -> tuple[dict[str, list[float]], int, float, float]:
    """Latencies per route (seconds) of ``clients`` clients looping without pause, the
    number of failed requests, the measured span and the CPU seconds this client process
    used during it."""
    samples: dict[str, list[float]] = {route: [] for route in ROUTES}
    errors = 0
    host, port = base.removeprefix("http://").split(":")
    begin = time.perf_counter()
    record_from, stop = begin + warmup, begin + warmup + seconds
    cpu: list[float] = []

    async def one(index: int) -> None:
        nonlocal errors
        rng = random.Random(seed * 1000 + index)
        turn = index
        line = Keepalive(host, int(port), f"/api/v1/brands/{brand_id}", token)
        # Connect one client at a time: a burst of connections is all accepted by the
        # first worker to wake up, and the other worker would then serve nobody.
        await asyncio.sleep(index * 0.05)
        while (sent := time.perf_counter()) < stop:
            if sent >= record_from and not cpu:
                cpu.append(time.process_time())
            route = ROUTES[turn % len(ROUTES)]
            turn += 1
            status = await line.get(f"/{route}?{periods(newest, rng)}")
            took = time.perf_counter() - sent
            if sent >= record_from:
                if status != 200:
                    errors += 1
                samples[route].append(took)
        await line.close()

    await asyncio.gather(*(one(i) for i in range(clients)))
    used = time.process_time() - cpu[0] if cpu else 0.0
    return samples, errors, seconds, used


def cache_stats(base: str, workers: int) -> dict[str, Any]:
    """The cache counters of each worker, asked on new connections until every worker has
    answered (or 50 tries)."""
    found: dict[str, Any] = {}
    for _ in range(50):
        if len(found) == workers:
            break
        stats = httpx.get(f"{base}/_benchmark/cache", timeout=10).json()
        found[str(stats.pop("pid"))] = stats
    return found


class LoadSampler:
    """The highest one-minute load average seen, sampled every second in a thread."""

    def __init__(self) -> None:
        import threading

        self.highest = os.getloadavg()[0]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.highest = max(self.highest, os.getloadavg()[0])

    def __enter__(self) -> LoadSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def summarise(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """p50 / p95 / p99 / max in milliseconds and the count, per route and for all."""
    found = {}
    everything = [v for values in samples.values() for v in values]
    for route, values in [*samples.items(), ("all", everything)]:
        ms = np.array(values) * 1000 if values else np.zeros(1)
        found[route] = {"n": len(values), "p50_ms": round(float(np.percentile(ms, 50)), 1),
                        "p95_ms": round(float(np.percentile(ms, 95)), 1),
                        "p99_ms": round(float(np.percentile(ms, 99)), 1),
                        "max_ms": round(float(ms.max()), 1)}
    return found


def measure(backend: str, url: str, info: dict[str, Any], args: argparse.Namespace
            ) -> dict[str, Any]:
    """Serve the database and measure it loaded, then alone."""
    newest = date.fromisoformat(info["newest"])
    pool = Settings()  # the server's pool: CONFIANCE_DATABASE_POOL_SIZE / _OVERFLOW
    load_before = os.getloadavg()
    with server(url, args.workers, args.cache_bytes, not args.uvicorn_default,
                args.gc_freeze) as base:
        with LoadSampler() as load:
            loaded, errors, span, client_cpu = asyncio.run(drive(
                base, info["token"], info["brand_id"], newest, clients=args.clients,
                seconds=args.seconds, warmup=args.warmup, seed=args.seed))
        cache_loaded = cache_stats(base, args.workers)
        alone, _, _, _ = asyncio.run(drive(
            base, info["token"], info["brand_id"], newest, clients=1,
            seconds=args.seconds / 3, warmup=1, seed=args.seed))
        cache_end = cache_stats(base, args.workers)
    done = sum(len(v) for v in loaded.values())
    return {"backend": backend, "posts": info.get("posts"), "clients": args.clients,
            "workers": args.workers, "seconds": args.seconds,
            "requests_per_s": round(done / span, 1), "errors": errors,
            "client_cpu_share": round(client_cpu / span, 2),
            "loaded": summarise(loaded), "alone": summarise(alone),
            "cache_bytes": args.cache_bytes, "tcp_nodelay_fix": not args.uvicorn_default,
            "pool": {"size": pool.database_pool_size,
                     "overflow": pool.database_pool_overflow},
            "gc_freeze": args.gc_freeze,
            "cache": {"after_loaded": cache_loaded, "at_end": cache_end},
            "load_average_before": [round(v, 2) for v in load_before],
            "load_average_during_max_1min": round(load.highest, 2),
            "load_average_after": [round(v, 2) for v in os.getloadavg()],
            "build": {k: v for k, v in info.items() if k not in ("token", "brand_id")}}


def print_table(result: dict[str, Any]) -> None:
    """One line per route: loaded p50 / p95 / p99, and p50 alone."""
    workers = list(result["cache"]["after_loaded"].values())
    print(f"\n{result['backend']}: {result['posts'] or 0:,} posts, {result['clients']} clients,"
          f" {result['workers']} worker(s), {result['requests_per_s']:,} requests/s, "
          f"{result['errors']} errors; rollups built in "
          f"{result['build']['rollups_build_s']:,} s; load {result['load_average_before']}"
          f" before, {result['load_average_during_max_1min']} at most during; cache "
          f"{result['cache_bytes']:,} bytes, hit rates "
          f"{[w['hit_rate'] for w in workers]}, requests per worker "
          f"{[w['hits'] + w['misses'] for w in workers]}")
    print(f"{'route':<16}{'n':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'alone p50':>11}")
    for route, row in result["loaded"].items():
        alone = result["alone"][route]["p50_ms"]
        print(f"{route:<16}{row['n']:>7}{row['p50_ms']:>9}{row['p95_ms']:>9}"
              f"{row['p99_ms']:>9}{alone:>11}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--cache-bytes", type=int, default=DEFAULT_MAX_BYTES,
                        help="block cache budget per worker; 0: no cache")
    parser.add_argument("--gc-freeze", action=argparse.BooleanOptionalAction, default=True,
                        help="gc.freeze() what each worker built at startup, so that full "
                        "collections skip it, as `confiance serve` does (--no-gc-freeze: "
                        "leave it)")
    parser.add_argument("--uvicorn-default", action="store_true",
                        help="leave uvicorn's multi-worker listener as it is (Nagle on: see "
                        "keep_nodelay)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--postgres", help="PostgreSQL server URL; omit to skip PostgreSQL")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    OUT.mkdir(exist_ok=True)
    results = []
    if not args.skip_sqlite:
        path = OUT / f"dashboard-{args.posts}-seed{args.seed}.db"
        url = f"sqlite:///{path}"
        results.append(measure("sqlite", url, prepare(url, args.posts, args.seed, path), args))
    if args.postgres:
        from import_speed import PgSchema

        with PgSchema(args.postgres) as url:
            info = prepare(url, args.posts, args.seed, None)
            results.append(measure("postgresql", url, info, args))
    stamp = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
             "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
                        f"{platform.python_version()}, SQLite {sqlite3.sqlite_version}"}
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        for result in results:
            handle.write(json.dumps({**stamp, **result}) + "\n")
    for result in results:
        print_table(result)


if __name__ == "__main__":
    main()
