"""Mentions: the posts of some brands, filtered, sorted and keyset-paged; one post and its
thread. The REST API and the server-rendered pages call these functions alike.

A post is a mention of a brand when a ``brand_posts`` row attaches it to the brand; a caller
sees the posts of its workspaces' brands, and on each post only those brands. Every function
takes the brands in scope explicitly: access control is the caller's, visibility is here.

**How a page is read fast.** Lists are ordered by one sort value and the post id, and paged
by keyset (the last value and id, :class:`Position`), never by offset. A page is read in one
of two ways:

- *windows*: the next posts in sort order are read from the sort's index (a few thousand ids,
  the index alone), then the brand scope and the filters are checked on that window only; when
  a window holds a full page, that is the page. Good for large brands: the page comes from the
  first window, whatever the size of the table.
- *scope first*: the brands' posts (and those of the author, or of the full-text search, when
  given) are found first, filtered, then sorted. Good for small brands and selective filters.

Brands with fewer than :data:`SMALL_SCOPE` posts together are read scope first. Otherwise an
``author`` filter reads that author's posts first, and a ``q`` search with fewer than
:data:`SMALL_SCOPE` matches reads its matches first (the brands are then checked per post);
everything else is read in windows for up to :data:`WINDOW_BUDGET` posts, then scope first.

Posts without the sort value (no date, no sentiment score yet) come after all the others,
in either direction, by id.

**The Boolean ``query`` filter** is evaluated in Python (:mod:`confiance.enrich.query`), after
the SQL filters, on at most ``scan_limit`` candidate posts per call (:data:`QUERY_SCAN_LIMIT`):
a page may then hold fewer than ``limit`` posts, or none, with a ``next`` position to go on
from; ``scanned`` says how many candidates were read.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    Text,
    and_,
    exists,
    false,
    func,
    null,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB

from confiance.domain import Platform, PostKind
from confiance.enrich.query import Query, parse_query
from confiance.store.mention_records import (
    ENGAGEMENT,
    AuthorRef,
    BrandLink,
    Enrichment,
    Filters,
    Mention,
    MentionPage,
    Position,
    Sort,
    utc,
)
from confiance.store.search import matching, parse_search, search_count, sync
from confiance.store.tables import (
    authors,
    brand_posts,
    brands,
    enrichments,
    posts,
)

QUERY_SCAN_LIMIT = 5000
"""At most this many candidate posts are read per call when a ``query`` filter is given."""
SMALL_SCOPE = 5000
"""Brands with fewer posts than this together are read scope first."""
WINDOW = 2000
"""Posts read from the sort's index per window."""
WINDOW_BUDGET = 20_000
"""Posts read in windows before a page is read scope first instead."""
THREAD_DEPTH = 20
"""Parents followed up a thread at most."""
REPLIES = 100
"""Direct replies shown at most."""
SENTIMENTS = ("positive", "neutral", "negative")
INTENTS = ("complaint", "question", "purchase_intent", "praise", "other")

post_language: ColumnElement[str] = func.coalesce(enrichments.c.language, posts.c.language)
"""A post's language: the one enrichment detected (or kept from the platform), else the
platform's."""


# --- filters ----------------------------------------------------------------------------------


def _author_keys(conn: Connection, author: str) -> list[tuple[str, str]]:
    """(platform, platform id) of the authors ``author`` names: a numeric author id, else a
    handle as stored (a leading ``@`` is ignored)."""
    if author.isdigit() and len(author) < 19:
        where = authors.c.id == int(author)
    else:
        where = authors.c.handle == author.removeprefix("@")
    rows = conn.execute(select(authors.c.platform, authors.c.platform_id).where(where).limit(50))
    return [(row.platform, row.platform_id) for row in rows]


def _has_topic(dialect: str, topic: str) -> ColumnElement[bool]:
    """``enrichments.topics`` (a JSON list) holds ``topic``."""
    if dialect == "postgresql":
        contains: ColumnElement[bool] = type_coerce(enrichments.c.topics, JSONB).contains(
            [topic])
        return contains
    items = func.json_each(enrichments.c.topics).table_valued("value")
    return exists().select_from(items).where(items.c.value == topic)


