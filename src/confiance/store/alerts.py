"""Crisis alerts: one alert per episode, its lifecycle, and the messages it causes.

The detectors emit :class:`~confiance.listen.alerts.model.Signal` records; :func:`record_signals`
merges the signals of one episode (same brand and ``Signal.episode_key``) into one alert while
they keep coming: a signal less than ``merge_gap_s`` after the alert was last seen, and the
alert not resolved, updates it (current and highest severity, figures, evidence, one more
firing) instead of opening another. Messages are queued in the outbox
(:mod:`confiance.store.alert_outbox`) when an alert opens and when it escalates (its severity
rises above the highest it had reached), never once per firing, for every channel of the
brand's enabled rules that cover it (detector, scope, minimum severity). Quiet hours defer
them to their end, except at severity 5.

An alert is ``open``, then ``acknowledged`` by a user (optional), then ``resolved`` by a user
(with a note) or by :func:`auto_resolve` once no signal came for a while (``system``).
Channels that were told about an alert are told when it resolves; channels that take a daily
digest instead are served by :mod:`confiance.store.alert_digests`. Times are stored in UTC;
signal times (simulated in a replay) are epoch seconds, other times ``datetime`` or epoch
seconds alike. Every function takes the caller's connection and runs in its transaction.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import Row

from confiance.core.errors import ConfianceError
from confiance.domain.records import aware_utc
from confiance.listen.alerts.model import Evidence, Signal
from confiance.store import alert_outbox, audit
from confiance.store.alert_rules import (
    Channel,
    Instant,
    Rule,
    add_rule,
    at,
    delete_rule,
    get_rule,
    list_rules,
    update_rule,
)
from confiance.store.tables import alerts, brands, memberships, users

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
STATUSES = (OPEN, ACKNOWLEDGED, RESOLVED)
SYSTEM = "system"
"""``resolved_by`` of an alert that resolved itself."""
MERGE_GAP_S = 6 * 3600
MAX_NOTE = 2000
MAX_POSTS, MAX_TERMS, MAX_AUTHORS, MAX_EXCERPT = 10, 20, 10, 500
_KEY_LENGTH = 600


__all__ = [
    "Alert",
    "AlertChange",
    "AlertPage",
    "Channel",
    "Instant",
    "Rule",
    "acknowledge",
    "add_rule",
    "alert_from_row",
    "alert_query",
    "at",
    "auto_resolve",
    "delete_rule",
    "get_alert",
    "get_rule",
    "list_alerts",
    "list_rules",
    "load_alert",
    "record_signals",
    "resolve",
    "update_rule",
]


@dataclass(frozen=True)
class Alert:
    """An alert as the API, the web app and the notifiers see it."""

    id: int
    brand_id: int
    brand: str
    episode_key: str
    detector: str
    scope: str
    subject: str | None
    status: str
    severity: int
    max_severity: int
    first_seen: datetime
    last_seen: datetime
    window_start: datetime
    window_end: datetime
    observed: float
    expected: float
    unit: str
    score: float
    evidence: dict[str, Any]
    """``top_terms`` ([term, count]), ``top_posts`` (objects), ``top_authors`` ([author,
    posts]) and ``details`` (name -> number) of the latest firing."""
    firings: int
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class AlertChange:
    """What one signal did: ``created`` an alert, ``escalated`` it or ``updated`` it."""

    alert_id: int
    change: str
    severity: int
    previous_severity: int | None
    queued: int
    """Messages queued in the outbox because of it."""


@dataclass(frozen=True)
class AlertPage:
    """A page of alerts, newest first; ``next_cursor`` continues it (``None``: the end)."""

    items: list[Alert]
    next_cursor: int | None


def _when(value: datetime | None) -> datetime | None:
    return None if value is None else aware_utc(value)


def _number(value: float) -> float:
    """A float every backend stores (SQLite turns NaN into NULL; JSON has no infinity)."""
    if math.isnan(value):
        return 0.0
    return max(min(float(value), 1e300), -1e300)


def alert_from_row(row: Row[Any]) -> Alert:
    """An :class:`Alert` from a row of :func:`alert_query`."""
    values = row._mapping
    return Alert(
        id=int(values["id"]),
        brand_id=int(values["brand_id"]),
        brand=values["brand"],
        episode_key=values["episode_key"],
        detector=values["detector"],
        scope=values["scope"],
        subject=values["subject"],
        status=values["status"],
        severity=int(values["severity"]),
        max_severity=int(values["max_severity"]),
        first_seen=aware_utc(values["first_seen"]),
        last_seen=aware_utc(values["last_seen"]),
        window_start=aware_utc(values["window_start"]),
        window_end=aware_utc(values["window_end"]),
        observed=float(values["observed"]),
        expected=float(values["expected"]),
        unit=values["unit"],
        score=float(values["score"]),
        evidence=dict(values["evidence"] or {}),
        firings=int(values["firings"]),
        acknowledged_by=values["acknowledged_by"],
        acknowledged_at=_when(values["acknowledged_at"]),
        resolved_by=values["resolved_by"],
        resolved_at=_when(values["resolved_at"]),
        resolution_note=values["resolution_note"],
        created_at=aware_utc(values["created_at"]),
        updated_at=aware_utc(values["updated_at"]),
    )


def alert_query() -> Any:
    """SELECT alerts with their brand's name (``brand``)."""
    return select(alerts, brands.c.name.label("brand")).join(
        brands, brands.c.id == alerts.c.brand_id
    )


