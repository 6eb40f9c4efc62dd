"""``/corrections``: correct a post's sentiment or topics for one of your brands, and list
the corrections made.

Correcting needs a role that may ``correct`` in the brand's workspace (owner, analyst,
moderator; a viewer gets E604). A sentiment correction goes through
:func:`confiance.store.corrections.correct`: the post's stored sentiment changes at once and
the correction feeds the brand's retraining. A topic correction records the aspect ids added
and removed and rewrites the post's topics at once. Every change writes an audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from confiance.auth.roles import Action
from confiance.core.errors import ConfianceError
from confiance.store import (
    audit,
    corrections,
    label_corrections,
    mention_records,
    mentions,
    workspaces,
)
from confiance.store.label_corrections import Kind, Mark
from confiance.web import pagination
from confiance.web.api.posts import CorrectionOut, PostOut, brand_scope, visible_brands
from confiance.web.deps import Conn, CurrentPrincipal, client_ip, get_engine
from confiance.web.schemas import Page

router = APIRouter(tags=["corrections"])


class CorrectionIn(BaseModel):
    """What to correct on a post; ``brand_id`` is needed only when the post belongs to
    several of your brands."""

    post_id: int = Field(ge=1, le=2**63 - 1)
    brand_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    sentiment: Literal["positive", "neutral", "negative"] | None = None
    topics: list[str] | None = Field(
        default=None, max_length=label_corrections.MAX_TOPICS,
        description="The post's topics as they should be (aspect ids); the correction "
        "records which were added and removed", examples=[["delivery", "price"]])


class SentimentChange(BaseModel):
    """The sentiment correction stored (``previous``: what the model had said)."""

    id: int
    label: str
    previous: str | None


class TopicsChange(BaseModel):
    """The topic correction stored."""

    id: int
    added: list[str]
    removed: list[str]


class CorrectionResult(BaseModel):
    """The post as it is now, and what was stored (``topics`` is null when they were
    already so)."""

    brand_id: int
    post: PostOut
    sentiment: SentimentChange | None
    topics: TopicsChange | None


def _brand_for(item: mention_records.Mention, brand_id: int | None) -> int:
    """The brand of the caller's that the correction is for (E632, E633)."""
    mine = [link.id for link in item.brands]
    if brand_id is None:
        if len(mine) > 1:
            raise ConfianceError("E632", post=item.id,
                                 brands=", ".join(f"{b.id} {b.name}" for b in item.brands))
        brand_id = mine[0]
    elif brand_id not in mine:
        raise ConfianceError("E633", post=item.id, brand=brand_id,
                             brands=", ".join(str(b) for b in mine))
    return brand_id


@router.post("/corrections", response_model=CorrectionResult, status_code=201)
def create_correction(body: CorrectionIn, principal: CurrentPrincipal,
                      request: Request) -> CorrectionResult:
    """Correct a post's sentiment, its topics, or both, for one of your brands (E604 for a
    viewer, E631 when there is nothing to correct, E632 when the post has several of your
    brands and no `brand_id`, E635 for the topics of a post not enriched yet)."""
    if body.sentiment is None and body.topics is None:
        raise ConfianceError("E631")
    engine = get_engine(request)
    who, ip = principal.user.email, client_ip(request)
    with engine.connect() as conn:
        visible = visible_brands(conn, principal)
        item = mentions.get_mention(conn, body.post_id, visible)
        if item is None:
            raise ConfianceError("E605", what="post", ref=str(body.post_id), listing="posts")
        brand_id = _brand_for(item, body.brand_id)
        workspace_id = workspaces.of_brand(conn, brand_id)
        principal.require(workspace_id, Action.CORRECT, what="brand", ref=brand_id,
                          listing="brands")
        if body.topics is not None:  # check everything before changing anything
            label_corrections.checked_topics(body.topics)
            label_corrections.current_topics(conn, item.id)
    topics = None
    if body.topics is not None:
        with engine.begin() as conn:
            change = label_corrections.correct_topics(conn, item.id, brand_id, body.topics,
                                                      corrected_by=who)
            if change is not None:
                topics = TopicsChange(id=change.id, added=change.added, removed=change.removed)
                audit.record(conn, "correction.topics", user_id=principal.user.id, actor=who,
                             workspace_id=workspace_id, target=f"post {item.id}",
                             details={"brand_id": brand_id, "added": change.added,
                                      "removed": change.removed}, ip=ip)
    sentiment = None
    if body.sentiment is not None:
        stored = corrections.correct(engine, str(item.id), body.sentiment, brand_id=brand_id,
                                     corrected_by=who)
        sentiment = SentimentChange(id=stored.id, label=stored.label, previous=stored.previous)
        with engine.begin() as conn:
            audit.record(conn, "correction.sentiment", user_id=principal.user.id, actor=who,
                         workspace_id=workspace_id, target=f"post {item.id}",
                         details={"brand_id": brand_id, "label": stored.label,
                                  "previous": stored.previous}, ip=ip)
    with engine.connect() as conn:
        now = mentions.get_mention(conn, item.id, visible)
    if now is None:  # deleted meanwhile
        raise ConfianceError("E605", what="post", ref=str(body.post_id), listing="posts")
    return CorrectionResult(brand_id=brand_id, post=PostOut.of(now), sentiment=sentiment,
                            topics=topics)


Limit = Annotated[int, Query(ge=1, le=500, description="Corrections per page (1-500).")]


@router.get("/corrections", response_model=Page[CorrectionOut])
def list_corrections(
        principal: CurrentPrincipal, conn: Conn,
        brand_id: Annotated[int | None, Query(description=(
            "Only this brand's corrections (default: every brand of your workspaces)"))] = None,
        kind: Annotated[Kind | None, Query(description="sentiment or topics")] = None,
        post_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
        limit: Limit = 50,
        cursor: Annotated[str | None, Query(max_length=pagination.MAX_CURSOR)] = None,
) -> Page[CorrectionOut]:
    """Sentiment and topic corrections of your brands, newest first; follow `next`."""
    scope, _ = brand_scope(conn, principal, [] if brand_id is None else [brand_id], None)
    fingerprint = pagination.fingerprint("corrections", "-created_at", {
        "brand_id": brand_id, "kind": kind, "post_id": post_id})
    after = None
    if cursor is not None:
        at, last_id, extra = pagination.decode(cursor, fingerprint, kind=datetime)
        if at is None or extra.get("k") not in label_corrections.KINDS:
            raise ConfianceError("E612", cursor=cursor[:60])
        after = Mark(at, extra["k"], last_id)
    found = label_corrections.list_corrections(conn, scope, kind=kind, post_id=post_id,
                                               after=after, limit=limit + 1)
    page = found[:limit]
    following = None
    if len(found) > limit:
        last = page[-1]
        following = pagination.encode(fingerprint, last.created_at, last.id, k=last.kind)
    return Page[CorrectionOut](items=[CorrectionOut(**e.__dict__) for e in page],
                               next=following)
