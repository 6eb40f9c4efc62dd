"""Mentions API latency on SQLite: every mentions, authors, queries and corrections route on
1,000,000 posts, against the 150 ms p95 target of the dashboard.

Builds the database once (cached as ``benchmarks/out/mentions-N-seedS.db``): the generated
posts of ``import_speed.py`` imported with the real importer (so the full-text index is
filled by its triggers), then

* two workspaces: ``maison`` with the brand *Lumière* (4 posts in 5) and its competitor
  *Flamme* (1 in 7), and ``petite`` with the brand *Petite* (1 post in 1,000, half of them
  shared with Lumière): a large brand and a small one in the same table;
* **synthetic enrichment rows written directly** with fixed rules (sentiment, score,
  language, topics, intent): the pipeline would take about 30 minutes on 1,000,000 posts
  and the API only reads what enrichment stored; one post in 50 is left unenriched.

Then, in this process, through the real app (``create_app``, FastAPI's in-process client,
Bearer tokens), each scenario runs ``--repeat`` times after two warm-up calls, one client at
a time; paging scenarios follow ``next`` for ten pages (reported per page). Reports p50 and
p95 of the wall-clock time and of this process's processor time per scenario, prints a
table and appends the results to ``benchmarks/results/mentions_api.jsonl``.

    python benchmarks/mentions_api.py                     # 1,000,000 posts
    python benchmarks/mentions_api.py --posts 100000      # a quick look
    python benchmarks/mentions_api.py --analyze           # after ANALYZE (planner statistics)
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from confiance.auth.roles import Role
from confiance.core.db import make_engine
from confiance.core.plugins import plugin_manager
from confiance.core.settings import Settings
from confiance.demo import write_canonical_ndjson
from confiance.domain import Brand
from confiance.sources.registry import FormatRegistry
from confiance.store import accounts, brands, credentials, ingest, migrate, workspaces
from confiance.web.app import create_app

HERE = Path(__file__).parent
OUT = HERE / "out"
RESULTS = HERE / "results" / "mentions_api.jsonl"
TARGET_MS = 150.0

ENRICH = """
INSERT INTO enrichments (post_id, language, language_confidence, sentiment, sentiment_score,
                         topics, toxicity, flags, intent, made_by, errors, enriched_at)
SELECT id, coalesce(language, 'fr'), 0.9,
       CASE id % 3 WHEN 0 THEN 'positive' WHEN 1 THEN 'neutral' ELSE 'negative' END,
       ((id * 37) % 201 - 100) / 100.0,
       CASE id % 5 WHEN 0 THEN '["delivery"]' WHEN 1 THEN '["price","quality"]'
                   WHEN 2 THEN '[]' WHEN 3 THEN '["customer_service"]'
                   ELSE '["quality"]' END,
       (id % 10) / 100.0, '[]',
       CASE id % 5 WHEN 0 THEN 'complaint' WHEN 1 THEN 'question' WHEN 2 THEN 'praise'
                   WHEN 3 THEN 'purchase_intent' ELSE 'other' END,
       '{}', NULL, '2026-11-01 00:00:00.000000'
FROM posts WHERE id % 50 != 7
"""


def posts_file(n: int, seed: int) -> Path:
    """The generated file of ``n`` canonical posts (shared with import_speed.py)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"posts-{n}-seed{seed}.ndjson"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_canonical_ndjson(partial, n=n, seed=seed)
        partial.rename(path)
    return path


