from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import reddit

FIXTURES = Path(__file__).parent / "fixtures" / "reddit"
NEW = FIXTURES / "new.json"
COMMENTS = FIXTURES / "comments.json"


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def _posts(payload: Any) -> list[Post]:
    items = list(reddit.parse(payload))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_a_subreddit_listing_field_by_field() -> None:
    question, haul, video = _posts(_load(NEW))
    assert question.platform is Platform.REDDIT and question.kind is PostKind.POST
    assert question.platform_id == "1fxk7a1" and question.parent_id is None
    assert question.title == "Bougies Maison Lumière : mèche qui se noie, normal ?"
    # legacy HTML escaping (no raw_json=1) is decoded
    assert question.text is not None and question.text.startswith("Je voulais offrir un coffret & ")
    assert question.url == ("https://www.reddit.com/r/france/comments/1fxk7a1/"
                            "bougies_maison_lumière_mèche_qui_se_noie_normal/")
    assert question.created_at == datetime(2026, 10, 3, 7, 42, 11, tzinfo=UTC)
    assert question.mentions == ["MaisonLumiere_Off"]
    assert question.metrics.likes == 57 and question.metrics.comments == 12
    assert question.metrics.shares == 1 and question.metrics.views is None
    assert question.language is None and question.media == [] and question.hashtags == []
    assert question.author is not None and question.author.platform_id == "claire_bzh"
    assert question.author.handle == "claire_bzh"
    assert question.author.url == "https://www.reddit.com/user/claire_bzh/"
    assert question.author.followers is None
    assert question.raw is not None and question.raw["name"] == "t3_1fxk7a1"

    # a link post: no body, one preview image with its URL unescaped
    assert haul.text is None and haul.title is not None and "🕯️" in haul.title
    (image,) = haul.media
    assert image.type is MediaType.IMAGE and (image.width, image.height) == (3024, 4032)
    assert image.url == "https://preview.redd.it/haul-maison-lumiere-v0-a1b2c3.jpeg?auto=webp&s=5f1e2d3c4b5a"

    # deleted author and body, negative score, no created_utc: nothing is invented
    assert video.author is None and video.text is None and video.created_at is None
    assert video.metrics.likes is None and video.metrics.comments == 4
    (clip,) = video.media
    assert clip.type is MediaType.VIDEO and clip.duration_s == 47
    assert (clip.width, clip.height) == (720, 1280)
    assert clip.url == "https://v.redd.it/k9x8w7v6u5/DASH_720.mp4?source=fallback"


def test_flattens_a_comments_page_and_skips_more_stubs() -> None:
    items = _posts(_load(COMMENTS))
    assert [(p.platform_id, p.kind, p.parent_id) for p in items] == [
        ("1fxk7a1", PostKind.POST, None),
        ("lq2b3kf", PostKind.COMMENT, "1fxk7a1"),
        ("lq2c7dd", PostKind.REPLY, "lq2b3kf"),
        ("lq2e5ff", PostKind.COMMENT, "1fxk7a1"),
        ("lq2f8gg", PostKind.COMMENT, "1fxk7a1"),
    ]
    post, comment, reply, removed, last = items
    assert post.text is not None and "coffret & une" in post.text
    assert comment.text == ("Pareil avec la Cèdre & Tonka, la cire de soja fond trop vite je "
                            "trouve. Par contre l'odeur est top, rien à dire.")
    assert comment.title is None and comment.metrics.likes == 24
    assert comment.metrics.comments is None
    assert comment.created_at == datetime(2026, 10, 3, 10, 2, 45, tzinfo=UTC)
    assert comment.url is not None and comment.url.endswith("/lq2b3kf/")
    # the nested listing is flattened into items of its own, not kept in the parent's raw
    assert comment.raw is not None and "replies" not in comment.raw
    assert reply.author is not None and reply.author.handle == "MaisonLumiere_Off"
    # a removed comment is kept so that the thread stays whole, with no text and no author
    assert removed.text is None and removed.author is None
    assert last.text is not None and last.text.endswith("ca c'est vrai")


def test_a_broken_comment_is_rejected_and_the_rest_goes_on() -> None:
    page = _load(COMMENTS)
    del page[1]["data"]["children"][2]["data"]["body"]
    page[1]["data"]["children"].insert(0, {"kind": "t5", "data": {"display_name": "france"}})
    items = list(reddit.parse(page))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(items) == 6 and len(rejected) == 2
    assert "t5" in rejected[0].reason
    assert "body" in rejected[1].reason and rejected[1].raw["data"]["id"] == "lq2f8gg"


