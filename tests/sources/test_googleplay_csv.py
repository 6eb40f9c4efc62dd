from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from confiance.domain import Platform, Post, PostKind, Rejected
from confiance.sources import googleplay_csv

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "googleplay-csv" / "reviews_reviews_com.maisonlumiere.boutique_202609.csv"
PACKAGE = "com.maisonlumiere.boutique"
FIRST_ID = "gp:AOqpTOH2kQ7vZxW9bLmR4sNcYe1uJf8dPa3gT6iKoE5lHqBz0Cw"


def _text() -> str:
    return EXPORT.read_bytes().decode("utf-16")


def _read(data: bytes) -> list[Post | Rejected]:
    return list(googleplay_csv.FORMATS[0].read(io.BytesIO(data)))


def test_the_fixture_is_utf16_le_with_a_bom_as_google_ships_it() -> None:
    assert EXPORT.read_bytes()[:2] == b"\xff\xfe"


def test_maps_rows_field_by_field() -> None:
    items = _read(EXPORT.read_bytes())
    assert all(isinstance(i, Post) for i in items) and len(items) == 6
    first, _, canadian, _, english, rating_only = items
    assert first.platform is Platform.GOOGLEPLAY and first.kind is PostKind.REVIEW
    assert first.platform_id == FIRST_ID
    assert first.url is not None and first.url.startswith("http://play.google.com/console/")
    assert first.rating == 5.0 and canadian.rating == 2.0
    assert first.text == (
        "Super appli, je retrouve toutes mes commandes et les bougies arrivent vite 👍")
    assert first.title is None and first.author is None
    assert first.created_at == datetime(2026, 9, 3, 7, 41, 12, tzinfo=UTC)
    assert first.language == "fr" and canadian.language == "fr-CA"
    assert english.language == "en" and rating_only.language == "de"
    assert canadian.text is not None and "\nÀ corriger svp" in canadian.text
    assert first.raw is not None and first.raw["Device"] == "a52q"
    assert first.raw["App Version Name"] == "3.4.1"


def test_developer_reply_is_a_second_post_from_the_app() -> None:
    first, reply, *_ = _read(EXPORT.read_bytes())
    assert reply.kind is PostKind.REPLY and reply.parent_id == FIRST_ID
    assert reply.platform_id == f"{FIRST_ID}:reply"
    assert reply.text == "Merci beaucoup pour votre retour ! L'équipe Maison Lumière"
    assert reply.created_at == datetime(2026, 9, 4, 9, 2, tzinfo=UTC)
    assert reply.author is not None and reply.author.platform_id == PACKAGE
    assert reply.author.url == f"https://play.google.com/store/apps/details?id={PACKAGE}"
    assert reply.url == first.url and reply.rating is None
    assert reply.raw is not None and set(reply.raw) == {
        "Developer Reply Date and Time", "Developer Reply Millis Since Epoch",
        "Developer Reply Text"}


def test_rows_without_link_get_a_documented_hash_id() -> None:
    *_, english, rating_only = _read(EXPORT.read_bytes())
    key = f"{PACKAGE}\x1f1789823133000\x1f{english.text}"
    assert english.platform_id == "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:40]
    assert english.url is None
    assert rating_only.text is None and rating_only.rating == 5.0
    assert rating_only.platform_id.startswith("sha256:")
    assert rating_only.platform_id != english.platform_id
    # deterministic: a second read gives the same ids
    assert [p.platform_id for p in _read(EXPORT.read_bytes())][-1] == rating_only.platform_id


def test_a_link_without_review_id_is_hashed() -> None:
    row = {"Package Name": PACKAGE, "Star Rating": "3", "Review Link": "https://x.test/r/1"}
    (post,) = googleplay_csv.parse(row)
    expected = hashlib.sha256(b"https://x.test/r/1").hexdigest()[:40]
    assert isinstance(post, Post) and post.platform_id == f"link-sha256:{expected}"


@pytest.mark.parametrize(("value", "expected"), [
    ("fr", "fr"), ("fr_FR", "fr-FR"), ("FR", "fr"), ("pt-br", "pt-BR"),
    ("zh_hant_tw", "zh-Hant-TW"), ("es_419", "es-419"), ("", None), ("??", None),
    (None, None), ("english", None),
])
def test_language_tag(value: str | None, expected: str | None) -> None:
    assert googleplay_csv.language_tag(value) == expected


def test_reads_utf8_with_and_without_bom_and_utf16_be() -> None:
    text = _text()
    for data in (text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8"),
                 text.encode("utf-16-be"), text.encode("utf-16-le"),
                 b"\xfe\xff" + text.encode("utf-16-be")):
        items = _read(data)
        assert len(items) == 6 and all(isinstance(i, Post) for i in items)
        assert items[0].platform_id == FIRST_ID
        assert items[2].text is not None and "affichés" in items[2].text


def test_streams_in_chunks_across_multibyte_boundaries() -> None:
    text = _text()
    header, _, rest = text.partition("\n")
    body = rest * 300  # about 900 KB once encoded: many 64 KiB chunks
    items = _read((header + "\n" + body).encode("utf-16"))
    posts = [i for i in items if isinstance(i, Post)]
    assert len(posts) == 1800 and not [i for i in items if isinstance(i, Rejected)]
    assert all("\ufffd" not in (p.text or "") for p in posts)


def test_broken_rows_are_rejected_and_the_rest_goes_on() -> None:
    lines = _text().split("\n")
    lines[1] = lines[1].replace(",5,,", ",0,,", 1)  # invalid rating
    lines[5] = lines[5].replace(PACKAGE, "", 1)  # no link and no package: no id
    items = _read("\n".join(lines).encode("utf-16"))
    kinds = [type(i) for i in items]
    assert kinds == [Rejected, Post, Post, Post, Rejected]
    assert "Star Rating" in items[0].reason and items[0].position == "row 2"
    assert "Review Link" in items[4].reason and "Package Name" in items[4].reason


def test_a_row_with_neither_rating_nor_text_is_rejected() -> None:
    row = {"Package Name": PACKAGE, "Review Submit Millis Since Epoch": "1789823133000",
           "Star Rating": "", "Review Text": "  "}
    (item,) = googleplay_csv.parse(row)
    assert isinstance(item, Rejected) and "Review Text" in item.reason


def test_sniffs_its_own_header_in_utf16_and_utf8_only() -> None:
    assert googleplay_csv.sniff(EXPORT.read_bytes()) > 0.5
    assert googleplay_csv.sniff(_text().encode("utf-8")) > 0.5
    assert googleplay_csv.sniff(EXPORT.read_bytes()[:1001]) > 0.5  # a cut sample
    for other in (FIXTURES / "appstore-csv").glob("*.csv"):
        assert googleplay_csv.sniff(other.read_bytes()) == 0.0
    assert googleplay_csv.sniff((FIXTURES / "x-v2" / "search_recent.json").read_bytes()) == 0.0
    assert googleplay_csv.sniff(b"") == 0.0
