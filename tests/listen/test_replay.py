"""Replays in simulated time: the episodes file, the step live listening shares, the command."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.core.db import make_engine
from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.domain import Brand
from confiance.listen.alerts.model import Observation
from confiance.listen.replay import Episode, load_episodes, play
from confiance.listen.watch import BrandWatch
from confiance.store import alerts, brands, migrate

START = datetime(2026, 9, 1, tzinfo=UTC)
ONSET = START + timedelta(days=20, hours=18)


def everyday(rng: random.Random, days: int) -> list[Observation]:
    """About three posts an hour, busier in the evening, one in six negative."""
    found = []
    for hour in range(days * 24):
        rate = 5.0 if 18 <= hour % 24 <= 22 else 2.0 if 8 <= hour % 24 < 18 else 0.5
        for _ in range(sum(rng.random() < rate / 10 for _ in range(10))):
            at = START + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            sentiment = "negative" if rng.random() < 0.16 else rng.choice(
                ("positive", "positive", "neutral"))
            found.append(Observation(
                key=f"x:{len(found)}", at=at.timestamp(), platform=rng.choice(("x", "instagram")),
                sentiment=sentiment, text=rng.choice(("Bougie parfaite pour le salon",
                                                      "Livraison rapide, merci",
                                                      "Odeur un peu faible cette fois")),
                author=f"user{rng.randrange(400)}", followers=rng.randrange(50, 900),
                engagement=rng.randrange(0, 20)))
    return found


def backlash(rng: random.Random) -> list[Observation]:
    """Forty angry posts in the twenty minutes after the onset."""
    return [Observation(
        key=f"x:b{index}", at=(ONSET + timedelta(seconds=30 * index)).timestamp(), platform="x",
        sentiment="negative", text="Hausse des prix scandaleuse #BoycottMaisonLumiere",
        hashtags=("BoycottMaisonLumiere",), author=f"angry{index}",
        followers=rng.randrange(100, 3000), engagement=rng.randrange(5, 200))
        for index in range(40)]


@pytest.fixture
def stream_with_crisis() -> list[Observation]:
    rng = random.Random(3)
    return sorted(everyday(rng, 28) + backlash(rng), key=lambda seen: seen.at)


def test_a_sudden_backlash_is_alerted_within_minutes(stream_with_crisis: list[Observation]
                                                     ) -> None:
    episode = Episode("backlash", ONSET, ONSET + timedelta(hours=12))
    report = play(stream_with_crisis, [episode])
    found = report.episodes[0]
    assert found.detected and found.time_to_alert_s is not None
    assert 0 <= found.time_to_alert_s <= 600
    assert found.first_alert is not None and found.first_alert["episode"] == "backlash"
    assert report.posts == len(stream_with_crisis) and report.steps > 0
    assert report.weeks == pytest.approx(4.0, abs=0.1)
    assert report.false_alarms == sum(1 for alert in report.alerts if alert["episode"] is None)


def test_a_replay_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    gc.unfreeze()  # whatever an earlier test of this process froze
    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    calm = sorted(everyday(random.Random(4), 8), key=lambda seen: seen.at)
    assert play(calm, []).posts == len(calm)
    assert (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled()) == before


def test_without_the_backlash_the_episode_is_missed_and_alarms_are_counted() -> None:
    calm = sorted(everyday(random.Random(3), 28), key=lambda seen: seen.at)
    report = play(calm, [Episode("backlash", ONSET, ONSET + timedelta(hours=12))])
    assert not report.episodes[0].detected and report.episodes[0].time_to_alert_s is None
    assert report.false_alarms_per_week == pytest.approx(report.false_alarms / report.weeks,
                                                         abs=0.01)


def test_repeated_signals_are_written_once_per_refresh(stream_with_crisis: list[Observation]
                                                       ) -> None:
    engine = make_engine(Settings(database_url="sqlite://"))
    migrate.upgrade(engine)
    brand_id = brands.add(engine, Brand(name="Maison Lumière"))
    watch = BrandWatch(brand_id, refresh_s=3600.0)
    written = 0
    with engine.begin() as conn:
        for minute in range(0, 28 * 24 * 60):
            now = START.timestamp() + 60 * (minute + 1)
            batch = [seen for seen in stream_with_crisis if now - 60 <= seen.at < now]
            if batch:
                due, changes = watch.step(conn, batch, now)
                assert len(due) == len(changes)
                written += len(due)
        page = alerts.list_alerts(conn, brand_id, limit=200)
    assert page.items, "the backlash opened alerts"
    assert watch.signals > written, "repeats within the refresh period were not written"
    assert sum(alert.firings for alert in page.items) == written


def test_episodes_file_errors_say_what_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "episodes.json"
    cases = {"[{\"name\": \"a\", \"start\": \"2026-10-16T16:00:00\", \"end\": "
             "\"2026-10-17T16:00:00\"}]": "zone",
             "[{\"name\": \"a\", \"start\": \"2026-10-16T16:00:00Z\", \"end\": "
             "\"2026-10-15T16:00:00Z\"}]": "before it starts",
             "[{\"name\": \"a\", \"start\": \"2026-10-16T16:00:00Z\"}]": "end",
             "{not json": "json"}
    for text, words in cases.items():
        path.write_text(text)
        with pytest.raises(ConfianceError) as caught:
            load_episodes(path)
        assert caught.value.code == "E740" and words in caught.value.message.lower()
    with pytest.raises(ConfianceError, match="E740"):
        load_episodes(tmp_path / "missing.json")
    path.write_text('[{"name": "a", "start": "2026-10-16T16:00:00Z", '
                    '"end": "2026-10-17T16:00:00+02:00"}]')
    assert load_episodes(path)[0].name == "a"


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_episodes_file_loads_or_fails_with_e740(tmp_path_factory: pytest.TempPathFactory,
                                                   content: bytes) -> None:
    path = tmp_path_factory.mktemp("episodes") / "episodes.json"
    path.write_bytes(content)
    try:
        load_episodes(path)
    except ConfianceError as error:
        assert error.code == "E740"


def run(args: list[str], cwd: Path, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONFIANCE_DATABASE_URL": database_url, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "confiance", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_replay_command_reports_episodes_as_json(tmp_path: Path, sqlite_url: str) -> None:
    from confiance.demo import write_stream

    write_stream(tmp_path, posts=400, days=21,
                 end=datetime(2026, 11, 15, tzinfo=UTC))
    episodes = tmp_path / "episodes.json"
    episodes.write_text(json.dumps([{"name": "nothing", "start": "2026-11-10T00:00:00Z",
                                     "end": "2026-11-11T00:00:00Z"}]))
    args = ["replay", str(tmp_path / "stream.ndjson"), "--format", "ndjson", "--episodes",
            str(episodes)]
    result = run([*args, "--json"], tmp_path, sqlite_url)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) >= {"episodes", "false_alarms_per_week", "posts_per_minute"}
    assert set(report["episodes"][0]) >= {"name", "detected", "time_to_alert_s"}
    assert report["posts"] == 400 and report["posts_per_minute"] > 0
    assert not report["enrichment_cached"]
    again = json.loads(run([*args, "--json"], tmp_path, sqlite_url).stdout)
    assert again["enrichment_cached"] and again["false_alarms"] == report["false_alarms"]
    text = run(args, tmp_path, sqlite_url).stdout
    assert "Replayed 400 posts" in text and "False alarms" in text
    assert run(["init"], tmp_path, sqlite_url).returncode == 0
    unknown = run([*args, "--brand", "Nobody"], tmp_path, sqlite_url)
    assert unknown.returncode == 1 and "E301" in unknown.stderr


def test_replay_tries_detector_settings_before_they_go_live(tmp_path: Path,
                                                            sqlite_url: str) -> None:
    from confiance.demo import write_stream

    write_stream(tmp_path, posts=400, days=21, end=datetime(2026, 11, 15, tzinfo=UTC))
    episodes = tmp_path / "episodes.json"
    episodes.write_text("[]")
    args = ["replay", str(tmp_path / "stream.ndjson"), "--format", "ndjson", "--episodes",
            str(episodes), "--json"]
    plain = json.loads(run(args, tmp_path, sqlite_url).stdout)
    loud = {"extra_risk_terms": ["bougie*"], "risk_min_followers": 1, "risk_min_authors": 1}
    tried = run([*args, "--params", json.dumps(loud)], tmp_path, sqlite_url)
    assert tried.returncode == 0, tried.stderr
    report = json.loads(tried.stdout)
    assert [a for a in plain["alerts"] if a["subject"] == "bougie*"] == []
    assert [a for a in report["alerts"] if a["subject"] == "bougie*"]
    for bad, why in (('{"no_such_setting": 1}', "no such setting"), ("{oops", "not JSON"),
                     ('{"extra_risk_terms": "bougie*"}', "list of words")):
        refused = run([*args, "--params", bad], tmp_path, sqlite_url)
        assert refused.returncode == 1 and "E722" in refused.stderr, refused.stderr
        assert why in refused.stderr
