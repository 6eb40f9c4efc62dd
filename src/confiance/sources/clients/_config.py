"""Checking a polled source's configuration (private to ``confiance.sources.clients``): each
client's ``check`` refuses a missing, unknown or malformed key with E750, naming it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from confiance.core.errors import ConfianceError
from confiance.sources.clients.base import BadConfig


def invalid(client: str, reason: str) -> ConfianceError:
    """E750: the source's configuration cannot be used, and why."""
    return ConfianceError("E750", client=client, reason=reason)


def known_keys(client: str, config: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """E750 for a configuration that is not an object or holds a key the client ignores."""
    if not isinstance(config, Mapping):
        raise invalid(client, "the configuration must be a JSON object")
    names = set(allowed)
    unknown = sorted(str(k) for k in config if k not in names)
    if unknown:
        raise invalid(client, f"unknown key(s) {', '.join(map(repr, unknown))}; the keys are "
                      f"{', '.join(sorted(names))}")


def text_value(client: str, config: Mapping[str, Any], key: str, *, required: bool = True,
               pattern: re.Pattern[str] | None = None, maximum: int = 500,
               hint: str = "") -> str | None:
    """A non-empty string of at most ``maximum`` characters (matching ``pattern``), stripped."""
    value = config.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise invalid(client, f"{key!r} is required{hint}")
        return None
    if not isinstance(value, str):
        raise invalid(client, f"{key!r} must be a string{hint}")
    value = value.strip()
    if len(value) > maximum:
        raise invalid(client, f"{key!r} has {len(value):,} characters; keep it to {maximum:,}")
    if pattern is not None and not pattern.fullmatch(value):
        raise invalid(client, f"{key!r} cannot be {value[:100]!r}{hint}")
    return value


def bool_value(client: str, config: Mapping[str, Any], key: str, default: bool) -> bool:
    """A boolean; absent gives ``default``."""
    value = config.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid(client, f"{key!r} must be true or false")
    return value


def web_address(client: str, config: Mapping[str, Any], key: str, *, origin_only: bool,
                default_scheme: str | None = None) -> str | None:
    """An ``http(s)://`` address without user name or password; with ``origin_only``, only
    scheme, host and port (a bare host gets ``default_scheme``)."""
    value = text_value(client, config, key, required=False, maximum=2000)
    if value is None:
        return None
    if default_scheme and "://" not in value:
        value = f"{default_scheme}://{value}"
    try:
        parts = urlsplit(value)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise invalid(client, f"{key!r} is not a web address") from None
    if parts.scheme not in ("http", "https") or not host:
        raise invalid(client, f"{key!r} must be an http:// or https:// address with a host")
    if parts.username is not None or parts.password is not None:
        raise invalid(client, f"{key!r} must not hold a user name or password")
    if any(c.isspace() for c in value):
        raise invalid(client, f"{key!r} must not hold spaces")
    if not origin_only:
        return value
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise invalid(client, f"{key!r} must be the server's address only, such as "
                      f"https://{host}")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def settings_of(check: Callable[[Mapping[str, Any]], dict[str, Any]],
                config: Mapping[str, Any]) -> dict[str, Any]:
    """``check(config)`` inside ``fetch``: an invalid configuration is BadConfig with the
    check's own code (E750) and sentence."""
    try:
        return check(config)
    except ConfianceError as exc:
        raise BadConfig(exc.message, code=exc.code) from None
