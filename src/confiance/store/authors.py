"""The authors of mentions: who wrote the posts of some brands, how often, in what mood.

An author is visible through the posts of the brands in scope: an author with no such post
does not exist for the caller. Counts are over the posts that pass the filters (period,
platform), each post once however many brands in scope it is attached to.

Two orders, keyset-paged: ``-mentions`` (most mentions first) counts every author's mentions
in scope, so its cost grows with the number of mentions in scope and period (give a
``since``); ``-followers`` reads authors in the order of ``ix_authors_followers_id`` and
keeps those with a mention in scope, then counts mentions for that page only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    case,
    exists,
    func,
    or_,
    select,
)

from confiance.store.mention_records import utc
from confiance.store.mentions import in_scope, scope_ids, small_scope
from confiance.store.tables import authors, enrichments, posts

WINDOW = 1000
"""Authors read at a time in follower order."""
SCAN_BUDGET = 20_000
"""Authors read in follower order per page before giving up on finding more (the page then
ends early, with a ``next`` position to go on from)."""


class AuthorSort(StrEnum):
    """Orders of the authors list."""

    MENTIONS = "-mentions"
    FOLLOWERS = "-followers"


@dataclass(frozen=True)
class AuthorFilters:
    """Whose authors: posts of ``brand_ids``, created in [``since``, ``until``), on
    ``platform``."""

    brand_ids: tuple[int, ...]
    since: datetime | None = None
    until: datetime | None = None
    platform: str | None = None


@dataclass(frozen=True)
class AuthorMark:
    """Where a page of authors stopped: the sort value (``None``: followers unknown) and id."""

    value: int | None
    id: int


@dataclass
class AuthorStats:
    """An author's mentions in scope and their sentiment."""

    mentions: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    unscored: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None


@dataclass
class AuthorRow:
    """An author as the list shows it."""

    id: int
    platform: str
    platform_id: str
    handle: str | None
    name: str | None
    followers: int | None
    verified: bool | None
    url: str | None
    stats: AuthorStats = field(default_factory=AuthorStats)


@dataclass
class AuthorProfile(AuthorRow):
    """An author with everything stored about them."""

    following: int | None = None
    post_count: int | None = None
    bio: str | None = None
    location: str | None = None
    first_seen_at: datetime | None = None


@dataclass
class AuthorPage:
    """A page of authors and where to go on from (``None``: the end)."""

    items: list[AuthorRow]
    next: AuthorMark | None


def _post_conditions(filters: AuthorFilters, *, probe: bool = True
                     ) -> list[ColumnElement[bool]]:
    """Conditions on ``posts``: in scope (``probe``: checked post by post, for queries driven
    by an author or a period; else the brands' posts are read first) and in the filters."""
    scope = in_scope(filters.brand_ids) if probe else posts.c.id.in_(
        scope_ids(filters.brand_ids))
    found: list[ColumnElement[bool]] = [scope]
    if filters.since is not None:
        found.append(posts.c.created_at >= utc(filters.since))
    if filters.until is not None:
        found.append(posts.c.created_at < utc(filters.until))
    if filters.platform is not None:
        found.append(posts.c.platform == filters.platform)
    return found


def _wrote() -> ColumnElement[bool]:
    return and_(posts.c.platform == authors.c.platform,
                posts.c.author_id == authors.c.platform_id)


def _row(row: Any) -> AuthorRow:
    return AuthorRow(id=int(row.id), platform=row.platform, platform_id=row.platform_id,
                     handle=row.handle, name=row.display_name, followers=row.followers,
                     verified=row.verified, url=row.url)


AUTHOR_COLUMNS = (authors.c.id, authors.c.platform, authors.c.platform_id, authors.c.handle,
                  authors.c.display_name, authors.c.followers, authors.c.verified,
                  authors.c.url)


def list_authors(conn: Connection, filters: AuthorFilters, *,
                 sort: AuthorSort = AuthorSort.MENTIONS, limit: int = 50,
                 after: AuthorMark | None = None) -> AuthorPage:
    """One page of the authors of the mentions that pass ``filters``, after ``after``."""
    if not filters.brand_ids:
        return AuthorPage([], None)
    read = _by_mentions if sort is AuthorSort.MENTIONS else _by_followers
    found, resume = read(conn, filters, limit + 1, after)
    items = [row for row, _ in found[:limit]]
    add_stats(conn, items, filters)
    if len(found) > limit:
        last, value = found[limit - 1]
        resume = AuthorMark(value, last.id)
    return AuthorPage(items, resume)


def _by_mentions(conn: Connection, filters: AuthorFilters, n: int, after: AuthorMark | None
                 ) -> tuple[list[tuple[AuthorRow, int | None]], AuthorMark | None]:
    """Up to ``n`` authors by number of mentions (then id), each with that number."""
    count = func.count(posts.c.id).label("n")
    grouped = (select(authors.c.id.label("author_id"), count)
               .select_from(posts.join(authors, _wrote()))
               .where(*_post_conditions(filters, probe=filters.since is not None
                                        and not small_scope(conn, filters.brand_ids)))
               .group_by(authors.c.id).subquery())
    query = (select(*AUTHOR_COLUMNS, grouped.c.n)
             .join(grouped, grouped.c.author_id == authors.c.id)
             .order_by(grouped.c.n.desc(), authors.c.id.desc()).limit(n))
    if after is not None and after.value is not None:
        query = query.where(or_(grouped.c.n < after.value,
                                and_(grouped.c.n == after.value, authors.c.id < after.id)))
    return [(_row(row), int(row.n)) for row in conn.execute(query)], None


