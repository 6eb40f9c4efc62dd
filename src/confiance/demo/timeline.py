"""When people post: Paris local time, daily and weekly rhythm, a gentle growth trend.

Times are whole Unix seconds (UTC). Paris time follows the EU rule (summer time from the last
Sunday of March to the last Sunday of October, at 01:00 UTC), computed here so that the output
does not depend on the machine's time-zone database.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from random import Random

HOURLY = (0.35, 0.2, 0.12, 0.08, 0.07, 0.1, 0.25, 0.5, 0.75, 0.85, 0.9, 1.0, 1.15, 1.1, 0.95,
          0.9, 0.95, 1.05, 1.3, 1.55, 1.8, 1.85, 1.5, 0.85)
"""Relative activity by Paris local hour: quiet nights, a lunch bump, evening peak."""
WEEKLY = (0.92, 0.95, 0.97, 1.0, 1.05, 1.22, 1.3)
"""Relative activity Monday to Sunday: weekends are busier."""
PEAK = max(HOURLY)
HOUR = 3_600
DAY = 86_400


def to_ts(moment: datetime) -> int:
    """Whole Unix seconds of an aware (or UTC-naive) datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def iso(ts: int) -> str:
    """``2026-10-16T16:00:00Z``: how pydantic writes a UTC datetime with whole seconds."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms(ts: int) -> str:
    """``2026-10-16T16:00:00.000Z``: how the X API writes ``created_at``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@lru_cache(maxsize=64)
def _summer(year: int) -> tuple[int, int]:
    def last_sunday(month: int) -> datetime:
        day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    return to_ts(last_sunday(3)), to_ts(last_sunday(10))


def paris_offset(ts: int) -> int:
    """Seconds to add to UTC for Paris local time at ``ts`` (3600 or 7200)."""
    year = datetime.fromtimestamp(ts, UTC).year
    begin, end = _summer(year)
    return 2 * HOUR if begin <= ts < end else HOUR


def paris_hour(ts: int) -> int:
    """The local hour (0-23) in Paris at ``ts``."""
    return ((ts + paris_offset(ts)) % DAY) // HOUR


def paris_ts(day_start: int, hour: int, minute: int = 0) -> int:
    """The UTC time of ``hour:minute`` Paris time on the UTC day starting at ``day_start``."""
    naive = day_start + hour * HOUR + minute * 60
    return naive - paris_offset(naive)


def activity(ts: int) -> float:
    """Relative posting activity at ``ts`` (hour of day and day of week, Paris time)."""
    local = ts + paris_offset(ts)
    weekday = (local // DAY + 3) % 7  # 1970-01-01 was a Thursday
    return HOURLY[(local % DAY) // HOUR] * WEEKLY[weekday]


class Timeline:
    """Draws times over ``[start, end)`` following activity and a linear growth trend."""

    def __init__(self, start: int, end: int, *, growth: float = 0.35) -> None:
        self.start = start
        self.end = end
        hours = max(1, math.ceil((end - start) / HOUR))
        total = 0.0
        self.cumulative: list[float] = []
        for index in range(hours):
            ts = start + index * HOUR
            total += activity(ts) * (1.0 + growth * index / hours)
            self.cumulative.append(total)
        self.total = total

    def sample(self, rng: Random, lo: int | None = None, hi: int | None = None) -> int:
        """A time in ``[lo, hi)`` (default: the whole span), busier hours more likely."""
        lo = self.start if lo is None else max(lo, self.start)
        hi = self.end if hi is None else min(hi, self.end)
        first = self._index(lo)
        last = self._index(max(lo, hi - 1))
        below = self.cumulative[first - 1] if first else 0.0
        target = below + rng.random() * (self.cumulative[last] - below)
        index = min(bisect_right(self.cumulative, target), last)
        ts = self.start + index * HOUR + int(rng.random() * HOUR)
        return min(max(ts, lo), hi - 1)

    def _index(self, ts: int) -> int:
        return min(max((ts - self.start) // HOUR, 0), len(self.cumulative) - 1)


def after(rng: Random, ts: int, *, mean: float, end: int, awake: bool = True) -> int:
    """A time after ``ts`` (exponential delay of ``mean`` seconds), thinned at night."""
    for _ in range(12):
        candidate = ts + 1 + int(rng.expovariate(1.0 / mean))
        if candidate >= end:
            continue
        if not awake or rng.random() < max(0.15, activity(candidate) / (PEAK * 1.3)):
            return candidate
    return min(ts + 1 + int(rng.random() * mean), end - 1)