def conditions(conn: Connection, filters: Filters) -> list[ColumnElement[bool]]:
    """SQL conditions of every filter but the scope and ``query`` (E630 for a ``q`` with no
    word). Needs ``posts`` and ``enrichments`` (outer-joined) in the FROM clause."""
    found: list[ColumnElement[bool]] = []
    if filters.since is not None:
        found.append(posts.c.created_at >= utc(filters.since))
    if filters.until is not None:
        found.append(posts.c.created_at < utc(filters.until))
    if filters.platform is not None:
        found.append(posts.c.platform == filters.platform)
    if filters.language is not None:
        found.append(post_language == filters.language)
    if filters.sentiment is not None:
        found.append(enrichments.c.sentiment == filters.sentiment)
    if filters.intent is not None:
        found.append(enrichments.c.intent == filters.intent)
    if filters.topic is not None:
        found.append(_has_topic(conn.dialect.name, filters.topic))
    if filters.author is not None:
        keys = _author_keys(conn, filters.author)
        found.append(or_(*(and_(posts.c.platform == platform, posts.c.author_id == key)
                           for platform, key in keys)) if keys else false())
    if filters.q is not None:
        searched = parse_search(filters.q)
        sync(conn)  # posts changed outside an import are indexed first
        found.append(matching(conn.dialect.name, searched))
    return found


def in_scope(brand_ids: Collection[int], post_id: ColumnElement[Any] = posts.c.id
             ) -> ColumnElement[bool]:
    """The post is attached to one of ``brand_ids`` (a probe per post: for windows)."""
    return exists().where(brand_posts.c.post_id == post_id,
                          brand_posts.c.brand_id.in_(sorted(brand_ids)))


def scope_ids(brand_ids: Collection[int]) -> Select[Any]:
    """The ids of the posts attached to ``brand_ids`` (read first: for small scopes)."""
    return select(brand_posts.c.post_id).where(brand_posts.c.brand_id.in_(sorted(brand_ids)))


def small_scope(conn: Connection, brand_ids: Collection[int]) -> bool:
    """Whether ``brand_ids`` have fewer than :data:`SMALL_SCOPE` posts together (counted on
    the index, up to that number): then reading their posts first is cheapest."""
    sample = scope_ids(brand_ids).limit(SMALL_SCOPE).subquery()
    return int(conn.execute(select(func.count()).select_from(sample)).scalar_one()) \
        < SMALL_SCOPE


# --- reading rows in order --------------------------------------------------------------------


def _columns() -> list[Any]:
    """Everything a mention shows (:func:`_mention` unpacks them in this order)."""
    return [posts.c.id, posts.c.platform, posts.c.platform_id, posts.c.url, posts.c.kind,
            posts.c.text, posts.c.title, posts.c.created_at, post_language.label("language"),
            posts.c.rating, posts.c.parent_id, posts.c.hashtags, posts.c.mentions,
            posts.c.likes, posts.c.comments, posts.c.shares, posts.c.views,
            ENGAGEMENT.label("engagement"), authors.c.id.label("author_pk"),
            posts.c.author_id, authors.c.handle, authors.c.display_name, authors.c.followers,
            enrichments.c.post_id.label("enriched"), enrichments.c.sentiment,
            enrichments.c.sentiment_score, enrichments.c.sentiment_confidence,
            enrichments.c.topics, enrichments.c.toxicity,
            enrichments.c.flags, enrichments.c.intent, enrichments.c.made_by]


def _lean_columns(query: Query, sort: Sort | None, *others: Query) -> list[Any]:
    """What ``query`` (and ``others``) read of a post, and the value of ``sort`` (``None``:
    not needed):
    for scanning candidates. JSON lists come as text, decoded only when not empty; the
    detected language, the author's handle, the hashtags and mentions are read only when
    the query has ``lang:``, ``author:``, a ``#hashtag`` or an ``@mention`` (SQLite then
    skips those joins)."""
    written = " ".join(str(q) for q in (query, *others))
    language = post_language if "lang:" in written else posts.c.language
    handle = authors.c.handle if "author:" in written else null()
    tags = type_coerce(posts.c.hashtags, Text) if "#" in written else null()
    handles = type_coerce(posts.c.mentions, Text) if "@" in written else null()
    value = null() if sort is None else sort.key
    return [posts.c.id, posts.c.platform, posts.c.kind, posts.c.text, posts.c.title,
            language.label("language"), posts.c.rating, tags.label("hashtags"),
            handles.label("mentions"), handle.label("handle"), value.label("value")]


