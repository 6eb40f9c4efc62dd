"""The cyclic garbage collector's settings, for the work that needs others than the defaults.

Python's collector walks the young objects every 700 allocations and every live container
object every 70,000 or so. A process that keeps large structures alive, or builds many
short-lived records, pays for it: :func:`freeze_startup_heap` takes what a server built
at startup out of its sight, :func:`fewer_gc_pauses` makes it run less often during an
import or a replay.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def freeze_startup_heap() -> None:
    """Move everything built at startup (modules, the app, its routes and models) out of the
    garbage collector's sight: it lives as long as the process, and each full collection
    otherwise walks it again, a pause of 100 ms or more that every request in flight waits
    out (``gc.freeze``; measured in benchmarks/dashboard.py)."""
    gc.collect()
    gc.freeze()


@contextmanager
def fewer_gc_pauses() -> Iterator[None]:
    """Collect less often during an import (batches of short-lived records) or a replay (the
    detectors' windows of many live objects).

    Import records hold no reference cycles; the default thresholds made the cyclic collector
    walk every live object several times per batch, a quarter of import time, and an eighth
    of a replay. Objects alive before
    the import are frozen out of collections; everything is restored afterwards, except that
    a heap the process had frozen itself (``confiance serve`` freezes its startup heap) stays
    frozen: ``gc.unfreeze`` cannot tell its objects from ours. The collector's settings are
    the process's: when several threads (listeners) are inside at once, the first one in
    changes them and the last one out restores them.
    """
    global _inside, _restore
    with _gc_lock:
        if _inside == 0:
            _restore = (gc.get_threshold(), gc.get_freeze_count() > 0)
            gc.freeze()
            gc.set_threshold(100_000, 50, 1000)
        _inside += 1
    try:
        yield
    finally:
        with _gc_lock:
            _inside -= 1
            if _inside == 0 and _restore is not None:
                thresholds, frozen_before = _restore
                gc.set_threshold(*thresholds)
                if not frozen_before:
                    gc.unfreeze()
                _restore = None


_gc_lock = threading.Lock()
_inside = 0
"""Threads inside :func:`fewer_gc_pauses` now."""
_restore: tuple[tuple[int, ...], bool] | None = None
"""The collector's thresholds, and whether a heap was frozen, before the first one went in."""
