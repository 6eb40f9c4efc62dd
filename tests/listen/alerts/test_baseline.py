"""Baselines, tail scores, sliding windows and terms: the arithmetic under the detectors."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime
from random import Random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from confiance.listen.alerts.baseline import HourlyHistory, LocalClock, compute
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.model import Observation
from confiance.listen.alerts.stats import binomial_low_score, binomial_score, poisson_score
from confiance.listen.alerts.terms import Background, TermStats, TermWindows, post_terms
from confiance.listen.alerts.windows import CountWindows

CONFIG = DetectorConfig()
MONDAY = int(datetime(2026, 9, 7, tzinfo=UTC).timestamp()) // 3600
"""A Monday, 00:00 UTC (02:00 in Paris), as an hour number."""


def _profile(hour: int) -> float:
    """Busy Paris evenings, quiet nights, busier weekends (the truth the tests fit)."""
    local = datetime.fromtimestamp(hour * 3600, UTC).astimezone(LocalClock("Europe/Paris").zone)
    evening = 2.0 if 18 <= local.hour <= 22 else (0.3 if local.hour < 7 else 1.0)
    return evening * (1.4 if local.weekday() >= 5 else 1.0)


def _history(
    hours: int,
    rate: float,
    *,
    seed: int = 1,
    growth: float = 1.0,
    spikes: dict[int, int] | None = None,
) -> HourlyHistory:
    """``hours`` hours of Poisson counts up to :data:`MONDAY` + ``hours``."""
    rng = np.random.default_rng(seed)
    history = HourlyHistory(CONFIG.profile_days * 24 + 72)
    for offset in range(hours):
        hour = MONDAY + offset
        mean = rate * _profile(hour) * growth ** (offset / hours)
        count = int(rng.poisson(mean)) + (spikes or {}).get(offset, 0)
        negative = int(rng.binomial(count, 0.2))
        history.add(hour, (count, count, negative, count - negative), newest=hour)
    return history


def test_paris_hours_of_week_follow_summer_time() -> None:
    clock = LocalClock("Europe/Paris")
    # 2026-10-25 01:00 UTC: summer time ends; Sunday 02:00 CEST becomes 02:00 CET.
    change = int(datetime(2026, 10, 25, 1, tzinfo=UTC).timestamp()) // 3600
    week = clock.hours_of_week(change - 2, 4).tolist()
    sunday = 6 * 24
    assert week == [sunday + 1, sunday + 2, sunday + 2, sunday + 3]
    assert clock.hours_of_week(MONDAY, 1).tolist() == [2]


def test_hour_of_week_ranges_answer_as_a_fresh_clock_and_are_read_only() -> None:
    clock = LocalClock("Europe/Paris")
    change = int(datetime(2026, 10, 25, 1, tzinfo=UTC).timestamp()) // 3600
    asks = [(change - 30 + 7 * i % 23, 1 + 13 * i % 700) for i in range(40)]
    for first, count in asks + asks[::-1]:
        kept = clock.hours_of_week(first, count)
        fresh = LocalClock("Europe/Paris").hours_of_week(first, count)
        assert kept.tolist() == fresh.tolist()
        with pytest.raises(ValueError, match="read-only"):
            kept[0] = 0


def test_the_profile_and_level_match_the_truth() -> None:
    rate = 3.0
    history = _history(28 * 24, rate, seed=2)
    hour = MONDAY + 28 * 24
    baseline = compute(history, hour, MONDAY, LocalClock("Europe/Paris"), CONFIG, (0.2, 0.5))
    clock = LocalClock("Europe/Paris")
    week = clock.hours_of_week(hour - 7 * 24, 7 * 24)
    truth = np.array([_profile(h) for h in range(hour - 7 * 24, hour)])
    fitted = baseline.factors[week] * baseline.level
    assert np.corrcoef(fitted, truth)[0, 1] > 0.9
    assert fitted.sum() == pytest.approx((rate * truth).sum(), rel=0.12)
    assert baseline.share == pytest.approx(0.2, abs=0.04)
    assert 1.0 <= baseline.dispersion < 1.5


def test_a_signalled_spike_does_not_raise_the_baseline() -> None:
    clock = LocalClock("Europe/Paris")
    hour = MONDAY + 28 * 24
    quiet = _history(28 * 24, 3.0, seed=3)
    spiky = _history(28 * 24, 3.0, seed=3, spikes={offset: 80 for offset in range(640, 652)})
    before = compute(quiet, hour - 30, MONDAY, clock, CONFIG, (0.2, 0.5))
    for history in (quiet, spiky):
        history.close(MONDAY, hour - 1, before, clock)
    spiky.flag(MONDAY + 640, MONDAY + 651, share=False)
    plain = compute(quiet, hour, MONDAY, clock, CONFIG, (0.2, 0.5)).level
    flagged = compute(spiky, hour, MONDAY, clock, CONFIG, (0.2, 0.5)).level
    assert flagged == pytest.approx(plain, rel=0.1)
    unflagged = compute(
        _closed(spiky, before, clock, hour), hour, MONDAY, clock, CONFIG, (0.2, 0.5)
    ).level
    raw_excess = 80 * 12 / (7 * 24)
    assert unflagged - plain < raw_excess / 3


def _closed(
    history: HourlyHistory, baseline: object, clock: LocalClock, hour: int
) -> HourlyHistory:
    """A copy of ``history`` without its flags."""
    copy = HourlyHistory.from_state(history.to_state())
    copy.flagged[:] = False
    return copy


def test_the_level_follows_a_seasonal_ramp() -> None:
    clock = LocalClock("Europe/Paris")
    hours = 28 * 24
    history = _history(hours, 3.0, seed=4, growth=3.0**2)
    hour = MONDAY + hours
    baseline = compute(history, hour, MONDAY, clock, CONFIG, (0.2, 0.5))
    flat = compute(history, hour, MONDAY, clock, DetectorConfig(trend=False), (0.2, 0.5))
    now = baseline.expected((hour - 24) * 3600.0, hour * 3600.0)
    truth = sum(3.0 * _profile(h) * 9.0 ** ((h - MONDAY) / hours) for h in range(hour - 24, hour))
    assert now == pytest.approx(truth, rel=0.15)
    assert abs(now - truth) < abs(flat.expected((hour - 24) * 3600.0, hour * 3600.0) - truth)


def test_expected_counts_add_up_over_partial_hours() -> None:
    history = _history(10 * 24, 3.0, seed=5)
    hour = MONDAY + 10 * 24
    baseline = compute(history, hour, MONDAY, LocalClock("UTC"), CONFIG, (0.2, 0.5))
    start, middle, end = (hour - 20) * 3600.0 + 900, (hour - 3) * 3600.0 + 100, hour * 3600.0
    whole = baseline.expected(start, end)
    assert whole == pytest.approx(baseline.expected(start, middle) + baseline.expected(middle, end))
    one_hour = baseline.expected((hour - 5) * 3600.0, (hour - 4) * 3600.0)
    assert baseline.expected((hour - 5) * 3600.0, (hour - 5) * 3600.0 + 1800) == (
        pytest.approx(one_hour / 2)
    )


@pytest.mark.parametrize(
    ("k", "mu"),
    [(1, 0.1), (5, 0.38), (9, 0.645), (14, 2.55), (100, 50.0), (5.3, 0.4), (12_000, 10_000.0)],
)
def test_the_poisson_score_is_the_gamma_tail(k: float, mu: float) -> None:
    assert poisson_score(k, mu) == pytest.approx(
        -math.log10(stats.gamma.cdf(mu, k)), rel=1e-6, abs=1e-6
    )


@pytest.mark.parametrize(
    ("k", "n", "p"),
    [(10, 16, 0.16), (60, 100, 0.16), (5.5, 12.2, 0.2), (300, 1000, 0.25), (1, 3, 0.01)],
)
def test_the_binomial_scores_are_the_beta_tails(k: float, n: float, p: float) -> None:
    assert binomial_score(k, n, p) == pytest.approx(
        -math.log10(stats.beta.cdf(p, k, n - k + 1)), rel=1e-6, abs=1e-6
    )
    low = int(n * p / 3)
    assert binomial_low_score(low, int(n), p) == pytest.approx(
        -math.log10(stats.binom.cdf(low, int(n), p)), rel=1e-6, abs=1e-6
    )


@given(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_nan=True, allow_infinity=True),
)
def test_scores_are_always_finite_and_bounded(k: float, n: float, p: float) -> None:
    for score in (poisson_score(k, n), binomial_score(k, n, p), binomial_low_score(k, n, p)):
        assert 0.0 <= score <= 300.0


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 3000), st.integers(1, 5), st.booleans(), st.integers(0, 40)),
        min_size=1,
        max_size=60,
    )
)
def test_sliding_sums_equal_a_recount(events: list[tuple[int, int, bool, int]]) -> None:
    """Posts at minutes (possibly late), times moving on: every window's sums are what a
    recount of the posts inside it gives."""
    lengths = (10, 60, 360, 1440)
    windows = CountWindows(lengths, 3)
    kept: list[tuple[int, int, int]] = []
    clock = 0
    for minute, count, negative, step in events:
        clock += step
        windows.advance(clock + 1)
        at = min(minute, clock)
        neg = count if negative else 0
        windows.add(at, (count, count, neg, 0), [], [])
        kept.append((at, count, neg))
        for w, length in enumerate(lengths):
            inside = [(m, n, k) for m, n, k in kept if clock + 1 - length <= m <= clock]
            assert windows.sums[w][:3] == [
                sum(n for _, n, _ in inside),
                sum(n for _, n, _ in inside),
                sum(k for _, _, k in inside),
            ]
            assert [b.minute for b in windows.window_buckets(w)] == sorted(
                {m for m, _, _ in inside}
            )


def _item(
    author: str, terms: tuple[str, ...], *, negative: bool = False
) -> tuple[Observation, tuple[str, ...]]:
    return (
        Observation(
            key=f"x:{author}",
            at=0.0,
            platform="x",
            sentiment="negative" if negative else "neutral",
            author=author,
        ),
        terms,
    )


def test_term_windows_count_authors_exactly_up_to_the_cap() -> None:
    windows = TermWindows((10, 60), unit=1, cap=3, background=None)
    windows.advance(1000)
    from confiance.listen.alerts.terms import prepare

    for minute, author in [(950, "a"), (960, "a"), (985, "b"), (995, "a"), (999, "c")]:
        windows.merge(minute, prepare([_item(author, ("#x",), negative=True)], 3))
    assert windows.authors("#x", 1) == 3
    assert windows.authors("#x", 0) == 2
    assert windows.counts[1]["#x"] == 5 and windows.negs[0]["#x"] == 2


@settings(max_examples=60, deadline=None, database=None)
@given(lengths=st.lists(st.integers(1, 1440), min_size=1, max_size=4, unique=True),
       steps=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 500),
                                st.sampled_from(["#a", "b", "c"])), max_size=40))
def test_the_longest_term_window_holds_every_shorter_ones_posts(
        lengths: list[int], steps: list[tuple[int, int, str]]) -> None:
    # The emerging-term test skips a term whose longest window has too few posts.
    terms = TermStats(sorted(lengths), cap=3, memory_days=1.0, prior=0.5)
    end = 0
    for gap, age, term in steps:
        end += gap
        terms.advance(end)
        terms.add(max(end - 1 - age, 0), [_item("u", (term,))])
        for word in ("#a", "b", "c"):
            longest = terms.count(word, len(lengths) - 1)
            assert all(terms.count(word, w) <= longest for w in range(len(lengths)))


def test_the_background_forgets_and_the_window_is_not_its_own_baseline() -> None:
    terms = TermStats((10, 60, 360), cap=3, memory_days=1.0, prior=0.5)
    rng = Random(1)
    for minute in range(0, 3000, 5):
        terms.advance(minute + 1)
        terms.add(minute, [_item(f"u{rng.randrange(50)}", ("bougie", "#old"))])
    old = terms.background.share("#old", 3000)
    assert old > 0.5
    assert terms.background.share("#new", 3000) < 0.01
    for minute in range(3000, 3000 + 5 * 1440, 60):
        terms.advance(minute + 1)
        terms.add(minute, [_item("u1", ("bougie",))])
    assert terms.background.share("#old", 3000 + 5 * 1440) < 0.2 * old
    unseen = terms.background.share("#new", 3000 + 5 * 1440)
    terms.add(3000 + 5 * 1440, [_item("u2", ("#new",), negative=True)] * 5)
    assert terms.count("#new", 0) == 5
    assert terms.background.share("#new", 3000 + 5 * 1440) == unseen


def test_post_terms_are_cheap_words_hashtags_percentages_and_topics() -> None:
    terms = post_terms(
        "Hausse des PRIX de +30 % chez @MaisonLumiere !! https://www.ml.fr "
        "#BoycottMaisonLumière, c'est l'Égalité en 2026",
        hashtags=("Boycott",),
        topics=("price",),
    )
    assert terms == (
        "hausse",
        "prix",
        "30%",
        "#boycottmaisonlumiere",
        "egalite",
        "#boycott",
        "topic:price",
    )
    assert Counter(post_terms("bougie bougie bougie")) == Counter({"bougie": 1})


@given(
    st.text(max_size=400),
    st.lists(st.text(max_size=30), max_size=5),
    st.lists(st.text(max_size=30), max_size=5),
)
def test_post_terms_never_fail(text: str, hashtags: list[str], topics: list[str]) -> None:
    terms = post_terms(text, hashtags, topics)
    assert len(terms) == len(set(terms)) <= 64
    assert all(term and len(term) <= 48 for term in terms)


def test_background_state_round_trip() -> None:
    background = Background(memory_days=2.0, prior=0.5)
    terms = TermStats((10, 360), cap=3, memory_days=2.0, prior=0.5)
    for minute in range(0, 2000, 7):
        terms.advance(minute + 1)
        terms.add(minute, [_item("a", ("x", "y"), negative=minute % 2 == 0)])
    copy = TermStats((10, 360), cap=3, memory_days=2.0, prior=0.5)
    copy.restore(terms.to_state())
    for window in range(2):
        assert copy.count("x", window) == terms.count("x", window)
        assert copy.negative("x", window) == terms.negative("x", window)
    assert copy.background.share("x", 2000) == terms.background.share("x", 2000)
    assert background.share("x", 10) == pytest.approx(0.5)
