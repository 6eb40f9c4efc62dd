"""``/brands/{id}/overview`` and its blocks: the data of a brand's dashboard Overview.

Every route reads the rollups (:mod:`confiance.store.dashboard`) for a period of whole UTC
days, ``since`` and ``until`` both included (default: the 30 days ending on the day of the
brand's newest post), compared with the previous period of the same length unless
``compare=false``. ``/overview`` answers every block at once; the other routes answer one
block each, for pages that load them separately. Any member of the brand's workspace may read
them; a brand of another workspace is E605.

The blocks come from the app's :class:`~confiance.store.dashboard_cache.BlockCache` while the
brand's rollups have not changed (see :mod:`confiance.store.dashboard_cache`). Each request
does its database work in one worker thread (the routes are coroutines that hand it over
once) and answers JSON serialized by pydantic straight from the block models.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel
from sqlalchemy import Engine

from confiance.auth.roles import Action
from confiance.store import dashboard, dashboard_snapshot
from confiance.store.dashboard_blocks import (
    Breakdown,
    GranularityChoice,
    Overview,
    Period,
    ShareOfVoice,
    TopAuthors,
    Topics,
    TopPosts,
    Totals,
    Volume,
)
from confiance.store.dashboard_cache import BlockCache
from confiance.web.deps import CurrentPrincipal, Principal, get_read_engine
from confiance.web.schemas import PathId

router = APIRouter(tags=["overview"])
T = TypeVar("T")
S = TypeVar("S", bound="Section[Any]")

Since = Annotated[date | None, Query(
    description="First day (UTC, YYYY-MM-DD), included. Default: 29 days before `until`.")]
Until = Annotated[date | None, Query(
    description="Last day (UTC, YYYY-MM-DD), included. Default: 29 days after `since`, or "
    "the day of the brand's newest post when `since` is not given either.")]
Compare = Annotated[bool, Query(
    description="Also count the previous period of the same length, for the changes.")]
Granularity = Annotated[GranularityChoice, Query(
    description="Buckets of the volume series; `auto`: hours up to 2 days, days up to 92, "
    "weeks beyond. Hours cover at most 31 days (E642).")]
Limit = Annotated[int, Query(ge=1, le=50, description="How many to list.")]


class Section(BaseModel, Generic[T]):
    """One block of the Overview, with the period it covers."""

    brand_id: int
    time_zone: Literal["UTC"] = "UTC"
    period: Period
    previous_period: Period | None
    data: T


class TotalsSection(Section[Totals]):
    """Posts, engagement and sentiment of the period, compared."""


class VolumeSection(Section[Volume]):
    """The volume series."""


class ShareOfVoiceSection(Section[ShareOfVoice]):
    """The brand against its competitors."""


class BreakdownSection(Section[Breakdown]):
    """Sentiment by platform and by language."""


class TopicsSection(Section[Topics]):
    """The top topics."""


class TopAuthorsSection(Section[TopAuthors]):
    """The top authors."""


class TopPostsSection(Section[TopPosts]):
    """The top posts."""


@dataclass(frozen=True)
class Scope:
    """The brand asked for (readable by the caller) and the periods to count."""

    brand_id: int
    period: Period
    previous: Period | None

    def section(self, kind: type[S], data: Any) -> S:
        """``data`` in a ``kind`` of section, with the brand and the periods."""
        return kind(brand_id=self.brand_id, period=self.period, previous_period=self.previous,
                    data=data)


_CACHE_LOCK = threading.Lock()


def block_cache(app: FastAPI) -> BlockCache:
    """The app's cache of dashboard blocks (``app.state.dashboard_cache``), made on first use
    with the default budget; set it before serving to choose another (``BlockCache(0)``
    caches nothing)."""
    with _CACHE_LOCK:
        cache: BlockCache | None = getattr(app.state, "dashboard_cache", None)
        if cache is None:
            cache = app.state.dashboard_cache = BlockCache()
        return cache


@dataclass(frozen=True)
class Asked:
    """A request for dashboard blocks, before any database work (``engine``: the app's read
    engine, with no transaction around its statements)."""

    engine: Engine
    cache: BlockCache
    principal: Principal
    brand_id: int
    since: date | None
    until: date | None
    compare: bool

    def scope(self, taken: dashboard_snapshot.Snapshot) -> Scope:
        """The brand if the caller may read it (E605 otherwise) and the period (E640, E641,
        E643)."""
        self.principal.require(taken.workspace_id, Action.READ, what="brand",
                               ref=self.brand_id, listing="brands")
        period = dashboard.period_for(taken.newest, self.since, self.until)
        return Scope(brand_id=self.brand_id, period=period,
                     previous=period.previous() if self.compare else None)


async def asked(request: Request, brand_id: PathId, principal: CurrentPrincipal,
                since: Since = None, until: Until = None, compare: Compare = True) -> Asked:
    """The brand, the period asked for and who asks (a coroutine: no thread needed)."""
    return Asked(engine=get_read_engine(request), cache=block_cache(request.app),
                 principal=principal, brand_id=brand_id, since=since, until=until,
                 compare=compare)


Ask = Annotated[Asked, Depends(asked)]
Make = Callable[[Scope, dashboard_snapshot.Blocks], BaseModel]


async def answer(ask: Asked, make: Make) -> Response:
    """The JSON of what ``make`` builds from the scope and the brand's blocks, computed in
    one worker thread with one connection."""
    return Response(await run_in_threadpool(_answer, ask, make),
                    media_type="application/json")


def _answer(ask: Asked, make: Make) -> bytes:
    with ask.engine.connect() as conn:  # the read engine: no transaction around it
        taken = dashboard_snapshot.snapshot(conn, ask.brand_id)  # first: the cache relies on it
        scoped = ask.scope(taken)
        model = make(scoped, dashboard_snapshot.Blocks(conn, ask.brand_id, ask.cache, taken=taken))
    return model.__pydantic_serializer__.to_json(model)


@router.get("/brands/{brand_id}/overview", response_model=Overview)
async def overview(ask: Ask, granularity: Granularity = "auto") -> Response:
    """Every block of the brand's Overview: totals, volume by sentiment, share of voice,
    sentiment by platform and language, top topics, authors and posts.

    Example: `GET /api/v1/brands/3/overview?since=2026-10-17&until=2026-11-15`
    """
    return await answer(ask, lambda scoped, blocks: blocks.overview(
        scoped.period, compare=scoped.previous is not None, granularity=granularity))


@router.get("/brands/{brand_id}/totals", response_model=TotalsSection)
async def totals(ask: Ask) -> Response:
    """Posts, engagement and sentiment of the period, and their change."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        TotalsSection, blocks.totals(scoped.period, scoped.previous)))


