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
    iso,
)
from confiance.sources.clients.youtube_comments import (
    LIMIT,
    PACIFIC,
    YouTubeCommentsClient,
    seconds_to_pacific_midnight,
)
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURE = Path(__file__).parents[1] / "fixtures" / "youtube-comments" / "comment_threads.json"
PAGE = orjson.loads(FIXTURE.read_bytes())
TEMPLATE = PAGE["items"][0]
CONFIG = {"video_id": "aB3dE5fG7hI"}
KEY = "AIzaSyD-secret-api-key-0123456789"
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def thread(number: int, at: datetime) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(TEMPLATE)
    found["id"] = f"Ugthread{number:06d}"
    top = found["snippet"]["topLevelComment"]
    top["id"] = found["id"]
    top["snippet"]["publishedAt"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    found.pop("replies", None)
    return found


def _error(status: int, reason: str, message: str = "error") -> httpx.Response:
    return answer(status, {"error": {"code": status, "message": message,
                                     "errors": [{"reason": reason, "domain": "youtube"}]}})


class Threads:
    """commentThreads.list ordered by time, newest first, with page tokens."""

    def __init__(self) -> None:
        self.threads: list[dict[str, Any]] = []

    def add(self, count: int, *, same_second: bool = False) -> None:
        first = len(self.threads)
        for n in range(count):
            seconds = first if same_second else first + n
            self.threads.append(thread(first + n, START + timedelta(seconds=30 * seconds)))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/youtube/v3/commentThreads"
        assert request.headers["X-Goog-Api-Key"] == KEY
        assert KEY not in str(request.url)
        params = request.url.params
        assert params["order"] == "time" and params["videoId"] == "aB3dE5fG7hI"
        assert params["part"] == "snippet,replies"
        newest_first = list(reversed(self.threads))
        offset = int(params.get("pageToken", "0"))
        limit = int(params["maxResults"])
        body: dict[str, Any] = {"kind": PAGE["kind"], "items": newest_first[offset:offset + limit],
                                "pageInfo": {"resultsPerPage": limit}}
        if offset + limit < len(newest_first):
            body["nextPageToken"] = str(offset + limit)
        return answer(200, body)


def _client() -> YouTubeCommentsClient:
    client = YouTubeCommentsClient()
    client.clock = lambda: NOW
    return client


def _ids(fetched: Any) -> list[str]:
    return [p.platform_id for p in posts("youtube-comments", fetched)]


def test_check_needs_exactly_one_of_video_or_channel() -> None:
    client = _client()
    assert client.check(CONFIG) == {"video_id": "aB3dE5fG7hI", "channel_id": None,
                                    "search_terms": None}
    channel = {"channel_id": "UCm4ls0NLum1ereM4Vw2xKpQ"}
    assert client.check(channel)["channel_id"] == channel["channel_id"]
    for bad in ({}, {**CONFIG, **channel}, {"video_id": "https://youtu.be/aB3dE5fG7hI"},
                {"channel_id": "@maisonlumiere"}):
        with pytest.raises(ConfianceError) as caught:
            client.check(bad)
        assert caught.value.code == "E750"


def test_polls_the_newest_threads_and_walks_a_backlog_once() -> None:
    server = Threads()
    server.add(150)
    client = _client()
    with http_client(server) as (http, recorder):
        first = client.fetch(http, CONFIG, None, KEY)
        assert "pageToken" not in recorder.last.url.params and not first.more
        assert recorder.last.url.params["maxResults"] == str(LIMIT)
        received = _ids(first)
        assert len(received) == LIMIT
        cursor = first.cursor
        assert cursor is not None and cursor["newest"] == iso(START + timedelta(seconds=30 * 149))

        server.add(230)
        calls = 0
        while True:
            fetched = client.fetch(http, CONFIG, cursor, KEY)
            calls += 1
            received += _ids(fetched)
            cursor = fetched.cursor or cursor
            if not fetched.more:
                break
        assert calls == 3
        assert "page" not in cursor and "pending" not in cursor
        idle = client.fetch(http, CONFIG, cursor, KEY)
        assert idle.payloads == [] and idle.cursor is None
    assert len(received) == len(set(received)) == 330
    assert set(received) == {t["id"] for t in server.threads[-330:]}


def test_threads_published_in_the_same_second_are_told_apart() -> None:
    server = Threads()
    server.add(2, same_second=True)
    client = _client()
    with http_client(server) as (http, _):
        first = client.fetch(http, CONFIG, None, KEY)
        assert first.cursor is not None and len(first.cursor["seen"]) == 2
        server.add(1, same_second=True)
        server.threads[-1]["snippet"]["topLevelComment"]["snippet"]["publishedAt"] = \
            server.threads[0]["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
        second = client.fetch(http, CONFIG, first.cursor, KEY)
    assert _ids(second) == [server.threads[-1]["id"]]
    assert second.cursor is not None and len(second.cursor["seen"]) == 3


def test_quota_exceeded_waits_until_midnight_pacific() -> None:
    with http_client(lambda r: _error(403, "quotaExceeded", "The request cannot be completed "
                                      "because you have exceeded your quota.")) as (http, _), \
            pytest.raises(RateLimited) as caught:
        _client().fetch(http, CONFIG, None, KEY)
    wait = caught.value.retry_after_s
    assert wait is not None
    reset = (NOW + timedelta(seconds=wait)).astimezone(PACIFIC)
    assert (reset.hour, reset.minute, reset.second) == (0, 0, 0)
    assert 0 < wait <= 86_400 and KEY not in str(caught.value)


@pytest.mark.parametrize("moment", [
    datetime(2026, 3, 8, 7, 30, tzinfo=UTC),    # the night Pacific time springs forward
    datetime(2026, 11, 1, 7, 59, tzinfo=UTC),   # the night it falls back
    datetime(2026, 11, 23, 7, 59, 59, tzinfo=UTC),
    datetime(2026, 11, 23, 8, 0, tzinfo=UTC),   # midnight Pacific exactly
])
def test_seconds_to_pacific_midnight_land_on_midnight(moment: datetime) -> None:
    wait = seconds_to_pacific_midnight(moment)
    reset = (moment + timedelta(seconds=wait)).astimezone(PACIFIC)
    assert (reset.hour, reset.minute) == (0, 0) and 0 < wait <= 25 * 3600


@pytest.mark.parametrize(("response", "kind"), [
    (_error(400, "keyInvalid", "API key not valid. Please pass a valid API key."), AuthFailed),
    (_error(403, "accessNotConfigured", "YouTube Data API v3 has not been used"), AuthFailed),
    (_error(401, "unauthorized"), AuthFailed),
    (_error(403, "commentsDisabled", "The video has disabled comments."), BadConfig),
    (_error(404, "videoNotFound", "The video could not be found."), BadConfig),
    (_error(400, "invalidSearchFilter"), BadConfig),
    (_error(403, "rateLimitExceeded"), RateLimited),
    (answer(429, headers={"Retry-After": "30"}), RateLimited),
    (answer(500, content=b"backend error"), Unavailable),
    (answer(200, content=b"<html>"), Unavailable),
    (answer(200, {"kind": "youtube#commentThreadListResponse"}), Unavailable),
])
def test_failures_are_classified(response: httpx.Response, kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        _client().fetch(http, CONFIG, None, KEY)
    assert KEY not in str(caught.value)


def test_no_key_is_auth_failed_without_a_request() -> None:
    with http_client(Threads()) as (http, recorder), pytest.raises(AuthFailed):
        _client().fetch(http, CONFIG, None, None)
    assert recorder.requests == []


def test_a_channel_and_search_terms_are_asked_for() -> None:
    seen: list[httpx.Request] = []

    def channel(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(200, {"items": []})

    with http_client(channel) as (http, _):
        fetched = _client().fetch(http, {"channel_id": "UCm4ls0NLum1ereM4Vw2xKpQ",
                                         "search_terms": "figue"}, None, KEY)
    assert fetched.payloads == [] and fetched.cursor is None
    assert seen[0].url.params["allThreadsRelatedToChannelId"] == "UCm4ls0NLum1ereM4Vw2xKpQ"
    assert seen[0].url.params["searchTerms"] == "figue"
