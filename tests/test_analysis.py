"""The public Python API: confiance.analyze()."""

from __future__ import annotations

import pytest

import confiance
from confiance.core.errors import ConfianceError


def test_analyze_enriches_texts_in_order() -> None:
    found = confiance.analyze([
        "Colis jamais arrivé, service client injoignable, je veux être remboursée !",
        "I absolutely love this candle, it smells amazing",
        "Vous livrez en Belgique ?",
    ])
    assert [r.sentiment for r in found] == ["negative", "positive", "neutral"]
    assert [r.lang for r in found] == ["fr", "en", "fr"]
    assert [r.intent for r in found] == ["complaint", "praise", "question"]
    assert "delivery" in found[0].topics
    assert all(r.brand_matches is None and r.errors == [] for r in found)
    assert found[0].as_dict()["sentiment_score"] < 0 < found[1].sentiment_score  # type: ignore[operator]


def test_queries_name_the_brands_that_match() -> None:
    texts = ["Ma bougie Maison Lumière est top", "Atelier Flamme, jamais plus", "Rien"]
    one = confiance.analyze(texts, query='"Maison Lumière"')
    assert [r.brand_matches for r in one] == [["query"], [], []]
    many = confiance.analyze(texts, query={"Maison Lumière": '"Maison Lumière"',
                                           "Atelier Flamme": "atelier NEAR/1 flamme"})
    assert [r.brand_matches for r in many] == [["Maison Lumière"], ["Atelier Flamme"], []]
    with pytest.raises(ConfianceError) as caught:
        confiance.analyze(texts, query="bougie AND")
    assert caught.value.code == "E401"


def test_stated_languages_are_kept_and_bad_items_do_not_stop_the_rest() -> None:
    found = confiance.analyze(["ok", 42, ""], languages=["en", None, None])  # type: ignore[list-item]
    assert found[0].lang == "en"
    assert [r.sentiment for r in found[1:]] == ["neutral", "neutral"]  # no text to read