def _episode(signal: Signal) -> str:
    key = signal.episode_key
    if len(key) <= _KEY_LENGTH:
        return key
    return f"{key[: _KEY_LENGTH - 65]}#{hashlib.sha256(key.encode()).hexdigest()}"


def _post(post: Evidence) -> dict[str, Any]:
    return {
        "key": post.key,
        "at": _number(post.at),
        "platform": post.platform,
        "sentiment": post.sentiment,
        "excerpt": post.excerpt[:MAX_EXCERPT],
        "author": post.author,
        "followers": post.followers,
        "engagement": post.engagement,
        "url": post.url,
        "post_id": post.post_id,
    }


def _evidence(signal: Signal) -> dict[str, Any]:
    return {
        "top_terms": [[term, int(count)] for term, count in signal.top_terms[:MAX_TERMS]],
        "top_posts": [_post(post) for post in signal.top_posts[:MAX_POSTS]],
        "top_authors": [[name, int(count)] for name, count in signal.top_authors[:MAX_AUTHORS]],
        "details": {str(name): _number(value) for name, value in signal.details.items()},
    }


def _figures(signal: Signal, severity: int, now: datetime) -> dict[str, Any]:
    """The columns every firing sets."""
    return {
        "severity": severity,
        "window_start": at(signal.window_start),
        "window_end": at(signal.window_end),
        "observed": _number(signal.observed),
        "expected": _number(signal.expected),
        "unit": signal.unit[:20],
        "score": _number(signal.score),
        "evidence": _evidence(signal),
        "updated_at": now,
    }


def record_signals(
    conn: Connection,
    brand_id: int,
    signals: Iterable[Signal],
    *,
    now: Instant,
    merge_gap_s: float = MERGE_GAP_S,
) -> list[AlertChange]:
    """Merge ``signals`` into the brand's alerts and queue the messages they cause; returns
    one change per signal, in signal time order.

    On PostgreSQL the brand's row is locked for the transaction, so two callers never open
    two alerts for one episode; SQLite has a single writer.
    """
    moment = at(now)
    conn.execute(_LOCK_BRAND, {"b_brand": brand_id})
    rules = list_rules(conn, brand_id, enabled_only=True)
    return [
        _record(conn, brand_id, signal, rules, moment, merge_gap_s)
        for signal in sorted(signals, key=lambda s: s.window_end)
    ]


# Built once: the signal path runs on every listening step, and building a statement costs
# more than executing its cached compiled form.
_LOCK_BRAND = (
    select(brands.c.id).where(brands.c.id == bindparam("b_brand")).with_for_update(key_share=True)
)
_EPISODE_ALERT = (
    select(
        alerts.c.id,
        alerts.c.severity,
        alerts.c.max_severity,
        alerts.c.first_seen,
        alerts.c.last_seen,
    )
    .where(
        alerts.c.brand_id == bindparam("b_brand"),
        alerts.c.episode_key == bindparam("b_key"),
        alerts.c.status != RESOLVED,
        alerts.c.last_seen >= bindparam("b_since", type_=alerts.c.last_seen.type),
    )
    .order_by(alerts.c.last_seen.desc(), alerts.c.id.desc())
    .limit(1)
)
_INSERT_ALERT = insert(alerts)
_UPDATE_ALERT = (
    update(alerts).where(alerts.c.id == bindparam("b_id")).values(firings=alerts.c.firings + 1)
)


def _episode_alert(
    conn: Connection, brand_id: int, key: str, seen: datetime, merge_gap_s: float
) -> Any:
    """The unresolved alert (a row) of the episode last seen at most ``merge_gap_s`` before
    ``seen``, or ``None``."""
    return conn.execute(
        _EPISODE_ALERT,
        {"b_brand": brand_id, "b_key": key, "b_since": seen - timedelta(seconds=merge_gap_s)},
    ).first()


