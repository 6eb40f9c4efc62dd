"""``/authors``: who wrote your brands' mentions, how often, in what mood; one author with
their latest mentions; the list as CSV or NDJSON.

An author is visible through a mention of your brands; any other author answers E605.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from confiance.core.errors import ConfianceError
from confiance.store import authors, mention_records, mentions
from confiance.store.authors import AuthorFilters, AuthorMark, AuthorRow, AuthorSort
from confiance.web import export, pagination
from confiance.web.api.posts import (
    BrandIds,
    EngineDep,
    PostOut,
    Since,
    Until,
    WorkspaceId,
    brand_scope,
    checked_period,
    platform_choice,
    visible_brands,
)
from confiance.web.deps import Conn, CurrentPrincipal, get_engine
from confiance.web.schemas import Page

router = APIRouter(tags=["authors"])


class SentimentMix(BaseModel):
    """How many of the author's mentions are positive, neutral, negative, or not scored."""

    positive: int
    neutral: int
    negative: int
    unscored: int


class AuthorOut(BaseModel):
    """An author and their mentions of your brands (in the filters' period)."""

    id: int
    platform: str
    platform_id: str
    handle: str | None
    name: str | None
    followers: int | None
    verified: bool | None
    url: str | None
    mentions: int
    sentiment: SentimentMix
    first_mention_at: datetime | None
    last_mention_at: datetime | None

    @classmethod
    def of(cls, row: AuthorRow) -> AuthorOut:
        """The body for ``row``."""
        stats = row.stats
        return cls(id=row.id, platform=row.platform, platform_id=row.platform_id,
                   handle=row.handle, name=row.name, followers=row.followers,
                   verified=row.verified, url=row.url, mentions=stats.mentions,
                   sentiment=SentimentMix(positive=stats.positive, neutral=stats.neutral,
                                          negative=stats.negative, unscored=stats.unscored),
                   first_mention_at=stats.first_at, last_mention_at=stats.last_at)


class AuthorDetail(AuthorOut):
    """An author with their profile and latest mentions of your brands."""

    following: int | None
    post_count: int | None
    bio: str | None
    location: str | None
    first_seen_at: datetime | None
    latest_mentions: list[PostOut]


@dataclass(frozen=True)
class AuthorListing:
    """A validated authors request."""

    filters: AuthorFilters
    sort: AuthorSort
    fingerprint: str


def author_listing(
        principal: CurrentPrincipal, engine: EngineDep, brand_ids: BrandIds = [],  # noqa: B006
        workspace_id: WorkspaceId = None, since: Since = None, until: Until = None,
        platform: Annotated[str | None, Query(max_length=20, description=(
            "Only mentions from this platform"))] = None,
        sort: Annotated[AuthorSort, Query(description=(
            "-mentions (most mentions first; give `since` on large brands) or -followers"
            ))] = AuthorSort.MENTIONS,
) -> AuthorListing:
    """The validated filters of an authors request (E605, E613)."""
    since, until = checked_period(since, until)
    with engine.connect() as conn:  # short: an export streams long after this
        scope, _ = brand_scope(conn, principal, brand_ids, workspace_id)
    filters = AuthorFilters(brand_ids=scope, since=since, until=until,
                            platform=platform_choice(platform))
    requested = {"brand_id": brand_ids, "workspace_id": workspace_id, "since": since,
                 "until": until, "platform": filters.platform, "scope": scope}
    return AuthorListing(filters, sort,
                         pagination.fingerprint("authors", sort.value, requested))


AuthorParams = Annotated[AuthorListing, Depends(author_listing)]
Limit = Annotated[int, Query(ge=1, le=500, description="Authors per page (1-500).")]
Cursor = Annotated[str | None, Query(max_length=pagination.MAX_CURSOR, description=(
    "The `next` of the previous page, with the same filters and sort"))]


class AuthorPage(Page[AuthorOut]):
    """A page of authors."""


@router.get("/authors", response_model=AuthorPage)
def list_authors(params: AuthorParams, conn: Conn, limit: Limit = 50,
                 cursor: Cursor = None) -> AuthorPage:
    """The authors of your brands' mentions, with their number of mentions and sentiment.

    Example: `GET /api/v1/authors?brand_id=3&since=2026-11-01&sort=-followers`
    """
    after = None
    if cursor is not None:
        value, last_id, _ = pagination.decode(cursor, params.fingerprint, kind=int)
        after = AuthorMark(value, last_id)
    page = authors.list_authors(conn, params.filters, sort=params.sort, limit=limit,
                                after=after)
    following = None if page.next is None else pagination.encode(
        params.fingerprint, page.next.value, page.next.id)
    return AuthorPage(items=[AuthorOut.of(row) for row in page.items], next=following)


EXPORT_COLUMNS = ("id", "platform", "platform_id", "handle", "name", "followers", "verified",
                  "url", "mentions", "positive", "neutral", "negative", "unscored",
                  "first_mention_at", "last_mention_at")


def export_row(row: AuthorRow) -> list[Any]:
    """One CSV row of :data:`EXPORT_COLUMNS`."""
    stats = row.stats
    return [row.id, row.platform, row.platform_id, row.handle, row.name, row.followers,
            row.verified, row.url, stats.mentions, stats.positive, stats.neutral,
            stats.negative, stats.unscored,
            stats.first_at.isoformat() if stats.first_at else None,
            stats.last_at.isoformat() if stats.last_at else None]


@router.get("/authors/export", response_class=StreamingResponse, responses={200: {
    "content": {"text/csv": {}, "application/x-ndjson": {}},
    "description": "The authors, streamed"}})
def export_authors(params: AuthorParams, request: Request,
                   format: Annotated[Literal["csv", "ndjson"], Query(
                       description="csv (with a header row) or ndjson (one author a line)"
                   )] = "csv") -> StreamingResponse:
    """Every author of the filtered mentions, streamed as CSV or NDJSON (1,000 at a time),
    CSV cells safe against formula injection as in `/posts/export`."""
    batches = authors.iter_authors(get_engine(request), params.filters, sort=params.sort,
                                   batch_size=export.BATCH)
    rows = (row for batch in batches for row in batch)
    return export.stream(format, "authors", header=EXPORT_COLUMNS,
                         rows=lambda: map(export_row, rows),
                         objects=lambda: (AuthorOut.of(r).model_dump(mode="json")
                                          for r in rows))


@router.get("/authors/{author_id}", response_model=AuthorDetail)
def get_author(author_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
               principal: CurrentPrincipal, conn: Conn) -> AuthorDetail:
    """One author, their mentions of your brands (all time) and the latest 10 of them."""
    visible = visible_brands(conn, principal)
    found = authors.get_author(conn, author_id, visible)
    if found is None:
        raise ConfianceError("E605", what="author", ref=str(author_id), listing="authors")
    latest = mentions.list_mentions(conn, mention_records.Filters(visible, author=str(author_id)),
                                    limit=10)
    return AuthorDetail(**AuthorOut.of(found).model_dump(), following=found.following,
                        post_count=found.post_count, bio=found.bio, location=found.location,
                        first_seen_at=found.first_seen_at,
                        latest_mentions=[PostOut.of(m) for m in latest.items])
