"""An exact, bounded, per-process cache of dashboard blocks.

:mod:`confiance.store.dashboard` computes each block from the rollups; the same block of the
same brand and period is asked for again and again (every viewer of the brand, every reload,
the Overview and the block routes alike). A cached block is keyed on what it was computed
from: its arguments and the **snapshot** of the brand, i.e. the id, name and rollup
generation (``rollup_generations``) of the brand and of each of its competitors. Every change
to a brand's rollups draws it a new generation in the same transaction
(:func:`confiance.store.rollups.bump`), and a request reads the snapshot before anything else,
so a block is served from the cache only while nothing it counts has changed. What the
rollups do not hold (the names, handles and text of the top authors and posts) is never
cached: it is read again on every request.

The cache is least-recently-used and bounded by the approximate size of what it holds (the
JSON length of each block); it is safe to share between the threads of one process. Each
process (each ``uvicorn`` worker) has its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
"""The default budget: 32 MB of blocks (as JSON) per process, a few thousand blocks."""


@dataclass
class CacheStats:
    """What the cache did since it was made."""

    hits: int = 0
    misses: int = 0
    evictions: int = 0
    entries: int = 0
    size: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the hit rate."""
        asked = self.hits + self.misses
        return {"hits": self.hits, "misses": self.misses, "evictions": self.evictions,
                "entries": self.entries, "bytes": self.size,
                "hit_rate": round(self.hits / asked, 3) if asked else None}


class BlockCache:
    """Blocks by key, least recently used first out once ``max_bytes`` is exceeded
    (``max_bytes=0`` caches nothing)."""

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._stats = CacheStats()

    def get(self, key: Hashable, make: Callable[[], T], weigh: Callable[[T], int]) -> T:
        """The block cached under ``key``, else ``make()`` cached with the size ``weigh``
        gives it. Two threads missing the same key both compute it (no lock is held while
        computing); the blocks are immutable, so either one may be kept."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self._stats.hits += 1
                value: T = found[0]
                return value
            self._stats.misses += 1
        value = make()
        if self.max_bytes > 0:
            self._put(key, value, max(1, weigh(value)))
        return value

    def _put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._stats.size -= old[1]
            self._entries[key] = (value, size)
            self._stats.size += size
            while self._stats.size > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._stats.size -= dropped
                self._stats.evictions += 1

    def clear(self) -> None:
        """Forget every block."""
        with self._lock:
            self._entries.clear()
            self._stats.size = 0

    def stats(self) -> CacheStats:
        """A copy of the counters."""
        with self._lock:
            return CacheStats(hits=self._stats.hits, misses=self._stats.misses,
                              evictions=self._stats.evictions, entries=len(self._entries),
                              size=self._stats.size)
