from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from confiance.demo import (
    SCENARIOS,
    ScenarioManifest,
    generate,
    generate_scenario,
    write_stream,
)
from confiance.demo.phrases_scenarios import SCENARIO_EN, SCENARIO_FR
from confiance.demo.scenario_crises import (
    BOYCOTT_AFTER,
    BOYCOTT_KEYS,
    BOYCOTT_REPLIES,
    BOYCOTT_TAIL,
    VIRAL_AFTER,
    VIRAL_POSTS,
    VIRAL_REPLIES,
    VIRAL_THREAD,
)
from confiance.demo.scenario_plan import (
    SEASON_REVIEWS,
    SEASON_SOCIAL,
    SEASON_THREADS,
    SEASON_VIDEOS,
)
from confiance.demo.text import BANKS
from confiance.demo.timeline import paris_hour
from confiance.domain import Post
from confiance.sources import x_v2

FILES = ("stream.ndjson", "episodes.json", "labels.ndjson", "manifest.json")
LABEL_KEYS = [
    "platform",
    "platform_id",
    "topic",
    "sentiment",
    "language",
    "mixed",
    "target",
    "campaign",
    "episode",
    "author_role",
]


class Replay:
    """One generated scenario, read back the way a replay would read it."""

    def __init__(self, folder: Path, manifest: ScenarioManifest) -> None:
        self.folder = folder
        self.manifest = manifest
        self.lines = (folder / "stream.ndjson").read_bytes().splitlines()
        self.posts = [Post.model_validate_json(line) for line in self.lines]
        self.labels: list[dict[str, Any]] = [
            orjson.loads(line) for line in (folder / "labels.ndjson").read_bytes().splitlines()
        ]
        self.episodes: list[dict[str, str]] = orjson.loads((folder / "episodes.json").read_bytes())

    def window(self) -> tuple[datetime, datetime]:
        (episode,) = self.episodes
        return _time(episode["start"]), _time(episode["end"])

    def split(self) -> tuple[list[int], list[int]]:
        start, end = self.window()
        inside = [i for i, p in enumerate(self.posts) if start <= _at(p) < end]
        outside = [i for i, p in enumerate(self.posts) if not start <= _at(p) < end]
        return inside, outside

    def negative(self, indexes: list[int]) -> float:
        return sum(bool(self.labels[i]["sentiment"] == "neg") for i in indexes) / len(indexes)

    def between(self, start: datetime, end: datetime) -> list[int]:
        return [i for i, p in enumerate(self.posts) if start <= _at(p) < end]


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _at(post: Post) -> datetime:
    assert post.created_at is not None
    return post.created_at


@pytest.fixture(scope="module")
def replays(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Replay]:
    found = {}
    for name in SCENARIOS:
        folder = tmp_path_factory.mktemp(name)
        found[name] = Replay(folder, generate_scenario(folder, name))
    return found


# ---------------------------------------------------------------------------- files


def test_the_named_scenarios_exist() -> None:
    assert {"calme", "boycott-lent", "post-viral", "pic-saisonnier"} <= set(SCENARIOS)
    assert all(scenario.summary for scenario in SCENARIOS.values())


def test_every_line_is_a_canonical_post_and_every_platform_is_there(
    replays: dict[str, Replay],
) -> None:
    for name, replay in replays.items():
        assert all((replay.folder / f).is_file() for f in FILES)
        for line, post in zip(replay.lines, replay.posts, strict=True):
            assert post.model_dump_json().encode() == line
        platforms = {p.platform.value for p in replay.posts}
        assert platforms == {
            "x",
            "instagram",
            "facebook",
            "youtube",
            "reddit",
            "trustpilot",
            "google",
            "appstore",
            "googleplay",
        }, name
        assert len({(p.platform, p.platform_id) for p in replay.posts}) == len(replay.posts)


