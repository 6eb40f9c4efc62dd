from __future__ import annotations

import base64
import pickle
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.core.errors import CATALOGUE, ConfianceError
from confiance.core.hookspecs import hookimpl
from confiance.core.plugins import plugin_manager
from confiance.sources.clients import base
from confiance.sources.clients.base import (
    MAX_BODY,
    MAX_WAIT_S,
    USER_AGENT,
    AuthFailed,
    BadConfig,
    Fetched,
    RateLimited,
    Reply,
    Sessions,
    SourceError,
    Unavailable,
    budget_wait,
    jwt_expiry,
    poll_clients,
    redact,
    refuse,
    remaining,
    retry_after,
    send,
)
from tests.sources.clients.mock_http import REGISTRY, answer, http_client

NOW = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
CLIENTS = poll_clients(plugin_manager(entry_points=False))

VALID: dict[str, tuple[dict[str, Any], str | None]] = {
    "rss": ({"url": "https://deco-et-sens.fr/feed/"}, None),
    "atom": ({"url": "https://bougies-de-jeanne.fr/feed.atom"}, None),
    "mastodon": ({"instance": "mastodon.social", "hashtag": "MaisonLumiere"}, None),
    "bluesky": ({"query": "maison lumière"}, None),
    "reddit": ({"subreddit": "france"}, "rd-token-XYZ123"),
    "x-v2": ({"query": "maison lumière"}, "AAAAxBearerSecret"),
    "youtube-comments": ({"video_id": "aB3dE5fG7hI"}, "AIzaSyKeyKeyKey"),
    "facebook-graph": ({"page_id": "104912345678901"}, "EAAGpagetoken"),
    "instagram-graph": ({"user_id": "17841405822304914", "hashtag_id": "17843826142012701"},
                        "EAAGusertoken"),
}
"""A working configuration and secret for every built-in client."""


# ---------------------------------------------------------------------------- retry_after


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Retry-After": "120"}, 120.0),
    ({"retry-after": " 7 "}, 7.0),
    ({"Retry-After": format_datetime(NOW + timedelta(seconds=90), usegmt=True)}, 90.0),
    ({"x-rate-limit-reset": str(int((NOW + timedelta(minutes=15)).timestamp()))}, 900.0),
    ({"X-RateLimit-Reset": (NOW + timedelta(minutes=4)).isoformat()}, 240.0),
    ({"X-RateLimit-Reset": "2026-11-23T12:05:00.000Z"}, 300.0),
    ({"X-Ratelimit-Reset": "412"}, 412.0),
    ({"RateLimit-Reset": str(int(NOW.timestamp()) + 30)}, 30.0),
    ({"ratelimit-reset": str(int(NOW.timestamp() * 1000) + 45_000)}, 45.0),
])
def test_retry_after_reads_each_platforms_header(headers: dict[str, str],
                                                 expected: float) -> None:
    assert retry_after(headers, NOW) == pytest.approx(expected, abs=1)


def test_retry_after_prefers_retry_after_then_falls_back_on_garbage() -> None:
    both = {"Retry-After": "5", "x-rate-limit-reset": str(int(NOW.timestamp()) + 900)}
    assert retry_after(both, NOW) == 5.0
    garbage = {"Retry-After": "soon", "x-rate-limit-reset": str(int(NOW.timestamp()) + 900)}
    assert retry_after(garbage, NOW) == pytest.approx(900, abs=1)


@pytest.mark.parametrize("headers", [
    {}, {"Retry-After": ""}, {"Retry-After": "tomorrow"}, {"Retry-After": "1e9"},
    {"X-RateLimit-Reset": "nan"}, {"X-RateLimit-Reset": "inf"}, {"Retry-After": "12 s"},
    {"Content-Type": "application/json"},
])
def test_retry_after_is_none_when_nothing_is_readable(headers: dict[str, str]) -> None:
    assert retry_after(headers, NOW) is None


