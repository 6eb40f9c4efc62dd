"""The crisis detectors, and :class:`AlertEngine` that runs them over a brand's stream.

One engine reads one brand's enriched posts (:class:`~confiance.listen.alerts.model.Observation`)
in batches, with the current (possibly simulated) time, and answers the signals of that
moment. Each batch updates the counts of the scopes it touches (the brand, ``all``, and each
platform, ``platform:<name>``) and the signals are computed for those scopes. The engine
never reads the wall clock; time never goes back (an earlier ``now`` counts as the latest).

**Work per post is O(1)**: a post is counted in its minute's bucket (see
:mod:`~confiance.listen.alerts.windows`), its terms in the brand's term windows
(:mod:`~confiance.listen.alerts.terms`), its audience in the reach histograms
(:mod:`~confiance.listen.alerts.reach`). A call then runs a few comparisons per scope and
window, and per distinct term of the batch; tail probabilities are computed only for the
windows that pass the cheap thresholds (minimum posts, minimum ratio), and a scope's
baseline (:mod:`~confiance.listen.alerts.baseline`) is recomputed at most once per simulated
hour, and only when a window needs it.

**Repeats.** While its condition holds, a detector emits its signal again on every call
whose batch touches the scope (for an emerging term: whose batch uses the term); a
high-reach post is signalled when it is observed (again if it is observed again with its new
counts). The alert lifecycle merges the signals of one episode by ``Signal.episode_key``.

**Warm-up.** Volume, negative-share and emerging-term signals need ``warmup_days`` (7) of
history in the scope; high-reach signals need ``reach_min_history`` posts of the brand (to
know what its usual audience is).

1. **VOLUME.** For each window ``W`` (10 min, 1 h, 6 h, 24 h) the posts ``n`` are compared with
   ``mu``, the baseline's expected count for the same span (hour of week profile, trend-
   following level, spikes cleaned out). It fires when ``n >= volume_min_posts[W]``, ``n >=
   volume_min_ratio[W] mu`` and ``score = -log10 P(Poisson(mu / phi) >= n / phi) >=
   volume_min_score``, a quasi-Poisson test where ``phi`` is the scope's overdispersion (bursty
   talk needs a larger excess; see ``baseline``); the window with the highest score is
   reported. A surge is a *happy wave*, not a crisis, when among its ``known`` posts with a
   sentiment the negative ones are clearly fewer than the usual share ``p`` (``neg / known <
   positive_share_ratio p`` and ``-log10 P(Binomial(known, p) <= neg) >= positive_min_score``),
   or when they are no more than usual and the positive ones clearly more than the usual
   positive share ``r`` (``-log10 P(Binomial(known, r) >= pos) >= positive_min_score``): the
   second test sees a campaign of 20 posts (19 positive where 60 % are usual: score 3.3) that
   the first, with 1 negative where 3.4 are usual, cannot tell from chance. In a long window a
   wave is diluted in a day of usual talk, so the *excess* is judged too: taking out the ``mu``
   posts of usual talk (at the usual shares), the rest is a happy wave when its negative share
   is under ``positive_share_ratio p`` and its positive share above ``r``. With
   ``ignore_positive_surges`` (the default) a happy wave raises no signal; without it, its
   severity is lowered by 1.
   Severity: ``1 + floor(log2(n / mu))`` (x2: 2, x4: 3, x8: 4, x16: 5), plus 1 when the
   window's negative share is also significantly high (``>= p + share_min_excess`` with a
   binomial score of 3 or more); otherwise at most 3 (a surge of usual talk is worth a look,
   not an emergency), 1 less for a happy wave; within 1..5.
2. **NEGATIVE_SHARE.** For each window, the negative posts ``k`` among ``m`` posts with a
   sentiment against the usual share ``p``: it fires when ``m >= share_min_posts``, ``k >=
   share_min_negative``, ``k/m >= share_min_ratio p``, ``k/m - p >= share_min_excess`` and
   ``-log10 P(Binomial(m / phi, p) >= k / phi) >= share_min_score`` (negative replies come in
   threads too). Severity by the excess ``k/m - p``: under 0.15: 1, 0.25: 2, 0.35: 3, 0.5: 4,
   above: 5, plus 1 when the window's volume is also at least 3 times its expected count,
   within 1..5.
3. **EMERGING_TERM.** For each term of the batch and each term window (10 min, 1 h, 6 h), the
   posts ``c`` that use it among the brand's ``N`` posts of the window, against its background
   share ``q`` (decayed, with a prior: see ``terms``): it fires when ``c >=
   emerging_min_mentions``, ``c >= emerging_min_ratio q N``, ``-log10 P(Binomial(N, q) >= c) >=
   emerging_min_score`` and at least ``emerging_min_authors`` distinct authors used it. Terms
   are compared by share, so a term that only follows a surge of volume does not emerge, and
   the daily rhythm needs no correction. With ``ignore_positive_surges``, a term whose posts
   are less negative than ``positive_share_ratio p`` is dropped as part of a happy wave (a
   handful of posts cannot prove it, so the observed share decides); a term of which most posts
   (``emerging_overlap``) also use a term signalled in the last ``emerging_merge_hours``
   belongs to that term's episode and is not signalled again; at most ``emerging_max_signals``
   per call, strongest first; computed for the brand as a whole (``all``), as a new word on one
   platform is new for the brand too. Severity: 1, plus 1 for each of: lift ``c / (q N)`` at
   least 4 times ``emerging_min_ratio``; the term in 20 % of the window's posts or more; half
   its posts negative or more (and twice the usual share); ``c`` at least 5 times
   ``emerging_min_mentions``; within 1..5.
4. **HIGH_REACH.** A negative post whose author's followers are at least ``max(
   reach_min_followers, F)``, or whose engagement is at least ``max(reach_min_engagement, E)``,
   where ``F`` and ``E`` are the ``reach_quantile`` (99 %) of the brand's posts of the last
   weeks (nothing before ``reach_min_history`` posts were seen). ``m`` is the larger of
   followers / threshold and engagement / threshold; severity ``1 + floor(log2 m)`` (x2: 2, x4:
   3, x8: 4, x16: 5), within 1..5; the score is ``-log10`` of the share of the brand's posts
   with that much reach. Scope: the post's platform; subject: the post key.

5. **RISK_TERM.** A negative post that uses a crisis word of ``risk_terms``, from a loud author
   or among several authors: see :mod:`~confiance.listen.alerts.risk`. No warm-up.

Defaults (see :class:`~confiance.listen.alerts.config.DetectorConfig`) were set on the demo
storyline and the crisis scenarios of :mod:`confiance.demo.scenarios`, seeds 1, 2, 3 and 7,
replayed minute by minute (``benchmarks/alert_engine.py --quality --scenarios``): the demo's
price backlash is signalled 2 to 5 minutes after it starts and the viral post within a
minute; the slow boycott, whose first hours hold a handful of posts, 36 minutes to 21 hours
in (an emerging hashtag or the negative share of the day); false alarms (alert episodes, 6
hours apart, starting outside every labelled episode) averaged 0.19 a week over the 20
streams (at most 0.67), on the demo 0.08 to 0.16: campaign launches seen as volume surges of
usual tone (severity 3 at most), negative posts of accounts with 100,000 followers or more,
and a few bursts of replies.
"""

