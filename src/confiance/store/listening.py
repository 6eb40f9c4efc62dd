"""What continuous listening is configured with: its sources, their settings and secrets,
and the push addresses that identify them. What listeners do with them (leases on polls,
pushed deliveries, the enrichment feed and the detectors' queues) is
:mod:`confiance.store.listen_work`.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    delete,
    insert,
    select,
    update,
)

from confiance.core.errors import ConfianceError
from confiance.domain import SourceKind
from confiance.domain.records import aware_utc
from confiance.store import runs
from confiance.store.tables import (
    brands,
    listen_sources,
)

POLL, PUSH = "poll", "push"
MODES = (POLL, PUSH)
OK, FAILING, AUTH, CONFIG, WAITING = "ok", "failing", "auth", "config", "waiting"
HEALTH = (OK, FAILING, AUTH, CONFIG, WAITING)
MIN_INTERVAL_S, MAX_INTERVAL_S = 10.0, 7 * 86400.0
MAX_NAME = 200
_T = listen_sources.c


@dataclass(frozen=True)
class ListenSource:
    """A listened source as its owners see it (never its token or push secret)."""

    id: int
    brand_id: int
    brand: str
    name: str
    mode: str
    format: str
    config: dict[str, Any]
    secret_ref: str | None
    push_key: str | None
    interval_s: float
    enabled: bool
    source_id: int | None
    cursor: dict[str, Any] | None
    next_run_at: datetime
    health: str
    failures: int
    failing_since: datetime | None
    last_error: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    token_expires_at: datetime | None
    posts: int
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for ``--json`` and the API (the secret reference is a name, not a
        secret: an environment variable or a file path)."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            out[key] = value.isoformat() if isinstance(value, datetime) else value
        return out


def _when(value: Any) -> datetime | None:
    return None if value is None else aware_utc(value)


def _source(row: Any) -> ListenSource:
    return ListenSource(
        id=int(row.id), brand_id=int(row.brand_id), brand=row.brand, name=row.name,
        mode=row.mode, format=row.format, config=dict(row.config or {}),
        secret_ref=row.secret_ref, push_key=row.push_key, interval_s=float(row.interval_s),
        enabled=bool(row.enabled), source_id=row.source_id,
        cursor=None if row.cursor is None else dict(row.cursor),
        next_run_at=aware_utc(row.next_run_at), health=row.health,
        failures=int(row.failures), failing_since=_when(row.failing_since),
        last_error=row.last_error, last_run_at=_when(row.last_run_at),
        last_success_at=_when(row.last_success_at),
        token_expires_at=_when(row.token_expires_at), posts=int(row.posts),
        created_at=aware_utc(row.created_at))


def _query() -> Any:
    columns = [c for c in listen_sources.c if c.name != "push_secret"]
    return select(*columns, brands.c.name.label("brand")).join(
        brands, brands.c.id == listen_sources.c.brand_id)


# ---------------------------------------------------------------------------- configuration


def check_secret_ref(ref: str | None) -> str | None:
    """``env:NAME`` or ``file:PATH`` (where a poll reads its token), or E742."""
    if ref is None or ref == "":
        return None
    kind, _, rest = ref.partition(":")
    if kind == "env" and rest and rest.replace("_", "").isalnum():
        return ref
    if kind == "file" and rest:
        return ref
    raise ConfianceError("E742", ref=ref[:100])


def read_secret(ref: str | None) -> str | None:
    """The token a reference points to, read now (so a rotated file is used at the next
    poll); ``None`` when the variable is unset or the file unreadable or empty."""
    if not ref:
        return None
    kind, _, rest = ref.partition(":")
    if kind == "env":
        return os.environ.get(rest) or None
    try:
        value = Path(rest).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value or None


def add_source(conn: Connection, *, brand_id: int, name: str, mode: str, format: str,
               config: Mapping[str, Any], interval_s: float, secret_ref: str | None = None,
               now: datetime | None = None) -> tuple[ListenSource, str | None]:
    """A new source for the brand; for a push source also its secret (returned once: the
    caller shows it, it is never shown again). E741 for a name taken, E746 for a bad mode or
    interval."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise ConfianceError("E746", detail=f"a name of 1 to {MAX_NAME} characters")
    if mode not in MODES:
        raise ConfianceError("E746", detail=f"mode {mode!r}: use poll or push")
    if not MIN_INTERVAL_S <= interval_s <= MAX_INTERVAL_S:
        raise ConfianceError("E746", detail=f"an interval between {MIN_INTERVAL_S:.0f} s and "
                                            f"{MAX_INTERVAL_S:.0f} s, not {interval_s:g}")
    taken = conn.execute(select(_T.id).where(_T.brand_id == brand_id, _T.name == name)).first()
    if taken is not None:
        raise ConfianceError("E741", name=name)
    moment = now or runs.utcnow()
    sources_id = runs.source_id(conn, kind=SourceKind.API if mode == POLL else SourceKind.WEBHOOK,
                                name=f"listen:{brand_id}:{name}", format=format)
    push_key = secrets.token_urlsafe(24) if mode == PUSH else None
    push_secret = secrets.token_urlsafe(32) if mode == PUSH else None
    result = conn.execute(insert(listen_sources).values(
        brand_id=brand_id, name=name, mode=mode, format=format, config=dict(config),
        secret_ref=check_secret_ref(secret_ref), push_key=push_key, push_secret=push_secret,
        interval_s=float(interval_s), enabled=True, source_id=sources_id, cursor=None,
        next_run_at=moment, health=OK, failures=0, posts=0, created_at=moment,
        updated_at=moment))
    new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    return load_source(conn, new_id), push_secret


