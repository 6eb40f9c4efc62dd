"""The data of a brand's dashboard Overview, read from the rollups (no web code here).

Every block reads the rollup tables that :mod:`confiance.store.rollups` keeps current, never
the posts themselves (the ten top posts and authors are looked up by id at the end): what a
block costs follows the number of days, platforms, languages, topics and authors, not the
number of posts. The blocks are typed in :mod:`confiance.store.dashboard_blocks`.

A period is a run of whole days, both ends included, and days are **UTC days** (per-user time
zones come later: a UTC day boundary is 01:00 or 02:00 in Paris). The previous period is the
run of days of the same length that ends the day before. Counts include every post attached
to the brand that has a creation time; ``unknown`` sentiment means not enriched yet.

:mod:`confiance.store.dashboard_snapshot` reads these blocks through the per-process cache,
under the brand's snapshot, and gathers them into the Overview.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    union_all,
)

from confiance.core.errors import ConfianceError
from confiance.domain.records import aware_utc
from confiance.store.dashboard_blocks import (
    Breakdown,
    Count,
    Granularity,
    GranularityChoice,
    Period,
    Score,
    Sentiment,
    ShareOfVoice,
    Slice,
    TopAuthor,
    TopAuthors,
    Topics,
    TopicTrend,
    TopPost,
    TopPosts,
    Totals,
    Voice,
    Volume,
    VolumePoint,
)
from confiance.store.tables import (
    authors,
    brands,
    enrichments,
    posts,
    rollup_authors,
    rollup_days,
    rollup_hours,
    rollup_posts,
    rollup_segments,
    rollup_topics,
)

T = TypeVar("T")

SENTIMENTS = ("positive", "neutral", "negative")
DEFAULT_DAYS = 30
"""The default period: this many days, ending on the day of the brand's newest post."""
MAX_DAYS = 1096
"""The longest period (three years) a dashboard covers."""
MAX_HOURLY_DAYS = 31
"""The longest period drawn hour by hour (744 points)."""
AUTO_HOURLY_DAYS = 2
"""``auto`` draws periods of up to this many days hour by hour..."""
AUTO_DAILY_DAYS = 92
"""... up to this many day by day, and longer ones week by week (weeks start on Monday)."""
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9999, 11, 30)
"""The days a period may start and end on (its previous period and its last instant fit)."""
TOP = 10
EXCERPT = 280
_DAYS_PER_QUERY = 100  # per-day subqueries of one top-posts statement (SQLite allows 500)


# --- periods ---------------------------------------------------------------------------------


def newest_day(conn: Connection, brand_id: int) -> date | None:
    """The UTC day of the brand's newest post (None: no post)."""
    found = conn.execute(select(func.max(rollup_days.c.day))
                         .where(rollup_days.c.brand_id == brand_id)).scalar()
    return as_date(found) if found is not None else None


def period_for(newest: date | None, since: date | None = None,
               until: date | None = None) -> Period:
    """The period asked for: both days given; ``since`` alone covers 30 days from it;
    neither covers the 30 days ending on ``newest``, the day of the brand's newest post
    (:func:`newest_day`, or the :class:`Snapshot`'s; today when it has none). E640 / E641 /
    E643 for a period that ends first, is too long or lies outside the years 1900 to
    9999."""
    for day in (since, until):
        _supported(day)
    if until is None:
        if since is not None:
            until = since + timedelta(days=DEFAULT_DAYS - 1)
        else:
            until = newest or datetime.now(UTC).date()
    if since is None:
        since = until - timedelta(days=DEFAULT_DAYS - 1)
    return checked(since, until)


def checked(since: date, until: date) -> Period:
    """The period from ``since`` to ``until``, or E640 / E641 / E643."""
    _supported(since)
    _supported(until)
    if until < since:
        raise ConfianceError("E640", since=since.isoformat(), until=until.isoformat())
    days = (until - since).days + 1
    if days > MAX_DAYS:
        raise ConfianceError("E641", days=days, maximum=MAX_DAYS)
    return Period(since=since, until=until)


def _supported(day: date | None) -> None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ConfianceError("E643", day=day.isoformat(), first=FIRST_DAY.isoformat(),
                             last=LAST_DAY.isoformat())


