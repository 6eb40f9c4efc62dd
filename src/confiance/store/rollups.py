"""Dashboard rollups, kept exact in the transaction of every change that affects them.

What a (brand, post) attachment contributes is written once in the ledger, ``rollup_posts``
(UTC day and hour, platform, language, sentiment, engagement, author, topics). The five
aggregate tables are sums over the ledger: ``rollup_hours`` (brand, hour, sentiment) and
``rollup_days`` (brand, day, sentiment) count posts and engagement; ``rollup_segments``
(brand, month, platform, language, sentiment), ``rollup_topics`` (brand, month, topic,
sentiment) and ``rollup_authors`` (brand, month, platform, author) count posts cumulated over
the days of the month (``upto01`` .. ``upto31``), so that any run of days reads one row per
key and month. Their size grows with time, platforms, languages, topics and authors, never
with the number of posts.

Whatever changed about some posts (an import updated their counters, enrichment rewrote their
sentiment or topics, an analyst corrected them, a brand query attached or detached them, they
were deleted), :func:`refresh` with their ids, in the same transaction and after the change,
makes the rollups exact again: it subtracts what the ledger says those posts contributed,
drops aggregate rows that fell to zero, writes their ledger rows again from ``posts``,
``enrichments`` and ``brand_posts``, and adds what the new rows contribute. It never needs to
know what changed, so a second refresh of the same posts changes nothing, and deleting a
brand deletes its rollup rows through their foreign keys. :func:`rebuild` recomputes one
brand, or every brand, from scratch (``confiance rollups rebuild``). Both draw a new
generation (``rollup_generations``) for every brand whose rollups they touched, in the same
transaction: the dashboard's answer cache is keyed on it.

On PostgreSQL a refresh first takes a transaction-level advisory lock, so two transactions
never refresh at the same time: each one reads the ledger as the previous one committed it.
SQLite has a single writer anyway. Every value is a bound parameter.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Engine,
    Insert,
    Integer,
    Select,
    String,
    any_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from confiance.store.tables import (
    Time,
    brand_posts,
    brands,
    engagement,
    enrichments,
    posts,
    rollup_authors,
    rollup_days,
    rollup_generations,
    rollup_hours,
    rollup_posts,
    rollup_segments,
    rollup_topics,
)

LEDGER = ("brand_id", "post_id", "day", "hour", "platform", "language", "sentiment",
          "engagement", "author_id", "topics")
"""The columns of ``rollup_posts``, in the order :func:`facts` selects them."""
UPTO = tuple(f"upto{day:02d}" for day in range(1, 32))
"""``rollup_authors``' columns: the posts of days 1 to NN of the month."""
AGGREGATES = (rollup_hours, rollup_days, rollup_segments, rollup_topics, rollup_authors)
ADVISORY_LOCK = 0x636F6E66726F6C6C  # "confroll": the PostgreSQL lock serialising refreshes


# --- SQL expressions that differ between SQLite and PostgreSQL -----------------------------------


class utc_hour(FunctionElement[Any]):  # noqa: N801 - a SQL function, named like one
    """A stored time truncated to its UTC hour, in the column format of ``Time``."""

    type = Time
    inherit_cache = True


class utc_day(FunctionElement[Any]):  # noqa: N801
    """The UTC date of a stored time."""

    type = Date()
    inherit_cache = True


class month_of(FunctionElement[Any]):  # noqa: N801
    """The first day of the month of a date."""

    type = Date()
    inherit_cache = True


class day_of_month(FunctionElement[Any]):  # noqa: N801
    """The day of the month (1-31) of a date."""

    type = Integer()
    inherit_cache = True


class primary_subtag(FunctionElement[Any]):  # noqa: N801
    """A language tag's primary subtag in lower case (``fr-FR`` -> ``fr``)."""

    type = String()
    inherit_cache = True


class topic_list(FunctionElement[Any]):  # noqa: N801
    """A JSON value when it is a non-empty array, else NULL (no topics)."""

    type = enrichments.c.topics.type
    inherit_cache = True


