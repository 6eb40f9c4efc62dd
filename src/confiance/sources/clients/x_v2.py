"""X (Twitter) API v2 recent search, ``GET /2/tweets/search/recent``.

Configuration: ``query`` (required, an X search query such as ``"maison lumière" -is:retweet
lang:fr``; 512 characters on most access levels). Token (required): the app's bearer token.

Each poll asks for ``max_results=100`` posts with ``since_id`` set to the newest post id seen,
with the fields and expansions ``docs/formats/x-v2.md`` lists (authors, media, metrics). X
returns the newest posts first: when a page has a ``next_token``, more posts are waiting
between it and ``since_id``, and the next polls follow ``next_token`` (same ``since_id``)
until the gap is filled, then move ``since_id`` to the newest id of the walk (``more``).
The first poll takes the latest page only, never the seven days of history. X refuses a
``since_id`` older than seven days: after such a long stop, the cursor starts again from the
latest page. Cursor: ``{"since_id", "next_token", "pending"}`` (the last two only during a
walk). ``x-rate-limit-remaining`` / ``x-rate-limit-reset`` (per 15 minutes; 60 to 450
requests depending on the access level) give ``wait_s`` when 1 request or none is left; a
spent monthly post cap is a rate limit too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from confiance.sources.clients._config import known_keys, settings_of, text_value
from confiance.sources.clients.base import (
    AuthFailed,
    Fetched,
    Reply,
    SourceError,
    Unavailable,
    bearer,
    budget_wait,
    cursor_text,
    id_key,
    newer_id,
    platform_message,
    refuse,
    send,
    utcnow,
)

LIMIT = 100
RESERVE = 1
URL = "https://api.x.com/2/tweets/search/recent"
PLATFORM = "X"
FIELDS = {
    "tweet.fields": "created_at,lang,author_id,conversation_id,referenced_tweets,entities,"
                    "public_metrics,attachments",
    "expansions": "author_id,attachments.media_keys",
    "user.fields": "username,name,verified,description,location,public_metrics",
    "media.fields": "type,url,preview_image_url,width,height,duration_ms,alt_text",
}
"""What is asked for besides the query: the fields the ``x-v2`` format maps."""


class XRecentSearchClient:
    """Polls one X recent search, newest posts first."""

    format = "x-v2"
    needs_secret = True
    default_interval_s = 300.0

    def __init__(self) -> None:
        self.clock = utcnow

    def __repr__(self) -> str:
        return "XRecentSearchClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"query": ...}``."""
        known_keys(self.format, config, ("query",))
        return {"query": text_value(self.format, config, "query", maximum=4096,
                                    hint=": an X search query such as "
                                    "\"maison lumière\" -is:retweet")}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The posts newer than the cursor's ``since_id``, a page at a time."""
        settings = settings_of(self.check, config)
        if not secret:
            raise AuthFailed.about(PLATFORM, "no token: give the source the app's bearer token")
        since = _digits(cursor_text(cursor, "since_id"))
        token = cursor_text(cursor, "next_token") if since else None
        pending = _digits(cursor_text(cursor, "pending"))
        params: dict[str, Any] = {"query": settings["query"], "max_results": LIMIT, **FIELDS}
        if since:
            params["since_id"] = since
        if token:
            params["next_token"] = token
        reply = send(http, URL, params=params, platform=PLATFORM, secrets=[secret],
                     headers={"Accept": "application/json", **bearer(secret)})
        wait = budget_wait(reply.headers, self.clock(), reserve=RESERVE)
        if reply.status == 400 and since and "since_id" in _message(reply):
            # since_id older than seven days: start again from the latest page
            return Fetched(payloads=[], cursor={}, more=True, wait_s=wait)
        if reply.status != 200:
            raise self._refused(reply, secret)
        page = reply.json(PLATFORM)
        tweets = _tweets(page)
        if since:
            tweets = [t for t in tweets if id_key(t["id"]) > id_key(since)]
        newest = newer_id(pending, *(t["id"] for t in tweets),
                          _digits(_meta(page).get("newest_id")) if tweets else None)
        next_token = _meta(page).get("next_token")
        more = bool(since) and bool(tweets) and isinstance(next_token, str) and bool(next_token)
        if more:
            new_cursor: dict[str, Any] = {"since_id": since, "next_token": next_token}
            if newest:
                new_cursor["pending"] = newest
        else:
            committed = newer_id(since, newest)
            new_cursor = {"since_id": committed} if committed else {}
        old = dict(cursor) if isinstance(cursor, Mapping) else {}
        return Fetched(
            payloads=[{**page, "data": tweets}] if tweets else [],
            cursor=new_cursor if new_cursor and new_cursor != old else None,
            more=more,
            wait_s=wait,
        )

    def _refused(self, reply: Reply, secret: str) -> SourceError:
        said = _message(reply)
        if reply.status == 429 and "usagecap" in said.replace(" ", "").lower():
            said = f"the monthly post cap is spent ({said})"
        return refuse(reply, PLATFORM, self.clock(), secrets=[secret], detail=said)


def _message(reply: Reply) -> str:
    """X's error text: ``title``, ``detail`` and each of ``errors[].message``."""
    parts = [platform_message(reply)]
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        body = None
    errors = body.get("errors") if isinstance(body, dict) else None
    for error in errors if isinstance(errors, list) else []:
        message = error.get("message") if isinstance(error, dict) else None
        if isinstance(message, str) and message.strip() and message not in parts:
            parts.append(message.strip())
    return "; ".join(p for p in parts if p)


def _meta(page: dict[str, Any]) -> dict[str, Any]:
    meta = page.get("meta")
    return meta if isinstance(meta, dict) else {}


def _tweets(page: Any) -> list[dict[str, Any]]:
    """The page's posts; Unavailable when the body is not a search response."""
    if not isinstance(page, dict) or not isinstance(page.get("meta", {}), dict) or (
            "data" not in page and "meta" not in page):
        raise Unavailable.about(PLATFORM, "the response is not a search page (no 'data' or "
                                "'meta')")
    data = page.get("data", [])
    if not isinstance(data, list):
        raise Unavailable.about(PLATFORM, "the response's 'data' is not a list")
    return [t for t in data if isinstance(t, dict) and _digits(t.get("id"))]


def _digits(value: Any) -> str | None:
    return value if isinstance(value, str) and value.isdigit() else None


CLIENTS = (XRecentSearchClient(),)
