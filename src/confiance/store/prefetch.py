"""Run a generator in a background thread, a few items ahead of its consumer."""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def prefetch(source: Iterable[T], *, depth: int = 2) -> Iterator[T]:
    """Yield the items of ``source``, produced by a daemon thread up to ``depth`` ahead.

    An exception raised by ``source`` is re-raised in the consumer at the point where the
    item would have been. If the consumer stops early, the producer stops at its next item.
    """
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                if stop.is_set():
                    return
                slots.put(item)
        except BaseException as exc:  # noqa: BLE001 - handed over to the consumer
            slots.put(_Failure(exc))
            return
        slots.put(_DONE)

    thread = threading.Thread(target=produce, name="confiance-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = slots.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                slots.get(timeout=0.05)


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
