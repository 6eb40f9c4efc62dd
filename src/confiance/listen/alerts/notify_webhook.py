"""Webhook notifications: a signed JSON POST that Slack, Microsoft Teams and any HTTP service
can take.

The body is JSON: ``text`` (what Slack and Teams incoming webhooks show), Slack ``blocks``,
and ``confiance`` (the alert's facts, for programs). Every request carries two headers:

* ``X-Confiance-Timestamp``: the UTC epoch seconds when it was signed;
* ``X-Confiance-Signature``: ``sha256=`` and the hex HMAC-SHA256, under the channel's
  secret, of the timestamp, a dot and the raw body (``f"{timestamp}.{body}"``).

To verify a request, a receiver recomputes the HMAC over the raw bytes it received (before
parsing the JSON), compares it in constant time, and refuses a timestamp more than five
minutes from its own clock, which stops replays (:func:`verify` does exactly that). The
channel's secret is derived from the installation's ``CONFIANCE_SECRET_KEY`` and the
webhook URL (:func:`channel_secret`): it is never stored, differs for every URL, and changes
when the secret key changes. Redirects are not followed.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.listen.alerts.message import AlertMessage

SIGNATURE = "X-Confiance-Signature"
TIMESTAMP = "X-Confiance-Timestamp"
TOLERANCE_S = 300
"""How far a receiver should accept a timestamp from its own clock."""
_SLACK_SECTION = 2900  # Slack refuses a section text over 3,000 characters


def channel_secret(secret_key: str, target: str) -> str:
    """The signing secret of the webhook at ``target`` (hex), to give to its receiver."""
    message = b"confiance.webhook.v1\n" + target.encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Confiance-Signature`` header for ``body`` sent at ``timestamp``."""
    signed = timestamp.encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    now: float | None = None,
    tolerance_s: float = TOLERANCE_S,
) -> bool:
    """Whether a received request is genuine and fresh (what a receiver should check)."""
    try:
        sent = float(timestamp)
        expected = sign(secret, timestamp, body)
    except (ValueError, UnicodeEncodeError):
        return False
    current = time.time() if now is None else now
    return abs(current - sent) <= tolerance_s and hmac.compare_digest(expected, signature)


def host_of(target: str) -> str:
    """The host of a URL, which is all that logs and errors show of it (the path of a Slack
    or Teams webhook is its secret)."""
    try:
        return urlsplit(target).hostname or "?"
    except ValueError:
        return "?"


def _slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def payload(message: AlertMessage) -> dict[str, Any]:
    """The JSON body for ``message``."""
    summary = _slack(f"{message.subject}\n\n{message.text}")
    return {
        "text": summary,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": message.subject[:150]}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _slack(message.text)[:_SLACK_SECTION]},
            },
        ],
        "confiance": message.facts,
    }


class WebhookNotifier:
    """Sends messages to ``webhook`` channels (built-in notifier)."""

    kind = "webhook"

    def __init__(
        self,
        *,
        secret_key: str,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret_key = secret_key
        self._timeout = timeout
        self._transport = transport
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookNotifier:
        """The notifier of an installation (its secret key and timeout)."""
        return cls(secret_key=settings.secret_key, timeout=settings.notify_timeout_s)

    def send(self, message: AlertMessage) -> None:
        """POST the message; E725 (with the host only) unless the receiver answers 2xx."""
        body = orjson.dumps(payload(message))
        timestamp = str(int(self._clock()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Confiance",
            TIMESTAMP: timestamp,
            SIGNATURE: sign(channel_secret(self._secret_key, message.target), timestamp, body),
        }
        host = host_of(message.target)
        status = self._post(message.target, body, headers, host)
        if not 200 <= status < 300:
            raise ConfianceError("E725", host=host, detail=f"HTTP {status}")

    def _post(self, target: str, body: bytes, headers: dict[str, str], host: str) -> int:
        """POST through the transport itself: httpx's client would log the full URL, whose
        path is the secret of a Slack or Teams webhook. Redirects are not followed."""
        timeout = httpx.Timeout(self._timeout).as_dict()
        transport = self._transport or httpx.HTTPTransport()
        try:
            request = httpx.Request(
                "POST", target, content=body, headers=headers, extensions={"timeout": timeout}
            )
            response = transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
        except httpx.HTTPError as exc:
            raise ConfianceError("E725", host=host, detail=type(exc).__name__) from None
        finally:
            if self._transport is None:
                transport.close()
        return response.status_code