def _arg(element: FunctionElement[Any]) -> Any:
    return next(iter(element.clauses))


@compiles(utc_hour, "sqlite")
def _hour_sqlite(element: utc_hour, compiler: Any, **kw: Any) -> str:
    text = func.strftime(literal_column("'%Y-%m-%d %H:00:00.000000'"), _arg(element))
    return str(compiler.process(text, **kw))


@compiles(utc_hour, "postgresql")
def _hour_postgresql(element: utc_hour, compiler: Any, **kw: Any) -> str:
    utc: ColumnElement[str] = literal_column("'UTC'")
    wall = func.date_trunc(literal_column("'hour'"), func.timezone(utc, _arg(element)))
    return str(compiler.process(func.timezone(utc, wall), **kw))


@compiles(utc_day, "sqlite")
def _day_sqlite(element: utc_day, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(func.date(_arg(element)), **kw))


@compiles(utc_day, "postgresql")
def _day_postgresql(element: utc_day, compiler: Any, **kw: Any) -> str:
    wall = func.timezone(literal_column("'UTC'"), _arg(element))
    return f"CAST({compiler.process(wall, **kw)} AS DATE)"


@compiles(month_of, "sqlite")
def _month_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    start = func.date(_arg(element), literal_column("'start of month'"))
    return str(compiler.process(start, **kw))


@compiles(month_of, "postgresql")
def _month_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    day = compiler.process(_arg(element), **kw)
    return f"({day} - (CAST(EXTRACT(DAY FROM {day}) AS INTEGER) - 1))"


@compiles(day_of_month, "sqlite")
def _dom_sqlite(element: day_of_month, compiler: Any, **kw: Any) -> str:
    dom = func.strftime(literal_column("'%d'"), _arg(element))
    return f"CAST({compiler.process(dom, **kw)} AS INTEGER)"


@compiles(day_of_month, "postgresql")
def _dom_postgresql(element: day_of_month, compiler: Any, **kw: Any) -> str:
    return f"CAST(EXTRACT(DAY FROM {compiler.process(_arg(element), **kw)}) AS INTEGER)"


@compiles(primary_subtag, "sqlite")
def _subtag_sqlite(element: primary_subtag, compiler: Any, **kw: Any) -> str:
    tag = compiler.process(_arg(element), **kw)
    return (f"lower(CASE WHEN instr({tag}, '-') > 0 THEN substr({tag}, 1, instr({tag}, '-') - 1)"
            f" ELSE {tag} END)")


@compiles(primary_subtag, "postgresql")
def _subtag_postgresql(element: primary_subtag, compiler: Any, **kw: Any) -> str:
    return f"lower(split_part({compiler.process(_arg(element), **kw)}, '-', 1))"


@compiles(topic_list, "sqlite")
def _topics_sqlite(element: topic_list, compiler: Any, **kw: Any) -> str:
    value = compiler.process(_arg(element), **kw)
    return (f"CASE WHEN json_type({value}) = 'array' AND json_array_length({value}) > 0 "
            f"THEN {value} END")


@compiles(topic_list, "postgresql")
def _topics_postgresql(element: topic_list, compiler: Any, **kw: Any) -> str:
    value = compiler.process(_arg(element), **kw)
    return (f"CASE WHEN jsonb_typeof({value}) = 'array' THEN "
            f"CASE WHEN jsonb_array_length({value}) > 0 THEN {value} END END")


# --- what the rollups count -------------------------------------------------------------------


def facts(where: ColumnElement[bool]) -> Select[Any]:
    """The ledger rows (:data:`LEDGER` order) of the attachments ``where`` selects, computed
    from the base tables. A post without a creation time has none: it cannot be placed on
    the time axis."""
    language = func.coalesce(enrichments.c.language, posts.c.language, "")
    return (select(brand_posts.c.brand_id, posts.c.id, utc_day(posts.c.created_at),
                   utc_hour(posts.c.created_at), posts.c.platform, primary_subtag(language),
                   func.coalesce(enrichments.c.sentiment, ""),
                   engagement(posts.c.likes, posts.c.comments, posts.c.shares),
                   func.coalesce(posts.c.author_id, ""), topic_list(enrichments.c.topics))
            .select_from(brand_posts.join(posts, posts.c.id == brand_posts.c.post_id)
                         .outerjoin(enrichments, enrichments.c.post_id == posts.c.id))
            .where(posts.c.created_at.is_not(None), where))


