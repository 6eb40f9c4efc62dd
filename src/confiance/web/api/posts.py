"""``/posts``: the mentions of your brands, filtered, sorted, paged and exported; one post
with its thread and corrections.

A post is listed when it is attached to one of the brands asked for (``brand_id``, several
allowed) or, without ``brand_id``, to any brand of your workspaces; on each post you see only
your workspaces' brands. A post of another workspace answers E605, like one that does not
exist. The store functions (:mod:`confiance.store.mentions`) do the reading; this module turns
parameters into filters and records into JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import Engine

from confiance.auth.roles import Action
from confiance.core.errors import ConfianceError
from confiance.domain import Platform
from confiance.enrich.query import parse_query
from confiance.store import brands, label_corrections, mentions
from confiance.store.mention_records import Filters, Mention, Position, Sort
from confiance.store.search import parse_search
from confiance.web import export, pagination
from confiance.web.deps import Conn, CurrentPrincipal, Principal, get_engine
from confiance.web.schemas import Page

router = APIRouter(tags=["mentions"])

EngineDep = Annotated[Engine, Depends(get_engine)]

TOPIC_ID = r"^[a-z][a-z0-9_]{0,49}$"
LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
AUTHOR = r"^@?[^\s\x00-\x1f\x7f]{1,200}$"


class AuthorBrief(BaseModel):
    """A post's author (``id`` is null when the author was never stored)."""

    id: int | None
    platform_id: str
    handle: str | None
    name: str | None
    followers: int | None


class EngagementOut(BaseModel):
    """Counts the platform reported; ``total`` is likes + comments + shares."""

    likes: int | None
    comments: int | None
    shares: int | None
    views: int | None
    total: int


class EnrichmentOut(BaseModel):
    """What enrichment (or an analyst: ``made_by`` says ``correction``) found."""

    sentiment: str | None
    sentiment_score: float | None
    sentiment_confidence: float | None
    topics: list[str]
    toxicity: float | None
    flags: list[str]
    intent: str | None
    made_by: dict[str, str]


class BrandLinkOut(BaseModel):
    """One of your brands the post is attached to, and how (``query`` or ``import``)."""

    id: int
    name: str
    via: str


class PostOut(BaseModel):
    """A mention."""

    id: int
    platform: str
    platform_id: str
    url: str | None
    kind: str
    text: str | None
    title: str | None
    created_at: datetime | None
    language: str | None
    rating: float | None
    hashtags: list[str]
    mentions: list[str]
    author: AuthorBrief | None
    engagement: EngagementOut
    enrichment: EnrichmentOut | None
    brands: list[BrandLinkOut]

    @classmethod
    def of(cls, item: Mention) -> PostOut:
        """The body for ``item``."""
        return cls(
            id=item.id, platform=item.platform, platform_id=item.platform_id, url=item.url,
            kind=item.kind, text=item.text, title=item.title, created_at=item.created_at,
            language=item.language, rating=item.rating, hashtags=item.hashtags,
            mentions=item.mentions,
            author=None if item.author is None else AuthorBrief(**item.author.__dict__),
            engagement=EngagementOut(likes=item.likes, comments=item.comments,
                                     shares=item.shares, views=item.views,
                                     total=item.engagement),
            enrichment=None if item.enrichment is None
            else EnrichmentOut(**item.enrichment.__dict__),
            brands=[BrandLinkOut(**link.__dict__) for link in item.brands])


class PostPage(Page[PostOut]):
    """A page of mentions. With a ``query`` filter, ``scanned`` candidates were read (at
    most 5,000 a page), and a page may hold fewer items than ``limit`` while ``next`` goes
    on."""

    scanned: int


class CorrectionOut(BaseModel):
    """A sentiment correction (``label``, ``previous``: what the model had said) or a topic
    correction (``added``, ``removed``) for one of your brands."""

    kind: Literal["sentiment", "topics"]
    id: int
    post_id: int | None
    post: str | None
    brand_id: int | None
    brand: str | None
    text: str | None
    label: str | None
    previous: str | None
    added: list[str]
    removed: list[str]
    corrected_by: str | None
    created_at: datetime


class ThreadOut(BaseModel):
    """The thread around a post, as far as you may see it."""

    parents: list[PostOut]
    replies: list[PostOut]


class PostDetail(PostOut):
    """A mention with its thread and corrections."""

    parent_id: str | None
    thread: ThreadOut
    corrections: list[CorrectionOut]


# --- parameters -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A validated mentions request: what to read, in which order, and what the caller sees."""

    filters: Filters
    sort: Sort
    visible: tuple[int, ...]
    fingerprint: str


def visible_brands(conn: Conn, principal: Principal, workspace_id: int | None = None
                   ) -> tuple[int, ...]:
    """The ids of the brands of the caller's workspaces (or of one of them: E605 when the
    caller is not a member)."""
    scope = principal.workspace_ids
    if workspace_id is not None:
        principal.require(workspace_id, Action.READ, what="workspace", ref=workspace_id,
                          listing="workspaces")
        scope = [workspace_id]
    return tuple(record.id for record in brands.records(conn, scope))


