"""Canonical records: one ``Post`` and one ``Author`` shape for every platform.

A field a source did not provide stays ``None`` (or an empty list for collections that the
platform documents as always present but that can be empty). Nothing is invented: a parser
that cannot find a required field rejects the item with a reason instead.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Platform(StrEnum):
    """Where a post or author comes from."""

    X = "x"
    INSTAGRAM = "instagram"
    FACEBOOK = "facebook"
    YOUTUBE = "youtube"
    REDDIT = "reddit"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    TIKTOK = "tiktok"
    TRUSTPILOT = "trustpilot"
    GOOGLE = "google"
    APPSTORE = "appstore"
    GOOGLEPLAY = "googleplay"
    WEB = "web"  # blogs, press, RSS / Atom feeds
    OTHER = "other"  # surveys, call-centre exports, anything mapped by hand


class PostKind(StrEnum):
    """What a post is in its thread."""

    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"
    REVIEW = "review"
    STORY = "story"


class MediaType(StrEnum):
    """The kind of a media attachment."""

    IMAGE = "image"
    VIDEO = "video"
    GIF = "gif"
    AUDIO = "audio"
    OTHER = "other"


class SourceKind(StrEnum):
    """How a source delivers items."""

    FILE = "file"
    API = "api"
    WEBHOOK = "webhook"


COUNT_MAX = 2**63 - 1
"""Counts above this fit no database integer: such a value is an error, not a count."""


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=False)


class Media(_Record):
    """A media attachment of a post."""

    url: str | None = None
    type: MediaType = MediaType.OTHER
    width: int | None = Field(default=None, ge=0)
    height: int | None = Field(default=None, ge=0)
    duration_s: float | None = Field(default=None, ge=0)
    alt_text: str | None = None


class Metrics(_Record):
    """Engagement counters as reported by the platform at collection time."""

    likes: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    comments: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    shares: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    views: int | None = Field(default=None, ge=0, le=COUNT_MAX)


class Author(_Record):
    """Who wrote a post, as seen on one platform."""

    platform: Platform
    platform_id: str = Field(min_length=1, max_length=200)
    handle: str | None = None
    display_name: str | None = None
    followers: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    following: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    post_count: int | None = Field(default=None, ge=0, le=COUNT_MAX)
    verified: bool | None = None
    bio: str | None = None
    location: str | None = None
    url: str | None = None


def aware_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive time is taken as UTC, as platforms document."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


class Post(_Record):
    """One post, comment, reply, review or story, whatever platform it comes from."""

    platform: Platform
    platform_id: str = Field(min_length=1, max_length=200)
    kind: PostKind = PostKind.POST
    url: str | None = None
    author: Author | None = None
    text: str | None = None
    title: str | None = None
    language: str | None = Field(default=None, max_length=16)
    created_at: datetime | None = None
    parent_id: str | None = None
    rating: float | None = Field(default=None, ge=0, le=10)
    media: list[Media] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    mentions: list[str] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=Metrics)
    raw: dict[str, Any] | None = None

    @field_validator("created_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else aware_utc(value)


class Rejected(_Record):
    """An item a parser could not map: quarantined with its reason, never dropped."""

    reason: str
    code: str = "E201"
    position: str | None = None
    raw: Any = None


class Brand(_Record):
    """A brand the team listens for, with its query, hashtags and competitors."""

    name: str = Field(min_length=1, max_length=200)
    query: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)


class Source(_Record):
    """Where items come from: an imported file, a polled API or a webhook."""

    name: str = Field(min_length=1, max_length=500)
    format: str
    kind: SourceKind = SourceKind.FILE
    config: dict[str, Any] = Field(default_factory=dict)
