"""Analysts' corrections of a post's labels, for one brand: topic corrections (stored here)
and the list of sentiment and topic corrections together.

Sentiment corrections are stored by :mod:`confiance.store.corrections` (they also feed a
brand's retrained sentiment head). A topic correction records the aspect ids an analyst
added to and removed from a post, and rewrites the post's ``enrichments.topics`` at once
(``made_by["topics"] = "correction"``) and the dashboard rollups of the post.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Connection, and_, insert, or_, select, update

from confiance.core.errors import ConfianceError
from confiance.enrich.aspects import default_aspects
from confiance.store import rollups
from confiance.store.mention_records import aware
from confiance.store.runs import utcnow
from confiance.store.tables import (
    brands,
    enrichments,
    posts,
    sentiment_corrections,
    topic_corrections,
)

TOPIC_ID = re.compile(r"[a-z][a-z0-9_]{0,49}")
"""What a topic (aspect) id looks like: ``delivery``, ``customer_service``."""
MAX_TOPICS = 30
Kind = Literal["sentiment", "topics"]
KINDS: tuple[Kind, ...] = ("sentiment", "topics")
"""In the order of the list among corrections made at the same time (descending)."""


@dataclass(frozen=True)
class TopicChange:
    """A stored topic correction: the topics before and after, and the difference."""

    id: int
    post_id: int
    brand_id: int
    added: list[str]
    removed: list[str]
    topics: list[str]
    corrected_by: str | None
    created_at: datetime


def checked_topics(topics: Sequence[str]) -> list[str]:
    """``topics`` sorted and without repeats; E634 for one that is not an aspect id."""
    for topic in topics:
        if not isinstance(topic, str) or not TOPIC_ID.fullmatch(topic):
            known = ", ".join(a.id for a in default_aspects())
            raise ConfianceError("E634", topic=str(topic)[:60], known=known)
    if len(set(topics)) > MAX_TOPICS:
        raise ConfianceError("E634", topic=f"{len(topics)} topics",
                             known=f"at most {MAX_TOPICS}")
    return sorted(set(topics))


def current_topics(conn: Connection, post_id: int) -> list[str]:
    """The topics enrichment stored for a post; E635 when it has not been enriched."""
    stored = conn.execute(select(enrichments.c.topics).where(
        enrichments.c.post_id == post_id)).first()
    if stored is None:
        raise ConfianceError("E635", post=post_id)
    return list(stored.topics or [])


def correct_topics(conn: Connection, post_id: int, brand_id: int, topics: Sequence[str], *,
                   corrected_by: str | None = None) -> TopicChange | None:
    """Make the post's topics ``topics`` (E634, E635), recording what changed for the brand;
    ``None`` when they were already so (nothing is written)."""
    wanted = checked_topics(topics)
    before = current_topics(conn, post_id)
    added = sorted(set(wanted) - set(before))
    removed = sorted(set(before) - set(wanted))
    if not added and not removed:
        return None
    now = utcnow()
    new_id = conn.execute(insert(topic_corrections).values(
        post_id=post_id, brand_id=brand_id, added=added, removed=removed,
        corrected_by=corrected_by, created_at=now).returning(topic_corrections.c.id)
    ).scalar_one()
    made_by = conn.execute(select(enrichments.c.made_by).where(
        enrichments.c.post_id == post_id)).scalar_one()
    conn.execute(update(enrichments).where(enrichments.c.post_id == post_id).values(
        topics=wanted, made_by={**(made_by or {}), "topics": "correction"}))
    rollups.refresh(conn, [post_id])  # the dashboard counts topics
    return TopicChange(int(new_id), post_id, brand_id, added, removed, wanted, corrected_by,
                       now)


# --- listing both kinds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A sentiment or topic correction as lists show it."""

    kind: Kind
    id: int
    post_id: int | None
    post: str | None
    brand_id: int | None
    brand: str | None
    text: str | None
    label: str | None
    previous: str | None
    added: list[str]
    removed: list[str]
    corrected_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class Mark:
    """Where a page of corrections stopped."""

    created_at: datetime
    kind: Kind
    id: int


def _before(table: Any, kind: Kind, mark: Mark) -> ColumnElement[bool]:
    """Rows of ``table`` (all of ``kind``) after ``mark`` in the order (created_at, kind,
    id), all descending."""
    at: ColumnElement[datetime] = table.c.created_at
    rank, last = KINDS.index(kind), KINDS.index(mark.kind)
    if rank < last:
        return at <= mark.created_at
    if rank > last:
        return at < mark.created_at
    return or_(at < mark.created_at, and_(at == mark.created_at, table.c.id < mark.id))


def list_corrections(conn: Connection, brand_ids: Collection[int], *,
                     kind: Kind | None = None, post_id: int | None = None,
                     after: Mark | None = None, limit: int = 50) -> list[Entry]:
    """Up to ``limit`` corrections for ``brand_ids``, newest first (then by kind and id),
    after ``after``; only one ``kind`` or one post when given."""
    if not brand_ids:
        return []
    scope = sorted(brand_ids)
    found: list[Entry] = []
    if kind in (None, "sentiment"):
        table = sentiment_corrections
        query = (select(table, posts.c.platform, posts.c.platform_id, brands.c.name)
                 .outerjoin(posts, posts.c.id == table.c.post_id)
                 .join(brands, brands.c.id == table.c.brand_id)
                 .where(table.c.brand_id.in_(scope)))
        query = _narrowed(query, table, "sentiment", post_id, after, limit)
        found += [Entry("sentiment", int(r.id), r.post_id, _ref(r), r.brand_id, r.name, r.text,
                        r.label, r.previous, [], [], r.corrected_by, aware(r.created_at))
                  for r in conn.execute(query)]
    if kind in (None, "topics"):
        table = topic_corrections
        query = (select(table, posts.c.platform, posts.c.platform_id, posts.c.text,
                        brands.c.name)
                 .join(posts, posts.c.id == table.c.post_id)
                 .join(brands, brands.c.id == table.c.brand_id)
                 .where(table.c.brand_id.in_(scope)))
        query = _narrowed(query, table, "topics", post_id, after, limit)
        found += [Entry("topics", int(r.id), r.post_id, _ref(r), r.brand_id, r.name, r.text,
                        None, None, list(r.added), list(r.removed), r.corrected_by,
                        aware(r.created_at))
                  for r in conn.execute(query)]
    found.sort(key=lambda e: (e.created_at, KINDS.index(e.kind), e.id), reverse=True)
    return found[:limit]


def _narrowed(query: Any, table: Any, kind: Kind, post_id: int | None, after: Mark | None,
              limit: int) -> Any:
    if post_id is not None:
        query = query.where(table.c.post_id == post_id)
    if after is not None:
        query = query.where(_before(table, kind, after))
    return query.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)


def _ref(row: Any) -> str | None:
    return f"{row.platform}:{row.platform_id}" if row.platform else None