def _joined(base: Any = posts) -> Any:
    return (base.outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
            .outerjoin(authors, and_(authors.c.platform == posts.c.platform,
                                     authors.c.platform_id == posts.c.author_id)))


def _after(key: ColumnElement[Any], tie: ColumnElement[Any], value: Any, last: int,
           descending: bool) -> ColumnElement[bool]:
    """Strictly after (value, last) in the order: written as a range on ``key`` plus a
    residual test, so that an index on ``key`` serves it on both backends."""
    if descending:
        return and_(key <= value, or_(key < value, tie < last))
    return and_(key >= value, or_(key > value, tie > last))


@dataclass
class _Reader:
    """Reads the rows of one listing in order, page by page."""

    conn: Connection
    filters: Filters
    sort: Sort
    where: list[ColumnElement[bool]]
    plan: str | None = None
    columns: list[Any] = field(default_factory=_columns)

    def rows(self, after: Position | None, n: int) -> list[Any]:
        """Up to ``n`` rows after ``after``: posts with a sort value, then those without."""
        found: list[Any] = []
        if after is None or after.value is not None:
            found = self._phase(after, n, nulls=False)
            if len(found) == n or not self.sort.nullable:
                return found
            after = None
        return found + self._phase(after, n - len(found), nulls=True)

    def _order(self, nulls: bool) -> tuple[ColumnElement[Any] | None, ColumnElement[Any]]:
        if nulls:
            return None, posts.c.id
        tie = enrichments.c.post_id if self.sort.enriched else posts.c.id
        return self.sort.key, tie

    def _phase(self, after: Position | None, n: int, *, nulls: bool) -> list[Any]:
        key, tie = self._order(nulls)
        bounds: list[ColumnElement[bool]] = []
        if key is not None:
            if self.sort.nullable:
                bounds.append(key.is_not(None))
            if after is not None:
                bounds.append(_after(key, tie, after.value, after.id, self.sort.descending))
        else:
            bounds.append(self.sort.key.is_(None))
            if after is not None:
                bounds.append(tie < after.id if self.sort.descending else tie > after.id)
        if self.filters.since is not None and self.sort.key is posts.c.created_at:
            bounds.append(posts.c.created_at >= utc(self.filters.since))
        if self.filters.until is not None and self.sort.key is posts.c.created_at:
            bounds.append(posts.c.created_at < utc(self.filters.until))
        plan = self._plan()
        if plan == "windows":
            found = self._windows(key, tie, bounds, n)
            if found is not None:
                return found
        scope = posts.c.id.in_(scope_ids(self.filters.brand_ids)) if plan in (
            "scope", "windows") else in_scope(self.filters.brand_ids)
        query = (select(*self.columns).select_from(_joined())
                 .where(scope, *self.where, *bounds)
                 .order_by(*self._direction(key, posts.c.id)).limit(n))
        return list(self.conn.execute(query))

    def _direction(self, key: ColumnElement[Any] | None, tie: ColumnElement[Any]
                   ) -> list[Any]:
        keys = [tie] if key is None else [key, tie]
        return [k.desc() if self.sort.descending else k.asc() for k in keys]

    def _plan(self) -> str:
        """How to read pages: ``scope`` (the brands' posts first), ``search`` (the
        full-text matches first), ``author`` (the author's posts first) or ``windows``."""
        if self.plan is None:
            if small_scope(self.conn, self.filters.brand_ids):
                self.plan = "scope"
            elif self.filters.author is not None:
                self.plan = "author"
            elif self.filters.q is not None and search_count(
                    self.conn, parse_search(self.filters.q), SMALL_SCOPE) < SMALL_SCOPE:
                self.plan = "search"
            else:
                self.plan = "windows"
        return self.plan

    def _window(self, key: ColumnElement[Any] | None, tie: ColumnElement[Any],
                bounds: list[ColumnElement[bool]], start: tuple[Any, int] | None
                ) -> Any:
        """The next :data:`WINDOW` posts in sort order after ``start``, from the index."""
        base: Any = enrichments if tie is enrichments.c.post_id else posts
        if key is None and self.sort.enriched:
            base = posts.outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
        columns = [tie.label("id")] if key is None else [tie.label("id"), key.label("k")]
        query = select(*columns).select_from(base).where(*bounds)
        if start is not None:
            query = query.where(
                (tie < start[1] if self.sort.descending else tie > start[1]) if key is None
                else _after(key, tie, start[0], start[1], self.sort.descending))
        return query.order_by(*self._direction(key, tie)).limit(WINDOW).subquery("w")

    def _windows(self, key: ColumnElement[Any] | None, tie: ColumnElement[Any],
                 bounds: list[ColumnElement[bool]], n: int) -> list[Any] | None:
        """The page read window by window; ``None`` when the budget ran out first."""
        found: list[Any] = []
        start: tuple[Any, int] | None = None
        read = 0
        while read < WINDOW_BUDGET:
            window = self._window(key, tie, bounds, start)
            order = [window.c.id] if key is None else [window.c.k, window.c.id]
            query = (select(*self.columns)
                     .select_from(_joined(window.join(posts, posts.c.id == window.c.id)))
                     .where(in_scope(self.filters.brand_ids), *self.where)
                     .order_by(*[c.desc() if self.sort.descending else c.asc() for c in order])
                     .limit(n - len(found)))
            found.extend(self.conn.execute(query))
            if len(found) >= n:
                return found
            reverse = [c.asc() if self.sort.descending else c.desc() for c in order]
            last = self.conn.execute(select(*order, func.count().over())
                                     .order_by(*reverse).limit(1)).first()
            if last is None or last[-1] < WINDOW:
                return found  # the index has no more posts: the page is complete
            start = (None, last[0]) if key is None else (last[0], last[1])
            read += WINDOW
        return None


