"""Sentiment corrections by analysts, and the brand heads retrained from them.

A correction copies the post's text and language, so retraining never depends on the post
still being there. Correcting a post also rewrites its stored sentiment at once
(``made_by = "correction"``): the analyst sees the fix without waiting for a retrain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select, update

from confiance.core.errors import ConfianceError
from confiance.enrich.sentiment import CLASSES, SentimentModel
from confiance.enrich.sentiment_train import ANCHOR_LIMIT, Example
from confiance.store import rollups
from confiance.store.runs import utcnow
from confiance.store.tables import (
    brand_posts,
    brands,
    enrichments,
    posts,
    sentiment_corrections,
    sentiment_models,
)


@dataclass(frozen=True)
class Correction:
    """One stored correction."""

    id: int
    post: str | None
    brand: str | None
    text: str
    language: str | None
    label: str
    previous: str | None
    corrected_by: str | None
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return dict(self.__dict__)


def find_post(conn: Connection, ref: str) -> Any:
    """The post a reference names: ``PLATFORM:ID`` (``x:1712…``) or the numeric store id."""
    if ":" in ref:
        platform, platform_id = ref.split(":", 1)
        where = and_(posts.c.platform == platform, posts.c.platform_id == platform_id)
    elif ref.isdigit():
        where = posts.c.id == int(ref)
    else:
        raise ConfianceError("E512", ref=ref)
    row = conn.execute(select(posts.c.id, posts.c.text, posts.c.title, posts.c.language)
                       .where(where)).first()
    if row is None:
        raise ConfianceError("E512", ref=ref)
    return row


def _training_text(title: str | None, text: str | None) -> str:
    """A post's text as a correction copies it and a retrain reads it: "title. text"."""
    return f"{title}. {text or ''}" if title else (text or "")


def correct(engine: Engine, ref: str, label: str, *, brand_id: int | None = None,
            corrected_by: str | None = None) -> Correction:
    """Record that post ``ref`` is ``label``; an earlier correction of it (for the same
    brand) is replaced, and its stored sentiment becomes ``label``."""
    if label not in CLASSES:
        raise ConfianceError("E513", label=label, allowed=", ".join(CLASSES))
    with engine.begin() as conn:
        post = find_post(conn, ref)
        if brand_id is None:  # a post attached to exactly one brand corrects for that brand
            owners = conn.execute(select(brand_posts.c.brand_id)
                                  .where(brand_posts.c.post_id == post.id)).scalars().all()
            brand_id = owners[0] if len(set(owners)) == 1 else None
        stored = conn.execute(select(enrichments.c.sentiment, enrichments.c.language,
                                     enrichments.c.made_by)
                              .where(enrichments.c.post_id == post.id)).first()
        language = (stored.language if stored is not None else None) or post.language
        previous = stored.sentiment if stored is not None else None
        same = and_(sentiment_corrections.c.post_id == post.id,
                    sentiment_corrections.c.brand_id.is_(None) if brand_id is None
                    else sentiment_corrections.c.brand_id == brand_id)
        earlier = conn.execute(select(sentiment_corrections.c.previous).where(same)).first()
        if earlier is not None:  # keep what the model said, not the previous correction
            previous = earlier.previous
            conn.execute(delete(sentiment_corrections).where(same))
        text = _training_text(post.title, post.text)
        new_id = conn.execute(insert(sentiment_corrections).values(
            post_id=post.id, brand_id=brand_id, text=text, language=language, label=label,
            previous=previous, corrected_by=corrected_by, created_at=utcnow())
            .returning(sentiment_corrections.c.id)).scalar_one()
        if stored is not None:
            made_by = {**(stored.made_by or {}), "sentiment": "correction",
                       "sentiment_score": "correction", "sentiment_confidence": "correction"}
            score = {"positive": 1.0, "neutral": 0.0, "negative": -1.0}[label]
            # An analyst's label is certain: it leaves the least-certain-first review order.
            conn.execute(update(enrichments).where(enrichments.c.post_id == post.id)
                         .values(sentiment=label, sentiment_score=score,
                                 sentiment_confidence=1.0, made_by=made_by))
            rollups.refresh(conn, [post.id])
    found = list_corrections(engine, correction_id=new_id)
    return found[0]


def list_corrections(engine: Engine, *, brand_id: int | None = None,
                     correction_id: int | None = None, limit: int | None = None
                     ) -> list[Correction]:
    """Corrections, newest first (one brand's, or one by id)."""
    query = (select(sentiment_corrections, posts.c.platform, posts.c.platform_id,
                    brands.c.name.label("brand_name"))
             .outerjoin(posts, posts.c.id == sentiment_corrections.c.post_id)
             .outerjoin(brands, brands.c.id == sentiment_corrections.c.brand_id)
             .order_by(sentiment_corrections.c.id.desc()))
    if brand_id is not None:
        query = query.where(sentiment_corrections.c.brand_id == brand_id)
    if correction_id is not None:
        query = query.where(sentiment_corrections.c.id == correction_id)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [Correction(row.id, f"{row.platform}:{row.platform_id}" if row.platform else None,
                       row.brand_name, row.text, row.language, row.label, row.previous,
                       row.corrected_by, row.created_at.isoformat()) for row in rows]


