from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from confiance.domain import Platform, Post, PostKind, Rejected
from confiance.sources import youtube_comments

FIXTURES = Path(__file__).parent / "fixtures"
THREADS = FIXTURES / "youtube-comments" / "comment_threads.json"
REPLIES = FIXTURES / "youtube-comments" / "comment_replies.json"
VIDEO = "aB3dE5fG7hI"
TOP = "UgxKREWxIgDrw8w2e_Z4AaABAg"


def _load(path: Path) -> dict[str, Any]:
    page: dict[str, Any] = orjson.loads(path.read_bytes())
    return page


def _posts(path: Path) -> list[Post]:
    items = list(youtube_comments.parse(_load(path)))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_a_top_level_comment() -> None:
    top = _posts(THREADS)[0]
    assert top.platform is Platform.YOUTUBE and top.kind is PostKind.COMMENT
    assert top.platform_id == TOP and top.parent_id == VIDEO
    assert top.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={TOP}"
    # textOriginal, not the HTML of textDisplay
    assert top.text == ("J'ai testé la Figue Noire après cette vidéo, franchement elle tient "
                        "ses promesses 🕯️\nPar contre 39€ c'est cher #MaisonLumière")
    assert top.created_at == datetime(2026, 10, 3, 18, 22, 41, tzinfo=UTC)
    assert top.metrics.likes == 27 and top.metrics.comments == 2
    assert top.metrics.shares is None and top.metrics.views is None
    assert top.hashtags == ["MaisonLumière"] and top.language is None
    assert top.author is not None and top.author.platform_id == "UCq7Zb2nX4yL1mK9pR3sT5vA"
    assert top.author.handle == "lea.bougies" and top.author.display_name == "@lea.bougies"
    assert top.author.url == "http://www.youtube.com/@lea.bougies"
    assert top.raw is not None and top.raw["kind"] == "youtube#commentThread"


def test_maps_the_replies_of_a_thread() -> None:
    _, brand, marc, *_ = _posts(THREADS)
    assert brand.kind is PostKind.REPLY and brand.parent_id == TOP
    assert brand.platform_id == f"{TOP}.9oVhT2mXsFa9oVi1bQ2xYz"
    assert brand.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={TOP}.9oVhT2mXsFa9oVi1bQ2xYz"
    assert brand.mentions == ["lea.bougies"] and brand.metrics.likes == 4
    assert brand.metrics.comments is None  # a reply's reply count is not given
    assert brand.raw is not None and brand.raw["snippet"]["parentId"] == TOP
    # a channel without a handle: its display name is a name, not a handle
    assert marc.author is not None and marc.author.handle is None
    assert marc.author.display_name == "Marc Lefèvre"


def test_falls_back_to_text_display_without_markup() -> None:
    *_, uk, nadia = _posts(THREADS)
    assert uk.kind is PostKind.COMMENT and uk.metrics.comments == 0
    assert nadia.text == ("la mèche s'est noyée au bout de 2h 😤\n"
                          "déçue & remboursement refusé #arnaque")
    assert nadia.hashtags == ["arnaque"]
    # no authorChannelId: no author rather than one without an id
    assert nadia.author is None


def test_maps_a_comments_list_page_of_replies() -> None:
    question, answer = _posts(REPLIES)
    assert question.kind is PostKind.REPLY and question.parent_id == TOP
    assert question.mentions == ["MaisonLumiereOfficiel"]
    # the video id is not in these snippets: no URL rather than a wrong one
    assert question.url is None
    assert answer.author is not None and answer.author.handle == "MaisonLumiereOfficiel"


def test_broken_comments_are_rejected_and_the_rest_goes_on() -> None:
    page = _load(THREADS)
    del page["items"][0]["replies"]["comments"][0]["snippet"]["textOriginal"]
    del page["items"][0]["replies"]["comments"][0]["snippet"]["textDisplay"]
    del page["items"][1]["snippet"]["topLevelComment"]
    items = list(youtube_comments.parse(page))
    assert [type(i) for i in items] == [Post, Rejected, Post, Rejected, Post]
    assert isinstance(items[1], Rejected) and "textOriginal" in items[1].reason
    assert isinstance(items[3], Rejected) and "topLevelComment" in items[3].reason


@pytest.mark.parametrize("payload", [
    {"error": {"code": 403, "message": "The video identified by the videoId parameter has "
               "disabled comments.", "errors": [{"reason": "commentsDisabled"}]}},
    {"kind": "youtube#searchListResponse", "items": []},
    {"kind": "youtube#commentThreadListResponse", "items": {"a": 1}},
    "youtube",
])
def test_bad_pages_are_rejected(payload: Any) -> None:
    items = list(youtube_comments.parse(payload))
    assert len(items) == 1 and isinstance(items[0], Rejected)


def test_the_error_message_is_kept_in_the_reason() -> None:
    items = list(youtube_comments.parse({"error": {"message": "commentsDisabled"}}))
    assert isinstance(items[0], Rejected) and "commentsDisabled" in items[0].reason


def test_an_unexpected_item_kind_is_rejected() -> None:
    page = _load(REPLIES)
    page["items"][0]["kind"] = "youtube#video"
    items = list(youtube_comments.parse(page))
    assert [type(i) for i in items] == [Rejected, Post]


def test_reads_json_lines_of_pages_and_rejects_a_broken_line() -> None:
    lines = [orjson.dumps(_load(THREADS)), b"not json", orjson.dumps(_load(REPLIES))]
    items = list(youtube_comments.FORMATS[0].read(io.BytesIO(b"\n".join(lines))))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(items) == 8 and len(rejected) == 1
    assert rejected[0].position == "line 2" and rejected[0].code == "E204"


@pytest.mark.parametrize("path", [THREADS, REPLIES])
def test_sniffs_its_own_pages(path: Path) -> None:
    assert youtube_comments.sniff(path.read_bytes()) > 0.5
    assert youtube_comments.sniff(path.read_bytes()[:300]) > 0.5


@pytest.mark.parametrize("sample", [
    (FIXTURES / "x-v2" / "search_recent.json").read_bytes(),
    (FIXTURES / "instagram-graph" / "media_comments.json").read_bytes(),
    (FIXTURES / "facebook-graph" / "post_comments.json").read_bytes(),
    b'{"kind": "youtube#videoListResponse", "items": []}',
    b'{"kind": "Listing", "data": {"children": []}}',
    b"videoId,comment\naB3dE5fG7hI,youtube#comment\n",
])
def test_does_not_sniff_other_formats(sample: bytes) -> None:
    assert youtube_comments.sniff(sample) == 0.0