# --- building mentions ------------------------------------------------------------------------


def _mention(row: Any) -> Mention:
    """A mention from a row of :func:`_columns` (unpacked by position: reading a row's
    attributes by name costs more than everything else here)."""
    (post_id, platform, platform_id, url, kind, text, title, created_at, language, rating,
     parent_id, hashtags, mentions, likes, comments, shares, views, engagement_, author_pk,
     author_id, handle, display_name, followers, enriched, sentiment, score, confidence,
     topics, toxicity, flags, intent, made_by) = row
    author = None
    if author_id is not None:
        author = AuthorRef(id=None if author_pk is None else int(author_pk),
                           platform_id=author_id, handle=handle, name=display_name,
                           followers=followers)
    enrichment = None
    if enriched is not None:
        enrichment = Enrichment(sentiment=sentiment, sentiment_score=score,
                                sentiment_confidence=confidence, topics=list(topics or []),
                                toxicity=toxicity, flags=list(flags or []), intent=intent,
                                made_by=dict(made_by or {}))
    return Mention(
        id=int(post_id), platform=platform, platform_id=platform_id, url=url, kind=kind,
        text=text, title=title, created_at=utc(created_at), language=language, rating=rating,
        parent_id=parent_id, hashtags=list(hashtags or []), mentions=list(mentions or []),
        author=author, likes=likes, comments=comments, shares=shares, views=views,
        engagement=int(engagement_), enrichment=enrichment)


def attach_brands(conn: Connection, items: Sequence[Mention], visible: Collection[int]) -> None:
    """Fill each mention's ``brands``: those of ``visible`` it is attached to, by name."""
    if not items or not visible:
        return
    by_id = {item.id: item for item in items}
    rows = conn.execute(
        select(brand_posts.c.post_id, brands.c.id, brands.c.name, brand_posts.c.via)
        .join(brands, brands.c.id == brand_posts.c.brand_id)
        .where(brand_posts.c.post_id.in_(sorted(by_id)),
               brand_posts.c.brand_id.in_(sorted(visible)))
        .order_by(brands.c.name))
    for row in rows:
        by_id[int(row.post_id)].brands.append(BrandLink(int(row.id), row.name, row.via))


_PLATFORMS = {p.value: p for p in Platform}
_KINDS = {k.value: k for k in PostKind}


def _listed(value: Any) -> list[str]:
    """A JSON list column read as text (SQLite) or already decoded (PostgreSQL)."""
    if not value or value == "[]":
        return []
    found = json.loads(value) if isinstance(value, str) else value
    return [str(v) for v in found] if isinstance(found, list) else []