def test_a_post_without_title_or_id_is_rejected() -> None:
    page = _load(NEW)
    del page["data"]["children"][0]["data"]["title"]
    page["data"]["children"][1]["data"]["id"] = None
    page["data"]["children"][2]["data"]["title"] = ""
    items = list(reddit.parse(page))
    assert [type(i) for i in items] == [Rejected, Rejected, Rejected]
    assert "title" in items[0].reason and "'id'" in items[1].reason
    assert "title" in items[2].reason


def test_a_page_that_is_not_a_listing_is_rejected() -> None:
    items = list(reddit.parse({"message": "Too Many Requests", "error": 429}))
    assert len(items) == 1 and isinstance(items[0], Rejected)
    assert "Listing" in items[0].reason


def test_reads_json_lines_of_listings() -> None:
    one_line = orjson.dumps(_load(NEW))
    stream = io.BytesIO(one_line + b"\n" + orjson.dumps(_load(COMMENTS)) + b"\nnot json\n")
    items = list(reddit.FORMATS[0].read(stream))
    assert len(items) == 9
    assert sum(isinstance(i, Post) for i in items) == 8
    assert isinstance(items[-1], Rejected) and items[-1].position == "line 3"


def test_reads_a_pretty_printed_document() -> None:
    items = list(reddit.FORMATS[0].read(io.BytesIO(COMMENTS.read_bytes())))
    assert len(items) == 5 and all(isinstance(i, Post) for i in items)


def test_sniffs_listings_only() -> None:
    assert reddit.sniff(NEW.read_bytes()) > 0.5
    assert reddit.sniff(COMMENTS.read_bytes()) > 0.5
    # a comments page cut at 64 KiB is no longer valid JSON but is still recognised
    assert reddit.sniff(COMMENTS.read_bytes()[:3000]) > 0.5
    assert reddit.sniff(b'{"data": [{"id": "1", "text": "hi", "author_id": "2"}]}') == 0.0
    assert reddit.sniff(b'[{"id": "1", "uri": "https://a.b/1", "content": "<p>x</p>"}]') == 0.0
    assert reddit.sniff(b'{"kind": "youtube#commentThreadListResponse", "items": []}') == 0.0
    assert reddit.sniff(b"") == 0.0


def test_maps_a_gallery_in_its_order_with_captions() -> None:
    post = {
        "id": "1fxkaa0", "title": "Nouvelle collection d'hiver ❄️", "author": "deco_lou",
        "is_gallery": True,
        "gallery_data": {"items": [{"media_id": "b2", "id": 2, "caption": "Sapin & cannelle"},
                                   {"media_id": "a1", "id": 1}]},
        "media_metadata": {
            "a1": {"status": "valid", "e": "Image", "m": "image/jpg",
                   "s": {"y": 1080, "x": 1350, "u": "https://preview.redd.it/a1.jpg?s=1&amp;w=2"}},
            "b2": {"status": "valid", "e": "AnimatedImage", "m": "image/gif",
                   "s": {"y": 480, "x": 480, "gif": "https://i.redd.it/b2.gif", "mp4": "x"}},
        },
    }
    (item,) = _posts({"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}]}})
    first, second = item.media
    assert (first.type, first.url, first.alt_text) == (
        MediaType.GIF, "https://i.redd.it/b2.gif", "Sapin & cannelle")
    assert (second.type, second.url, second.width) == (
        MediaType.IMAGE, "https://preview.redd.it/a1.jpg?s=1&w=2", 1350)


def test_a_deep_thread_and_a_null_child_do_not_break_the_walk() -> None:
    replies: Any = ""
    for depth in range(3000, 0, -1):
        comment = {"id": f"c{depth}", "body": "+1", "parent_id": f"t1_c{depth - 1}",
                   "replies": replies}
        replies = {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": comment}]}}
    listing = {"kind": "Listing", "data": {"children": [None, *replies["data"]["children"]]}}
    items = list(reddit.parse(listing))
    assert isinstance(items[0], Rejected) and len(items) == 3001
    assert items[-1].parent_id == "c2999" and items[-1].kind is PostKind.REPLY


_KEYS = st.sampled_from([
    "kind", "data", "children", "replies", "id", "body", "title", "t1", "t3", "more",
    "Listing", "parent_id", "created_utc", "preview", "images", "source", "media_metadata"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | _KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_random_payloads_give_posts_or_rejections_never_an_error(doc: Any) -> None:
    assert all(isinstance(i, Post | Rejected) for i in reddit.parse(doc))
