from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from confiance.core.errors import ConfianceError
from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    RateLimited,
    Unavailable,
)
from confiance.sources.clients.feed import FeedClient
from tests.sources.clients.mock_http import answer, http_client, posts

FIXTURES = Path(__file__).parents[1] / "fixtures"
RSS = (FIXTURES / "rss" / "deco_et_sens.xml").read_bytes()
ATOM = (FIXTURES / "atom" / "bougies_de_jeanne.atom").read_bytes()
RSS_CONFIG = {"url": "https://deco-et-sens.fr/feed/?key=private-feed-key"}
ATOM_CONFIG = {"url": "https://bougies-de-jeanne.fr/feed.atom"}


class Site:
    """A web server that honours (or ignores) conditional requests."""

    def __init__(self, body: bytes, *, conditional: bool = True) -> None:
        self.body = body
        self.etag = '"v1"'
        self.modified = "Mon, 23 Nov 2026 08:00:00 GMT"
        self.conditional = conditional

    def change(self, body: bytes) -> None:
        self.body = body
        self.etag = '"v2"'
        self.modified = "Mon, 23 Nov 2026 09:00:00 GMT"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
        if self.conditional:
            headers |= {"ETag": self.etag, "Last-Modified": self.modified}
            if request.headers.get("If-None-Match") == self.etag:
                return httpx.Response(304, headers=headers)
        return httpx.Response(200, content=self.body, headers=headers)


def test_check_needs_an_http_address() -> None:
    client = FeedClient("rss")
    assert client.check(RSS_CONFIG) == RSS_CONFIG
    for bad in ({}, {"url": "file:///etc/passwd"}, {"url": "deco-et-sens.fr/feed"},
                {"url": "https://u:p@deco-et-sens.fr/feed"}, {"url": 42}):
        with pytest.raises(ConfianceError) as caught:
            client.check(bad)
        assert caught.value.code == "E750"
    with pytest.raises(ValueError):
        FeedClient("json")


def test_conditional_get_returns_the_document_once() -> None:
    site = Site(RSS)
    client = FeedClient("rss")
    with http_client(site) as (http, recorder):
        first = client.fetch(http, RSS_CONFIG, None, None)
        assert first.payloads == [RSS] and first.more is False
        found = posts("rss", first)
        assert len(found) >= 2 and all(p.platform.value == "web" for p in found)
        assert first.cursor is not None and first.cursor["etag"] == '"v1"'
        assert first.cursor["last_modified"] == site.modified

        second = client.fetch(http, RSS_CONFIG, first.cursor, None)
        assert recorder.last.headers["If-None-Match"] == '"v1"'
        assert recorder.last.headers["If-Modified-Since"] == site.modified
        assert second.payloads == [] and second.cursor is None

        changed = RSS.replace(b"</channel>", b"<item><guid>new-1</guid><title>Nouveau"
                                             b"</title></item></channel>")
        site.change(changed)
        third = client.fetch(http, RSS_CONFIG, first.cursor, None)
        assert third.payloads == [changed] and third.cursor is not None
        assert third.cursor["etag"] == '"v2"'
        assert "new-1" in {p.platform_id for p in posts("rss", third)}
    assert len(recorder.requests) == 3


def test_a_feed_without_validators_is_recognised_by_its_digest() -> None:
    site = Site(ATOM, conditional=False)
    client = FeedClient("atom")
    with http_client(site) as (http, recorder):
        first = client.fetch(http, ATOM_CONFIG, None, None)
        assert posts("atom", first) and first.cursor is not None
        assert set(first.cursor) == {"sha256"}
        again = client.fetch(http, ATOM_CONFIG, first.cursor, None)
    assert again.payloads == [] and again.cursor is None
    assert "If-None-Match" not in recorder.last.headers


def test_redirects_are_followed() -> None:
    def moved(request: httpx.Request) -> httpx.Response:
        if request.url.host == "old.example.fr":
            return httpx.Response(301, headers={"Location": "https://bougies-de-jeanne.fr/a"})
        return httpx.Response(200, content=ATOM)

    with http_client(moved) as (http, _):
        fetched = FeedClient("atom").fetch(http, {"url": "https://old.example.fr/feed"}, None,
                                           None)
    assert fetched.payloads == [ATOM]


def test_the_other_feed_kind_is_a_configuration_error() -> None:
    with http_client(lambda r: answer(200, content=ATOM)) as (http, _), \
            pytest.raises(BadConfig, match="atom client"):
        FeedClient("rss").fetch(http, RSS_CONFIG, None, None)


@pytest.mark.parametrize(("response", "kind"), [
    (answer(200, content=b"<!DOCTYPE html><html><body>Just a moment</body></html>"),
     Unavailable),
    (answer(200, content=b""), Unavailable),
    (answer(500, content=b"error"), Unavailable),
    (answer(404, content=b"<html>404</html>"), BadConfig),
    (answer(410, content=b"gone"), BadConfig),
    (answer(401), AuthFailed),
    (answer(429, headers={"Retry-After": "600"}), RateLimited),
])
def test_failures_are_classified_and_never_show_the_address(response: httpx.Response,
                                                            kind: type[Exception]) -> None:
    with http_client(lambda r: response) as (http, _), pytest.raises(kind) as caught:
        FeedClient("rss").fetch(http, RSS_CONFIG, None, None)
    assert "private-feed-key" not in str(caught.value) and "https://" not in str(caught.value)
    assert "deco-et-sens.fr" in str(caught.value)
    if kind is RateLimited:
        assert getattr(caught.value, "retry_after_s", None) == 600.0


def test_a_timeout_is_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with http_client(slow) as (http, _), pytest.raises(Unavailable, match="timed out"):
        FeedClient("rss").fetch(http, RSS_CONFIG, None, None)
