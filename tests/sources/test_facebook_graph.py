from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import facebook_graph

FIXTURES = Path(__file__).parent / "fixtures"
FEED = FIXTURES / "facebook-graph" / "page_feed.json"
COMMENTS = FIXTURES / "facebook-graph" / "post_comments.json"


def _load(path: Path) -> dict[str, Any]:
    page: dict[str, Any] = orjson.loads(path.read_bytes())
    return page


def _posts(path: Path) -> list[Post]:
    items = list(facebook_graph.parse(_load(path)))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_a_page_post_with_photo_and_counts() -> None:
    post = _posts(FEED)[0]
    assert post.platform is Platform.FACEBOOK and post.kind is PostKind.POST
    assert post.platform_id == "104912345678901_812345678901234"
    assert post.url == "https://www.facebook.com/104912345678901/posts/812345678901234"
    # "+0000" without a colon is read as UTC
    assert post.created_at == datetime(2026, 10, 2, 8, 15, 30, tzinfo=UTC)
    assert post.text is not None and post.text.startswith("🕯️ Nouvelle collection")
    assert post.author is not None and post.author.platform_id == "104912345678901"
    assert post.author.display_name == "Maison Lumière" and post.author.handle is None
    assert post.hashtags == ["MaisonLumière", "faitmain"] and post.mentions == []
    assert post.metrics.likes == 312 and post.metrics.comments == 48
    assert post.metrics.shares == 17 and post.metrics.views is None
    assert len(post.media) == 1 and post.media[0].type is MediaType.IMAGE
    assert (post.media[0].width, post.media[0].height) == (960, 720)
    assert post.language is None and post.parent_id is None
    assert post.raw is not None and post.raw["id"] == post.platform_id


def test_album_tags_and_embedded_comments() -> None:
    _, visitor, answer, anonymous, _ = _posts(FEED)
    assert visitor.author is not None and visitor.author.display_name == "Sophie Martin"
    assert [m.width for m in visitor.media] == [720, 540]  # the album's sub-attachments
    assert visitor.mentions == ["Maison Lumière"]  # from message_tags
    # a post never shared has no "shares" field: unknown, not zero
    assert visitor.metrics.shares is None and visitor.metrics.comments == 2
    assert answer.kind is PostKind.COMMENT and answer.parent_id == visitor.platform_id
    assert answer.author is not None and answer.author.platform_id == "104912345678901"
    assert answer.metrics.likes == 3 and answer.metrics.comments == 0
    assert anonymous.author is None and anonymous.parent_id == visitor.platform_id


def test_a_video_post_without_message_keeps_its_video() -> None:
    video = _posts(FEED)[4]
    assert video.text is None and video.hashtags == []
    assert len(video.media) == 1 and video.media[0].type is MediaType.VIDEO
    assert video.media[0].url is not None and video.media[0].url.startswith("https://video.")
    assert video.media[0].width is None  # the thumbnail's size is not the video's


def test_maps_a_comments_page_with_replies_and_attachments() -> None:
    first, reply, gif, complaint = _posts(COMMENTS)
    assert first.kind is PostKind.COMMENT and first.parent_id is None
    assert first.platform_id == "812345678901234_1029384756102938"
    assert first.url is not None and "comment_id=1029384756102938" in first.url
    assert first.author is not None and first.author.display_name == "Claire Dubois"
    assert first.metrics.likes == 6 and first.metrics.comments == 1
    assert first.hashtags == ["teamcedre"]
    assert first.created_at == datetime(2026, 10, 2, 9, 3, 27, tzinfo=UTC)
    assert reply.kind is PostKind.REPLY and reply.parent_id == first.platform_id
    assert reply.url is None
    # an empty message with a GIF: no text, the GIF is kept
    assert gif.text is None and gif.author is None
    assert gif.media[0].type is MediaType.GIF and gif.media[0].height == 280
    # an order number is not a hashtag
    assert complaint.hashtags == [] and complaint.metrics.likes == 12