def examples(engine: Engine, brand_id: int) -> list[Example]:
    """A brand's corrections as training examples, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(sentiment_corrections.c.text, sentiment_corrections.c.label,
                                   sentiment_corrections.c.language)
                            .where(sentiment_corrections.c.brand_id == brand_id)
                            .order_by(sentiment_corrections.c.id)).all()
    return [Example(row.text, row.label, row.language) for row in rows]


def anchors(engine: Engine, brand_id: int, *, limit: int = ANCHOR_LIMIT) -> list[Example]:
    """The brand's latest ``limit`` posts with a sentiment that no analyst corrected, as
    examples labelled by the model in use: what keeps a retrain from drifting (see
    ``enrich/sentiment_train.py``)."""
    with engine.connect() as conn:
        corrected = int(conn.execute(select(func.count()).select_from(sentiment_corrections)
                                     .where(sentiment_corrections.c.brand_id == brand_id))
                        .scalar_one())
        rows = conn.execute(
            select(posts.c.text, posts.c.title, posts.c.language.label("stated"),
                   enrichments.c.language, enrichments.c.sentiment, enrichments.c.made_by)
            .join(brand_posts, brand_posts.c.post_id == posts.c.id)
            .join(enrichments, enrichments.c.post_id == posts.c.id)
            .where(brand_posts.c.brand_id == brand_id, enrichments.c.sentiment.is_not(None))
            .order_by(posts.c.id.desc()).limit(limit + corrected)).all()
    found = []
    for row in rows:
        if (row.made_by or {}).get("sentiment") == "correction":
            continue
        text = _training_text(row.title, row.text)
        if text.strip():
            found.append(Example(text, row.sentiment, row.language or row.stated))
    return found[:limit]


def next_revision(engine: Engine, brand_id: int) -> int:
    """The revision number a new head of this brand gets."""
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(sentiment_models.c.revision))
                              .where(sentiment_models.c.brand_id == brand_id)).scalar()
    return int(latest or 0) + 1


def save_model(engine: Engine, brand_id: int, model: SentimentModel, *, active: bool) -> int:
    """Store a brand's head; when ``active``, it replaces the brand's active one."""
    with engine.begin() as conn:
        if active:
            conn.execute(update(sentiment_models).where(sentiment_models.c.brand_id == brand_id)
                         .values(active=False))
        return int(conn.execute(insert(sentiment_models).values(
            brand_id=brand_id, revision=int(model.manifest["revision"]),
            model=model.to_bytes(), manifest=model.manifest, active=active,
            created_at=utcnow())
            .returning(sentiment_models.c.id)).scalar_one())


def active_models(engine: Engine) -> dict[str, SentimentModel]:
    """Brand name -> its active retrained head."""
    query = (select(brands.c.name, sentiment_models.c.model)
             .join(brands, brands.c.id == sentiment_models.c.brand_id)
             .where(sentiment_models.c.active.is_(True)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return {row.name: SentimentModel.from_bytes(bytes(row.model), f"brand {row.name}")
            for row in rows}


def models(engine: Engine, brand_id: int | None = None) -> list[dict[str, Any]]:
    """Every stored head, newest first, without its weights."""
    query = (select(brands.c.name, sentiment_models.c.revision, sentiment_models.c.active,
                    sentiment_models.c.manifest, sentiment_models.c.created_at)
             .join(brands, brands.c.id == sentiment_models.c.brand_id)
             .order_by(sentiment_models.c.created_at.desc(), sentiment_models.c.id.desc()))
    if brand_id is not None:
        query = query.where(sentiment_models.c.brand_id == brand_id)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [{"brand": row.name, "revision": row.revision, "active": row.active,
             "corrections": row.manifest.get("corrections"),
             "evaluation": row.manifest.get("evaluation"),
             "created_at": row.created_at.isoformat()} for row in rows]


def rescore(engine: Engine, brand_id: int, classifier: Any, *, batch_size: int = 1000,
            progress: Any = None) -> int:
    """Score the sentiment of a brand's enriched posts again (after its head changed), batch
    by batch, one transaction each; posts an analyst corrected keep the correction."""
    from confiance.enrich.component import Doc

    with engine.connect() as conn:
        brand_name = str(conn.execute(select(brands.c.name)
                                      .where(brands.c.id == brand_id)).scalar_one())
    last, done = 0, 0
    while True:
        query = (select(posts.c.id, posts.c.platform, posts.c.platform_id, posts.c.text,
                        posts.c.title, enrichments.c.language, enrichments.c.made_by)
                 .join(brand_posts, brand_posts.c.post_id == posts.c.id)
                 .join(enrichments, enrichments.c.post_id == posts.c.id)
                 .where(brand_posts.c.brand_id == brand_id, posts.c.id > last)
                 .order_by(posts.c.id).limit(batch_size))
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return done
        last = rows[-1].id
        todo = [row for row in rows if (row.made_by or {}).get("sentiment") != "correction"]
        docs = []
        for row in todo:
            doc = Doc(key=(row.platform, row.platform_id), text=row.text or "", title=row.title,
                      language=row.language)
            doc.values["brand_matches"] = [brand_name]
            docs.append(doc)
        scored = list(classifier.pipe(docs))
        with engine.begin() as conn:
            for row, doc in zip(todo, scored, strict=True):
                if "sentiment" not in doc.values:
                    continue
                maker = doc.made_by["sentiment"]
                made_by = {**(row.made_by or {}), "sentiment": maker,
                           "sentiment_score": maker, "sentiment_confidence": maker}
                conn.execute(update(enrichments).where(enrichments.c.post_id == row.id).values(
                    sentiment=doc.values["sentiment"],
                    sentiment_score=doc.values["sentiment_score"],
                    sentiment_confidence=doc.values.get("sentiment_confidence"),
                    made_by=made_by))
            rollups.refresh(conn, (row.id for row in todo))
        done += len(rows)
        if progress is not None:
            progress(done)
