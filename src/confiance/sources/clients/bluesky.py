"""Bluesky: the newest posts matching a search, ``app.bsky.feed.searchPosts?sort=latest``.

Configuration: ``query`` (required, Bluesky search syntax: words, ``"phrases"``, ``#tags``,
``from:handle``), ``lang`` (optional, a language code such as ``fr``), ``service`` (optional:
the AppView or PDS to ask; ``https://public.api.bsky.app`` without a token,
``https://bsky.social`` with one). Token: optional, either ``HANDLE:APP-PASSWORD`` (an app
password from Settings → Privacy and security; the client opens a session with
``com.atproto.server.createSession`` and keeps its access token in memory until it expires,
about every two hours: one extra request then) or an access token used as is.

Each poll asks for ``limit=100`` posts with ``since`` set to the newest post time seen
(``sortAt``: the earlier of ``createdAt`` and ``indexedAt``) minus two minutes, so a post
indexed late is still found; posts already returned in that overlap are recognised by their
``at://`` URI and left out. A full page with a ``cursor`` means more posts are waiting
between it and ``since``: the next polls follow the ``cursor`` back to ``since`` before the
newest time moves forward (``more``). The first poll takes the latest page only.

Cursor: ``{"since": time, "seen": {uri: time}, "page": cursor, "pending": time}``, with
``page`` and ``pending`` only while a backlog is walked. ``RateLimit-Remaining`` /
``RateLimit-Reset`` (3,000 requests per 5 minutes per address on the AppView) give
``wait_s`` when 5 requests or fewer are left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson

from confiance.sources.clients._config import known_keys, settings_of, text_value, web_address
from confiance.sources.clients.base import (
    AuthFailed,
    Fetched,
    Reply,
    Sessions,
    SourceError,
    Unavailable,
    bearer,
    budget_wait,
    cursor_text,
    iso,
    jwt_expiry,
    parse_instant,
    platform_message,
    refuse,
    send,
    utcnow,
)

LIMIT = 100
RESERVE = 5
OVERLAP = timedelta(minutes=2)
MAX_SEEN = 1000
PUBLIC = "https://public.api.bsky.app"
SIGNED_IN = "https://bsky.social"
PLATFORM = "Bluesky"
_LANG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})?")
_EXPIRED = {"ExpiredToken", "InvalidToken", "AuthMissing", "AuthenticationRequired"}


class BlueskyClient:
    """Polls one Bluesky search, newest posts first."""

    format = "bluesky"
    needs_secret = False
    default_interval_s = 60.0

    def __init__(self) -> None:
        self.clock = utcnow
        self.sessions = Sessions()

    def __repr__(self) -> str:
        return "BlueskyClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"query": ..., "lang": code or None, "service": "https://host" or None}``."""
        known_keys(self.format, config, ("query", "lang", "service"))
        return {
            "query": text_value(self.format, config, "query", maximum=1000,
                                hint=": the words, #tags or \"phrases\" to search"),
            "lang": text_value(self.format, config, "lang", required=False, maximum=12,
                               pattern=_LANG, hint=": write a language code such as fr"),
            "service": web_address(self.format, config, "service", origin_only=True,
                                   default_scheme="https"),
        }

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The posts newer than the cursor's ``since``, a page at a time."""
        settings = settings_of(self.check, config)
        service = settings["service"] or (SIGNED_IN if secret else PUBLIC)
        state = _State.load(cursor)
        params: dict[str, Any] = {"q": settings["query"], "sort": "latest", "limit": LIMIT}
        if settings["lang"]:
            params["lang"] = settings["lang"]
        if state.since is not None:
            params["since"] = iso(state.since - OVERLAP)
        if state.page:
            params["cursor"] = state.page
        token = self._token(http, service, secret)
        reply = send(http, f"{service}/xrpc/app.bsky.feed.searchPosts", params=params,
                     platform=PLATFORM, headers={"Accept": "application/json", **bearer(token)},
                     secrets=[secret, token])
        if reply.status != 200:
            raise self._refused(reply, secret, token)
        page = reply.json(PLATFORM)
        if not isinstance(page, dict) or not isinstance(page.get("posts"), list):
            raise Unavailable.about(PLATFORM, "the response is not a searchPosts page "
                                    "(no 'posts' list)")
        fresh = state.take(page["posts"])
        next_page = page.get("cursor") if isinstance(page.get("cursor"), str) else None
        more = state.since is not None and bool(next_page) and len(page["posts"]) >= LIMIT
        new_cursor = state.dump(next_page if more else None)
        return Fetched(
            payloads=[{**page, "posts": fresh}] if fresh else [],
            cursor=new_cursor if new_cursor != _as_dict(cursor) else None,
            more=more,
            wait_s=budget_wait(reply.headers, self.clock(), reserve=RESERVE),
            token_expires_at=jwt_expiry(secret) if secret and token == secret else None,
        )

    # ------------------------------------------------------------------------ sessions

    def _token(self, http: httpx.Client, service: str, secret: str | None) -> str | None:
        """The access token: the secret itself, or a session opened with an app password."""
        pair = _app_password(secret)
        if pair is None or secret is None:
            return secret
        now = self.clock()
        token = self.sessions.get(secret, now)
        if token is not None:
            return token
        reply = send(http, f"{service}/xrpc/com.atproto.server.createSession", method="POST",
                     platform=PLATFORM, json={"identifier": pair[0], "password": pair[1]},
                     headers={"Accept": "application/json"}, secrets=[secret])
        if reply.status != 200:
            if reply.status in (400, 401):
                raise AuthFailed.about(PLATFORM, f"the app password was refused (HTTP "
                                       f"{reply.status}: {platform_message(reply)})",
                                       secrets=[secret])
            raise refuse(reply, PLATFORM, now, secrets=[secret])
        body = reply.json(PLATFORM)
        token = body.get("accessJwt") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise Unavailable.about(PLATFORM, "the session has no access token")
        self.sessions.put(secret, token, jwt_expiry(token) or now + timedelta(minutes=30))
        return token

    def _refused(self, reply: Reply, secret: str | None, token: str | None) -> SourceError:
        said = platform_message(reply)
        error = _error_name(reply)
        secrets = [secret, token]
        if reply.status in (400, 401) and (error in _EXPIRED or reply.status == 401):
            if secret and token != secret:
                self.sessions.drop(secret)
                return Unavailable.about(PLATFORM, f"the session ended ({error or 'HTTP 401'}); "
                                         "a new one is opened at the next poll",
                                         secrets=secrets, retry_after_s=5.0)
            return AuthFailed.about(PLATFORM, f"HTTP {reply.status}: {said}", secrets=secrets)
        if reply.status == 403 and not secret:
            return AuthFailed.about(PLATFORM, "this service answers searches for signed-in "
                                    "accounts only: give the source HANDLE:APP-PASSWORD")
        return refuse(reply, PLATFORM, self.clock(), secrets=secrets)


