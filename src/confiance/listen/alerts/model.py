"""The records the alert detectors read and write, shared by the engine, the store and notifiers.

An :class:`Observation` is one enriched post as the detectors see it; a :class:`Signal` is one
firing of one detector at one moment. The lifecycle (``confiance.store.alerts``) merges the
signals of one episode (same brand, detector, scope and subject) into one alert.
Times are UTC epoch seconds (floats): replays run in simulated time, so nothing here reads
the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Detector(StrEnum):
    """The detectors, by the name stored with every alert."""

    VOLUME = "volume"
    NEGATIVE_SHARE = "negative_share"
    EMERGING_TERM = "emerging_term"
    HIGH_REACH = "high_reach"
    RISK_TERM = "risk_term"
    SOURCE_HEALTH = "source_health"
    """Not a detector of posts: a listened source that keeps failing or whose token was
    refused (scope ``source:<name>``, subject the kind of trouble)."""


ALL_SCOPE = "all"
"""The scope of a signal computed over every platform; per-platform scopes are
``platform:<name>`` (``platform:x``, ``platform:instagram``)."""


@dataclass(frozen=True, slots=True)
class Observation:
    """One enriched post, reduced to what the detectors read."""

    key: str
    """The post's identity, ``platform:platform_id``."""
    at: float
    """Creation time, UTC epoch seconds."""
    platform: str
    sentiment: str | None
    """``positive``, ``neutral`` or ``negative``; ``None`` when not enriched."""
    text: str = ""
    hashtags: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    author: str | None = None
    """The author's handle (or platform id when it has no handle)."""
    followers: int | None = None
    engagement: int = 0
    """Likes + comments + shares (views are not counted)."""
    url: str | None = None
    post_id: int | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A post that drove a signal, with enough to judge it without opening anything else."""

    key: str
    at: float
    platform: str
    sentiment: str | None
    excerpt: str
    author: str | None
    followers: int | None
    engagement: int
    url: str | None = None
    post_id: int | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """One firing of a detector: what it saw against what it expected, and why."""

    detector: Detector
    scope: str
    """``all`` or ``platform:<name>``."""
    subject: str | None
    """The term of an emerging-term signal, the post key of a high-reach one, else None."""
    severity: int
    """1 (worth a look) to 5 (act now)."""
    window_start: float
    window_end: float
    observed: float
    expected: float
    """The baseline for the same window (a count, a share or a reach, as ``unit`` says)."""
    unit: str
    """``posts``, ``share``, ``mentions`` or ``followers``."""
    score: float
    """The detector's evidence, larger is stronger (for instance -log10 of a p-value)."""
    top_terms: tuple[tuple[str, int], ...] = ()
    top_posts: tuple[Evidence, ...] = ()
    top_authors: tuple[tuple[str, int], ...] = ()
    """(author, posts in the window) for the authors who posted most in the window."""
    details: dict[str, float] = field(default_factory=dict)
    """Detector-specific figures (window length, negative count, ...), for the explanation."""

    @property
    def episode_key(self) -> str:
        """Signals with the same key (within one brand) belong to the same episode."""
        return f"{self.detector}|{self.scope}|{self.subject or ''}"
