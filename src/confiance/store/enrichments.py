"""Reading posts that await enrichment, and storing what enrichment wrote.

The brands a post matches (``brand_matches``, from :mod:`confiance.enrich.brands`) are not an
``enrichments`` column: they become ``brand_posts`` rows with ``via='query'``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    delete,
    func,
    insert,
    or_,
    select,
)

from confiance.domain.records import aware_utc
from confiance.enrich.component import Doc
from confiance.store import brands, rollups
from confiance.store.runs import utcnow
from confiance.store.tables import brand_posts, enrichments, posts

COLUMNS = ("language", "language_confidence", "sentiment", "sentiment_score",
           "sentiment_confidence", "topics", "toxicity", "flags", "intent")
"""Enrichment values stored as columns; a value no component wrote stays NULL."""
PROVENANCE = frozenset((*COLUMNS, "brand_matches"))
"""Values whose maker ``made_by`` records: what is stored (run-only values such as the
embedding are left out)."""


def _pending(since: datetime | None, brand_id: int | None,
             enriched_before: datetime | None = None) -> Select[Any]:
    """Posts without enrichment, and with ``enriched_before`` those enriched before it."""
    waiting: ColumnElement[bool] = enrichments.c.post_id.is_(None)
    if enriched_before is not None:
        waiting = or_(waiting, enrichments.c.enriched_at < aware_utc(enriched_before))
    query = (select(posts.c.id, posts.c.platform, posts.c.platform_id, posts.c.kind,
                    posts.c.text, posts.c.title, posts.c.language, posts.c.hashtags,
                    posts.c.mentions)
             .outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
             .where(waiting))
    if since is not None:
        query = query.where(posts.c.created_at >= since)
    if brand_id is not None:
        query = query.where(posts.c.id.in_(
            select(brand_posts.c.post_id).where(brand_posts.c.brand_id == brand_id)))
    return query


def count_pending(engine: Engine, *, since: datetime | None = None,
                  brand_id: int | None = None, enriched_before: datetime | None = None) -> int:
    """How many posts have not been enriched yet (or were, before ``enriched_before``)."""
    query = select(func.count()).select_from(
        _pending(since, brand_id, enriched_before).subquery())
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def pending(engine: Engine, *, since: datetime | None = None, brand_id: int | None = None,
            batch_size: int = 1000, enriched_before: datetime | None = None
            ) -> Iterator[list[tuple[int, Doc]]]:
    """Posts not yet enriched (or enriched before ``enriched_before``), in batches of (post
    id, doc), in id order (keyset paging)."""
    last = 0
    while True:
        query = (_pending(since, brand_id, enriched_before).where(posts.c.id > last)
                 .order_by(posts.c.id).limit(batch_size))
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        yield [(row.id, _doc(row)) for row in rows]
        last = rows[-1].id


def _doc(row: Any) -> Doc:
    return Doc(key=(row.platform, row.platform_id), text=row.text or "", title=row.title,
               platform=row.platform, kind=row.kind, language=row.language,
               hashtags=list(row.hashtags or []), mentions=list(row.mentions or []))


def stored(conn: Connection, *, after: int = 0, limit: int = 1000) -> list[tuple[int, Doc]]:
    """Up to ``limit`` stored posts with an id above ``after``, enriched or not, as (post id,
    doc) in id order (keyset paging), for re-running one component. A doc has the language
    enrichment detected, if any, in ``values["language"]``, as the pipeline would."""
    query = (select(posts.c.id, posts.c.platform, posts.c.platform_id, posts.c.kind,
                    posts.c.text, posts.c.title, posts.c.language, posts.c.hashtags,
                    posts.c.mentions, enrichments.c.language.label("detected"))
             .outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
             .where(posts.c.id > after).order_by(posts.c.id).limit(limit))
    found = []
    for row in conn.execute(query):
        doc = _doc(row)
        if row.detected is not None:
            doc.values["language"] = row.detected
        found.append((int(row.id), doc))
    return found


def _keep_corrections(conn: Connection, results: Sequence[tuple[int, Doc, Any]],
                      ids: list[int]) -> None:
    """Carry the values an analyst corrected (``made_by = "correction"``) over into the docs
    that are about to replace a post's enrichment: enriching again never undoes them."""
    corrected = conn.execute(select(enrichments).where(enrichments.c.post_id.in_(ids))).all()
    if not corrected:
        return
    by_id = {row.post_id: row for row in corrected}
    for post_id, doc, _ in results:
        row = by_id.get(post_id)
        made_by = (row.made_by or {}) if row is not None else {}
        for key, maker in made_by.items():
            if maker == "correction" and key in COLUMNS:
                doc.values[key] = getattr(row, key)
                doc.made_by[key] = "correction"
        if made_by.get("sentiment") == "correction":  # corrected before confidence was kept
            doc.values["sentiment_confidence"] = 1.0
            doc.made_by["sentiment_confidence"] = "correction"


def count_stored(engine: Engine) -> int:
    """How many posts are stored."""
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(posts)).scalar_one())


def save(conn: Connection, results: Sequence[tuple[int, Doc, list[dict[str, str]]]], *,
         brand_ids: Mapping[str, int] | None = None) -> None:
    """Store (post id, enriched doc, errors) rows, replacing earlier results of those posts;
    the values an analyst corrected in those results are kept.

    For a doc with ``brand_matches`` (brand names), the post's ``via='query'`` attachments
    are replaced by those brands (``via='import'`` ones stay); ``brand_ids`` maps the names
    to ids (``BrandMatcher.ids``), else they are looked up. A doc without the value (no
    brand matcher ran, or it failed on the post) keeps its attachments as they are. The
    dashboard rollups of those posts are refreshed in the same transaction.
    """
    if not results:
        return
    now = utcnow()
    post_ids = [r[0] for r in results]
    _keep_corrections(conn, results, post_ids)
    conn.execute(delete(enrichments).where(enrichments.c.post_id.in_(post_ids)))
    conn.execute(insert(enrichments), [
        {"post_id": post_id, **{c: doc.values.get(c) for c in COLUMNS},
         "made_by": {k: v for k, v in doc.made_by.items() if k in PROVENANCE},
         "errors": errors or None, "enriched_at": now}
        for post_id, doc, errors in results
    ])
    matched = {post_id: doc.values["brand_matches"] for post_id, doc, _ in results
               if "brand_matches" in doc.values}
    if matched:
        ids = brand_ids if brand_ids is not None else brands.ids_by_name(
            conn, (name for names in matched.values() for name in names))
        brands.replace_query_matches(conn, {
            post_id: {ids[name] for name in names if name in ids}
            for post_id, names in matched.items()}, refresh_rollups=False)
    rollups.refresh(conn, (post_id for post_id, _, _ in results))
