"""The notification outbox: messages written with the change that causes them, sent later.

A row is queued in the transaction that opens, escalates or resolves an alert, so a message
exists exactly when the change does; senders deliver it after that transaction commits.
Delivery is at least once and nothing is lost on a crash:

1. :func:`claim_due` picks due ``pending`` rows (``SELECT ... FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so several senders never wait on one another; SQLite has a single writer),
   counts the attempt and moves ``next_attempt_at`` a lease ahead, and the caller commits;
2. the caller sends, outside any transaction;
3. :func:`mark_sent` or :func:`mark_failed` records the outcome. A failure is retried after
   :func:`backoff` (1, 2, 4, 8... minutes, at most an hour) until ``max_attempts``, then the
   row is ``failed``. A sender that dies between 1 and 3 leaves its rows ``pending``: they
   are due again when the lease ends.

Statuses: ``pending``, ``sent``, ``failed``, ``deferred`` (quiet hours: due when they end),
``suppressed_quiet_hours`` (deferred, and the alert resolved before the quiet hours ended:
nothing worth waking anyone about), ``empty`` (a digest period without alerts: not sent).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row

from confiance.domain.records import aware_utc
from confiance.store.alert_rules import URGENT, Channel, Rule
from confiance.store.tables import alert_notifications, alert_rules, alerts

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
DEFERRED = "deferred"
SUPPRESSED = "suppressed_quiet_hours"
EMPTY = "empty"
UNSENT = (PENDING, DEFERRED)

OPENED = "opened"
ESCALATED = "escalated"
RESOLVED = "resolved"
DIGEST = "digest"

LEASE = timedelta(minutes=5)
"""How long a claimed row is left to its sender before another may take it."""
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)

_t = alert_notifications.c


@dataclass(frozen=True)
class Notification:
    """An outbox row as the API and the senders see it."""

    id: int
    alert_id: int | None
    brand_id: int
    rule_id: int | None
    kind: str
    target: str
    language: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    period_start: datetime | None
    period_end: datetime | None
    created_at: datetime
    sent_at: datetime | None
    timezone: str | None = None
    """The rule's time zone (for the times in the message), when the rule still exists."""


def _notification(row: Row[Any]) -> Notification:
    def when(value: datetime | None) -> datetime | None:
        return None if value is None else aware_utc(value)

    return Notification(
        id=int(row.id),
        alert_id=row.alert_id,
        brand_id=int(row.brand_id),
        rule_id=row.rule_id,
        kind=row.channel_kind,
        target=row.channel_target,
        language=row.language,
        event=row.event,
        status=row.status,
        attempts=int(row.attempts),
        next_attempt_at=aware_utc(row.next_attempt_at),
        last_error=row.last_error,
        period_start=when(row.period_start),
        period_end=when(row.period_end),
        created_at=aware_utc(row.created_at),
        sent_at=when(row.sent_at),
        timezone=getattr(row, "timezone", None),
    )


def _with_rule() -> Any:
    return select(alert_notifications, alert_rules.c.timezone).outerjoin(
        alert_rules, alert_rules.c.id == _t.rule_id
    )


def _waiting(conn: Connection, alert_id: int, rule: Rule, channel: Channel) -> Any:
    """The unsent news (a row) of an alert already waiting for this channel, or ``None``."""
    return conn.execute(
        select(_t.id, _t.status).where(
            _t.alert_id == alert_id,
            _t.rule_id == rule.id,
            _t.channel_kind == channel.kind,
            _t.channel_target == channel.target,
            _t.event != RESOLVED,
            _t.status.in_(UNSENT),
        )
    ).first()


def queue(
    conn: Connection,
    *,
    alert_id: int,
    brand_id: int,
    rule: Rule,
    channel: Channel,
    event: str,
    severity: int,
    now: datetime,
) -> bool:
    """Queue one message about an alert for one channel; ``False`` when nothing was added.

    In the rule's quiet hours the row is ``deferred`` to their end, unless ``severity`` is 5.
    A message already waiting for the same alert and channel is not repeated (it is rendered
    when sent, from the alert as it is then); a deferred one is sent at once when an urgent
    escalation comes.
    """
    quiet_end = None if severity >= URGENT else rule.quiet_until(now)
    waiting = None if event == RESOLVED else _waiting(conn, alert_id, rule, channel)
    if waiting is not None:
        if waiting.status == DEFERRED and quiet_end is None:
            conn.execute(
                update(alert_notifications)
                .where(_t.id == waiting.id)
                .values(status=PENDING, event=event, next_attempt_at=now)
            )
            return True
        return False
    conn.execute(
        insert(alert_notifications).values(
            alert_id=alert_id,
            brand_id=brand_id,
            rule_id=rule.id,
            channel_kind=channel.kind,
            channel_target=channel.target,
            language=channel.language,
            event=event,
            status=PENDING if quiet_end is None else DEFERRED,
            attempts=0,
            next_attempt_at=now if quiet_end is None else quiet_end,
            created_at=now,
        )
    )
    return True


def queue_for_alert(
    conn: Connection,
    rules: Iterable[Rule],
    *,
    alert_id: int,
    brand_id: int,
    detector: str,
    scope: str,
    severity: int,
    event: str,
    now: datetime,
) -> int:
    """Queue ``event`` for every non-digest channel of the rules that cover the alert."""
    queued = 0
    for rule in rules:
        if not rule.covers(detector, scope, severity):
            continue
        for channel in rule.channels:
            if not channel.digest:
                queued += queue(
                    conn,
                    alert_id=alert_id,
                    brand_id=brand_id,
                    rule=rule,
                    channel=channel,
                    event=event,
                    severity=severity,
                    now=now,
                )
    return queued


