"""What audience and engagement a brand's posts usually have: decayed log-scale histograms.

Followers and engagement (likes + comments + shares) are heavy-tailed, so each is counted in
bins of a quarter of a power of two (``bin = floor(4 log2(x + 1))``, 161 bins up to 2^40):
relative precision of 19 % at any scale, in constant memory. Counts decay with a time
constant of ``reach_memory_days`` (applied once per simulated hour), so the histogram
describes the last weeks. The ``q`` quantile is the upper edge of the bin where the
cumulative count reaches ``q`` of the total; it is recomputed at most once per hour.

The high-reach test (see :mod:`confiance.listen.alerts.detectors`) compares a negative post
with ``max(floor, quantile)``: the floor (10,000 followers or 500 interactions by default)
keeps a small brand from being alerted about every account with a few hundred followers,
the quantile (99 %) keeps a brand whose own account and ambassadors have large audiences
from being alerted every day.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

BINS = 161
PER_OCTAVE = 4
MAX_VALUE = 1e15
"""Larger values count as this (no account has more followers)."""


def _bin(value: float) -> int:
    return min(int(math.log2(value + 1.0) * PER_OCTAVE), BINS - 1)


class Histogram:
    """A decayed log-scale histogram of non-negative values."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0.0] * BINS
        self.total = 0.0

    def add(self, value: float) -> None:
        """Count one value (negative values count as 0)."""
        self.counts[_bin(max(value, 0.0))] += 1.0
        self.total += 1.0

    def add_many(self, values: Sequence[int]) -> None:
        """Count values (negative ones as 0): one by one for a few, with numpy for many."""
        if len(values) < 32:
            for value in values:
                self.add(min(value, MAX_VALUE))
            return
        array = np.clip(np.asarray(values, dtype=np.float64), 0.0, MAX_VALUE)
        bins = np.minimum((np.log2(array + 1.0) * PER_OCTAVE).astype(np.int64), BINS - 1)
        added = np.bincount(bins, minlength=BINS).tolist()
        self.counts = [c + a for c, a in zip(self.counts, added, strict=True)]
        self.total += len(values)

    def decay(self, factor: float) -> None:
        """Multiply every count by ``factor``."""
        self.counts = [c * factor for c in self.counts]
        self.total *= factor

    def tail(self, value: float) -> float:
        """The share of the counts at or above ``value``'s bin (one pseudo-count added)."""
        above = sum(self.counts[_bin(max(value, 0.0)) :])
        return (above + 1.0) / (self.total + 1.0)

    def quantile(self, q: float) -> float:
        """The value below which a share ``q`` of the counts lie (bin upper edge)."""
        if self.total <= 0:
            return 0.0
        target, running = q * self.total, 0.0
        for index, count in enumerate(self.counts):
            running += count
            if running >= target:
                return float(2.0 ** ((index + 1) / PER_OCTAVE) - 1.0)
        return float(2.0 ** (BINS / PER_OCTAVE) - 1.0)


class ReachStats:
    """Follower and engagement histograms of a brand, with hourly cached thresholds."""

    def __init__(self, *, memory_days: float) -> None:
        self.tau_hours = memory_days * 24.0
        self.followers = Histogram()
        self.engagement = Histogram()
        self.hour = -(2**62)
        self.cached: tuple[float, float] = (0.0, 0.0)

    def add_many(self, followers: Sequence[int | None], engagement: Sequence[int]) -> None:
        """Count posts: their authors' followers (None where unknown) and engagement."""
        self.followers.add_many([f for f in followers if f is not None])
        self.engagement.add_many(engagement)

    def thresholds(self, hour: int, quantile: float, min_history: int) -> tuple[float, float]:
        """(followers, engagement) quantiles of the posts seen so far, infinite for a
        histogram with fewer than ``min_history`` posts; recomputed when the hour
        changes."""
        if hour != self.hour:
            if self.hour > -(2**62):
                factor = math.exp(-max(hour - self.hour, 0) / self.tau_hours)
                self.followers.decay(factor)
                self.engagement.decay(factor)
            self.hour = hour
            self.cached = (
                self._quantile(self.followers, quantile, min_history),
                self._quantile(self.engagement, quantile, min_history),
            )
        return self.cached

    @staticmethod
    def _quantile(histogram: Histogram, quantile: float, min_history: int) -> float:
        return histogram.quantile(quantile) if histogram.total >= min_history else math.inf

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "hour": self.hour,
            "cached": [x if math.isfinite(x) else None for x in self.cached],
            "followers": [self.followers.counts, self.followers.total],
            "engagement": [self.engagement.counts, self.engagement.total],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Load what :meth:`to_state` wrote."""
        self.hour = int(state["hour"])
        first, second = (math.inf if x is None else float(x) for x in state["cached"])
        self.cached = (first, second)
        for histogram, (counts, total) in (
            (self.followers, state["followers"]),
            (self.engagement, state["engagement"]),
        ):
            if len(counts) != BINS:
                raise ValueError("histogram of another size")
            histogram.counts = [float(c) for c in counts]
            histogram.total = float(total)
