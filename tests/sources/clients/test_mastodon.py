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
from confiance.sources.clients.mastodon import LIMIT, MastodonClient
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "mastodon" / "tag_timeline.json"
TEMPLATE = orjson.loads(FIXTURE.read_bytes())[0]
CONFIG = {"instance": "mastodon.social", "hashtag": "#MaisonLumiere"}
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOKEN = "mastodon-token-5f2c9a"


def status(number: int) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(TEMPLATE)
    found["id"] = str(113_000_000_000_000_000 + number)
    found["uri"] = f"https://mastodon.social/users/lea_bougies/statuses/{found['id']}"
    found["url"] = f"https://mastodon.social/@lea_bougies/{found['id']}"
    found["in_reply_to_id"] = None
    return found


class TagTimeline:
    """A Mastodon server's hashtag timeline: ``min_id`` returns the statuses just newer."""

    def __init__(self, count: int) -> None:
        self.statuses = [status(n) for n in range(1, count + 1)]
        self.headers: dict[str, str] = {}

    def add(self, count: int) -> None:
        start = len(self.statuses) + 1
        self.statuses += [status(n) for n in range(start, start + count)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/timelines/tag/MaisonLumiere"
        limit = int(request.url.params["limit"])
        min_id = request.url.params.get("min_id")
        if min_id:
            newer = [s for s in self.statuses if int(s["id"]) > int(min_id)][:limit]
        else:
            newer = self.statuses[-limit:]
        page = list(reversed(newer))
        headers = dict(self.headers)
        if page:
            base = "https://mastodon.social/api/v1/timelines/tag/MaisonLumiere"
            headers["Link"] = (f'<{base}?max_id={page[-1]["id"]}>; rel="next", '
                               f'<{base}?min_id={page[0]["id"]}>; rel="prev"')
        return answer(200, page, headers=headers)


def _client() -> MastodonClient:
    client = MastodonClient()
    client.clock = lambda: NOW
    return client


def test_check_normalises_the_instance_and_hashtag() -> None:
    client = _client()
    assert client.check(CONFIG) == {"instance": "https://mastodon.social",
                                    "hashtag": "MaisonLumiere", "local": False}
    assert client.check({"instance": "https://piaille.fr/", "hashtag": "déco_2026",
                         "local": True})["instance"] == "https://piaille.fr"
    for bad in ({"hashtag": "x"}, {"instance": "mastodon.social"},
                {"instance": "ftp://mastodon.social", "hashtag": "x"},
                {"instance": "https://user:pw@mastodon.social", "hashtag": "x"},
                {"instance": "https://mastodon.social/@lea", "hashtag": "x"},
                {"instance": "mastodon.social", "hashtag": "two words"},
                {"instance": "mastodon.social", "hashtag": "2026"},
                {"instance": "mastodon.social", "hashtag": "x", "local": "yes"}):
        with pytest.raises(ConfianceError) as caught:
            client.check(bad)
        assert caught.value.code == "E750"


def test_polls_forward_with_min_id_without_gaps_or_repeats() -> None:
    server = TagTimeline(100)
    client = _client()
    received: list[str] = []
    with http_client(server) as (http, recorder):
        first = client.fetch(http, CONFIG, None, None)
        assert "min_id" not in recorder.last.url.params  # the first poll takes the latest page
        assert recorder.last.url.params["limit"] == str(LIMIT)
        assert first.more is False and len(first.payloads) == 1
        received += [p.platform_id for p in posts("mastodon", first)]
        cursor = first.cursor
        assert cursor == {"min_id": server.statuses[-1]["id"]}

        server.add(90)
        pages = 0
        while True:
            fetched = client.fetch(http, CONFIG, cursor, None)
            assert recorder.last.url.params["min_id"] == cursor["min_id"]
            received += [p.platform_id for p in posts("mastodon", fetched)]
            cursor = fetched.cursor or cursor
            pages += 1
            if not fetched.more:
                break
        assert pages == 3  # 40 + 40 + 10
        assert len(recorder.requests) == 4  # one request per fetch

        idle = client.fetch(http, CONFIG, cursor, None)
        assert idle.payloads == [] and idle.cursor is None and idle.more is False

    expected = [s["uri"] for s in server.statuses[-130:]]
    assert sorted(received) == sorted(expected) and len(received) == len(set(received))


def test_the_cursor_never_moves_back() -> None:
    server = TagTimeline(5)
    stale = [status(2)]  # a server answering an older status than the cursor

    with http_client(lambda r: answer(200, stale)) as (http, _):
        fetched = _client().fetch(http, CONFIG, {"min_id": server.statuses[-1]["id"]}, None)
    assert fetched.payloads == [] and fetched.cursor is None


def test_the_token_is_sent_when_given() -> None:
    with http_client(TagTimeline(3)) as (http, recorder):
        _client().fetch(http, {**CONFIG, "local": True}, None, TOKEN)
    assert recorder.last.headers["Authorization"] == f"Bearer {TOKEN}"
    assert recorder.last.url.params["local"] == "true"
    assert recorder.last.headers["User-Agent"].startswith("Confiance/")


def test_rate_limit_headers_give_wait_s() -> None:
    server = TagTimeline(3)
    reset = (NOW + timedelta(minutes=4)).isoformat().replace("+00:00", "Z")
    server.headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "250",
                      "X-RateLimit-Reset": reset}
    with http_client(server) as (http, _):
        assert _client().fetch(http, CONFIG, None, None).wait_s is None
        server.headers["X-RateLimit-Remaining"] = "3"
        assert _client().fetch(http, CONFIG, None, None).wait_s == pytest.approx(240)


