from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from confiance.domain import Brand, Platform, Post
from confiance.domain.records import aware_utc
from confiance.enrich.component import Doc, EnrichError, ErrorHandler, raise_errors
from confiance.enrich.language import LanguageDetector
from confiance.enrich.pipeline import Pipeline, enrich_store
from confiance.store import brands, enrichments, ingest
from confiance.store.tables import enrichments as enrichments_table

TEXTS = ["Franchement cette bougie sent trop bon, je recommande",
         "The delivery took three weeks and nobody answered my emails",
         "ok", "Die Kerze riecht wunderbar nach Herbst"]


def _posts(day: int = 1) -> list[Post]:
    return [Post(platform=Platform.REDDIT, platform_id=f"{day}-{n}", text=text,
                 created_at=datetime(2026, 10, day, 12, tzinfo=UTC))
            for n, text in enumerate(TEXTS)]


def _stored(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(sa.select(enrichments_table.c.post_id, enrichments_table.c.language))
        return {str(r.post_id): r.language for r in rows}


def test_enriches_pending_posts_once_and_resumes(engine: Engine) -> None:
    ingest.ingest(engine, _posts(1), source="t", format="t")
    first = enrich_store(engine, Pipeline.default(), batch_size=3)
    assert (first.enriched, first.errors) == (4, 0)
    assert sorted(_stored(engine).values()) == ["de", "en", "fr", "unknown"]
    assert enrich_store(engine, Pipeline.default()).enriched == 0
    ingest.ingest(engine, _posts(2), source="t2", format="t")
    assert enrichments.count_pending(engine) == 4
    assert enrich_store(engine, Pipeline.default()).enriched == 4
    with engine.connect() as conn:
        made_by = conn.execute(sa.select(enrichments_table.c.made_by)).scalars().first()
        confidences = conn.execute(
            sa.select(enrichments_table.c.sentiment_confidence)).scalars().all()
    # the winning probability of three classes: from 1/3 to 1, stored for every post
    assert len(confidences) == 8 and all(1 / 3 <= c <= 1 for c in confidences)
    assert made_by == {"language": "confiance.language.v1",
                       "language_confidence": "confiance.language.v1",
                       "sentiment": "confiance.sentiment.v1",
                       "sentiment_score": "confiance.sentiment.v1",
                       "sentiment_confidence": "confiance.sentiment.v1",
                       "topics": "confiance.aspects.v1",
                       "toxicity": "confiance.moderation.v1",
                       "flags": "confiance.moderation.v1",
                       "intent": "confiance.intent.v1"}


def test_since_and_brand_narrow_what_is_enriched(engine: Engine) -> None:
    brand_id = brands.add(engine, Brand(name="Maison Lumière"))
    ingest.ingest(engine, _posts(1), source="t", format="t")
    ingest.ingest(engine, _posts(5), source="t2", format="t", brand_id=brand_id)
    since = datetime(2026, 10, 3, tzinfo=UTC)
    assert enrichments.count_pending(engine, since=since) == 4
    assert enrich_store(engine, Pipeline.default(), brand_id=brand_id).enriched == 4
    assert enrichments.count_pending(engine) == 4


class _Fussy:
    """A component that fails on texts containing 'Kerze'."""

    name = "test.fussy.v1"
    reads: tuple[str, ...] = ("text",)
    writes: tuple[str, ...] = ("intent",)

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        for doc in docs:
            if "Kerze" in doc.text:
                on_error(EnrichError(doc.key, self.name, "no German today"))
            else:
                doc.set("intent", "praise", self.name)
            yield doc

    def to_disk(self, path: Path) -> None: ...

    def from_disk(self, path: Path) -> _Fussy:
        return self


def test_a_component_error_is_stored_with_the_post_and_the_rest_goes_on(engine: Engine) -> None:
    ingest.ingest(engine, _posts(1), source="t", format="t")
    summary = enrich_store(engine, Pipeline([LanguageDetector(), _Fussy()]))
    assert (summary.enriched, summary.errors) == (4, 1)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(enrichments_table.c.language, enrichments_table.c.intent,
                                      enrichments_table.c.errors)).all()
    failed = [r for r in rows if r.errors]
    assert len(failed) == 1 and failed[0].errors[0]["reason"] == "no German today"
    assert failed[0].language == "de" and failed[0].intent is None
    assert sum(r.intent == "praise" for r in rows) == 3


def test_enriching_again_redoes_earlier_posts_resumably_and_keeps_corrections(
        engine: Engine) -> None:
    from confiance.store import corrections, label_corrections

    brand_id = brands.add(engine, Brand(name="Maison Lumière"))
    ingest.ingest(engine, _posts(1), source="t", format="t", brand_id=brand_id)
    enrich_store(engine, Pipeline.default())
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(enrichments_table.c.post_id,
                                          enrichments_table.c.sentiment)).all())
    first, second = sorted(ids)[:2]
    corrections.correct(engine, str(first), "negative")
    with engine.begin() as conn:
        label_corrections.correct_topics(conn, second, brand_id, ["price"])
        # as a correction made before confidence was stored (migration 0010) looks
        made_by = conn.execute(sa.select(enrichments_table.c.made_by).where(
            enrichments_table.c.post_id == first)).scalar_one()
        conn.execute(sa.update(enrichments_table).where(enrichments_table.c.post_id == first)
                     .values(sentiment_confidence=None, made_by={
                         k: v for k, v in made_by.items() if k != "sentiment_confidence"}))
    cut = datetime.now(UTC)
    assert enrichments.count_pending(engine) == 0
    assert enrichments.count_pending(engine, enriched_before=cut) == 4
    # one batch of 3 is committed, then the run stops: the same cut goes on with the last one
    batches = enrichments.pending(engine, enriched_before=cut, batch_size=3)
    with engine.begin() as conn:
        enrichments.save(conn, [(post_id, next(iter(Pipeline.default().pipe([doc]))), [])
                                for post_id, doc in next(batches)])
    assert enrichments.count_pending(engine, enriched_before=cut) == 1
    assert enrich_store(engine, Pipeline.default(), enriched_before=cut).enriched == 1
    assert enrichments.count_pending(engine, enriched_before=cut) == 0
    with engine.connect() as conn:
        rows = {r.post_id: r for r in conn.execute(sa.select(enrichments_table))}
    assert (rows[first].sentiment, rows[first].made_by["sentiment"]) == ("negative",
                                                                          "correction")
    assert (rows[first].sentiment_confidence, rows[first].made_by["sentiment_confidence"]) == (
        1.0, "correction")
    assert (rows[second].topics, rows[second].made_by["topics"]) == (["price"], "correction")
    assert all(aware_utc(r.enriched_at) >= cut for r in rows.values())
