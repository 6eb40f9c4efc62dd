"""Instagram Graph API: the recent media of a hashtag, ``GET /{hashtag-id}/recent_media``.

Configuration: ``user_id`` (required, the id of the Instagram business or creator account
that asks), ``hashtag`` (the tag's name, with or without ``#``) or ``hashtag_id`` (its id,
from ``ig_hashtag_search``), ``api_version`` (optional, default ``v23.0``). Token (required):
a Facebook user or system-user access token with ``instagram_basic`` and the "Instagram
Public Content Access" feature; it is sent in the ``Authorization`` header.

Given a ``hashtag``, the first poll looks its id up (``ig_hashtag_search``; Instagram lets an
account query 30 distinct hashtags per 7 days) and keeps it in the cursor: that poll brings
no media and says ``more``. Then each poll asks for ``limit=50`` media of the last 24 hours,
newest first, and keeps those published after the newest seen (the same second told apart by
id); a whole new page with a next page is walked with ``after`` before the newest time moves
forward (``more``). The first poll takes the latest page only. The API does not say who
posted hashtag media: those posts have no author.

Cursor: ``{"hashtag", "hashtag_id", "newest", "seen"}`` (plus ``page``, ``pending`` and
``pending_ids`` during a walk). Rate limits: 200 calls an hour per account (Business Use
Case); ``X-Business-Use-Case-Usage`` / ``X-App-Usage`` give ``wait_s`` from 85 % used.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from confiance.sources.clients import _graph as graph
from confiance.sources.clients._config import invalid, known_keys, settings_of, text_value
from confiance.sources.clients._walk import NewestFirst, changed
from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    Fetched,
    Unavailable,
    bearer,
    cursor_text,
    parse_instant,
    send,
    utcnow,
)

LIMIT = 50
PLATFORM = "Instagram"
FIELDS = ("id,caption,media_type,media_url,permalink,timestamp,like_count,comments_count,"
          "children{media_type,media_url}")
"""What is asked for each media: the fields the ``instagram-graph`` format maps."""
_ID = re.compile(r"\d{1,25}")
_TAG = re.compile(r"(?=\w*[^\W\d_])\w+")


class InstagramHashtagClient:
    """Polls the recent media of one hashtag."""

    format = "instagram-graph"
    needs_secret = True
    default_interval_s = 600.0

    def __init__(self) -> None:
        self.clock = utcnow

    def __repr__(self) -> str:
        return "InstagramHashtagClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"user_id", "hashtag" or None, "hashtag_id" or None, "api_version"}``."""
        known_keys(self.format, config, ("user_id", "hashtag", "hashtag_id", "api_version"))
        user = text_value(self.format, config, "user_id", maximum=25, pattern=_ID,
                          hint=": the numeric id of the Instagram business account")
        tag = config.get("hashtag")
        tag = tag.strip().lstrip("#").lower() if isinstance(tag, str) else tag
        hashtag = text_value(self.format, {"hashtag": tag}, "hashtag", required=False,
                             maximum=100, pattern=_TAG,
                             hint=": write the tag's letters and digits, such as maisonlumiere")
        hashtag_id = text_value(self.format, config, "hashtag_id", required=False, maximum=25,
                                pattern=_ID, hint=": the numeric id ig_hashtag_search gives")
        if hashtag is None and hashtag_id is None:
            raise invalid(self.format, "give a 'hashtag' (or its 'hashtag_id')")
        return {"user_id": user, "hashtag": hashtag, "hashtag_id": hashtag_id,
                "api_version": graph.version(self.format, config)}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The hashtag's media published after the cursor's ``newest``."""
        settings = settings_of(self.check, config)
        if not secret:
            raise AuthFailed.about(PLATFORM, "no token: give the source a Graph API access "
                                   "token with instagram_basic")
        root = f"{graph.GRAPH}/{settings['api_version']}"
        hashtag_id = settings["hashtag_id"]
        if hashtag_id is None and cursor_text(cursor, "hashtag") == settings["hashtag"]:
            hashtag_id = cursor_text(cursor, "hashtag_id")
        if hashtag_id is None:
            return self._look_up(http, root, settings, secret)
        state = NewestFirst.load(cursor if _same_tag(cursor, settings, hashtag_id) else None)
        params: dict[str, Any] = {"user_id": settings["user_id"], "fields": FIELDS,
                                  "limit": LIMIT}
        if state.page:
            params["after"] = state.page
        reply = send(http, f"{root}/{hashtag_id}/recent_media", params=params,
                     platform=PLATFORM, secrets=[secret],
                     headers={"Accept": "application/json", **bearer(secret)})
        now = self.clock()
        if reply.status != 200:
            raise graph.refused(reply, PLATFORM, now, secret)
        page = reply.json(PLATFORM)
        items = graph.page_items(page, PLATFORM)
        fresh = state.take(items, _timestamp, lambda m: str(m["id"]))
        walk, more = state.advance(whole_page_new=bool(items) and len(fresh) == len(items),
                                   next_page=graph.after(page))
        tag = {"hashtag": settings["hashtag"], "hashtag_id": hashtag_id}
        return Fetched(
            payloads=[graph.handed_over(page, fresh)] if fresh else [],
            cursor=changed({**tag, **walk}, cursor) if walk else None,
            more=more,
            wait_s=graph.usage_wait(reply.headers),
        )

    def _look_up(self, http: httpx.Client, root: str, settings: Mapping[str, Any],
                 secret: str) -> Fetched:
        """One poll spent finding the hashtag's id; the media come from the next one."""
        reply = send(http, f"{root}/ig_hashtag_search", platform=PLATFORM, secrets=[secret],
                     params={"user_id": settings["user_id"], "q": settings["hashtag"]},
                     headers={"Accept": "application/json", **bearer(secret)})
        if reply.status != 200:
            raise graph.refused(reply, PLATFORM, self.clock(), secret)
        found = reply.json(PLATFORM)
        data = found.get("data") if isinstance(found, dict) else None
        if not isinstance(data, list):
            raise Unavailable.about(PLATFORM, "the hashtag search answered no 'data' list")
        ids = [d.get("id") for d in data if isinstance(d, dict)]
        hashtag_id = next((i for i in ids if isinstance(i, str) and _ID.fullmatch(i)), None)
        if hashtag_id is None:
            raise BadConfig.about(PLATFORM, f"Instagram knows no hashtag "
                                  f"#{settings['hashtag']}")
        return Fetched(payloads=[], cursor={"hashtag": settings["hashtag"],
                                            "hashtag_id": hashtag_id}, more=True,
                       wait_s=graph.usage_wait(reply.headers))


def _same_tag(cursor: Mapping[str, Any] | None, settings: Mapping[str, Any],
              hashtag_id: str) -> bool:
    """Whether the stored walk belongs to this hashtag (a changed hashtag starts afresh)."""
    return cursor_text(cursor, "hashtag_id") in (hashtag_id, None) and (
        settings["hashtag"] is None or cursor_text(cursor, "hashtag") in (settings["hashtag"],
                                                                           None))


def _timestamp(item: dict[str, Any]) -> datetime | None:
    return parse_instant(item.get("timestamp"))


CLIENTS = (InstagramHashtagClient(),)
