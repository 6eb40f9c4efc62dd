"""Sentiment corrections and brand heads in the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from confiance.core.errors import ConfianceError
from confiance.domain import Brand, Platform, Post
from confiance.enrich.component import Doc
from confiance.enrich.sentiment import Head, SentimentClassifier, SentimentModel
from confiance.store import brands, corrections, enrichments, ingest
from confiance.store.tables import enrichments as enrichments_table
from confiance.store.tables import posts

TEXTS = {"1": "Super bougie, je recommande !", "2": "Livraison en retard, déçue.",
         "3": "Vous livrez en Belgique ?"}


def _setup(engine: Engine) -> int:
    """A brand, three posts imported for it, each with a stored sentiment."""
    brand_id = brands.add(engine, Brand(name="Maison Lumière"))
    items = [Post(platform=Platform.X, platform_id=key, text=text, language="fr",
                  created_at=datetime(2026, 10, 1, tzinfo=UTC)) for key, text in TEXTS.items()]
    ingest.ingest(engine, items, source="a", format="t", brand_id=brand_id)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(posts.c.platform_id, posts.c.id))
        ids = {row.platform_id: row.id for row in rows}
    results = []
    for key, label in (("1", "positive"), ("2", "negative"), ("3", "neutral")):
        doc = Doc(key=("x", key), text=TEXTS[key])
        doc.set("sentiment", label, "confiance.sentiment.v1")
        doc.set("sentiment_confidence", 0.5, "confiance.sentiment.v1")
        doc.set("language", "fr", "platform")
        results.append((ids[key], doc, []))
    with engine.begin() as conn:
        enrichments.save(conn, results)
    return brand_id


def _stored(engine: Engine, platform_id: str
            ) -> tuple[str, float | None, dict[str, str], float | None]:
    """The stored sentiment, score, provenance and confidence of a post."""
    query = (sa.select(enrichments_table.c.sentiment, enrichments_table.c.sentiment_score,
                       enrichments_table.c.made_by, enrichments_table.c.sentiment_confidence)
             .join(posts, posts.c.id == enrichments_table.c.post_id)
             .where(posts.c.platform_id == platform_id))
    with engine.connect() as conn:
        row = conn.execute(query).one()
    return row.sentiment, row.sentiment_score, row.made_by, row.sentiment_confidence


def test_a_correction_is_stored_and_applied_at_once(engine: Engine) -> None:
    brand_id = _setup(engine)
    found = corrections.correct(engine, "x:3", "positive", corrected_by="camille")
    assert (found.post, found.brand, found.label, found.previous) == (
        "x:3", "Maison Lumière", "positive", "neutral")  # the post's only brand
    assert found.language == "fr" and found.text == TEXTS["3"]
    sentiment, score, made_by, confidence = _stored(engine, "3")
    assert (sentiment, score, made_by["sentiment"]) == ("positive", 1.0, "correction")
    # an analyst's label is certain: it leaves the least-certain-first order
    assert (confidence, made_by["sentiment_confidence"]) == (1.0, "correction")
    assert _stored(engine, "1")[3] == 0.5  # the others are untouched
    assert made_by["language"] == "platform"  # the other values' provenance is kept

    again = corrections.correct(engine, "x:3", "negative")
    assert again.previous == "neutral"  # what the model said, not the earlier correction
    listed = corrections.list_corrections(engine, brand_id=brand_id)
    assert [(c.post, c.label) for c in listed] == [("x:3", "negative")]
    assert [e.label for e in corrections.examples(engine, brand_id)] == ["negative"]


def test_posts_are_named_by_platform_id_or_store_id(engine: Engine) -> None:
    _setup(engine)
    with engine.connect() as conn:
        store_id = conn.execute(sa.select(posts.c.id).where(posts.c.platform_id == "1")).scalar()
    assert corrections.correct(engine, str(store_id), "neutral").post == "x:1"
    for ref in ("x:999", "nothing", "mastodon:1"):
        with pytest.raises(ConfianceError) as caught:
            corrections.correct(engine, ref, "neutral")
        assert caught.value.code == "E512"
    with pytest.raises(ConfianceError) as caught:
        corrections.correct(engine, "x:1", "angry")
    assert caught.value.code == "E513"
    assert corrections.list_corrections(engine) != []


def test_giving_a_post_its_current_label_confirms_it(engine: Engine) -> None:
    brand_id = _setup(engine)
    found = corrections.correct(engine, "x:1", "positive")  # the model said positive
    assert (found.label, found.previous) == ("positive", "positive")
    assert [e.label for e in corrections.examples(engine, brand_id)] == ["positive"]
    sentiment, _, made_by, confidence = _stored(engine, "1")
    assert (sentiment, made_by["sentiment"], confidence) == ("positive", "correction", 1.0)
    assert TEXTS["1"] not in [a.text for a in corrections.anchors(engine, brand_id)]


def test_anchors_are_the_brands_uncorrected_posts_newest_first(engine: Engine) -> None:
    brand_id = _setup(engine)
    other = brands.add(engine, Brand(name="Bougies Céleste"))
    assert [(a.text, a.label, a.language) for a in corrections.anchors(engine, brand_id)] == [
        (TEXTS["3"], "neutral", "fr"), (TEXTS["2"], "negative", "fr"),
        (TEXTS["1"], "positive", "fr")]
    corrections.correct(engine, "x:2", "positive")
    found = corrections.anchors(engine, brand_id)
    assert [a.text for a in found] == [TEXTS["3"], TEXTS["1"]]  # the corrected one is out
    assert [a.text for a in corrections.anchors(engine, brand_id, limit=1)] == [TEXTS["3"]]
    assert corrections.anchors(engine, other) == []


def _flipped(brand: str, revision: int) -> SentimentModel:
    default = SentimentModel.default()
    return SentimentModel({k: Head(h.coef[::-1].copy(), h.intercept[::-1].copy())
                           for k, h in default.heads.items()},
                          {"brand": brand, "brand_slug": "ml", "revision": revision,
                           "corrections": 7, "evaluation": {"before": 0.2, "after": 0.9}})


def test_one_active_head_per_brand_and_rescoring_keeps_corrections(engine: Engine) -> None:
    brand_id = _setup(engine)
    assert corrections.next_revision(engine, brand_id) == 1
    corrections.save_model(engine, brand_id, _flipped("Maison Lumière", 1), active=True)
    corrections.save_model(engine, brand_id, _flipped("Maison Lumière", 2), active=True)
    corrections.save_model(engine, brand_id, _flipped("Maison Lumière", 3), active=False)
    assert corrections.next_revision(engine, brand_id) == 4
    active = corrections.active_models(engine)
    assert list(active) == ["Maison Lumière"] and active["Maison Lumière"].name.endswith(".r2")
    listed = corrections.models(engine, brand_id)
    assert [(m["revision"], m["active"]) for m in listed] == [(3, False), (2, True), (1, False)]
    assert listed[0]["evaluation"] == {"before": 0.2, "after": 0.9}

    corrections.correct(engine, "x:2", "neutral")
    classifier = SentimentClassifier(brand_models=active)
    assert corrections.rescore(engine, brand_id, classifier, batch_size=2) == 3
    assert _stored(engine, "1")[0] == "negative"  # the flipped head scored it
    assert _stored(engine, "1")[2]["sentiment"].endswith(".r2")
    rescored = _stored(engine, "1")
    assert rescored[3] is not None and 1 / 3 <= rescored[3] <= 1 and rescored[3] != 0.5
    assert rescored[2]["sentiment_confidence"] == rescored[2]["sentiment"]
    assert _stored(engine, "2")[:2] == ("neutral", 0.0)  # corrected: left alone
