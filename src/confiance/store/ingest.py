"""Idempotent, batched ingest: items in, one transaction per batch, nothing lost.

Posts are keyed on (platform, platform id): re-importing updates metrics and author counts and
never duplicates. Rejected items are quarantined with their reason and position in the same
transaction as the batch they arrived with, so an import killed half-way leaves every committed
batch whole and nothing half-written; running it again completes it.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, insert, select, update

from confiance.core.collector import fewer_gc_pauses
from confiance.core.errors import ConfianceError
from confiance.domain import Rejected, SourceKind
from confiance.sources.base import Item, SourceFormat
from confiance.store import runs
from confiance.store.batches import Batch, from_file, from_items
from confiance.store.bulk import BulkWriter, writer_for
from confiance.store.tables import imports, quarantine

Progress = Callable[[int, int], None]
"""Called after every committed batch with (items processed, bytes of the file read so far;
0 when the items do not come from a file)."""


@dataclass
class ImportSummary:
    """What an import did; ``as_dict`` is the ``--json`` output."""

    import_id: int
    source: str
    format: str
    imported: int = 0
    updated: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    by_platform: Counter[str] = field(default_factory=Counter)

    @property
    def posts(self) -> int:
        """Posts written (new and updated)."""
        return self.imported + self.updated

    def as_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready object."""
        return {
            "import_id": self.import_id, "source": self.source, "format": self.format,
            "imported": self.imported, "updated": self.updated,
            "quarantined": self.quarantined, "seconds": round(self.seconds, 3),
            "posts_per_second": round(self.posts / self.seconds) if self.seconds else None,
            "by_platform": dict(sorted(self.by_platform.items())),
        }


def import_file(engine: Engine, path: Path, fmt: SourceFormat, *, brand_id: int | None = None,
                batch_size: int = 5000, progress: Progress | None = None) -> ImportSummary:
    """Import ``path`` in format ``fmt``; see :func:`ingest`. The file is parsed by a reader
    process while the previous batch is written."""
    try:
        with path.open("rb"):
            pass
    except OSError:
        raise ConfianceError("E206", path=str(path)) from None
    return _run(engine, source=str(path.resolve()), format=fmt.name, kind=SourceKind.FILE,
                brand_id=brand_id, progress=progress,
                batches=lambda writer, source_id: from_file(
                    path, fmt, writer, source_id=source_id, batch_size=batch_size))


def ingest(engine: Engine, items: Iterable[Item], *, source: str, format: str,
           kind: SourceKind = SourceKind.FILE, brand_id: int | None = None,
           batch_size: int = 5000, progress: Progress | None = None) -> ImportSummary:
    """Write ``items`` in batches of ``batch_size``; returns what was imported."""
    return _run(engine, source=source, format=format, kind=kind, brand_id=brand_id,
                progress=progress,
                batches=lambda writer, source_id: from_items(
                    items, writer, source_id=source_id, batch_size=batch_size))


def _run(engine: Engine, *, source: str, format: str, kind: SourceKind, brand_id: int | None,
         progress: Progress | None,
         batches: Callable[[BulkWriter, int], Iterable[Batch]]) -> ImportSummary:
    started = time.perf_counter()
    source_id, import_id = runs.start(engine, kind=kind, name=source, format=format,
                                      brand_id=brand_id)
    summary = ImportSummary(import_id=import_id, source=source, format=format)
    writer = writer_for(engine)
    done = 0
    try:
        with fewer_gc_pauses():
            for batch in batches(writer, source_id):
                _write(engine, writer, batch, summary, source_id, import_id, brand_id)
                done += batch.seen
                if progress:
                    progress(done, batch.position)
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        runs.finish(engine, import_id, status=status, error=f"{type(exc).__name__}: {exc}")
        raise
    summary.seconds = time.perf_counter() - started
    runs.finish(engine, import_id, status="completed")
    return summary


def _write(engine: Engine, writer: BulkWriter, batch: Batch, summary: ImportSummary,
           source_id: int, import_id: int, brand_id: int | None) -> None:
    """Write one batch in one transaction and add its counts to ``summary``."""
    with engine.begin() as conn:
        runs.heartbeat(conn, import_id)  # takes the write lock first on SQLite
        inserted, updated = (writer.write(conn, batch.packed, brand_id)
                             if batch.size else (0, 0))
        quarantine_rejected(conn, batch.rejected, source_id, import_id)
        conn.execute(update(imports).where(imports.c.id == import_id).values(
            imported=imports.c.imported + inserted, updated=imports.c.updated + updated,
            quarantined=imports.c.quarantined + len(batch.rejected)))
    summary.imported += inserted
    summary.updated += updated
    summary.quarantined += len(batch.rejected)
    summary.by_platform.update(batch.by_platform)


def quarantine_rejected(conn: Connection, rejected: list[Rejected], source_id: int,
                        import_id: int | None) -> None:
    """Store rejections; the same rejection from a re-import replaces the earlier one."""
    if not rejected:
        return
    existing = set(conn.execute(select(quarantine.c.fingerprint).where(
        quarantine.c.source_id == source_id,
        quarantine.c.fingerprint.in_([_fingerprint(r) for r in rejected]))).scalars())
    fresh = {}
    for item in rejected:
        key = _fingerprint(item)
        if key in existing or key in fresh:
            continue
        fresh[key] = {
            "import_id": import_id, "source_id": source_id, "fingerprint": key,
            "position": item.position, "code": item.code, "reason": item.reason,
            "raw": None if item.raw is None else orjson.dumps(item.raw).decode(),
            "created_at": runs.utcnow(),
        }
    if existing:
        conn.execute(update(quarantine).where(
            quarantine.c.source_id == source_id, quarantine.c.fingerprint.in_(existing)
        ).values(import_id=import_id))
    if fresh:
        conn.execute(insert(quarantine), list(fresh.values()))


def _fingerprint(item: Rejected) -> str:
    digest = hashlib.sha256(orjson.dumps([item.position, item.code, item.reason, item.raw],
                                         option=orjson.OPT_SORT_KEYS, default=repr))
    return digest.hexdigest()
