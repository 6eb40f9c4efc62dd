"""A small, deterministic set of mentions for the store and web tests of the mentions API.

Two brands in two workspaces: brand ``a`` (say Acme) and brand ``b`` (Globex). Posts
``a0``..``a29`` belong to ``a`` only, ``b0``..``b5`` to ``b`` only, ``s0``..``s3`` to both.
Dates, engagement and scores have ties and gaps (no date, no metrics, not enriched) so that
every sort order and its keyset paging meet them. A thread: ``a0`` is a post, ``a1`` replies to
it, ``b0`` (globex only) replies to it too, and ``a2`` replies to ``a1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import Engine

from confiance.domain import Author, Metrics, Platform, Post, PostKind
from confiance.enrich.component import Doc
from confiance.store import enrichments, ingest, rollups
from confiance.store.tables import brand_posts, posts

START = datetime(2026, 10, 1, 8, tzinfo=UTC)
TOPICS = ["delivery", "price", "quality", "customer_service"]
SENTIMENTS = ["positive", "neutral", "negative"]
INTENTS = ["complaint", "question", "praise", "other"]
WORDS = ["bougie parfumée", "Lumière du matin", "livraison rapide", "colis perdu",
         "très belle odeur", "service client", "=SUM(A1:A9)", "@lea merci"]

AUTHORS = {
    "lea": Author(platform=Platform.X, platform_id="u1", handle="lea", display_name="Léa",
                  followers=1200),
    "marc": Author(platform=Platform.X, platform_id="u2", handle="marc", followers=50),
    "zoe": Author(platform=Platform.INSTAGRAM, platform_id="u3", handle="zoe",
                  display_name="Zoé", followers=98000),
    "tom": Author(platform=Platform.X, platform_id="u4", handle="tom", followers=None),
    "globexfan": Author(platform=Platform.X, platform_id="u9", handle="globexfan",
                        display_name="Only Globex", followers=5000),
}


@dataclass
class Seeded:
    """Ids of what :func:`seed` stored."""

    ids: dict[str, int]
    """Post key (``a0``, ``b3``, ``s1``...) -> store id."""
    a: set[str]
    """Keys of the posts brand ``a`` sees."""
    b: set[str]
    """Keys of the posts brand ``b`` sees."""


def _post(key: str, i: int) -> Post:
    platform = Platform.INSTAGRAM if i % 5 == 3 else Platform.X
    author = AUTHORS["zoe"] if platform is Platform.INSTAGRAM else \
        AUTHORS["globexfan"] if key.startswith("b") else \
        [AUTHORS["lea"], AUTHORS["marc"], AUTHORS["tom"]][i % 3]
    created = None if i in (7, 19) else START + timedelta(hours=i // 2)  # pairs share a time
    metrics = Metrics() if i % 9 == 4 else Metrics(likes=i % 4, comments=i % 3, shares=1)
    parent = {"a1": "a0", "b0": "a0", "a2": "a1"}.get(key)
    return Post(platform=platform, platform_id=key, kind=PostKind.REPLY if parent else
                PostKind.POST, url=f"https://example.org/{key}", author=author,
                text=f"{WORDS[i % len(WORDS)]} n°{i} {key}",
                title="Avis Lumière" if i % 6 == 0 else None,
                language="fr" if i % 4 else "en", created_at=created,
                parent_id=parent, metrics=metrics, hashtags=["lumiere"] if i % 2 else [])


def seed(engine: Engine, brand_a: int, brand_b: int) -> Seeded:
    """Store the posts, attach them to the brands, enrich most of them."""
    keys = [f"a{i}" for i in range(30)] + [f"b{i}" for i in range(6)] + \
        [f"s{i}" for i in range(4)]
    items = [_post(key, i) for i, key in enumerate(keys)]
    ingest.ingest(engine, items, source="mentions-test", format="test")
    with engine.begin() as conn:
        ids = {row.platform_id: int(row.id) for row in
               conn.execute(sa.select(posts.c.platform_id, posts.c.id))}
        rows = []
        for key in keys:
            if key[0] in "as":
                rows.append({"brand_id": brand_a, "post_id": ids[key],
                             "via": "query" if key[0] == "a" else "import"})
            if key[0] in "bs":
                rows.append({"brand_id": brand_b, "post_id": ids[key], "via": "query"})
        conn.execute(sa.insert(brand_posts), rows)
        rollups.refresh(conn, ids.values())  # as every attachment does (brands.attach)
        results: list[tuple[int, Doc, list[dict[str, str]]]] = []
        for i, key in enumerate(keys):
            if i % 8 == 5:
                continue  # not enriched yet
            doc = Doc(key=("x", key), text="")
            doc.set("sentiment", SENTIMENTS[i % 3], "confiance.sentiment.v1")
            doc.set("sentiment_score", round(((i * 7) % 11 - 5) / 5, 2),
                    "confiance.sentiment.v1")
            if i % 6 != 1:  # else enriched before confidence was stored: NULL
                doc.set("sentiment_confidence", round(0.35 + (i * 5) % 7 / 10, 2),
                        "confiance.sentiment.v1")
            doc.set("topics", sorted({TOPICS[i % 4], TOPICS[i % 3]}), "confiance.aspects.v1")
            doc.set("intent", INTENTS[i % 4], "confiance.intent.v1")
            doc.set("language", "fr" if i % 4 else "en", "platform")
            doc.set("toxicity", 0.01 * (i % 5), "confiance.moderation.v1")
            doc.set("flags", ["spam"] if i % 10 == 9 else [], "confiance.moderation.v1")
            results.append((ids[key], doc, []))
        enrichments.save(conn, results)
    return Seeded(ids=ids, a={k for k in keys if k[0] in "as"},
                  b={k for k in keys if k[0] in "bs"})
