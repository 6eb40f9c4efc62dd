"""Reading the quarantine: rejected items with their source, position and reason."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from confiance.store.tables import quarantine, sources


def list_quarantined(engine: Engine, *, limit: int = 50, source: str | None = None,
                     with_raw: bool = False) -> list[dict[str, Any]]:
    """The newest quarantined items first, optionally for one source file."""
    columns = [quarantine.c.id, sources.c.name.label("source"), sources.c.format,
               quarantine.c.position, quarantine.c.code, quarantine.c.reason,
               quarantine.c.import_id]
    if with_raw:
        columns.append(quarantine.c.raw)
    query = (select(*columns).join(sources, sources.c.id == quarantine.c.source_id)
             .order_by(quarantine.c.id.desc()).limit(limit))
    if source is not None:
        query = query.where(sources.c.name.contains(source, autoescape=True))
    with engine.connect() as conn:
        return [row._asdict() for row in conn.execute(query)]