def granularity_for(period: Period, choice: GranularityChoice = "auto") -> Granularity:
    """The buckets of the volume series: ``auto`` picks them from the length; hourly
    buckets over more than 31 days are E642."""
    if choice == "auto":
        if period.days <= AUTO_HOURLY_DAYS:
            return "hour"
        return "day" if period.days <= AUTO_DAILY_DAYS else "week"
    if choice == "hour" and period.days > MAX_HOURLY_DAYS:
        raise ConfianceError("E642", days=period.days, maximum=MAX_HOURLY_DAYS)
    return choice


# --- numbers ---------------------------------------------------------------------------------


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _count(value: int, previous: int | None) -> Count:
    change = (round(100 * (value - previous) / previous, 1)
              if previous else None)
    return Count(value=value, previous=previous, change_pct=change)


def _score(value: float | None, previous: float | None) -> Score:
    change = (round(value - previous, 1)
              if value is not None and previous is not None else None)
    return Score(value=value, previous=previous, change_points=change)


def _by_sentiment(counts: Counter[str]) -> dict[str, int]:
    return {"positive": counts["positive"], "neutral": counts["neutral"],
            "negative": counts["negative"],
            "unknown": sum(n for s, n in counts.items() if s not in SENTIMENTS)}


def _sentiment(counts: Counter[str]) -> Sentiment:
    return Sentiment(**_by_sentiment(counts))


