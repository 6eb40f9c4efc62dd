from __future__ import annotations

import statistics
import tracemalloc
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson
import pytest

from confiance.demo import DEFAULT_END, DemoManifest, generate, iter_posts, write_canonical_ndjson
from confiance.demo.timeline import paris_offset, to_ts
from confiance.domain import Brand, Post, Rejected
from confiance.sources import x_v2

FILES = ("x-v2.jsonl", "canonical.ndjson", "episodes.json", "labels.ndjson", "manifest.json")
BRAND_ACCOUNTS = {"MaisonLumiere", "maisonlumiere", "BougiesCeleste", "bougiesceleste",
                  "AtelierFlamme", "atelierflamme"}


class Demo:
    """One generated data set, read back the way the importers will read it."""

    def __init__(self, folder: Path, manifest: DemoManifest) -> None:
        self.folder = folder
        self.manifest = manifest
        with (folder / "x-v2.jsonl").open("rb") as stream:
            self.x_items = list(x_v2.FORMATS[0].read(stream))
        self.lines = (folder / "canonical.ndjson").read_bytes().splitlines()
        self.posts = [i for i in self.x_items if isinstance(i, Post)]
        self.posts += [Post.model_validate_json(line) for line in self.lines]
        self.labels = {(row["platform"], row["platform_id"]): row for row in map(
            orjson.loads, (folder / "labels.ndjson").read_bytes().splitlines())}
        episode = orjson.loads((folder / "episodes.json").read_bytes())[0]
        self.episode = (_time(episode["start"]), _time(episode["end"]))

    def label(self, post: Post) -> dict[str, Any]:
        found: dict[str, Any] = self.labels[(post.platform.value, post.platform_id)]
        return found

    def in_episode(self, post: Post) -> bool:
        assert post.created_at is not None
        return self.episode[0] <= post.created_at < self.episode[1]


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _negative(demo: Demo, posts: list[Post]) -> float:
    return sum(1 for p in posts if demo.label(p)["sentiment"] == "neg") / len(posts)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo")
    return Demo(folder, generate(folder))


# ---------------------------------------------------------------------------- files


def test_writes_every_file_with_the_default_size(demo: Demo) -> None:
    assert all((demo.folder / name).is_file() for name in FILES)
    assert len(demo.posts) == demo.manifest.posts == 6000
    assert demo.manifest.files["x-v2.jsonl"] + demo.manifest.files["canonical.ndjson"] == 6000


def test_x_pages_are_read_by_the_x_v2_importer_without_rejection(demo: Demo) -> None:
    assert not [i for i in demo.x_items if isinstance(i, Rejected)]
    assert len(demo.x_items) == demo.manifest.files["x-v2.jsonl"] == demo.manifest.platforms["x"]
    pages = [orjson.loads(line) for line in (demo.folder / "x-v2.jsonl").read_bytes().splitlines()]
    assert all(set(page) == {"data", "includes", "meta"} for page in pages)
    assert all(len(page["data"]) == page["meta"]["result_count"] <= 100 for page in pages)
    assert all("next_token" in page["meta"] for page in pages[:-1])
    assert "next_token" not in pages[-1]["meta"]
    tweets = [t for page in pages for t in page["data"]]
    assert [int(t["id"]) for t in tweets] == sorted((int(t["id"]) for t in tweets), reverse=True)
    x_posts = [p for p in demo.posts if p.platform.value == "x"]
    assert all(p.author is not None and p.author.followers is not None for p in x_posts)
    assert sum(bool(p.media) for p in x_posts) > 100


def test_canonical_lines_validate_and_keep_the_model_dump_shape(demo: Demo) -> None:
    assert len(demo.lines) == demo.manifest.files["canonical.ndjson"]
    for line in demo.lines:
        assert Post.model_validate_json(line).model_dump_json().encode() == line
    platforms = {orjson.loads(line)["platform"] for line in demo.lines}
    assert platforms == {"instagram", "facebook", "youtube", "reddit", "trustpilot", "google",
                         "appstore", "googleplay"}


