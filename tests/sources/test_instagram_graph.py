from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import instagram_graph

FIXTURES = Path(__file__).parent / "fixtures"
HASHTAG = FIXTURES / "instagram-graph" / "hashtag_recent_media.json"
COMMENTS = FIXTURES / "instagram-graph" / "media_comments.json"
OWN_MEDIA = FIXTURES / "instagram-graph" / "user_media.json"


def _load(path: Path) -> dict[str, Any]:
    page: dict[str, Any] = orjson.loads(path.read_bytes())
    return page


def _posts(path: Path) -> list[Post]:
    items = list(instagram_graph.parse(_load(path)))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_hashtag_media_without_author() -> None:
    image = _posts(HASHTAG)[0]
    assert image.platform is Platform.INSTAGRAM and image.kind is PostKind.POST
    assert image.platform_id == "17913448123456789"
    assert image.url == "https://www.instagram.com/p/DAx7kLmNq2B/"
    assert image.created_at == datetime(2026, 10, 4, 16, 42, 11, tzinfo=UTC)
    assert image.text is not None and image.text.startswith("Dimanche cocooning")
    # the hashtag search edge does not expose who posted: nothing is invented
    assert image.author is None and image.language is None and image.parent_id is None
    assert image.hashtags == ["MaisonLumière", "bougieparfumée", "cosyhome"]
    assert image.mentions == ["maison.lumiere"]
    assert image.metrics.likes == 238 and image.metrics.comments == 14
    assert image.metrics.shares is None and image.metrics.views is None
    assert [m.type for m in image.media] == [MediaType.IMAGE]
    assert image.media[0].url is not None and "461234567" in image.media[0].url
    assert image.raw is not None and image.raw["id"] == image.platform_id


def test_carousel_children_become_media_and_tags_are_read_from_the_caption() -> None:
    album = _posts(HASHTAG)[1]
    assert [m.type for m in album.media] == [MediaType.IMAGE, MediaType.VIDEO, MediaType.IMAGE]
    assert album.media[1].url is not None and album.media[1].url.endswith(
        "video.mp4?efg=eyJ2ZW5jb2RlX3RhZyI6In0")
    # "#2" is not a hashtag; the dot ending "@julie_dco." is punctuation, not the username
    assert album.hashtags == ["MaisonLumiere", "unboxing", "zerodechet"]
    assert album.mentions == ["maison.lumiere", "julie_dco"]


def test_video_without_media_url_or_like_count_keeps_them_unknown() -> None:
    video = _posts(HASHTAG)[2]
    assert video.url == "https://www.instagram.com/reel/DAz9WxYz1Ab/"
    assert len(video.media) == 1 and video.media[0].type is MediaType.VIDEO
    assert video.media[0].url is None
    assert video.metrics.likes is None and video.metrics.comments == 5


def test_maps_comments_and_their_replies() -> None:
    first, owner_reply, bare_reply, angry, minimal = _posts(COMMENTS)
    assert first.kind is PostKind.COMMENT and first.platform_id == "17871234567890123"
    # the page alone does not say which media the comments belong to
    assert first.parent_id is None and first.url is None
    assert first.author is not None and first.author.platform_id == "6123456789012345"
    assert first.author.handle == "camille.dco"
    assert first.author.url == "https://www.instagram.com/camille.dco/"
    assert first.mentions == ["maison.lumiere"] and first.metrics.likes == 4
    assert first.created_at == datetime(2026, 10, 4, 17, 3, 12, tzinfo=UTC)
    assert owner_reply.kind is PostKind.REPLY and owner_reply.parent_id == first.platform_id
    assert owner_reply.author is not None and owner_reply.author.handle == "maison.lumiere"
    assert owner_reply.hashtags == ["bientôt"] and owner_reply.mentions == ["camille.dco"]
    # a nested reply without parent_id or from: parent from nesting, no author without an id
    assert bare_reply.kind is PostKind.REPLY and bare_reply.parent_id == first.platform_id
    assert bare_reply.author is None
    # an e-mail address is not a mention
    assert angry.mentions == [] and angry.hashtags == ["déçue"]
    assert minimal.author is None and minimal.metrics.likes is None
    assert minimal.text == "Love the scent but it's a bit pricey tbh"


def test_top_level_comment_with_media_field_is_linked_to_its_media() -> None:
    page = _load(COMMENTS)
    page["data"][1]["media"] = {"id": "17913448123456789"}
    page["data"][2]["parent_id"] = "17871234567890123"
    posts = [p for p in instagram_graph.parse(page) if isinstance(p, Post)]
    assert posts[3].kind is PostKind.COMMENT and posts[3].parent_id == "17913448123456789"
    assert posts[4].kind is PostKind.REPLY and posts[4].parent_id == "17871234567890123"


