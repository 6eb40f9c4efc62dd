"""The typed blocks of a brand's dashboard Overview, as :mod:`confiance.store.dashboard`
computes them and the API answers them (each field's docstring is its description in the
OpenAPI document)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

Granularity = Literal["hour", "day", "week"]
GranularityChoice = Literal["auto", "hour", "day", "week"]


def net_sentiment(positive: int, negative: int) -> float | None:
    """(positive - negative) / (positive + negative) x 100, one decimal."""
    return (round(100 * (positive - negative) / (positive + negative), 1)
            if positive + negative else None)


class Model(BaseModel):
    """Frozen, with each field's docstring as its description in the OpenAPI document."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)


class Period(Model):
    """A run of whole UTC days, both ends included."""

    since: date
    """First day (UTC)."""
    until: date
    """Last day (UTC), included."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def days(self) -> int:
        """Number of days."""
        return (self.until - self.since).days + 1

    @property
    def start(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.since, time(), UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.until + timedelta(days=1), time(), UTC)

    def previous(self) -> Period:
        """The period of the same length that ends the day before this one starts."""
        return Period(since=self.since - timedelta(days=self.days),
                      until=self.since - timedelta(days=1))


class Count(Model):
    """A count in the period, the same count in the previous period, and the change."""

    value: int
    """In the period."""
    previous: int | None = None
    """In the previous period (null when not compared)."""
    change_pct: float | None = None
    """(value - previous) / previous, in percent, one decimal; null when not compared or
    when previous is 0."""


class Score(Model):
    """A score (or share) in the period and the previous one; the change is in points."""

    value: float | None
    """In the period (null: nothing to compute it from)."""
    previous: float | None = None
    """In the previous period."""
    change_points: float | None = None
    """value - previous, in points."""


class Sentiment(Model):
    """Posts by sentiment and the net sentiment."""

    positive: int = 0
    neutral: int = 0
    negative: int = 0
    unknown: int = 0
    """Posts without a sentiment (not enriched yet)."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def net(self) -> float | None:
        """(positive - negative) / (positive + negative) x 100, from -100 to 100; null when
        no post is positive or negative."""
        return net_sentiment(self.positive, self.negative)


class Totals(Model):
    """The headline numbers of the period, compared with the previous period."""

    posts: Count
    """Posts attached to the brand."""
    engagement: Count
    """Likes + comments + shares of those posts (views are not counted)."""
    net_sentiment: Score
    """See ``sentiment.net``."""
    sentiment: Sentiment
    """Posts by sentiment in the period."""
    previous_sentiment: Sentiment | None
    """Posts by sentiment in the previous period (null when not compared)."""


class VolumePoint(Model):
    """One bucket of the volume series."""

    start: datetime
    """Where the bucket starts (UTC); the first and last weeks count only days inside the
    period."""
    posts: int
    engagement: int
    positive: int
    neutral: int
    negative: int
    unknown: int


class Volume(Model):
    """Posts over time by sentiment, every bucket of the period present (zeros included)."""

    granularity: Granularity
    """hour, day or week (weeks start on Monday)."""
    points: list[VolumePoint]


class Voice(Model):
    """One brand's share of the posts of the brand and its competitors."""

    brand_id: int
    name: str
    own: bool
    """True for the brand itself, false for a competitor."""
    posts: int
    engagement: int
    share: Score
    """Share of the posts, in percent (change in points)."""
    engagement_share: float | None
    """Share of the engagement, in percent."""


class ShareOfVoice(Model):
    """The brand and the brands whose ``competitor_of`` is the brand."""

    brands: list[Voice]


class Slice(Model):
    """Posts of one platform or one language, by sentiment."""

    key: str | None
    """The platform, or the language's primary subtag (null: unknown language)."""
    posts: int
    sentiment: Sentiment


class Breakdown(Model):
    """Sentiment by platform and by language, largest first."""

    by_platform: list[Slice]
    by_language: list[Slice]


class TopicTrend(Model):
    """A topic (aspect id), its posts compared with the previous period, its sentiment."""

    topic: str
    posts: Count
    sentiment: Sentiment


class Topics(Model):
    """The topics most talked about in the period."""

    items: list[TopicTrend]


class TopAuthor(Model):
    """An author and how many of the period's posts they wrote."""

    platform: str
    author_id: str
    """The author's id on the platform."""
    handle: str | None
    name: str | None
    followers: int | None
    url: str | None
    mentions: int
    """Posts of the period by this author."""


class TopAuthors(Model):
    """The authors of the most posts in the period."""

    authors: int
    """Distinct authors in the period."""
    items: list[TopAuthor]


class TopPost(Model):
    """A post of the period with its engagement."""

    id: int
    platform: str
    platform_id: str
    url: str | None
    excerpt: str
    """The text (or title), at most 280 characters."""
    created_at: datetime
    author: str | None
    """The author's handle, or platform id."""
    likes: int | None
    comments: int | None
    shares: int | None
    engagement: int
    sentiment: str | None


class TopPosts(Model):
    """The posts of the period with the most engagement."""

    items: list[TopPost]


class Overview(Model):
    """Every block of a brand's Overview for one period."""

    brand_id: int
    brand: str
    time_zone: Literal["UTC"] = "UTC"
    """Days and hours are UTC."""
    period: Period
    previous_period: Period | None
    """Null when not compared."""
    totals: Totals
    volume: Volume
    share_of_voice: ShareOfVoice
    breakdown: Breakdown
    topics: Topics
    top_authors: TopAuthors
    top_posts: TopPosts