def _topic_values(conn: Connection) -> Any:
    """The elements of ``rollup_posts.topics`` as a table joined to each ledger row."""
    if conn.dialect.name == "postgresql":
        return (func.jsonb_array_elements_text(rollup_posts.c.topics)
                .table_valued("value").render_derived())
    return func.json_each(rollup_posts.c.topics).table_valued("value")


Sums = tuple[Any, tuple[str, ...], tuple[str, ...], Select[Any]]


def _sums(conn: Connection, where: ColumnElement[bool], sign: int) -> list[Sums]:
    """(table, key columns, summed columns, SELECT of ``sign`` times the sums) for each
    aggregate table, over the ledger rows ``where`` selects, in key order."""
    ledger = rollup_posts.c

    def signed(value: Any) -> Any:
        return value if sign > 0 else -value

    found: list[Sums] = []
    for table, keys in ((rollup_hours, ("brand_id", "hour", "sentiment")),
                        (rollup_days, ("brand_id", "day", "sentiment"))):
        columns = [ledger[k] for k in keys]
        found.append((table, keys, ("posts", "engagement"), select(
            *columns, signed(func.count()), signed(func.sum(ledger.engagement)))
            .where(where).group_by(*columns).order_by(*columns)))
    month = month_of(ledger.day).label("month")
    dom = day_of_month(ledger.day).label("dom")
    values = _topic_values(conn)
    for table, rows in (
            (rollup_segments, select(ledger.brand_id, month, dom, ledger.platform,
                                     ledger.language, ledger.sentiment).where(where)),
            (rollup_topics, select(ledger.brand_id, month, dom, values.c.value.label("topic"),
                                   ledger.sentiment).distinct()
             .add_columns(ledger.post_id)  # a topic listed twice still counts the post once
             .select_from(rollup_posts.join(values, true())).where(where)),
            (rollup_authors, select(ledger.brand_id, month, dom, ledger.platform,
                                    ledger.author_id).where(where, ledger.author_id != ""))):
        found.append(_cumulated(table, rows.subquery(), signed))
    return found


def _cumulated(table: Any, rows: Any, signed: Any) -> Sums:
    """The cumulative day columns of ``table`` summed over ``rows`` (which have its key
    columns, ``month`` and ``dom``, the day of the month): counted per day first, then
    cumulated, which sums 31 columns over days rather than over posts."""
    keys = tuple(c.name for c in table.primary_key.columns)
    per_day = [rows.c[k] for k in keys] + [rows.c.dom]
    days = select(*per_day, func.count().label("n")).group_by(*per_day).subquery()
    zero: ColumnElement[int] = literal_column("0")
    columns = [days.c[k] for k in keys]
    return (table, keys, UPTO, select(
        *columns,
        *(signed(func.sum(case((days.c.dom <= literal_column(str(day)), days.c.n),
                               else_=zero)))
          for day in range(1, 32)))
        .where(true()).group_by(*columns).order_by(*columns))


def _upsert(conn: Connection, table: Any, keys: Sequence[str], sums: Sequence[str],
            query: Select[Any]) -> Insert:
    """INSERT ... SELECT that adds ``sums`` to the rows whose ``keys`` exist already."""
    make = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = make(table).from_select([*keys, *sums], query)
    return statement.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={s: table.c[s] + statement.excluded[s] for s in sums})