def test_maps_own_media_with_owner_and_embedded_comments() -> None:
    image, comment, reply, reel, no_caption = _posts(OWN_MEDIA)
    assert image.author is not None and image.author.platform_id == "17841405822304914"
    assert image.author.handle == "maison.lumiere"
    assert image.metrics.likes == 1204 and image.mentions == []
    assert comment.kind is PostKind.COMMENT and comment.parent_id == image.platform_id
    assert reply.kind is PostKind.REPLY and reply.parent_id == comment.platform_id
    assert reel.kind is PostKind.POST and reel.media[0].type is MediaType.VIDEO
    # a photo posted without a caption is still a post, with no text
    assert no_caption.text is None and no_caption.hashtags == []
    assert no_caption.media[0].type is MediaType.IMAGE and no_caption.metrics.likes is None


def test_story_media_is_a_story() -> None:
    page = _load(OWN_MEDIA)
    page["data"][1]["media_product_type"] = "STORY"
    posts = [p for p in instagram_graph.parse(page) if isinstance(p, Post)]
    assert posts[3].kind is PostKind.STORY


def test_broken_items_are_rejected_and_the_rest_goes_on() -> None:
    page = _load(HASHTAG)
    del page["data"][0]["id"]
    page["data"][1]["timestamp"] = "hier soir"
    items = list(instagram_graph.parse(page))
    assert [type(i) for i in items] == [Rejected, Rejected, Post]
    assert isinstance(items[0], Rejected) and "'id'" in items[0].reason
    assert isinstance(items[1], Rejected) and "hier soir" in items[1].reason


def test_a_comment_without_text_is_rejected_naming_the_field() -> None:
    page = _load(COMMENTS)
    del page["data"][1]["text"]
    items = list(instagram_graph.parse(page))
    assert [type(i) for i in items] == [Post, Post, Post, Rejected, Post]
    assert isinstance(items[3], Rejected) and "'text'" in items[3].reason


def test_media_without_caption_or_media_is_rejected() -> None:
    page = {"data": [{"id": "17900000000000001", "timestamp": "2026-10-01T10:00:00+0000"}]}
    items = list(instagram_graph.parse(page))
    assert len(items) == 1 and isinstance(items[0], Rejected)
    assert "caption" in items[0].reason


@pytest.mark.parametrize("payload", [
    {"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
               "code": 190, "fbtrace_id": "AbCdEf"}},
    {"data": {"id": "1"}},
    ["not", "a", "page"],
])
def test_bad_pages_are_rejected(payload: Any) -> None:
    items = list(instagram_graph.parse(payload))
    assert len(items) == 1 and isinstance(items[0], Rejected)


def test_the_error_message_is_kept_in_the_reason() -> None:
    items = list(instagram_graph.parse({"error": {"message": "Invalid OAuth access token."}}))
    assert isinstance(items[0], Rejected) and "Invalid OAuth" in items[0].reason


def test_reads_json_lines_of_pages_and_rejects_a_broken_line() -> None:
    lines = [orjson.dumps(_load(HASHTAG)), b"{oops", orjson.dumps(_load(COMMENTS))]
    items = list(instagram_graph.FORMATS[0].read(io.BytesIO(b"\n".join(lines) + b"\n")))
    rejected = [i for i in items if isinstance(i, Rejected)]
    posts = [i for i in items if isinstance(i, Post)]
    assert len(posts) == 8 and len(rejected) == 1
    assert rejected[0].position == "line 2" and rejected[0].code == "E204"
    assert [p.kind for p in posts].count(PostKind.REPLY) == 2


def test_reads_one_whole_document() -> None:
    items = list(instagram_graph.FORMATS[0].read(io.BytesIO(OWN_MEDIA.read_bytes())))
    assert len(items) == 5 and all(isinstance(i, Post) for i in items)


@pytest.mark.parametrize("path", [HASHTAG, COMMENTS, OWN_MEDIA])
def test_sniffs_its_own_pages(path: Path) -> None:
    assert instagram_graph.sniff(path.read_bytes()) > 0.5


def test_sniffs_a_page_cut_before_its_end() -> None:
    assert instagram_graph.sniff(HASHTAG.read_bytes()[:900]) > 0.5
    assert instagram_graph.sniff(COMMENTS.read_bytes()[:700]) > 0.5


@pytest.mark.parametrize("sample", [
    (FIXTURES / "x-v2" / "search_recent.json").read_bytes(),
    (FIXTURES / "facebook-graph" / "page_feed.json").read_bytes(),
    (FIXTURES / "facebook-graph" / "post_comments.json").read_bytes(),
    (FIXTURES / "facebook-graph" / "page_feed.json").read_bytes()[:900],
    (FIXTURES / "youtube-comments" / "comment_threads.json").read_bytes(),
    b'{"kind": "Listing", "data": {"children": []}}',
    b'[{"id": "1", "content": "<p>hi</p>", "created_at": "2026-10-02T08:15:30Z"}]',
    b'{"data": [{"id": "1", "text": "hi", "media_type": "TEXT_POST", '
    b'"permalink": "https://www.threads.net/@x/post/1", "timestamp": "2026-10-02T08:15:30+0000"}]}',
    b"id,text,timestamp\n1,hi,2026-10-02\n",
    b"",
])
def test_does_not_sniff_other_formats(sample: bytes) -> None:
    assert instagram_graph.sniff(sample) == 0.0
