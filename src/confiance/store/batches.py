"""Turning items into batches of rows, in a thread or in a reader process.

Parsing and row building are CPU work that holds the GIL; the database write is the other half
of an import. ``from_file`` runs the first half in a child process (``fork``), so on a machine
with two cores the file is parsed while the previous batch is written. Where ``fork`` is not
available, or for an in-memory stream of items, a background thread reads ahead instead.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confiance.core.collector import fewer_gc_pauses
from confiance.domain import Author, Post, Rejected
from confiance.sources.base import Item, SourceFormat
from confiance.store.bulk import BulkWriter
from confiance.store.prefetch import prefetch
from confiance.store.rows import author_row, post_row

Row = tuple[Any, ...]


@dataclass
class Batch:
    """One batch, ready to write: rows of distinct posts and authors, and rejections."""

    seen: int
    """Items read for this batch (posts, duplicates and rejections)."""
    size: int
    """Distinct posts in the batch."""
    packed: Any
    """Author and post rows, packed by the writer for its database."""
    by_platform: Counter[str]
    rejected: list[Rejected]
    position: int = 0
    """Bytes of the file read when the batch was complete (for progress)."""


def prepare(items: Iterable[Item], writer: BulkWriter, *, source_id: int,
            batch_size: int) -> Iterator[Batch]:
    """Group items into batches of rows; posts de-duplicated by key, the last version winning."""
    posts: dict[tuple[str, str], Post] = {}
    rejected: list[Rejected] = []
    seen = 0
    for item in items:
        seen += 1
        if isinstance(item, Post):
            posts[(item.platform._value_, item.platform_id)] = item
        else:
            rejected.append(item)
        if len(posts) + len(rejected) >= batch_size:
            yield Batch(seen, *_rows(writer, posts, source_id), rejected)
            posts, rejected, seen = {}, [], 0
    if posts or rejected or seen:
        yield Batch(seen, *_rows(writer, posts, source_id), rejected)


def _rows(writer: BulkWriter, posts: dict[tuple[str, str], Post], source_id: int
          ) -> tuple[int, Any, Counter[str]]:
    now = writer.now()
    authors: dict[tuple[str, str], Author] = {}
    rows = []
    by_platform: Counter[str] = Counter()
    for post in posts.values():
        if post.author is not None:
            authors[(post.author.platform._value_, post.author.platform_id)] = post.author
        rows.append(post_row(post, source_id=source_id, now=now, time=writer.time))
        by_platform[post.platform._value_] += 1
    packed = writer.pack([author_row(a, now=now) for a in authors.values()], rows)
    return len(rows), packed, by_platform


def from_items(items: Iterable[Item], writer: BulkWriter, *, source_id: int,
               batch_size: int) -> Iterator[Batch]:
    """Batches of ``items``, prepared by a background thread one batch ahead."""
    return prefetch(prepare(items, writer, source_id=source_id, batch_size=batch_size))


def from_file(path: Path, fmt: SourceFormat, writer: BulkWriter, *, source_id: int,
              batch_size: int) -> Iterator[Batch]:
    """Batches of the file, parsed by a child process when ``fork`` exists, else a thread."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return _in_thread(path, fmt, writer, source_id=source_id, batch_size=batch_size)
    return _in_child(path, fmt, writer, source_id=source_id, batch_size=batch_size)


def _read(path: Path, fmt: SourceFormat, writer: BulkWriter, *, source_id: int,
          batch_size: int) -> Iterator[Batch]:
    with path.open("rb") as handle:
        for batch in prepare(fmt.read(handle), writer, source_id=source_id,
                             batch_size=batch_size):
            batch.position = handle.tell()
            yield batch


def _in_thread(path: Path, fmt: SourceFormat, writer: BulkWriter, *, source_id: int,
               batch_size: int) -> Iterator[Batch]:
    return prefetch(_read(path, fmt, writer, source_id=source_id, batch_size=batch_size))


_END = "end"


class ReaderError(RuntimeError):
    """The reader process stopped without finishing the file."""


def _child(out: Any, path: Path, fmt: SourceFormat, writer: BulkWriter, source_id: int,
           batch_size: int) -> None:
    parent = os.getppid()

    def send(message: object) -> None:
        # An importer killed outright (kill -9) cannot stop its reader: the reader notices
        # it has been orphaned and exits, releasing the database connection it inherited.
        while True:
            try:
                out.put(message, timeout=0.5)
                return
            except queue.Full:
                if os.getppid() != parent:
                    os._exit(1)

    try:
        with fewer_gc_pauses():
            for batch in _read(path, fmt, writer, source_id=source_id, batch_size=batch_size):
                send(batch)
        send(_END)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which re-raises
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot cross processes
            exc = ReaderError(f"{type(exc).__name__}: {exc}")
        send(exc)
    out.close()
    out.join_thread()


def _in_child(path: Path, fmt: SourceFormat, writer: BulkWriter, *, source_id: int,
              batch_size: int) -> Iterator[Batch]:
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=3)
    reader = context.Process(target=_child, name="confiance-reader", daemon=True,
                             args=(channel, path, fmt, writer, source_id, batch_size))
    reader.start()
    try:
        while True:
            try:
                message = channel.get(timeout=1.0)
            except queue.Empty:
                if not reader.is_alive():
                    raise ReaderError(
                        f"the reader process of {path} stopped (exit code {reader.exitcode})"
                    ) from None
                continue
            if isinstance(message, Batch):
                yield message
            elif isinstance(message, BaseException):
                raise message
            else:
                return
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()
        channel.close()