def as_date(value: Any) -> date:
    """A day as the database returns it (a date, or ISO text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _in(column: Any, period: Period) -> Any:
    return and_(column >= period.since, column <= period.until)


# --- blocks ----------------------------------------------------------------------------------


DaySums = dict[tuple[int, bool], tuple[Counter[str], int]]
"""(brand id, in the period rather than the previous one) -> (posts by sentiment, engagement)."""


def day_sums(conn: Connection, ids: Sequence[int], period: Period,
              previous: Period | None) -> DaySums:
    span = Period(since=previous.since, until=period.until) if previous else period
    current = case((rollup_days.c.day >= period.since, 1), else_=0)
    rows = conn.execute(
        select(rollup_days.c.brand_id, current, rollup_days.c.sentiment,
               func.sum(rollup_days.c.posts), func.sum(rollup_days.c.engagement))
        .where(rollup_days.c.brand_id.in_(list(ids)), _in(rollup_days.c.day, span))
        .group_by(rollup_days.c.brand_id, current, rollup_days.c.sentiment)).all()
    found: DaySums = {(i, now): (Counter(), 0) for i in ids for now in (False, True)}
    for brand, is_current, sentiment, count, engaged in rows:
        counts, engagement_sum = found[(int(brand), bool(is_current))]
        counts[sentiment] += int(count)
        found[(int(brand), bool(is_current))] = (counts, engagement_sum + int(engaged))
    return found


def totals(conn: Connection, brand_id: int, period: Period,
           previous: Period | None = None) -> Totals:
    """Posts, engagement and sentiment of the period (and of ``previous``)."""
    return _totals(day_sums(conn, [brand_id], period, previous), brand_id,
                   compared=previous is not None)


def _totals(sums: DaySums, brand_id: int, *, compared: bool) -> Totals:
    (now, engaged), (then, engaged_before) = sums[(brand_id, True)], sums[(brand_id, False)]
    sentiment = _sentiment(now)
    before = _sentiment(then) if compared else None
    return Totals(
        posts=_count(sum(now.values()), sum(then.values()) if compared else None),
        engagement=_count(engaged, engaged_before if compared else None),
        net_sentiment=_score(sentiment.net, before.net if before else None),
        sentiment=sentiment, previous_sentiment=before)


def volume(conn: Connection, brand_id: int, period: Period,
           granularity: GranularityChoice = "auto") -> Volume:
    """Posts and engagement by sentiment per hour, day or week of the period."""
    chosen = granularity_for(period, granularity)
    if chosen == "hour":
        table, column = rollup_hours, rollup_hours.c.hour
        where = and_(column >= period.start, column < period.end)
    else:
        table, column = rollup_days, rollup_days.c.day
        where = _in(column, period)
    rows = conn.execute(select(column, table.c.sentiment, func.sum(table.c.posts),
                               func.sum(table.c.engagement))
                        .where(table.c.brand_id == brand_id, where)
                        .group_by(column, table.c.sentiment)).all()
    counts: dict[datetime, Counter[str]] = {start: Counter() for start in
                                            _buckets(period, chosen)}
    engaged: Counter[datetime] = Counter()
    for at, sentiment, count, engagement_sum in rows:
        start = _bucket_of(at, chosen)
        counts[start][sentiment] += int(count)
        engaged[start] += int(engagement_sum)
    return Volume(granularity=chosen, points=[VolumePoint(
        start=start, posts=sum(c.values()), engagement=engaged[start], **_by_sentiment(c))
        for start, c in counts.items()])


def _buckets(period: Period, granularity: Granularity) -> list[datetime]:
    if granularity == "hour":
        return [period.start + timedelta(hours=h) for h in range(period.days * 24)]
    days = [period.since + timedelta(days=d) for d in range(period.days)]
    return list(dict.fromkeys(_bucket_of(day, granularity) for day in days))


def _bucket_of(value: Any, granularity: Granularity) -> datetime:
    if granularity == "hour":
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        return aware_utc(at)
    day = as_date(value)
    if granularity == "week":
        day -= timedelta(days=day.weekday())
    return datetime.combine(day, time(), UTC)


def share_of_voice(conn: Connection, brand_id: int, period: Period,
                   previous: Period | None = None) -> ShareOfVoice:
    """The brand's and its competitors' posts, engagement and shares of them."""
    names = _rivals(conn, brand_id)
    return voices(day_sums(conn, sorted(names), period, previous), names, brand_id,
                   compared=previous is not None)


def _rivals(conn: Connection, brand_id: int) -> dict[int, str]:
    """The names of the brand and of the brands whose ``competitor_of`` it is."""
    rows = conn.execute(select(brands.c.id, brands.c.name).where(
        or_(brands.c.id == brand_id, brands.c.competitor_of == brand_id))).all()
    return {int(row.id): row.name for row in rows}


def voices(sums: DaySums, names: dict[int, str], brand_id: int, *,
            compared: bool) -> ShareOfVoice:
    def posts(i: int, now: bool) -> int:
        return sum(sums[(i, now)][0].values())

    all_posts = sum(posts(i, True) for i in names)
    all_before = sum(posts(i, False) for i in names)
    all_engagement = sum(sums[(i, True)][1] for i in names)
    order = sorted(names, key=lambda i: (i != brand_id, names[i].casefold()))
    return ShareOfVoice(brands=[Voice(
        brand_id=i, name=names[i], own=i == brand_id, posts=posts(i, True),
        engagement=sums[(i, True)][1],
        share=_score(_pct(posts(i, True), all_posts),
                     _pct(posts(i, False), all_before) if compared else None),
        engagement_share=_pct(sums[(i, True)][1], all_engagement)) for i in order])


def breakdown(conn: Connection, brand_id: int, period: Period) -> Breakdown:
    """Posts by sentiment per platform and per language."""
    table = rollup_segments.c
    count = func.sum(in_period(table, period))
    rows = conn.execute(
        select(table.platform, table.language, table.sentiment, count)
        .where(table.brand_id == brand_id, table.month.in_(_months(period)[0]))
        .group_by(table.platform, table.language, table.sentiment)).all()
    return Breakdown(by_platform=_slices((r[0], r[2], r[3]) for r in rows),
                     by_language=_slices((r[1] or None, r[2], r[3]) for r in rows))


def _slices(rows: Iterable[tuple[str | None, str, int]]) -> list[Slice]:
    counts: dict[str | None, Counter[str]] = defaultdict(Counter)
    for key, sentiment, count in rows:
        if count:
            counts[key][sentiment] += int(count)
    found = [Slice(key=key, posts=sum(c.values()), sentiment=_sentiment(c))
             for key, c in counts.items()]
    return sorted(found, key=lambda s: (-s.posts, s.key is None, s.key or ""))


def in_period(table: Any, period: Period) -> Any:
    """The posts of ``period`` that a row of a table cumulated by day (``upto01`` ..
    ``upto31`` per month) counts: ``uptoB - uptoA-1`` for the days A to B of its month
    inside the period, 0 for a month outside it."""
    months, partial = _months(period)
    return case(*[(table.month == month, table.upto31) for month in months
                  if month not in partial],
                *[(table.month == month, table[f"upto{last:02d}"] - table[f"upto{first - 1:02d}"]
                   if first > 1 else table[f"upto{last:02d}"])
                  for month, (first, last) in partial.items()], else_=0)


def topics(conn: Connection, brand_id: int, period: Period, previous: Period | None = None,
           *, limit: int = TOP) -> Topics:
    """The ``limit`` topics with the most posts, compared with the previous period."""
    table = rollup_topics.c
    months = sorted({*_months(period)[0], *(_months(previous)[0] if previous else [])})
    rows = conn.execute(
        select(table.topic, table.sentiment, func.sum(in_period(table, period)),
               func.sum(in_period(table, previous)) if previous else literal_column("0"))
        .where(table.brand_id == brand_id, table.month.in_(months))
        .group_by(table.topic, table.sentiment)).all()
    now: dict[str, Counter[str]] = defaultdict(Counter)
    before: Counter[str] = Counter()
    for topic, sentiment, count, earlier in rows:
        if count:
            now[topic][sentiment] += int(count)
        before[topic] += int(earlier)
    ranked = sorted(now, key=lambda t: (-sum(now[t].values()), t))[:limit]
    return Topics(items=[TopicTrend(
        topic=topic, posts=_count(sum(now[topic].values()),
                                  before[topic] if previous else None),
        sentiment=_sentiment(now[topic])) for topic in ranked])


RankedAuthors = tuple[int, tuple[tuple[str, str, int], ...]]
"""Distinct authors in the period, and the top (platform, author id, posts) of them."""


def top_authors(conn: Connection, brand_id: int, period: Period, *,
                limit: int = TOP) -> TopAuthors:
    """The ``limit`` authors of the most posts in the period (ties: by platform and id)."""
    return author_details(conn, ranked_authors(conn, brand_id, period, limit=limit))


def ranked_authors(conn: Connection, brand_id: int, period: Period, *,
                   limit: int = TOP) -> RankedAuthors:
    """How many authors wrote posts in the period, and the ``limit`` who wrote the most
    (from the rollups alone)."""
    table = rollup_authors.c
    count = func.sum(in_period(table, period))
    inner = (select(table.platform, table.author_id, count.label("n"))
             .where(table.brand_id == brand_id, table.month.in_(_months(period)[0]))
             .group_by(table.platform, table.author_id).having(count > 0).subquery())
    rows = conn.execute(select(inner.c.platform, inner.c.author_id, inner.c.n,
                               func.count().over())
                        .order_by(inner.c.n.desc(), inner.c.platform, inner.c.author_id)
                        .limit(limit)).all()
    return (int(rows[0][3]) if rows else 0,
            tuple((str(row[0]), str(row[1]), int(row[2])) for row in rows))


def author_details(conn: Connection, ranked: RankedAuthors) -> TopAuthors:
    total, rows = ranked
    if not rows:
        return TopAuthors(authors=0, items=[])
    keys = {f"{name}{i}": value for i, row in enumerate(rows)
            for name, value in (("platform", row[0]), ("author", row[1]))}
    found = {(row.platform, row.platform_id): row
             for row in conn.execute(_authors_query(len(rows)), keys)}
    items = []
    for platform, author_id, mentions in rows:
        who = found.get((platform, author_id))
        items.append(TopAuthor(
            platform=platform, author_id=author_id, handle=who.handle if who else None,
            name=who.display_name if who else None, followers=who.followers if who else None,
            url=who.url if who else None, mentions=mentions))
    return TopAuthors(authors=total, items=items)


@lru_cache(maxsize=64)
def _authors_query(count: int) -> Select[Any]:
    """The profiles of ``count`` authors (parameters ``platform0``, ``author0`` ...), each
    found through the (platform, platform id) key."""
    return (select(authors.c.platform, authors.c.platform_id, authors.c.handle,
                   authors.c.display_name, authors.c.followers, authors.c.url)
            .where(or_(*(and_(authors.c.platform == bindparam(f"platform{i}"),
                              authors.c.platform_id == bindparam(f"author{i}"))
                         for i in range(count)))))


def _months(period: Period) -> tuple[list[date], dict[date, tuple[int, int]]]:
    """The months the period touches, and the first and last days inside it of those it
    covers in part."""
    months: list[date] = []
    partial: dict[date, tuple[int, int]] = {}
    month = period.since.replace(day=1)
    while month <= period.until:
        length = calendar.monthrange(month.year, month.month)[1]
        first = period.since.day if month == period.since.replace(day=1) else 1
        last = period.until.day if month == period.until.replace(day=1) else length
        months.append(month)
        if first != 1 or last != length:
            partial[month] = (first, last)
        month = (month + timedelta(days=length)).replace(day=1)
    return months, partial


def top_posts(conn: Connection, brand_id: int, period: Period, *,
              limit: int = TOP) -> TopPosts:
    """The ``limit`` posts with the most engagement (ties: the newest id first)."""
    return TopPosts(items=post_details(conn, ranked_posts(conn, brand_id, period,
                                                           limit=limit)))


def ranked_posts(conn: Connection, brand_id: int, period: Period, *,
                 limit: int = TOP) -> tuple[tuple[int, int], ...]:
    """The (post id, engagement) of the ``limit`` posts with the most engagement: the best
    of each day's own top posts, read from the ledger's (brand, day, engagement) index."""
    days = [period.since + timedelta(days=d) for d in range(period.days)]
    best: list[tuple[int, int]] = []
    for start in range(0, len(days), _DAYS_PER_QUERY):
        chunk = days[start:start + _DAYS_PER_QUERY]
        params: dict[str, Any] = {"brand": brand_id, "top": limit}
        params.update({f"day{i}": day for i, day in enumerate(chunk)})
        best.extend((int(row[1]), int(row[0]))
                    for row in conn.execute(_best_of_days(len(chunk)), params))
    best = sorted(best, reverse=True)[:limit]
    return tuple((post_id, engaged) for engaged, post_id in best)


@lru_cache(maxsize=128)
def _best_of_days(count: int) -> Select[Any]:
    """The best ``top`` posts among the ``top`` best of each of ``count`` days (parameters
    ``brand``, ``top``, ``day0`` ...): built once per number of days."""
    ledger = rollup_posts.c
    parts = [select(ledger.post_id, ledger.engagement)
             .where(ledger.brand_id == bindparam("brand"),
                    ledger.day == bindparam(f"day{i}", type_=Date()))
             .order_by(ledger.engagement.desc(), ledger.post_id.desc())
             .limit(bindparam("top")).subquery() for i in range(count)]
    merged = union_all(*[select(p.c.post_id, p.c.engagement) for p in parts]).subquery()
    return (select(merged.c.post_id, merged.c.engagement)
            .order_by(merged.c.engagement.desc(), merged.c.post_id.desc())
            .limit(bindparam("top")))


def post_details(conn: Connection, ranked: Sequence[tuple[int, int]]) -> list[TopPost]:
    if not ranked:
        return []
    rows = {row.id: row for row in conn.execute(
        _details_query(), {"ids": [post_id for post_id, _ in ranked]})}
    found = []
    for post_id, engaged in ranked:
        row = rows.get(post_id)
        if row is None:  # deleted since it was counted
            continue
        found.append(TopPost(
            id=row.id, platform=row.platform, platform_id=row.platform_id, url=row.url,
            excerpt=excerpt(row.text or row.title or ""), created_at=aware_utc(row.created_at),
            author=row.handle or row.author_id, likes=row.likes, comments=row.comments,
            shares=row.shares, engagement=engaged, sentiment=row.sentiment))
    return found


@lru_cache(maxsize=1)
def _details_query() -> Select[Any]:
    return (select(posts.c.id, posts.c.platform, posts.c.platform_id, posts.c.url, posts.c.text,
                   posts.c.title, posts.c.created_at, posts.c.likes, posts.c.comments,
                   posts.c.shares, posts.c.author_id, authors.c.handle, enrichments.c.sentiment)
            .outerjoin(authors, and_(authors.c.platform == posts.c.platform,
                                     authors.c.platform_id == posts.c.author_id))
            .outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
            .where(posts.c.id.in_(bindparam("ids", expanding=True))))


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"
