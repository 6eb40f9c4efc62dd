"""A brand's blocks read through the cache, and the Overview that gathers them.

:class:`Blocks` reads the blocks of :mod:`confiance.store.dashboard` for one brand through a
:class:`~confiance.store.dashboard_cache.BlockCache`: a block computed from the rollups is
kept under the brand's :class:`Snapshot` (the rollup generations of the brand and its
competitors, read first), and served again only while that snapshot is current. The details
of the top authors and posts (names, handles, text) are read on every call.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, bindparam, func, or_, select

from confiance.store.dashboard import (
    TOP,
    as_date,
    author_details,
    breakdown,
    checked,
    day_sums,
    granularity_for,
    post_details,
    ranked_authors,
    ranked_posts,
    topics,
    totals,
    voices,
    volume,
)
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
from confiance.store.tables import brands, rollup_days, rollup_generations

T = TypeVar("T")


def overview(conn: Connection, brand_id: int, start: date, end: date, *, compare: bool = True,
             granularity: GranularityChoice = "auto", cache: BlockCache | None = None
             ) -> Overview:
    """Every block of the Overview of ``brand_id`` from ``start`` to ``end`` (UTC days, both
    included), compared with the previous period unless ``compare`` is false; through
    ``cache`` when one is given."""
    period = checked(start, end)
    return Blocks(conn, brand_id, cache).overview(period, compare=compare,
                                                  granularity=granularity)


# --- cached reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What every block of a brand is computed from, besides its arguments: the id, name and
    rollup generation (None: no rollups yet) of the brand and of each of its competitors,
    the brand's workspace (None: no such brand) and the day of its newest post (None: no
    post), which the default period ends on."""

    brand_id: int
    workspace_id: int | None
    brands: tuple[tuple[int, str, int | None], ...]
    newest: date | None = None

    @property
    def names(self) -> dict[int, str]:
        """The names of the brand and its competitors, by id."""
        return {brand: name for brand, name, _ in self.brands}


def snapshot(conn: Connection, brand_id: int) -> Snapshot:
    """The brand's :class:`Snapshot`, in one query."""
    workspace_id = newest = None
    found = []
    for brand, name, workspace, generation, day in conn.execute(_snapshot_query(),
                                                                {"brand": brand_id}):
        if brand == brand_id:
            workspace_id = int(workspace)
            newest = None if day is None else as_date(day)
        found.append((int(brand), str(name), None if generation is None else int(generation)))
    return Snapshot(brand_id=brand_id, workspace_id=workspace_id, brands=tuple(found),
                    newest=newest)


@lru_cache(maxsize=1)
def _snapshot_query() -> Select[Any]:
    brand: Any = bindparam("brand")
    newest = (select(func.max(rollup_days.c.day)).where(rollup_days.c.brand_id == brand)
              .scalar_subquery())
    return (select(brands.c.id, brands.c.name, brands.c.workspace_id,
                   rollup_generations.c.generation, newest)
            .outerjoin(rollup_generations, rollup_generations.c.brand_id == brands.c.id)
            .where(or_(brands.c.id == brand, brands.c.competitor_of == brand))
            .order_by(brands.c.id))


def _json_size(block: Any) -> int:
    return len(block.__pydantic_serializer__.to_json(block))


def _ranking_size(ranked: Any) -> int:
    return 64 * (len(ranked) + 1)


def _span(period: Period | None) -> tuple[date, date] | None:
    return None if period is None else (period.since, period.until)


class Blocks:
    """The blocks of one brand, each computed from the rollups once per :class:`Snapshot`
    when a ``cache`` is given; the details of top authors and posts are read every time.
    The snapshot is read when this is made, unless ``taken`` is one read before anything
    else in this connection (blocks must never be read before it)."""

    def __init__(self, conn: Connection, brand_id: int, cache: BlockCache | None = None, *,
                 taken: Snapshot | None = None) -> None:
        self.conn, self.brand_id, self.cache = conn, brand_id, cache
        self.snapshot = taken if taken is not None else snapshot(conn, brand_id)

    def _get(self, key: tuple[Hashable, ...], make: Callable[[], T],
             weigh: Callable[[T], int] = _json_size) -> T:
        if self.cache is None:
            return make()
        return self.cache.get((self.snapshot, *key), make, weigh)

    def totals(self, period: Period, previous: Period | None = None) -> Totals:
        """See :func:`totals`."""
        return self._get(("totals", _span(period), _span(previous)),
                         lambda: totals(self.conn, self.brand_id, period, previous))

    def volume(self, period: Period, granularity: GranularityChoice = "auto") -> Volume:
        """See :func:`volume` (E642 before any cache)."""
        chosen = granularity_for(period, granularity)
        return self._get(("volume", _span(period), chosen),
                         lambda: volume(self.conn, self.brand_id, period, chosen))

    def share_of_voice(self, period: Period, previous: Period | None = None) -> ShareOfVoice:
        """See :func:`share_of_voice`."""
        names = self.snapshot.names

        def make() -> ShareOfVoice:
            sums = day_sums(self.conn, sorted(names), period, previous)
            return voices(sums, names, self.brand_id, compared=previous is not None)

        return self._get(("share_of_voice", _span(period), _span(previous)), make)

    def breakdown(self, period: Period) -> Breakdown:
        """See :func:`breakdown`."""
        return self._get(("breakdown", _span(period)),
                         lambda: breakdown(self.conn, self.brand_id, period))

    def topics(self, period: Period, previous: Period | None = None, *,
               limit: int = TOP) -> Topics:
        """See :func:`topics`."""
        return self._get(("topics", _span(period), _span(previous), limit),
                         lambda: topics(self.conn, self.brand_id, period, previous,
                                        limit=limit))

    def top_authors(self, period: Period, *, limit: int = TOP) -> TopAuthors:
        """See :func:`top_authors`."""
        ranked = self._get(("top_authors", _span(period), limit),
                           lambda: ranked_authors(self.conn, self.brand_id, period,
                                                  limit=limit),
                           lambda found: _ranking_size(found[1]))
        return author_details(self.conn, ranked)

    def top_posts(self, period: Period, *, limit: int = TOP) -> TopPosts:
        """See :func:`top_posts`."""
        ranked = self._get(("top_posts", _span(period), limit),
                           lambda: ranked_posts(self.conn, self.brand_id, period,
                                                limit=limit), _ranking_size)
        return TopPosts(items=post_details(self.conn, ranked))

    def overview(self, period: Period, *, compare: bool = True,
                 granularity: GranularityChoice = "auto") -> Overview:
        """Every block (see :func:`overview`)."""
        previous = period.previous() if compare else None
        return Overview(
            brand_id=self.brand_id, brand=self.snapshot.names[self.brand_id], period=period,
            previous_period=previous, totals=self.totals(period, previous),
            volume=self.volume(period, granularity),
            share_of_voice=self.share_of_voice(period, previous),
            breakdown=self.breakdown(period), topics=self.topics(period, previous),
            top_authors=self.top_authors(period), top_posts=self.top_posts(period))