def test_stream_is_sorted_and_labels_follow_it_line_by_line(replays: dict[str, Replay]) -> None:
    for replay in replays.values():
        times = [_at(p) for p in replay.posts]
        assert times == sorted(times)
        assert len(replay.labels) == len(replay.posts)
        for post, label in zip(replay.posts, replay.labels, strict=True):
            assert list(label) == LABEL_KEYS
            assert (label["platform"], label["platform_id"]) == (
                post.platform.value,
                post.platform_id,
            )
            assert label["sentiment"] in {"pos", "neu", "neg"}
        ids = {p.platform_id for p in replay.posts}
        assert all(p.parent_id in ids for p in replay.posts if p.parent_id)


def test_sizes_and_manifest(replays: dict[str, Replay]) -> None:
    for name, replay in replays.items():
        written = orjson.loads((replay.folder / "manifest.json").read_bytes())
        assert written == orjson.loads(orjson.dumps(replay.manifest.to_dict()))
        assert written["scenario"] == name and written["days"] == 90
        assert written["posts"] == len(replay.posts) == written["files"]["stream.ndjson"]
        assert written["episodes"] == replay.episodes
        assert written["files"]["episodes.json"] == len(replay.episodes)
        assert sum(written["sentiments"].values()) == len(replay.posts)
        assert written["brand"]["name"] == "Maison Lumière"
    assert replays["calme"].manifest.posts == replays["boycott-lent"].manifest.posts == 6000
    assert replays["pic-saisonnier"].manifest.posts == 6000
    assert 6000 + 300 <= replays["post-viral"].manifest.posts <= 6000 + 1500
    assert replays["calme"].manifest.campaign is None
    assert replays["boycott-lent"].manifest.campaign is not None


def test_episodes_have_the_demo_shape_and_lie_inside_the_stream(replays: dict[str, Replay]) -> None:
    assert replays["calme"].episodes == [] and replays["pic-saisonnier"].episodes == []
    for name in ("boycott-lent", "post-viral"):
        replay = replays[name]
        assert [list(e) for e in replay.episodes] == [["name", "start", "end"]]
        assert replay.episodes[0]["start"].endswith("Z") and replay.episodes[0]["name"] == name
        start, end = replay.window()
        assert _at(replay.posts[0]) < start < end < _at(replay.posts[-1])
        for post, label in zip(replay.posts, replay.labels, strict=True):
            if label["episode"]:
                assert start <= _at(post) < end, post.text
        labelled = [
            _at(p) for p, lab in zip(replay.posts, replay.labels, strict=True) if lab["episode"]
        ]
        assert min(labelled) == start and max(labelled) < end


def test_same_seed_gives_identical_bytes_another_seed_other_data(tmp_path: Path) -> None:
    for name in SCENARIOS:
        first = generate_scenario(tmp_path / f"{name}-a", name, seed=5, posts=1500)
        generate_scenario(tmp_path / f"{name}-b", name, seed=5, posts=1500)
        generate_scenario(tmp_path / f"{name}-c", name, seed=6, posts=1500)
        a, b, c = ({f: (tmp_path / f"{name}-{x}" / f).read_bytes() for f in FILES} for x in "abc")
        assert a == b, name
        assert a["stream.ndjson"] != c["stream.ndjson"]
        assert a["episodes.json"] == c["episodes.json"]
        assert first.posts >= 1500


def test_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        generate_scenario(tmp_path, "panique")
    with pytest.raises(ValueError, match="at least 1000 posts"):
        generate_scenario(tmp_path, "calme", posts=100)
    with pytest.raises(ValueError, match="at least 30 days"):
        generate_scenario(tmp_path, "calme", days=10)
    end = datetime(2025, 6, 1, tzinfo=UTC)
    manifest = generate_scenario(tmp_path, "boycott-lent", posts=1200, days=45, end=end)
    assert manifest.posts == 1200 and manifest.start == end - timedelta(days=45)
    assert manifest.start < _time(manifest.episodes[0]["start"]) < end


# ---------------------------------------------------------------------------- storylines


