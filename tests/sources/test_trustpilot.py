from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import orjson

from confiance.domain import Platform, Post, PostKind, Rejected
from confiance.sources import trustpilot

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = FIXTURES / "trustpilot" / "business_unit_reviews.json"
PRIVATE = FIXTURES / "trustpilot" / "private_reviews.json"


def _page() -> dict:
    return orjson.loads(PAGE.read_bytes())


def _posts(payload: dict) -> list[Post]:
    items = list(trustpilot.parse(payload))
    assert all(isinstance(i, Post) for i in items), items
    return items  # type: ignore[return-value]


def test_maps_reviews_with_consumer_rating_and_likes() -> None:
    first, _, second, _, third = _posts(_page())
    assert first.platform is Platform.TRUSTPILOT and first.kind is PostKind.REVIEW
    assert first.platform_id == "66f1b2c3d4e5f60718293a4b"
    assert first.url == "https://www.trustpilot.com/reviews/66f1b2c3d4e5f60718293a4b"
    assert first.title == "Bougie Figuier sublime 🕯️"
    assert first.text is not None and first.text.startswith("Commandée lundi")
    assert first.rating == 5.0 and second.rating == 2.0 and third.rating == 4.0
    assert first.language == "fr" and third.language == "en"
    assert first.created_at == datetime(2026, 9, 18, 7, 42, 13, tzinfo=UTC)
    assert first.metrics.likes == 3 and second.metrics.likes == 0
    assert first.parent_id is None
    assert first.author is not None and first.author.platform_id == "5e8a9b0c1d2e3f4a5b6c7d8e"
    assert first.author.display_name == "Camille Roussel"
    assert first.author.location == "Nantes, FR" and first.author.post_count == 7
    assert first.author.url == "https://www.trustpilot.com/users/5e8a9b0c1d2e3f4a5b6c7d8e"
    assert first.raw is not None and first.raw["experiencedAt"] == "2026-09-16T00:00:00.000Z"


def test_location_falls_back_to_the_country_code_and_stays_empty_without_either() -> None:
    _, _, second, _, third = _posts(_page())
    assert second.author is not None and second.author.location == "BE"
    page = _page()
    del page["reviews"][2]["consumer"]["displayLocation"]
    *_, third = _posts(page)
    assert third.author is not None and third.author.location is None


def test_company_reply_is_a_second_post_answered_by_the_business_unit() -> None:
    first, reply, second, second_reply, third = _posts(_page())
    assert reply.kind is PostKind.REPLY and reply.parent_id == first.platform_id
    assert reply.platform_id == "66f1b2c3d4e5f60718293a4b:reply"
    assert reply.url == first.url and reply.rating is None
    assert reply.text is not None and reply.text.startswith("Merci beaucoup Camille")
    assert reply.created_at == datetime(2026, 9, 18, 14, 5, tzinfo=UTC)
    assert reply.author is not None and reply.author.platform_id == "5f3c2a1b9e8d7c6b5a4f3e2d"
    assert reply.author.display_name == "Maison Lumière"
    assert reply.author.url == "https://www.trustpilot.com/review/maisonlumiere.fr"
    assert reply.raw is not None and reply.raw["authorBusinessUserName"].startswith("Inès")
    assert second_reply.parent_id == second.platform_id
    # the third review has companyReply null: no reply post
    assert third.platform_id == "66f3d4e5f60718293a4b5c6d"


def test_reply_without_business_unit_has_no_author() -> None:
    page = _page()
    del page["reviews"][0]["businessUnit"]
    reply = _posts(page)[1]
    assert reply.kind is PostKind.REPLY and reply.author is None


def test_private_api_variant_maps_too() -> None:
    (review,) = _posts(orjson.loads(PRIVATE.read_bytes()))
    assert review.platform_id == "66f4e5f60718293a4b5c6d7e" and review.rating == 3.0
    assert review.raw is not None and review.raw["referenceId"] == "CMD-2026-018842"
    assert "referralEmail" not in review.raw


def test_broken_reviews_are_rejected_and_the_rest_goes_on() -> None:
    page = _page()
    del page["reviews"][0]["id"]
    page["reviews"][1]["stars"] = 7
    del page["reviews"][2]["text"]
    del page["reviews"][2]["title"]
    items = list(trustpilot.parse(page))
    assert [type(i) for i in items] == [Rejected, Rejected, Rejected]
    assert "'id'" in items[0].reason
    assert "stars" in items[1].reason
    assert "'text'" in items[2].reason and "'title'" in items[2].reason
    assert items[0].raw["title"] == "Bougie Figuier sublime 🕯️"


def test_a_reply_without_text_is_rejected_but_its_review_kept() -> None:
    page = _page()
    page["reviews"][0]["companyReply"] = {"createdAt": "2026-09-18T14:05:00.000Z"}
    items = list(trustpilot.parse(page))
    assert isinstance(items[0], Post) and isinstance(items[1], Rejected)
    assert "text" in items[1].reason and len(items) == 5


def test_a_title_alone_is_enough() -> None:
    page = _page()
    del page["reviews"][2]["text"]
    third = _posts(page)[-1]
    assert third.text is None and third.title == "Lovely gift set"


def test_page_level_problems_are_rejected() -> None:
    (bad,) = trustpilot.parse({"message": "Unknown business unit"})
    assert isinstance(bad, Rejected) and "Unknown business unit" in bad.reason
    (bad,) = trustpilot.parse([1, 2])
    assert isinstance(bad, Rejected)
    assert list(trustpilot.parse({"reviews": [], "links": []})) == []


def test_reads_json_lines_of_pages_and_rejects_a_broken_line() -> None:
    one = orjson.dumps(_page())
    two = orjson.dumps(orjson.loads(PRIVATE.read_bytes()))
    stream = io.BytesIO(one + b"\n{oops\n" + two + b"\n")
    items = list(trustpilot.FORMATS[0].read(stream))
    posts = [i for i in items if isinstance(i, Post)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(posts) == 6 and len(rejected) == 1
    assert rejected[0].position == "line 2"
    assert posts[-1].platform_id == "66f4e5f60718293a4b5c6d7e"


def test_reads_one_document() -> None:
    items = list(trustpilot.FORMATS[0].read(io.BytesIO(PAGE.read_bytes())))
    assert len(items) == 5 and all(isinstance(i, Post) for i in items)


def test_sniffs_its_own_pages_only() -> None:
    assert trustpilot.sniff(PAGE.read_bytes()) > 0.5
    assert trustpilot.sniff(PRIVATE.read_bytes()) > 0.5
    google = FIXTURES / "google-reviews" / "location_reviews.json"
    assert trustpilot.sniff(google.read_bytes()) == 0.0
    assert trustpilot.sniff((FIXTURES / "x-v2" / "search_recent.json").read_bytes()) == 0.0
    assert trustpilot.sniff(b'{"reviews": [{"id": "1", "rating": 5}]}') == 0.0
    assert trustpilot.sniff(b"Review ID,Date,Rating\n") == 0.0