def brand_scope(conn: Conn, principal: Principal, brand_ids: list[int],
                workspace_id: int | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(brands to read, brands the caller sees): E605 for a brand outside the caller's
    workspaces (or outside ``workspace_id``)."""
    visible = visible_brands(conn, principal, workspace_id)
    for brand_id in brand_ids:
        if brand_id not in visible:
            raise ConfianceError("E605", what="brand", ref=str(brand_id), listing="brands")
    return tuple(sorted(set(brand_ids))) if brand_ids else visible, visible


def _choice(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    value = value.strip().lower()
    if value not in allowed:
        raise ConfianceError("E613", name=name, reason=f"use one of {', '.join(allowed)}")
    return value


def platform_choice(value: str | None) -> str | None:
    """A ``platform`` parameter, checked (E613)."""
    return _choice("platform", value, tuple(p.value for p in Platform))


def when(value: datetime | None, name: str = "since") -> datetime | None:
    """A time from a request, in UTC (without an offset it is read as UTC); E613 for a
    time that cannot be brought to UTC (year 1 with an offset east of it...)."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ConfianceError("E613", name=name, reason="the time is out of range") from None


def checked_period(since: datetime | None, until: datetime | None
                   ) -> tuple[datetime | None, datetime | None]:
    """``since`` and ``until`` in UTC; E613 unless ``since`` comes first."""
    since, until = when(since), when(until, "until")
    if since is not None and until is not None and since >= until:
        raise ConfianceError("E613", name="since",
                             reason="since must come before until (since is included, "
                             "until is not)")
    return since, until


BrandIds = Annotated[list[int], Query(
    alias="brand_id", description="Only the posts of this brand (repeat for several). "
    "Default: every brand of your workspaces.")]
WorkspaceId = Annotated[int | None, Query(
    description="Only the brands of this workspace (you must be a member).")]
Since = Annotated[datetime | None, Query(
    description="Posts created at or after this time (ISO 8601; UTC without an offset).")]
Until = Annotated[datetime | None, Query(description="Posts created before this time.")]


def listing(
        principal: CurrentPrincipal, engine: EngineDep, brand_ids: BrandIds = [],  # noqa: B006
        workspace_id: WorkspaceId = None, since: Since = None, until: Until = None,
        platform: Annotated[str | None, Query(max_length=20, description=(
            "x, instagram, facebook, youtube, reddit, mastodon, bluesky, tiktok, "
            "trustpilot, google, appstore, googleplay, web or other"))] = None,
        language: Annotated[str | None, Query(max_length=16, pattern=LANGUAGE, description=(
            "Language code (fr, en...), detected or as the platform stated it"))] = None,
        sentiment: Annotated[str | None, Query(description="positive, neutral or negative"
                                               )] = None,
        topic: Annotated[str | None, Query(max_length=50, pattern=TOPIC_ID, description=(
            "An aspect id among the post's topics, e.g. delivery"))] = None,
        intent: Annotated[str | None, Query(description=(
            "complaint, question, purchase_intent, praise or other"))] = None,
        query: Annotated[str | None, Query(max_length=10_000, description=(
            "A Boolean brand query (AND, OR, NOT, NEAR/n, \"phrases\", fields) checked on "
            "at most 5,000 candidate posts a page, after the other filters"))] = None,
        q: Annotated[str | None, Query(max_length=500, description=(
            "Free-text search: all these words (\"phrases\" and prefix* allowed), in the "
            "text or title, case and accents ignored"))] = None,
        author: Annotated[str | None, Query(max_length=200, pattern=AUTHOR, description=(
            "An author id (from /authors) or a handle as stored (without @)"))] = None,
        sort: Annotated[Sort, Query(description=(
            "-created_at (newest first), created_at, -engagement, -sentiment_score "
            "(most positive first), sentiment_score, sentiment_confidence (the labels the "
            "model was least sure of first: the ones to review)"))] = Sort.NEWEST,
) -> Listing:
    """The validated filters of a mentions request (E605, E613, E630, E401-E406)."""
    since, until = checked_period(since, until)
    with engine.connect() as conn:  # short: an export streams long after this
        scope, visible = brand_scope(conn, principal, brand_ids, workspace_id)
    if q is not None:
        parse_search(q)
    if query is not None:
        parse_query(query)
    filters = Filters(
        brand_ids=scope, since=since, until=until,
        platform=platform_choice(platform),
        language=language.lower() if language else None,
        sentiment=_choice("sentiment", sentiment, mentions.SENTIMENTS), topic=topic,
        intent=_choice("intent", intent, mentions.INTENTS), q=q, author=author, query=query)
    requested = {"brand_id": brand_ids, "workspace_id": workspace_id, "since": since,
                 "until": until, "platform": filters.platform, "language": filters.language,
                 "sentiment": filters.sentiment, "topic": topic, "intent": filters.intent,
                 "query": query, "q": q, "author": author, "scope": scope}
    return Listing(filters=filters, sort=sort, visible=visible,
                   fingerprint=pagination.fingerprint("posts", sort.value, requested))


ListingParams = Annotated[Listing, Depends(listing)]


def cursor_position(cursor: str | None, listing_: Listing) -> Position | None:
    """The position a cursor of this listing names (E612 otherwise)."""
    if cursor is None:
        return None
    kind: tuple[type, ...] = (datetime,) if listing_.sort in (Sort.NEWEST, Sort.OLDEST) \
        else (int,) if listing_.sort is Sort.ENGAGEMENT else (float,)
    value, last_id, _ = pagination.decode(cursor, listing_.fingerprint, kind=kind)
    return Position(value=value, id=last_id)


def next_cursor(position: Position | None, listing_: Listing) -> str | None:
    """The cursor of the page after ``position``."""
    if position is None:
        return None
    return pagination.encode(listing_.fingerprint, position.value, position.id)


# --- routes -----------------------------------------------------------------------------------

Limit = Annotated[int, Query(ge=1, le=500, description="Posts per page (1-500).")]
Cursor = Annotated[str | None, Query(max_length=pagination.MAX_CURSOR, description=(
    "The `next` of the previous page, with the same filters and sort"))]


@router.get("/posts", response_model=PostPage)
def list_posts(params: ListingParams, conn: Conn, limit: Limit = 50,
               cursor: Cursor = None) -> PostPage:
    """Mentions of your brands, newest first unless `sort` says otherwise; follow `next`.

    Example: `GET /api/v1/posts?brand_id=3&sentiment=negative&since=2026-11-01&limit=20`
    """
    page = mentions.list_mentions(conn, params.filters, sort=params.sort, limit=limit,
                                  after=cursor_position(cursor, params),
                                  visible=params.visible)
    return PostPage(items=[PostOut.of(item) for item in page.items],
                    next=next_cursor(page.next, params), scanned=page.scanned)


EXPORT_COLUMNS = ("id", "platform", "platform_id", "url", "kind", "created_at", "language",
                  "author_id", "author_handle", "author_name", "author_followers", "likes",
                  "comments", "shares", "views", "engagement", "sentiment",
                  "sentiment_score", "sentiment_confidence", "topics", "toxicity", "flags",
                  "intent", "brands", "title", "text")


def export_row(item: Mention) -> list[Any]:
    """One CSV row of :data:`EXPORT_COLUMNS` (lists joined with ``|``)."""
    author, found = item.author, item.enrichment
    return [item.id, item.platform, item.platform_id, item.url, item.kind,
            item.created_at.isoformat() if item.created_at else None, item.language,
            author.id if author else None, author.handle if author else None,
            author.name if author else None, author.followers if author else None,
            item.likes, item.comments, item.shares, item.views, item.engagement,
            found.sentiment if found else None, found.sentiment_score if found else None,
            found.sentiment_confidence if found else None,
            "|".join(found.topics) if found else None, found.toxicity if found else None,
            "|".join(found.flags) if found else None, found.intent if found else None,
            "|".join(link.name for link in item.brands), item.title, item.text]


@router.get("/posts/export", response_class=StreamingResponse, responses={200: {
    "content": {"text/csv": {}, "application/x-ndjson": {}},
    "description": "The mentions, streamed"}})
def export_posts(params: ListingParams, request: Request,
                 format: Annotated[Literal["csv", "ndjson"], Query(
                     description="csv (with a header row) or ndjson (one post a line)")] = "csv"
                 ) -> StreamingResponse:
    """Every mention that passes the filters, streamed as CSV or NDJSON (read 1,000 at a
    time); `limit` and `cursor` do not apply. CSV cells that a spreadsheet would run as a
    formula (starting with = + - @, tab or carriage return) are prefixed with `'`."""
    engine = get_engine(request)
    batches = mentions.iter_mentions(engine, params.filters, sort=params.sort,
                                     batch_size=export.BATCH, visible=params.visible)
    items = (item for batch in batches for item in batch)
    return export.stream(format, "mentions", header=EXPORT_COLUMNS,
                         rows=lambda: map(export_row, items),
                         objects=lambda: (PostOut.of(i).model_dump(mode="json") for i in items))


@router.get("/posts/{post_id}", response_model=PostDetail)
def get_post(post_id: Annotated[int, Path(ge=1, le=2**63 - 1)], principal: CurrentPrincipal,
             conn: Conn) -> PostDetail:
    """One mention, with its thread (the parents and direct replies you may see) and the
    corrections made to it for your brands."""
    visible = visible_brands(conn, principal)
    item = mentions.get_mention(conn, post_id, visible)
    if item is None:
        raise ConfianceError("E605", what="post", ref=str(post_id), listing="posts")
    around = mentions.thread(conn, item, visible)
    corrections = label_corrections.list_corrections(conn, visible, post_id=post_id,
                                                     limit=100)
    return PostDetail(
        **PostOut.of(item).model_dump(), parent_id=item.parent_id,
        thread=ThreadOut(parents=[PostOut.of(p) for p in around.parents],
                         replies=[PostOut.of(r) for r in around.replies]),
        corrections=[CorrectionOut(**c.__dict__) for c in corrections])
