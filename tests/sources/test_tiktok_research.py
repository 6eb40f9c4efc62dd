from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import tiktok_research

FIXTURES = Path(__file__).parent / "fixtures" / "tiktok-research"
VIDEOS = FIXTURES / "video_query.json"
COMMENTS = FIXTURES / "comment_list.json"
FORMAT = tiktok_research.FORMATS[0]


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def _posts(payload: Any) -> list[Post]:
    items = list(tiktok_research.parse(payload))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_videos_field_by_field() -> None:
    unboxing, pov, bare = _posts(_load(VIDEOS))
    assert unboxing.platform is Platform.TIKTOK and unboxing.kind is PostKind.POST
    # above 2**53: a float would have turned it into ...123456 or ...123776
    assert unboxing.platform_id == "7431234567890123457"
    assert unboxing.url == "https://www.tiktok.com/@lea.deco/video/7431234567890123457"
    assert unboxing.text is not None and unboxing.text.startswith("Unboxing du coffret")
    assert unboxing.created_at == datetime(2026, 10, 3, 7, 42, 11, tzinfo=UTC)
    assert unboxing.hashtags == ["maisonlumiere", "bougie", "unboxing", "cosytok"]
    assert unboxing.mentions == ["maisonlumiere"]
    metrics = unboxing.metrics
    assert (metrics.likes, metrics.comments, metrics.shares, metrics.views) == (
        4210, 96, 148, 52031)
    (video,) = unboxing.media
    assert video.type is MediaType.VIDEO and video.duration_s == 38 and video.url is None
    assert unboxing.language is None  # region_code is a country, not a language
    author = unboxing.author
    assert author is not None and author.platform_id == "lea.deco"
    assert author.handle == "lea.deco" and author.url == "https://www.tiktok.com/@lea.deco"
    assert author.followers is None
    assert unboxing.raw is not None and unboxing.raw["voice_to_text"].startswith("bon aujourd")

    assert pov.platform_id == "7431240000000000001" and pov.mentions == []
    assert pov.media[0].duration_s is None

    # no username, no description: no author, no URL, no text, nothing invented
    assert bare.author is None and bare.url is None and bare.text is None
    assert bare.hashtags == [] and bare.metrics.views == 311


def test_maps_comments_and_replies() -> None:
    items = _posts(_load(COMMENTS))
    assert [(c.platform_id, c.kind, c.parent_id) for c in items] == [
        ("7431260000000000011", PostKind.COMMENT, "7431234567890123457"),
        ("7431261111111111122", PostKind.REPLY, "7431260000000000011"),
        ("7431262222222222233", PostKind.COMMENT, "7431234567890123457"),
        ("7431263333333333344", PostKind.COMMENT, "7431234567890123457"),
    ]
    first = items[0]
    assert first.text == "elle coûte combien la figue ? 😍"
    assert first.metrics.likes == 35 and first.metrics.comments == 2
    assert first.created_at == datetime(2026, 10, 3, 9, 15, tzinfo=UTC)
    assert first.author is None and first.url is None and first.media == []


def test_string_ids_are_accepted_and_float_ids_rejected() -> None:
    page = _load(VIDEOS)
    page["data"]["videos"][0]["id"] = "7431234567890123457"
    page["data"]["videos"][1]["id"] = 7.431240000000000001e18
    del page["data"]["videos"][2]["id"]
    items = list(tiktok_research.parse(page))
    assert [type(i) for i in items] == [Post, Rejected, Rejected]
    assert items[0].platform_id == "7431234567890123457"
    assert "integer id" in items[1].reason and "'id'" in items[2].reason


def test_a_comment_without_text_is_rejected_and_the_rest_goes_on() -> None:
    page = _load(COMMENTS)
    del page["data"]["comments"][1]["text"]
    items = list(tiktok_research.parse(page))
    assert [type(i) for i in items] == [Post, Rejected, Post, Post]
    assert "text" in items[1].reason


def test_an_error_response_is_rejected_with_its_message() -> None:
    page = {"data": {}, "error": {"code": "rate_limit_exceeded",
                                  "message": "API rate limit was exceeded, try again later.",
                                  "log_id": "20261003140000AA"}}
    items = list(tiktok_research.parse(page))
    assert len(items) == 1 and isinstance(items[0], Rejected)
    assert "rate_limit_exceeded" in items[0].reason and "try again later" in items[0].reason
    empty = {"data": {"videos": [], "cursor": 0, "has_more": False}, "error": {"code": "ok"}}
    assert list(tiktok_research.parse(empty)) == []


def test_reads_json_lines_and_keeps_big_ids_exact() -> None:
    lines = orjson.dumps(_load(VIDEOS)) + b"\n" + COMMENTS.read_bytes().replace(b"\n", b"")
    items = list(FORMAT.read(io.BytesIO(lines + b"\n")))
    assert len(items) == 7 and all(isinstance(i, Post) for i in items)
    assert items[0].platform_id == "7431234567890123457"
    # the standard library keeps them exact as well, should a collector have used it
    video = json.loads(VIDEOS.read_text())["data"]["videos"][0]
    assert _posts({"data": {"videos": [video]}})[0].platform_id == "7431234567890123457"


def test_sniffs_research_api_pages_only() -> None:
    assert tiktok_research.sniff(VIDEOS.read_bytes()) > 0.5
    assert tiktok_research.sniff(COMMENTS.read_bytes()) > 0.5
    assert tiktok_research.sniff(VIDEOS.read_bytes()[:1500]) > 0.5
    assert tiktok_research.sniff(COMMENTS.read_bytes()[:900]) > 0.5
    assert tiktok_research.sniff(b'{"data": {"videos": [{"id": 1, "region_code": "FR"}]}}') > 0.5
    assert tiktok_research.sniff(b'{"data": [{"id": "1", "text": "hi", "author_id": "2"}]}') == 0.0
    assert tiktok_research.sniff(b'{"data": {"user": {"open_id": "x"}}, '
                                 b'"error": {"code": "ok", "message": "", "log_id": "1"}}') == 0.0
    assert tiktok_research.sniff(b'{"kind": "Listing", "data": {"children": []}}') == 0.0
    assert tiktok_research.sniff(b'{"data": {"videos": [{"id": 1, "title": "x"}]}}') == 0.0


_KEYS = st.sampled_from([
    "data", "videos", "comments", "error", "code", "message", "id",
    "video_id", "parent_comment_id", "text", "create_time", "username", "hashtag_names"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | _KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_random_payloads_give_posts_or_rejections_never_an_error(doc: Any) -> None:
    assert all(isinstance(i, Post | Rejected) for i in tiktok_research.parse(doc))