def _by_followers(conn: Connection, filters: AuthorFilters, n: int, after: AuthorMark | None
                  ) -> tuple[list[tuple[AuthorRow, int | None]], AuthorMark | None]:
    """Up to ``n`` authors in follower order (unknown counts last, then id) who wrote a
    post in scope. After :data:`SCAN_BUDGET` authors read, returns what it found and where
    to go on from."""
    wrote = exists().where(_wrote(), *_post_conditions(filters))
    found: list[tuple[AuthorRow, int | None]] = []
    read, mark = 0, after
    while read < SCAN_BUDGET:
        query = select(*AUTHOR_COLUMNS)
        valued = mark is None or mark.value is not None
        if valued:
            query = query.where(authors.c.followers.is_not(None)).order_by(
                authors.c.followers.desc(), authors.c.id.desc())
            if mark is not None:
                query = query.where(authors.c.followers <= mark.value, or_(
                    authors.c.followers < mark.value, authors.c.id < mark.id))
        else:
            last = mark.id if mark is not None else 2**63 - 1
            query = query.where(authors.c.followers.is_(None), authors.c.id < last
                                ).order_by(authors.c.id.desc())
        rows = conn.execute(query.limit(WINDOW)).all()
        ids = [int(row.id) for row in rows]
        kept = set(conn.execute(select(authors.c.id).where(authors.c.id.in_(ids), wrote)
                                ).scalars()) if ids else set()
        for row in rows:
            read += 1
            mark = AuthorMark(row.followers, int(row.id))
            if row.id in kept:
                found.append((_row(row), row.followers))
                if len(found) == n:
                    return found, None
        if len(rows) < WINDOW:
            if not valued:
                return found, None
            mark = AuthorMark(None, 2**63 - 1)  # on to the authors with no follower count
    return found, mark


def add_stats(conn: Connection, items: Sequence[AuthorRow], filters: AuthorFilters) -> None:
    """Count each author's mentions that pass ``filters``, by sentiment (reading the
    brands' posts first when they are few, else the authors' posts)."""
    if not items:
        return
    probe = not small_scope(conn, filters.brand_ids)
    by_id = {item.id: item for item in items}
    label = enrichments.c.sentiment
    # driven by the authors' ids (a row-value IN would scan the whole index on SQLite)
    query = (select(authors.c.id, func.count(posts.c.id),
                    *[func.sum(case((label == name, 1), else_=0)) for name in
                      ("positive", "neutral", "negative")],
                    func.min(posts.c.created_at), func.max(posts.c.created_at))
             .select_from(authors.join(posts, _wrote())
                          .outerjoin(enrichments, enrichments.c.post_id == posts.c.id))
             .where(authors.c.id.in_(sorted(by_id)), *_post_conditions(filters, probe=probe))
             .group_by(authors.c.id))
    for author_id, total, positive, neutral, negative, first, last in conn.execute(query):
        stats = by_id[int(author_id)].stats
        stats.mentions, stats.positive = int(total), int(positive or 0)
        stats.neutral, stats.negative = int(neutral or 0), int(negative or 0)
        stats.unscored = stats.mentions - stats.positive - stats.neutral - stats.negative
        stats.first_at, stats.last_at = utc(first), utc(last)


def get_author(conn: Connection, author_id: int, brand_ids: Collection[int]
               ) -> AuthorProfile | None:
    """Author ``author_id`` if one of their posts belongs to ``brand_ids``, with stats."""
    if not brand_ids:
        return None
    filters = AuthorFilters(tuple(sorted(brand_ids)))
    row = conn.execute(select(authors).where(
        authors.c.id == author_id,
        exists().where(_wrote(), *_post_conditions(filters)))).first()
    if row is None:
        return None
    profile = AuthorProfile(
        id=int(row.id), platform=row.platform, platform_id=row.platform_id,
        handle=row.handle, name=row.display_name, followers=row.followers,
        verified=row.verified, url=row.url, following=row.following,
        post_count=row.post_count, bio=row.bio, location=row.location,
        first_seen_at=utc(row.first_seen_at))
    add_stats(conn, [profile], filters)
    return profile


def iter_authors(engine: Engine, filters: AuthorFilters, *,
                 sort: AuthorSort = AuthorSort.MENTIONS, batch_size: int = 1000
                 ) -> Iterator[list[AuthorRow]]:
    """Every author of the filtered mentions, a batch per connection (for exports)."""
    after: AuthorMark | None = None
    while True:
        with engine.connect() as conn:
            page = list_authors(conn, filters, sort=sort, limit=batch_size, after=after)
        if page.items:
            yield page.items
        if page.next is None:
            return
        after = page.next
