from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import orjson

from confiance.domain import MediaType, Post, PostKind, Rejected
from confiance.sources import x_v2

PAGE = Path(__file__).parent / "fixtures" / "x-v2" / "search_recent.json"


def _page() -> dict:
    return orjson.loads(PAGE.read_bytes())


def test_maps_tweets_with_expanded_authors_and_media() -> None:
    posts = list(x_v2.parse(_page()))
    assert all(isinstance(p, Post) for p in posts)
    first, reply, hashtag_only = posts
    assert first.platform_id == "1861234567890123456"
    assert first.url == "https://x.com/lea_dcr/status/1861234567890123456"
    assert first.created_at == datetime(2026, 10, 2, 8, 15, 30, tzinfo=UTC)
    assert first.language == "fr"
    assert first.hashtags == ["MaisonLumiere", "cosy"]
    assert first.mentions == ["MaisonLumiere"]
    assert first.metrics.likes == 42 and first.metrics.shares == 4
    assert first.metrics.views == 1870 and first.metrics.comments == 1
    assert first.media[0].type is MediaType.IMAGE and first.media[0].height == 1600
    assert first.author is not None and first.author.followers == 4312
    assert first.author.location == "Lyon, France"
    assert reply.kind is PostKind.REPLY and reply.parent_id == first.platform_id
    # "qht" means hashtag-only text: the language is unknown, not invented
    assert hashtag_only.language is None and hashtag_only.created_at is None
    # an author that was not expanded keeps its id and nothing else
    assert hashtag_only.author is not None and hashtag_only.author.followers is None


def test_a_tweet_without_text_is_rejected_and_the_rest_goes_on() -> None:
    page = _page()
    del page["data"][1]["text"]
    items = list(x_v2.parse(page))
    assert [type(i) for i in items] == [Post, Rejected, Post]
    assert "text" in items[1].reason


def test_reads_json_lines_of_pages_and_rejects_a_broken_line() -> None:
    page = PAGE.read_bytes().replace(b"\n", b"")
    stream = io.BytesIO(page + b"\n{broken\n" + page + b"\n")
    items = list(x_v2.FORMATS[0].read(stream))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(items) == 7 and len(rejected) == 1
    assert rejected[0].position == "line 2" and rejected[0].code == "E204"


def test_an_error_only_page_is_rejected_with_the_errors() -> None:
    items = list(x_v2.parse({"errors": [{"title": "Unauthorized"}]}))
    assert len(items) == 1 and "Unauthorized" in items[0].reason


def test_sniffs_its_own_pages_only() -> None:
    assert x_v2.sniff(PAGE.read_bytes()) > 0.5
    assert x_v2.sniff(b'{"kind": "Listing", "data": {"children": []}}') == 0.0