def test_retry_after_never_negative_and_at_most_a_day() -> None:
    past = format_datetime(NOW - timedelta(hours=1), usegmt=True)
    assert retry_after({"Retry-After": past}, NOW) == 0.0
    assert retry_after({"Retry-After": "-30"}, NOW) == 0.0
    assert retry_after({"Retry-After": "99999999"}, NOW) == MAX_WAIT_S
    assert retry_after({"X-RateLimit-Reset": "9999-12-31T23:59:59Z"}, NOW) == MAX_WAIT_S


def test_retry_after_reads_httpx_headers_and_a_naive_now() -> None:
    headers = httpx.Headers({"RETRY-AFTER": "3"})
    assert retry_after(headers, NOW.replace(tzinfo=None)) == 3.0


_HEADER_NAMES = st.sampled_from([
    "Retry-After", "retry-after", "x-rate-limit-reset", "X-RateLimit-Reset",
    "x-ratelimit-reset", "RateLimit-Reset", "x-rate-limit-remaining", "Date", "X-Other"])
_HEADER_VALUES = st.one_of(
    st.text(max_size=80),
    st.integers(min_value=-10**25, max_value=10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.datetimes(timezones=st.none() | st.just(UTC)).map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: format_datetime(d, usegmt=True)),
)


@settings(max_examples=400, deadline=None)
@given(headers=st.dictionaries(_HEADER_NAMES, _HEADER_VALUES, max_size=5),
       now=st.datetimes(timezones=st.none() | st.just(UTC)))
def test_retry_after_never_raises_and_stays_in_range(headers: dict[str, str],
                                                     now: datetime) -> None:
    seconds = retry_after(headers, now)
    assert seconds is None or 0.0 <= seconds <= MAX_WAIT_S
    left = remaining(headers)
    assert left is None or left >= 0.0
    wait = budget_wait(headers, now, reserve=1)
    assert wait is None or 0.0 < wait <= MAX_WAIT_S


def test_budget_wait_only_when_the_budget_is_nearly_spent() -> None:
    reset = {"X-RateLimit-Reset": (NOW + timedelta(minutes=3)).isoformat()}
    assert budget_wait({**reset, "X-RateLimit-Remaining": "200"}, NOW, reserve=5) is None
    assert budget_wait({**reset, "X-RateLimit-Remaining": "5"}, NOW,
                       reserve=5) == pytest.approx(180, abs=1)
    assert budget_wait({"x-ratelimit-remaining": "0.0"}, NOW, reserve=1) == base.DEFAULT_RETRY_S
    assert budget_wait({}, NOW, reserve=5) is None


# ---------------------------------------------------------------------------- errors


def test_errors_carry_their_code_message_and_wait() -> None:
    error = RateLimited.about("X", "HTTP 429", retry_after_s=30.0)
    assert error.code == "E752" and str(error).startswith("E752: X asks to slow down: HTTP 429")
    assert error.as_dict() == {"code": "E752", "message": error.message, "retry_after_s": 30.0}
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is RateLimited and copy.retry_after_s == 30.0
    assert copy.message == error.message
    for kind in (AuthFailed, RateLimited, Unavailable, BadConfig):
        assert issubclass(kind, SourceError) and kind.code in CATALOGUE


def test_a_plain_message_is_kept_as_given() -> None:
    error = AuthFailed("the token was revoked", retry_after_s=None)
    assert error.message == str(error) == "the token was revoked" and error.code == "E751"
    coded = BadConfig("No polling client for 'tiktok'.", code="E748")
    assert str(coded) == "E748: No polling client for 'tiktok'." and BadConfig.code == "E754"
    assert str(pickle.loads(pickle.dumps(coded))) == str(coded)


def test_about_removes_secrets_and_their_parts() -> None:
    error = AuthFailed.about("Reddit", "refused id-123456 and pw-abcdef, id-123456:pw-abcdef",
                             secrets=["id-123456:pw-abcdef", None])
    assert "id-123456" not in error.message and "pw-abcdef" not in error.message
    assert "[secret]" in error.message


def test_redact_keeps_one_short_line() -> None:
    text = redact("line one\nline two\x00" + "x" * 500)
    assert "\n" not in text and "\x00" not in text and len(text) == 300
    assert redact("see https://h.example/p?key=abc and ftp://x") == "see [address] and [address]"


