from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from confiance.domain import Platform, Post, PostKind, Rejected
from confiance.sources import appstore_csv

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "appstore-csv" / "ratings_and_reviews_export.csv"
API = FIXTURES / "appstore-csv" / "customer_reviews_api.csv"


def _read(data: bytes) -> list[Post | Rejected]:
    return list(appstore_csv.FORMATS[0].read(io.BytesIO(data)))


def test_maps_export_rows_field_by_field() -> None:
    items = _read(EXPORT.read_bytes())
    assert all(isinstance(i, Post) for i in items) and len(items) == 5
    first, _, second, _, third = items
    assert first.platform is Platform.APPSTORE and first.kind is PostKind.REVIEW
    assert first.platform_id == "11438829302" and first.rating == 5.0
    assert first.title == "Enfin une appli simple"
    assert first.text is not None and first.text.endswith("Maison Lumière 🕯️")
    assert first.created_at == datetime(2026, 9, 14, 15, 12, 44, tzinfo=UTC)
    assert first.author is not None and first.author.platform_id == "camille_n44"
    assert first.author.handle == "camille_n44"
    # the territory is a storefront, not a language
    assert first.language is None and first.raw is not None and first.raw["Territory"] == "FRA"
    assert first.raw["App Version"] == "3.4.1" and first.url is None
    assert second.text is not None and "\nJ'ai réessayé" in second.text
    assert second.rating == 1.0 and third.rating == 4.0 and third.language is None


def test_developer_response_is_a_reply_post() -> None:
    _, reply, _, second_reply, third = _read(EXPORT.read_bytes())
    assert isinstance(reply, Post) and reply.kind is PostKind.REPLY
    assert reply.platform_id == "11438829302:reply" and reply.parent_id == "11438829302"
    assert reply.text == "Merci Camille ! Toute l'équipe est ravie 😊"
    assert reply.created_at == datetime(2026, 9, 15, 17, 0, tzinfo=UTC)
    assert reply.author is None and reply.rating is None
    assert reply.raw == {"Developer Response": "Merci Camille ! Toute l'équipe est ravie 😊",
                         "Developer Response Date": "2026-09-15T10:00:00-07:00"}
    assert isinstance(second_reply, Post) and second_reply.parent_id == "11439104577"
    assert isinstance(third, Post) and third.kind is PostKind.REVIEW  # empty response: no reply


def test_maps_api_attribute_columns() -> None:
    items = _read(API.read_bytes())
    assert [type(i) for i in items] == [Post, Post, Post]
    first = items[0]
    assert isinstance(first, Post)
    assert first.platform_id == "00000049-1b7f-3c21-8a4e-0d2f5e6a7b8c"
    assert first.title == "Bof" and first.rating == 3.0
    assert first.author is not None and first.author.display_name == "lea.dcr"
    assert first.created_at == datetime(2026, 9, 20, 19, 30, tzinfo=UTC)


@pytest.mark.parametrize("header", [
    "REVIEW_ID;date;RATING;title;Review Text;reviewer nickname;territory",
    "reviewId;createdDate;Stars;Review Title;body;Author;Country",
])
def test_header_aliases_match_case_and_separator_insensitively(header: str) -> None:
    row = "42;2026-09-01T10:00:00Z;3;Moyen;Odeur trop légère;bob;FRA"
    (post,) = _read(f"{header}\n{row}\n".encode())
    assert isinstance(post, Post)
    assert post.platform_id == "42" and post.rating == 3.0 and post.title == "Moyen"
    assert post.text == "Odeur trop légère" and post.author is not None
    assert post.author.platform_id == "bob"


def test_broken_rows_are_rejected_with_the_column_and_the_rest_goes_on() -> None:
    data = EXPORT.read_bytes().decode().replace("11438829302,", ",", 1)
    data = data.replace(",4,Nice but slow,", ",9,Nice but slow,")
    items = _read(data.encode())
    assert [type(i) for i in items] == [Rejected, Post, Post, Rejected]
    assert "Review ID" in items[0].reason and items[0].position == "row 2"
    assert "rating" in items[3].reason
    assert items[0].raw["Nickname"] == "camille_n44"


def test_a_row_without_title_nor_body_is_rejected_and_missing_nickname_is_fine() -> None:
    header = "id,rating,title,body,reviewerNickname,createdDate,territory\n"
    rows = "1,5,,,ghost,2026-09-01T10:00:00Z,FRA\n2,4,Sympa,,,,FRA\n"
    first, second = _read((header + rows).encode())
    assert isinstance(first, Rejected) and "body" in first.reason
    assert isinstance(second, Post) and second.author is None and second.created_at is None
    assert second.text is None and second.title == "Sympa"


def test_an_unreadable_date_is_rejected() -> None:
    header = "id,rating,title,body,reviewerNickname,createdDate,territory\n"
    (item,) = _read((header + "1,5,Top,Bien,al,hier,FRA\n").encode())
    assert isinstance(item, Rejected) and "hier" in item.reason


def test_parse_rejects_a_non_mapping() -> None:
    (item,) = appstore_csv.parse(["not", "a", "row"])
    assert isinstance(item, Rejected)


def test_sniffs_its_own_headers_only() -> None:
    assert appstore_csv.sniff(EXPORT.read_bytes()) > 0.5
    assert appstore_csv.sniff(API.read_bytes()) > 0.5
    play = next((FIXTURES / "googleplay-csv").glob("*.csv")).read_bytes()
    assert appstore_csv.sniff(play) == 0.0
    assert appstore_csv.sniff(play.decode("utf-16").encode()) == 0.0
    assert appstore_csv.sniff(b"id,text,author,date\n1,hello,bob,2026\n") == 0.0
    assert appstore_csv.sniff(b"id,rating,body\n1,5,ok\n") == 0.0
    assert appstore_csv.sniff((FIXTURES / "x-v2" / "search_recent.json").read_bytes()) == 0.0
