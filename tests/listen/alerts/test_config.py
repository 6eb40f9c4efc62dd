"""Detector settings (checked overrides, E701) and the engine's robustness to any input."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.core.errors import CATALOGUE, ConfianceError
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.detectors import AlertEngine
from confiance.listen.alerts.model import Observation

NAMES = [item.name for item in fields(DetectorConfig)]


def test_the_defaults_are_valid_and_listed() -> None:
    config = DetectorConfig()
    assert config.warmup_days == 7
    assert len(config.volume_min_posts) == len(config.windows) == len(config.volume_min_ratio)
    assert set(config.as_dict()) == set(NAMES)
    assert orjson.loads(orjson.dumps(config.as_dict()))["windows"] == list(config.windows)
    assert "E701" in CATALOGUE and "E702" in CATALOGUE


def test_overrides_are_converted_and_checked() -> None:
    config = DetectorConfig().with_overrides(
        {
            "volume_min_score": "7.5",
            "share_min_posts": 30.0,
            "trend": "false",
            "windows": [5, 60],
            "volume_min_posts": ["6", 10],
            "volume_min_ratio": [4, 2.5],
            "timezone": "America/Montreal",
        }
    )
    assert config.volume_min_score == 7.5 and config.share_min_posts == 30
    assert isinstance(config.share_min_posts, int) and config.trend is False
    assert config.windows == (5, 60) and config.volume_min_posts == (6, 10)
    assert config.volume_min_ratio == (4.0, 2.5)
    assert DetectorConfig().with_overrides({}) == DetectorConfig()


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"volume_min_scor": 5}, "volume_min_scor"),
        ({"volume_min_score": -1}, "volume_min_score"),
        ({"volume_min_score": "beaucoup"}, "volume_min_score"),
        ({"volume_min_score": math.nan}, "volume_min_score"),
        ({"share_min_posts": 2.5}, "share_min_posts"),
        ({"share_min_posts": True}, "share_min_posts"),
        ({"windows": [60, 10], "volume_min_posts": [1, 1], "volume_min_ratio": [2, 2]}, "windows"),
        (
            {"windows": [10, 4000], "volume_min_posts": [1, 1], "volume_min_ratio": [2, 2]},
            "windows",
        ),
        ({"windows": [10, 60]}, "volume_min_posts"),
        ({"windows": "10,60"}, "windows"),
        ({"trend": "peut-être"}, "trend"),
        ({"timezone": "Europe/Lumiere"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"baseline_days": 30, "profile_days": 14}, "baseline_days"),
        ({"reach_quantile": 1.5}, "reach_quantile"),
    ],
)
def test_a_wrong_setting_is_refused_with_e701(overrides: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfianceError) as error:
        DetectorConfig().with_overrides(overrides)
    assert error.value.code == "E701"
    assert error.value.details["key"] == key
    assert key in error.value.message


def test_overrides_must_be_a_mapping() -> None:
    with pytest.raises(ConfianceError) as error:
        DetectorConfig().with_overrides([("trend", False)])  # type: ignore[arg-type]
    assert error.value.code == "E701"


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(
        st.one_of(st.integers(-5, 2000), st.floats(-5, 2000), st.text(max_size=4)), max_size=5
    ),
)


@settings(max_examples=300)
@given(st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)), VALUES, max_size=4))
def test_any_overrides_give_a_valid_config_or_e701(overrides: dict[str, Any]) -> None:
    try:
        config = DetectorConfig().with_overrides(overrides)
    except ConfianceError as error:
        assert error.code == "E701"
        return
    assert config == DetectorConfig(**{n: getattr(config, n) for n in NAMES})


START = 1_790_000_000.0
OBSERVATIONS = st.builds(
    Observation,
    key=st.text(max_size=12),
    at=st.one_of(
        st.floats(START - 40 * 86400, START + 86400), st.floats(allow_nan=True, allow_infinity=True)
    ),
    platform=st.sampled_from(["x", "instagram", "", "réseau"]),
    sentiment=st.sampled_from([None, "negative", "positive", "neutral", "???"]),
    text=st.text(max_size=80),
    hashtags=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    topics=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    author=st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d", "e"]), st.text(max_size=5)),
    followers=st.one_of(st.none(), st.integers(-(10**20), 10**20)),
    engagement=st.integers(-(10**20), 10**20),
    url=st.one_of(st.none(), st.text(max_size=10)),
    post_id=st.one_of(st.none(), st.integers(-10, 10**12)),
)
QUICK = DetectorConfig(
    warmup_days=0,
    reach_min_history=0,
    volume_min_posts=(1, 1, 1, 1),
    volume_min_score=0.5,
    share_min_posts=1,
    share_min_negative=1,
    share_min_score=0.5,
    emerging_min_mentions=1,
    emerging_min_authors=1,
    emerging_min_score=0.5,
    reach_min_followers=0,
    reach_min_engagement=0,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.lists(OBSERVATIONS, max_size=12),
            st.one_of(
                st.floats(START - 86400, START + 40 * 86400),
                st.floats(allow_nan=True, allow_infinity=True),
            ),
        ),
        max_size=6,
    )
)
def test_any_batches_never_break_the_engine(calls: list[tuple[list[Observation], float]]) -> None:
    engine = AlertEngine(QUICK)
    for batch, now in sorted(calls, key=lambda call: call[1] if math.isfinite(call[1]) else 0):
        for signal in engine.observe(batch, now):
            assert 1 <= signal.severity <= 5
            assert math.isfinite(signal.score) and signal.score >= 0
            assert len(signal.top_posts) <= 5 and len(signal.top_terms) <= 10
            assert len(signal.top_authors) <= 5
    restored = AlertEngine(QUICK, state=orjson.loads(orjson.dumps(engine.state())))
    assert orjson.dumps(restored.state()) == orjson.dumps(engine.state())
