"""Canonical records to database rows, in the column order the bulk writers use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson

from confiance.domain import Author, Post

TimeFn = Callable[[datetime | None], Any]

POST_COLUMNS = (
    "platform", "platform_id", "kind", "url", "author_id", "text", "title", "language",
    "created_at", "parent_id", "rating", "media", "hashtags", "mentions", "likes", "comments",
    "shares", "views", "raw", "source_id", "imported_at", "updated_at",
)
POST_UPDATABLE = (
    "kind", "url", "author_id", "text", "title", "language", "created_at", "parent_id", "rating",
    "likes", "comments", "shares", "views", "raw", "source_id",
)
"""Columns a re-import refreshes; a value the new payload lacks keeps the stored one."""
POST_REPLACED = ("media", "hashtags", "mentions", "updated_at")
"""Columns a re-import replaces as they are (lists are always present, possibly empty)."""

AUTHOR_COLUMNS = (
    "platform", "platform_id", "handle", "display_name", "followers", "following", "post_count",
    "verified", "bio", "location", "url", "first_seen_at", "updated_at",
)
AUTHOR_UPDATABLE = (
    "handle", "display_name", "followers", "following", "post_count", "verified", "bio",
    "location", "url",
)


def sqlite_time(value: datetime | None) -> str | None:
    """The text SQLAlchemy's SQLite DateTime type stores (UTC, no offset)."""
    if value is None:
        return None
    return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def iso_time(value: datetime | None) -> str | None:
    """ISO 8601 with the offset, as PostgreSQL's COPY reads a timestamptz."""
    return None if value is None else value.isoformat()


def _json(value: Any) -> str:
    return orjson.dumps(value).decode() if value else "[]"


def post_row(post: Post, *, source_id: int, now: Any, time: TimeFn) -> tuple[Any, ...]:
    """One row of ``posts`` in ``POST_COLUMNS`` order (the hot path of every import)."""
    metrics = post.metrics
    author = post.author
    media = post.media
    return (
        post.platform._value_, post.platform_id, post.kind._value_, post.url,
        author.platform_id if author is not None else None,
        post.text, post.title, post.language, time(post.created_at), post.parent_id,
        post.rating,
        _json([m.model_dump(mode="json", exclude_none=True) for m in media]) if media else "[]",
        _json(post.hashtags), _json(post.mentions),
        metrics.likes, metrics.comments, metrics.shares, metrics.views,
        None if post.raw is None else orjson.dumps(post.raw).decode(),
        source_id, now, now,
    )


def author_row(author: Author, *, now: Any) -> tuple[Any, ...]:
    """One row of ``authors`` in ``AUTHOR_COLUMNS`` order."""
    return (
        author.platform._value_, author.platform_id, author.handle, author.display_name,
        author.followers, author.following, author.post_count, author.verified, author.bio,
        author.location, author.url, now, now,
    )