def test_manifest_json_matches_the_returned_manifest(demo: Demo) -> None:
    written = orjson.loads((demo.folder / "manifest.json").read_bytes())
    assert written == orjson.loads(orjson.dumps(demo.manifest.to_dict()))
    assert written["seed"] == 7 and written["days"] == 90
    assert written["start"] == "2026-08-17T00:00:00Z" and written["end"] == "2026-11-15T00:00:00Z"
    assert sum(written["platforms"].values()) == sum(written["languages"].values()) == 6000
    assert Brand.model_validate(written["brand"]).name == "Maison Lumière"
    assert [Brand.model_validate(c).name for c in written["competitors"]] == [
        "Bougies Céleste", "Atelier Flamme"]
    assert "#MaLumiereAMoi" in written["brand"]["query"]
    assert written["handles"]["Maison Lumière"]["x"] == "MaisonLumiere"


def test_every_item_has_a_label(demo: Demo) -> None:
    assert len(demo.labels) == 6000
    assert all(demo.label(p)["sentiment"] in {"pos", "neu", "neg"} for p in demo.posts)


# ---------------------------------------------------------------------------- determinism


def _bytes(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in FILES}


def test_same_seed_gives_identical_bytes_and_another_seed_other_data(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=11, posts=1500)
    generate(tmp_path / "b", seed=11, posts=1500)
    generate(tmp_path / "c", seed=12, posts=1500)
    first, again, other = (_bytes(tmp_path / n) for n in "abc")
    assert first == again
    assert first["x-v2.jsonl"] != other["x-v2.jsonl"]
    assert first["canonical.ndjson"] != other["canonical.ndjson"]
    assert first["episodes.json"] == other["episodes.json"]


def test_size_span_and_end_are_options(tmp_path: Path) -> None:
    end = datetime(2025, 3, 1, tzinfo=UTC)
    manifest = generate(tmp_path, posts=600, days=30, end=end)
    assert manifest.posts == 600 and manifest.start == end - timedelta(days=30)
    with (tmp_path / "x-v2.jsonl").open("rb") as stream:
        posts = [p for p in x_v2.FORMATS[0].read(stream) if isinstance(p, Post)]
    posts += [Post.model_validate_json(line)
              for line in (tmp_path / "canonical.ndjson").read_bytes().splitlines()]
    assert len(posts) == 600
    assert all(p.created_at and end - timedelta(days=30) <= p.created_at < end for p in posts)
    # day 20 of 30, 18:00 in Paris (winter time: UTC+1)
    assert manifest.episodes[0]["start"] == "2025-02-19T17:00:00Z"


def test_too_small_a_run_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 200 posts"):
        generate(tmp_path, posts=50)


# ---------------------------------------------------------------------------- storyline


def test_the_price_episode_is_exported_and_stands_out(demo: Demo) -> None:
    start, end = demo.episode
    assert demo.manifest.episodes == [{"name": "hausse-des-prix", "start": "2026-10-16T16:00:00Z",
                                       "end": "2026-10-20T04:00:00Z"}]
    inside = [p for p in demo.posts if demo.in_episode(p)]
    outside = [p for p in demo.posts if not demo.in_episode(p)]
    hours = (end - start).total_seconds() / 3600
    rate_in, rate_out = len(inside) / hours, len(outside) / (90 * 24 - hours)
    assert rate_in > 3 * rate_out
    first_hour = [p for p in inside if p.created_at and p.created_at < start + timedelta(hours=1)]
    assert len(first_hour) > 8 * rate_out
    assert _negative(demo, inside) > 0.5 > 0.25 > _negative(demo, outside)


def test_the_episode_brings_its_own_words_and_a_big_negative_post(demo: Demo) -> None:
    inside = [p for p in demo.posts if demo.in_episode(p)]
    outside = [p for p in demo.posts if not demo.in_episode(p)]

    def share(posts: list[Post], term: str) -> float:
        return sum(term in (p.text or "").lower() for p in posts) / len(posts)

    for term in ("augment", "prix", "+30%"):
        assert share(inside, term) > 5 * share(outside, term) + 0.02, term
    assert sum("BoycottMaisonLumiere" in p.hashtags for p in inside) > 30
    assert not [p for p in outside if "BoycottMaisonLumiere" in p.hashtags
                and p.created_at and p.created_at < demo.episode[0]]
    negative = [p for p in inside if demo.label(p)["sentiment"] == "neg"]
    loudest = max(negative, key=lambda p: p.metrics.views or 0)
    assert (loudest.metrics.views or 0) > 100_000
    assert loudest.author is not None and (loudest.author.followers or 0) > 50_000


