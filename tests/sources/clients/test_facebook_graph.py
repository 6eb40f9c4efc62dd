from __future__ import annotations

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
    iso,
)
from confiance.sources.clients.facebook_graph import FIELDS, LIMIT, FacebookPageClient
from tests.sources.clients.graph_edge import GraphEdge
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "facebook-graph" / "page_feed.json"
TEMPLATE = orjson.loads(FIXTURE.read_bytes())["data"][0]
CONFIG = {"page_id": "104912345678901"}
TOKEN = "EAAGm0PX4ZCpsBAPageTokenSecret"
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def post(number: int, at: datetime) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(TEMPLATE)
    found["id"] = f"104912345678901_{900000000000000 + number}"
    found["created_time"] = at.strftime("%Y-%m-%dT%H:%M:%S+0000")
    return found


def _client() -> FacebookPageClient:
    client = FacebookPageClient()
    client.clock = lambda: NOW
    return client


def _error(status: int, code: int, message: str = "error", **extra: Any) -> httpx.Response:
    return answer(status, {"error": {"message": message, "type": "OAuthException",
                                     "code": code, "fbtrace_id": "AbC", **extra}})


def test_check() -> None:
    assert _client().check(CONFIG) == {"page_id": "104912345678901", "edge": "feed",
                                       "api_version": "v23.0"}
    assert _client().check({**CONFIG, "edge": "posts", "api_version": "v24.0"})["edge"] == "posts"
    for bad in ({}, {"page_id": "1 2"}, {**CONFIG, "edge": "comments"},
                {**CONFIG, "api_version": "23"}):
        with pytest.raises(ConfianceError) as caught:
            _client().check(bad)
        assert caught.value.code == "E750"


def test_polls_with_since_and_walks_a_backlog_once() -> None:
    edge = GraphEdge("/104912345678901/feed", "created_time", post, TOKEN)
    edge.add(150, START)
    client = _client()
    with http_client(edge) as (http, _):
        first = client.fetch(http, CONFIG, None, TOKEN)
        request = edge.requests[-1]
        assert "since" not in request.url.params and not first.more
        assert request.url.params["fields"] == FIELDS
        assert request.url.params["limit"] == str(LIMIT)
        received = [p.platform_id for p in posts("facebook-graph", first)]
        assert len(received) == LIMIT
        assert TOKEN not in orjson.dumps(first.payloads).decode()  # paging links cleaned
        cursor = first.cursor
        assert cursor is not None and cursor["newest"] == iso(created(edge.items[-1]))

        edge.add(230, START)
        calls = 0
        while True:
            fetched = client.fetch(http, CONFIG, cursor, TOKEN)
            calls += 1
            assert edge.requests[-1].url.params["since"] == str(int(START.timestamp()) + 149 * 60)
            received += [p.platform_id for p in posts("facebook-graph", fetched)]
            cursor = fetched.cursor or cursor
            if not fetched.more:
                break
        assert calls == 3
        idle = client.fetch(http, CONFIG, cursor, TOKEN)
        assert idle.payloads == [] and idle.cursor is None
    assert len(received) == len(set(received)) == 330
    assert set(received) == {i["id"] for i in edge.items[-330:]}


def created(item: dict[str, Any]) -> datetime:
    return datetime.strptime(item["created_time"], "%Y-%m-%dT%H:%M:%S%z")


def test_usage_headers_give_wait_s() -> None:
    edge = GraphEdge("/104912345678901/feed", "created_time", post, TOKEN)
    edge.add(2, START)
    usage = {"104912345678901": [{"type": "pages", "call_count": 96, "total_cputime": 10,
                                  "total_time": 12, "estimated_time_to_regain_access": 0}]}
    with http_client(edge) as (http, _):
        edge.headers = {"X-Business-Use-Case-Usage": orjson.dumps(usage).decode()}
        assert _client().fetch(http, CONFIG, None, TOKEN).wait_s == 900.0
        usage["104912345678901"][0]["estimated_time_to_regain_access"] = 7
        edge.headers = {"X-Business-Use-Case-Usage": orjson.dumps(usage).decode()}
        assert _client().fetch(http, CONFIG, None, TOKEN).wait_s == 420.0
        edge.headers = {"X-App-Usage": '{"call_count": 12, "total_time": 30}'}
        assert _client().fetch(http, CONFIG, None, TOKEN).wait_s is None
        edge.headers = {"X-App-Usage": "garbage{"}
        assert _client().fetch(http, CONFIG, None, TOKEN).wait_s is None


@pytest.mark.parametrize(("response", "kind"), [
    (_error(400, 190, "Error validating access token: Session has expired",
            error_subcode=463), AuthFailed),
    (_error(403, 200, "Requires pages_read_engagement permission"), AuthFailed),
    (_error(400, 10, "Application does not have permission for this action"), AuthFailed),
    (_error(400, 4, "Application request limit reached"), RateLimited),
    (_error(400, 80001, "There have been too many calls to this Page account"), RateLimited),
    (_error(400, 100, "Unsupported get request. Object with ID 'x' does not exist"), BadConfig),
    (_error(404, 803, "Some of the aliases you requested do not exist"), BadConfig),
    (_error(500, 2, "An unexpected error has occurred"), Unavailable),
    (answer(502, content=b"<html>"), Unavailable),
    (answer(200, content=b"not json"), Unavailable),
    (answer(200, {"error": "no data"}), Unavailable),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        _client().fetch(http, CONFIG, None, TOKEN)
    assert TOKEN not in str(caught.value)
    if kind is RateLimited:
        assert getattr(caught.value, "retry_after_s", 0) > 0


def test_no_token_is_auth_failed_without_a_request() -> None:
    with http_client(lambda r: answer(200, {"data": []})) as (http, recorder), \
            pytest.raises(AuthFailed):
        _client().fetch(http, CONFIG, None, None)
    assert recorder.requests == []