class _QueryView:
    """What a brand query reads of a post, from a lean row (a stand-in for ``Post``)."""

    __slots__ = ("author", "hashtags", "kind", "language", "mentions", "platform", "rating",
                 "text", "title")

    def __init__(self, row: Any) -> None:
        (_, platform, kind, self.text, self.title, self.language, self.rating, hashtags,
         mentions, handle, _) = row  # the order of _lean_columns()
        self.hashtags, self.mentions = _listed(hashtags), _listed(mentions)
        self.platform, self.kind = _PLATFORMS[platform], _KINDS[kind]
        self.author = _Handle(handle) if handle else None


class _Handle:
    """An author as ``author:`` reads it."""

    __slots__ = ("handle",)

    def __init__(self, handle: str) -> None:
        self.handle = handle


def _matches(query: Query, rows: Sequence[Any]) -> list[bool]:
    views: list[Any] = []
    for row in rows:
        try:
            views.append(_QueryView(row))
        except (KeyError, ValueError):  # a platform or kind this version does not know
            views.append(None)
    return [view is not None and query.matches(view) for view in views]


def _full(conn: Connection, rows: Sequence[Any]) -> list[Any]:
    """The full rows of the lean ``rows``, in their order."""
    if not rows:
        return []
    found = {row.id: row for row in conn.execute(select(*_columns()).select_from(_joined())
                                                 .where(posts.c.id.in_([r.id for r in rows])))}
    return [found[row.id] for row in rows if row.id in found]


def _position(row: Any, sort: Sort) -> Position:
    """Where ``row`` stands in ``sort`` (a full row, or a lean one with its ``value``)."""
    name = sort.value.lstrip("-")
    value = row.value if "value" in row._fields else getattr(row, name)
    return Position(value=utc(value) if name == "created_at" else value, id=int(row.id))


def list_mentions(conn: Connection, filters: Filters, *, sort: Sort = Sort.NEWEST,
                  limit: int = 50, after: Position | None = None,
                  visible: Collection[int] = (), scan_limit: int | None = None
                  ) -> MentionPage:
    """One page of the mentions of ``filters.brand_ids`` that pass the filters, in ``sort``
    order after ``after``; each lists its brands among ``visible`` (default: the scope).

    Raises E630 for a ``q`` with no word and E401-E406 for a ``query`` that does not parse.
    """
    if not filters.brand_ids:
        return MentionPage([], None, 0)
    query = parse_query(filters.query) if filters.query is not None else None
    scan_limit = QUERY_SCAN_LIMIT if scan_limit is None else scan_limit
    reader = _Reader(conn, filters, sort, conditions(conn, filters))
    if query is not None:
        reader.columns = _lean_columns(query, sort)
    if query is None:
        rows = reader.rows(after, limit + 1)
        page = rows[:limit]
        more = len(rows) > limit
        return _page(conn, page, _position(page[-1], sort) if more and page else None,
                     len(page), visible or filters.brand_ids)
    matched: list[Any] = []
    scanned, position, more = 0, after, True
    step = max(100, 4 * (limit + 1))  # candidates per read, doubling up to 1,000
    while more and scanned < scan_limit and len(matched) < limit:
        wanted = min(step, 1000, scan_limit - scanned)
        step *= 2
        batch = reader.rows(position, wanted)
        more = len(batch) == wanted
        for row, hit in zip(batch, _matches(query, batch), strict=True):
            scanned += 1
            position = _position(row, sort)
            if hit:
                matched.append(row)
                if len(matched) == limit:
                    more = more or row is not batch[-1]
                    break
    if more and len(matched) == limit and position is not None:
        more = bool(reader.rows(position, 1))  # no empty page after the last candidate
    return _page(conn, _full(conn, matched), position if more else None, scanned,
                 visible or filters.brand_ids)


def _page(conn: Connection, rows: Sequence[Any], next_position: Position | None,
          scanned: int, visible: Collection[int]) -> MentionPage:
    items = [_mention(row) for row in rows]
    attach_brands(conn, items, visible)
    return MentionPage(items, next_position, scanned)


@dataclass
class Preview:
    """What a brand query finds among the latest posts: the first matches (newest first),
    how many posts were read and how many of them matched; with a query to compare with,
    how many of those posts the query matches and the other does not (``added``), and the
    reverse (``removed``)."""

    items: list[Mention]
    scanned: int
    matched: int
    added: int | None = None
    removed: int | None = None


