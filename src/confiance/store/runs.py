"""Sources and import runs: who imported what, when, and how it ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from confiance.domain import SourceKind
from confiance.domain.records import aware_utc
from confiance.store.tables import imports, sources

STALE_AFTER = timedelta(minutes=10)
"""A run whose last batch is older than this, still marked running, was interrupted."""


def utcnow() -> datetime:
    """The current time, aware and in UTC."""
    return datetime.now(UTC)


def source_id(conn: Connection, *, kind: SourceKind, name: str, format: str,
              config: dict[str, Any] | None = None) -> int:
    """The id of the source (kind, name, format), created on first use."""
    query = select(sources.c.id).where(sources.c.kind == kind.value, sources.c.name == name,
                                       sources.c.format == format)
    found = conn.execute(query).scalar_one_or_none()
    if found is not None:
        return int(found)
    result = conn.execute(insert(sources).values(
        kind=kind.value, name=name, format=format, config=config or {}, created_at=utcnow()))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def start(engine: Engine, *, kind: SourceKind, name: str, format: str,
          brand_id: int | None) -> tuple[int, int]:
    """Record a new run; earlier runs of the same source left running are marked interrupted."""
    now = utcnow()
    with engine.begin() as conn:
        sid = source_id(conn, kind=kind, name=name, format=format)
        conn.execute(update(imports).where(
            imports.c.source_id == sid, imports.c.status == "running"
        ).values(status="interrupted", finished_at=now))
        result = conn.execute(insert(imports).values(
            source_id=sid, brand_id=brand_id, status="running", started_at=now,
            heartbeat_at=now, imported=0, updated=0, quarantined=0))
        return sid, int(result.inserted_primary_key[0])  # type: ignore[index]


def heartbeat(conn: Connection, import_id: int) -> None:
    """Mark the run alive; as the batch's first write it also takes SQLite's write lock."""
    conn.execute(update(imports).where(imports.c.id == import_id).values(heartbeat_at=utcnow()))


def finish(engine: Engine, import_id: int, *, status: str, error: str | None = None) -> None:
    """Close a run as completed, failed or interrupted."""
    with engine.begin() as conn:
        conn.execute(update(imports).where(imports.c.id == import_id).values(
            status=status, finished_at=utcnow(), error=error))


def recent(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """The latest runs, newest first, with their source; stale running runs show interrupted."""
    query = (select(imports, sources.c.name.label("source"), sources.c.format)
             .join(sources, sources.c.id == imports.c.source_id)
             .order_by(imports.c.id.desc()).limit(limit))
    with engine.connect() as conn:
        rows = [r._asdict() for r in conn.execute(query)]
    cutoff = utcnow() - STALE_AFTER
    for row in rows:
        beat = row["heartbeat_at"]
        if row["status"] == "running" and beat is not None and aware_utc(beat) < cutoff:
            row["status"] = "interrupted"
    return rows
