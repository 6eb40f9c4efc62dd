"""confiance.sentiment.v1: the shipped model, its contract, brand heads and model files."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from confiance.enrich.component import Doc, EnrichError
from confiance.enrich.sentiment import (
    ANY,
    CLASSES,
    NAME,
    Head,
    SentimentClassifier,
    SentimentModel,
    features,
    scoring_language,
)
from confiance.enrich.sentiment_train import training_digest

CLEAR = [
    ("Super produit, je recommande à 100% !", "fr", "positive"),
    ("Arnaque totale, service client injoignable depuis trois semaines, je résilie.", "fr",
     "negative"),
    ("Vous livrez le dimanche ?", "fr", "neutral"),
    ("Bravo, trois semaines pour un colis 👏 merci pour rien", "fr", "negative"),
    ("Colis reçu, le parfum sent divinement bon, merci 😍", "fr", "positive"),
    ("I love this, best purchase I've made all year", "en", "positive"),
    ("Worst airline ever, they lost my luggage and nobody answers", "en", "negative"),
    ("What time does the store open on Sunday?", "en", "neutral"),
]


def score(texts: list[tuple[str, str | None]]) -> list[Doc]:
    docs = [Doc.from_text(text, i) for i, (text, _) in enumerate(texts)]
    for doc, (_, lang) in zip(docs, texts, strict=True):
        doc.language = lang
    return list(SentimentClassifier().pipe(docs))


def test_the_shipped_model_was_trained_on_the_shipped_texts() -> None:
    # a change to enrich/data/sentiment_train_*.jsonl needs
    # `python -m confiance.enrich.sentiment_train` to rebuild the head
    model = SentimentModel.default()
    assert model.manifest["training_sha256"] == training_digest()
    assert set(model.heads) == {ANY, "en"}
    assert model.name == NAME


@pytest.mark.parametrize(("text", "lang", "expected"), CLEAR)
def test_clear_cases_in_french_and_english(text: str, lang: str, expected: str) -> None:
    doc = score([(text, lang)])[0]
    assert doc.values["sentiment"] == expected
    assert doc.made_by["sentiment"] == NAME


def test_scores_are_in_range_and_agree_with_the_label() -> None:
    for doc in score([(t, lang) for t, lang, _ in CLEAR]):
        value = doc.values["sentiment_score"]
        assert -1.0 <= value <= 1.0
        assert 1 / 3 <= doc.values["sentiment_confidence"] <= 1.0
        if doc.values["sentiment"] == "positive":
            assert value > 0
        if doc.values["sentiment"] == "negative":
            assert value < 0


def test_a_blank_text_is_neutral_with_a_zero_score() -> None:
    for doc in score([("", None), ("   \n", "fr")]):
        assert (doc.values["sentiment"], doc.values["sentiment_score"]) == ("neutral", 0.0)


def test_a_bad_record_is_reported_and_the_batch_goes_on() -> None:
    good = Doc.from_text("Service impeccable, merci beaucoup !", 0)
    bad = Doc.from_text("x", 1)
    bad.text = 42  # type: ignore[assignment]
    errors: list[EnrichError] = []
    out = list(SentimentClassifier().pipe([bad, good], on_error=errors.append))
    assert [d.key for d in out] == [bad.key, good.key]
    assert len(errors) == 1 and errors[0].key == bad.key and errors[0].component == NAME
    assert "sentiment" not in bad.values and good.values["sentiment"] == "positive"


def _flipped() -> SentimentModel:
    """The shipped heads with positive and negative swapped: easy to tell apart."""
    default = SentimentModel.default()
    heads = {k: Head(h.coef[::-1].copy(), h.intercept[::-1].copy())
             for k, h in default.heads.items()}
    return SentimentModel(heads, {**default.manifest, "brand": "Maison Lumière",
                                  "brand_slug": "maison-lumiere", "revision": 3})


def test_a_brand_head_scores_the_posts_of_that_brand_only() -> None:
    rival = _flipped()
    rival.manifest = {**rival.manifest, "brand": "Bougies Céleste", "brand_slug": "celeste"}
    classifier = SentimentClassifier(brand_models={"Maison Lumière": _flipped(),
                                                   "Bougies Céleste": rival})
    ours, theirs, also, two = (Doc.from_text("Super produit, je recommande à 100% !", i)
                               for i in range(4))
    ours.values["brand_matches"] = ["Maison Lumière"]
    theirs.values["brand_matches"] = ["Atelier Flamme"]  # a brand without a head of its own
    also.values["brand_matches"] = ["Atelier Flamme", "Maison Lumière"]
    two.values["brand_matches"] = ["Bougies Céleste", "Maison Lumière"]  # which? neither
    list(classifier.pipe([ours, theirs, also, two]))
    assert ours.values["sentiment"] == also.values["sentiment"] == "negative"
    assert ours.made_by["sentiment"] == f"{NAME}+brand:maison-lumiere.r3"
    assert theirs.values["sentiment"] == two.values["sentiment"] == "positive"
    assert theirs.made_by["sentiment"] == two.made_by["sentiment"] == NAME


def test_model_files_round_trip_and_refuse_pickles(tmp_path: Path) -> None:
    model = _flipped()
    path = tmp_path / "head.npz"
    model.save(path)
    loaded = SentimentModel.load(path)
    assert loaded.manifest == model.manifest
    for key in model.heads:
        np.testing.assert_array_equal(loaded.heads[key].coef, model.heads[key].coef)

    buffer = io.BytesIO()
    np.savez(buffer, manifest=np.array("{}"), languages=np.array(["*"]),
             coef_x=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="pickle"):
        SentimentModel.from_bytes(buffer.getvalue().replace(b"coef_x", b"coef_*"))
    wrong = SentimentModel({ANY: Head(np.zeros((3, 7), np.float32), np.zeros(3, np.float32))})
    with pytest.raises(ValueError, match="must be"):
        SentimentModel.from_bytes(wrong.to_bytes())


def test_to_disk_and_from_disk_keep_the_brand_heads(tmp_path: Path) -> None:
    classifier = SentimentClassifier(brand_models={"Maison Lumière": _flipped()})
    classifier.to_disk(tmp_path / "sentiment")
    restored = SentimentClassifier().from_disk(tmp_path / "sentiment")
    assert list(restored.brand_models) == ["Maison Lumière"]
    assert restored.brand_models["Maison Lumière"].name.endswith(".r3")


def test_classes_are_in_score_order() -> None:
    # sentiment_score is P(positive) - P(negative): the order is part of the file format
    assert CLASSES == ("negative", "neutral", "positive")


def _unknown(text: str, stated: str | None = None) -> Doc:
    doc = Doc.from_text(text, 0)
    doc.language = stated
    return doc


@pytest.mark.parametrize(("text", "expected"), [
    ("Stupid rain. Stupid treadmill hell.", "en"),  # English words: the English head
    ("Damn it Braves!  Damn Damn Damn!", "en"),
    ("Nul.", None),  # French words: the head for every language
    ("Trop bien !!", None),
    ("bad mood :(", None),  # "bad" and ":(" are in both lexicons: a tie changes nothing
    ("🔥🔥🔥", None),
    ("", None),
])
def test_a_text_of_unknown_language_is_scored_by_the_lexicon_that_knows_its_words(
        text: str, expected: str | None) -> None:
    assert scoring_language(_unknown(text)) == expected


def test_a_detected_or_stated_language_is_kept() -> None:
    assert scoring_language(_unknown("Stupid rain. Stupid treadmill hell.", "fr")) == "fr"
    assert scoring_language(_unknown("Nul.", "en")) == "en"


def test_an_unknown_language_english_post_gets_the_english_head_and_features() -> None:
    text = "Stupid rain. Stupid treadmill hell."
    doc = next(iter(SentimentClassifier().pipe([_unknown(text)])))
    model = SentimentModel.default()
    english = _unknown(text, "en")
    expected = model.heads["en"].probabilities(features([english]))[0]
    assert doc.values["sentiment"] == CLASSES[int(expected.argmax())] == "negative"
    assert doc.values["sentiment_score"] == pytest.approx(
        float(expected[2] - expected[0]), abs=1e-4)


def test_french_texts_left_without_a_language_rarely_go_to_the_english_head() -> None:
    """The shipped French training texts the detector leaves without a language (83 of
    them) keep the head for every language, but for a couple ("ok" is an English word)."""
    from confiance.enrich.language import LanguageDetector
    from confiance.enrich.sentiment_train import training_examples

    french = [e.text for e in training_examples() if e.language == "fr"]
    docs = list(LanguageDetector().pipe([Doc.from_text(text, i)
                                         for i, text in enumerate(french)]))
    unknown = [doc for doc in docs if doc.primary_language() is None]
    to_english = [doc.text for doc in unknown if scoring_language(doc) == "en"]
    assert len(unknown) >= 20
    assert len(to_english) <= 0.05 * len(unknown), to_english