def preview(conn: Connection, query: str, brand_ids: Collection[int], *,
            since: datetime | None = None, limit: int = 20, scan: int | None = None,
            against: Query | None = None) -> Preview:
    """Try ``query`` on the latest ``scan`` posts (default :data:`QUERY_SCAN_LIMIT`) of
    ``brand_ids`` (since ``since``): fast whatever the size of the store. With ``against``
    (the stored query, say), the same posts are matched with it too, in the same read.
    E401-E406 when the query does not parse."""
    compiled = parse_query(query)
    scan = QUERY_SCAN_LIMIT if scan is None else scan
    if not brand_ids:
        return Preview([], 0, 0, *((0, 0) if against is not None else ()))
    filters = Filters(tuple(sorted(brand_ids)), since=since)
    others = () if against is None else (against,)
    reader = _Reader(conn, filters, Sort.NEWEST, conditions(conn, filters),
                     columns=_lean_columns(compiled, None, *others))
    rows = reader.rows(None, scan)
    hits = _matches(compiled, rows)
    kept = [row for row, hit in zip(rows, hits, strict=True) if hit][:limit]
    found = Preview([], len(rows), sum(hits))
    if against is not None:
        before = _matches(against, rows)
        found.added = sum(h and not b for h, b in zip(hits, before, strict=True))
        found.removed = sum(b and not h for h, b in zip(hits, before, strict=True))
    found.items = [_mention(row) for row in _full(conn, kept)]
    attach_brands(conn, found.items, brand_ids)
    return found


def iter_mentions(engine: Engine, filters: Filters, *, sort: Sort = Sort.NEWEST,
                  batch_size: int = 1000, visible: Collection[int] = ()
                  ) -> Iterator[list[Mention]]:
    """Every mention that passes the filters, in batches read one connection at a time
    (for exports: only one batch is in memory)."""
    after: Position | None = None
    while True:
        with engine.connect() as conn:
            page = list_mentions(conn, filters, sort=sort, limit=batch_size, after=after,
                                 visible=visible)
        if page.items:
            yield page.items
        if page.next is None:
            return
        after = page.next


# --- one post and its thread ------------------------------------------------------------------


def get_mention(conn: Connection, post_id: int, brand_ids: Collection[int]) -> Mention | None:
    """Post ``post_id`` if it is attached to one of ``brand_ids``, with those brands."""
    if not brand_ids:
        return None
    row = conn.execute(select(*_columns()).select_from(_joined())
                       .where(posts.c.id == post_id, in_scope(brand_ids))).first()
    if row is None:
        return None
    mention = _mention(row)
    attach_brands(conn, [mention], brand_ids)
    return mention


@dataclass
class Thread:
    """The visible parents of a post (the root first) and its visible direct replies."""

    parents: list[Mention]
    replies: list[Mention]


def thread(conn: Connection, mention: Mention, brand_ids: Collection[int]) -> Thread:
    """The thread around ``mention``, as far as ``brand_ids`` see: parents up to
    :data:`THREAD_DEPTH` levels (hidden ones are skipped, never shown) and up to
    :data:`REPLIES` direct replies, oldest first."""
    parents: list[Mention] = []
    parent_id, seen = mention.parent_id, {mention.platform_id}
    for _ in range(THREAD_DEPTH):
        if parent_id is None or parent_id in seen:
            break
        seen.add(parent_id)
        row = conn.execute(select(*_columns()).select_from(_joined()).where(
            posts.c.platform == mention.platform, posts.c.platform_id == parent_id)).first()
        if row is None:
            break
        parent_id = row.parent_id
        if conn.execute(select(in_scope(brand_ids, posts.c.id)).where(
                posts.c.id == row.id)).scalar():
            parents.append(_mention(row))
    parents.reverse()
    replies = [_mention(row) for row in conn.execute(
        select(*_columns()).select_from(_joined())
        .where(posts.c.platform == mention.platform, posts.c.parent_id == mention.platform_id,
               in_scope(brand_ids))
        .order_by(posts.c.created_at.asc(), posts.c.id.asc()).limit(REPLIES))]
    attach_brands(conn, parents + replies, brand_ids)
    return Thread(parents, replies)
