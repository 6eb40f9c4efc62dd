"""Signed pushes: how a sender proves a delivery comes from whoever holds the source's secret.

A delivery is the raw body (one payload of the source's format: a JSON document, or JSON Lines)
sent with two headers:

- ``X-Confiance-Timestamp``: the sending time, Unix seconds;
- ``X-Confiance-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the source's push
  secret, of the timestamp, a dot, and the body, byte for byte.

A delivery more than :data:`TOLERANCE_S` away from the receiver's clock is refused, so a
captured delivery cannot be replayed later; one sent twice within it is stored once.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import Connection

from confiance.core.errors import ConfianceError
from confiance.store import listen_work, listening

TIMESTAMP_HEADER = "X-Confiance-Timestamp"
SIGNATURE_HEADER = "X-Confiance-Signature"
TOLERANCE_S = 300.0
MAX_BODY = 5 * 1024 * 1024
"""The largest delivery accepted, in bytes."""


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-Confiance-Signature`` value for ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float) -> None:
    """Raise E744 unless the headers sign ``body`` with ``secret``, sent within the tolerance."""
    stamp = headers.get(TIMESTAMP_HEADER.lower()) or headers.get(TIMESTAMP_HEADER) or ""
    signature = headers.get(SIGNATURE_HEADER.lower()) or headers.get(SIGNATURE_HEADER) or ""
    if not stamp.isdigit() or len(stamp) > 12:
        raise ConfianceError("E744", detail=f"the {TIMESTAMP_HEADER} header is missing or "
                                            "not Unix seconds")
    if abs(now - int(stamp)) > TOLERANCE_S:
        raise ConfianceError("E744", detail=f"its timestamp is more than {TOLERANCE_S:.0f} "
                                            "seconds from the receiver's clock")
    if not hmac.compare_digest(sign(secret, stamp, body).encode(), signature.encode()):
        raise ConfianceError("E744", detail="the signature does not match")


def accept(conn: Connection, push_key: str, body: bytes, headers: Mapping[str, str], *,
           now: datetime) -> tuple[int | None, bool]:
    """Check a delivery to ``push_key`` and keep it for the listeners: (its id, whether it is
    new). An unknown key answers exactly like a wrong signature (E744), so keys cannot be
    probed; E745 for a body too large, E747 for a paused source."""
    if len(body) > MAX_BODY:
        raise ConfianceError("E745", size=len(body), maximum=MAX_BODY)
    target = listening.push_target(conn, push_key)
    if target is None:
        raise ConfianceError("E744", detail="the signature does not match")
    verify(target.secret, headers, body, now=now.timestamp())
    if not target.enabled:
        raise ConfianceError("E747", name=push_key[:8] + "…")
    return listen_work.store_push(conn, target.id, body, now=now)
