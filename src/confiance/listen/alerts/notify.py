"""Notifiers, and the sender that delivers the outbox through them.

A notifier sends :class:`~confiance.listen.alerts.message.AlertMessage` records to one kind
of channel. The built-in ones (``email``, ``webhook``, ``app``) register through the
``confiance_notifiers(settings)`` hook, as a plugin's would; :func:`load_notifiers` collects
them all. :func:`deliver_pending` is the sender: run it after the transactions that record
signals commit (the listening loop calls it after each round; several processes may run it
at once on PostgreSQL). It queues the digests now due, releases messages whose quiet hours
ended, then claims due messages, renders each from the alert as it is now, sends it and
records the outcome; a failing channel is retried with backoff and never holds up another.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import pluggy
from sqlalchemy import Connection, Engine

from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.listen.alerts.message import AlertMessage, render_alert, render_digest
from confiance.listen.alerts.notify_webhook import host_of
from confiance.store import alert_outbox
from confiance.store.alert_digests import build_digest, schedule_digests
from confiance.store.alert_rules import get_rule
from confiance.store.alerts import Instant, at, load_alert

logger = logging.getLogger("confiance.alerts")
MAX_ATTEMPTS = 5
BATCH = 50


@runtime_checkable
class Notifier(Protocol):
    """Sends messages to the channels of one kind; ``send`` raises when delivery failed
    (a :class:`ConfianceError` whose message holds no secret, ideally)."""

    kind: str

    def send(self, message: AlertMessage) -> None:
        """Deliver ``message`` to ``message.target``."""


class AppNotifier:
    """The ``app`` channel: the alert itself is the in-app notification (the web app lists
    open alerts), so there is nothing to send and the message counts as delivered."""

    kind = "app"

    def send(self, message: AlertMessage) -> None:
        """Nothing to do: the web app reads the alert from the store."""
        del message


@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0
    suppressed: int = 0
    digests: int = 0


def load_notifiers(
    settings: Settings, *, manager: pluggy.PluginManager | None = None
) -> dict[str, Notifier]:
    """Every notifier the plugins provide, by kind (the first plugin to claim a kind has it)."""
    if manager is None:
        from confiance.core.plugins import plugin_manager

        manager = plugin_manager()
    found: dict[str, Notifier] = {}
    for provided in manager.hook.confiance_notifiers(settings=settings):
        for notifier in provided:
            found.setdefault(notifier.kind, notifier)
    return found


@contextmanager
def _transaction(target: Engine | Connection) -> Iterator[Connection]:
    if isinstance(target, Engine):
        with target.begin() as conn:
            yield conn
    else:
        yield target


def _label(row: alert_outbox.Notification) -> str:
    """How logs name a row's channel: its kind, and a webhook's host (never the URL)."""
    return f"{row.kind} {host_of(row.target)}" if row.kind == "webhook" else row.kind


def _redact(text: str, row: alert_outbox.Notification) -> str:
    """An error line without the channel's URL, path or query (they can hold a token)."""
    if row.kind != "email" and row.target:
        text = text.replace(row.target, _label(row))
        try:
            parts = urlsplit(row.target)
            for piece in (parts.path, parts.query):
                if len(piece) > 1:
                    text = text.replace(piece, "/***")
        except ValueError:
            pass
    return " ".join(text.split())[:500]


def _render(conn: Connection, row: alert_outbox.Notification) -> AlertMessage:
    if row.event == alert_outbox.DIGEST:
        assert row.period_start is not None and row.period_end is not None
        rule = None
        if row.rule_id is not None:
            rule = get_rule(conn, row.brand_id, row.rule_id)
        digest = build_digest(conn, row.brand_id, row.period_start, row.period_end, rule=rule)
        return render_digest(
            digest, language=row.language, target=row.target, timezone=row.timezone
        )
    assert row.alert_id is not None
    return render_alert(
        load_alert(conn, row.alert_id),
        event=row.event,
        language=row.language,
        target=row.target,
        timezone=row.timezone,
    )


def _deliver_one(
    target: Engine | Connection,
    row: alert_outbox.Notification,
    notifiers: Mapping[str, Notifier],
    moment: Instant,
    max_attempts: int,
    report: DeliveryReport,
) -> None:
    now = at(moment)
    error: str | None = None
    try:
        with _transaction(target) as conn:
            message = _render(conn, row)
        notifier = notifiers.get(row.kind)
        if notifier is None:
            raise ConfianceError("E726", kind=row.kind)
        notifier.send(message)
    except ConfianceError as exc:
        error = _redact(f"{exc.code}: {exc.message}", row)
    except Exception as exc:  # noqa: BLE001 - a channel's failure is recorded, never fatal
        error = _redact(f"{type(exc).__name__}: {exc}", row)
    with _transaction(target) as conn:
        if error is None:
            alert_outbox.mark_sent(conn, row.id, now=now)
            report.sent += 1
            logger.info("Sent %s notification %d (%s)", row.event, row.id, _label(row))
            return
        status = alert_outbox.mark_failed(
            conn, row, now=now, error=error, max_attempts=max_attempts
        )
    if status == alert_outbox.FAILED:
        report.failed += 1
    else:
        report.retrying += 1
    logger.warning(
        "Notification %d (%s) failed, attempt %d of %d: %s",
        row.id,
        _label(row),
        row.attempts,
        max_attempts,
        error,
    )


def deliver_pending(
    target: Engine | Connection,
    notifiers: Mapping[str, Notifier] | Iterable[Notifier],
    *,
    now: Instant,
    max_attempts: int = MAX_ATTEMPTS,
    digest_hour: int = 8,
    batch_size: int = BATCH,
) -> DeliveryReport:
    """Deliver every message due at ``now``; returns what was done.

    With an engine each step commits on its own (claims before sending, outcomes after),
    which is what a sender process should do; with a connection everything runs in the
    caller's transaction. ``digest_hour`` is ``CONFIANCE_ALERT_DIGEST_HOUR``.
    """
    by_kind = dict(notifiers) if isinstance(notifiers, Mapping) else {n.kind: n for n in notifiers}
    moment = at(now)
    report = DeliveryReport()
    with _transaction(target) as conn:
        report.digests = schedule_digests(conn, now=moment, digest_hour=digest_hour)
        report.released, report.suppressed = alert_outbox.release_deferred(conn, now=moment)
    while True:
        with _transaction(target) as conn:
            claimed = alert_outbox.claim_due(conn, now=moment, limit=batch_size)
        if not claimed:
            return report
        for row in claimed:
            _deliver_one(target, row, by_kind, moment, max_attempts, report)
