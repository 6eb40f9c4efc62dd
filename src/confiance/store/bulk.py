"""Dialect-specific bulk upserts: executemany on SQLite, COPY into a staging table on PostgreSQL.

Each writer runs inside the caller's transaction and returns how many posts were new and how
many already existed. SQL is built from the column constants of :mod:`confiance.store.rows`
only; every value travels as a bound parameter or through COPY.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from confiance.store.rows import (
    AUTHOR_COLUMNS,
    AUTHOR_UPDATABLE,
    POST_COLUMNS,
    POST_REPLACED,
    POST_UPDATABLE,
    TimeFn,
    same_time,
    sqlite_time,
)

Row = tuple[Any, ...]


class BulkWriter(Protocol):
    """Writes one batch of author and post rows; returns (inserted, updated) post counts."""

    time: TimeFn

    def now(self) -> Any: ...

    def write(self, conn: Connection, authors: Sequence[Row], posts: Sequence[Row],
              brand_id: int | None) -> tuple[int, int]: ...


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


class SqliteWriter:
    """``executemany`` of an UPSERT; new rows counted by rowid above the previous maximum."""

    time: TimeFn = staticmethod(sqlite_time)

    def now(self) -> Any:
        return sqlite_time(datetime.now(UTC))

    def write(self, conn: Connection, authors: Sequence[Row], posts: Sequence[Row],
              brand_id: int | None) -> tuple[int, int]:
        marks = "VALUES (" + ", ".join("?" * len(AUTHOR_COLUMNS)) + ")"
        if authors:
            conn.exec_driver_sql(_upsert("authors", AUTHOR_COLUMNS, marks, AUTHOR_SET), authors)
        before = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM posts").scalar_one()
        marks = "VALUES (" + ", ".join("?" * len(POST_COLUMNS)) + ")"
        conn.exec_driver_sql(_upsert("posts", POST_COLUMNS, marks, POST_SET), posts)
        inserted = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM posts WHERE id > ?", (before,)).scalar_one()
        if brand_id is not None:
            conn.exec_driver_sql(
                "INSERT OR IGNORE INTO brand_posts (brand_id, post_id, via) "
                "SELECT ?, id, 'import' FROM posts WHERE platform = ? AND platform_id = ?",
                [(brand_id, row[0], row[1]) for row in posts],
            )
        return int(inserted), len(posts) - int(inserted)


class PostgresWriter:
    """COPY into session-local staging tables, then one INSERT ... ON CONFLICT per table."""

    time: TimeFn = staticmethod(same_time)

    def now(self) -> Any:
        return datetime.now(UTC)

    def write(self, conn: Connection, authors: Sequence[Row], posts: Sequence[Row],
              brand_id: int | None) -> tuple[int, int]:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self._stage(cursor, "authors", AUTHOR_COLUMNS, authors)
        self._stage(cursor, "posts", POST_COLUMNS, posts)
        author_cols = ", ".join(AUTHOR_COLUMNS)
        cursor.execute(_upsert("authors", AUTHOR_COLUMNS,
                               f"SELECT {author_cols} FROM stage_authors", AUTHOR_SET))
        post_cols = ", ".join(POST_COLUMNS)
        cursor.execute(
            "WITH up AS ("
            + _upsert("posts", POST_COLUMNS, f"SELECT {post_cols} FROM stage_posts", POST_SET)
            + " RETURNING (xmax = 0) AS inserted) SELECT COUNT(*) FILTER (WHERE inserted) FROM up"
        )
        inserted = int(cursor.fetchone()[0])
        if brand_id is not None:
            cursor.execute(
                "INSERT INTO brand_posts (brand_id, post_id, via) SELECT %s, p.id, 'import' "
                "FROM posts p JOIN stage_posts s USING (platform, platform_id) "
                "ON CONFLICT DO NOTHING", (brand_id,))
        return inserted, len(posts) - inserted

    @staticmethod
    def _stage(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Row]) -> None:
        cols = ", ".join(columns)
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS stage_{table} ON COMMIT DELETE ROWS "
            f"AS SELECT {cols} FROM {table} WITH NO DATA"
        )
        with cursor.copy(f"COPY stage_{table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def writer_for(engine: Engine) -> BulkWriter:
    """The bulk writer for the engine's dialect."""
    if engine.dialect.name == "postgresql":
        return PostgresWriter()
    return SqliteWriter()
