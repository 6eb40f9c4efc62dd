"""What the Facebook and Instagram Graph API clients share (private to this package): the
address, the error codes, the usage headers and the page envelope.

The token travels in the ``Authorization`` header, never in the address; ``paging`` links of
a returned page are stripped of any ``access_token`` before the page is handed over.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson

from confiance.sources.clients._config import text_value
from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    RateLimited,
    Reply,
    SourceError,
    Unavailable,
    refuse,
    retry_after,
)

GRAPH = "https://graph.facebook.com"
VERSION = "v23.0"
"""The Graph API version asked for unless the source says ``api_version``."""
_VERSION = re.compile(r"v\d{1,2}\.\d")
_AUTH = {102, 190, 467}
_PERMISSION = {3, 10, *range(200, 300)}
_THROTTLED = {4, 17, 32, 341, 368, 613, *range(80001, 80015)}
_CONFIG = {21, 24, 100, 803}
_USAGE = ("x-business-use-case-usage", "x-app-usage", "x-page-usage")
_SECRET_PARAMS = {"access_token", "appsecret_proof"}


def version(client: str, config: Mapping[str, Any]) -> str:
    """The ``api_version`` key (``v23.0``), or the default."""
    return text_value(client, config, "api_version", required=False, maximum=6,
                      pattern=_VERSION, hint=": write it as v23.0") or VERSION


def refused(reply: Reply, platform: str, now: datetime, secret: str) -> SourceError:
    """The error of a Graph API response, by its ``error.code`` first, then its status."""
    code, message = _error(reply)
    what = f"HTTP {reply.status}" + (f", error {code}" if code is not None else "") + (
        f": {message}" if message else "")
    if code in _AUTH:
        return AuthFailed.about(platform, what, secrets=[secret])
    if code in _THROTTLED:
        wait = usage_wait(reply.headers) or retry_after(reply.headers, now) or 600.0
        return RateLimited.about(platform, what, retry_after_s=wait, secrets=[secret])
    if code in _PERMISSION:
        return AuthFailed.about(platform, f"the token lacks a permission ({what})",
                                secrets=[secret])
    if code in _CONFIG:
        return BadConfig.about(platform, what, secrets=[secret])
    if code in (1, 2):
        return Unavailable.about(platform, what, secrets=[secret], retry_after_s=60.0)
    return refuse(reply, platform, now, secrets=[secret], detail=message)


def usage_wait(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait according to the usage headers (``X-App-Usage``,
    ``X-Business-Use-Case-Usage``, ``X-Page-Usage``): the ``estimated_time_to_regain_access``
    they give, else 15 minutes from 95 % of a budget used and 5 minutes from 85 %."""
    highest = 0.0
    regain = 0.0
    for name in _USAGE:
        for entry in _usage_entries(headers.get(name)):
            for key in ("call_count", "total_cputime", "total_time"):
                value = entry.get(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    highest = max(highest, min(float(value), 1000.0))
            minutes = entry.get("estimated_time_to_regain_access")
            if isinstance(minutes, int | float) and not isinstance(minutes, bool):
                regain = max(regain, min(float(minutes), 1440.0))
    if regain > 0:
        return regain * 60
    if highest >= 95:
        return 900.0
    if highest >= 85:
        return 300.0
    return None


def _usage_entries(value: str | None) -> list[dict[str, Any]]:
    """The objects of a usage header: one object, or ``{id: [objects]}`` (business use case)."""
    if not value or len(value) > 10_000:
        return []
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(data, dict):
        return []
    if any(k in data for k in ("call_count", "total_cputime", "total_time")):
        return [data]
    return [e for v in data.values() if isinstance(v, list) for e in v if isinstance(e, dict)]


def page_items(page: Any, platform: str) -> list[dict[str, Any]]:
    """The ``data`` of a Graph API page; Unavailable when the body is not one."""
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise Unavailable.about(platform, "the response is not a Graph API page (no 'data' "
                                "list)")
    return [i for i in page["data"] if isinstance(i, dict) and isinstance(i.get("id"), str)]


def after(page: dict[str, Any]) -> str | None:
    """The ``after`` cursor of the next page, when the page says there is one."""
    paging = page.get("paging")
    if not isinstance(paging, dict) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    token = cursors.get("after") if isinstance(cursors, dict) else None
    return token if isinstance(token, str) and token else None


def handed_over(page: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """The page with only ``items`` and paging links without any token."""
    found = {**page, "data": items}
    paging = page.get("paging")
    if isinstance(paging, dict):
        found["paging"] = {k: _no_token(v) if k in ("next", "previous") else v
                           for k, v in paging.items()}
    return found


def _no_token(link: Any) -> Any:
    if not isinstance(link, str):
        return link
    try:
        parts = urlsplit(link)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k not in _SECRET_PARAMS]
        return urlunsplit(parts._replace(query=urlencode(query)))
    except ValueError:
        return None


def _error(reply: Reply) -> tuple[int | None, str]:
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return None, ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, ""
    code = error.get("code")
    message = error.get("error_user_msg") or error.get("message")
    return (code if isinstance(code, int) and not isinstance(code, bool) else None,
            message.strip() if isinstance(message, str) else "")
