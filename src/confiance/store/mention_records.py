"""The records of the mentions list: what is asked (:class:`Filters`, :class:`Sort`), where a
page stopped (:class:`Position`) and what comes back (:class:`Mention` and its parts,
:class:`MentionPage`). :mod:`confiance.store.mentions` reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement

from confiance.store.tables import engagement, enrichments, posts

ENGAGEMENT = engagement(posts.c.likes, posts.c.comments, posts.c.shares)
"""Likes + comments + shares, as ``ix_posts_engagement`` indexes it."""


class Sort(StrEnum):
    """Orders of a list of mentions (``-``: descending)."""

    NEWEST = "-created_at"
    OLDEST = "created_at"
    ENGAGEMENT = "-engagement"
    MOST_POSITIVE = "-sentiment_score"
    MOST_NEGATIVE = "sentiment_score"
    LEAST_CERTAIN = "sentiment_confidence"
    """The sentiment labels the model was least sure of first (to review and correct)."""

    @property
    def descending(self) -> bool:
        """Whether larger values come first."""
        return self.value.startswith("-")

    @property
    def key(self) -> ColumnElement[Any]:
        """The sort value."""
        name = self.value.lstrip("-")
        if name == "created_at":
            return posts.c.created_at
        if name == "engagement":
            return ENGAGEMENT
        if name == "sentiment_confidence":
            return enrichments.c.sentiment_confidence
        return enrichments.c.sentiment_score

    @property
    def enriched(self) -> bool:
        """Whether the sort value is enrichment's (a post not analysed yet has none)."""
        return self.value.lstrip("-").startswith("sentiment_")

    @property
    def nullable(self) -> bool:
        """Whether some posts have no sort value (they come last)."""
        return self is not Sort.ENGAGEMENT


@dataclass(frozen=True)
class Filters:
    """Which mentions to list. ``brand_ids`` is the scope (never empty for a result):
    posts attached to any of them. ``since`` is inclusive, ``until`` exclusive."""

    brand_ids: tuple[int, ...]
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None
    language: str | None = None
    sentiment: str | None = None
    topic: str | None = None
    intent: str | None = None
    q: str | None = None
    author: str | None = None
    query: str | None = None


@dataclass(frozen=True)
class Position:
    """Where a page stopped: the sort value and id of the last post read (``value`` None:
    among the posts without a sort value)."""

    value: datetime | float | int | None
    id: int


@dataclass(frozen=True)
class AuthorRef:
    """The author of a mention, as lists show it."""

    id: int | None
    platform_id: str
    handle: str | None
    name: str | None
    followers: int | None


@dataclass(frozen=True)
class Enrichment:
    """What enrichment (or an analyst) said about a post."""

    sentiment: str | None
    sentiment_score: float | None
    sentiment_confidence: float | None
    topics: list[str]
    toxicity: float | None
    flags: list[str]
    intent: str | None
    made_by: dict[str, str]


@dataclass(frozen=True)
class BrandLink:
    """A brand a post is attached to, and how (``import`` or ``query``)."""

    id: int
    name: str
    via: str


@dataclass
class Mention:
    """A post as the mentions list shows it."""

    id: int
    platform: str
    platform_id: str
    url: str | None
    kind: str
    text: str | None
    title: str | None
    created_at: datetime | None
    language: str | None
    rating: float | None
    parent_id: str | None
    hashtags: list[str]
    mentions: list[str]
    author: AuthorRef | None
    likes: int | None
    comments: int | None
    shares: int | None
    views: int | None
    engagement: int
    enrichment: Enrichment | None
    brands: list[BrandLink] = field(default_factory=list)


@dataclass
class MentionPage:
    """One page: the mentions, where to go on from (``None``: the end), candidates read."""

    items: list[Mention]
    next: Position | None
    scanned: int


def utc(value: datetime | None) -> datetime | None:
    """``value`` aware and in UTC (SQLite gives naive UTC times back)."""
    return None if value is None else aware(value)


def aware(value: datetime) -> datetime:
    """``value`` aware and in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
