"""The audit log: sign-ins (failed ones too) and every change a user made.

Entries never hold a secret: no password, token or session id, only what was done to what.
Failed sign-ins are also what the login rate limit counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select

from confiance.store.runs import utcnow
from confiance.store.tables import audit_log

LOGIN_FAILED = "login.failed"
LOGIN = "login"


@dataclass(frozen=True)
class Entry:
    """One audit log entry."""

    id: int
    at: datetime
    actor: str | None
    workspace_id: int | None
    action: str
    target: str | None
    details: dict[str, Any] | None
    ip: str | None


def record(conn: Connection, action: str, *, user_id: int | None = None,
           actor: str | None = None, workspace_id: int | None = None, target: str | None = None,
           details: dict[str, Any] | None = None, ip: str | None = None) -> None:
    """Append an entry (in the caller's transaction, so it lands with the change itself)."""
    conn.execute(insert(audit_log).values(
        at=utcnow(), user_id=user_id, actor=actor, workspace_id=workspace_id, action=action,
        target=None if target is None else target[:320], details=details,
        ip=None if ip is None else ip[:64]))


def failures_since(conn: Connection, since: datetime, *, email: str,
                   ip: str | None) -> tuple[int, int]:
    """Failed sign-ins since ``since``: (for this e-mail address, from this address)."""
    base = select(func.count()).select_from(audit_log).where(
        audit_log.c.action == LOGIN_FAILED, audit_log.c.at >= since)
    by_email = int(conn.execute(base.where(audit_log.c.target == email)).scalar_one())
    by_ip = 0 if ip is None else int(conn.execute(base.where(audit_log.c.ip == ip)).scalar_one())
    return by_email, by_ip


def entries(conn: Connection, workspace_id: int, *, before: int | None = None,
            limit: int = 100, user_ids: tuple[int, ...] = ()) -> list[Entry]:
    """The workspace's entries, newest first (plus sign-ins of ``user_ids``, its members),
    with an id below ``before`` for paging."""
    scope = audit_log.c.workspace_id == workspace_id
    if user_ids:
        scope = or_(scope, (audit_log.c.workspace_id.is_(None))
                    & audit_log.c.user_id.in_(user_ids))
    query = select(audit_log).where(scope).order_by(audit_log.c.id.desc()).limit(limit)
    if before is not None:
        query = query.where(audit_log.c.id < before)
    return [Entry(id=int(r.id), at=r.at, actor=r.actor, workspace_id=r.workspace_id,
                  action=r.action, target=r.target, details=r.details, ip=r.ip)
            for r in conn.execute(query)]

