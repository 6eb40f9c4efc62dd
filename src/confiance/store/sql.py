"""SQL statement helpers shared by the stores."""

from __future__ import annotations

from sqlalchemy import Connection, Insert, Table, insert
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_conflicts(conn: Connection, table: Table) -> Insert:
    """``INSERT INTO table ... ON CONFLICT DO NOTHING`` in the connection's dialect (a row
    whose key is already there is skipped, not an error)."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if conn.dialect.name == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    return insert(table)  # no other backend is supported (E104)
