"""RSS 2.0 and Atom feeds, polled with conditional GET.

Configuration: ``url`` (required), the feed's ``http://`` or ``https://`` address. No token.

Each poll sends ``If-None-Match`` (the ``ETag`` the feed gave last time) and
``If-Modified-Since`` (its ``Last-Modified``): an unchanged feed answers ``304 Not Modified``
and nothing is returned. A feed that ignores both is recognised by the SHA-256 of its body,
kept in the cursor, so an unchanged document is not handed over twice either. A changed
document is returned whole, as the bytes the ``rss`` and ``atom`` parsers read; items already
stored are recognised by their ``guid`` / ``id`` and stored once. Redirects are followed
(a moved feed keeps working). The cursor is ``{"etag", "last_modified", "sha256"}``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import httpx

from confiance.sources import _feeds as xml
from confiance.sources.base import head_text
from confiance.sources.clients._config import invalid, known_keys, settings_of, web_address
from confiance.sources.clients.base import (
    BadConfig,
    Fetched,
    Reply,
    Unavailable,
    cursor_text,
    refuse,
    send,
    utcnow,
)

_KINDS = {
    "rss": ("rss", "RSS", "application/rss+xml"),
    "atom": ("feed", "Atom", "application/atom+xml"),
}


class FeedClient:
    """One client per feed format: ``FeedClient("rss")`` and ``FeedClient("atom")``."""

    needs_secret = False
    default_interval_s = 900.0

    def __init__(self, format: str) -> None:
        if format not in _KINDS:
            raise ValueError(f"a feed client reads rss or atom, not {format!r}")
        self.format = format
        self._root, self._label, self._mime = _KINDS[format]
        self.clock = utcnow

    def __repr__(self) -> str:
        return f"FeedClient({self.format!r})"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"url": ...}``, the feed address."""
        known_keys(self.format, config, ("url",))
        url = web_address(self.format, config, "url", origin_only=False)
        if url is None:
            raise invalid(self.format, "'url' is required: the address of the feed")
        return {"url": url}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """Conditional GET of the feed: the new document, or nothing when unchanged."""
        platform = self._platform(config)
        url = settings_of(self.check, config)["url"]
        headers = {"Accept": f"{self._mime}, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"}
        etag = _validator(cursor_text(cursor, "etag"))
        modified = _validator(cursor_text(cursor, "last_modified"))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        reply = send(http, url, platform=platform, headers=headers, follow_redirects=True)
        if reply.status == 304:
            return Fetched(payloads=[], cursor=None)
        if reply.status != 200:
            raise refuse(reply, platform, self.clock())
        self._expect_feed(reply, platform)
        digest = hashlib.sha256(reply.body).hexdigest()
        validators = {"etag": reply.headers.get("etag"),
                      "last_modified": reply.headers.get("last-modified")}
        new_cursor = {k: v for k, v in validators.items() if _validator(v)}
        new_cursor["sha256"] = digest
        old = dict(cursor) if isinstance(cursor, Mapping) else {}
        if cursor_text(cursor, "sha256") == digest:
            return Fetched(payloads=[], cursor=new_cursor if new_cursor != old else None)
        return Fetched(payloads=[reply.body], cursor=new_cursor)

    def _platform(self, config: Mapping[str, Any]) -> str:
        host = xml.host_of(config.get("url") if isinstance(config.get("url"), str) else None)
        return f"The {self._label} feed at {host}" if host else f"The {self._label} feed"

    def _expect_feed(self, reply: Reply, platform: str) -> None:
        root = xml.root_name(head_text(reply.body[:8192]))
        if root == self._root:
            return
        other = next((name for name, kind in _KINDS.items() if kind[0] == root), None)
        if other is not None:
            raise BadConfig.about(platform, f"the address serves an {_KINDS[other][1]} feed, "
                                  f"not {self._label}: poll it with the {other} client")
        what = f"<{root}>" if root else "no XML document"
        raise Unavailable.about(platform, f"the response is not an {self._label} feed "
                                f"(its root is {what})")


def _validator(value: str | None) -> str | None:
    """An ``ETag`` or ``Last-Modified`` worth sending back: printable ASCII, 500 at most."""
    if value and len(value) <= 500 and value.isascii() and value.isprintable():
        return value
    return None


CLIENTS = (FeedClient("rss"), FeedClient("atom"))
