"""Facebook Graph API: the posts of a Page, ``GET /{page-id}/feed``.

Configuration: ``page_id`` (required, the Page's numeric id or user name), ``edge`` (optional:
``feed``, the default, holds the Page's posts and the posts of others on it; ``posts`` or
``published_posts`` only the Page's own), ``api_version`` (optional, default ``v23.0``).
Token (required): a Page access token with ``pages_read_engagement`` (and
``pages_read_user_content`` for visitors' posts); it is sent in the ``Authorization`` header.

Each poll asks for ``limit=100`` posts, newest first, with ``since`` set to the newest
``created_time`` seen (to the second), with the fields ``docs/formats/facebook-graph.md``
lists, and keeps the posts published after it (the same second told apart by id); a whole
new page with a next page is walked with ``after`` before the newest time moves forward
(``more``). The first poll takes the latest page only. Comments are not polled.

Cursor: ``{"newest", "seen"}`` (plus ``page``, ``pending`` and ``pending_ids`` during a
walk). Rate limits: the Page's Business Use Case budget (calls per 24 hours scaled to its
audience); ``X-Business-Use-Case-Usage`` / ``X-Page-Usage`` / ``X-App-Usage`` give ``wait_s``
from 85 % used.
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
    Fetched,
    bearer,
    parse_instant,
    send,
    utcnow,
)

LIMIT = 100
PLATFORM = "Facebook"
FIELDS = ("id,message,message_tags,created_time,permalink_url,from{id,name},"
          "attachments{media,type,url,subattachments},reactions.summary(total_count).limit(0),"
          "comments.summary(total_count).limit(0),shares")
"""What is asked for each post: the fields the ``facebook-graph`` format maps."""
EDGES = ("feed", "posts", "published_posts")
_PAGE = re.compile(r"\d{1,25}|[A-Za-z0-9.]{5,50}")


class FacebookPageClient:
    """Polls the posts of one Facebook Page."""

    format = "facebook-graph"
    needs_secret = True
    default_interval_s = 300.0

    def __init__(self) -> None:
        self.clock = utcnow

    def __repr__(self) -> str:
        return "FacebookPageClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"page_id", "edge", "api_version"}``."""
        known_keys(self.format, config, ("page_id", "edge", "api_version"))
        page = text_value(self.format, config, "page_id", maximum=50, pattern=_PAGE,
                          hint=": the Page's numeric id or user name")
        edge = text_value(self.format, config, "edge", required=False, maximum=20) or "feed"
        if edge not in EDGES:
            raise invalid(self.format, f"'edge' must be one of {', '.join(EDGES)}")
        return {"page_id": page, "edge": edge,
                "api_version": graph.version(self.format, config)}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The Page's posts created after the cursor's ``newest``."""
        settings = settings_of(self.check, config)
        if not secret:
            raise AuthFailed.about(PLATFORM, "no token: give the source a Page access token")
        state = NewestFirst.load(cursor)
        params: dict[str, Any] = {"fields": FIELDS, "limit": LIMIT}
        if state.newest is not None:
            params["since"] = int(state.newest.timestamp())
        if state.page:
            params["after"] = state.page
        url = f"{graph.GRAPH}/{settings['api_version']}/{settings['page_id']}/{settings['edge']}"
        reply = send(http, url, params=params, platform=PLATFORM, secrets=[secret],
                     headers={"Accept": "application/json", **bearer(secret)})
        if reply.status != 200:
            raise graph.refused(reply, PLATFORM, self.clock(), secret)
        page = reply.json(PLATFORM)
        items = graph.page_items(page, PLATFORM)
        fresh = state.take(items, _created, lambda p: str(p["id"]))
        walk, more = state.advance(whole_page_new=bool(items) and len(fresh) == len(items),
                                   next_page=graph.after(page))
        return Fetched(
            payloads=[graph.handed_over(page, fresh)] if fresh else [],
            cursor=changed(walk, cursor),
            more=more,
            wait_s=graph.usage_wait(reply.headers),
        )


def _created(item: dict[str, Any]) -> datetime | None:
    return parse_instant(item.get("created_time"))


CLIENTS = (FacebookPageClient(),)
