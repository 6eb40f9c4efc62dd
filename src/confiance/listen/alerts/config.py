"""The thresholds of the crisis-alert detectors, with their defaults and why.

Every setting of :class:`DetectorConfig` has a default chosen on the demo storyline and the
crisis scenarios of :mod:`confiance.demo.scenarios` (seeds 1, 2, 3 and 7: the price backlash
is signalled within 5 minutes of its start, a viral post within one, and about one false
alarm every five weeks is raised outside the labelled episodes; see
:mod:`confiance.listen.alerts.detectors`) and on synthetic streams (steady, seasonal ramp,
backlash, happy wave, spammer: ``tests/listen/alerts``). A brand can change any of them by name with
:meth:`DetectorConfig.with_overrides`; a wrong name or value raises ``E701``.

Windows are in minutes and end at the engine's current time. Per-window settings
(``volume_min_posts``, ``volume_min_ratio``) hold one value per entry of ``windows``.
Scores are ``-log10`` of an upper-tail p-value: 5 means "one chance in 100,000 under the
baseline". Each detector is tested on many scopes and windows every minute, so thresholds
are far stricter than the usual 0.05 (``-log10 0.05 = 1.3``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confiance.core.errors import ConfianceError

MAX_WORDS = 1000
"""Longest list of risk terms."""
WORD_LISTS = frozenset({"risk_terms", "extra_risk_terms", "ignored_risk_terms"})
"""The settings that are lists of words (the others are numbers, a flag or a zone)."""

MAX_WINDOW_MINUTES = 1440
"""Windows are at most a day: the hourly baseline rates are kept for the last 24 hours."""


RISK_TERMS: tuple[str, ...] = (
    # French
    "boycott*", "scandal*", "toxi*", "danger*", "explos*", "incendi*", "brulure*", "bless*",
    "plainte*", "proces", "dgccrf", "arnaque*", "escroc*", "escroquerie*", "mensonge*",
    "menteu*", "greenwashing", "racis*", "discrimin*", "harcel*", "piratage", "rappel-conso",
    # English
    "recall*", "lawsuit*", "poison*", "injur*", "scam*", "fraud*", "liar*", "hacked",
    "toxic*", "racist*", "harass*",
)
"""The default risk terms (see ``risk_terms``): what a brand team would not want to read
next to its name. Brands add their own (a product's known defect, a competitor's scandal)."""


@dataclass(frozen=True, slots=True)
class DetectorConfig:
    """Thresholds of the four detectors (see the module docstrings of ``detectors``,
    ``baseline`` and ``terms`` for the tests they feed)."""

    # --- history and baselines
    warmup_days: float = 7.0
    """No volume, negative-share or emerging-term signal before this much history has been
    seen for the scope: a baseline from fewer days mistakes a busy weekday for a spike."""
    windows: tuple[int, ...] = (10, 60, 360, 1440)
    """Sliding windows (minutes) of the volume and negative-share tests: 10 minutes sees a
    sudden surge early, 6 and 24 hours a slow build."""
    timezone: str = "Europe/Paris"
    """The IANA time zone whose hour of day and day of week shape the seasonal profile."""
    baseline_days: int = 7
    """Days of hourly history behind the volume level and the usual negative share."""
    baseline_gap_hours: int = 24
    """The last hours left out of the usual negative share: a crisis whose tone darkens over
    a day is compared with the days before it instead of being absorbed as it grows."""
    profile_days: int = 28
    """Days of hourly history behind the hour-of-day and day-of-week profile."""
    profile_prior: float = 10.0
    """Pseudo-posts that pull each profile factor towards 1 (smoothing for small brands)."""
    trend: bool = True
    """Follow slow trends: the level is the last half of the baseline days, extrapolated by
    the growth between its two halves (so a seasonal ramp does not look like a spike)."""
    max_trend: float = 1.5
    """The growth between the two halves (3.5 days apart) is clamped to [1/max_trend,
    max_trend]: a seasonal ramp (x3 in two weeks is x1.32 in 3.5 days) is followed, a
    boycott building over three days is not absorbed, and the decline after an episode is
    not extrapolated into an absurdly low level."""
    max_flagged_share: float = 0.7
    """Flagged (signalled) hours are replaced by their expected count only while they are at
    most this share of the last ``baseline_days``; beyond, a raised volume is the new
    normal."""
    max_dispersion: float = 3.0
    """The overdispersion of hourly counts used by the tests is kept under this."""
    clip_sigmas: float = 3.0
    """Hourly counts above ``expected + clip_sigmas * sqrt(expected) + 1`` are cut to that
    bound before they enter a baseline, and hours of a signalled spike are replaced by their
    expected count: a past crisis does not raise the bar for the next one."""

    # --- VOLUME
    volume_min_posts: tuple[int, ...] = (8, 12, 20, 40)
    """Posts a window needs at least, one value per window (a few posts at night are not a
    crisis whatever the p-value says)."""
    volume_min_ratio: tuple[float, ...] = (3.0, 2.5, 1.8, 1.5)
    """Observed / expected a window needs at least, one value per window: large brands
    reach any p-value with a 10 % excess, which is not a crisis either."""
    volume_min_score: float = 6.0
    """-log10 of the Poisson upper tail a window needs at least."""
    ignore_positive_surges: bool = True
    """A happy wave (a campaign, good news) is not a crisis: no volume signal for a surge
    whose negative share is clearly below usual, or not above usual while its positive
    share is clearly above usual (see ``positive_*``)."""
    positive_share_ratio: float = 0.6
    """"Clearly below": the window's negative share is under this fraction of the usual
    share, and the binomial lower tail of its negative count, or the upper tail of its
    positive count (for "clearly above"), says so..."""
    positive_min_score: float = 1.3
    """...with -log10 p at least this (1.3: a chance of 1 in 20 in usual talk; a crisis is
    more negative than usual, so it is never mistaken for a happy wave)."""

    # --- NEGATIVE_SHARE
    share_min_posts: int = 20
    """Posts with a known sentiment a window needs at least for a share to mean something."""
    share_min_negative: int = 8
    """Negative posts a window needs at least."""
    share_min_ratio: float = 1.5
    """Window share / usual share needed at least."""
    share_min_excess: float = 0.1
    """Window share minus usual share needed at least (share points)."""
    share_min_score: float = 6.0
    """-log10 of the binomial upper tail needed at least."""
    share_prior_posts: float = 50.0
    """Pseudo-posts at the prior share mixed into the usual share (a new platform starts at
    the brand's overall share rather than at 0 or 1)."""
    share_prior: float = 0.2
    """The prior negative share before any history (about what brands usually see)."""
    share_prior_positive: float = 0.5
    """The prior positive share before any history."""

    # --- EMERGING_TERM
    emerging_windows: tuple[int, ...] = (10, 60, 360)
    """Windows (minutes) in which a term's mentions are counted: 10 minutes for a sudden
    wave, 6 hours for a slow build (a boycott's hashtag used four times in an afternoon)."""
    emerging_min_mentions: int = 4
    """Posts with the term a window needs at least."""
    emerging_min_authors: int = 4
    """Distinct authors of those posts needed at least: one account repeating a word is
    not a subject."""
    emerging_min_ratio: float = 5.0
    """Window share of the term / background share needed at least."""
    emerging_min_score: float = 6.0
    """-log10 of the Poisson upper tail needed at least (stricter than volume: thousands
    of terms are tested every minute)."""
    emerging_prior: float = 0.5
    """Pseudo-mentions added to every term's background: a never-seen word is expected
    ``emerging_prior`` times in a background of that many posts."""
    emerging_memory_days: float = 7.0
    """Time constant of the exponentially decayed background of every term."""
    emerging_max_signals: int = 5
    """Emerging-term signals per call at most (the strongest)."""
    emerging_min_negative_share: float = 0.0
    """A term's posts in the window need at least this negative share (0: any); with
    ``ignore_positive_surges`` a term whose posts are less negative than
    ``positive_share_ratio`` times the usual share is not signalled either (a handful of
    posts cannot prove it, so the observed share decides)."""
    emerging_overlap: float = 0.5
    """A term of which at least this share of posts also use a term signalled in the last
    ``emerging_merge_hours`` is part of that term's episode (listed in its top terms), not a
    new signal: one backlash gives one emerging-term alert, not ten."""
    emerging_merge_hours: float = 6.0
    """How long a signalled term absorbs the terms used with it."""

    # --- HIGH_REACH
    reach_min_followers: int = 10_000
    """Followers a negative post's author needs at least (absolute floor)."""
    reach_min_engagement: int = 500
    """Or: likes + comments + shares the negative post needs at least (absolute floor)."""
    reach_quantile: float = 0.99
    """And above this quantile of what the brand's posts usually have (followers, resp.
    engagement), once ``reach_min_history`` posts have been seen."""
    reach_min_history: int = 200
    """Posts seen before the relative threshold is known; no high-reach signal before."""
    reach_memory_days: float = 28.0
    """Time constant of the decayed follower and engagement histograms."""

    # --- RISK_TERM
    risk_terms: tuple[str, ...] = RISK_TERMS
    """Words of a crisis, French and English: ``word*`` matches every word that starts with
    ``word`` (and a hashtag that contains it), a plain word only itself (and hashtags that
    contain it). Accents and case do not matter."""
    extra_risk_terms: tuple[str, ...] = ()
    """The brand's own crisis words (a product's known defect, a competitor's scandal),
    watched as well as ``risk_terms``, written the same way."""
    ignored_risk_terms: tuple[str, ...] = ()
    """Entries of ``risk_terms`` not to watch (everyday vocabulary for the brand), written
    as listed there (``"toxi*"``, ``"greenwashing"``)."""
    risk_min_followers: int = 1_000
    """A negative post with a risk term signals at once when its author has this many
    followers..."""
    risk_min_engagement: int = 50
    """... or when it has this many likes, comments and shares..."""
    risk_min_authors: int = 3
    """... or when this many distinct authors used the term within ``risk_window_minutes``."""
    risk_window_minutes: int = 60

    # --- evidence
    evidence_posts_per_minute: int = 20
    """Posts kept per minute and scope for top authors and terms (all of them in minutes
    with fewer posts; the most engaging five are always kept as well)."""

    def __post_init__(self) -> None:
        for item in fields(self):
            _check(item.name, getattr(self, item.name))
        count = len(self.windows)
        for name in ("volume_min_posts", "volume_min_ratio"):
            if len(getattr(self, name)) != count:
                raise ConfianceError(
                    "E701", key=name, reason=f"give one value per window ({count})"
                )
        if self.baseline_days > self.profile_days:
            raise ConfianceError(
                "E701", key="baseline_days", reason="it cannot exceed profile_days"
            )

    def with_overrides(self, overrides: Mapping[str, Any]) -> DetectorConfig:
        """A copy with the settings of ``overrides`` changed (names as the fields), checked.

        Numbers may be given as numbers or numeric strings, per-window settings as lists;
        an unknown name or a value of the wrong type or range raises ``E701``.
        """
        if not isinstance(overrides, Mapping):
            raise ConfianceError(
                "E701",
                key=str(type(overrides).__name__),
                reason="give a mapping of setting names to values",
            )
        known = {item.name: item for item in fields(self)}
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if not isinstance(key, str) or key not in known:
                raise ConfianceError("E701", key=str(key), reason="there is no such setting")
            changes[key] = _coerce(key, value, getattr(self, key))
        return replace(self, **changes)

    def watched_risk_terms(self) -> tuple[str, ...]:
        """``risk_terms`` less ``ignored_risk_terms``, then ``extra_risk_terms``, each once
        (case and accents aside)."""
        ignored = {word_key(t) for t in self.ignored_risk_terms}
        kept: dict[str, str] = {}
        for term in (*self.risk_terms, *self.extra_risk_terms):
            key = word_key(term)
            if key not in ignored:
                kept.setdefault(key, term)
        return tuple(kept.values())

    def unknown_ignored_terms(self) -> list[str]:
        """The entries of ``ignored_risk_terms`` that are not in ``risk_terms``."""
        listed = {word_key(t) for t in self.risk_terms}
        return [t for t in self.ignored_risk_terms if word_key(t) not in listed]

    def as_dict(self) -> dict[str, Any]:
        """Every setting by name (tuples as lists), JSON-ready."""
        return {
            item.name: (list(v) if isinstance(v := getattr(self, item.name), tuple) else v)
            for item in fields(self)
        }


# ----------------------------------------------------------------------------- checks


def word_key(term: str) -> str:
    """A risk term without case and accents (``"Brûlure*"`` and ``"brulure*"`` are one)."""
    decomposed = unicodedata.normalize("NFKD", term.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_RANGES: dict[str, tuple[float, float]] = {
    "warmup_days": (0, 365),
    "windows": (1, MAX_WINDOW_MINUTES),
    "baseline_days": (1, 56),
    "baseline_gap_hours": (0, 48),
    "profile_days": (1, 56),
    "profile_prior": (0, 1e6),
    "max_trend": (1, 100),
    "max_flagged_share": (0, 1),
    "max_dispersion": (1, 100),
    "clip_sigmas": (0, 100),
    "volume_min_posts": (1, 1e9),
    "volume_min_ratio": (1, 1e6),
    "volume_min_score": (0, 300),
    "positive_share_ratio": (0, 1),
    "positive_min_score": (0, 300),
    "share_min_posts": (1, 1e9),
    "share_min_negative": (1, 1e9),
    "share_min_ratio": (1, 1e6),
    "share_min_excess": (0, 1),
    "share_min_score": (0, 300),
    "share_prior_posts": (0, 1e9),
    "share_prior": (0, 1),
    "share_prior_positive": (0, 1),
    "emerging_windows": (1, MAX_WINDOW_MINUTES),
    "emerging_min_mentions": (1, 1e9),
    "emerging_min_authors": (1, 1000),
    "emerging_min_ratio": (1, 1e9),
    "emerging_min_score": (0, 300),
    "emerging_prior": (1e-6, 1e6),
    "emerging_memory_days": (0.01, 3650),
    "emerging_max_signals": (0, 1000),
    "emerging_min_negative_share": (0, 1),
    "emerging_overlap": (0, 1),
    "emerging_merge_hours": (0, 720),
    "reach_min_followers": (0, 1e12),
    "reach_min_engagement": (0, 1e12),
    "reach_quantile": (0, 1),
    "reach_min_history": (0, 1e9),
    "reach_memory_days": (0.01, 3650),
    "evidence_posts_per_minute": (1, 1000),
    "risk_min_followers": (0, 1e12),
    "risk_min_engagement": (0, 1e12),
    "risk_min_authors": (1, 1e6),
    "risk_window_minutes": (1, MAX_WINDOW_MINUTES),
}
_INTS = {
    "windows",
    "baseline_days",
    "baseline_gap_hours",
    "profile_days",
    "volume_min_posts",
    "share_min_posts",
    "share_min_negative",
    "emerging_windows",
    "emerging_min_mentions",
    "emerging_min_authors",
    "emerging_max_signals",
    "reach_min_followers",
    "reach_min_engagement",
    "reach_min_history",
    "evidence_posts_per_minute",
    "risk_min_followers",
    "risk_min_engagement",
    "risk_min_authors",
    "risk_window_minutes",
}
_INCREASING = {"windows", "emerging_windows"}


def _check(name: str, value: Any) -> None:
    """Raise E701 unless ``value`` has the type and range of setting ``name``."""
    if name == "timezone":
        _check_zone(value)
        return
    if name in WORD_LISTS:
        _check_terms(name, value)
        return
    if name in ("trend", "ignore_positive_surges"):
        if not isinstance(value, bool):
            raise ConfianceError("E701", key=name, reason="give true or false")
        return
    low, high = _RANGES[name]
    items = value if isinstance(value, tuple) else (value,)
    if isinstance(value, tuple) and not value:
        raise ConfianceError("E701", key=name, reason="give at least one value")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise ConfianceError("E701", key=name, reason=f"{item!r} is not a number")
        if name in _INTS and not isinstance(item, int):
            raise ConfianceError("E701", key=name, reason=f"{item!r} is not a whole number")
        if not (math.isfinite(item) and low <= item <= high):
            raise ConfianceError(
                "E701", key=name, reason=f"{item!r} is outside [{low:g}, {high:g}]"
            )
    if name in _INCREASING and any(a >= b for a, b in pairwise(items)):
        raise ConfianceError("E701", key=name, reason="give windows in increasing order")


def _check_terms(name: str, value: Any) -> None:
    if not isinstance(value, tuple) or len(value) > MAX_WORDS:
        raise ConfianceError("E701", key=name, reason=f"give a list of up to {MAX_WORDS} words")
    for term in value:
        if not isinstance(term, str) or not 3 <= len(term.rstrip("*")) <= 60 \
                or any(ch.isspace() for ch in term) or "*" in term.rstrip("*"):
            raise ConfianceError("E701", key=name, reason=f"{str(term)[:80]!r} is not one "
                                 "word of 3 to 60 letters, optionally ending with *")


def _check_zone(value: Any) -> None:
    if not isinstance(value, str) or not value or "\x00" in value:
        raise ConfianceError("E701", key="timezone", reason="give an IANA time zone name")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ConfianceError(
            "E701", key="timezone", reason=f"{value!r} is not a known time zone"
        ) from error


def _coerce(name: str, value: Any, current: Any) -> Any:
    """``value`` in the type of the setting (numbers from strings, tuples from lists)."""
    if name in WORD_LISTS:
        return tuple(value) if isinstance(value, list | tuple) else value
    if isinstance(current, tuple):
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            raise ConfianceError("E701", key=name, reason="give a list of numbers")
        return tuple(_number(name, item, name in _INTS) for item in value)
    if isinstance(current, bool):
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
            return value.strip().lower() in ("true", "1")
        return value
    if isinstance(current, int | float):
        return _number(name, value, name in _INTS)
    return value


def _number(name: str, value: Any, whole: bool) -> Any:
    """A number from a number or a numeric string; anything else is left for the check."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError as error:
            raise ConfianceError("E701", key=name, reason=f"{value!r} is not a number") from error
    if whole and isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if not whole and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value