def build(n: int, seed: int) -> tuple[Path, dict[str, Any]]:
    """The cached database and what it holds (brand ids, tokens are made per run)."""
    db = OUT / f"mentions-{n}-seed{seed}.db"
    meta_path = db.with_suffix(".json")
    if db.exists() and meta_path.exists():
        return db, json.loads(meta_path.read_text())
    for stale in OUT.glob(f"{db.name}*"):
        stale.unlink()
    engine = make_engine(Settings(database_url=f"sqlite:///{db}"))
    migrate.upgrade(engine)
    fmt = FormatRegistry.from_plugins(plugin_manager(entry_points=False)).get("ndjson")
    started = time.perf_counter()
    summary = ingest.import_file(engine, posts_file(n, seed), fmt)
    imported = time.perf_counter() - started
    with engine.begin() as conn:
        big, small = workspaces.ensure(conn, "maison"), workspaces.ensure(conn, "petite")
    lumiere = brands.add(engine, Brand(name="Lumière", competitors=["Flamme"]),
                         workspace_id=big)
    flamme = brands.resolve(engine, "Flamme")
    petite = brands.add(engine, Brand(name="Petite"), workspace_id=small)
    raw = sqlite3.connect(db)
    with raw:
        for brand_id, rule in ((lumiere, "id % 5 != 0"), (flamme, "id % 7 = 0"),
                               (petite, "id % 1000 IN (0, 1)")):
            raw.execute(f"INSERT INTO brand_posts (brand_id, post_id, via) "
                        f"SELECT {brand_id}, id, 'query' FROM posts WHERE {rule}")
        raw.execute(ENRICH)
    raw.close()
    engine.dispose()
    meta = {"posts": summary.posts, "import_seconds": round(imported, 1),
            "brands": {"lumiere": lumiere, "flamme": flamme, "petite": petite},
            "workspaces": {"maison": big, "petite": small}}
    meta_path.write_text(json.dumps(meta))
    return db, meta


def people(engine: Any, meta: dict[str, Any]) -> dict[str, dict[str, str]]:
    """An analyst per workspace, with a fresh token (headers by workspace name)."""
    headers = {}
    with engine.begin() as conn:
        for name, workspace_id in meta["workspaces"].items():
            email = f"bench-{name}@example.org"
            found = accounts.find(conn, email)
            user_id = found.id if found else accounts.create_user(
                conn, email, "correct horse battery staple")
            accounts.set_role(conn, user_id, workspace_id, Role.ANALYST)
            _, secret = credentials.create_token(conn, user_id, "bench")
            headers[name] = {"Authorization": f"Bearer {secret}"}
    return headers


