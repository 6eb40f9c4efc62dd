"""Seasonal, robust baselines: how many posts, and what negative share, are usual now.

Every scope (all platforms, or one) keeps a ring of hourly counts over the last
``profile_days`` (28) days and three more: posts, posts with a known sentiment, negative and
positive posts, and for each closed hour the count and share that were *expected* for it and
whether a signal was raised in it. A baseline is computed from that ring at most once per
simulated hour and scope (and only when a test needs it), for the hour ``H`` that contains
the current time.

**Cleaning (robustness).** An hour's count ``n`` enters the baseline as

    clean = expected                                  if a signal was raised in it
    clean = min(n, expected + z sqrt(expected) + 1)   otherwise (winsorised, z = clip_sigmas)

where ``expected`` is what the baseline in force at the time predicted for that hour (a
volume or a negative-share signal: a boycott that builds too slowly to be a volume spike
still does not become the normal volume). So the hours of a past spike, and isolated
outliers, cannot raise the bar for the next crisis, while
a genuine slow rise (each hour a little above its expectation) passes almost untouched. Hours
before the scope's first post are left out (not counted as zeros). When more than
``max_flagged_share`` (70 %) of the last ``baseline_days`` are flagged, the flags are
ignored (the hours are only winsorised): a raised volume that lasts that long is the new
normal, and replacing it by the old expectation would lock the baseline and alert forever.

**Seasonal profile.** With ``c`` the clean counts of the profile window and ``m`` the mean
of ``c`` over the week centred on each hour (fewer hours at the ends), the hour-of-day
factor (Paris time by default: the ``timezone`` setting, with its summer time) and the
day-of-week factor are

    f[h] = (sum of c at hour h + b) / (sum of m at hour h + b)
    g[d] = (sum of c on day d + b) / (sum over hours of day d of m f[h] + b)

Comparing each hour with its own week rather than with the whole window keeps a trend out of
the weekly profile: during a ramp every Sunday is later, hence busier, than the Monday
before it, and a plain mean would learn "Sundays are busy" from growth alone.

with ``b = profile_prior`` pseudo-posts pulling each factor towards 1 (a brand with three
posts a day gets a flat profile, not noise). The profile of hour-of-week ``(d, h)`` is
``g[d] f[h]``, normalised to a mean of 1 over the week's 168 hours. A product of two
marginals needs 31 numbers instead of 168 cells, each estimated from 4 samples.

**Level and trend.** Dividing each clean count by its profile gives deseasonalised counts;
the level ``L`` is their rate over the last ``baseline_days`` (7): ``sum c / sum profile``.
With ``trend`` on, the two halves of that span give rates ``L1`` (older) and ``L2``
(recent) (each shrunk towards ``L`` by a few pseudo-posts); their ratio ``G = L2 / L1`` is
the growth over half the span. ``log G`` is shrunk towards 0 by its standard error
``sqrt(phi / C1 + phi / C2)`` (``C1``, ``C2`` the counts of the halves: a flat series gives
``G = 1`` rather than noise) and clamped to ``[-log max_trend, log max_trend]``; the level
used now is ``L2 sqrt(G)``, the recent rate carried forward from the middle of its half to
the present. A seasonal ramp (x3 over two weeks grows about 1.08 a day) is followed within
about 10 %, whereas a surge of the last hours weighs little in 3.5 days of history and is
clipped anyway.

**Dispersion.** Posts come in bursts (a thread draws its replies within minutes), so
hourly counts vary more than Poisson counts: their dispersion ``phi``, the mean of
``(clean - fitted)^2 / fitted`` over the last ``baseline_days`` with ``fitted = L *
profile``, is typically 1.5 to 2 on the demo. It is kept within ``[1, max_dispersion]``, and
the detectors divide counts by it (quasi-Poisson and quasi-binomial tests), so a brand whose
talk is bursty needs a proportionally larger excess.

**Expected counts.** The expected rate of hour ``t`` is ``level * profile[t]``; a window's
expected count is the integral of that piecewise-constant rate over the window (partial hours
pro rata), computed in O(1) from prefix sums of the last 25 hours.

**Usual negative share.** Over the ``baseline_days`` before the last
``baseline_gap_hours`` (24), leaving out hours in which a volume or negative-share signal
was raised, with each hour's negative count winsorised at
``k p + z sqrt(k p (1 - p)) + 1`` (``k`` posts with a sentiment, ``p`` the share expected
then):

    share = (negatives + a p0) / (posts with a sentiment + a)

with ``a = share_prior_posts`` pseudo-posts at the prior share ``p0`` (the brand's overall
share for a platform scope, ``share_prior`` for the brand itself). The gap matters: a
boycott gathering pace over a day or two raises the negative share a little every hour, and
a share measured up to the present would follow it (measured on the demo's slow boycott, it
rose from 16 % to 40 % without a signal); the day before is a steadier yardstick, and a
genuine change of tone becomes the usual share a day later. The usual *positive*
share is pooled the same way (prior ``share_prior_positive``); it only serves to recognise a
happy wave.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from confiance.listen.alerts.config import DetectorConfig

HOUR = 3600
WEEK_HOURS = 168
_BLOCK_BEFORE, _BLOCK_AFTER = 48, 24 * 14
"""Hours a clock computes before and after a range it is asked for (a fortnight ahead)."""
_TREND_PRIOR = 5.0
"""Pseudo-posts at the overall level added to each half before the growth is measured."""

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


class LocalClock:
    """Hour of week (Monday 0h is 0, Sunday 23h is 167) of UTC hours in a time zone."""

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)
        self._offsets: dict[int, int] = {}
        self._block: tuple[int, Ints] = (0, np.empty(0, dtype=np.int64))
        """The first hour of a computed block, and its hours of week."""

    def offset(self, hour: int) -> int:
        """The zone's UTC offset in seconds at the start of UTC hour ``hour``."""
        found = self._offsets.get(hour)
        if found is None:
            delta = datetime.fromtimestamp(hour * HOUR, UTC).astimezone(self.zone).utcoffset()
            found = int(delta.total_seconds()) if delta is not None else 0
            if len(self._offsets) > 4096:
                self._offsets.clear()
            self._offsets[hour] = found
        return found

    def hours_of_week(self, first: int, count: int) -> Ints:
        """The hour of week of the ``count`` UTC hours from ``first`` (read-only): a slice
        of a block computed for the weeks around it, as the baselines of one scope after
        another, hour after hour, ask for ranges that overlap."""
        start, block = self._block
        if not (start <= first and first + count <= start + len(block)):
            start = first - _BLOCK_BEFORE
            block = self._compute(start, count + _BLOCK_BEFORE + _BLOCK_AFTER)
            self._block = (start, block)
        return block[first - start : first - start + count]

    def _compute(self, first: int, count: int) -> Ints:
        offsets = np.empty(count, dtype=np.int64)
        self._fill(offsets, first, 0, count - 1)
        local = (np.arange(first, first + count, dtype=np.int64) * HOUR + offsets) // HOUR
        # 1970-01-01 was a Thursday (day 3 when Monday is 0).
        out = ((local // 24 + 3) % 7) * 24 + local % 24
        out.flags.writeable = False
        return out

    def _fill(self, out: Ints, first: int, lo: int, hi: int) -> None:
        """Offsets of hours ``lo..hi`` (from ``first``): bisect where the ends differ."""
        if hi < lo:
            return
        a, b = self.offset(first + lo), self.offset(first + hi)
        if a == b and hi - lo <= 24 * 60:
            out[lo : hi + 1] = a
            return
        if hi - lo <= 1:
            out[lo], out[hi] = a, b
            return
        mid = (lo + hi) // 2
        self._fill(out, first, lo, mid)
        self._fill(out, first, mid + 1, hi)


class HourlyHistory:
    """A scope's hourly counts over the last ``profile_days`` (a ring of hours)."""

    __slots__ = (
        "expected",
        "flagged",
        "hour",
        "known",
        "n",
        "neg",
        "pos",
        "share",
        "share_flagged",
        "size",
    )

    def __init__(self, size: int) -> None:
        self.size = size
        self.hour: Ints = np.full(size, -1, dtype=np.int64)
        self.n: Floats = np.zeros(size)
        self.known: Floats = np.zeros(size)
        self.neg: Floats = np.zeros(size)
        self.pos: Floats = np.zeros(size)
        self.expected: Floats = np.full(size, np.nan)
        self.share: Floats = np.full(size, np.nan)
        self.flagged = np.zeros(size, dtype=bool)
        self.share_flagged = np.zeros(size, dtype=bool)

    def _slot(self, hour: int) -> int:
        slot = hour % self.size
        if self.hour[slot] != hour:
            self.hour[slot] = hour
            self.n[slot] = self.known[slot] = self.neg[slot] = self.pos[slot] = 0.0
            self.expected[slot] = self.share[slot] = np.nan
            self.flagged[slot] = self.share_flagged[slot] = False
        return slot

    def add(self, hour: int, counts: tuple[int, int, int, int], *, newest: int) -> None:
        """Count posts of UTC hour ``hour`` (posts, with a sentiment, negative, positive;
        dropped when the hour is out of the ring)."""
        if hour <= newest - self.size or hour > newest:
            return
        if self.hour[hour % self.size] > hour:
            return
        slot = self._slot(hour)
        self.n[slot] += counts[0]
        self.known[slot] += counts[1]
        self.neg[slot] += counts[2]
        self.pos[slot] += counts[3]

    def flag(self, first: int, last: int, *, share: bool) -> None:
        """Mark the hours ``first..last`` that have posts as part of a signalled episode."""
        for hour in range(max(first, last - self.size + 1), last + 1):
            slot = hour % self.size
            if self.hour[slot] == hour:
                (self.share_flagged if share else self.flagged)[slot] = True

    def close(self, first: int, last: int, baseline: Baseline, clock: LocalClock) -> None:
        """Record what ``baseline`` expected for the hours ``first..last`` that have posts."""
        first = max(first, last - self.size + 1)
        if last < first or not math.isfinite(baseline.level):
            return
        hours = np.arange(first, last + 1, dtype=np.int64)
        slots = hours % self.size
        present = self.hour[slots] == hours
        if not present.any():
            return
        rates = baseline.level * baseline.factors[clock.hours_of_week(first, len(hours))]
        self.expected[slots[present]] = rates[present]
        self.share[slots[present]] = baseline.share

    def to_state(self) -> dict[str, Any]:
        """The ring as JSON-ready lists (only the slots in use)."""
        used = np.flatnonzero(self.hour >= 0)
        return {
            "size": self.size,
            "slots": used.tolist(),
            "hour": self.hour[used].tolist(),
            "n": self.n[used].tolist(),
            "known": self.known[used].tolist(),
            "neg": self.neg[used].tolist(),
            "pos": self.pos[used].tolist(),
            "expected": [None if math.isnan(x) else x for x in self.expected[used].tolist()],
            "share": [None if math.isnan(x) else x for x in self.share[used].tolist()],
            "flagged": self.flagged[used].tolist(),
            "share_flagged": self.share_flagged[used].tolist(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> HourlyHistory:
        """The ring :meth:`to_state` wrote."""
        ring = cls(int(state["size"]))
        slots = np.asarray(state["slots"], dtype=np.int64)
        if len(slots) and (slots.min() < 0 or slots.max() >= ring.size):
            raise ValueError("hour slot out of range")
        ring.hour[slots] = state["hour"]
        ring.n[slots] = state["n"]
        ring.known[slots] = state["known"]
        ring.neg[slots] = state["neg"]
        ring.pos[slots] = state["pos"]
        ring.expected[slots] = [np.nan if x is None else x for x in state["expected"]]
        ring.share[slots] = [np.nan if x is None else x for x in state["share"]]
        ring.flagged[slots] = state["flagged"]
        ring.share_flagged[slots] = state["share_flagged"]
        return ring


@dataclass(frozen=True, slots=True)
class Baseline:
    """What is usual for one scope during UTC hour ``hour``."""

    hour: int
    level: float
    """Posts per hour at a profile of 1 (NaN without history)."""
    factors: Floats
    """The hour-of-week profile (168 values, mean 1)."""
    cumulative: tuple[float, ...]
    """Expected posts from the start of hour ``hour - 24`` to the start of each of the 26
    hours that follow (prefix sums of the hourly rates)."""
    share: float
    """The usual negative share."""
    positive: float
    """The usual positive share."""
    dispersion: float = 1.0
    """Variance / mean of the hourly counts around the profile (1 for Poisson counts)."""

    def expected(self, start: float, end: float) -> float:
        """Expected posts between two times (seconds) within the last 24 hours."""
        return max(self._integral(end) - self._integral(start), 0.0)

    def _integral(self, moment: float) -> float:
        position = min(max(moment / HOUR - (self.hour - 24), 0.0), 25.0)
        index = min(int(position), 24)
        low, high = self.cumulative[index], self.cumulative[index + 1]
        return low + (high - low) * (position - index)


def compute(
    history: HourlyHistory,
    hour: int,
    first_hour: int,
    clock: LocalClock,
    config: DetectorConfig,
    priors: tuple[float, float],
) -> Baseline:
    """The baseline of hour ``hour`` from the ring (see the module docstring)."""
    span = config.profile_days * 24
    hours = np.arange(hour - span, hour, dtype=np.int64)
    slots = hours % history.size
    present = history.hour[slots] == hours
    valid = hours >= first_hour
    counts = np.where(present, history.n[slots], 0.0)
    expected = np.where(present, history.expected[slots], np.nan)
    known_exp = ~np.isnan(expected)
    safe_exp = np.where(known_exp, expected, 0.0)
    bound = safe_exp + config.clip_sigmas * np.sqrt(safe_exp) + 1.0
    clean = np.where(known_exp, np.minimum(counts, bound), counts)
    volume_flag = present & (history.flagged[slots] | history.share_flagged[slots])
    level_span = config.baseline_days * 24
    recent_flags = int((volume_flag & known_exp & valid)[-level_span:].sum())
    if recent_flags <= config.max_flagged_share * int(valid[-level_span:].sum()):
        clean = np.where(volume_flag & known_exp, safe_exp, clean)
    # The profile's hours and the 25 from ``hour - 24`` to ``hour``, in one range.
    weeks = clock.hours_of_week(hour - span, span + 1)
    week = weeks[:span]
    factors = _profile(clean, week, valid, config.profile_prior)
    level, dispersion = _level(clean, factors[week], valid, config)
    share, positive = _shares(history, hour, first_hour, config, priors)
    rates = (level if math.isfinite(level) else 0.0) * factors[weeks[span - 24 :]]
    cumulative = (0.0, *np.cumsum(rates).tolist())
    return Baseline(hour, level, factors, cumulative, share, positive, dispersion)


def _profile(clean: Floats, week: Ints, valid: npt.NDArray[np.bool_], prior: float) -> Floats:
    """The hour-of-week factors (mean 1) from the clean counts of valid hours, each compared
    with the local weekly mean around it (so a trend is not read as a weekday effect)."""
    counts = np.where(valid, clean, 0.0)
    if counts.sum() <= 0:
        return np.ones(WEEK_HOURS)
    local = _moving_mean(counts, valid.astype(np.float64), WEEK_HOURS)[valid]
    counts, week = counts[valid], week[valid]
    hod, dow = week % 24, week // 24
    by_hour = (np.bincount(hod, weights=counts, minlength=24) + prior) / (
        np.bincount(hod, weights=local, minlength=24) + prior
    )
    by_day = (np.bincount(dow, weights=counts, minlength=7) + prior) / (
        np.bincount(dow, weights=by_hour[hod] * local, minlength=7) + prior
    )
    factors: Floats = np.outer(by_day, by_hour).ravel()
    return factors / float(factors.mean())


def _moving_mean(values: Floats, weights: Floats, width: int) -> Floats:
    """The mean of ``values`` over the ``width`` hours centred on each hour (fewer at the
    ends), counting only hours of weight 1."""
    size = len(values)
    sums = np.empty(size + 1)
    sums[0] = 0.0
    np.cumsum(values, out=sums[1:])
    counts = np.empty(size + 1)
    counts[0] = 0.0
    np.cumsum(weights, out=counts[1:])
    low, high = _edges(size, width)
    out: Floats = (sums[high] - sums[low]) / np.maximum(counts[high] - counts[low], 1.0)
    return out


@functools.lru_cache(maxsize=8)
def _edges(size: int, width: int) -> tuple[Ints, Ints]:
    """The first and past-the-last index of the ``width`` hours centred on each of ``size``
    hours (clipped to the range): the same for every baseline of a configuration."""
    index = np.arange(size)
    low = np.clip(index - width // 2, 0, size)
    high = np.clip(index + width // 2, 0, size)
    low.flags.writeable = high.flags.writeable = False
    return low, high


def _level(
    clean: Floats, weights: Floats, valid: npt.NDArray[np.bool_], config: DetectorConfig
) -> tuple[float, float]:
    """Posts per hour at a profile of 1 now (with the trend, when asked and measurable),
    and the dispersion of the hourly counts around ``level * profile``."""
    span = config.baseline_days * 24
    counts, weight, ok = clean[-span:], weights[-span:], valid[-span:]
    total, exposure = float(counts[ok].sum()), float(weight[ok].sum())
    if exposure <= 0:
        return math.nan, 1.0
    level = total / exposure
    dispersion = 1.0
    if level > 0:
        fitted = level * weight[ok]
        pearson = float((np.square(counts[ok] - fitted) / fitted).mean())
        dispersion = min(max(pearson, 1.0), config.max_dispersion)
    if not config.trend or not ok.all() or level <= 0:
        return level, dispersion
    half = span // 2
    k = _TREND_PRIOR
    older = (float(counts[:half].sum()) + k) / (float(weight[:half].sum()) + k / level)
    recent = (float(counts[half:].sum()) + k) / (float(weight[half:].sum()) + k / level)
    # Soft threshold: a change within one standard error of log(growth) is noise.
    noise = math.sqrt(
        dispersion / (float(counts[:half].sum()) + k)
        + dispersion / (float(counts[half:].sum()) + k)
    )
    log_growth = math.log(recent / older)
    log_growth = math.copysign(max(abs(log_growth) - noise, 0.0), log_growth)
    bound = math.log(config.max_trend)
    # The level is measured at the middle of the span, half a span ago: carry it forward.
    return level * math.exp(min(max(log_growth, -bound), bound)), dispersion


def _shares(
    history: HourlyHistory,
    hour: int,
    first_hour: int,
    config: DetectorConfig,
    priors: tuple[float, float],
) -> tuple[float, float]:
    """The usual negative and positive shares over the ``baseline_days`` before the gap (see
    the module docstring; positive counts are not winsorised, they only serve to recognise a
    happy wave)."""
    span, gap = config.baseline_days * 24, config.baseline_gap_hours
    hours = np.arange(hour - gap - span, hour - gap, dtype=np.int64)
    slots = hours % history.size
    usable = (
        (history.hour[slots] == hours)
        & (hours >= first_hour)
        & ~history.flagged[slots]
        & ~history.share_flagged[slots]
    )
    picked = slots[usable]
    known = history.known[picked]
    negative = history.neg[picked]
    at_close = history.share[picked]
    has = ~np.isnan(at_close)
    p = np.where(has, at_close, 0.0)
    bound = known * p + config.clip_sigmas * np.sqrt(known * p * (1.0 - p)) + 1.0
    negative = np.where(has, np.minimum(negative, bound), negative)
    a = config.share_prior_posts
    total = float(known.sum()) + a
    if total <= 0:
        return priors
    return (
        float((negative.sum() + a * priors[0]) / total),
        float((history.pos[picked].sum() + a * priors[1]) / total),
    )
