"""The contract of a polling client, and the HTTP and rate-limit helpers the built-ins share.

``confiance listen`` polls each configured source with its client: ``fetch`` sends ONE request
and returns the raw payloads of that page, which the format named by ``client.format`` parses
unchanged (the same ``parse(payload)`` that ``confiance import`` uses), and the cursor to pass
back on the next call. The scheduler stores the payloads' posts, then the cursor, so a crash
between the two re-asks for the same page, never skips one.

A client never raises anything but :class:`SourceError` from ``fetch``: :class:`AuthFailed`
(not retried until the token changes), :class:`RateLimited` (retried after
``retry_after_s``), :class:`Unavailable` (retried with backoff) and :class:`BadConfig` (not
retried until the configuration changes). Their messages never hold the token, nor a URL:
a URL can carry a secret.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import httpx
import orjson

from confiance import __version__
from confiance.core.errors import CATALOGUE

if TYPE_CHECKING:
    import pluggy

USER_AGENT = f"Confiance/{__version__} (+self-hosted listening)"
TIMEOUT = httpx.Timeout(20.0, connect=10.0)
"""Seconds a request may take: 10 to connect, 20 for each read, write or pool wait."""
MAX_BODY = 16 * 1024 * 1024
"""Largest response body read (bytes); a larger one is refused as :class:`Unavailable`."""
MAX_WAIT_S = 86_400.0
"""Longest wait :func:`retry_after` returns: a header asking for more is read as a day."""
DEFAULT_RETRY_S = 60.0
"""Wait after a rate limit that names no reset time."""

E = TypeVar("E", bound="SourceError")


# ---------------------------------------------------------------------------- the contract


@dataclass(frozen=True)
class Fetched:
    """What one ``fetch`` brought back."""

    payloads: list[Any]
    """Raw payloads, each accepted by the format's ``parse()``; empty when nothing is new."""
    cursor: dict[str, Any] | None
    """JSON-safe; stored once the payloads are written and passed back on the next call.
    ``None`` keeps the stored cursor."""
    more: bool = False
    """Another page can be fetched right away (a backlog)."""
    wait_s: float | None = None
    """The platform's rate-limit budget is (nearly) spent: do not call before this many seconds."""
    token_expires_at: datetime | None = None
    """When the platform says the token expires (aware UTC), if it says."""


