"""Digests: one message per period with a brand's alerts, for channels that ask for it.

A channel with ``"digest": true`` gets no message per alert; once a day, at
``CONFIANCE_ALERT_DIGEST_HOUR`` o'clock in its rule's time zone (UTC when the rule names
none), it gets one message listing the alerts active during the 24 hours before, most
severe first. A period without alerts sends nothing (its outbox row is ``empty``).
Quiet hours do not apply to digests: their hour is chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlalchemy import Connection, select

from confiance.store import alert_outbox
from confiance.store.alert_rules import Rule, get_rule
from confiance.store.alerts import Alert, Instant, alert_from_row, alert_query, at
from confiance.store.tables import alert_rules, alerts, brands


@dataclass(frozen=True)
class Digest:
    """The alerts of a brand active in a period (``since`` included, ``until`` excluded)."""

    brand_id: int
    brand: str
    since: datetime
    until: datetime
    alerts: list[Alert]


def build_digest(
    conn: Connection, brand_id: int, since: Instant, until: Instant, *, rule: Rule | None = None
) -> Digest:
    """The brand's alerts active in [since, until) (first seen before ``until``, last seen
    at or after ``since``), most severe first; only those ``rule`` covers, when given."""
    start, end = at(since), at(until)
    name = conn.execute(select(brands.c.name).where(brands.c.id == brand_id)).scalar_one()
    rows = conn.execute(
        alert_query()
        .where(
            alerts.c.brand_id == brand_id,
            alerts.c.first_seen < end,
            alerts.c.last_seen >= start,
        )
        .order_by(alerts.c.max_severity.desc(), alerts.c.id)
    )
    found = [alert_from_row(row) for row in rows]
    if rule is not None:
        found = [
            a
            for a in found
            if rule.detector in (None, a.detector)
            and rule.scope in (None, a.scope)
            and a.max_severity >= rule.min_severity
        ]
    return Digest(brand_id=brand_id, brand=name, since=start, until=end, alerts=found)


def digest_period(now: datetime, hour: int, zone: tzinfo) -> tuple[datetime, datetime]:
    """The last complete digest period at ``now``: from ``hour`` o'clock the day before to
    ``hour`` o'clock (local time in ``zone``), in UTC."""
    local = now.astimezone(zone)
    day = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
    end = datetime.combine(day, time(hour), tzinfo=zone)
    start = datetime.combine(day - timedelta(days=1), time(hour), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def schedule_digests(conn: Connection, *, now: Instant, digest_hour: int) -> int:
    """Queue the digests now due, once per digest channel of every enabled rule (for the
    last complete period; a period that ended before the rule existed is skipped, and
    periods missed while nothing ran are not caught up); returns how many were queued."""
    moment = at(now)
    queued = 0
    for row in conn.execute(
        select(alert_rules.c.id, alert_rules.c.brand_id)
        .where(alert_rules.c.enabled.is_(True))
        .order_by(alert_rules.c.id)
    ).all():
        rule = get_rule(conn, int(row.brand_id), int(row.id))
        channels = [c for c in rule.channels if c.digest]
        if not channels:
            continue
        since, until = digest_period(moment, digest_hour, rule.zone)
        if until < rule.created_at:
            continue
        for channel in channels:
            if alert_outbox.has_digest(conn, rule.id, channel, until):
                continue
            digest = build_digest(conn, rule.brand_id, since, until, rule=rule)
            queued += alert_outbox.queue_digest(
                conn,
                brand_id=rule.brand_id,
                rule=rule,
                channel=channel,
                period_start=since,
                period_end=until,
                empty=not digest.alerts,
                now=moment,
            )
    return queued