def _record(
    conn: Connection,
    brand_id: int,
    signal: Signal,
    rules: Sequence[Rule],
    now: datetime,
    merge_gap_s: float,
) -> AlertChange:
    key, seen = _episode(signal), at(signal.window_end)
    severity = min(max(int(signal.severity), 1), 5)
    found = _episode_alert(conn, brand_id, key, seen, merge_gap_s)
    detector, scope = str(signal.detector), signal.scope[:100]

    def notify(alert_id: int, event: str) -> int:
        return alert_outbox.queue_for_alert(
            conn, rules, alert_id=alert_id, brand_id=brand_id, detector=detector, scope=scope,
            severity=severity, event=event, now=now,
        )  # fmt: skip

    if found is None:
        result = conn.execute(
            _INSERT_ALERT,
            {
                "brand_id": brand_id, "episode_key": key, "detector": detector, "scope": scope,
                "subject": signal.subject, "status": OPEN, "max_severity": severity,
                "first_seen": seen, "last_seen": seen, "firings": 1, "created_at": now,
                **_figures(signal, severity, now),
            },
        )  # fmt: skip
        alert_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return AlertChange(
            alert_id, "created", severity, None, notify(alert_id, alert_outbox.OPENED)
        )
    alert_id, highest = int(found.id), int(found.max_severity)
    conn.execute(
        _UPDATE_ALERT,
        {
            "b_id": alert_id,
            "max_severity": max(highest, severity),
            "first_seen": min(aware_utc(found.first_seen), seen),
            "last_seen": max(aware_utc(found.last_seen), seen),
            **_figures(signal, severity, now),
        },
    )
    if severity <= highest:
        return AlertChange(alert_id, "updated", severity, int(found.severity), 0)
    queued = notify(alert_id, alert_outbox.ESCALATED)
    return AlertChange(alert_id, "escalated", severity, int(found.severity), queued)


def auto_resolve(conn: Connection, brand_id: int, *, now: Instant, quiet_s: float) -> list[int]:
    """Resolve (as ``system``) the brand's open and acknowledged alerts last seen more than
    ``quiet_s`` before ``now``; returns their ids."""
    moment = at(now)
    stale = (
        conn.execute(
            select(alerts.c.id)
            .where(
                alerts.c.brand_id == brand_id,
                alerts.c.status.in_((OPEN, ACKNOWLEDGED)),
                alerts.c.last_seen < moment - timedelta(seconds=quiet_s),
            )
            .order_by(alerts.c.id)
        )
        .scalars()
        .all()
    )
    return _close_by_system(conn, brand_id, stale, moment)


def _close_by_system(
    conn: Connection, brand_id: int, alert_ids: Sequence[int], moment: datetime
) -> list[int]:
    """Resolve ``alert_ids`` as ``system`` and tell the channels that heard of them."""
    rules = list_rules(conn, brand_id, enabled_only=True) if alert_ids else []
    resolved = []
    for alert_id in alert_ids:
        if _close(conn, int(alert_id), SYSTEM, None, moment):
            alert_outbox.queue_resolved(
                conn, rules, alert_id=int(alert_id), brand_id=brand_id, now=moment
            )
            resolved.append(int(alert_id))
    return resolved


def _close(conn: Connection, alert_id: int, actor: str, note: str | None, now: datetime) -> bool:
    result = conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.status.in_((OPEN, ACKNOWLEDGED)))
        .values(
            status=RESOLVED,
            resolved_by=actor,
            resolved_at=now,
            resolution_note=note,
            updated_at=now,
        )
    )
    return bool(result.rowcount)


def _for_user(
    conn: Connection, alert_id: int, user_id: int, brand_id: int | None
) -> tuple[Alert, int, str]:
    """The alert, its workspace and the user's e-mail; E710 unless the user is a member of
    the workspace of the alert's brand (and the alert is ``brand_id``'s, when given)."""
    row = conn.execute(
        alert_query().add_columns(brands.c.workspace_id).where(alerts.c.id == alert_id)
    ).first()
    if row is None or (brand_id is not None and row.brand_id != brand_id):
        raise ConfianceError("E710", ref=alert_id)
    email = conn.execute(
        select(users.c.email)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(
            users.c.id == user_id,
            users.c.is_active.is_(True),
            memberships.c.workspace_id == row.workspace_id,
        )
    ).scalar_one_or_none()
    if email is None:
        raise ConfianceError("E710", ref=alert_id)
    return alert_from_row(row), int(row.workspace_id), str(email)