def test_429_is_rate_limited_until_the_reset() -> None:
    reset = (NOW + timedelta(seconds=95)).isoformat()
    with http_client(lambda r: answer(429, {"error": "Too many requests"},
                                      headers={"X-RateLimit-Reset": reset})) as (http, _), \
            pytest.raises(RateLimited) as caught:
        _client().fetch(http, CONFIG, None, TOKEN)
    assert caught.value.retry_after_s == pytest.approx(95)


def test_401_is_auth_failed_without_the_token() -> None:
    body = {"error": f"The access token is invalid ({TOKEN})"}
    with http_client(lambda r: answer(401, body)) as (http, _), \
            pytest.raises(AuthFailed) as caught:
        _client().fetch(http, CONFIG, None, TOKEN)
    assert TOKEN not in str(caught.value) and "invalid" in str(caught.value)


def test_a_server_for_signed_in_users_only_asks_for_a_token() -> None:
    body = {"error": "This method requires an authenticated user"}
    with http_client(lambda r: answer(422, body)) as (http, _), \
            pytest.raises(AuthFailed, match="read:statuses"):
        _client().fetch(http, CONFIG, None, None)


@pytest.mark.parametrize(("response", "kind"), [
    (answer(500, content=b"oops"), Unavailable),
    (answer(503, {"error": "down"}, headers={"Retry-After": "30"}), Unavailable),
    (answer(200, content=b"<html>maintenance</html>"), Unavailable),
    (answer(200, {"error": "not a list"}), Unavailable),
    (answer(200, [{"no": "id"}]), Unavailable),
    (answer(404, content=b"<html>Not found</html>"), BadConfig),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        _client().fetch(http, CONFIG, None, None)
    if response.status_code == 503:
        assert getattr(caught.value, "retry_after_s", None) == 30.0


def test_an_empty_page_keeps_the_cursor() -> None:
    with http_client(lambda r: answer(200, [])) as (http, _):
        fetched = _client().fetch(http, CONFIG, {"min_id": "5"}, None)
    assert fetched.payloads == [] and fetched.cursor is None and not fetched.more


def test_ids_of_other_servers_follow_the_prev_link() -> None:
    item = {**status(1), "id": "AbCdEf123"}
    link = '<https://pleroma.example/api/v1/timelines/tag/x?min_id=AbCdEf123>; rel="prev"'
    with http_client(lambda r: answer(200, [item], headers={"Link": link})) as (http, _):
        fetched = _client().fetch(http, CONFIG, None, None)
    assert fetched.cursor == {"min_id": "AbCdEf123"}