@pytest.mark.parametrize(("status", "kind"), [
    (400, BadConfig), (401, AuthFailed), (403, AuthFailed), (404, BadConfig), (410, BadConfig),
    (408, Unavailable), (429, RateLimited), (500, Unavailable), (502, Unavailable),
    (503, Unavailable), (302, Unavailable), (204, Unavailable),
])
def test_refuse_classifies_by_status(status: int, kind: type[SourceError]) -> None:
    reply = Reply(status, httpx.Headers({"Retry-After": "12"}), b'{"error": "nope"}')
    error = refuse(reply, "Test", NOW)
    assert type(error) is kind
    if kind is RateLimited or status == 503:
        assert error.retry_after_s == 12.0
    if status == 400:
        assert "nope" in error.message


def test_a_429_without_headers_still_says_when_to_retry() -> None:
    error = refuse(Reply(429, httpx.Headers(), b""), "Test", NOW)
    assert isinstance(error, RateLimited) and error.retry_after_s == base.DEFAULT_RETRY_S


# ---------------------------------------------------------------------------- send


def test_send_names_confiance_and_sets_time_limits() -> None:
    with http_client(lambda r: answer(200, {"ok": True})) as (http, recorder):
        reply = send(http, "https://example.org/api", platform="Test", params={"q": "a b"})
    assert reply.status == 200 and reply.json("Test") == {"ok": True}
    request = recorder.last
    assert request.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("Confiance/") and "(+self-hosted listening)" in USER_AGENT
    assert request.url.params["q"] == "a b"
    assert request.extensions["timeout"]["connect"] == 10.0


@pytest.mark.parametrize("failure", [
    httpx.ConnectTimeout("timed out"), httpx.ReadTimeout("timed out"),
    httpx.ConnectError("[Errno 111] refused https://h/?key=SECRET-KEY"),
    httpx.RemoteProtocolError("peer closed"),
])
def test_network_failures_are_unavailable_without_url_or_secret(failure: Exception) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    with http_client(fail) as (http, _), pytest.raises(Unavailable) as caught:
        send(http, "https://example.org/api?key=SECRET-KEY", platform="Test",
             secrets=["SECRET-KEY"])
    assert "SECRET-KEY" not in str(caught.value) and "https://" not in str(caught.value)


@pytest.mark.parametrize("name", ["mastodon", "youtube-comments", "x-v2"])
def test_a_token_that_cannot_be_a_header_is_auth_failed(name: str) -> None:
    config, _ = VALID[name]
    with http_client(lambda r: answer(200, {})) as (http, recorder), \
            pytest.raises(AuthFailed, match="copied whole") as caught:
        CLIENTS[name].fetch(http, config, None, "tok\u00e9n\n-secret")
    assert recorder.requests == [] and "secret" not in str(caught.value).split("copied")[0]


def test_an_oversized_body_is_refused() -> None:
    big = b"x" * (MAX_BODY + 1)
    with http_client(lambda r: answer(200, content=big)) as (http, _), \
            pytest.raises(Unavailable, match="larger than"):
        send(http, "https://example.org/", platform="Test")


def test_a_body_that_is_not_json_is_unavailable() -> None:
    reply = Reply(200, httpx.Headers(), b"<html>maintenance</html>")
    with pytest.raises(Unavailable, match="not the documented JSON"):
        reply.json("Test")


# ---------------------------------------------------------------------------- tokens


def _jwt(claims: str) -> str:
    payload = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    return f"eyJhbGciOiJIUzI1NiJ9.{payload}.c2ln"


def test_jwt_expiry_reads_exp_and_ignores_anything_else() -> None:
    assert jwt_expiry(_jwt('{"exp": 1795000000}')) == datetime.fromtimestamp(1795000000, UTC)
    for token in (None, "", "opaque-token", _jwt('{"sub": "x"}'), _jwt("not json"),
                  _jwt('{"exp": true}'), _jwt('{"exp": 1e30}'), "eyJ.!!!.x"):
        assert jwt_expiry(token) is None


