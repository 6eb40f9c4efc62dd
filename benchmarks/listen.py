"""Live listening throughput: pushed posts through import, enrichment and the detectors.

A fresh database (SQLite by default, ``--database-url`` for PostgreSQL) gets one brand and
one push source; ``--posts`` canonical posts in deliveries of ``--delivery`` posts are stored
as the push endpoint stores them, then ``--listeners`` listeners (threads of this process,
each with its own connection pool, as separate processes would share the database) run
cycles until every post has been read by the brand's detectors. Reported: posts per second
end to end (median of ``--runs``), and the share of time per step for one listener.
The enrichment is the full default pipeline, which dominates.

    python benchmarks/listen.py
    python benchmarks/listen.py --database-url postgresql+psycopg://postgres@127.0.0.1/test \
        --listeners 2

Results are appended to ``benchmarks/results/listen.jsonl`` and printed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from confiance.core.db import make_engine
from confiance.core.plugins import plugin_manager
from confiance.core.settings import Settings
from confiance.domain import Brand
from confiance.listen.service import Listener, ListenerOptions
from confiance.sources.registry import FormatRegistry
from confiance.store import brands, listen_work, listening, migrate, workspaces
from confiance.store.tables import watch_states

HERE = Path(__file__).parent
WORDS = ("bougie", "parfum", "livraison", "prix", "cadeau", "qualité", "service", "odeur",
         "mèche", "verre", "coffret", "soldes")


def post(number: int, start: datetime) -> bytes:
    """One canonical post, tweet-length, French."""
    words = " ".join(WORDS[(number * 7 + k) % len(WORDS)] for k in range(6))
    return orjson.dumps({
        "platform": "instagram", "platform_id": f"bench{number}",
        "text": f"Maison Lumière {words} #MaLumiereAMoi, avis n° {number}",
        "created_at": (start + timedelta(seconds=number)).isoformat(),
        "author": {"platform": "instagram", "platform_id": f"u{number % 997}",
                   "handle": f"fan{number % 997}", "followers": 100 + number % 5000}})


def one_run(url: str, posts: int, delivery: int, listeners: int) -> dict[str, Any]:
    settings = Settings(database_url=url, env="test")
    engine = make_engine(settings)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        workspace = workspaces.ensure(conn, "bench")
    brand_id = brands.add(engine, Brand(name="Maison Lumière"), workspace_id=workspace)
    with engine.begin() as conn:
        source, _ = listening.add_source(conn, brand_id=brand_id, name="push", mode="push",
                                         format="ndjson", config={}, interval_s=60)
        start = datetime.now(UTC) - timedelta(days=1)
        for first in range(0, posts, delivery):
            body = b"\n".join(post(n, start) for n in range(first, min(first + delivery,
                                                                        posts)))
            listen_work.store_push(conn, source.id, body, now=datetime.now(UTC))
    formats = FormatRegistry.from_plugins(plugin_manager())
    workers = [Listener(make_engine(settings), clients={}, formats=formats,
                        options=ListenerOptions(name=f"bench-{n}", deliver=False))
               for n in range(listeners)]
    for worker in workers:  # models load before the clock starts
        worker.pipeline()
    done = threading.Event()

    def observed() -> int:
        with engine.connect() as conn:
            value = conn.execute(sa.select(watch_states.c.observed)).scalar_one_or_none()
        return int(value or 0)

    def work(worker: Listener) -> None:
        while not done.is_set():
            if not worker.run_once().busy:
                if observed() >= posts:
                    done.set()
                time.sleep(0.05)

    began = time.perf_counter()
    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    final = observed()
    for worker in workers:
        worker.engine.dispose()
    engine.dispose()
    return {"seconds": round(seconds, 2), "observed": final,
            "posts_per_second": round(final / seconds, 1),
            "enriched_by": [w.totals.enriched for w in workers]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--delivery", type=int, default=500)
    parser.add_argument("--listeners", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    runs = []
    for _ in range(args.runs):
        if args.database_url is None:
            folder = tempfile.mkdtemp(prefix="confiance-listen-bench-")
            url = f"sqlite:///{folder}/bench.db"
        else:
            url = args.database_url
            schema = f"bench_{uuid.uuid4().hex[:8]}"
            base = sa.create_engine(url)
            with base.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            base.dispose()
            url = f"{url}?options=-csearch_path%3D{schema}"
        runs.append(one_run(url, args.posts, args.delivery, args.listeners))
        print(json.dumps(runs[-1]))
    result = {
        "benchmark": "listen", "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "backend": "sqlite" if args.database_url is None else "postgresql",
        "posts": args.posts, "delivery": args.delivery, "listeners": args.listeners,
        "median_posts_per_second": statistics.median(r["posts_per_second"] for r in runs),
        "runs": runs, "cpus": os.cpu_count(), "python": platform.python_version(),
    }
    with (HERE / "results" / "listen.jsonl").open("a") as out:
        out.write(json.dumps(result) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