def load_source(conn: Connection, source_id: int) -> ListenSource:
    """The source with this id (E741 if there is none)."""
    row = conn.execute(_query().where(_T.id == source_id)).first()
    if row is None:
        raise ConfianceError("E743", name=str(source_id))
    return _source(row)


def find_source(conn: Connection, brand_id: int, name: str) -> ListenSource:
    """The brand's source called ``name``, or E743."""
    row = conn.execute(_query().where(_T.brand_id == brand_id, _T.name == name)).first()
    if row is None:
        raise ConfianceError("E743", name=name)
    return _source(row)


def list_sources(conn: Connection, brand_ids: Collection[int] | None = None
                 ) -> list[ListenSource]:
    """Every source (or those of ``brand_ids``), by brand and name."""
    query = _query().order_by(brands.c.name, _T.name)
    if brand_ids is not None:
        query = query.where(_T.brand_id.in_(list(brand_ids)))
    return [_source(row) for row in conn.execute(query)]


def set_enabled(conn: Connection, source_id: int, enabled: bool, *,
                now: datetime | None = None) -> ListenSource:
    """Pause or resume a source; resuming makes it due at once and forgets past failures."""
    moment = now or runs.utcnow()
    values: dict[str, Any] = {"enabled": enabled, "updated_at": moment}
    if enabled:
        values.update(next_run_at=moment, failures=0, failing_since=None, health=OK)
    conn.execute(update(listen_sources).where(_T.id == source_id).values(**values))
    return load_source(conn, source_id)


def rotate_push_secret(conn: Connection, source_id: int) -> str:
    """A new push secret for a push source (the old one stops working at once)."""
    source = load_source(conn, source_id)
    if source.mode != PUSH:
        raise ConfianceError("E746", detail=f"{source.name!r} is polled: only a push source "
                                            "has a secret to rotate")
    secret = secrets.token_urlsafe(32)
    conn.execute(update(listen_sources).where(_T.id == source_id).values(
        push_secret=secret, updated_at=runs.utcnow()))
    return secret


def delete_source(conn: Connection, source_id: int) -> None:
    """Forget a source and its undelivered pushes (its posts stay)."""
    conn.execute(delete(listen_sources).where(_T.id == source_id))


@dataclass(frozen=True)
class PushTarget:
    """What the push endpoint needs to check and store a delivery."""

    id: int
    brand_id: int
    format: str
    secret: str = field(repr=False)
    enabled: bool


def push_target(conn: Connection, push_key: str) -> PushTarget | None:
    """The push source behind ``push_key``, or ``None``."""
    if not push_key or len(push_key) > 64:
        return None
    row = conn.execute(select(_T.id, _T.brand_id, _T.format, _T.push_secret, _T.enabled)
                       .where(_T.push_key == push_key, _T.mode == PUSH)).first()
    if row is None or row.push_secret is None:
        return None
    return PushTarget(id=int(row.id), brand_id=int(row.brand_id), format=row.format,
                      secret=row.push_secret, enabled=bool(row.enabled))