class SourceError(Exception):
    """A poll failed. ``message`` says what happened and what to do; it never holds a secret.

    ``code`` is the catalogue code (``docs/errors.md``) of the kind of failure. An error made
    with :meth:`about` holds the catalogue's sentence and reads ``"E7xx: message"``; one made
    with a message of its own (``AuthFailed("...")``) reads as that message.
    """

    code: str = "E755"

    def __init__(self, message: str, *, retry_after_s: float | None = None,
                 code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after_s = retry_after_s
        self.coded = code is not None
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.coded else self.message

    @classmethod
    def about(cls: type[E], platform: str, detail: str, *, retry_after_s: float | None = None,
              secrets: Iterable[str | None] = ()) -> E:
        """The error with its catalogue sentence; ``detail`` is cut and cleared of ``secrets``."""
        text = CATALOGUE[cls.code].format(platform=platform, detail=redact(detail, secrets))
        return cls(text, retry_after_s=retry_after_s, code=cls.code)

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data: ``code``, ``message`` and ``retry_after_s``."""
        return {"code": self.code, "message": self.message, "retry_after_s": self.retry_after_s}


class AuthFailed(SourceError):  # noqa: N818 - names the condition, as the contract does
    """401, a revoked or expired token, or 403 for a missing permission: not retried until the
    token changes."""

    code = "E751"


class RateLimited(SourceError):  # noqa: N818 - names the condition, as the contract does
    """429 or a spent quota: retried after ``retry_after_s``."""

    code = "E752"


class Unavailable(SourceError):  # noqa: N818 - names the condition, as the contract does
    """5xx, a timeout, a connection error, or a response that is not the documented JSON or
    XML: retried with backoff."""

    code = "E753"


class BadConfig(SourceError):  # noqa: N818 - names the condition, as the contract does
    """400 or 404 caused by the configuration (an unknown hashtag, subreddit or feed): not
    retried until the configuration changes."""

    code = "E754"


class PollClient(Protocol):
    """A polling client, registered through the ``confiance_poll_clients`` hook."""

    format: str
    """The ``SourceFormat`` name whose ``parse()`` reads the payloads (e.g. ``"mastodon"``)."""
    needs_secret: bool
    """Whether a token is required."""
    default_interval_s: float
    """A polling interval that respects the platform's limits."""

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and normalise a source's configuration; ``ConfianceError("E750")`` says
        what to fix."""
        ...

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """Send one request; return its payloads and the next cursor, or raise SourceError."""
        ...


def poll_clients(manager: pluggy.PluginManager) -> dict[str, PollClient]:
    """Every polling client the plugins provide, by format name (a later one replaces an
    earlier one with the same format, as with formats)."""
    found: dict[str, PollClient] = {}
    for batch in manager.hook.confiance_poll_clients():
        for client in batch:
            found[client.format] = client
    return found


# ---------------------------------------------------------------------------- rate limits

_NUMBER = re.compile(r"^[+-]?\d{1,20}(?:\.\d{1,9})?$")
_RESET = ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset")
_REMAINING = ("x-rate-limit-remaining", "x-ratelimit-remaining", "ratelimit-remaining")


def retry_after(headers: Mapping[str, str], now: datetime) -> float | None:
    """Seconds to wait before the next request, from the response headers; None if they say
    nothing readable.

    ``Retry-After`` (seconds or an HTTP date) comes first, then the reset headers platforms
    send: ``x-rate-limit-reset`` (X: epoch seconds), ``X-RateLimit-Reset`` (Mastodon: an
    ISO 8601 time; Reddit: seconds from now) and ``RateLimit-Reset`` (Bluesky: epoch
    seconds). A reset number is read as an epoch time from 10⁹ on (milliseconds from 10¹²),
    as seconds from now below. A time already past gives 0; the result is at most a day.
    """
    found = _lower(headers)
    seconds = _retry_after_value(found.get("retry-after"), now)
    if seconds is not None:
        return seconds
    for name in _RESET:
        seconds = _reset_value(found.get(name), now)
        if seconds is not None:
            return seconds
    return None


def remaining(headers: Mapping[str, str]) -> float | None:
    """Requests left in the current rate-limit window, when the platform says."""
    found = _lower(headers)
    for name in _REMAINING:
        value = (found.get(name) or "").strip()
        if _NUMBER.match(value):
            number = float(value)
            if math.isfinite(number):
                return max(number, 0.0)
    return None


def budget_wait(headers: Mapping[str, str], now: datetime, *, reserve: float) -> float | None:
    """``Fetched.wait_s``: the seconds until the window resets when at most ``reserve``
    requests are left in it; None while the budget lasts."""
    left = remaining(headers)
    if left is None or left > reserve:
        return None
    wait = retry_after(headers, now)
    if wait is None:
        return DEFAULT_RETRY_S
    return wait or None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    try:
        for key, value in headers.items():
            if isinstance(key, str) and isinstance(value, str):
                found[key.strip().lower()] = value
    except (TypeError, ValueError, AttributeError):
        return found
    return found


def _retry_after_value(value: str | None, now: datetime) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    if _NUMBER.match(text):
        return _clamp(float(text))
    return _until(_http_date(text), now)


def _reset_value(value: str | None, now: datetime) -> float | None:
    text = (value or "").strip()
    if not text:
        return None
    if _NUMBER.match(text):
        number = float(text)
        if number >= 1e12:
            return _clamp(number / 1000 - _aware(now).timestamp())
        if number >= 1e9:
            return _clamp(number - _aware(now).timestamp())
        return _clamp(number)
    when: datetime | None = None
    if len(text) <= 64:
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            when = None
    return _until(when or _http_date(text), now)


def _http_date(text: str) -> datetime | None:
    if len(text) > 64:
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _until(when: datetime | None, now: datetime) -> float | None:
    if when is None:
        return None
    try:
        return _clamp((_aware(when) - _aware(now)).total_seconds())
    except OverflowError:
        return None


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _clamp(seconds: float) -> float | None:
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_WAIT_S)


def jwt_expiry(token: str | None) -> datetime | None:
    """The ``exp`` claim of a JSON Web Token (read, not verified); None for any other token."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].startswith("eyJ"):
        return None
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        expiry = claims.get("exp") if isinstance(claims, dict) else None
        if isinstance(expiry, int | float) and not isinstance(expiry, bool) and expiry > 0:
            return datetime.fromtimestamp(expiry, tz=UTC)
    except (ValueError, TypeError, OverflowError, OSError, orjson.JSONDecodeError):
        return None
    return None


# ---------------------------------------------------------------------------- HTTP


@dataclass(frozen=True)
class Reply:
    """A response read in full (up to :data:`MAX_BODY`)."""

    status: int
    headers: httpx.Headers
    body: bytes
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """The secrets sent with the request, kept out of any message about the response."""

    def json(self, platform: str) -> Any:
        """The body as JSON, or :class:`Unavailable` saying it is not JSON."""
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            raise Unavailable.about(platform, f"the response (HTTP {self.status}) is not the "
                                    f"documented JSON: {_preview(self.body)}",
                                    secrets=self.secrets) from None


def send(http: httpx.Client, url: str, *, platform: str, params: Mapping[str, Any] | None = None,
         headers: Mapping[str, str] | None = None, method: str = "GET",
         data: Mapping[str, str] | None = None, json: Any = None,
         follow_redirects: bool = False, secrets: Iterable[str | None] = ()) -> Reply:
    """Send one request with the Confiance User-Agent and time limits; a network failure,
    a timeout or an oversized body is :class:`Unavailable` (naming neither URL nor secret)."""
    sent = {"User-Agent": USER_AGENT, **(headers or {})}
    hidden = tuple(s for s in secrets if s)
    if not all(_header_safe(v) for v in sent.values()):
        if any(not _header_safe(s) for s in hidden):
            raise AuthFailed.about(platform, "the token holds characters an HTTP header cannot "
                                   "carry: check that it was copied whole, without spaces")
        raise BadConfig.about(platform, "a header holds characters HTTP cannot carry")
    try:
        with http.stream(method, url, params=params, headers=sent, data=data, json=json,
                         timeout=TIMEOUT, follow_redirects=follow_redirects) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY:
                    raise Unavailable.about(platform, f"the response is larger than "
                                            f"{MAX_BODY // (1024 * 1024)} MiB")
                chunks.append(chunk)
            return Reply(response.status_code, response.headers, b"".join(chunks), hidden)
    except httpx.TimeoutException:
        raise Unavailable.about(platform, "the request timed out") from None
    except httpx.TooManyRedirects:
        raise Unavailable.about(platform, "the address redirects too many times") from None
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        detail = f"the request failed ({type(exc).__name__}: {exc})"
        raise Unavailable.about(platform, detail, secrets=hidden) from None


def _header_safe(value: str) -> bool:
    return value.isascii() and value.isprintable()


def refuse(reply: Reply, platform: str, now: datetime, *,
           secrets: Iterable[str | None] = (), detail: str | None = None) -> SourceError:
    """The error for a response that is not a success, by status code: 401/403 AuthFailed,
    429 RateLimited, 5xx/408 Unavailable, other 4xx BadConfig, anything else Unavailable."""
    said = detail if detail is not None else platform_message(reply)
    what = f"HTTP {reply.status}" + (f": {said}" if said else "")
    secrets = (*reply.secrets, *secrets)
    wait = retry_after(reply.headers, now)
    status = reply.status
    if status == 429:
        return RateLimited.about(platform, what, secrets=secrets,
                                 retry_after_s=wait if wait is not None else DEFAULT_RETRY_S)
    if status in (401, 403):
        return AuthFailed.about(platform, what, secrets=secrets)
    if status in (408, 425) or status >= 500:
        return Unavailable.about(platform, what, secrets=secrets, retry_after_s=wait)
    if 400 <= status < 500:
        return BadConfig.about(platform, what, secrets=secrets)
    if 300 <= status < 400:
        return Unavailable.about(platform, f"HTTP {status}: an unexpected redirect",
                                 secrets=secrets, retry_after_s=wait)
    return Unavailable.about(platform, f"unexpected HTTP {status}", secrets=secrets)


def platform_message(reply: Reply) -> str:
    """The error text a platform put in a JSON body (``error``, ``message``, ``detail``...),
    or an empty string."""
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts: list[str] = []
    for key in ("error", "title", "message", "error_description", "detail", "reason"):
        value = body.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        if isinstance(value, str) and value.strip() and value.strip() not in parts:
            parts.append(value.strip())
    return "; ".join(parts)


def bearer(secret: str | None) -> dict[str, str]:
    """The ``Authorization`` header for a bearer token, or no header."""
    return {"Authorization": f"Bearer {secret}"} if secret else {}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` on one line, at most 300 characters, with every secret (and each part of a
    ``user:password`` pair) replaced by ``[secret]`` and every URL by ``[address]``."""
    words = {s for s in secrets if s}
    words |= {part for s in list(words) for part in s.split(":") if len(part) >= 4}
    for word in sorted(words, key=len, reverse=True):
        text = text.replace(word, "[secret]")
    text = _CONTROL.sub(" ", _no_urls(text)).strip()
    return text if len(text) <= 300 else text[:299] + "…"


def _no_urls(text: str) -> str:
    return _URL.sub("[address]", text)


def _preview(body: bytes) -> str:
    text = body[:120].decode("utf-8", "replace")
    return repr(text) if text.strip() else "an empty body"


def utcnow() -> datetime:
    """The current time, aware UTC (the clients' default clock)."""
    return datetime.now(UTC)


# ---------------------------------------------------------------------------- cursors


def id_key(value: str) -> tuple[int, str]:
    """Sort key of numeric ids held as strings (snowflakes): by length, then by digits."""
    return (len(value), value) if value.isdigit() else (-1, value)


def newer_id(*ids: str | None) -> str | None:
    """The greatest numeric id of ``ids`` (None ignored): the newest of snowflake ids."""
    found = [i for i in ids if isinstance(i, str) and i.isdigit()]
    return max(found, key=id_key) if found else None


def cursor_text(cursor: Mapping[str, Any] | None, key: str) -> str | None:
    """A string field of a stored cursor; None when absent or not a string."""
    if not isinstance(cursor, Mapping):
        return None
    value = cursor.get(key)
    return value if isinstance(value, str) and value else None


def cursor_list(cursor: Mapping[str, Any] | None, key: str) -> list[str]:
    """A list-of-strings field of a stored cursor; empty when absent or malformed."""
    value = cursor.get(key) if isinstance(cursor, Mapping) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def parse_instant(value: Any) -> datetime | None:
    """An ISO 8601 time of a payload or cursor as aware UTC; None when unreadable."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return _aware(moment).astimezone(UTC)


def iso(moment: datetime) -> str:
    """An aware time as ``2026-10-04T08:12:45.120000Z``."""
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------- sessions


@dataclass
class Sessions:
    """Short-lived access tokens obtained with a long-lived credential (an app password,
    OAuth client credentials), kept in memory only, under a digest of the credential."""

    _tokens: dict[str, tuple[str, datetime]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, credential: str, now: datetime) -> str | None:
        """The token obtained with ``credential``, unless it expires within two minutes."""
        with self._lock:
            found = self._tokens.get(_digest(credential))
        if found is None or found[1] - timedelta(minutes=2) <= now:
            return None
        return found[0]

    def put(self, credential: str, token: str, expires_at: datetime) -> None:
        """Keep ``token`` until ``expires_at``."""
        with self._lock:
            self._tokens[_digest(credential)] = (token, expires_at)

    def drop(self, credential: str) -> None:
        """Forget the token of ``credential`` (it was refused)."""
        with self._lock:
            self._tokens.pop(_digest(credential), None)


def _digest(credential: str) -> str:
    return hashlib.sha256(credential.encode("utf-8")).hexdigest()
