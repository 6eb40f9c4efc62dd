"""Scopes, severities, and the emerging-term and high-reach signals of the engine.

The tests themselves are described in :mod:`confiance.listen.alerts.detectors`; this module
holds the parts that do not need the engine: a scope's state (:class:`Scope`), the severity
helpers, and the builders of EMERGING_TERM and HIGH_REACH signals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from confiance.listen.alerts.baseline import Baseline, HourlyHistory
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.evidence import (
    MAX_COUNT,
    Kept,
    evidence_of,
    term_evidence,
    top_authors,
)
from confiance.listen.alerts.model import ALL_SCOPE, Detector, Evidence, Signal
from confiance.listen.alerts.reach import ReachStats
from confiance.listen.alerts.stats import binomial_score
from confiance.listen.alerts.terms import Item, TermStats
from confiance.listen.alerts.windows import TOP_POSTS, CountWindows

TERM_SAMPLE = 2000
"""Kept posts (the most recent of the window) that give an emerging term its evidence and
tell whether it belongs to a term signalled before."""
HOUR_RING_EXTRA = 72
"""Hours kept in a scope's ring beyond ``profile_days``."""


class Scope:
    """The counts, hourly history and current baseline of one scope."""

    __slots__ = ("baseline", "counts", "first_at", "history", "name")

    def __init__(self, name: str, first_at: float, config: DetectorConfig) -> None:
        self.name = name
        self.first_at = first_at
        self.counts = CountWindows(config.windows, config.evidence_posts_per_minute)
        self.history = HourlyHistory(config.profile_days * 24 + HOUR_RING_EXTRA)
        self.baseline: Baseline | None = None


def log2_severity(ratio: float) -> int:
    """``1 + floor(log2 ratio)`` within 1..5 (x2: 2, x4: 3, x8: 4, x16: 5)."""
    if not ratio > 1.0:
        return 1
    if math.isinf(ratio):
        return 5
    return clamp(1 + math.floor(math.log2(ratio)))


def clamp(severity: float) -> int:
    """A severity within 1..5."""
    return min(max(int(severity), 1), 5)


def finite(value: float) -> float:
    """``value``, or 1e300 for an infinite one (details stay JSON numbers)."""
    return value if math.isfinite(value) else 1e300


@dataclass(frozen=True, slots=True)
class TermContext:
    """What the emerging-term test reads: the settings, the brand's term windows and
    scope, the count window covering each term window, and the usual negative share."""

    config: DetectorConfig
    terms: TermStats
    brand: Scope
    cover: Sequence[int]
    usual: float


def emerging_signals(
    context: TermContext,
    batch_terms: Iterable[str],
    now: float,
    end: int,
    recent: Mapping[str, float],
) -> tuple[list[Signal], dict[str, float]]:
    """The EMERGING_TERM signals of the terms of a batch, and the terms signalled lately
    (``recent``, updated: term -> time of its last signal)."""
    c = context.config
    found = []
    # The longest window holds every shorter one's posts: a term it has too few of is done.
    part, index = context.terms.where[-1]
    longest, least = part.counts[index], c.emerging_min_mentions
    share_of = context.terms.background.shares(end)
    for term in batch_terms:
        if longest.get(term, 0) < least:
            continue
        best = _term_test(context, term, share_of)
        if best is None:
            continue
        score, w, count, posts, background = best
        share = context.terms.negative(term, w) / count
        if share < c.emerging_min_negative_share or (
            c.ignore_positive_surges and share < c.positive_share_ratio * context.usual
        ):
            continue
        found.append((score, term, w, count, posts, background, share))
    kept = {t: at for t, at in recent.items() if now - at <= c.emerging_merge_hours * 3600.0}
    if not found:
        return [], kept
    found.sort(key=lambda item: (-item[0], item[1]))
    samples: dict[int, list[Kept]] = {}
    out = []
    for score, term, w, count, posts, background, share in found:
        if w not in samples:
            start = context.terms.start(w, end) * 60.0
            samples[w] = [
                k
                for k in context.brand.counts.sampled(context.cover[w], TERM_SAMPLE)
                if k[0].at >= start
            ]
        if term not in kept and _absorbed(term, kept, samples[w], c.emerging_overlap):
            continue
        kept[term] = now
        out.append(
            _term_signal(
                context, now, end, samples[w], score, term, w, count, posts, background, share
            )
        )
        if len(out) == c.emerging_max_signals:
            break
    return out, kept


