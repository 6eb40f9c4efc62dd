from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import bluesky

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
SEARCH = FIXTURES / "search_posts.json"
FEED = FIXTURES / "author_feed.json"
LEA_POST = "at://did:plc:k4m2x7qv9rz3nb5yd6hwt8ca/app.bsky.feed.post/3l5xq7zk2a22c"
BRAND_DID = "did:plc:ml4xq2v7rk3nb5yd6hzw8cfa"


def _load(path: Path) -> Any:
    return orjson.loads(path.read_bytes())


def _posts(payload: Any) -> list[Post]:
    items = list(bluesky.parse(payload))
    assert all(isinstance(i, Post) for i in items), items
    return [i for i in items if isinstance(i, Post)]


def test_maps_search_results_field_by_field() -> None:
    first, answer, video = _posts(_load(SEARCH))
    assert first.platform is Platform.BLUESKY and first.kind is PostKind.POST
    assert first.platform_id == LEA_POST and first.parent_id is None
    assert first.url == "https://bsky.app/profile/lea-bougies.bsky.social/post/3l5xq7zk2a22c"
    assert first.text is not None and first.text.startswith("Rituel du dimanche : plaid")
    assert first.language == "fr"
    assert first.created_at == datetime(2026, 10, 4, 8, 12, 44, 318000, tzinfo=UTC)
    assert first.hashtags == ["MaisonLumiere", "cosy"]
    # the mention facet's text span holds the handle: the handle, not the DID
    assert first.mentions == ["maisonlumiere.fr"]
    assert (first.metrics.likes, first.metrics.comments, first.metrics.shares) == (37, 1, 3)
    assert first.metrics.views is None
    (image,) = first.media
    assert image.type is MediaType.IMAGE and (image.width, image.height) == (1536, 2048)
    assert image.url is not None and "/feed_fullsize/" in image.url
    assert image.alt_text == "Bougie allumée à côté d'une tasse de thé"
    author = first.author
    assert author is not None and author.platform_id == "did:plc:k4m2x7qv9rz3nb5yd6hwt8ca"
    assert author.handle == "lea-bougies.bsky.social" and author.display_name == "Léa 🕯️"
    assert author.url == "https://bsky.app/profile/lea-bougies.bsky.social"
    assert author.followers is None and author.verified is None

    assert answer.kind is PostKind.REPLY and answer.parent_id == LEA_POST
    assert answer.mentions == ["lea-bougies.bsky.social"] and answer.media == []
    assert answer.author is not None and answer.author.verified is True

    # an invalid handle: the URL falls back on the DID; no langs: no language
    assert video.url == ("https://bsky.app/profile/did:plc:t0mw4xkq2z7rb3nd5y6hvc8s/post/"
                         "3l5xs9qk7m22a")
    assert video.author is not None and video.author.handle is None
    assert video.author.display_name is None
    assert video.language is None and video.hashtags == ["adventcalendar"]
    assert video.metrics.shares == 1  # no quoteCount: only reposts are known
    (clip,) = video.media
    assert clip.type is MediaType.VIDEO and clip.url is not None
    assert clip.url.endswith("/playlist.m3u8") and clip.height == 1920


def test_maps_an_author_feed_with_a_repost_a_reply_and_a_quote_with_media() -> None:
    quote, reply, repost = _posts(_load(FEED))
    assert quote.created_at == datetime(2026, 10, 4, 10, 0, tzinfo=UTC)
    assert quote.language == "fr"
    assert quote.author is not None and quote.author.platform_id == BRAND_DID
    # a span that holds the handle gives the handle; a span out of the text keeps the DID
    assert quote.mentions == ["cire-et-coton.fr", "did:plc:at3l13rq2z7rb3nd5y6hvc8s"]
    (image,) = quote.media
    assert image.type is MediaType.IMAGE and image.alt_text is None and image.width is None
    assert reply.kind is PostKind.REPLY and reply.parent_id == LEA_POST
    # a repost is the original post, by its author; raw keeps the reason
    assert repost.platform_id == LEA_POST and repost.author is not None
    assert repost.author.handle == "lea-bougies.bsky.social"
    assert repost.raw is not None and repost.raw["reason"]["by"]["did"] == BRAND_DID


def test_a_broken_post_is_rejected_and_the_rest_goes_on() -> None:
    page = _load(SEARCH)
    del page["posts"][1]["record"]["text"]
    page["posts"][2]["uri"] = "https://bsky.app/profile/x/post/1"
    items = list(bluesky.parse(page))
    assert [type(i) for i in items] == [Post, Rejected, Rejected]
    assert "record.text" in items[1].reason and "at://" in items[2].reason
    feed = _load(FEED)
    del feed["feed"][0]["post"]
    items = list(bluesky.parse(feed))
    assert [type(i) for i in items] == [Rejected, Post, Post] and "post" in items[0].reason


def test_an_error_response_is_rejected_with_its_message() -> None:
    items = list(bluesky.parse({"error": "BadQueryString", "message": "Error: q is required"}))
    assert len(items) == 1 and isinstance(items[0], Rejected)
    assert "q is required" in items[0].reason


def test_reads_json_lines_of_pages() -> None:
    lines = orjson.dumps(_load(SEARCH)) + b"\n\n" + orjson.dumps(_load(FEED)) + b"\n"
    items = list(bluesky.FORMATS[0].read(io.BytesIO(lines)))
    assert len(items) == 6 and all(isinstance(i, Post) for i in items)


def test_sniffs_bluesky_pages_only() -> None:
    assert bluesky.sniff(SEARCH.read_bytes()) > 0.5
    assert bluesky.sniff(FEED.read_bytes()) > 0.5
    assert bluesky.sniff(FEED.read_bytes()[:6000]) > 0.5
    assert bluesky.sniff(b'{"cursor": "0", "hitsTotal": 0, "posts": []}') > 0.5
    assert bluesky.sniff(b'{"posts": [{"id": "1", "title": "x"}]}') == 0.0
    assert bluesky.sniff(b'[{"id": "1", "uri": "https://a.b/1", "account": {}}]') == 0.0
    assert bluesky.sniff(b'{"data": {"videos": []}, "error": {"code": "ok"}}') == 0.0


_KEYS = st.sampled_from([
    "posts", "feed", "post", "uri", "at://x", "record", "text", "author", "did",
    "facets", "index", "byteStart", "features", "embed", "images", "createdAt", "$type"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8) | _KEYS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_random_payloads_give_posts_or_rejections_never_an_error(doc: Any) -> None:
    assert all(isinstance(i, Post | Rejected) for i in bluesky.parse(doc))