def test_genuine_advocates_are_the_top_recurring_positive_authors(demo: Demo) -> None:
    advocates = demo.manifest.advocates
    assert 5 <= len(advocates) <= 8
    handles = {a["handle"] for a in advocates}
    written = Counter(p.author.platform_id for p in demo.posts
                      if p.author and p.author.handle not in BRAND_ACCOUNTS)
    top = {uid for uid, _ in written.most_common(len(advocates))}
    assert top == {a["platform_id"] for a in advocates}
    launch = _time(demo.manifest.campaign["start"])
    for handle in handles:
        theirs = [p for p in demo.posts if p.author and p.author.handle == handle]
        assert len(theirs) >= 15
        assert sum(demo.label(p)["sentiment"] == "pos" for p in theirs) >= 0.8 * len(theirs)
        later = [p for p in theirs if p.created_at and p.created_at >= launch]
        assert sum("MaLumiereAMoi" in p.hashtags for p in later) >= 0.5 * len(later)
    mine = [p.metrics.likes or 0 for p in demo.posts
            if p.author and p.author.handle in handles and not p.parent_id]
    others = [p.metrics.likes or 0 for p in demo.posts if p.platform.value in {"x", "instagram"}
              and not p.parent_id and p.author and p.author.handle not in handles]
    assert statistics.median(mine) > 10 * statistics.median(others)


def test_the_photo_campaign_is_mostly_instagram_photos(demo: Demo) -> None:
    launch = _time(demo.manifest.campaign["start"])
    campaign = [p for p in demo.posts if "MaLumiereAMoi" in p.hashtags and not p.parent_id]
    platforms = Counter(p.platform.value for p in campaign)
    assert len(campaign) > 300 and platforms["instagram"] > 2 * platforms["x"] > 0
    assert sum(bool(p.media) for p in campaign) >= 0.95 * len(campaign)
    assert all(p.created_at and p.created_at >= launch for p in campaign)


def test_followers_are_heavy_tailed(demo: Demo) -> None:
    followers = {(p.platform, p.author.platform_id): p.author.followers for p in demo.posts
                 if p.author and p.author.followers is not None
                 and p.author.handle not in BRAND_ACCOUNTS}
    counts = sorted(followers.values())
    assert statistics.median(counts) < 1_000
    assert 1 <= sum(c > 50_000 for c in counts) <= 0.03 * len(counts)
    assert sum(1_000 <= c <= 50_000 for c in counts) > 0.05 * len(counts)
    assert 2_000 <= demo.manifest.authors <= 3_200


def test_languages_are_mostly_french(demo: Demo) -> None:
    languages = Counter(demo.label(p)["language"] for p in demo.posts)
    total = len(demo.posts)
    assert 0.72 <= languages["fr"] / total <= 0.88
    assert 0.08 <= languages["en"] / total <= 0.2
    assert (languages["es"] + languages["de"]) / total >= 0.02
    mixed = [p for p in demo.posts if demo.label(p)["mixed"]]
    assert len(mixed) > 50 and all(demo.label(p)["language"] == "fr" for p in mixed)


def test_language_is_set_only_where_the_platform_states_it(demo: Demo) -> None:
    stated = {"x", "trustpilot", "googleplay"}
    for post in demo.posts:
        if post.platform.value in stated:
            assert post.language == demo.label(post)["language"]
        else:
            assert post.language is None, post.platform