def test_no_scenario_carries_the_price_backlash(replays: dict[str, Replay]) -> None:
    for replay in replays.values():
        topics = {label["topic"] for label in replay.labels}
        assert not topics & {
            "backlash",
            "backlash_reply",
            "critic",
            "announce",
            "response",
            "switch",
        }
        assert not [p for p in replay.posts if "BoycottMaisonLumiere" in p.hashtags]
        assert not [p for p in replay.posts if p.author and p.author.handle == "DecrypteurConso"]
    calm = replays["calme"]
    assert not [p for p in calm.posts if "MaLumiereAMoi" in p.hashtags]
    assert not [lab for lab in calm.labels if lab["episode"] or lab["campaign"]]


def test_the_boycott_builds_up_slowly_then_fades(replays: dict[str, Replay]) -> None:
    replay = replays["boycott-lent"]
    start, end = replay.window()
    inside, outside = replay.split()
    hours = (end - start).total_seconds() / 3600
    rate_in, rate_out = len(inside) / hours, len(outside) / (90 * 24 - hours)
    assert rate_in > 1.8 * rate_out
    assert replay.negative(inside) > 0.3 > 0.2 > replay.negative(outside)

    def storyline(lo: float, hi: float) -> int:
        return sum(
            replay.labels[i]["episode"]
            for i in replay.between(start + timedelta(hours=lo), start + timedelta(hours=hi))
        )

    assert storyline(0, 1) < 5 * rate_out  # no burst at the start
    assert storyline(0, 24) * 2 < storyline(48, 72) < storyline(72, 96) * 1.5
    assert storyline(hours - 24, hours) * 3 < storyline(72, 96)
    tagged = [i for i, p in enumerate(replay.posts) if "StopBougiesToxiques" in p.hashtags]
    assert len(tagged) > 60 and min(_at(replay.posts[i]) for i in tagged) >= start
    assert len({replay.posts[i].platform for i in tagged}) >= 3
    call = next(
        p
        for p, lab in zip(replay.posts, replay.labels, strict=True)
        if _at(p) == start and lab["topic"] == "boycott_call"
    )
    assert (
        call.platform.value == "x"
        and call.author is not None
        and (call.author.followers or 0) < 10_000
    )
    assert "StopBougiesToxiques" in call.hashtags


def test_the_viral_post_bursts_within_the_hour_and_fades_in_two_days(
    replays: dict[str, Replay],
) -> None:
    replay = replays["post-viral"]
    start, end = replay.window()
    inside, outside = replay.split()
    rate_out = len(outside) / (90 * 24 - (end - start).total_seconds() / 3600)
    first_hour = replay.between(start, start + timedelta(hours=1))
    assert len(first_hour) > 100 and len(first_hour) > 30 * rate_out
    assert replay.negative(inside) > 0.4 > 0.25 > replay.negative(outside)
    day_one = replay.between(start, start + timedelta(hours=24))
    day_two = replay.between(start + timedelta(hours=24), end)
    assert len(day_two) * 4 < len(day_one)
    viral = next(p for p in replay.posts if _at(p) == start and p.platform.value == "x")
    assert viral.author is not None and (viral.author.followers or 0) > 200_000
    assert (viral.metrics.views or 0) > 100_000 and (viral.metrics.likes or 0) > 1_000
    assert viral.media and viral.media[0].type.value == "image"
    replies = [p for p in replay.posts if p.parent_id == viral.platform_id]
    assert len(replies) > 250 and (viral.metrics.comments or 0) >= len(replies)
    defending = [i for i in inside if replay.labels[i]["topic"] == "viral_defend"]
    assert all(replay.labels[i]["sentiment"] == "pos" for i in defending) and len(defending) > 30


