from __future__ import annotations

import base64
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
    iso,
    parse_instant,
)
from confiance.sources.clients.bluesky import LIMIT, PUBLIC, SIGNED_IN, BlueskyClient
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "bluesky" / "search_posts.json"
TEMPLATE = orjson.loads(FIXTURE.read_bytes())["posts"][0]
CONFIG = {"query": "maison lumière", "lang": "fr"}
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
APP_PASSWORD = "lea-bougies.bsky.social:abcd-efgh-ijkl-mnop"


def jwt(expires: datetime) -> str:
    claims = base64.urlsafe_b64encode(orjson.dumps({"exp": int(expires.timestamp())}))
    return f"eyJhbGciOiJFUzI1NksifQ.{claims.decode().rstrip('=')}.c2lnbmF0dXJl"


def post_view(number: int, at: datetime) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(TEMPLATE)
    found["uri"] = f"at://did:plc:k4m2x7qv9rz3nb5yd6hwt8ca/app.bsky.feed.post/3post{number:06d}"
    found["record"]["createdAt"] = iso(at)
    found["record"].pop("reply", None)
    found["indexedAt"] = iso(at + timedelta(seconds=1))
    return found


class Search:
    """searchPosts sorted by latest: ``since`` (inclusive, on sortAt) and offset cursors."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.headers: dict[str, str] = {}
        self.token: str | None = None
        self.sessions = 0

    def add(self, count: int, *, start: datetime | None = None) -> None:
        first = len(self.posts)
        at = start or (START + timedelta(seconds=10 * first))
        self.posts += [post_view(first + n, at + timedelta(seconds=10 * n))
                       for n in range(count)]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createSession"):
            self.sessions += 1
            login = orjson.loads(request.content)
            if login["password"] != "abcd-efgh-ijkl-mnop":
                return answer(401, {"error": "AuthenticationRequired",
                                    "message": "Invalid identifier or password"})
            self.token = jwt(NOW + timedelta(hours=2))
            return answer(200, {"accessJwt": self.token, "refreshJwt": "r", "did": "did:x"})
        assert request.url.path == "/xrpc/app.bsky.feed.searchPosts"
        params = request.url.params
        assert params["sort"] == "latest" and params["q"] == "maison lumière"
        since = parse_instant(params.get("since"))
        matching = sorted(
            (p for p in self.posts
             if since is None or _at(p["record"]["createdAt"]) >= since),
            key=lambda p: p["record"]["createdAt"], reverse=True)
        offset = int(params.get("cursor", "0"))
        limit = int(params["limit"])
        page = matching[offset:offset + limit]
        body: dict[str, Any] = {"posts": page, "hitsTotal": len(matching)}
        if offset + limit < len(matching):
            body["cursor"] = str(offset + limit)
        return answer(200, body, headers=self.headers)


def _at(text: str) -> datetime:
    moment = parse_instant(text)
    assert moment is not None
    return moment


def _client() -> BlueskyClient:
    client = BlueskyClient()
    client.clock = lambda: NOW
    return client


def _drain(client: BlueskyClient, http: httpx.Client, cursor: dict[str, Any] | None,
           secret: str | None = None) -> tuple[list[str], dict[str, Any] | None, int]:
    received: list[str] = []
    calls = 0
    while True:
        fetched = client.fetch(http, CONFIG, cursor, secret)
        calls += 1
        received += [p.platform_id for p in posts("bluesky", fetched)]
        cursor = fetched.cursor if fetched.cursor is not None else cursor
        if not fetched.more:
            return received, cursor, calls


def test_check_normalises() -> None:
    client = _client()
    assert client.check({"query": " #MaisonLumiere ", "service": "bsky.social"}) == {
        "query": "#MaisonLumiere", "lang": None, "service": "https://bsky.social"}
    for bad in ({}, {"query": ""}, {"query": "x", "lang": "français"},
                {"query": "x", "service": "https://bsky.social/xrpc"}):
        with pytest.raises(ConfianceError) as caught:
            client.check(bad)
        assert caught.value.code == "E750"


def test_first_poll_takes_the_latest_page_then_walks_a_backlog_once() -> None:
    server = Search()
    server.add(250)
    client = _client()
    with http_client(server) as (http, recorder):
        first = client.fetch(http, CONFIG, None, None)
        assert "since" not in recorder.last.url.params and not first.more
        assert recorder.last.url.params["limit"] == str(LIMIT)
        assert recorder.last.url.params["lang"] == "fr"
        assert str(recorder.last.url).startswith(PUBLIC)
        received = [p.platform_id for p in posts("bluesky", first)]
        assert len(received) == LIMIT
        cursor = first.cursor
        assert cursor is not None
        assert cursor["since"] == server.posts[-1]["record"]["createdAt"]

        server.add(230)  # more than two pages arrive between polls
        backlog, cursor, calls = _drain(client, http, cursor)
        assert calls == 3
        assert len(backlog) == 230 and len(set(backlog)) == 230
        assert not set(backlog) & set(received)
        assert cursor is not None and cursor["since"] == server.posts[-1]["record"]["createdAt"]
        assert "page" not in cursor and "pending" not in cursor

        idle = client.fetch(http, CONFIG, cursor, None)
        assert idle.payloads == [] and idle.cursor is None
        since = _at(recorder.last.url.params["since"])
        assert since < _at(cursor["since"])  # the overlap
    assert set(received + backlog) == {p["uri"] for p in server.posts[-330:]}


def test_a_post_indexed_late_within_the_overlap_is_still_found() -> None:
    server = Search()
    server.add(5)
    client = _client()
    with http_client(server) as (http, _):
        cursor = client.fetch(http, CONFIG, None, None).cursor
        assert cursor is not None
        late_time = START + timedelta(seconds=35)  # older than the newest seen (40 s)
        server.posts.append(post_view(999, late_time))
        fetched = client.fetch(http, CONFIG, cursor, None)
    assert [p.platform_id for p in posts("bluesky", fetched)] == [server.posts[-1]["uri"]]
    assert fetched.cursor is not None
    assert fetched.cursor["since"] == cursor["since"]  # never moves back


def test_app_password_opens_one_session_and_reuses_it() -> None:
    server = Search()
    server.add(3)
    client = _client()
    with http_client(server) as (http, recorder):
        client.fetch(http, CONFIG, None, APP_PASSWORD)
        client.fetch(http, CONFIG, None, APP_PASSWORD)
    assert server.sessions == 1
    assert str(recorder.last.url).startswith(SIGNED_IN)
    assert recorder.last.headers["Authorization"] == f"Bearer {server.token}"
    session_request = recorder.requests[0]
    assert orjson.loads(session_request.content)["identifier"] == "lea-bougies.bsky.social"


def test_a_refused_app_password_is_auth_failed_without_the_password() -> None:
    with http_client(Search()) as (http, _), pytest.raises(AuthFailed) as caught:
        _client().fetch(http, CONFIG, None, "lea.bsky.social:wrong-pass-word-xxxx")
    assert "wrong-pass-word-xxxx" not in str(caught.value)


def test_an_access_token_reports_its_expiry() -> None:
    server = Search()
    server.add(1)
    token = jwt(NOW + timedelta(minutes=90))
    with http_client(server) as (http, recorder):
        fetched = _client().fetch(http, CONFIG, None, token)
    assert recorder.last.headers["Authorization"] == f"Bearer {token}"
    assert fetched.token_expires_at == datetime.fromtimestamp(
        int((NOW + timedelta(minutes=90)).timestamp()), UTC)


def test_an_expired_session_is_renewed_at_the_next_poll() -> None:
    server = Search()
    server.add(1)
    client = _client()
    expired = {"error": "ExpiredToken", "message": "Token has expired"}
    with http_client(server) as (http, _):
        client.fetch(http, CONFIG, None, APP_PASSWORD)
    with http_client(lambda r: answer(400, expired)) as (http, _), \
            pytest.raises(Unavailable):
        client.fetch(http, CONFIG, None, APP_PASSWORD)
    with http_client(server) as (http, _):
        client.fetch(http, CONFIG, None, APP_PASSWORD)
    assert server.sessions == 2


def test_an_expired_access_token_is_auth_failed() -> None:
    token = jwt(NOW - timedelta(minutes=1))
    expired = {"error": "ExpiredToken", "message": "Token has expired"}
    with http_client(lambda r: answer(400, expired)) as (http, _), \
            pytest.raises(AuthFailed) as caught:
        _client().fetch(http, CONFIG, None, token)
    assert token not in str(caught.value)


def test_rate_limit_headers_give_wait_s() -> None:
    server = Search()
    server.add(1)
    reset = str(int((NOW + timedelta(seconds=200)).timestamp()))
    server.headers = {"RateLimit-Limit": "3000", "RateLimit-Remaining": "2",
                      "RateLimit-Reset": reset}
    with http_client(server) as (http, _):
        assert _client().fetch(http, CONFIG, None, None).wait_s == pytest.approx(200)


@pytest.mark.parametrize(("response", "kind"), [
    (answer(429, {"error": "RateLimitExceeded"}, headers={"RateLimit-Reset": "1795000000"}),
     RateLimited),
    (answer(400, {"error": "InvalidRequest", "message": "q is too long"}), BadConfig),
    (answer(403, {"error": "Forbidden"}), AuthFailed),
    (answer(502, content=b"Bad Gateway"), Unavailable),
    (answer(200, content=b"not json"), Unavailable),
    (answer(200, {"feed": []}), Unavailable),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind):
        _client().fetch(http, CONFIG, None, None)


def test_an_empty_page_keeps_the_cursor() -> None:
    cursor = {"since": iso(START), "seen": {}}
    with http_client(lambda r: answer(200, {"posts": []})) as (http, _):
        fetched = _client().fetch(http, CONFIG, cursor, None)
    assert fetched.payloads == [] and fetched.cursor is None and not fetched.more