def test_texts_are_varied_and_rough_like_real_posts(demo: Demo) -> None:
    texts = [p.text or "" for p in demo.posts]
    assert len(set(texts)) / len(texts) >= 0.9
    lengths = sorted(len(t) for t in texts)
    assert lengths[len(lengths) // 10] < 60 and lengths[-len(lengths) // 10] > 180
    joined = "\n".join(texts)
    for marker in ("jsp", "mdr", "grave", "franchement", "😍", "🕯️", "#", "@"):
        assert marker in joined.lower(), marker
    x_texts = [p.text or "" for p in demo.posts if p.platform.value == "x"]
    assert max(len(t) for t in x_texts) <= 280


def test_sentiment_is_mostly_positive_or_neutral(demo: Demo) -> None:
    moods = Counter(demo.label(p)["sentiment"] for p in demo.posts)
    assert moods["pos"] > moods["neg"] and moods["pos"] + moods["neu"] > 0.7 * len(demo.posts)
    reviews = [p for p in demo.posts if p.rating is not None]
    assert len(reviews) > 1000 and {p.rating for p in reviews} == {1.0, 2.0, 3.0, 4.0, 5.0}


def test_threads_hold_together_and_the_brand_answers(demo: Demo) -> None:
    ids = {(p.platform, p.platform_id) for p in demo.posts}
    replies = [p for p in demo.posts if p.parent_id]
    assert len(ids) == len(demo.posts) and len(replies) > 0.15 * len(demo.posts)
    assert all((p.platform, p.parent_id) in ids for p in replies)
    assert all(p.kind.value == ("reply" if p.platform.value == "x" else "comment")
               for p in replies)
    brand = Counter(p.platform.value for p in replies
                    if p.author and p.author.handle in {"MaisonLumiere", "maisonlumiere"})
    assert brand["x"] > 20 and brand["instagram"] > 20 and brand["facebook"] > 5
    by_id = {(p.platform, p.platform_id): p for p in demo.posts}
    for reply in replies:
        parent = by_id[(reply.platform, reply.parent_id or "")]
        assert parent.created_at and reply.created_at and parent.created_at <= reply.created_at
        if reply.platform.value == "x" and parent.author and parent.author.handle:
            assert (reply.text or "").startswith(f"@{parent.author.handle} ")


def test_competitors_are_talked_about_less_than_the_brand(demo: Demo) -> None:
    targets = Counter(demo.label(p)["target"] for p in demo.posts)
    assert targets["brand"] > 5 * targets["celeste"] > 5 * 100
    assert targets["celeste"] > targets["flamme"] > 100


def test_posting_follows_evenings_weekends_and_growth(demo: Demo) -> None:
    paris = _paris()
    calm = [p.created_at.astimezone(paris) for p in demo.posts if p.created_at
            and not demo.in_episode(p) and not demo.label(p)["campaign"]]
    hours = Counter(t.hour for t in calm)
    assert min(hours[h] for h in (19, 20, 21)) > 3 * max(hours[h] for h in (2, 3, 4, 5))
    days = Counter(t.date() for t in calm)
    weekend = statistics.mean(n for d, n in days.items() if d.weekday() >= 5)
    weekday = statistics.mean(n for d, n in days.items() if d.weekday() < 5)
    assert weekend > 1.1 * weekday
    ordered = sorted(days)
    assert sum(days[d] for d in ordered[-25:]) > sum(days[d] for d in ordered[:25])


def _paris() -> ZoneInfo:
    try:
        return ZoneInfo("Europe/Paris")
    except ZoneInfoNotFoundError:  # pragma: no cover - minimal containers
        pytest.skip("no time-zone database")


def test_paris_offset_follows_the_eu_summer_time_rule() -> None:
    paris = _paris()
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    while moment.year == 2026:
        ts = to_ts(moment)
        expected = moment.astimezone(paris).utcoffset()
        assert expected is not None and paris_offset(ts) == expected.total_seconds(), moment
        moment += timedelta(hours=7)


# ---------------------------------------------------------------------------- fast stream


def test_streamed_posts_validate_and_are_deterministic() -> None:
    posts = list(iter_posts(3000, seed=3))
    assert len(posts) == 3000 and posts == list(iter_posts(3000, seed=3))
    assert posts != list(iter_posts(3000, seed=4))
    for post in posts[::7]:
        line = orjson.dumps(post)
        assert Post.model_validate_json(line).model_dump_json().encode() == line
        assert Post.model_validate(post).platform_id == post["platform_id"]
    assert len({(p["platform"], p["platform_id"]) for p in posts}) == 3000
    start = (DEFAULT_END - timedelta(days=90)).strftime("%Y-%m-%dT%H:%M:%SZ")
    stamps = [p["created_at"] for p in posts]
    assert start <= min(stamps) and max(stamps) < "2026-11-15T00:00:00Z"
    ids = {p["platform_id"] for p in posts}
    replies = [p for p in posts if p["parent_id"]]
    assert replies and all(p["parent_id"] in ids for p in replies)


def test_write_canonical_ndjson_streams_valid_lines(tmp_path: Path) -> None:
    path = tmp_path / "bench.ndjson"
    assert write_canonical_ndjson(path, n=2500, seed=5) == 2500
    lines = path.read_bytes().splitlines()
    assert len(lines) == 2500
    assert lines == [orjson.dumps(p) for p in iter_posts(2500, seed=5)]
    for line in lines[::25]:
        Post.model_validate_json(line)


def test_streaming_memory_does_not_grow_with_the_count() -> None:
    def peak(n: int) -> int:
        stream = iter_posts(n, seed=1)
        next(stream)  # the kit of authors and texts is built: measure the stream alone
        tracemalloc.start()
        for _ in stream:
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(2_000), peak(20_000)
    assert large < small + 100_000