def timed(call: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Milliseconds of ``repeat`` calls after two warm-up calls: wall-clock time, and the
    processor time of this process (the app, SQLite and the client; on a busy shared machine
    it is much closer to what an idle machine would take than the wall-clock time)."""
    for _ in range(2):
        call()
    wall, cpu = [], []
    for _ in range(repeat):
        started, used = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return wall, cpu


def scenarios(client: TestClient, meta: dict[str, Any], headers: dict[str, dict[str, str]]
              ) -> dict[str, Callable[[], Any]]:
    """Name -> one request (or ten pages) as a dashboard would make it."""
    big, small = headers["maison"], headers["petite"]
    lumiere, petite = meta["brands"]["lumiere"], meta["brands"]["petite"]
    some_post = client.get("/api/v1/posts", params={"brand_id": lumiere, "limit": 1},
                           headers=big).json()["items"][0]
    author = some_post["author"]["id"]

    def get(path: str, who: dict[str, str], **params: Any) -> Callable[[], Any]:
        def call() -> Any:
            answer = client.get(path, params=params, headers=who)
            assert answer.status_code == 200, answer.text
            return answer
        return call

    def post(path: str, who: dict[str, str], body: dict[str, Any]) -> Callable[[], Any]:
        def call() -> Any:
            answer = client.post(path, json=body, headers=who)
            assert answer.status_code == 200, answer.text
            return answer
        return call

    def ten_pages(who: dict[str, str], **params: Any) -> Callable[[], Any]:
        def call() -> Any:
            cursor = None
            for _ in range(10):
                body = client.get("/api/v1/posts", headers=who, params={
                    **params, **({"cursor": cursor} if cursor else {})}).json()
                cursor = body["next"]
        return call

    posts = "/api/v1/posts"
    return {
        "posts: workspace, newest": get(posts, big),
        "posts: big brand, newest": get(posts, big, brand_id=lumiere),
        "posts: big brand, oldest": get(posts, big, brand_id=lumiere, sort="created_at"),
        "posts: big brand, -engagement": get(posts, big, brand_id=lumiere,
                                             sort="-engagement"),
        "posts: big brand, -sentiment_score": get(posts, big, brand_id=lumiere,
                                                  sort="-sentiment_score"),
        "posts: big brand, sentiment_score": get(posts, big, brand_id=lumiere,
                                                 sort="sentiment_score"),
        "posts: small brand, newest": get(posts, small, brand_id=petite),
        "posts: small brand, -engagement": get(posts, small, brand_id=petite,
                                               sort="-engagement"),
        "posts: negative + instagram": get(posts, big, sentiment="negative",
                                           platform="instagram"),
        "posts: topic + intent": get(posts, big, topic="delivery", intent="complaint"),
        "posts: language en, last 7 days": get(posts, big, language="en",
                                               since="2026-11-08T00:00:00Z"),
        "posts: q common word": get(posts, big, q="livraison"),
        "posts: q rare phrase": get(posts, big, q='"service client" rembours*'),
        "posts: author": get(posts, big, author=str(author)),
        "posts: Boolean query": get(posts, big, query='(livraison OR colis) AND NOT merci'),
        "posts: 500 per page": get(posts, big, limit=500),
        "posts: 10 pages of 50 (per page)": ten_pages(big, brand_id=lumiere),
        "posts: 10 pages, -engagement (per page)": ten_pages(big, sort="-engagement"),
        "post detail": get(f"{posts}/{some_post['id']}", big),
        "authors: -followers": get("/api/v1/authors", big, sort="-followers"),
        "authors: -mentions, last 7 days": get("/api/v1/authors", big,
                                               since="2026-11-08T00:00:00Z"),
        "authors: -mentions, small brand": get("/api/v1/authors", small),
        "author detail": get(f"/api/v1/authors/{author}", big),
        "queries: validate": post("/api/v1/queries/validate", big,
                                  {"query": '("Maison Lumière" OR #lumiere) AND NOT emploi'}),
        "queries: preview": post("/api/v1/queries/preview", big, {
            "query": "(livraison OR colis*) AND NOT merci",
            "workspace_id": meta["workspaces"]["maison"]}),
        "corrections: list": get("/api/v1/corrections", big),
    }


def main() -> None:
    """Build, measure, report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE first")
    parser.add_argument("--only", default="", help="only scenarios containing this text")
    args = parser.parse_args()
    db, meta = build(args.posts, args.seed)
    if args.analyze:
        with sqlite3.connect(db) as raw:
            raw.execute("ANALYZE")
    settings = Settings(database_url=f"sqlite:///{db}", env="test")
    engine = make_engine(settings)
    headers = people(engine, meta)
    client = TestClient(create_app(settings, engine=engine))
    rows = []
    for name, call in scenarios(client, meta, headers).items():
        if args.only not in name:
            continue
        wall, cpu = timed(call, args.repeat)
        row: dict[str, Any] = {"scenario": name}
        for label, times in (("wall", wall), ("cpu", cpu)):
            times = sorted(t / 10 if "10 pages" in name else t for t in times)
            row[f"{label}_p50_ms"] = round(statistics.median(times), 1)
            row[f"{label}_p95_ms"] = round(times[max(0, round(0.95 * len(times)) - 1)], 1)
        rows.append(row)
        print(f"{name:42} wall p50 {row['wall_p50_ms']:7.1f} p95 {row['wall_p95_ms']:7.1f}  "
              f"cpu p50 {row['cpu_p50_ms']:7.1f} p95 {row['cpu_p95_ms']:7.1f} ms"
              f"{'' if row['cpu_p95_ms'] <= TARGET_MS else '   > target'}", flush=True)
    record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "posts": meta["posts"],
              "analyze": args.analyze, "repeat": args.repeat,
              "machine": f"{platform.machine()}, {platform.python_version()}, SQLite "
                         f"{sqlite3.sqlite_version}", "results": rows}
    RESULTS.parent.mkdir(exist_ok=True)
    with RESULTS.open("a") as handle:
        handle.write(json.dumps(record) + "\n")
    engine.dispose()


if __name__ == "__main__":
    main()