def _prune(conn: Connection, where: ColumnElement[bool]) -> None:
    """Delete the aggregate rows that the ledger rows ``where`` selects fed and that now
    count nothing (only those: a full scan would cost as much as the table)."""
    ledger = rollup_posts.c
    month = month_of(ledger.day)
    for table, count, column, fed in ((rollup_hours, "posts", "hour", ledger.hour),
                                      (rollup_days, "posts", "day", ledger.day),
                                      (rollup_segments, "upto31", "month", month),
                                      (rollup_topics, "upto31", "month", month),
                                      (rollup_authors, "upto31", "month", month)):
        touched = select(ledger.brand_id, fed).where(where).distinct()
        conn.execute(delete(table).where(
            table.c[count] == 0, tuple_(table.c.brand_id, table.c[column]).in_(touched)))


# --- keeping them current -----------------------------------------------------------------------


def _lock(conn: Connection) -> None:
    """On PostgreSQL, wait for any other transaction refreshing rollups to end."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK)))


def _among(conn: Connection, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """``column`` is one of ``ids``, as one bound parameter whatever their number."""
    found: ColumnElement[bool]
    if conn.dialect.name == "postgresql":
        found = column == any_(bindparam("ids", ids, type_=postgresql.ARRAY(BigInteger)))
    else:
        values = func.json_each(bindparam("ids", orjson.dumps(ids).decode(), type_=String))
        found = column.in_(select(values.table_valued("value").c.value))
    return found


def refresh(conn: Connection, post_ids: Iterable[int]) -> None:
    """Make the rollups exact again for ``post_ids`` after they changed in any way (call it
    in the transaction of the change, after it)."""
    ids = sorted(set(post_ids))
    if not ids:
        return
    _lock(conn)
    mine = _among(conn, rollup_posts.c.post_id, ids)
    touched = select(rollup_posts.c.brand_id).where(mine).distinct()
    brand_ids = set(conn.execute(touched).scalars())
    for table, keys, sums, query in _sums(conn, mine, -1):
        conn.execute(_upsert(conn, table, keys, sums, query))
    _prune(conn, mine)
    conn.execute(delete(rollup_posts).where(mine))
    conn.execute(insert(rollup_posts).from_select(
        LEDGER, facts(_among(conn, posts.c.id, ids))))
    for table, keys, sums, query in _sums(conn, mine, +1):
        conn.execute(_upsert(conn, table, keys, sums, query))
    brand_ids.update(conn.execute(touched).scalars())
    bump(conn, brand_ids)


def bump(conn: Connection, brand_ids: Iterable[int]) -> None:
    """Draw a new generation for the rollups of ``brand_ids`` (in the transaction that
    changed them): answers cached under the old one are never served again."""
    rows = [{"brand_id": int(brand_id), "generation": secrets.randbits(62)}
            for brand_id in sorted(set(brand_ids))]
    if not rows:
        return
    make = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = make(rollup_generations)
    conn.execute(statement.on_conflict_do_update(
        index_elements=[rollup_generations.c.brand_id],
        set_={"generation": statement.excluded.generation}), rows)


def generations(conn: Connection, brand_ids: Iterable[int]) -> dict[int, int]:
    """The current generation of each of ``brand_ids`` that has one."""
    rows = conn.execute(select(rollup_generations.c.brand_id, rollup_generations.c.generation)
                        .where(rollup_generations.c.brand_id.in_(sorted(set(brand_ids)))))
    return {int(brand_id): int(generation) for brand_id, generation in rows}


def attached(conn: Connection, platforms: Sequence[str], platform_ids: Sequence[str]
             ) -> list[int]:
    """The ids of the posts with these keys that some brand is attached to (the only posts
    whose changes can reach the rollups)."""
    if not platforms:
        return []
    if conn.dialect.name == "postgresql":
        keys = (func.unnest(bindparam("platforms", list(platforms),
                                      type_=postgresql.ARRAY(String)),
                            bindparam("platform_ids", list(platform_ids),
                                      type_=postgresql.ARRAY(String)))
                .table_valued("platform", "platform_id").render_derived())
        platform: ColumnElement[str] = keys.c.platform
        platform_id: ColumnElement[str] = keys.c.platform_id
    else:
        keys = func.json_each(bindparam(
            "keys", orjson.dumps(list(zip(platforms, platform_ids, strict=True))).decode(),
            type_=String)).table_valued("value")
        platform = func.json_extract(keys.c.value, "$[0]")
        platform_id = func.json_extract(keys.c.value, "$[1]")
    query = (select(posts.c.id).distinct()
             .select_from(keys.join(posts, (posts.c.platform == platform)
                                    & (posts.c.platform_id == platform_id))
                          .join(brand_posts, brand_posts.c.post_id == posts.c.id)))
    return [int(post_id) for post_id in conn.execute(query).scalars()]


def refresh_keys(conn: Connection, platforms: Sequence[str], platform_ids: Sequence[str]
                 ) -> None:
    """:func:`refresh` the attached posts among these (platform, platform id) keys."""
    refresh(conn, attached(conn, platforms, platform_ids))


@dataclass
class RebuildSummary:
    """What :func:`rebuild` did; ``as_dict`` is the ``--json`` output."""

    brands: int
    attachments: int
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"brands": self.brands, "attachments": self.attachments,
                "seconds": round(self.seconds, 3)}


def rebuild(conn: Connection, brand_id: int | None = None) -> int:
    """Recompute the rollups of ``brand_id`` (every brand when ``None``) from the base
    tables; returns how many attachments they count."""
    _lock(conn)
    for table in (*AGGREGATES, rollup_posts):
        conn.execute(delete(table) if brand_id is None
                     else delete(table).where(table.c.brand_id == brand_id))
    scope: ColumnElement[bool] = (true() if brand_id is None
                                  else brand_posts.c.brand_id == brand_id)
    conn.execute(insert(rollup_posts).from_select(LEDGER, facts(scope)))
    mine: ColumnElement[bool] = (true() if brand_id is None
                                 else rollup_posts.c.brand_id == brand_id)
    for table, keys, sums, query in _sums(conn, mine, +1):
        conn.execute(insert(table).from_select([*keys, *sums], query))
    known = select(brands.c.id)
    bump(conn, conn.execute(known if brand_id is None
                            else known.where(brands.c.id == brand_id)).scalars())
    return int(conn.execute(select(func.count()).select_from(rollup_posts)
                            .where(mine)).scalar_one())


def mention_count(conn: Connection, brand_id: int) -> int:
    """How many posts are attached to the brand, in one cheap query: those with a creation
    time are the sum of the brand's ``rollup_days`` (a few hundred rows, exact in the
    transaction of every change), those without one (left out of the rollups) are found
    through the index on ``posts.created_at``. Counting ``brand_posts`` itself reads every
    attachment of the brand, on every page that shows the count."""
    dated = (select(func.coalesce(func.sum(rollup_days.c.posts), 0))
             .where(rollup_days.c.brand_id == brand_id).scalar_subquery())
    attached = (select(brand_posts.c.post_id)
                .where(brand_posts.c.brand_id == brand_id, brand_posts.c.post_id == posts.c.id)
                .exists())
    undated = (select(func.count()).select_from(posts)  # from the few undated posts
               .where(posts.c.created_at.is_(None), attached).scalar_subquery())
    return int(conn.execute(select(dated + undated)).scalar_one())


def rebuild_store(engine: Engine, brand_id: int | None = None) -> RebuildSummary:
    """:func:`rebuild` in a transaction of its own, timed. On PostgreSQL the rollup tables
    are then analyzed: their planner statistics would otherwise wait for autovacuum (or
    never come, on a server without it), and without them the author rankings are planned
    for tables of a few rows (a sort instead of a hash: 12 ms instead of 5 ms a block on
    1,000,000 posts, docs/performance.md). SQLite keeps the plans it has."""
    started = time.perf_counter()
    with engine.begin() as conn:
        attachments = rebuild(conn, brand_id)
        count = (1 if brand_id is not None else
                 int(conn.execute(select(func.count()).select_from(brands)).scalar_one()))
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            quote = conn.dialect.identifier_preparer.quote
            for table in (rollup_posts, *AGGREGATES):
                conn.exec_driver_sql(f"ANALYZE {quote(table.name)}")
    return RebuildSummary(brands=count, attachments=attachments,
                          seconds=time.perf_counter() - started)