def queue_resolved(
    conn: Connection, rules: Iterable[Rule], *, alert_id: int, brand_id: int, now: datetime
) -> int:
    """Tell the channels that were sent a message about the alert that it is resolved
    (quiet hours apply); channels that heard nothing hear nothing now either."""
    told = {
        (row.rule_id, row.channel_kind, row.channel_target)
        for row in conn.execute(
            select(_t.rule_id, _t.channel_kind, _t.channel_target).where(
                _t.alert_id == alert_id, _t.status == SENT, _t.event.in_((OPENED, ESCALATED))
            )
        )
    }
    queued = 0
    for rule in rules:
        for channel in rule.channels:
            if (rule.id, channel.kind, channel.target) in told and not channel.digest:
                queued += queue(
                    conn,
                    alert_id=alert_id,
                    brand_id=brand_id,
                    rule=rule,
                    channel=channel,
                    event=RESOLVED,
                    severity=0,
                    now=now,
                )
    return queued


def queue_digest(
    conn: Connection,
    *,
    brand_id: int,
    rule: Rule,
    channel: Channel,
    period_start: datetime,
    period_end: datetime,
    empty: bool,
    now: datetime,
) -> bool:
    """Queue the digest of one period for one channel, once (several senders may try):
    ``empty`` periods are recorded as such and not sent."""
    values = {
        "alert_id": None,
        "brand_id": brand_id,
        "rule_id": rule.id,
        "channel_kind": channel.kind,
        "channel_target": channel.target,
        "language": channel.language,
        "event": DIGEST,
        "status": EMPTY if empty else PENDING,
        "attempts": 0,
        "next_attempt_at": now,
        "period_start": period_start,
        "period_end": period_end,
        "created_at": now,
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    result = conn.execute(
        dialect.insert(alert_notifications).values(**values).on_conflict_do_nothing()
    )
    return bool(result.rowcount)


def has_digest(conn: Connection, rule_id: int, channel: Channel, period_end: datetime) -> bool:
    """Whether the digest ending at ``period_end`` is already queued for the channel."""
    return (
        conn.execute(
            select(_t.id).where(
                _t.rule_id == rule_id,
                _t.channel_kind == channel.kind,
                _t.channel_target == channel.target,
                _t.period_end == period_end,
            )
        ).first()
        is not None
    )


def release_deferred(conn: Connection, *, now: datetime) -> tuple[int, int]:
    """Deferred rows whose quiet hours ended become pending, except news of an alert that
    resolved meanwhile (``suppressed_quiet_hours``); returns (released, suppressed)."""
    resolved_alert = select(alerts.c.id).where(alerts.c.status == "resolved")
    due = and_(_t.status == DEFERRED, _t.next_attempt_at <= now)
    suppressed = conn.execute(
        update(alert_notifications)
        .where(
            due,
            _t.event.in_((OPENED, ESCALATED)),
            _t.alert_id.in_(resolved_alert),
        )
        .values(status=SUPPRESSED)
    ).rowcount
    released = conn.execute(update(alert_notifications).where(due).values(status=PENDING)).rowcount
    return int(released), int(suppressed)


def claim_due(conn: Connection, *, now: datetime, limit: int = 50) -> list[Notification]:
    """Claim up to ``limit`` due pending rows for this sender: each attempt is counted and the
    row leased for :data:`LEASE`. Commit before sending."""
    due = (
        select(_t.id)
        .where(_t.status == PENDING, _t.next_attempt_at <= now)
        .order_by(_t.next_attempt_at, _t.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = []
    for row_id in conn.execute(due).scalars().all():
        result = conn.execute(
            update(alert_notifications)
            .where(
                _t.id == row_id,
                _t.status == PENDING,
                _t.next_attempt_at <= now,
            )
            .values(attempts=_t.attempts + 1, next_attempt_at=now + LEASE)
        )
        if result.rowcount == 1:
            claimed.append(row_id)
    if not claimed:
        return []
    rows = conn.execute(_with_rule().where(_t.id.in_(claimed)).order_by(_t.id))
    return [_notification(row) for row in rows]


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after ``attempts`` failed ones: 1, 2, 4... minutes,
    at most an hour."""
    wait: timedelta = FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 16)
    return min(wait, LAST_RETRY)


def mark_sent(conn: Connection, notification_id: int, *, now: datetime) -> None:
    """Record a delivered row."""
    conn.execute(
        update(alert_notifications)
        .where(_t.id == notification_id)
        .values(status=SENT, sent_at=now, last_error=None)
    )


def mark_failed(
    conn: Connection, notification: Notification, *, now: datetime, error: str, max_attempts: int
) -> str:
    """Record a failed try (``error`` must hold no secret): retried later, or ``failed``
    after ``max_attempts``. Returns the row's new status."""
    status = FAILED if notification.attempts >= max_attempts else PENDING
    conn.execute(
        update(alert_notifications)
        .where(_t.id == notification.id)
        .values(
            status=status,
            last_error=error[:2000],
            next_attempt_at=now + backoff(notification.attempts),
        )
    )
    return status


def notifications(
    conn: Connection, brand_id: int, *, alert_id: int | None = None, status: str | None = None
) -> list[Notification]:
    """The brand's outbox rows (of one alert, or with one status), oldest first."""
    query = _with_rule().where(_t.brand_id == brand_id)
    if alert_id is not None:
        query = query.where(_t.alert_id == alert_id)
    if status is not None:
        query = query.where(_t.status == status)
    return [_notification(row) for row in conn.execute(query.order_by(_t.id))]
