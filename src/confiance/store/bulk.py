"""Dialect-specific bulk upserts: executemany on SQLite, COPY into a staging table on PostgreSQL.

Each writer runs inside the caller's transaction and returns how many posts were new and how
many already existed; it refreshes the dashboard rollups of the posts it changed that a brand
is attached to (an import of new posts without ``--brand`` has none). SQL is built from the
column constants of :mod:`confiance.store.rows` only; every value travels as a bound parameter
or through COPY.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson
from sqlalchemy import Connection, Engine

from confiance.store import rollups
from confiance.store.rows import (
    AUTHOR_COLUMNS,
    AUTHOR_UPDATABLE,
    POST_COLUMNS,
    POST_REPLACED,
    POST_UPDATABLE,
    TimeFn,
    iso_time,
    sqlite_time,
)

Row = tuple[Any, ...]


class BulkWriter(Protocol):
    """Packs rows for its database (in the reader), then writes packed batches.

    ``pack`` runs where the file is parsed (a reader process), ``write`` in the importing
    process inside its transaction, returning (inserted, updated) post counts.
    """

    time: TimeFn

    def now(self) -> Any: ...

    def pack(self, authors: list[Row], posts: list[Row]) -> Any: ...

    def write(self, conn: Connection, packed: Any, brand_id: int | None) -> tuple[int, int]: ...


def _set_clause(table: str, updatable: Sequence[str], replaced: Sequence[str]) -> str:
    keep = [f"{c} = COALESCE(excluded.{c}, {table}.{c})" for c in updatable]
    return ", ".join(keep + [f"{c} = excluded.{c}" for c in replaced])


def _upsert(table: str, columns: Sequence[str], placeholders: str, set_clause: str) -> str:
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) {placeholders} "
        f"ON CONFLICT (platform, platform_id) DO UPDATE SET {set_clause}"
    )


AUTHOR_SET = _set_clause("authors", AUTHOR_UPDATABLE, ("updated_at",))
POST_SET = _set_clause("posts", POST_UPDATABLE, POST_REPLACED)


def _qmarks(columns: Sequence[str]) -> str:
    return "VALUES (" + ", ".join("?" * len(columns)) + ")"


SQLITE_AUTHOR_UPSERT = _upsert("authors", AUTHOR_COLUMNS, _qmarks(AUTHOR_COLUMNS), AUTHOR_SET)
SQLITE_POST_UPSERT = _upsert("posts", POST_COLUMNS, _qmarks(POST_COLUMNS), POST_SET)


class SqliteWriter:
    """``executemany`` of an UPSERT; new rows counted by rowid above the previous maximum."""

    time: TimeFn = staticmethod(sqlite_time)

    def now(self) -> Any:
        return sqlite_time(datetime.now(UTC))

    def pack(self, authors: list[Row], posts: list[Row]) -> tuple[list[Row], list[Row]]:
        return authors, posts

    def write(self, conn: Connection, packed: tuple[list[Row], list[Row]],
              brand_id: int | None) -> tuple[int, int]:
        authors, posts = packed
        if authors:
            conn.exec_driver_sql(SQLITE_AUTHOR_UPSERT, authors)
        before = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM posts").scalar_one()
        conn.exec_driver_sql(SQLITE_POST_UPSERT, posts)
        inserted = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM posts WHERE id > ?", (before,)).scalar_one()
        if brand_id is not None:
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO brand_posts (brand_id, post_id, via) "
                "SELECT ?, id, 'import' FROM posts WHERE platform = ? AND platform_id = ?",
                [(brand_id, row[0], row[1]) for row in posts],
            )
        if brand_id is not None or inserted < len(posts):  # new posts have no brand yet
            rollups.refresh_keys(conn, [row[0] for row in posts], [row[1] for row in posts])
        return int(inserted), len(posts) - int(inserted)


POST_JSON = tuple(POST_COLUMNS.index(c) for c in ("media", "hashtags", "mentions", "raw"))
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                               "\x00": None})


@dataclass
class CopyBatch:
    """A batch encoded for PostgreSQL's COPY text format, and the keys of its posts."""

    authors: bytes
    posts: bytes
    keys: tuple[list[str], list[str]]