def test_the_christmas_peak_triples_volume_but_not_negativity(replays: dict[str, Replay]) -> None:
    replay = replays["pic-saisonnier"]
    begin = replay.manifest.start
    before = replay.between(begin + timedelta(days=27), begin + timedelta(days=48))
    peak = replay.between(begin + timedelta(days=62), begin + timedelta(days=76))
    ratio = (len(peak) / 14) / (len(before) / 21)
    assert 2.3 < ratio < 4.0
    assert abs(replay.negative(peak) - replay.negative(before)) < 0.05
    days = Counter((_at(replay.posts[i]) - begin).days for i in peak)
    assert max(days.values()) < 2.5 * min(days.values())  # a plateau, not a spike
    hours = Counter(paris_hour(int(_at(replay.posts[i]).timestamp())) for i in peak)
    assert sum(hours[h] for h in (18, 19, 20, 21)) > 3 * sum(hours[h] for h in (2, 3, 4, 5))
    gifts = [i for i in peak if replay.labels[i]["topic"] in {"noel", "gift", "promo"}]
    assert len(gifts) > 0.3 * len(peak)
    assert not [lab for lab in replay.labels if lab["episode"]]


def test_texts_read_like_posts_and_reviews_agree_with_their_labels(
    replays: dict[str, Replay],
) -> None:
    for replay in replays.values():
        texts = [p.text or "" for p in replay.posts]
        assert len(set(texts)) > 0.97 * len(texts)
        assert not [t for t in texts if "{" in t or "}" in t or not t.strip()]
        assert all(len(p.text or "") <= 280 for p in replay.posts if p.platform.value == "x")
        for post, label in zip(replay.posts, replay.labels, strict=True):
            if post.rating is not None:
                assert (
                    (post.rating >= 4)
                    if label["sentiment"] == "pos"
                    else (post.rating <= 3 if label["sentiment"] == "neg" else True)
                )
    boycott = replays["boycott-lent"]
    words = [
        (p.text or "").lower()
        for p, lab in zip(boycott.posts, boycott.labels, strict=True)
        if lab["topic"].startswith("boycott") and lab["language"] == "fr"
    ]
    assert sum("paraffine" in w or "palme" in w or "composition" in w for w in words) > 0.3 * len(
        words
    )


def test_every_storyline_key_has_french_and_english_sentences() -> None:
    tables = (
        BOYCOTT_KEYS,
        BOYCOTT_AFTER,
        BOYCOTT_TAIL,
        *BOYCOTT_REPLIES.values(),
        VIRAL_REPLIES,
        VIRAL_POSTS,
        VIRAL_AFTER,
        VIRAL_THREAD,
        SEASON_SOCIAL,
        SEASON_REVIEWS,
        SEASON_THREADS,
        SEASON_VIDEOS,
    )
    keys = {key for table in tables for key, _ in table} | {"brand_reply:boycott"}
    for key in keys:
        assert key in SCENARIO_FR or key in BANKS["fr"], key
        assert key in SCENARIO_EN or key in BANKS["en"], key


# ---------------------------------------------------------------------------- the demo


def test_write_stream_replays_the_demo_in_one_format(tmp_path: Path) -> None:
    generate(tmp_path, posts=1500)
    assert write_stream(tmp_path, posts=1500) == 1500
    lines = (tmp_path / "stream.ndjson").read_bytes().splitlines()
    posts = [Post.model_validate_json(line) for line in lines]
    assert [_at(p) for p in posts] == sorted(_at(p) for p in posts)
    with (tmp_path / "x-v2.jsonl").open("rb") as stream:
        imported = [p for p in x_v2.FORMATS[0].read(stream) if isinstance(p, Post)]
    expected = {p.model_copy(update={"raw": None}).model_dump_json().encode() for p in imported}
    expected |= set((tmp_path / "canonical.ndjson").read_bytes().splitlines())
    assert set(lines) == expected and len(lines) == len(expected)
    labels = [orjson.loads(line) for line in (tmp_path / "labels.ndjson").read_bytes().splitlines()]
    assert [(p.platform.value, p.platform_id) for p in posts] == [
        (lab["platform"], lab["platform_id"]) for lab in labels
    ]
