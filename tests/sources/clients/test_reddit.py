from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from confiance.core.errors import ConfianceError
from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    RateLimited,
    Unavailable,
)
from confiance.sources.clients.reddit import LIMIT, RedditClient
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "reddit" / "new.json"
TEMPLATE = orjson.loads(FIXTURE.read_bytes())["data"]["children"][0]
CONFIG = {"subreddit": "r/france", "username": "u/maisonlumiere_app"}
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3OTUwMDAwMDB9.c2ln"
CREDENTIALS = "AbCdEfGhIjKl:s3cr3t-VaLuE-123"
BASE = int("1fxk000", 36)


def thing(number: int) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(TEMPLATE)
    bare = _b36(BASE + number)
    found["data"].update(id=bare, name=f"t3_{bare}",
                         permalink=f"/r/france/comments/{bare}/titre/")
    return found


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


class Subreddit:
    """/r/{sub}/new: ``before`` returns the posts just newer than a fullname."""

    def __init__(self, count: int) -> None:
        self.things = [thing(n) for n in range(1, count + 1)]
        self.headers: dict[str, str] = {}
        self.tokens = 0
        self.deleted: set[str] = set()

    def add(self, count: int) -> None:
        start = len(self.things) + 1
        self.things += [thing(n) for n in range(start, start + count)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.reddit.com":
            self.tokens += 1
            assert request.url.path == "/api/v1/access_token"
            expected = base64.b64encode(CREDENTIALS.encode()).decode()
            if request.headers["Authorization"] != f"Basic {expected}":
                return answer(401, {"message": "Unauthorized", "error": 401})
            return answer(200, {"access_token": "app-only-token", "token_type": "bearer",
                                "expires_in": 86400, "scope": "*"})
        assert request.url.host == "oauth.reddit.com"
        assert request.url.path == "/r/france/new"
        params = request.url.params
        live = [t for t in self.things if t["data"]["name"] not in self.deleted]
        newest_first = list(reversed(live))
        limit = int(params["limit"])
        before = params.get("before")
        if before:
            names = [t["data"]["name"] for t in newest_first]
            if before not in names:
                page: list[dict[str, Any]] = []  # Reddit's answer to a deleted anchor
            else:
                index = names.index(before)
                page = newest_first[max(0, index - limit):index]
        else:
            page = newest_first[:limit]
        body = {"kind": "Listing", "data": {"after": None, "before": None, "dist": len(page),
                                            "children": page}}
        return answer(200, body, headers=self.headers)


def _client() -> RedditClient:
    client = RedditClient()
    client.clock = lambda: NOW
    return client


def _ids(fetched: Any) -> list[str]:
    return [p.platform_id for p in posts("reddit", fetched)]


def test_check_normalises_and_needs_a_subreddit_or_query() -> None:
    client = _client()
    assert client.check(CONFIG) == {"subreddit": "france", "query": None,
                                    "username": "maisonlumiere_app"}
    assert client.check({"query": "maison lumière"})["subreddit"] is None
    for bad in ({}, {"subreddit": "a"}, {"subreddit": "fr ance"}, {"query": 3},
                {"subreddit": "france", "username": "x"}):
        with pytest.raises(ConfianceError) as caught:
            client.check(bad)
        assert caught.value.code == "E750"


def test_polls_forward_with_before_without_gaps_or_repeats() -> None:
    server = Subreddit(150)
    client = _client()
    with http_client(server) as (http, recorder):
        first = client.fetch(http, CONFIG, None, TOKEN)
        assert "before" not in recorder.last.url.params and not first.more
        assert recorder.last.url.params["limit"] == str(LIMIT)
        assert recorder.last.url.params["raw_json"] == "1"
        assert recorder.last.headers["Authorization"] == f"Bearer {TOKEN}"
        assert recorder.last.headers["User-Agent"].endswith("; by /u/maisonlumiere_app)")
        received = _ids(first)
        cursor = first.cursor
        assert cursor == {"before": server.things[-1]["data"]["name"], "probe": False}

        server.add(230)
        calls = 0
        while True:
            fetched = client.fetch(http, CONFIG, cursor, TOKEN)
            calls += 1
            received += _ids(fetched)
            cursor = fetched.cursor or cursor
            if not fetched.more:
                break
        assert calls == 3
    assert len(received) == len(set(received)) == 330
    assert set(received) == {t["data"]["id"] for t in server.things[-330:]}


def test_a_deleted_anchor_is_worked_around_by_a_probe() -> None:
    server = Subreddit(10)
    client = _client()
    with http_client(server) as (http, recorder):
        cursor = client.fetch(http, CONFIG, None, TOKEN).cursor
        assert cursor is not None
        server.deleted.add(cursor["before"])
        server.add(3)
        empty = client.fetch(http, CONFIG, cursor, TOKEN)
        assert empty.payloads == [] and empty.cursor == {**cursor, "probe": True}
        probe = client.fetch(http, CONFIG, empty.cursor, TOKEN)
        assert "before" not in recorder.last.url.params
        assert _ids(probe) == [t["data"]["id"] for t in reversed(server.things[-3:])]
        assert probe.cursor == {"before": server.things[-1]["data"]["name"], "probe": False}
        quiet = client.fetch(http, CONFIG, probe.cursor, TOKEN)
        assert quiet.payloads == [] and quiet.cursor == {**probe.cursor, "probe": True}
        again = client.fetch(http, CONFIG, quiet.cursor, TOKEN)
        assert again.payloads == [] and again.cursor == probe.cursor


def test_client_credentials_get_one_app_only_token() -> None:
    server = Subreddit(5)
    client = _client()
    with http_client(server) as (http, recorder):
        first = client.fetch(http, CONFIG, None, CREDENTIALS)
        client.fetch(http, CONFIG, first.cursor, CREDENTIALS)
    assert server.tokens == 1 and len(recorder.requests) == 3
    assert recorder.last.headers["Authorization"] == "Bearer app-only-token"
    assert recorder.requests[0].content == b"grant_type=client_credentials"
    assert first.token_expires_at is None  # the credentials themselves do not expire


def test_refused_credentials_are_auth_failed_without_them() -> None:
    with http_client(Subreddit(1)) as (http, _), pytest.raises(AuthFailed) as caught:
        _client().fetch(http, CONFIG, None, "AbCdEfGhIjKl:wrong-secret-999")
    assert "wrong-secret-999" not in str(caught.value)
    assert "AbCdEfGhIjKl" not in str(caught.value)


def test_no_secret_is_auth_failed_without_a_request() -> None:
    with http_client(Subreddit(1)) as (http, recorder), pytest.raises(AuthFailed):
        _client().fetch(http, CONFIG, None, None)
    assert recorder.requests == []


def test_a_bearer_token_reports_its_expiry() -> None:
    with http_client(Subreddit(1)) as (http, _):
        fetched = _client().fetch(http, CONFIG, None, TOKEN)
    assert fetched.token_expires_at == datetime.fromtimestamp(1795000000, UTC)


def test_search_requests() -> None:
    seen: list[httpx.Request] = []

    def search(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(200, {"kind": "Listing", "data": {"children": [thing(1)]}})

    client = _client()
    with http_client(search) as (http, _):
        client.fetch(http, {"query": "bougie"}, None, TOKEN)
        client.fetch(http, {"query": "bougie", "subreddit": "france+paris"}, None, TOKEN)
    assert seen[0].url.path == "/search" and seen[0].url.params["sort"] == "new"
    assert seen[1].url.path == "/r/france+paris/search"
    assert seen[1].url.params["restrict_sr"] == "1"


def test_rate_limit_headers_give_wait_s() -> None:
    server = Subreddit(2)
    server.headers = {"X-Ratelimit-Used": "597", "X-Ratelimit-Remaining": "3.0",
                      "X-Ratelimit-Reset": "245"}
    with http_client(server) as (http, _):
        assert _client().fetch(http, CONFIG, None, TOKEN).wait_s == 245.0
        server.headers["X-Ratelimit-Remaining"] = "450.0"
        assert _client().fetch(http, CONFIG, None, TOKEN).wait_s is None


@pytest.mark.parametrize(("response", "kind"), [
    (answer(429, {"message": "Too Many Requests"}, headers={"X-Ratelimit-Reset": "42"}),
     RateLimited),
    (answer(401, {"message": "Unauthorized", "error": 401}), AuthFailed),
    (answer(403, {"message": "Forbidden", "error": 403}), AuthFailed),
    (answer(403, {"reason": "private", "message": "Forbidden", "error": 403}), BadConfig),
    (answer(404, {"reason": "banned", "message": "Not Found", "error": 404}), BadConfig),
    (answer(404, {"message": "Not Found", "error": 404}), BadConfig),
    (answer(302, headers={"Location": "https://www.reddit.com/subreddits/search?q=x"}),
     BadConfig),
    (answer(500, content=b"<html>"), Unavailable),
    (answer(200, content=b"<html>"), Unavailable),
    (answer(200, {"kind": "t3"}), Unavailable),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        _client().fetch(http, CONFIG, None, TOKEN)
    assert TOKEN not in str(caught.value)
    if kind is RateLimited:
        assert getattr(caught.value, "retry_after_s", None) == 42.0