def test_comments_page_is_recognised_by_its_next_link() -> None:
    page = {"data": [{"id": "812345678901234_1", "message": "Top !",
                      "created_time": "2026-10-02T09:03:27+0000"}],
            "paging": {"next": "https://graph.facebook.com/v21.0/104912345678901_812345678901234"
                               "/comments?after=QVFI"}}
    items = list(facebook_graph.parse(page))
    assert isinstance(items[0], Post) and items[0].kind is PostKind.COMMENT


def test_broken_items_are_rejected_and_the_rest_goes_on() -> None:
    page = _load(COMMENTS)
    del page["data"][0]["id"]
    page["data"][3]["message"] = ""
    page["data"][1]["created_time"] = "2026-13-45T99:00:00+0000"
    items = list(facebook_graph.parse(page))
    assert [type(i) for i in items] == [Rejected, Rejected, Post, Rejected]
    reasons = [i.reason for i in items if isinstance(i, Rejected)]
    assert "'id'" in reasons[0] and "unreadable time" in reasons[1]
    assert "'message'" in reasons[2]


def test_a_post_without_message_or_attachment_is_rejected() -> None:
    page = _load(FEED)
    del page["data"][2]["attachments"]
    items = list(facebook_graph.parse(page))
    assert isinstance(items[-1], Rejected) and "'message'" in items[-1].reason
    assert sum(isinstance(i, Post) for i in items) == 4


@pytest.mark.parametrize("payload", [
    {"error": {"message": "(#10) This endpoint requires the 'pages_read_engagement' permission",
               "type": "OAuthException", "code": 10, "fbtrace_id": "A1b2C3"}},
    {"paging": {}},
    {"data": "nope"},
    ["data"],
])
def test_bad_pages_are_rejected(payload: Any) -> None:
    items = list(facebook_graph.parse(payload))
    assert len(items) == 1 and isinstance(items[0], Rejected)


def test_the_error_message_is_kept_in_the_reason() -> None:
    items = list(facebook_graph.parse({"error": {"message": "(#10) pages_read_engagement"}}))
    assert isinstance(items[0], Rejected) and "pages_read_engagement" in items[0].reason


def test_reads_json_lines_of_pages_and_rejects_a_broken_line() -> None:
    lines = [orjson.dumps(_load(FEED)), orjson.dumps(_load(COMMENTS)), b'{"data": [']
    items = list(facebook_graph.FORMATS[0].read(io.BytesIO(b"\n".join(lines) + b"\n")))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(items) == 10 and len(rejected) == 1
    assert rejected[0].position == "line 3" and rejected[0].code == "E204"


@pytest.mark.parametrize("path", [FEED, COMMENTS])
def test_sniffs_its_own_pages(path: Path) -> None:
    assert facebook_graph.sniff(path.read_bytes()) > 0.5
    assert facebook_graph.sniff(path.read_bytes()[:600]) > 0.5


@pytest.mark.parametrize("sample", [
    (FIXTURES / "x-v2" / "search_recent.json").read_bytes(),
    (FIXTURES / "instagram-graph" / "hashtag_recent_media.json").read_bytes(),
    (FIXTURES / "instagram-graph" / "media_comments.json").read_bytes(),
    (FIXTURES / "instagram-graph" / "media_comments.json").read_bytes()[:700],
    (FIXTURES / "youtube-comments" / "comment_threads.json").read_bytes(),
    b'{"kind": "Listing", "data": {"children": []}}',
    b'{"data": [{"id": "1", "created_time": "2026-10-02T08:15:30Z", "name": "x"}]}',
    b"id,message,created_time\n1,hi,2026-10-02T08:15:30+0000\n",
])
def test_does_not_sniff_other_formats(sample: bytes) -> None:
    assert facebook_graph.sniff(sample) == 0.0