def acknowledge(
    conn: Connection,
    alert_id: int,
    user_id: int,
    *,
    brand_id: int | None = None,
    now: Instant | None = None,
) -> Alert:
    """Mark an open alert acknowledged by the user (audited); acknowledging it again changes
    nothing. E710 if the user cannot see it, E711 if it is resolved."""
    alert, workspace_id, email = _for_user(conn, alert_id, user_id, brand_id)
    if alert.status == ACKNOWLEDGED:
        return alert
    moment = at(now) if now is not None else datetime.now(UTC)
    result = conn.execute(
        update(alerts)
        .where(alerts.c.id == alert_id, alerts.c.status == OPEN)
        .values(
            status=ACKNOWLEDGED, acknowledged_by=email, acknowledged_at=moment, updated_at=moment
        )
    )
    if not result.rowcount:  # resolved meanwhile, or resolved already
        raise ConfianceError("E711", ref=alert_id, status=RESOLVED, action="acknowledged")
    audit.record(
        conn,
        "alert.acknowledge",
        user_id=user_id,
        actor=email,
        workspace_id=workspace_id,
        target=f"alert:{alert_id}",
        details={"brand_id": alert.brand_id},
    )
    return load_alert(conn, alert_id)


def resolve(
    conn: Connection,
    alert_id: int,
    user_id: int,
    note: str | None = None,
    *,
    brand_id: int | None = None,
    now: Instant | None = None,
) -> Alert:
    """Resolve an open or acknowledged alert as the user, with an optional note (audited;
    the channels that heard of the alert hear that it is resolved). E710 if the user cannot
    see it, E711 if it is resolved already, E723 if the note is too long."""
    if note is not None and len(note) > MAX_NOTE:
        raise ConfianceError("E723", length=len(note), maximum=MAX_NOTE)
    alert, workspace_id, email = _for_user(conn, alert_id, user_id, brand_id)
    moment = at(now) if now is not None else datetime.now(UTC)
    if not _close(conn, alert_id, email, note or None, moment):
        raise ConfianceError("E711", ref=alert_id, status=RESOLVED, action="resolved")
    alert_outbox.queue_resolved(
        conn,
        list_rules(conn, alert.brand_id, enabled_only=True),
        alert_id=alert_id,
        brand_id=alert.brand_id,
        now=moment,
    )
    audit.record(
        conn,
        "alert.resolve",
        user_id=user_id,
        actor=email,
        workspace_id=workspace_id,
        target=f"alert:{alert_id}",
        details={"brand_id": alert.brand_id, "note": bool(note)},
    )
    return load_alert(conn, alert_id)


def load_alert(conn: Connection, alert_id: int) -> Alert:
    """Any alert by id, whatever its brand (for senders; user-facing code uses
    :func:`get_alert`); E710 if there is none."""
    row = conn.execute(alert_query().where(alerts.c.id == alert_id)).first()
    if row is None:
        raise ConfianceError("E710", ref=alert_id)
    return alert_from_row(row)


def get_alert(conn: Connection, brand_id: int, alert_id: int) -> Alert:
    """The brand's alert ``alert_id``; E710 if the brand has none with that id."""
    row = conn.execute(
        alert_query().where(alerts.c.id == alert_id, alerts.c.brand_id == brand_id)
    ).first()
    if row is None:
        raise ConfianceError("E710", ref=alert_id)
    return alert_from_row(row)


def list_alerts(
    conn: Connection,
    brand_id: int,
    *,
    status: str | Sequence[str] | None = None,
    limit: int = 50,
    cursor: int | None = None,
) -> AlertPage:
    """The brand's alerts, newest first, of one status or several (E727 for an unknown one);
    ``cursor`` is the ``next_cursor`` of the previous page. ``limit`` is 1 to 500."""
    wanted = [status] if isinstance(status, str) else list(status or [])
    for value in wanted:
        if value not in STATUSES:
            raise ConfianceError("E727", status=value, known=", ".join(STATUSES))
    limit = min(max(limit, 1), 500)
    query = alert_query().where(alerts.c.brand_id == brand_id)
    if wanted:
        query = query.where(alerts.c.status.in_(wanted))
    if cursor is not None:
        query = query.where(alerts.c.id < cursor)
    rows = conn.execute(query.order_by(alerts.c.id.desc()).limit(limit + 1)).all()
    items = [alert_from_row(row) for row in rows[:limit]]
    return AlertPage(items, items[-1].id if len(rows) > limit else None)


def resolve_source_alerts(conn: Connection, brand_id: int, *, scope: str, now: Instant
                          ) -> list[int]:
    """Resolve (as ``system``) the brand's open ``source_health`` alerts of ``scope``
    (``source:<name>``): the source works again. Returns their ids."""
    moment = at(now)
    found = conn.execute(
        select(alerts.c.id).where(
            alerts.c.brand_id == brand_id,
            alerts.c.detector == "source_health",
            alerts.c.scope == scope,
            alerts.c.status.in_((OPEN, ACKNOWLEDGED)),
        ).order_by(alerts.c.id)
    ).scalars().all()
    return _close_by_system(conn, brand_id, found, moment)
