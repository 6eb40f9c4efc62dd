"""The cursor of listings that come newest first and page back with an opaque token
(YouTube comment threads, Graph API edges), private to ``confiance.sources.clients``.

An item is new when it was published after the newest time seen, or at that very time under
an id not seen yet (APIs give times to the second). When a whole page is new and another page
follows, more new items may wait behind it: the walk follows the page token on the next polls
until it meets an item already seen, and only then moves the newest time forward, so a walk
cut short (a crash, a restart) resumes where it stopped and never skips the gap. The first
poll takes the latest page only.

Cursor: ``{"newest": time, "seen": [ids at that time]}``, plus ``"page"`` (the next token),
``"pending"`` and ``"pending_ids"`` (the newest time met by the walk) while a walk goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from confiance.sources.clients.base import cursor_list, cursor_text, iso, parse_instant

MAX_IDS = 500


@dataclass
class NewestFirst:
    """The state of a newest-first listing, read leniently from a stored cursor."""

    newest: datetime | None = None
    seen: set[str] = field(default_factory=set)
    page: str | None = None
    top: datetime | None = None
    top_ids: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, cursor: Mapping[str, Any] | None) -> NewestFirst:
        """The state a stored cursor describes; a malformed field counts as absent."""
        newest = parse_instant(cursor_text(cursor, "newest"))
        top = parse_instant(cursor_text(cursor, "pending")) if newest else None
        return cls(newest=newest, seen=set(cursor_list(cursor, "seen")),
                   page=cursor_text(cursor, "page") if newest else None, top=top,
                   top_ids=set(cursor_list(cursor, "pending_ids")) if top else set())

    def take(self, items: list[Any], when: Callable[[Any], datetime | None],
             ident: Callable[[Any], str]) -> list[Any]:
        """The items not returned before, in their order; remembers the newest of them."""
        fresh = [item for item in items if self._is_new(when(item), ident(item))]
        for item in fresh:
            moment = when(item)
            if moment is None:
                continue
            if self.top is None or moment > self.top:
                self.top, self.top_ids = moment, {ident(item)}
            elif moment == self.top:
                self.top_ids.add(ident(item))
        return fresh

    def advance(self, *, whole_page_new: bool,
                next_page: str | None) -> tuple[dict[str, Any], bool]:
        """The next cursor, and whether another page waits (``more``)."""
        if self.newest is not None and whole_page_new and next_page:
            walking: dict[str, Any] = {"newest": iso(self.newest), "seen": _ids(self.seen),
                                       "page": next_page}
            if self.top is not None:
                walking |= {"pending": iso(self.top), "pending_ids": _ids(self.top_ids)}
            return walking, True
        target = max((t for t in (self.newest, self.top) if t is not None), default=None)
        if target is None:
            return {}, False
        ids = (self.seen if target == self.newest else set()) | (
            self.top_ids if target == self.top else set())
        return {"newest": iso(target), "seen": _ids(ids)}, False

    def _is_new(self, moment: datetime | None, ident: str) -> bool:
        if self.newest is None:
            return True
        if moment is None:
            return False  # an item without a time cannot be placed: it was met before
        return moment > self.newest or (moment == self.newest and ident not in self.seen)


def _ids(ids: set[str]) -> list[str]:
    return sorted(ids)[:MAX_IDS]


def changed(new: dict[str, Any], old: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``new`` when it differs from the stored cursor (``Fetched.cursor``), else None."""
    if not new:
        return None
    return new if new != (dict(old) if isinstance(old, Mapping) else None) else None
