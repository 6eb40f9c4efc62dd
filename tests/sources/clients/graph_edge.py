"""A Graph API edge for the Facebook and Instagram clients' tests: newest first, ``since``
(Unix seconds, inclusive), ``after`` cursors and ``paging.next`` links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from confiance.sources.clients.base import parse_instant
from tests.sources.clients.mock_http import answer


class GraphEdge:
    """Serves ``items`` (oldest first in the list) from ``path``; each has ``time_key``."""

    def __init__(self, path: str, time_key: str, make: Callable[[int, datetime], dict[str, Any]],
                 token: str) -> None:
        self.path = path
        self.time_key = time_key
        self.make = make
        self.token = token
        self.items: list[dict[str, Any]] = []
        self.headers: dict[str, str] = {}
        self.requests: list[httpx.Request] = []

    def add(self, count: int, start: datetime, step_s: int = 60) -> None:
        first = len(self.items)
        self.items += [self.make(first + n, start + timedelta(seconds=step_s * (first + n)))
                       for n in range(count)]

    def _time(self, item: dict[str, Any]) -> datetime:
        moment = parse_instant(item[self.time_key])
        assert moment is not None
        return moment

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["Authorization"] == f"Bearer {self.token}"
        assert "access_token" not in request.url.params
        assert request.url.path.endswith(self.path), request.url.path
        params = request.url.params
        since = params.get("since")
        matching = [i for i in reversed(self.items)
                    if since is None or self._time(i).timestamp() >= int(since)]
        offset = int(params.get("after", "0"))
        limit = int(params["limit"])
        page = matching[offset:offset + limit]
        body: dict[str, Any] = {"data": page, "paging": {"cursors": {"after": str(offset + limit)}}}
        if offset + limit < len(matching):
            body["paging"]["next"] = (f"https://graph.facebook.com/v23.0{self.path}?limit={limit}"
                                      f"&after={offset + limit}&access_token={self.token}")
        return answer(200, body, headers=self.headers)
