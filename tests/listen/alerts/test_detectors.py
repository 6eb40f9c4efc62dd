"""The detectors on synthetic streams and on the demo's backlash: what fires, when, and what
does not."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import orjson
import pytest

from confiance.core.errors import ConfianceError
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.detectors import AlertEngine
from confiance.listen.alerts.model import ALL_SCOPE, Detector, Observation, Signal

from .synthetic import DAY, HOUR, START, Event, batches, replay, stream

ONSET = 8 * DAY + 19 * HOUR
"""A Tuesday evening, after the 7-day warm-up."""
BACKLASH = Event(
    ONSET,
    ONSET + 6 * HOUR,
    per_hour=90,
    negative=0.7,
    words=("#boycottlumiere", "scandale"),
    prefix="angry",
)


def first(signals: list[Signal], detector: Detector, *, after: float = 0.0) -> Signal | None:
    return next((s for s in signals if s.detector == detector and s.window_end >= after), None)


@pytest.fixture(scope="module")
def backlash_signals() -> list[Signal]:
    observations = stream(days=10, per_hour=4, seed=3, events=[BACKLASH])
    return replay(AlertEngine(), observations)


def test_a_backlash_is_signalled_within_ten_minutes(backlash_signals: list[Signal]) -> None:
    onset = START + ONSET
    before = [s for s in backlash_signals if s.window_end < onset]
    assert not [s for s in before if s.detector != Detector.HIGH_REACH]
    volume = first(backlash_signals, Detector.VOLUME, after=onset)
    share = first(backlash_signals, Detector.NEGATIVE_SHARE, after=onset)
    term = first(backlash_signals, Detector.EMERGING_TERM, after=onset)
    assert volume is not None and volume.window_end - onset <= 600
    assert volume.observed > 3 * volume.expected and volume.unit == "posts"
    assert share is not None and share.window_end - onset <= 1800
    assert share.observed > 0.5 > share.expected and share.unit == "share"
    assert term is not None and term.window_end - onset <= 1800
    assert term.subject in {"#boycottlumiere", "scandale"} and term.unit == "mentions"


def test_a_backlash_gets_the_highest_severity(backlash_signals: list[Signal]) -> None:
    onset = START + ONSET
    during = [s for s in backlash_signals if onset <= s.window_end < onset + 3 * HOUR]
    assert max(s.severity for s in during if s.detector == Detector.VOLUME) == 5
    assert max(s.severity for s in during if s.detector == Detector.NEGATIVE_SHARE) >= 4


def test_signals_repeat_while_the_backlash_lasts(backlash_signals: list[Signal]) -> None:
    onset = START + ONSET
    keys = [
        s.episode_key
        for s in backlash_signals
        if s.detector == Detector.VOLUME
        and s.scope == ALL_SCOPE
        and onset <= s.window_end < onset + 2 * HOUR
    ]
    assert len(keys) > 60
    assert set(keys) == {f"volume|{ALL_SCOPE}|"}


def test_one_backlash_gives_one_emerging_term(backlash_signals: list[Signal]) -> None:
    onset = START + ONSET
    subjects = {
        s.subject
        for s in backlash_signals
        if s.detector == Detector.EMERGING_TERM and s.window_end >= onset
    }
    assert len(subjects) == 1
    signal = first(backlash_signals, Detector.EMERGING_TERM, after=onset)
    assert signal is not None
    terms = dict(signal.top_terms)
    assert {"#boycottlumiere", "scandale"} <= set(terms)


def test_a_signal_comes_with_its_evidence(backlash_signals: list[Signal]) -> None:
    onset = START + ONSET
    for signal in backlash_signals:
        assert 1 <= signal.severity <= 5
        assert signal.window_start <= signal.window_end
        assert len(signal.top_terms) <= 10 and len(signal.top_posts) <= 5
        assert len(signal.top_authors) <= 5
    volume = first(backlash_signals, Detector.VOLUME, after=onset + HOUR)
    assert volume is not None
    assert len(volume.top_posts) == 5 and len(volume.top_authors) == 5
    engagement = [p.engagement for p in volume.top_posts]
    assert engagement == sorted(engagement, reverse=True)
    assert all(volume.window_start <= p.at <= volume.window_end for p in volume.top_posts)
    counts = [n for _, n in volume.top_authors]
    assert counts == sorted(counts, reverse=True)
    assert "#boycottlumiere" in dict(volume.top_terms)
    assert volume.details["window_minutes"] in (10.0, 60.0, 360.0, 1440.0)
    assert volume.score >= DetectorConfig().volume_min_score


def test_quiet_talk_raises_no_alarm() -> None:
    signals = replay(AlertEngine(), stream(days=16, per_hour=4, seed=5))
    assert [s for s in signals if s.detector != Detector.HIGH_REACH] == []


def test_a_seasonal_ramp_is_not_a_spike() -> None:
    observations = stream(days=22, per_hour=4, seed=7, growth=3.0, growth_days=14)
    signals = replay(AlertEngine(), observations)
    assert [s for s in signals if s.detector == Detector.VOLUME] == []


def test_a_happy_wave_is_not_a_crisis() -> None:
    wave = Event(
        ONSET,
        ONSET + 3 * HOUR,
        per_hour=30,
        negative=0.02,
        positive=0.95,
        words=("#malumiereamoi",),
        prefix="fan",
    )
    observations = stream(days=10, per_hour=4, seed=9, events=[wave])
    ignored = replay(AlertEngine(), observations)
    assert [s for s in ignored if s.detector in (Detector.VOLUME, Detector.EMERGING_TERM)] == []
    config = DetectorConfig(ignore_positive_surges=False)
    kept = replay(AlertEngine(config), observations)
    volume = first(kept, Detector.VOLUME, after=START + ONSET)
    assert volume is not None and volume.severity <= 3


def test_nothing_but_high_reach_during_the_warm_up() -> None:
    early = Event(3 * DAY, 3 * DAY + 4 * HOUR, per_hour=60, words=("#boycottlumiere",))
    signals = replay(AlertEngine(), stream(days=5, per_hour=4, seed=11, events=[early]))
    # Risk terms need no history: a boycott hashtag is a crisis word from the first day.
    assert {s.detector for s in signals} <= {Detector.HIGH_REACH, Detector.RISK_TERM}
    assert Detector.RISK_TERM in {s.detector for s in signals}
    warm = replay(
        AlertEngine(DetectorConfig(warmup_days=2)),
        stream(days=5, per_hour=4, seed=11, events=[early]),
    )
    assert first(warm, Detector.VOLUME) is not None


def test_one_spammer_cannot_make_a_term_emerge() -> None:
    spam = Event(
        ONSET,
        ONSET + HOUR,
        per_hour=40,
        negative=0.9,
        words=("#arnaquelumiere",),
        authors=1,
        prefix="spammer",
    )
    signals = replay(AlertEngine(), stream(days=10, per_hour=4, seed=13, events=[spam]))
    assert "#arnaquelumiere" not in {s.subject for s in signals}
    crowd = replace(spam, authors=500)
    signals = replay(AlertEngine(), stream(days=10, per_hour=4, seed=13, events=[crowd]))
    assert "#arnaquelumiere" in {s.subject for s in signals}


def _post(
    key: str, at: float, *, followers: int, sentiment: str = "negative", engagement: int = 3
) -> Observation:
    return Observation(
        key=key,
        at=at,
        platform="x",
        sentiment=sentiment,
        text="ces bougies sont une arnaque",
        author=key,
        followers=followers,
        engagement=engagement,
    )


def test_a_negative_post_from_a_large_audience_is_signalled() -> None:
    engine = AlertEngine()
    replay(engine, stream(days=3, per_hour=4, seed=17))
    now = START + 3 * DAY + 60
    big = _post("x:big", now - 30, followers=400_000)
    praise = _post("x:praise", now - 20, followers=900_000, sentiment="positive")
    small = _post("x:small", now - 10, followers=900)
    signals = engine.observe([big, praise, small], now)
    reach = [s for s in signals if s.detector == Detector.HIGH_REACH]
    assert [s.subject for s in reach] == ["x:big"]
    signal = reach[0]
    assert signal.scope == "platform:x" and signal.unit == "followers"
    assert signal.severity == 5 and signal.top_posts[0].key == "x:big"
    assert signal.observed == 400_000 and signal.expected >= 10_000


def test_no_high_reach_signal_before_the_usual_audience_is_known() -> None:
    engine = AlertEngine()
    signals = engine.observe([_post("x:big", START, followers=400_000)], START + 60)
    assert [s.detector for s in signals] == [Detector.RISK_TERM]  # "arnaque", no history


def test_a_saved_engine_goes_on_exactly_where_it_was() -> None:
    observations = stream(days=10, per_hour=4, seed=3, events=[BACKLASH])
    steps = list(batches(observations))
    cut = next(i for i, (now, _) in enumerate(steps) if now > START + ONSET + 20 * 60)
    whole = AlertEngine()
    expected = [whole.observe(batch, now) for now, batch in steps]
    first_half = AlertEngine()
    for now, batch in steps[:cut]:
        first_half.observe(batch, now)
    saved = orjson.loads(orjson.dumps(first_half.state()))
    restored = AlertEngine(state=saved)
    resumed = [restored.observe(batch, now) for now, batch in steps[cut:]]
    assert resumed == expected[cut:]
    assert sum(len(s) for s in resumed) > 50


def test_unwanted_signals_come_without_evidence_and_change_nothing_else() -> None:
    steps = list(batches(stream(days=10, per_hour=4, seed=3, events=[BACKLASH])))
    full = AlertEngine()
    expected = [full.observe(batch, now) for now, batch in steps]
    picky = AlertEngine()
    asked: list[Signal] = []

    def every_other(signal: Signal) -> bool:
        asked.append(signal)
        return len(asked) % 2 == 0

    got = [picky.observe(batch, now, wanted=every_other) for now, batch in steps]
    assert len(asked) > 20
    bare = {"top_terms": (), "top_posts": (), "top_authors": ()}
    verdicts = iter(i % 2 == 1 for i in range(len(asked)))
    for mine, theirs in zip(got, expected, strict=True):
        assert len(mine) == len(theirs)
        for signal, reference in zip(mine, theirs, strict=True):
            if signal.detector in (Detector.VOLUME, Detector.NEGATIVE_SHARE):
                assert signal == (reference if next(verdicts) else replace(reference, **bare))
            else:  # the other detectors always carry theirs
                assert signal == reference
    assert next(verdicts, None) is None
    assert sum(bool(s.top_posts) for batch in got for s in batch) > 10
    assert picky.state() == full.state()


def test_a_state_that_does_not_fit_is_refused() -> None:
    engine = AlertEngine()
    replay(engine, stream(days=1, per_hour=4, seed=19))
    state = json.loads(json.dumps(engine.state()))
    with pytest.raises(ConfianceError) as error:
        AlertEngine(
            DetectorConfig(windows=(10, 60), volume_min_posts=(8, 12), volume_min_ratio=(3.0, 2.5)),
            state=state,
        )
    assert error.value.code == "E702"
    state["scopes"]["all"]["counts"] = "damaged"
    with pytest.raises(ConfianceError) as error:
        AlertEngine(state=state)
    assert error.value.code == "E702"


def test_late_posts_count_in_their_own_minute() -> None:
    engine = AlertEngine(DetectorConfig(warmup_days=0))
    now = START + 600.0
    on_time = [_post(f"x:{i}", now - 30, followers=10, sentiment="neutral") for i in range(3)]
    engine.observe(on_time, now)
    late = [_post(f"x:late{i}", now - 300, followers=10, sentiment="neutral") for i in range(4)]
    engine.observe(late, now + 60)
    scope = engine.scopes[ALL_SCOPE]
    assert scope.counts.sums[0][0] == 7
    assert [b.n for b in scope.counts.buckets] == [4, 3]


def test_time_never_goes_back_and_nothing_reads_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_clock() -> float:
        raise AssertionError("the engine read the wall clock")

    monkeypatch.setattr(time, "time", no_clock)
    engine = AlertEngine(DetectorConfig(warmup_days=0))
    engine.observe([_post("x:1", START, followers=10)], START + 120)
    engine.observe([_post("x:2", START, followers=10)], START - 3600)
    assert engine.now == START + 120
    assert engine.scopes[ALL_SCOPE].counts.sums[0][0] == 2


def _demo_observations(folder: Path) -> tuple[list[Observation], float]:
    """The brand's demo items as observations (answer-key sentiment), and the backlash start."""
    from datetime import datetime

    from confiance.core.plugins import plugin_manager
    from confiance.demo import generate
    from confiance.domain.records import Post
    from confiance.sources.registry import FormatRegistry

    generate(folder, seed=7)
    labels = {}
    for line in (folder / "labels.ndjson").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[(row["platform"], row["platform_id"])] = row
    posts: list[Post] = []
    with (folder / "x-v2.jsonl").open("rb") as pages:
        x_format = FormatRegistry.from_plugins(plugin_manager()).get("x-v2")
        posts.extend(item for item in x_format.read(pages) if isinstance(item, Post))
    for line in (folder / "canonical.ndjson").read_bytes().splitlines():
        posts.append(Post.model_validate_json(line))
    names = {"pos": "positive", "neu": "neutral", "neg": "negative"}
    out = []
    for post in posts:
        label = labels[(str(post.platform), post.platform_id)]
        if label["target"] != "brand" or post.created_at is None:
            continue
        metrics = post.metrics
        out.append(
            Observation(
                key=f"{post.platform}:{post.platform_id}",
                at=post.created_at.timestamp(),
                platform=str(post.platform),
                sentiment=names[label["sentiment"]],
                text=post.text or "",
                hashtags=tuple(post.hashtags),
                author=post.author.handle if post.author else None,
                followers=post.author.followers if post.author else None,
                engagement=sum(v or 0 for v in (metrics.likes, metrics.comments, metrics.shares)),
            )
        )
    out.sort(key=lambda o: (o.at, o.key))
    episode = json.loads((folder / "episodes.json").read_text(encoding="utf-8"))[0]
    return out, datetime.fromisoformat(episode["start"].replace("Z", "+00:00")).timestamp()


def test_the_demo_backlash_is_signalled_within_ten_minutes(tmp_path: Path) -> None:
    observations, onset = _demo_observations(tmp_path)
    signals = replay(AlertEngine(), observations)
    inside = [s for s in signals if onset <= s.window_end < onset + 84 * HOUR]
    assert min(s.window_end for s in inside) - onset <= 600
    assert {
        Detector.VOLUME,
        Detector.NEGATIVE_SHARE,
        Detector.EMERGING_TERM,
        Detector.HIGH_REACH,
    } <= {s.detector for s in inside}
    outside = {s.episode_key for s in signals if s.window_end < onset}
    assert len(outside) <= 8
