from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from confiance.domain import Platform, Post, PostKind, Rejected
from confiance.sources import google_reviews

FIXTURES = Path(__file__).parent / "fixtures"
PAGE = FIXTURES / "google-reviews" / "location_reviews.json"
LOCATION = "accounts/112233445566778899001/locations/4455667788990011223"


def _page() -> dict:
    return orjson.loads(PAGE.read_bytes())


def _posts(payload: dict) -> list[Post]:
    items = list(google_reviews.parse(payload))
    assert all(isinstance(i, Post) for i in items), items
    return items  # type: ignore[return-value]


def test_maps_reviews_field_by_field() -> None:
    first, _, translated, rating_only, _, _ = _posts(_page())
    assert first.platform is Platform.GOOGLE and first.kind is PostKind.REVIEW
    assert first.platform_id == "AbFvOqnT0m1Lx9cQ2hRrZ7pKeYw"
    assert first.rating == 5.0 and translated.rating == 2.0 and rating_only.rating == 4.0
    assert first.text is not None and first.text.startswith("Boutique magnifique")
    assert first.created_at == datetime(2026, 9, 12, 15, 4, 27, 913000, tzinfo=UTC)
    assert first.url is None and first.language is None and first.title is None
    assert first.author is not None
    assert first.author.platform_id == "AbFvOqnT0m1Lx9cQ2hRrZ7pKeYw:reviewer"
    assert first.author.display_name == "Élodie Martin"
    assert first.raw is not None and first.raw["reviewer"]["profilePhotoUrl"].startswith("https")


def test_keeps_the_original_language_part_of_translated_comments() -> None:
    _, _, translated, _, original_first, _ = _posts(_page())
    assert translated.text == (
        "Tienda muy bonita pero la vela que compré huele mucho menos una vez encendida. "
        "Demasiado cara para lo que es.")
    assert original_first.text == (
        "Lovely smells, staff spoke English which helped a lot. Bought 3 candles for gifts.")
    assert translated.raw is not None and "(Translated by Google)" in translated.raw["comment"]


@pytest.mark.parametrize(("comment", "expected"), [
    ("Très bien", "Très bien"),
    ("(Translated by Google) Very good\n\n(Original)\nMuy bien", "Muy bien"),
    ("Sehr gut\n\n(Translated by Google)\nVery good", "Sehr gut"),
    ("(Translated by Google) Only a translation", "(Translated by Google) Only a translation"),
    (None, None),
])
def test_original_text(comment: str | None, expected: str | None) -> None:
    assert google_reviews.original_text(comment) == expected


def test_anonymous_reviewer_and_missing_comment_stay_empty() -> None:
    rating_only = _posts(_page())[3]
    assert rating_only.author is None and rating_only.text is None
    assert rating_only.rating == 4.0


def test_unspecified_rating_is_none_not_invented() -> None:
    unspecified = _posts(_page())[4]
    assert unspecified.rating is None and unspecified.text is not None


def test_owner_reply_is_a_second_post_from_the_location() -> None:
    first, reply, *_, last, last_reply = _posts(_page())
    assert reply.kind is PostKind.REPLY and reply.parent_id == first.platform_id
    assert reply.platform_id == "AbFvOqnT0m1Lx9cQ2hRrZ7pKeYw:reply"
    assert reply.text == "Merci Élodie pour ce joli message, à bientôt à la boutique de Toulouse !"
    assert reply.created_at == datetime(2026, 9, 13, 8, 20, 2, 114000, tzinfo=UTC)
    assert reply.author is not None and reply.author.platform_id == LOCATION
    assert reply.rating is None
    assert last_reply.parent_id == last.platform_id


def test_review_id_falls_back_to_the_resource_name() -> None:
    page = _page()
    del page["reviews"][2]["reviewId"]
    assert _posts(page)[3].platform_id == "AbFvOqpW9e3Rk7uJzLf1QbVmSn"


def test_broken_reviews_are_rejected_and_the_rest_goes_on() -> None:
    page = _page()
    del page["reviews"][2]["starRating"]  # no rating and no comment
    page["reviews"][1]["starRating"] = "SIX"
    del page["reviews"][3]["reviewId"]
    del page["reviews"][3]["name"]
    items = list(google_reviews.parse(page))
    assert [type(i) for i in items] == [Post, Post, Rejected, Rejected, Rejected]
    assert "SIX" in items[2].reason
    assert "starRating" in items[3].reason and "comment" in items[3].reason
    assert "reviewId" in items[4].reason


def test_a_reply_without_comment_is_rejected() -> None:
    page = _page()
    page["reviews"][0]["reviewReply"] = {"updateTime": "2026-09-13T08:20:02Z"}
    items = list(google_reviews.parse(page))
    assert isinstance(items[0], Post) and isinstance(items[1], Rejected)
    assert "comment" in items[1].reason


def test_empty_and_error_pages() -> None:
    assert list(google_reviews.parse({"averageRating": 0, "totalReviewCount": 0})) == []
    (bad,) = google_reviews.parse({"error": {"code": 403, "message": "PERMISSION_DENIED"}})
    assert isinstance(bad, Rejected) and "PERMISSION_DENIED" in bad.reason
    (bad,) = google_reviews.parse({"reviews": "nope"})
    assert isinstance(bad, Rejected)


def test_reads_json_lines_of_pages() -> None:
    line = orjson.dumps(_page())
    items = list(google_reviews.FORMATS[0].read(io.BytesIO(line + b"\n" + line + b"\n[\n")))
    assert len([i for i in items if isinstance(i, Post)]) == 12
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert len(rejected) == 1 and rejected[0].position == "line 3"


def test_sniffs_its_own_pages_only() -> None:
    assert google_reviews.sniff(PAGE.read_bytes()) > 0.5
    assert google_reviews.sniff(b'{"averageRating": 4.1, "totalReviewCount": 0}') > 0.5
    trustpilot = FIXTURES / "trustpilot" / "business_unit_reviews.json"
    assert google_reviews.sniff(trustpilot.read_bytes()) == 0.0
    assert google_reviews.sniff((FIXTURES / "x-v2" / "search_recent.json").read_bytes()) == 0.0
    assert google_reviews.sniff(b'{"reviews": [{"id": "1", "stars": 5}]}') == 0.0
    assert google_reviews.sniff(b"id,rating,title,body\n") == 0.0
