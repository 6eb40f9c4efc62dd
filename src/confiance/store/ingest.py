"""Idempotent, batched ingest: items in, one transaction per batch, nothing lost.

Posts are keyed on (platform, platform id): re-importing updates metrics and author counts and
never duplicates. Rejected items are quarantined with their reason and position in the same
transaction as the batch they arrived with, so an import killed half-way leaves every committed
batch whole and nothing half-written; running it again completes it.
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, insert, select, update

from confiance.core.errors import ConfianceError
from confiance.domain import Author, Post, Rejected, SourceKind
from confiance.sources.base import Item, SourceFormat
from confiance.store import runs
from confiance.store.bulk import BulkWriter, writer_for
from confiance.store.rows import author_row, post_row
from confiance.store.tables import imports, quarantine

Progress = Callable[[int, int], None]
"""Called after every committed batch with (items processed, bytes read so far)."""


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
    """Import ``path`` in format ``fmt``; see :func:`ingest`."""
    try:
        handle = path.open("rb")
    except OSError:
        raise ConfianceError("E206", path=str(path)) from None
    with handle:
        def report(done: int) -> None:
            if progress is not None:
                progress(done, handle.tell())

        return ingest(engine, fmt.read(handle), source=str(path.resolve()), format=fmt.name,
                      brand_id=brand_id, batch_size=batch_size, progress=report)


def ingest(engine: Engine, items: Iterable[Item], *, source: str, format: str,
           kind: SourceKind = SourceKind.FILE, brand_id: int | None = None,
           batch_size: int = 5000, progress: Callable[[int], None] | None = None
           ) -> ImportSummary:
    """Write ``items`` in batches of ``batch_size``; returns what was imported."""
    started = time.perf_counter()
    source_id, import_id = runs.start(engine, kind=kind, name=source, format=format,
                                      brand_id=brand_id)
    summary = ImportSummary(import_id=import_id, source=source, format=format)
    batch = _Batch(writer_for(engine), source_id, import_id, brand_id)
    done = 0
    try:
        with _fewer_gc_pauses():
            for item in items:
                batch.add(item)
                done += 1
                if len(batch) >= batch_size:
                    batch.flush(engine, summary)
                    if progress:
                        progress(done)
            batch.flush(engine, summary)
        if progress:
            progress(done)
    except BaseException as exc:
        status = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
        runs.finish(engine, import_id, status=status, error=f"{type(exc).__name__}: {exc}")
        raise
    summary.seconds = time.perf_counter() - started
    runs.finish(engine, import_id, status="completed")
    return summary


@contextmanager
def _fewer_gc_pauses() -> Iterator[None]:
    """Collect less often while batches of short-lived records are built.

    Records hold no reference cycles; the default thresholds made the cyclic collector walk
    every live object several times per batch, a quarter of import time. Objects alive before
    the import are frozen out of collections; everything is restored afterwards.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


class _Batch:
    """Posts deduplicated by key (the last version wins), authors, and rejections."""

    def __init__(self, writer: BulkWriter, source_id: int, import_id: int,
                 brand_id: int | None) -> None:
        self.writer, self.source_id, self.import_id = writer, source_id, import_id
        self.brand_id = brand_id
        self.posts: dict[tuple[str, str], Post] = {}
        self.rejected: list[Rejected] = []

    def __len__(self) -> int:
        return len(self.posts) + len(self.rejected)

    def add(self, item: Item) -> None:
        if isinstance(item, Post):
            self.posts[(item.platform._value_, item.platform_id)] = item
        else:
            self.rejected.append(item)

    def flush(self, engine: Engine, summary: ImportSummary) -> None:
        if not self.posts and not self.rejected:
            return
        now = self.writer.now()
        authors: dict[tuple[str, str], Author] = {}
        rows = []
        for post in self.posts.values():
            if post.author is not None:
                authors[(post.author.platform._value_, post.author.platform_id)] = post.author
            rows.append(post_row(post, source_id=self.source_id, now=now,
                                 time=self.writer.time))
            summary.by_platform[post.platform._value_] += 1
        author_rows = [author_row(a, now=now) for a in authors.values()]
        with engine.begin() as conn:
            runs.heartbeat(conn, self.import_id)  # takes the write lock first on SQLite
            inserted, updated = (self.writer.write(conn, author_rows, rows, self.brand_id)
                                 if rows else (0, 0))
            _quarantine(conn, self.rejected, self.source_id, self.import_id)
            conn.execute(update(imports).where(imports.c.id == self.import_id).values(
                imported=imports.c.imported + inserted, updated=imports.c.updated + updated,
                quarantined=imports.c.quarantined + len(self.rejected)))
        summary.imported += inserted
        summary.updated += updated
        summary.quarantined += len(self.rejected)
        self.posts.clear()
        self.rejected.clear()


def _quarantine(conn: Connection, rejected: list[Rejected], source_id: int,
                import_id: int) -> None:
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
