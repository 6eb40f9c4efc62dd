"""Reddit: a subreddit's new posts, or a search sorted by new, through the OAuth API.

Configuration: ``subreddit`` (a name such as ``france``, or several joined by ``+``),
``query`` (Reddit search syntax), at least one of the two: a subreddit alone polls
``/r/{subreddit}/new``, a query alone ``/search?sort=new``, both ``/r/{subreddit}/search``
restricted to it. ``username`` (optional, recommended): the Reddit account that registered the
app, added to the User-Agent as Reddit asks (``by /u/NAME``).

Token (required): ``CLIENT_ID:CLIENT_SECRET`` of a Reddit app ("script" or "web"), with which
the client asks ``https://www.reddit.com/api/v1/access_token`` for an application-only token
(``client_credentials``) and keeps it in memory until it expires (a day: one extra request
then), or an OAuth access token used as is.

Each poll asks ``https://oauth.reddit.com`` for ``limit=100`` posts with ``before`` set to
the fullname of the newest post seen (``t3_…``): Reddit returns the posts just newer than
it, so polling walks forward without gaps, and a full page means more are waiting
(``more``). A ``before`` post that was deleted makes Reddit answer an empty page forever, so
after an empty page the next poll asks for the latest page without ``before`` and keeps only
the posts newer than the one seen (Reddit ids grow in base 36). The first poll takes the
latest page only. Cursor: ``{"before": "t3_…", "probe": bool}``. ``X-Ratelimit-Remaining``
/ ``X-Ratelimit-Reset`` (100 requests a minute per app, averaged over 10 minutes) give
``wait_s`` when 5 requests or fewer are left.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import httpx
import orjson

from confiance.sources.clients._config import invalid, known_keys, settings_of, text_value
from confiance.sources.clients.base import (
    USER_AGENT,
    AuthFailed,
    BadConfig,
    Fetched,
    Reply,
    Sessions,
    SourceError,
    Unavailable,
    bearer,
    budget_wait,
    cursor_text,
    jwt_expiry,
    platform_message,
    refuse,
    send,
    utcnow,
)

LIMIT = 100
RESERVE = 5
API = "https://oauth.reddit.com"
ACCESS_URL = "https://www.reddit.com/api/v1/access_token"
PLATFORM = "Reddit"
_SUBREDDIT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]{1,20}(?:\+[A-Za-z0-9][A-Za-z0-9_]{1,20})*")
_USERNAME = re.compile(r"[A-Za-z0-9_-]{3,20}")
_FULLNAME = re.compile(r"t3_([0-9a-z]{1,13})")
_CONFIG_REASONS = {"private", "quarantined", "gold_only", "banned", "gated"}


class RedditClient:
    """Polls one subreddit or search of Reddit, newest posts first."""

    format = "reddit"
    needs_secret = True
    default_interval_s = 60.0

    def __init__(self) -> None:
        self.clock = utcnow
        self.sessions = Sessions()

    def __repr__(self) -> str:
        return "RedditClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"subreddit": name or None, "query": text or None, "username": name or None}``."""
        known_keys(self.format, config, ("subreddit", "query", "username"))
        sub = config.get("subreddit")
        sub = re.sub(r"^/?r/", "", sub.strip()) if isinstance(sub, str) else sub
        subreddit = text_value(self.format, {"subreddit": sub}, "subreddit", required=False,
                               maximum=500, pattern=_SUBREDDIT,
                               hint=": write the name without r/, such as france")
        query = text_value(self.format, config, "query", required=False, maximum=512)
        if subreddit is None and query is None:
            raise invalid(self.format, "give a 'subreddit', a search 'query', or both")
        name = config.get("username")
        name = re.sub(r"^/?u/", "", name.strip()) if isinstance(name, str) else name
        username = text_value(self.format, {"username": name}, "username", required=False,
                              maximum=20, pattern=_USERNAME,
                              hint=": write the Reddit user name without u/")
        return {"subreddit": subreddit, "query": query, "username": username}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The posts newer than the cursor's ``before`` (the latest 100 the first time)."""
        settings = settings_of(self.check, config)
        if not secret:
            raise AuthFailed.about(PLATFORM, "no token: give the source CLIENT_ID:CLIENT_SECRET "
                                   "of a Reddit app")
        agent = _user_agent(settings["username"])
        before = cursor_text(cursor, "before")
        anchor = _FULLNAME.fullmatch(before) if before else None
        probe = bool(isinstance(cursor, Mapping) and cursor.get("probe") is True)
        path, params = _request(settings)
        if anchor and not probe:
            params["before"] = anchor.group(0)
        token = self._token(http, secret, agent)
        reply = send(http, f"{API}{path}", params=params, platform=PLATFORM,
                     headers={"User-Agent": agent, "Accept": "application/json", **bearer(token)},
                     secrets=[secret, token])
        if reply.status != 200:
            raise self._refused(reply, secret, token)
        listing = reply.json(PLATFORM)
        children = _children(listing)
        if anchor:
            floor = int(anchor.group(1), 36)
            children = [c for c in children if _number(c) > floor]
        newest = max(children, key=_number, default=None)
        new_before = newest["data"]["name"] if newest is not None else None
        if new_before is None:
            next_cursor: dict[str, Any] | None = (
                {"before": anchor.group(0), "probe": not probe} if anchor else None)
        else:
            next_cursor = {"before": new_before, "probe": False}
        return Fetched(
            payloads=[_with(listing, children)] if children else [],
            cursor=next_cursor,
            more=bool(anchor) and not probe and len(children) >= LIMIT,
            wait_s=budget_wait(reply.headers, self.clock(), reserve=RESERVE),
            token_expires_at=jwt_expiry(secret) if token == secret else None,
        )

    def _token(self, http: httpx.Client, secret: str, agent: str) -> str:
        """The bearer token: the secret itself, or an app-only token from client credentials."""
        if ":" not in secret or jwt_expiry(secret) is not None:
            return secret
        now = self.clock()
        token = self.sessions.get(secret, now)
        if token is not None:
            return token
        client_id, _, client_secret = secret.strip().partition(":")
        basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii")
        reply = send(http, ACCESS_URL, method="POST", platform=PLATFORM,
                     data={"grant_type": "client_credentials"}, secrets=[secret, basic],
                     headers={"User-Agent": agent, "Authorization": f"Basic {basic}",
                              "Accept": "application/json"})
        body = reply.json(PLATFORM) if reply.status == 200 else None
        if reply.status in (400, 401) or (isinstance(body, dict) and "error" in body):
            raise AuthFailed.about(PLATFORM, "the app's client id and secret were refused "
                                   f"({platform_message(reply) or f'HTTP {reply.status}'})",
                                   secrets=[secret, basic])
        if reply.status != 200:
            raise refuse(reply, PLATFORM, now, secrets=[secret, basic])
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise Unavailable.about(PLATFORM, "the token response has no access_token")
        expires = body.get("expires_in") if isinstance(body, dict) else None
        seconds = float(expires) if isinstance(expires, int | float) and expires > 0 else 3600.0
        self.sessions.put(secret, token, now + timedelta(seconds=min(seconds, 86_400.0)))
        return token

    def _refused(self, reply: Reply, secret: str, token: str) -> SourceError:
        secrets = [secret, token]
        if 300 <= reply.status < 400:
            return BadConfig.about(PLATFORM, f"HTTP {reply.status}: Reddit redirects this "
                                   "subreddit elsewhere; check that it exists")
        if reply.status == 401 and token != secret:
            self.sessions.drop(secret)
            return Unavailable.about(PLATFORM, "the app-only token ended; a new one is asked "
                                     "for at the next poll", retry_after_s=5.0)
        reason = _reason(reply)
        if reply.status in (403, 404) and reason in _CONFIG_REASONS:
            return BadConfig.about(PLATFORM, f"HTTP {reply.status}: the subreddit is {reason}",
                                   secrets=secrets)
        if reply.status == 404:
            return BadConfig.about(PLATFORM, "HTTP 404: no such subreddit", secrets=secrets)
        return refuse(reply, PLATFORM, self.clock(), secrets=secrets)


