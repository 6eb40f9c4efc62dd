"""Opaque keyset cursors: where a page stopped, bound to its listing, sort and filters.

A cursor is URL-safe base64 of a small JSON object: the listing, the sort, the last sort
value and id, and a hash of the filters that made the list. A cursor used with another
listing, sort order or filter, or one that does not decode, is refused with E612: following
it would skip or repeat items silently. Cursors carry no secret and need no signature: the
values in them are only compared with stored values (bound parameters), and the filters and
the caller's scope are applied again on every page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from confiance.core.errors import ConfianceError

MAX_CURSOR = 400
"""Longest cursor accepted (those made here are under 200 characters)."""
BIGGEST = 2**63 - 1
"""Numbers in a cursor must fit a database integer."""


def fingerprint(listing: str, sort: str, filters: Mapping[str, Any]) -> str:
    """A short hash of the listing, sort and filters (lists are order-insensitive)."""
    canonical = {key: sorted(map(str, value)) if isinstance(value, list | tuple | set)
                 else value.isoformat() if isinstance(value, datetime) else value
                 for key, value in sorted(filters.items()) if value not in (None, [], ())}
    text = json.dumps([listing, sort, canonical], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode(fingerprint_: str, value: Any, last_id: int, **extra: Any) -> str:
    """The cursor after an item whose sort value is ``value`` and id ``last_id``."""
    if isinstance(value, datetime):
        value = {"t": value.isoformat()}
    body = {"f": fingerprint_, "v": value, "i": last_id, **extra}
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, fingerprint_: str, *, kind: type | tuple[type, ...]
           ) -> tuple[Any, int, dict[str, Any]]:
    """(sort value, last id, extra fields) of ``cursor``; E612 if it is malformed, made for
    another listing, sort or filters, or holds a value that is not of ``kind`` (``datetime``,
    ``int``, ``float``; ``None`` is always allowed: items without a sort value)."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError("too long")
        body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(body, dict) or body.get("f") != fingerprint_:
            raise ValueError("another listing")
        last_id, value = body["i"], body["v"]
        if type(last_id) is not int or not -BIGGEST <= last_id <= BIGGEST:
            raise ValueError("id")
        value = _value(value, kind)
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ConfianceError("E612", cursor=cursor[:60]) from None
    extra = {k: v for k, v in body.items() if k not in ("f", "v", "i")}
    return value, last_id, extra


def _value(value: Any, kind: type | tuple[type, ...]) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if value is None:
        return None
    if isinstance(value, dict) and datetime in kinds:
        parsed = datetime.fromisoformat(str(value["t"]))
        if parsed.tzinfo is None:
            raise ValueError("naive time")
        return parsed
    if isinstance(value, bool):
        raise ValueError("bool")
    if float in kinds and isinstance(value, int | float) and math.isfinite(value) \
            and abs(value) <= BIGGEST:
        return float(value)
    if int in kinds and isinstance(value, int) and -BIGGEST <= value <= BIGGEST:
        return value
    raise ValueError("value")
