"""Adding a listening source, shared by ``confiance source add`` and the REST API.

A polled source needs a format with a polling client, whose ``check`` validates the
configuration (and whose default interval respects the platform's limits); a pushed one any
registered import format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection

from confiance.core.errors import ConfianceError
from confiance.sources.clients.base import PollClient
from confiance.sources.registry import FormatRegistry
from confiance.store import listening
from confiance.store.listening import POLL, PUSH, ListenSource


def add(conn: Connection, *, brand_id: int, name: str, mode: str, format: str,
        config: Mapping[str, Any] | None, clients: Mapping[str, PollClient],
        formats: FormatRegistry, interval_s: float | None = None,
        secret_ref: str | None = None) -> tuple[ListenSource, str | None]:
    """Validate and store a new source: (the source, its push secret or ``None``). E207 for
    an unknown format, E748 for a polled format without a client, E746 for bad settings,
    the client's own errors for a configuration it refuses."""
    if mode not in (POLL, PUSH):
        raise ConfianceError("E746", detail=f"mode {mode!r}: use poll or push")
    formats.get(format)  # E207 with the known names
    listening.check_secret_ref(secret_ref)  # E742
    checked: dict[str, Any] = dict(config or {})
    if mode == POLL:
        client = clients.get(format)
        if client is None:
            raise ConfianceError("E748", name=format, known=", ".join(sorted(clients)))
        checked = client.check(checked)
        interval = client.default_interval_s if interval_s is None else interval_s
        if client.needs_secret and not secret_ref:
            raise ConfianceError("E746", detail=f"a token reference for {format} "
                                                "(--secret env:NAME or file:PATH)")
    else:
        interval = 60.0 if interval_s is None else interval_s
        if secret_ref:
            raise ConfianceError("E746", detail="no token reference for a push source (it "
                                                "gets a push secret instead)")
    return listening.add_source(conn, brand_id=brand_id, name=name, mode=mode, format=format,
                                config=checked, interval_s=interval, secret_ref=secret_ref)


HIDDEN = "***"
_SECRET_KEY = re.compile(r"token|secret|passw|api[_-]?key|auth(?!ors?(_?(id|ids|name|handle))?$)"
                         r"|signature|sig$|cookie", re.I)
"""Setting names whose value is a credential (``author``, ``author_id`` are not)."""


def masked_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` as shown to people who may read a source but not manage it: the values of
    keys that name a secret, and the query strings and passwords of URLs, are replaced by
    ``***`` (a private feed's address often carries its token: ``?key=...``)."""
    return {key: HIDDEN if _SECRET_KEY.search(str(key)) else _masked(value)
            for key, value in config.items()}


def _masked(value: Any) -> Any:
    if isinstance(value, Mapping):
        return masked_config(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str) and "://" in value:
        try:
            parts = urlsplit(value)
            host = parts.hostname or ""
            port = parts.port
        except ValueError:
            return HIDDEN
        netloc = (f"{HIDDEN}@" if parts.username or parts.password else "") + host
        if port is not None:
            netloc += f":{port}"
        return urlunsplit((parts.scheme, netloc, parts.path, HIDDEN if parts.query else "",
                           HIDDEN if parts.fragment else ""))
    return value