def _user_agent(username: str | None) -> str:
    return USER_AGENT[:-1] + f"; by /u/{username})" if username else USER_AGENT


def _request(settings: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {"limit": LIMIT, "raw_json": 1}
    sub, query = settings["subreddit"], settings["query"]
    if query is None:
        return f"/r/{quote(sub, safe='+')}/new", params
    params.update({"q": query, "sort": "new", "type": "link"})
    if sub is None:
        return "/search", params
    params["restrict_sr"] = 1
    return f"/r/{quote(sub, safe='+')}/search", params


def _children(listing: Any) -> list[dict[str, Any]]:
    """The posts of a listing; Unavailable when the body is not one."""
    data = listing.get("data") if isinstance(listing, dict) else None
    children = data.get("children") if isinstance(data, dict) else None
    if (not isinstance(listing, dict) or listing.get("kind") != "Listing"
            or not isinstance(children, list)):
        raise Unavailable.about(PLATFORM, "the response is not a Listing")
    return [c for c in children if isinstance(c, dict) and c.get("kind") == "t3"
            and isinstance(c.get("data"), dict)
            and _FULLNAME.fullmatch(str(c["data"].get("name", "")))]


def _number(child: dict[str, Any]) -> int:
    return int(child["data"]["name"][3:], 36)


def _with(listing: dict[str, Any], children: list[dict[str, Any]]) -> dict[str, Any]:
    return {**listing, "data": {**listing["data"], "children": children}}


def _reason(reply: Reply) -> str:
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return ""
    reason = body.get("reason") if isinstance(body, dict) else None
    return reason if isinstance(reason, str) else ""


CLIENTS = (RedditClient(),)