@router.get("/brands/{brand_id}/volume", response_model=VolumeSection)
async def volume(ask: Ask, granularity: Granularity = "auto") -> Response:
    """Posts and engagement by sentiment per hour, day or week."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        VolumeSection, blocks.volume(scoped.period, granularity)))


@router.get("/brands/{brand_id}/share-of-voice", response_model=ShareOfVoiceSection)
async def share_of_voice(ask: Ask) -> Response:
    """The brand's and its competitors' posts and shares of them."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        ShareOfVoiceSection, blocks.share_of_voice(scoped.period, scoped.previous)))


@router.get("/brands/{brand_id}/breakdown", response_model=BreakdownSection)
async def breakdown(ask: Ask) -> Response:
    """Sentiment by platform and by language."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        BreakdownSection, blocks.breakdown(scoped.period)))


@router.get("/brands/{brand_id}/top-topics", response_model=TopicsSection)
async def top_topics(ask: Ask, limit: Limit = dashboard.TOP) -> Response:
    """The topics (aspect ids) with the most posts, with their change and sentiment."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        TopicsSection, blocks.topics(scoped.period, scoped.previous, limit=limit)))


@router.get("/brands/{brand_id}/top-authors", response_model=TopAuthorsSection)
async def top_authors(ask: Ask, limit: Limit = dashboard.TOP) -> Response:
    """The authors of the most posts in the period."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        TopAuthorsSection, blocks.top_authors(scoped.period, limit=limit)))


@router.get("/brands/{brand_id}/top-posts", response_model=TopPostsSection)
async def top_posts(ask: Ask, limit: Limit = dashboard.TOP) -> Response:
    """The posts of the period with the most engagement (likes + comments + shares)."""
    return await answer(ask, lambda scoped, blocks: scoped.section(
        TopPostsSection, blocks.top_posts(scoped.period, limit=limit)))
