"""The brand matcher: queries, the name/hashtag default, detected language, errors."""

from __future__ import annotations

import pytest

from confiance.core.errors import ConfianceError
from confiance.enrich import brands as brands_module
from confiance.enrich.brands import NAME, BrandMatcher, default_query
from confiance.enrich.component import Component, Doc, EnrichError
from confiance.enrich.language import LanguageDetector
from confiance.enrich.pipeline import Pipeline
from confiance.enrich.query import Query

LUMIERE = '("Maison Lumière" OR @MaisonLumiere OR #MaLumiereAMoi) AND NOT (emploi OR recrutement)'


def _doc(text: str, n: int = 0, *, platform: str = "x", title: str | None = None,
         language: str | None = None, hashtags: tuple[str, ...] = (),
         mentions: tuple[str, ...] = ()) -> Doc:
    return Doc(key=("x", str(n)), text=text, platform=platform, title=title,
               language=language, hashtags=list(hashtags), mentions=list(mentions))


def _matches(matcher: BrandMatcher, *docs: Doc) -> list[list[str] | None]:
    return [doc.values.get("brand_matches") for doc in matcher.pipe(list(docs))]


def test_is_a_component_with_a_versioned_name() -> None:
    matcher = BrandMatcher([(1, "Maison Lumière", LUMIERE, [])])
    assert isinstance(matcher, Component)
    assert matcher.name == NAME == "confiance.brands.v1"
    assert matcher.writes == ("brand_matches",) and "language" in matcher.reads
    doc = next(matcher.pipe([_doc("Maison Lumière")]))
    assert doc.made_by == {"brand_matches": "confiance.brands.v1"}


def test_matches_by_query() -> None:
    matcher = BrandMatcher([(1, "Maison Lumière", LUMIERE, [])])
    assert _matches(
        matcher,
        _doc("J'adore MAISON-LUMIERE !"),
        _doc("Maison Lumière recrute : offre d'emploi"),
        _doc("rien à voir", mentions=("MaisonLumiere",)),
        _doc("rien à voir", hashtags=("malumiereamoi",)),
        _doc("la maison et la lumière"),
    ) == [["Maison Lumière"], [], ["Maison Lumière"], ["Maison Lumière"], []]


def test_a_brand_without_query_matches_its_name_as_a_phrase() -> None:
    matcher = BrandMatcher([(1, "Atelier Flamme", None, [])])
    assert _matches(
        matcher,
        _doc("Commande chez atelier-flamme, ravie"),
        _doc("ATELIER FLAMME 🔥"),
        _doc("Un atelier de bougies, une flamme"),
        _doc("rien", title="Avis Atelier  Flamme"),
    ) == [["Atelier Flamme"], ["Atelier Flamme"], [], ["Atelier Flamme"]]
    assert str(matcher.queries["Atelier Flamme"]) == '"Atelier Flamme"'


def test_a_brand_without_query_matches_its_hashtags() -> None:
    matcher = BrandMatcher([(1, "Bougies Céleste", None, ["#CelesteLove", "BougiesCeleste"])])
    assert _matches(
        matcher,
        _doc("trop beau", hashtags=("celestelove",)),
        _doc("mon avis #BougiesCéleste"),
        _doc("celestelove sans dièse"),
        _doc("#CelesteLoveForever"),
    ) == [["Bougies Céleste"], ["Bougies Céleste"], [], []]
    assert str(matcher.queries["Bougies Céleste"]) == \
        '"Bougies Céleste" OR #CelesteLove OR #BougiesCeleste'


def test_a_blank_stored_query_counts_as_none() -> None:
    matcher = BrandMatcher([(1, "Atelier Flamme", "   ", [])])
    assert _matches(matcher, _doc("atelier flamme")) == [["Atelier Flamme"]]


def test_a_brand_with_a_query_ignores_its_name_and_hashtags() -> None:
    matcher = BrandMatcher([(1, "Maison Lumière", "@MaisonLumiere", ["MaLumiereAMoi"])])
    assert _matches(matcher, _doc("Maison Lumière"), _doc("#MaLumiereAMoi"),
                    _doc("merci @MaisonLumiere")) == [[], [], ["Maison Lumière"]]


def test_default_query_shapes() -> None:
    assert default_query("!!!") is None
    assert str(default_query("Apple", ["#Apple", "apple", "bad tag!"])) == '"Apple" OR #Apple'
    quoted = default_query('Le "Grand" Café')
    assert quoted is not None and quoted.match_texts(["le grand café ouvre"]) == [True]
    assert BrandMatcher([(1, "!!!", None, [])]).ids == {"!!!": 1}


