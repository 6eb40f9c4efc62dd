from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from confiance.core.errors import ConfianceError
from confiance.domain import MediaType, Platform, Post, PostKind, Rejected
from confiance.sources import generic
from confiance.sources.base import SourceFormat

FIXTURES = Path(__file__).parent / "fixtures"
CANONICAL = FIXTURES / "csv" / "canonical.csv"
SURVEY = FIXTURES / "csv" / "enquete_magasins_undetectable_broken.csv"
MAPPING = FIXTURES / "csv" / "enquete_magasins.mapping.json"
NDJSON = FIXTURES / "ndjson" / "posts.ndjson"


def _read(fmt: SourceFormat, data: bytes) -> list[Post | Rejected]:
    return list(fmt.read(io.BytesIO(data)))


def _mapping(**changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = orjson.loads(MAPPING.read_bytes())
    spec.update(changes)
    return spec


def _survey(**changes: Any) -> list[Post | Rejected]:
    return _read(generic.CSV.configure(_mapping(**changes)), SURVEY.read_bytes())


def _paris_tz_available() -> bool:
    try:
        generic.CSV.configure(_mapping())
    except ConfianceError:
        return False
    return True


needs_tz = pytest.mark.skipif(not _paris_tz_available(), reason="no IANA time zone data")

# ---------------------------------------------------------------------------- canonical CSV


def test_canonical_csv_maps_dotted_columns_field_by_field() -> None:
    items = _read(generic.CSV, CANONICAL.read_bytes())
    assert all(isinstance(i, Post) for i in items)
    post, comment, review, call = items
    assert isinstance(post, Post) and post.platform is Platform.INSTAGRAM
    assert post.platform_id == "17900000000000001" and post.kind is PostKind.POST
    assert post.hashtags == ["MaisonLumiere", "automne"]
    assert post.created_at == datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    assert post.author is not None and post.author.followers == 18250
    assert post.author.verified is True and post.author.platform is Platform.INSTAGRAM
    assert post.metrics.likes == 1204 and post.metrics.comments == 87
    assert [(m.type, m.url) for m in post.media] == [
        (MediaType.IMAGE, "https://scontent.cdninstagram.com/v/figue-noire.jpg")]
    assert post.raw is not None and post.raw["author.handle"] == "maisonlumiere"
    assert isinstance(comment, Post) and comment.kind is PostKind.COMMENT
    assert comment.parent_id == post.platform_id
    assert comment.text == "Figue noire sans hésiter 😍\n(et le coffret pour Noël svp !!)"
    assert comment.created_at == datetime(2026, 10, 1, 7, 42, 17, tzinfo=UTC)
    assert comment.author is not None and comment.author.display_name is None
    assert comment.url is None and comment.media == [] and comment.metrics.likes == 3
    assert isinstance(review, Post) and review.rating == 2 and review.title is not None
    # a naive time is UTC without a mapping
    assert review.created_at == datetime(2026, 10, 3, 18, 5, tzinfo=UTC)
    assert isinstance(call, Post) and call.kind is PostKind.POST and call.author is None
    assert call.language is None and call.created_at is None and call.hashtags == []


def test_canonical_csv_rejects_a_bad_row_and_goes_on() -> None:
    data = CANONICAL.read_bytes().replace(b",2,,5f0c1d2e", b",deux,,5f0c1d2e")
    data = data.replace(b"other,SAV-2026-0042", b"other,")
    items = _read(generic.CSV, data)
    assert [type(i) for i in items] == [Post, Post, Rejected, Rejected]
    assert "column 'rating'" in items[2].reason and items[2].code == "E202"
    assert items[2].position == "row 4"  # records, header = row 1 (the comment has 2 lines)
    assert items[3].code == "E201" and "platform_id" in items[3].reason


def test_a_csv_without_canonical_names_is_rejected_once_with_e210() -> None:
    [survey] = _read(generic.CSV, SURVEY.read_bytes())
    assert isinstance(survey, Rejected) and survey.code == "E210"
    assert "--mapping" in survey.reason
    [typo] = _read(generic.CSV, b"platform_id,text,author.platfrom_id\n1,Super,42\n")
    assert typo.code == "E210" and "author.platfrom_id" in typo.reason


# ---------------------------------------------------------------------------- mapped CSV


@needs_tz
def test_french_survey_export_through_its_mapping() -> None:
    items = _survey()
    assert [type(i) for i in items] == [Post, Post, Rejected, Post, Post]
    first, anonymous, cinq, score_only, english = items
    assert isinstance(first, Post) and first.platform is Platform.OTHER
    assert first.kind is PostKind.REVIEW and first.platform_id == "ENQ-10231"
    assert first.rating == 4.5  # decimal comma
    assert first.created_at == datetime(2026, 10, 3, 12, 32, tzinfo=UTC)  # 14:32 in Paris
    assert first.language == "fr"  # a constant of the mapping
    assert first.author is not None and first.author.platform_id == "C-88412"
    assert first.author.display_name == "Nathalie B." and first.author.platform is Platform.OTHER
    assert first.raw is not None and first.raw["Magasin"] == "Lyon Presqu'île"
    # no customer id: no author, nothing invented
    assert isinstance(anonymous, Post) and anonymous.author is None
    assert anonymous.text is not None and anonymous.text.startswith("Attente en caisse")
    # "cinq" does not convert: the row is rejected naming its column
    assert isinstance(cinq, Rejected) and cinq.position == "row 4"
    assert "column 'Note /5' (rating)" in cinq.reason and "'cinq'" in cinq.reason
    # a score without a verbatim is still an answer
    assert isinstance(score_only, Post) and score_only.text is None and score_only.rating == 3
    assert isinstance(english, Post) and english.hashtags == []  # no hashtags column mapped
    assert english.created_at == datetime(2026, 10, 5, 7, 3, tzinfo=UTC)


@needs_tz
def test_a_cp1252_export_is_read_with_its_encoding() -> None:
    data = SURVEY.read_bytes().decode("utf-8-sig").replace("…", "...").encode("cp1252")
    items = _read(generic.CSV.configure(_mapping(encoding="cp1252")), data)
    assert [type(i) for i in items] == [Post, Post, Rejected, Post, Post]
    assert items[0].raw is not None and items[0].raw["Magasin"] == "Lyon Presqu'île"


@needs_tz
def test_a_mapping_naming_absent_columns_rejects_the_file_once() -> None:
    spec = _mapping()
    spec["fields"]["title"] = "Objet"
    [rejected] = _survey(fields=spec["fields"])
    assert isinstance(rejected, Rejected) and rejected.code == "E209"
    assert "Objet" in rejected.reason


@needs_tz
def test_platform_id_is_derived_only_from_id_from_columns() -> None:
    fields = {k: v for k, v in _mapping()["fields"].items() if k != "platform_id"}
    items = _survey(fields=fields, id_from=["Date réponse", "ID client"])
    first = items[0]
    digest = hashlib.sha256(b"03/10/2026 14:32\x1fC-88412").hexdigest()[:32]
    assert isinstance(first, Post) and first.platform_id == f"sha256:{digest}"
    # the same row gives the same id on every import
    assert first.platform_id == _survey(fields=fields, id_from=["Date réponse", "ID client"])[
        0].platform_id  # type: ignore[union-attr]
    # a row whose platform_id cell is blank is rejected unless id_from says how to derive it
    data = SURVEY.read_bytes().replace(b"ENQ-10232;", b";")
    fmt = generic.CSV.configure(_mapping())
    assert [type(i) for i in _read(fmt, data)][:2] == [Post, Rejected]
    fallback = generic.CSV.configure(_mapping(id_from=["Date réponse"]))
    assert isinstance(_read(fallback, data)[1], Post)


@pytest.mark.parametrize(("change", "detail"), [
    ({"fields": {"platform_id": "a", "texte": "b"}}, "unknown canonical target 'texte'"),
    ({"fields": {"text": "b"}}, "'platform_id'"),
    ({"fields": {"platform_id": "a", "author.display_name": "c"}}, "'text', 'title' or 'rating'"),
    ({"fields": {"platform_id": "a", "text": "b", "author.display_name": "c"}},
     "'author.platform_id'"),
    ({"fields": {"platform_id": "a", "text": "b", "media.type": "c"}}, "'media.url'"),
    ({"colonnes": {}}, "unknown key(s) colonnes"),
    ({"fields": "platform_id=a"}, "'fields' must be an object"),
    ({"timezone": "Europe/Pariss"}, "unknown time zone"),
    ({"time_format": "dd/mm/yyyy"}, "'time_format'"),
    ({"decimal_comma": "oui"}, "'decimal_comma'"),
    ({"delimiter": ";;"}, "'delimiter'"),
    ({"encoding": "klingon"}, "'encoding'"),
    ({"platform": "myspace"}, "constant 'platform'"),
    ({"kind": "tweet"}, "constant 'kind'"),
    ({"constants": {"rating": "cinq"}}, "constant 'rating'"),
    ({"constants": {"text": "x"}}, "'text' is both a field and a constant"),
    ({"constants": {"platform": "x"}}, "top level"),
    ({"id_from": "ID client"}, "'id_from'"),
])
def test_invalid_mappings_raise_e209_naming_the_problem(change: dict[str, Any],
                                                        detail: str) -> None:
    spec = {"fields": {"platform_id": "N° ticket", "text": "Verbatim"}, **change,
            "__path__": "enquete.json"}
    with pytest.raises(ConfianceError) as caught:
        generic.CSV.configure(spec)
    assert caught.value.code == "E209"
    assert detail in caught.value.message and "enquete.json" in caught.value.message


def test_configure_returns_a_configured_copy() -> None:
    fmt = generic.CSV.configure({"fields": {"platform_id": "id", "text": "t"}, "kind": "review"})
    assert fmt is not generic.CSV and fmt.name == "csv" and fmt.configure is not None
    [post] = list(fmt.parse({"id": "7", "t": "Top"}))
    assert isinstance(post, Post) and post.kind is PostKind.REVIEW
    assert post.platform is Platform.OTHER and post.raw == {"id": "7", "t": "Top"}
    # the shared format is unchanged
    [unmapped] = list(generic.CSV.parse({"id": "7", "t": "Top"}))
    assert isinstance(unmapped, Rejected) and unmapped.code == "E210"


def test_value_conversions() -> None:
    fmt = generic.CSV.configure({
        "fields": {"platform_id": "id", "text": "t", "metrics.likes": "likes",
                   "author.platform_id": "a", "author.verified": "v", "mentions": "m",
                   "created_at": "d"},
        "decimal_comma": True})
    [post] = list(fmt.parse({"id": "1", "t": "x", "likes": "1.234", "a": "u", "v": "oui",
                             "m": "@lea, @tom", "d": "1727856000"}))
    assert isinstance(post, Post) and post.metrics.likes == 1234
    assert post.author is not None and post.author.verified is True
    assert post.mentions == ["lea", "tom"]
    assert post.created_at == datetime(2024, 10, 2, 8, 0, tzinfo=UTC)
    [bad] = list(fmt.parse({"id": "1", "t": "x", "likes": "1,5", "a": "u", "v": "", "m": "",
                            "d": ""}))
    assert isinstance(bad, Rejected) and "column 'likes' (metrics.likes)" in bad.reason
    point = generic.CSV.configure({"fields": {"platform_id": "id", "rating": "r"}})
    [comma] = list(point.parse({"id": "1", "r": "4,5"}))
    assert isinstance(comma, Rejected) and "decimal_comma" in comma.reason


# ---------------------------------------------------------------------------- NDJSON


def test_canonical_ndjson_lines_are_posts() -> None:
    items = _read(generic.NDJSON, NDJSON.read_bytes())
    assert all(isinstance(i, Post) for i in items) and len(items) == 4
    tweet, comment, review, call = items
    assert isinstance(tweet, Post) and tweet.author is not None
    assert tweet.author.location == "Lyon, France" and tweet.metrics.views == 1870
    assert isinstance(comment, Post) and comment.parent_id == "dQw4w9WgXcQ"
    assert comment.created_at == datetime(2026, 10, 4, 15, 20, tzinfo=UTC)
    assert isinstance(review, Post) and review.rating == 5 and review.media[0].height == 1440
    assert isinstance(call, Post) and call.platform is Platform.OTHER and call.author is None


def test_ndjson_rejects_bad_lines_with_their_position_and_goes_on() -> None:
    lines = NDJSON.read_bytes().splitlines()
    lines[1] = b'{"platform": "myspace", "platform_id": "1", "text": "x"}'
    lines.insert(2, b"")
    lines.insert(3, b'{"platform": "x", "platform_id": "2", "text": "oops"')
    lines.append(b'{"platform": "x", "text": "no id"}')
    items = _read(generic.NDJSON, b"\n".join(lines) + b"\n")
    assert [type(i) for i in items] == [Post, Rejected, Rejected, Post, Post, Rejected]
    wrong, broken, missing = (i for i in items if isinstance(i, Rejected))
    assert wrong.code == "E202" and "platform" in wrong.reason and wrong.position == "line 2"
    assert wrong.raw == {"platform": "myspace", "platform_id": "1", "text": "x"}
    assert broken.code == "E204" and broken.position == "line 4"
    assert missing.code == "E201" and "platform_id" in missing.reason
    assert missing.position == "line 7"


def test_ndjson_that_is_not_canonical_is_rejected_once_with_e210() -> None:
    data = b'{"id": "1", "message": "Super"}\n{"id": "2", "message": "Bof"}\n'
    [rejected] = _read(generic.NDJSON, data)
    assert isinstance(rejected, Rejected) and rejected.code == "E210"
    assert rejected.position == "line 1"


def test_ndjson_parse_takes_a_line_or_an_object() -> None:
    line = NDJSON.read_bytes().splitlines()[3]
    [from_line] = list(generic.NDJSON.parse(line))
    [from_object] = list(generic.NDJSON.parse(orjson.loads(line)))
    assert from_line == from_object and isinstance(from_line, Post)


def test_mapped_ndjson_reads_keys_and_dotted_paths() -> None:
    fmt = generic.NDJSON.configure({
        "platform": "other", "kind": "review",
        "fields": {"platform_id": "ticket.id", "text": "message", "rating": "score",
                   "author.platform_id": "customer.id", "created_at": "at"}})
    data = (b'{"ticket": {"id": 981}, "message": "Colis perdu", "score": 1, '
            b'"customer": {"id": "C-1"}, "at": "2026-10-02T10:00:00+02:00"}\n'
            b'{"ticket": {"id": 982}, "message": "Rien", "score": "un"}\n'
            b"not json\n")
    post, bad, broken = _read(fmt, data)
    assert isinstance(post, Post) and post.platform_id == "981" and post.rating == 1
    assert post.author is not None and post.author.platform_id == "C-1"
    assert post.created_at == datetime(2026, 10, 2, 8, 0, tzinfo=UTC)
    assert post.raw is not None and post.raw["ticket"] == {"id": 981}
    assert isinstance(bad, Rejected) and "column 'score' (rating)" in bad.reason
    assert bad.position == "line 2"
    assert isinstance(broken, Rejected) and broken.code == "E204" and broken.position == "line 3"


# ---------------------------------------------------------------------------- sniffing


def test_sniffers_are_specific() -> None:
    x_page = (FIXTURES / "x-v2" / "search_recent.json").read_bytes()
    assert generic.sniff_ndjson(NDJSON.read_bytes()) > 0.5
    assert generic.sniff_csv(NDJSON.read_bytes()) == 0.0
    assert generic.sniff_csv(CANONICAL.read_bytes()) > 0.5
    assert generic.sniff_ndjson(CANONICAL.read_bytes()) == 0.0
    # a CSV without canonical names needs --format csv --mapping: low score only
    assert 0.0 < generic.sniff_csv(SURVEY.read_bytes()) <= 0.5
    assert generic.sniff_csv(x_page) == 0.0 and generic.sniff_ndjson(x_page) == 0.0
    assert generic.sniff_ndjson(b'{"platform": "x"}\n') == 0.0