from __future__ import annotations

import dataclasses
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from confiance.core.errors import ConfianceError
from confiance.listen.alerts import state as saved
from confiance.listen.alerts.baseline import Baseline, LocalClock, compute
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.evidence import Kept, evidence_of, window_evidence
from confiance.listen.alerts.model import ALL_SCOPE, Detector, Observation, Signal
from confiance.listen.alerts.reach import ReachStats
from confiance.listen.alerts.risk import RiskTerms
from confiance.listen.alerts.signals import (
    Scope,
    TermContext,
    clamp,
    emerging_signals,
    finite,
    high_reach_signals,
    log2_severity,
)
from confiance.listen.alerts.stats import binomial_low_score, binomial_score, poisson_score
from confiance.listen.alerts.terms import Item, TermStats, post_terms
from confiance.listen.alerts.windows import TOP_POSTS, rank

NEGATIVE = "negative"
POSITIVE = "positive"
MAX_TIME = 1e11
"""Times beyond this many seconds from 1970 (year 5138) are not believed."""
_SHARE_STEPS = (0.15, 0.25, 0.35, 0.5)


class AlertEngine:
    """The detectors of one brand over its stream of observations (see the module doc)."""

    # The default is a frozen (immutable) dataclass, safe to share.
    def __init__(
        self,
        config: DetectorConfig = DetectorConfig(),  # noqa: B008
        *,
        state: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.clock = LocalClock(config.timezone)
        self.now = -math.inf
        self.scopes: dict[str, Scope] = {}
        self.terms = TermStats(
            config.emerging_windows,
            cap=config.emerging_min_authors,
            memory_days=config.emerging_memory_days,
            prior=config.emerging_prior,
        )
        self.reach = ReachStats(memory_days=config.reach_memory_days)
        self.risk = RiskTerms(config)
        self.recent_terms: dict[str, float] = {}
        """Terms signalled lately, with the time of their last signal."""
        self._wanted: Callable[[Signal], bool] | None = None
        lengths = config.windows
        self._cover = [
            next((i for i, w in enumerate(lengths) if w >= length), len(lengths) - 1)
            for length in config.emerging_windows
        ]
        if state is not None:
            try:
                saved.restore(self, state)
            except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
                raise ConfianceError("E702", detail=str(error) or type(error).__name__) from error

    # ------------------------------------------------------------------------- public

    def observe(self, batch: Sequence[Observation], now: float, *,
                wanted: Callable[[Signal], bool] | None = None) -> list[Signal]:
        """Count the posts that arrived since the last call and return the signals of
        ``now`` (UTC epoch seconds): see the module docstring.

        ``wanted``, when given, says which volume and negative-share signals will be used:
        the others come without their window's top terms, posts and authors (gathering them
        is most of a signal's cost, and a caller that only writes a repeated signal every
        so often has no use for them)."""
        if not (isinstance(now, int | float) and -MAX_TIME < now < MAX_TIME):
            return []
        self._wanted = wanted
        now = max(float(now), self.now)
        self.now = now
        end = math.ceil(now / 60.0)
        hour = (end - 1) // 60
        limits = self._reach_limits(hour)
        groups, term_posts, hits = self._group(batch, now, end, limits)
        touched = self._count(groups, end, hour)
        self.terms.advance(end)
        batch_terms: dict[str, int] = {}
        for minute, posts in term_posts.items():
            batch_terms.update(self.terms.add(minute, posts))
        signals: list[Signal] = []
        for scope in touched:
            signals.extend(self._evaluate(scope, now, end, hour))
        signals.extend(self._emerging(batch_terms, now, end, hour))
        signals.extend(self.risk.observe([i for items in term_posts.values() for i in items],
                                         now))
        signals.extend(
            high_reach_signals(
                hits,
                scopes=self.scopes,
                terms=self.terms,
                reach=self.reach,
                window=self._cover[-1],
                limits=limits,
                now=now,
            )
        )
        return signals

    def state(self) -> dict[str, Any]:
        """Everything the engine knows, JSON-ready: ``AlertEngine(config, state=...)``
        goes on exactly where this one is."""
        return saved.dump(self)

    # ------------------------------------------------------------------------- counting

    def _reach_limits(self, hour: int) -> tuple[float, float]:
        c = self.config
        followers, engagement = self.reach.thresholds(hour, c.reach_quantile, c.reach_min_history)
        return (
            max(float(c.reach_min_followers), followers),
            max(float(c.reach_min_engagement), engagement),
        )

    def _group(
        self, batch: Iterable[Observation], now: float, end: int, limits: tuple[float, float]
    ) -> tuple[dict[tuple[str, int], list[Item]], dict[int, list[Item]], list[Item]]:
        """The batch by (platform, minute) and by minute, with each post's terms, and the
        negative posts with a high reach (checked against the thresholds before the batch
        counts in the reach histograms)."""
        groups: dict[tuple[str, int], list[Item]] = {}
        minutes: dict[int, list[Item]] = {}
        hits: list[Item] = []
        followers_limit, engagement_limit = limits
        followers: list[int | None] = []
        engagement: list[int] = []
        last = end - 1
        for obs in batch:
            at = obs.at
            if not -MAX_TIME < at < MAX_TIME:
                continue
            minute = int(min(at, now) // 60)
            if minute > last:
                minute = last
            item = (obs, post_terms(obs.text, obs.hashtags, obs.topics))
            group = groups.get((obs.platform, minute))
            if group is None:
                groups[(obs.platform, minute)] = [item]
                if minute not in minutes:
                    minutes[minute] = []
            else:
                group.append(item)
            count, reach = obs.followers, obs.engagement
            if obs.sentiment == NEGATIVE and (
                (count or 0) >= followers_limit or reach >= engagement_limit
            ):
                hits.append(item)
            followers.append(count)
            engagement.append(reach)
        for (_, minute), items in groups.items():
            minutes[minute].extend(items)
        self.reach.add_many(followers, engagement)
        return groups, minutes, hits

    def _count(self, groups: dict[tuple[str, int], list[Item]], end: int, hour: int) -> list[Scope]:
        """Count every group in its platform's scope and in ``all``; the scopes touched,
        ``all`` first."""
        touched: dict[str, Scope] = {}
        size = self.config.evidence_posts_per_minute
        for (platform, minute), items in groups.items():
            n = len(items)
            moods = Counter([obs.sentiment for obs, _ in items])
            counts = (n, n - moods[None], moods[NEGATIVE], moods[POSITIVE])
            kept: list[Kept] = [(evidence_of(obs), terms) for obs, terms in items[:size]]
            if n <= size:
                # As heapq.nlargest, which a few posts would only slow down.
                ranked = sorted((e for e, _ in kept), key=rank, reverse=True)[:TOP_POSTS]
            else:
                best = heapq.nlargest(TOP_POSTS, items, key=_item_rank)
                ranked = [evidence_of(obs) for obs, _ in best]
            for name in (ALL_SCOPE, f"platform:{platform}"):
                scope = touched.get(name) or self._scope(name, minute * 60.0)
                touched[name] = scope
                scope.first_at = min(scope.first_at, minute * 60.0)
                scope.counts.advance(end)
                scope.counts.add(minute, counts, kept, ranked)
                scope.history.add(minute // 60, counts, newest=hour)
        return list(touched.values())

    def _scope(self, name: str, first_at: float) -> Scope:
        scope = self.scopes.get(name)
        if scope is None:
            scope = self.scopes[name] = Scope(name, first_at, self.config)
        return scope

    def _baseline(self, scope: Scope, hour: int) -> Baseline:
        """The scope's baseline for ``hour`` (computed when the hour changed)."""
        current = scope.baseline
        if current is not None and current.hour >= hour:
            return current
        if current is not None:
            scope.history.close(current.hour, hour - 1, current, self.clock)
        brand = self.scopes.get(ALL_SCOPE)
        priors = (
            (brand.baseline.share, brand.baseline.positive)
            if scope.name != ALL_SCOPE and brand is not None and brand.baseline is not None
            else (self.config.share_prior, self.config.share_prior_positive)
        )
        first_hour = math.floor(scope.first_at / 3600.0)
        scope.baseline = compute(scope.history, hour, first_hour, self.clock, self.config, priors)
        return scope.baseline

    def _warm(self, scope: Scope, now: float) -> bool:
        return now - scope.first_at >= self.config.warmup_days * 86400.0

    # ------------------------------------------------------------------------- volume, share

    def _evaluate(self, scope: Scope, now: float, end: int, hour: int) -> list[Signal]:
        if not self._warm(scope, now):
            return []
        out = []
        for found in (self._volume(scope, now, end, hour), self._share(scope, now, end, hour)):
            if found is not None:
                out.append(found)
        return out

    def _best_volume(
        self, scope: Scope, now: float, end: int, hour: int
    ) -> tuple[float, int, float] | None:
        """(score, window, expected posts) of the volume window that fires best, or None."""
        c = self.config
        best: tuple[float, int, float] | None = None
        for w, length in enumerate(c.windows):
            n = scope.counts.sums[w][0]
            if n < c.volume_min_posts[w]:
                continue
            baseline = self._baseline(scope, hour)
            mu = baseline.expected((end - length) * 60.0, now)
            if n < c.volume_min_ratio[w] * mu:
                continue
            phi = baseline.dispersion
            score = poisson_score(n / phi, mu / phi)
            if score >= c.volume_min_score and (best is None or score > best[0]):
                best = (score, w, mu)
        return best

    def _volume(self, scope: Scope, now: float, end: int, hour: int) -> Signal | None:
        c = self.config
        best = self._best_volume(scope, now, end, hour)
        if best is None:
            return None
        score, w, mu = best
        n, known, negative, positive = scope.counts.sums[w]
        baseline = self._baseline(scope, hour)
        usual = baseline.share
        happy = _happy((n, known, negative, positive), mu, baseline, c)
        if c.ignore_positive_surges and happy:
            return None
        ratio = n / mu if mu > 0 else math.inf
        share = negative / known if known else 0.0
        severity = log2_severity(ratio)
        if (
            known
            and share >= usual + c.share_min_excess
            and binomial_score(negative, known, usual) >= 3.0
        ):
            severity += 1
        else:
            severity = min(severity, 3) - happy
        length = c.windows[w]
        scope.history.flag((end - length) // 60, hour, share=False)
        details = {
            "window_minutes": float(length),
            "ratio": finite(ratio),
            "negative": float(negative),
            "known_sentiment": float(known),
            "negative_share": share,
            "usual_negative_share": usual,
            "positive": float(positive),
            "usual_positive_share": baseline.positive,
            "level_per_hour": finite(baseline.level),
            "dispersion": baseline.dispersion,
        }
        return self._signal(
            Detector.VOLUME, scope, w, now, end, severity, float(n), mu, "posts", score, details
        )

    def _best_share(self, scope: Scope, hour: int) -> tuple[float, int] | None:
        """(score, window) of the negative-share window that fires best, or None."""
        c = self.config
        best: tuple[float, int] | None = None
        for w in range(len(c.windows)):
            _, known, negative, _ = scope.counts.sums[w]
            if known < c.share_min_posts or negative < c.share_min_negative:
                continue
            baseline = self._baseline(scope, hour)
            usual, phi = baseline.share, baseline.dispersion
            share = negative / known
            if share < c.share_min_ratio * usual or share - usual < c.share_min_excess:
                continue
            score = binomial_score(negative / phi, known / phi, usual)
            if score >= c.share_min_score and (best is None or score > best[0]):
                best = (score, w)
        return best

    def _share(self, scope: Scope, now: float, end: int, hour: int) -> Signal | None:
        c = self.config
        best = self._best_share(scope, hour)
        if best is None:
            return None
        score, w = best
        n, known, negative, _ = scope.counts.sums[w]
        baseline = self._baseline(scope, hour)
        usual, share = baseline.share, negative / known
        length = c.windows[w]
        mu = baseline.expected((end - length) * 60.0, now)
        severity = 1 + sum(share - usual >= step for step in _SHARE_STEPS)
        if n >= 3.0 * mu:
            severity += 1
        scope.history.flag((end - length) // 60, hour, share=True)
        details = {
            "window_minutes": float(length),
            "negative": float(negative),
            "known_sentiment": float(known),
            "posts": float(n),
            "expected_posts": mu,
            "dispersion": baseline.dispersion,
            "volume_ratio": finite(n / mu if mu > 0 else math.inf),
        }
        return self._signal(
            Detector.NEGATIVE_SHARE,
            scope,
            w,
            now,
            end,
            severity,
            share,
            usual,
            "share",
            score,
            details,
        )

    def _signal(
        self,
        detector: Detector,
        scope: Scope,
        w: int,
        now: float,
        end: int,
        severity: int,
        observed: float,
        expected: float,
        unit: str,
        score: float,
        details: dict[str, float],
    ) -> Signal:
        details["score"] = score
        signal = Signal(
            detector=detector,
            scope=scope.name,
            subject=None,
            severity=clamp(severity),
            window_start=(end - self.config.windows[w]) * 60.0,
            window_end=now,
            observed=observed,
            expected=expected,
            unit=unit,
            score=score,
            details=details,
        )
        if self._wanted is not None and not self._wanted(signal):
            return signal
        terms, posts, authors = window_evidence(scope.counts, w, self.terms.background.shares(end))
        return dataclasses.replace(signal, top_terms=terms, top_posts=posts, top_authors=authors)

    # ------------------------------------------------------------------------- terms

    def _emerging(self, terms: Iterable[str], now: float, end: int, hour: int) -> list[Signal]:
        brand = self.scopes.get(ALL_SCOPE)
        if brand is None or not self._warm(brand, now) or self.config.emerging_max_signals == 0:
            return []
        context = TermContext(
            self.config, self.terms, brand, self._cover, self._baseline(brand, hour).share
        )
        signals, self.recent_terms = emerging_signals(context, terms, now, end, self.recent_terms)
        return signals


# ----------------------------------------------------------------------------- helpers


def _item_rank(item: Item) -> tuple[int, int]:
    obs = item[0]
    return (obs.engagement, obs.followers or 0)


def _happy(counts: Sequence[int], mu: float, baseline: Baseline, config: DetectorConfig) -> bool:
    """Whether a surge is a happy wave (see the module docstring, VOLUME)."""
    n, known, negative, positive = counts
    if not known:
        return False
    share, usual = negative / known, baseline.share
    if (
        share < config.positive_share_ratio * usual
        and binomial_low_score(negative, known, usual) >= config.positive_min_score
    ):
        return True
    if (
        share <= usual
        and binomial_score(positive, known, baseline.positive) >= config.positive_min_score
    ):
        return True
    # The excess alone: what the window holds beyond the usual talk it was expected to hold.
    usual_known = min(mu * known / n, known * 0.999)
    extra = known - usual_known
    extra_negative = max(negative - usual_known * usual, 0.0) / extra
    extra_positive = max(positive - usual_known * baseline.positive, 0.0) / extra
    return (
        extra_negative < config.positive_share_ratio * usual and extra_positive > baseline.positive
    )
