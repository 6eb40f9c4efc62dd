from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
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
from confiance.sources.clients.x_v2 import FIELDS, LIMIT, XRecentSearchClient
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "x-v2" / "search_recent.json"
PAGE = orjson.loads(FIXTURE.read_bytes())
CONFIG = {"query": "\"maison lumière\" -is:retweet"}
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BEARER = "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid%2BULvsea4JtiGRiSDSJSI"
BASE = 1_861_234_567_890_000_000


def tweet(number: int) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(PAGE["data"][0])
    found["id"] = str(BASE + number)
    found.pop("referenced_tweets", None)
    return found


class RecentSearch:
    """search/recent: newest first; ``since_id`` exclusive; ``next_token`` pages older."""

    def __init__(self, count: int) -> None:
        self.tweets = [tweet(n) for n in range(1, count + 1)]
        self.headers: dict[str, str] = {}

    def add(self, count: int) -> None:
        start = len(self.tweets) + 1
        self.tweets += [tweet(n) for n in range(start, start + count)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/2/tweets/search/recent"
        params = request.url.params
        assert params["query"] == CONFIG["query"]
        for key, value in FIELDS.items():
            assert params[key] == value
        since = params.get("since_id")
        matching = [t for t in reversed(self.tweets) if since is None or int(t["id"]) > int(since)]
        token = params.get("next_token")
        offset = 0
        if token:
            token_since, _, text = token.partition("-")
            assert token_since == (since or "")  # the same query goes with its next_token
            offset = int(text)
        limit = int(params["max_results"])
        page = matching[offset:offset + limit]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta |= {"newest_id": page[0]["id"], "oldest_id": page[-1]["id"]}
        if offset + limit < len(matching):
            meta["next_token"] = f"{since or ''}-{offset + limit}"
        body: dict[str, Any] = {"meta": meta}
        if page:
            body |= {"data": page, "includes": PAGE["includes"]}
        return answer(200, body, headers=self.headers)


def _client() -> XRecentSearchClient:
    client = XRecentSearchClient()
    client.clock = lambda: NOW
    return client


def _ids(fetched: Any) -> list[str]:
    return [p.platform_id for p in posts("x-v2", fetched)]


def test_check() -> None:
    assert _client().check(CONFIG) == CONFIG
    for bad in ({}, {"query": ""}, {"query": "x" * 5000}):
        with pytest.raises(ConfianceError) as caught:
            _client().check(bad)
        assert caught.value.code == "E750"


def test_polls_with_since_id_and_fills_a_gap_with_next_token() -> None:
    server = RecentSearch(300)
    client = _client()
    with http_client(server) as (http, recorder):
        first = client.fetch(http, CONFIG, None, BEARER)
        assert "since_id" not in recorder.last.url.params
        assert recorder.last.url.params["max_results"] == str(LIMIT)
        assert recorder.last.headers["Authorization"] == f"Bearer {BEARER}"
        assert not first.more  # never walks the seven days of history
        received = _ids(first)
        assert len(received) == LIMIT
        assert first.cursor == {"since_id": server.tweets[-1]["id"]}
        assert {p.author.handle for p in posts("x-v2", first) if p.author} == {"lea_dcr"}

        server.add(250)
        cursor = first.cursor
        calls = 0
        while True:
            fetched = client.fetch(http, CONFIG, cursor, BEARER)
            calls += 1
            assert recorder.last.url.params["since_id"] == server.tweets[299]["id"]
            received += _ids(fetched)
            cursor = fetched.cursor or cursor
            if fetched.more:
                assert "next_token" in cursor and "pending" in cursor
            else:
                break
        assert calls == 3
        assert cursor == {"since_id": server.tweets[-1]["id"]}

        idle = client.fetch(http, CONFIG, cursor, BEARER)
        assert idle.payloads == [] and idle.cursor is None
    assert len(received) == len(set(received)) == 350
    assert set(received) == {t["id"] for t in server.tweets[-350:]}


def test_a_since_id_older_than_seven_days_starts_again() -> None:
    body = {"errors": [{"parameters": {"since_id": ["1"]},
                        "message": "Invalid 'since_id':'1'. 'since_id' must be a tweet id "
                                   "created after 2026-11-16T12:00Z."}],
            "title": "Invalid Request", "detail": "One or more parameters to your request "
                                                   "was invalid."}
    with http_client(lambda r: answer(400, body)) as (http, _):
        fetched = _client().fetch(http, CONFIG, {"since_id": "1"}, BEARER)
    assert fetched.cursor == {} and fetched.more and fetched.payloads == []


def test_rate_limit_headers_give_wait_s() -> None:
    server = RecentSearch(3)
    reset = str(int((NOW + timedelta(minutes=12)).timestamp()))
    server.headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "1",
                      "x-rate-limit-reset": reset}
    with http_client(server) as (http, _):
        assert _client().fetch(http, CONFIG, None, BEARER).wait_s == pytest.approx(720)
        server.headers["x-rate-limit-remaining"] = "200"
        assert _client().fetch(http, CONFIG, None, BEARER).wait_s is None


def test_429_is_rate_limited_until_the_reset() -> None:
    reset = str(int((NOW + timedelta(minutes=9)).timestamp()))
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "status": 429}
    with http_client(lambda r: answer(429, body, headers={"x-rate-limit-reset": reset})) as (
            http, _), pytest.raises(RateLimited) as caught:
        _client().fetch(http, CONFIG, None, BEARER)
    assert caught.value.retry_after_s == pytest.approx(540)


def test_a_spent_monthly_cap_is_a_rate_limit() -> None:
    body = {"title": "UsageCapExceeded", "detail": "Usage cap exceeded: Monthly product cap"}
    with http_client(lambda r: answer(429, body)) as (http, _), \
            pytest.raises(RateLimited, match="monthly post cap"):
        _client().fetch(http, CONFIG, None, BEARER)


def test_no_token_is_auth_failed_without_a_request() -> None:
    with http_client(RecentSearch(1)) as (http, recorder), pytest.raises(AuthFailed):
        _client().fetch(http, CONFIG, None, None)
    assert recorder.requests == []


@pytest.mark.parametrize(("response", "kind"), [
    (answer(401, {"title": "Unauthorized", "detail": f"bad token {BEARER}"}), AuthFailed),
    (answer(403, {"title": "Client Forbidden", "reason": "client-not-enrolled"}), AuthFailed),
    (answer(400, {"errors": [{"message": "There were errors processing your request: "
                              "Ambiguous use of and as a keyword"}], "title": "Invalid Request"}),
     BadConfig),
    (answer(503, {"title": "Service Unavailable"}), Unavailable),
    (answer(200, content=b"<html>"), Unavailable),
    (answer(200, {"data": "nope", "meta": {}}), Unavailable),
    (answer(200, ["not", "a", "page"]), Unavailable),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        _client().fetch(http, CONFIG, {"since_id": "5"}, BEARER)
    assert BEARER not in str(caught.value)


def test_an_empty_page_keeps_the_cursor() -> None:
    with http_client(lambda r: answer(200, {"meta": {"result_count": 0}})) as (http, _):
        fetched = _client().fetch(http, CONFIG, {"since_id": str(BASE)}, BEARER)
    assert fetched.payloads == [] and fetched.cursor is None and not fetched.more