def copy_text(rows: Sequence[Row], json_columns: Sequence[int]) -> bytes:
    """Rows in COPY text format (times already ISO 8601 text). PostgreSQL stores no NUL
    character: text loses them, and JSON values holding one are re-encoded without them
    (JSONB refuses ``\\u0000``). Inlined: this runs for every value of every imported row."""
    escapes = _COPY_ESCAPES
    lines = []
    for row in rows:
        for index in json_columns:
            value = row[index]
            if value is not None and "\\u0000" in value:
                row = (*row[:index], orjson.dumps(_without_nul(orjson.loads(value))).decode(),
                       *row[index + 1:])
        lines.append("\t".join([
            "\\N" if v is None
            else (v.translate(escapes) if ("\\" in v or "\n" in v or "\t" in v or "\r" in v
                                           or "\x00" in v) else v) if v.__class__ is str
            else ("t" if v else "f") if v.__class__ is bool
            else str(v)
            for v in row]))
    lines.append("")
    return "\n".join(lines).encode()


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


class PostgresWriter:
    """COPY straight into ``posts`` when a batch is all new; otherwise COPY into a staging table
    and one INSERT ... ON CONFLICT. Authors always go through staging (they recur)."""

    time: TimeFn = staticmethod(iso_time)

    def now(self) -> Any:
        return iso_time(datetime.now(UTC))

    def pack(self, authors: list[Row], posts: list[Row]) -> CopyBatch:
        return CopyBatch(authors=copy_text(authors, ()), posts=copy_text(posts, POST_JSON),
                         keys=([row[0] for row in posts], [row[1] for row in posts]))

    def write(self, conn: Connection, packed: CopyBatch, brand_id: int | None
              ) -> tuple[int, int]:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._stage(cursor, "authors", AUTHOR_COLUMNS, packed.authors)
        author_cols = ", ".join(AUTHOR_COLUMNS)
        cursor.execute(_upsert("authors", AUTHOR_COLUMNS,
                               f"SELECT {author_cols} FROM stage_authors", AUTHOR_SET))
        inserted = self._insert_new(cursor, packed)
        if inserted is None:
            inserted = self._upsert_posts(cursor, packed)
        if brand_id is not None:
            cursor.execute(
                "INSERT INTO brand_posts (brand_id, post_id, via) SELECT %s, p.id, 'import' "
                "FROM posts p JOIN unnest(%s::text[], %s::text[]) AS k(platform, platform_id) "
                "USING (platform, platform_id) ON CONFLICT DO NOTHING", (brand_id, *packed.keys))
        if brand_id is not None or inserted < len(packed.keys[0]):  # new posts have no brand
            rollups.refresh_keys(conn, *packed.keys)
        return inserted, len(packed.keys[0]) - inserted

    @staticmethod
    def _insert_new(cursor: Any, packed: CopyBatch) -> int | None:
        """COPY the batch into ``posts`` if none of its keys exists; None if some do.

        A post inserted by a concurrent import between the check and the COPY makes the COPY
        fail on the unique key; the savepoint undoes it and the caller upserts instead.
        """
        from psycopg.errors import UniqueViolation  # only PostgreSQL installs need psycopg

        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM posts p JOIN unnest(%s::text[], %s::text[]) "
            "AS k(platform, platform_id) USING (platform, platform_id))", packed.keys)
        if cursor.fetchone()[0]:
            return None
        cursor.execute("SAVEPOINT direct_copy")
        try:
            with cursor.copy(f"COPY posts ({', '.join(POST_COLUMNS)}) FROM STDIN") as copy:
                copy.write(packed.posts)
        except UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT direct_copy")
            return None
        cursor.execute("RELEASE SAVEPOINT direct_copy")
        return len(packed.keys[0])

    def _upsert_posts(self, cursor: Any, packed: CopyBatch) -> int:
        self._stage(cursor, "posts", POST_COLUMNS, packed.posts)
        post_cols = ", ".join(POST_COLUMNS)
        cursor.execute(
            "WITH up AS ("
            + _upsert("posts", POST_COLUMNS, f"SELECT {post_cols} FROM stage_posts", POST_SET)
            + " RETURNING (xmax = 0) AS inserted) SELECT COUNT(*) FILTER (WHERE inserted) FROM up"
        )
        return int(cursor.fetchone()[0])

    @staticmethod
    def _stage(cursor: Any, table: str, columns: Sequence[str], data: bytes) -> None:
        cols = ", ".join(columns)
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS stage_{table} ON COMMIT DELETE ROWS "
            f"AS SELECT {cols} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY stage_{table} ({cols}) FROM STDIN") as copy:
            copy.write(data)


def writer_for(engine: Engine) -> BulkWriter:
    """The bulk writer for the engine's dialect."""
    if engine.dialect.name == "postgresql":
        return PostgresWriter()
    return SqliteWriter()
