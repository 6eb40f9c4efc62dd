from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from confiance.core.errors import ConfianceError
from confiance.sources.clients.base import AuthFailed, BadConfig, RateLimited, Unavailable
from confiance.sources.clients.instagram_graph import FIELDS, LIMIT, InstagramHashtagClient
from tests.sources.clients.graph_edge import GraphEdge
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "instagram-graph" / "hashtag_recent_media.json"
TEMPLATE = orjson.loads(FIXTURE.read_bytes())["data"][0]
USER = "17841405822304914"
TAG_ID = "17843826142012701"
CONFIG = {"user_id": USER, "hashtag": "#MaisonLumiere"}
TOKEN = "EAAGm0PX4ZCpsBAUserTokenSecret"
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def media(number: int, at: datetime) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(TEMPLATE)
    found["id"] = str(17_900_000_000_000_000 + number)
    found["timestamp"] = at.strftime("%Y-%m-%dT%H:%M:%S+0000")
    return found


class Instagram(GraphEdge):
    """recent_media of one hashtag, and ig_hashtag_search that finds its id."""

    def __init__(self) -> None:
        super().__init__(f"/{TAG_ID}/recent_media", "timestamp", media, TOKEN)
        self.searches = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ig_hashtag_search"):
            self.searches += 1
            assert request.url.params["q"] == "maisonlumiere"
            assert request.url.params["user_id"] == USER
            return answer(200, {"data": [{"id": TAG_ID}]})
        assert request.url.params["user_id"] == USER
        assert request.url.params["fields"] == FIELDS
        return super().__call__(request)


def _client() -> InstagramHashtagClient:
    client = InstagramHashtagClient()
    client.clock = lambda: NOW
    return client


def test_check() -> None:
    assert _client().check(CONFIG) == {"user_id": USER, "hashtag": "maisonlumiere",
                                       "hashtag_id": None, "api_version": "v23.0"}
    for bad in ({"hashtag": "x"}, {"user_id": USER}, {"user_id": "lea", "hashtag": "x"},
                {"user_id": USER, "hashtag": "two words"}, {"user_id": USER, "hashtag": "2026"}):
        with pytest.raises(ConfianceError) as caught:
            _client().check(bad)
        assert caught.value.code == "E750"


def test_looks_the_hashtag_up_once_then_polls_forward() -> None:
    server = Instagram()
    server.add(80, START, step_s=300)
    client = _client()
    with http_client(server) as (http, recorder):
        lookup = client.fetch(http, CONFIG, None, TOKEN)
        assert lookup.payloads == [] and lookup.more
        assert lookup.cursor == {"hashtag": "maisonlumiere", "hashtag_id": TAG_ID}

        first = client.fetch(http, CONFIG, lookup.cursor, TOKEN)
        assert recorder.last.url.params["limit"] == str(LIMIT) and not first.more
        received = [p.platform_id for p in posts("instagram-graph", first)]
        assert len(received) == LIMIT
        cursor = first.cursor
        assert cursor is not None and cursor["hashtag_id"] == TAG_ID

        server.add(120, START, step_s=300)
        calls = 0
        while True:
            fetched = client.fetch(http, CONFIG, cursor, TOKEN)
            calls += 1
            received += [p.platform_id for p in posts("instagram-graph", fetched)]
            cursor = fetched.cursor or cursor
            if not fetched.more:
                break
        assert calls == 3
        idle = client.fetch(http, CONFIG, cursor, TOKEN)
        assert idle.payloads == [] and idle.cursor is None
    assert server.searches == 1
    assert len(received) == len(set(received)) == 170
    assert set(received) == {m["id"] for m in server.items[-170:]}
    assert TOKEN not in orjson.dumps(cursor).decode()


def test_a_changed_hashtag_is_looked_up_again() -> None:
    server = Instagram()
    server.add(3, START)
    stale = {"hashtag": "autre", "hashtag_id": "999", "newest": "2026-11-23T00:00:00Z",
             "seen": []}
    with http_client(server) as (http, _):
        fetched = _client().fetch(http, CONFIG, stale, TOKEN)
    assert server.searches == 1 and fetched.cursor is not None
    assert fetched.cursor == {"hashtag": "maisonlumiere", "hashtag_id": TAG_ID}


def test_an_unknown_hashtag_is_bad_config() -> None:
    with http_client(lambda r: answer(200, {"data": []})) as (http, _), \
            pytest.raises(BadConfig, match="maisonlumiere"):
        _client().fetch(http, CONFIG, None, TOKEN)


def test_usage_headers_give_wait_s() -> None:
    server = Instagram()
    server.add(1, START)
    server.headers = {"X-App-Usage": '{"call_count": 88, "total_cputime": 5, "total_time": 9}'}
    config = {"user_id": USER, "hashtag_id": TAG_ID}
    with http_client(server) as (http, _):
        assert _client().fetch(http, config, None, TOKEN).wait_s == 300.0


@pytest.mark.parametrize(("response", "kind"), [
    (answer(400, {"error": {"message": "Invalid OAuth access token", "code": 190}}),
     AuthFailed),
    (answer(400, {"error": {"message": "User request limit reached", "code": 17}},
            headers={"X-App-Usage": '{"call_count": 100}'}), RateLimited),
    (answer(500, {"error": {"message": "Please retry your request later.", "code": 2}}),
     Unavailable),
    (answer(200, {"data": "x"}), Unavailable),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    config = {"user_id": USER, "hashtag_id": TAG_ID}
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        _client().fetch(http, config, None, TOKEN)
    assert TOKEN not in str(caught.value)
    if kind is RateLimited:
        assert getattr(caught.value, "retry_after_s", None) == 900.0


def test_the_newest_time_never_moves_back() -> None:
    cursor = {"hashtag": "maisonlumiere", "hashtag_id": TAG_ID,
              "newest": "2026-11-23T10:00:00.000000Z", "seen": ["1"]}
    old = media(5, NOW - timedelta(hours=5))
    with http_client(lambda r: answer(200, {"data": [old]})) as (http, _):
        fetched = _client().fetch(http, CONFIG, cursor, TOKEN)
    assert fetched.payloads == [] and fetched.cursor is None