def _term_test(
    context: TermContext, term: str, share_of: Callable[[str], float]
) -> tuple[float, int, int, int, float] | None:
    """(score, window, count, posts, background share) of the best window, or None
    (``share_of``: the background share of a term now)."""
    c, windows = context.config, context.terms
    best = None
    for w in range(len(windows.lengths)):
        count = windows.count(term, w)
        if count < c.emerging_min_mentions:
            continue
        posts = windows.posts(w)
        background = share_of(term)
        if count < c.emerging_min_ratio * background * posts:
            continue
        score = binomial_score(count, posts, background)
        if score < c.emerging_min_score or (best is not None and score <= best[0]):
            continue
        if windows.authors(term, w) >= c.emerging_min_authors:
            best = (score, w, count, posts, background)
    return best


def _term_signal(
    context: TermContext,
    now: float,
    end: int,
    sample: list[Kept],
    score: float,
    term: str,
    w: int,
    count: int,
    posts: int,
    background: float,
    share: float,
) -> Signal:
    c, usual = context.config, context.usual
    first = context.terms.start(w, end)
    expected = background * posts
    lift = count / expected if expected > 0 else math.inf
    severity = (
        1
        + (lift >= 4 * c.emerging_min_ratio)
        + (count >= 0.2 * posts)
        + (share >= max(0.5, 2 * usual))
        + (count >= 5 * c.emerging_min_mentions)
    )
    terms, top, authors = term_evidence(sample, term, count)
    details = {"window_minutes": float(end - first), "posts": float(posts),
               "background_share": background, "window_share": count / posts,
               "lift": finite(lift), "negative_share": share, "usual_negative_share": usual,
               "authors": float(context.terms.authors(term, w)), "score": score}  # fmt: skip
    return Signal(
        detector=Detector.EMERGING_TERM,
        scope=ALL_SCOPE,
        subject=term,
        severity=clamp(severity),
        window_start=first * 60.0,
        window_end=now,
        observed=float(count),
        expected=expected,
        unit="mentions",
        score=score,
        top_terms=terms,
        top_posts=top,
        top_authors=authors,
        details=details,
    )


def _absorbed(
    term: str, recent: Mapping[str, float], sample: Sequence[Kept], overlap: float
) -> bool:
    """Whether most kept posts using ``term`` also use a recently signalled term."""
    using = [terms for _, terms in sample if term in terms]
    if not using or not recent:
        return False
    shared = sum(1 for terms in using if any(t in recent for t in terms if t != term))
    return shared >= overlap * len(using)


def high_reach_signals(
    hits: Sequence[Item],
    *,
    scopes: Mapping[str, Scope],
    terms: TermStats,
    reach: ReachStats,
    window: int,
    limits: tuple[float, float],
    now: float,
) -> list[Signal]:
    """A HIGH_REACH signal for each negative post of ``hits`` (see ``detectors``), with the
    most engaging posts and most active authors of its platform in count window
    ``window``."""
    out = []
    last = len(terms.lengths) - 1
    for obs, post_terms in hits:
        followers = min(max(obs.followers or 0, 0), MAX_COUNT)
        engagement = min(max(obs.engagement, 0), MAX_COUNT)
        multiple = max(followers / max(limits[0], 1.0), engagement / max(limits[1], 1.0))
        others, authors = _platform_evidence(
            scopes.get(f"platform:{obs.platform}"), obs.key, window
        )
        details = {"followers": float(followers), "engagement": float(engagement),
                   "followers_threshold": limits[0], "engagement_threshold": limits[1],
                   "multiple": multiple}  # fmt: skip
        tail = min(reach.followers.tail(followers), reach.engagement.tail(engagement))
        out.append(
            Signal(
                detector=Detector.HIGH_REACH,
                scope=f"platform:{obs.platform}",
                subject=obs.key,
                severity=log2_severity(multiple),
                window_start=min(max(obs.at, now - 86400.0), now),
                window_end=now,
                observed=float(followers),
                expected=limits[0],
                unit="followers",
                score=round(-math.log10(tail), 3),
                top_terms=tuple((t, max(terms.count(t, last), 1)) for t in post_terms[:10]),
                top_posts=(evidence_of(obs), *others),
                top_authors=authors,
                details=details,
            )
        )
    return out


def _platform_evidence(
    scope: Scope | None, key: str, window: int
) -> tuple[list[Evidence], tuple[tuple[str, int], ...]]:
    """The most engaging other posts and the most active authors of a platform's window."""
    if scope is None:
        return [], ()
    others = [e for e in scope.counts.top_posts(window, TOP_POSTS + 1) if e.key != key]
    authors = top_authors([e for e, _ in scope.counts.sampled(window, 500)])
    return others[: TOP_POSTS - 1], authors