def test_sessions_forget_a_token_two_minutes_before_it_expires() -> None:
    sessions = Sessions()
    sessions.put("cred", "tok", NOW + timedelta(minutes=10))
    assert sessions.get("cred", NOW) == "tok"
    assert sessions.get("cred", NOW + timedelta(minutes=9)) is None
    sessions.drop("cred")
    assert sessions.get("cred", NOW) is None
    assert "tok" not in repr(sessions) and "cred" not in repr(sessions)


# ---------------------------------------------------------------------------- registry


def test_every_builtin_client_polls_a_registered_format() -> None:
    assert set(CLIENTS) >= set(VALID)
    for name, client in CLIENTS.items():
        assert client.format == name
        REGISTRY.get(name)  # E207 if the format were missing
        assert client.default_interval_s >= 60
        assert isinstance(client.needs_secret, bool)


def test_a_plugin_adds_a_client_through_the_hook() -> None:
    class ForumClient:
        format = "my-forum"
        needs_secret = False
        default_interval_s = 120.0

        def check(self, config: Any) -> dict[str, Any]:
            return dict(config)

        def fetch(self, http: httpx.Client, config: Any, cursor: Any,
                  secret: str | None) -> Fetched:
            return Fetched(payloads=[], cursor=None)

    class Plugin:
        @hookimpl
        def confiance_poll_clients(self) -> list[Any]:
            return [ForumClient()]

    manager = plugin_manager(entry_points=False)
    manager.register(Plugin())
    found = poll_clients(manager)
    assert isinstance(found["my-forum"], ForumClient) and "mastodon" in found


@pytest.mark.parametrize("name", sorted(VALID))
def test_check_refuses_unknown_keys_and_non_objects(name: str) -> None:
    client = CLIENTS[name]
    config, _ = VALID[name]
    assert client.check(config) == client.check(client.check(config))  # normalised form is stable
    with pytest.raises(ConfianceError) as caught:
        client.check({**config, "bogus": 1})
    assert caught.value.code == "E750" and "bogus" in caught.value.message
    with pytest.raises(ConfianceError):
        client.check([])  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(VALID))
def test_fetch_with_a_broken_configuration_is_bad_config(name: str) -> None:
    client = CLIENTS[name]
    _, secret = VALID[name]
    with http_client(lambda r: answer(500)) as (http, recorder), pytest.raises(BadConfig):
        client.fetch(http, {"bogus": True}, None, secret)
    assert recorder.requests == []


# ---------------------------------------------------------------------------- fuzzing

_KEYS = ["posts", "data", "items", "kind", "meta", "id", "uri", "cursor", "next_token",
         "newest_id", "nextPageToken", "children", "error", "indexedAt", "name", "record",
         "snippet", "Listing", "paging", "timestamp", "created_time", "code"]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(_KEYS) | st.text(max_size=8), inner, max_size=5),
    max_leaves=25,
)
_BODIES = st.one_of(
    _JSON.map(lambda v: httpx.Response(200, json=v)),
    st.binary(max_size=300).map(lambda b: httpx.Response(200, content=b)),
    st.tuples(st.sampled_from([200, 304, 400, 401, 403, 404, 429, 500, 503]), _JSON).map(
        lambda p: httpx.Response(p[0], json=p[1])),
)
_CURSORS = st.none() | st.dictionaries(
    st.sampled_from(["min_id", "since", "seen", "page", "pending", "pending_ids", "before",
                     "probe", "since_id", "next_token", "newest", "etag", "last_modified",
                     "sha256", "hashtag", "hashtag_id"]),
    _JSON, max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(VALID)), response=_BODIES, cursor=_CURSORS)
def test_malformed_bodies_and_cursors_raise_only_source_errors(
        name: str, response: httpx.Response, cursor: dict[str, Any] | None) -> None:
    client = CLIENTS[name]
    config, secret = VALID[name]
    with http_client(lambda r: response) as (http, _):
        try:
            fetched = client.fetch(http, config, cursor, secret)
        except SourceError as error:
            assert secret is None or secret not in str(error)
            return
    assert isinstance(fetched, Fetched)
    for payload in fetched.payloads:
        list(REGISTRY.get(name).parse(payload))  # the parser takes it without raising
    if fetched.cursor is not None:
        assert orjson.loads(orjson.dumps(fetched.cursor)) == fetched.cursor