def test_lang_uses_the_detected_language_before_the_platform_one() -> None:
    matcher = BrandMatcher([(1, "Bougies FR", "bougie* AND lang:fr", [])])
    detected_fr = _doc("bougies", 1, language="en")
    detected_fr.values["language"] = "fr"
    detected_en = _doc("bougies", 2, language="fr")
    detected_en.values["language"] = "en"
    unknown = _doc("bougies", 3, language="fr-CA")
    unknown.values["language"] = "unknown"
    assert _matches(matcher, detected_fr, detected_en, unknown, _doc("bougies", 4)) == [
        ["Bougies FR"], [], ["Bougies FR"], []]


def test_lang_filter_after_the_language_component_in_a_pipeline() -> None:
    matcher = BrandMatcher([(1, "Lumière FR", "lumiere AND lang:fr", []),
                            (2, "Lumière EN", "lumiere AND lang:en", [])])
    pipeline = Pipeline([LanguageDetector(), matcher])
    docs = list(pipeline.pipe([
        _doc("Franchement la bougie Lumière sent trop bon, je la recommande vraiment", 1),
        _doc("The Lumiere candle smells really great and the delivery was fast", 2),
    ]))
    assert [d.values["language"] for d in docs] == ["fr", "en"]
    assert [d.values["brand_matches"] for d in docs] == [["Lumière FR"], ["Lumière EN"]]


def test_competitors_are_matched_too_and_names_come_sorted() -> None:
    matcher = BrandMatcher([
        (1, "Maison Lumière", LUMIERE, ["MaLumiereAMoi"]),
        (2, "Bougies Céleste", None, ["BougiesCeleste"]),
        (3, "Atelier Flamme", None, []),
    ])
    assert matcher.names == ["Atelier Flamme", "Bougies Céleste", "Maison Lumière"]
    assert matcher.ids == {"Atelier Flamme": 3, "Bougies Céleste": 2, "Maison Lumière": 1}
    assert _matches(
        matcher,
        _doc("Maison Lumière ou Atelier Flamme ? #BougiesCeleste"),
        _doc("Atelier Flamme, livraison rapide"),
        _doc("rien à signaler"),
    ) == [["Atelier Flamme", "Bougies Céleste", "Maison Lumière"], ["Atelier Flamme"], []]


def test_queries_are_compiled_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = brands_module.parse_query

    def counting(text: str) -> Query:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(brands_module, "parse_query", counting)
    matcher = BrandMatcher([(1, "A", "alpha", []), (2, "B", "beta OR gamma", [])])
    for _ in range(3):
        list(matcher.pipe([_doc(f"alpha {n}", n) for n in range(600)], batch_size=128))
    assert calls == ["alpha", "beta OR gamma"]


def test_a_failing_doc_is_reported_and_the_batch_goes_on() -> None:
    matcher = BrandMatcher([(1, "Maison Lumière", LUMIERE, [])])
    errors: list[EnrichError] = []
    docs = list(matcher.pipe([_doc("maison lumière", 1), _doc("maison lumière", 2,
                                                              platform="myspace"),
                              _doc("maison lumière", 3)], on_error=errors.append))
    assert [d.values.get("brand_matches") for d in docs] == [["Maison Lumière"], None,
                                                             ["Maison Lumière"]]
    assert [(e.key, e.component) for e in errors] == [(("x", "2"), NAME)]
    assert "myspace" in errors[0].reason
    with pytest.raises(RuntimeError, match="myspace"):
        list(matcher.pipe([_doc("maison lumière", 2, platform="myspace")]))


def test_an_invalid_stored_query_names_the_brand() -> None:
    with pytest.raises(ConfianceError) as caught:
        BrandMatcher([(1, "Maison Lumière", '"Maison Lumière" AND', [])])
    error = caught.value
    assert error.code == "E407" and "'Maison Lumière'" in error.message
    assert "expected a term after AND" in error.message and "^" in error.message
    assert error.details["query_code"] == "E401" and error.details["column"] == 21
    with pytest.raises(ValueError, match="twice"):
        BrandMatcher([(1, "A", None, []), (2, "A", None, [])])


def test_no_brand_matches_nothing() -> None:
    assert _matches(BrandMatcher([]), _doc("Maison Lumière")) == [[]]