class _State:
    """The cursor, read leniently: a malformed field counts as absent."""

    def __init__(self, since: datetime | None, seen: dict[str, str], page: str | None,
                 pending: datetime | None) -> None:
        self.since = since
        self.seen = seen
        self.page = page
        self.pending = pending

    @classmethod
    def load(cls, cursor: Mapping[str, Any] | None) -> _State:
        seen_raw = cursor.get("seen") if isinstance(cursor, Mapping) else None
        seen = {k: v for k, v in seen_raw.items() if isinstance(k, str) and isinstance(v, str)
                } if isinstance(seen_raw, Mapping) else {}
        since = parse_instant(cursor_text(cursor, "since"))
        page = cursor_text(cursor, "page") if since is not None else None
        return cls(since, seen, page, parse_instant(cursor_text(cursor, "pending")))

    def take(self, posts: list[Any]) -> list[Any]:
        """The posts not returned before; remembers them and the newest time."""
        fresh = []
        for post in posts:
            uri = post.get("uri") if isinstance(post, dict) else None
            if isinstance(uri, str) and uri in self.seen:
                continue
            fresh.append(post)
            moment = _sort_at(post)
            if isinstance(uri, str) and moment is not None:
                self.seen[uri] = iso(moment)
                if self.pending is None or moment > self.pending:
                    self.pending = moment
        return fresh

    def dump(self, next_page: str | None) -> dict[str, Any] | None:
        """The next cursor: the walk goes on with ``next_page``, or the newest time is
        committed."""
        if next_page:
            since = self.since
        else:
            since = max((t for t in (self.since, self.pending) if t is not None), default=None)
        if since is None:
            return None
        floor = since - OVERLAP
        kept = sorted(((uri, at) for uri, at in self.seen.items()
                       if (parse_instant(at) or floor) >= floor), key=lambda p: p[1])
        found: dict[str, Any] = {"since": iso(since), "seen": dict(kept[-MAX_SEEN:])}
        if next_page:
            found["page"] = next_page
            if self.pending is not None:
                found["pending"] = iso(self.pending)
        return found


def _as_dict(cursor: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return dict(cursor) if isinstance(cursor, Mapping) else None


def _sort_at(post: Any) -> datetime | None:
    """When the AppView sorts the post: the earlier of ``createdAt`` and ``indexedAt``."""
    if not isinstance(post, dict):
        return None
    record = post.get("record")
    times = [parse_instant(post.get("indexedAt")),
             parse_instant(record.get("createdAt") if isinstance(record, dict) else None)]
    known = [t for t in times if t is not None and t.year > 1970]
    return min(known).astimezone(UTC) if known else None


def _app_password(secret: str | None) -> tuple[str, str] | None:
    """``(identifier, password)`` for a ``HANDLE:APP-PASSWORD`` secret; None for a token."""
    if not secret or jwt_expiry(secret) is not None or ":" not in secret:
        return None
    identifier, _, password = secret.strip().rpartition(":")
    return (identifier, password) if identifier and password else None


def _error_name(reply: Reply) -> str:
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else ""



CLIENTS = (BlueskyClient(),)
