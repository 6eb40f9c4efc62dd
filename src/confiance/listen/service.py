"""``confiance listen``: the continuous loop that collects, enriches, watches and notifies.

Each cycle a :class:`Listener` polls the sources that are due (one page each, through the
platform's :class:`~confiance.sources.clients.base.PollClient`), imports the deliveries pushed
to the webhook endpoint, enriches what it collected, runs each brand's alert detectors
(:class:`~confiance.listen.watch.BrandWatch`, the very step replays run) on the posts queued
for them, and delivers the notifications due. Every step commits its work with the proof it
was done (:mod:`confiance.store.listening`), so several listeners can share one PostgreSQL
database and any of them can be killed at any time: nothing is lost, nothing counted twice.

A source that fails is retried with exponential backoff; a token the platform refuses, a
configuration it rejects, or ``failures_for_alert`` failures in a row raise a
``source_health`` alert for the brand, resolved by the next successful poll; a token that
expires within three days raises a low-severity one.
"""

from __future__ import annotations

import io
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import Connection, Engine

from confiance.core.errors import ConfianceError
from confiance.enrich.pipeline import Pipeline, PipelineSpec
from confiance.enrich.runners import run_batch
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.model import Detector, Signal
from confiance.listen.alerts.notify import Notifier, deliver_pending
from confiance.listen.watch import BrandWatch
from confiance.sources.base import Item, SourceFormat, guarded, reject
from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    Fetched,
    PollClient,
    RateLimited,
    SourceError,
)
from confiance.sources.registry import FormatRegistry
from confiance.store import alerts as alert_store
from confiance.store import enrichments, listen_work, listening
from confiance.store.alert_rules import Param
from confiance.store.bulk import writer_for
from confiance.store.listening import AUTH, CONFIG, FAILING, OK, WAITING, ListenSource

log = logging.getLogger(__name__)

MAX_BACKOFF_S = 3600.0
"""The longest wait between two tries of a failing source."""
REFUSED_RETRY_S = 3600.0
"""A refused token or configuration is tried again after this (it may have been fixed)."""
EXPIRY_WARNING = timedelta(days=3)
HEARTBEAT_S = 15.0
"""An idle listener writes its heartbeat this often (a busy one after every cycle)."""
IDLE_STEP_S = 60.0
"""A brand with no post waiting has its detectors stepped (and its lease renewed) this
often; the watch lease must last longer."""
PIPELINE_REFRESH_S = 300.0
"""The enrichment pipeline is rebuilt this often, to follow brands and queries edited
while the listener runs."""


class _LeaseLost(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Another listener took over the work meanwhile: roll this transaction back."""


@dataclass
class ListenerOptions:
    """How one listener works; the defaults suit one process per machine."""

    name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    lease_s: float = 120.0
    """How long a claim (a poll, a delivery, a slice of posts, a brand's watch) lasts
    without being completed or renewed before another listener may take it over."""
    cycle_s: float = 1.0
    """The pause between two cycles when there is nothing to do."""
    polls_per_cycle: int = 20
    enrich_batch: int = 256
    watch_batch: int = 5000
    failures_for_alert: int = 5
    """Failures in a row after which a source raises a health alert."""
    detector_config: DetectorConfig = field(default_factory=DetectorConfig)
    deliver: bool = True
    """Deliver the notifications due (several listeners may all do it: claims are leased)."""
    sentiment_model: str | None = None
    """A local Hugging Face model directory that scores sentiment instead of the built-in
    head (``CONFIANCE_SENTIMENT_MODEL``)."""


@dataclass
class CycleReport:
    """What one cycle did (the heartbeat's statistics add these up)."""

    polled: int = 0
    poll_failures: int = 0
    pushes: int = 0
    collected: int = 0
    """Posts new to listening."""
    enriched: int = 0
    observed: int = 0
    signals: int = 0
    notifications: int = 0

    def add(self, other: CycleReport) -> None:
        """Add ``other``'s counts to this one."""
        for key, value in other.__dict__.items():
            setattr(self, key, getattr(self, key) + value)

    @property
    def busy(self) -> bool:
        """Whether the cycle found work (the next one starts at once)."""
        return bool(self.polled or self.pushes or self.enriched or self.observed)


def backoff_s(interval_s: float, failures: int, *, jitter: Callable[[], float] = random.random
              ) -> float:
    """The wait before trying a source again after ``failures`` failures in a row: its
    interval doubled each time, at most :data:`MAX_BACKOFF_S`, give or take 10 %."""
    wait = min(interval_s * 2.0 ** max(failures - 1, 0), MAX_BACKOFF_S)
    return float(wait * (0.9 + 0.2 * jitter()))


class Listener:
    """One listening process; :meth:`run_once` is one cycle, :meth:`run` loops."""

    def __init__(self, engine: Engine, *, clients: Mapping[str, PollClient],
                 formats: FormatRegistry, notifiers: Mapping[str, Notifier] | None = None,
                 http: httpx.Client | None = None, options: ListenerOptions | None = None,
                 clock: Callable[[], float] = time.time, digest_hour: int = 8) -> None:
        self.engine = engine
        self.clients = dict(clients)
        self.formats = formats
        self.notifiers = dict(notifiers or {})
        self.http = http or httpx.Client(timeout=30.0)
        self.options = options or ListenerOptions()
        self.clock = clock
        self.digest_hour = digest_hour
        self.writer = writer_for(engine)
        self.started_at = self._now()
        self.totals = CycleReport()
        self.watches: dict[int, BrandWatch] = {}
        self._pipeline: Pipeline | None = None
        self._pipeline_at = float("-inf")
        self._warned_expiry: dict[int, float] = {}
        self._last_prune = float("-inf")
        self._last_beat = float("-inf")
        self._stepped: dict[int, float] = {}
        self._overrides: dict[int, dict[str, Param]] = {}

    # ------------------------------------------------------------------------ the loop

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def run_once(self) -> CycleReport:
        """One cycle: polls, pushes, enrichment, detectors, notifications, heartbeat."""
        report = CycleReport()
        self.poll_due(report)
        self.import_pushes(report)
        self.enrich(report)
        self.watch(report)
        if self.options.deliver and self.notifiers:
            delivered = deliver_pending(self.engine, self.notifiers, now=self._now(),
                                        digest_hour=self.digest_hour)
            report.notifications += delivered.sent
        self.totals.add(report)
        tick = self.clock()
        if report.busy or tick - self._last_beat >= HEARTBEAT_S:
            now = self._now()
            with self.engine.begin() as conn:
                listen_work.heartbeat(conn, self.options.name, started_at=self.started_at,
                                      now=now, stats=dict(self.totals.__dict__))
                if tick - self._last_prune > 3600:
                    listen_work.prune(conn, now=now)
                    self._last_prune = tick
            self._last_beat = tick
        return report

    def run(self, stop: threading.Event,
            on_cycle: Callable[[CycleReport], None] | None = None) -> CycleReport:
        """Cycle until ``stop`` is set; a failing cycle is logged and the next one goes on.
        Leases are given back on the way out."""
        try:
            while not stop.is_set():
                try:
                    report = self.run_once()
                except Exception:  # a database hiccup must not stop listening
                    log.exception("listening cycle failed; retrying in %.0f s",
                                  self.options.cycle_s * 5)
                    stop.wait(self.options.cycle_s * 5)
                    continue
                if on_cycle is not None:
                    on_cycle(report)
                if not report.busy:
                    stop.wait(self.options.cycle_s)
        finally:
            self.release()
        return self.totals

    def release(self) -> None:
        """Give back the brands' watch leases (their state is saved after every step)."""
        with self.engine.begin() as conn:
            for brand_id in self.watches:
                listen_work.release_watch(conn, brand_id, owner=self.options.name)
        self.watches.clear()

    # ------------------------------------------------------------------------ polling

    def poll_due(self, report: CycleReport) -> None:
        """Poll each source that is due, one page each (a source with a backlog is due again
        at once)."""
        for _ in range(self.options.polls_per_cycle):
            now = self._now()
            with self.engine.begin() as conn:
                source = listen_work.claim_poll(conn, owner=self.options.name, now=now,
                                                lease_s=self.options.lease_s)
            if source is None:
                return
            self.poll(source, report)

    def poll(self, source: ListenSource, report: CycleReport) -> None:
        """Fetch one page of ``source`` and write it, or record why it failed."""
        report.polled += 1
        client = self.clients.get(source.format)
        secret = listening.read_secret(source.secret_ref)
        try:
            if client is None:
                known = ", ".join(sorted(self.clients)) or "none"
                raise BadConfig(ConfianceError("E748", name=source.format, known=known).message,
                                code="E748")
            if client.needs_secret and secret is None:
                where = source.secret_ref or "no token reference (--secret)"
                raise AuthFailed(f"The token for this source is missing: {where} holds no "
                                 "token. Set it, then resume the source.")
            fetched = client.fetch(self.http, source.config, source.cursor, secret)
            fmt = self.formats.get(source.format)
        except SourceError as exc:
            report.poll_failures += 1
            self._failed(source, exc)
            return
        except Exception as exc:
            report.poll_failures += 1
            self._failed(source, SourceError(f"Unexpected error in the {source.format} "
                                             f"client: {type(exc).__name__}"))
            log.exception("polling %s failed", source.name)
            return
        self._write_page(source, fmt, fetched, report)

    def _write_page(self, source: ListenSource, fmt: SourceFormat, fetched: Fetched,
                    report: CycleReport) -> None:
        now = self._now()
        items: list[Item] = []
        for number, payload in enumerate(fetched.payloads, start=1):
            items.extend(guarded(fmt.parse, payload, f"page item {number}"))
        # A backlog is fetched again at once, unless the platform's budget is spent.
        wait = max(0.0 if fetched.more else source.interval_s, fetched.wait_s or 0.0)
        try:
            with self.engine.begin() as conn:
                written = listen_work.write_items(conn, self.writer, items,
                                                  source_id=source.source_id,
                                                  brand_id=source.brand_id, now=now)
                kept = listen_work.poll_succeeded(
                    conn, source.id, owner=self.options.name, cursor=fetched.cursor,
                    next_run_at=now + timedelta(seconds=wait), now=now,
                    posts_written=written.inserted + written.updated,
                    token_expires_at=fetched.token_expires_at,
                    waiting=fetched.wait_s is not None and fetched.wait_s > source.interval_s)
                if not kept:
                    raise _LeaseLost
                if source.health in (FAILING, AUTH, CONFIG):
                    alert_store.resolve_source_alerts(conn, source.brand_id,
                                                      scope=_scope(source), now=now)
                self._warn_expiry(conn, source, fetched.token_expires_at, now)
        except _LeaseLost:
            log.warning("source %s was taken over by another listener; page dropped",
                        source.name)
            return
        report.collected += written.queued

    def _failed(self, source: ListenSource, exc: SourceError) -> None:
        now = self._now()
        message = str(exc) or type(exc).__name__
        if isinstance(exc, RateLimited):
            health, wait = WAITING, max(exc.retry_after_s or source.interval_s, 1.0)
        elif isinstance(exc, AuthFailed):
            health, wait = AUTH, REFUSED_RETRY_S
        elif isinstance(exc, BadConfig):
            health, wait = CONFIG, REFUSED_RETRY_S
        else:
            health = FAILING
            wait = max(exc.retry_after_s or 0.0, backoff_s(source.interval_s,
                                                           source.failures + 1))
        with self.engine.begin() as conn:
            failures = listen_work.poll_failed(conn, source.id, owner=self.options.name,
                                               health=health, error=message,
                                               next_run_at=now + timedelta(seconds=wait),
                                               now=now)
            # Every failed try while the trouble lasts fires again: the alert stays one
            # episode (merged), and its last-seen time keeps it from resolving as quiet.
            refused = health in (AUTH, CONFIG)
            repeated = health == FAILING and failures >= self.options.failures_for_alert
            if refused or repeated:
                subject = {AUTH: "auth", CONFIG: "config"}.get(health, "failing")
                severity = 4 if health == AUTH else 3
                since = source.failing_since or now
                alert_store.record_signals(conn, source.brand_id, [_health_signal(
                    source, subject, severity, since, now, failures)], now=now.timestamp())
        log.warning("source %s: %s (%s, next try in %.0f s)", source.name, message, health,
                    wait)

    def _warn_expiry(self, conn: Connection, source: ListenSource,
                     expires: datetime | None, now: datetime) -> None:
        if expires is None or expires - now > EXPIRY_WARNING:
            return
        last = self._warned_expiry.get(source.id)
        if last is not None and now.timestamp() - last < 6 * 3600:
            return
        self._warned_expiry[source.id] = now.timestamp()
        alert_store.record_signals(conn, source.brand_id, [_health_signal(
            source, "expiring", 2, now, expires, 0)], now=now.timestamp())

    # ------------------------------------------------------------------------ pushes

    def import_pushes(self, report: CycleReport) -> None:
        """Import the deliveries pushed to the webhook endpoint."""
        while True:
            now = self._now()
            with self.engine.begin() as conn:
                deliveries = listen_work.claim_pushes(conn, owner=self.options.name, now=now,
                                                      lease_s=self.options.lease_s)
            if not deliveries:
                return
            for delivery in deliveries:
                items: list[Item]
                try:
                    fmt = self.formats.get(delivery.format)
                except ConfianceError:
                    # Its format's plugin is gone: the body is quarantined whole, with the
                    # reason, rather than leased again and again.
                    log.error("push source %s has an unknown format %s: delivery quarantined",
                              delivery.listen_source_id, delivery.format)
                    items = [reject(
                        f"the source's format {delivery.format!r} is not installed (a plugin "
                        "removed?): install it again, then import the quarantined body with "
                        "confiance import", delivery.body.decode("utf-8", "replace"),
                        code="E207")]
                else:
                    items = list(fmt.read(io.BytesIO(delivery.body)))
                try:
                    with self.engine.begin() as conn:
                        written = listen_work.write_items(conn, self.writer, items,
                                                          source_id=delivery.source_id,
                                                          brand_id=delivery.brand_id, now=now)
                        if not listen_work.push_done(conn, delivery, owner=self.options.name,
                                                     now=now, written=written):
                            raise _LeaseLost
                except _LeaseLost:
                    continue
                report.pushes += 1
                report.collected += written.queued

    # ------------------------------------------------------------------------ enrichment

    def pipeline(self) -> Pipeline:
        """The store's enrichment pipeline, rebuilt every few minutes."""
        if self._pipeline is None or self.clock() - self._pipeline_at > PIPELINE_REFRESH_S:
            self._pipeline = PipelineSpec.from_store(
                self.engine, sentiment_model=self.options.sentiment_model).build()
            self._pipeline_at = self.clock()
        return self._pipeline

    def enrich(self, report: CycleReport) -> None:
        """Enrich what was collected, a leased slice at a time, and queue it for the
        detectors of its brands."""
        while True:
            now = self._now()
            with self.engine.begin() as conn:
                claimed = listen_work.claim_feed(conn, owner=self.options.name, now=now,
                                                 lease_s=self.options.lease_s,
                                                 limit=self.options.enrich_batch)
            if not claimed:
                return
            result = run_batch(self.pipeline(), [doc for _, doc in claimed])
            failures: dict[tuple[str, str], list[dict[str, str]]] = {}
            for error in result.errors:
                failures.setdefault(error.key, []).append(
                    {"component": error.component, "reason": error.reason})
            results = [(post_id, doc, failures.get(doc.key, []))
                       for (post_id, _), doc in zip(claimed, result.docs, strict=True)]
            with self.engine.begin() as conn:
                enrichments.save(conn, results)
                listen_work.feed_enriched(conn, [post_id for post_id, _ in claimed],
                                          owner=self.options.name, now=self._now())
            report.enriched += len(results)

    # ------------------------------------------------------------------------ detectors

    def _brand_watch(self, conn: Connection, brand_id: int,
                     state: dict[str, Any] | None) -> BrandWatch:
        """The brand's watch: kept while its rules' settings stay the same, rebuilt from
        the saved state (``state``, when the lease was just taken) or from its own when
        they change; a state that no longer fits the settings starts afresh."""
        overrides = rule_settings(conn, brand_id)
        watch = self.watches.get(brand_id)
        if watch is not None and state is None and self._overrides.get(brand_id) == overrides:
            return watch
        if state is None and watch is not None:
            state = watch.state()
        try:
            config = self.options.detector_config.with_overrides(overrides)
        except ConfianceError as error:  # rules written before their settings were checked
            log.warning("brand %s: alert rule settings ignored: %s", brand_id, error.message)
            config = self.options.detector_config
        try:
            watch = BrandWatch(brand_id, config=config, state=state or None)
        except ConfianceError as error:
            log.warning("brand %s: detector state discarded (%s); starting afresh", brand_id,
                        error.message)
            watch = BrandWatch(brand_id, config=config)
        self.watches[brand_id] = watch
        self._overrides[brand_id] = overrides
        return watch

    def watch(self, report: CycleReport) -> None:
        """Run the detectors of every brand whose watch this listener holds (taking the
        free ones) on the posts queued for them."""
        with self.engine.connect() as conn:
            brands = listen_work.watched_brands(conn)
        tick = self.clock()
        for brand_id, has_queue in brands.items():
            last = self._stepped.get(brand_id)
            # An idle brand steps once a minute (windows close, alerts go quiet, the lease
            # is renewed); one with posts waiting at once.
            if has_queue or last is None or tick - last >= IDLE_STEP_S:
                self._stepped[brand_id] = tick
                self._watch_brand(brand_id, report)

    def _watch_brand(self, brand_id: int, report: CycleReport) -> None:
        owner = self.options.name
        while True:
            now = self._now()
            try:
                with self.engine.begin() as conn:
                    held, state = listen_work.claim_watch(conn, brand_id, owner=owner, now=now,
                                                          lease_s=self.options.lease_s)
                    if not held:
                        self.watches.pop(brand_id, None)
                        return
                    watch = self._brand_watch(conn, brand_id, state)
                    queued = listen_work.queued_observations(conn, brand_id,
                                                             limit=self.options.watch_batch)
                    signals, _ = watch.step(conn, [obs for _, obs in queued], now.timestamp())
                    if not listen_work.save_watch(conn, brand_id, owner=owner,
                                                  state=watch.state(),
                                                  consumed=[qid for qid, _ in queued], now=now):
                        raise _LeaseLost
            except _LeaseLost:
                self.watches.pop(brand_id, None)  # its memory ran ahead of the saved state
                return
            except Exception:
                self.watches.pop(brand_id, None)  # rolled back: restart from the saved state
                raise
            report.observed += len(queued)
            report.signals += len(signals)
            if len(queued) < self.options.watch_batch:
                return


ADDED_UP = frozenset({"extra_risk_terms", "ignored_risk_terms"})
"""Word lists that several rules of a brand add up (the others: the later rule wins)."""


def rule_settings(conn: Connection, brand_id: int) -> dict[str, Param]:
    """The detector settings the brand's enabled alert rules override (by rule id; a later
    rule's value wins, except the brand's own and ignored risk terms, which add up)."""
    merged: dict[str, Param] = {}
    for rule in alert_store.list_rules(conn, brand_id, enabled_only=True):
        for name, value in rule.params.items():
            earlier = merged.get(name)
            if name in ADDED_UP and isinstance(earlier, list) and isinstance(value, list):
                merged[name] = list(dict.fromkeys([*earlier, *value]))
            else:
                merged[name] = value
    return merged


def _scope(source: ListenSource) -> str:
    return f"source:{source.name}"


def _health_signal(source: ListenSource, subject: str, severity: int, since: datetime,
                   until: datetime, failures: int) -> Signal:
    start, end = since.timestamp(), max(until.timestamp(), since.timestamp())
    return Signal(detector=Detector.SOURCE_HEALTH, scope=_scope(source), subject=subject,
                  severity=severity, window_start=start, window_end=end,
                  observed=float(failures), expected=0.0, unit="failures",
                  score=float(failures), details={"failures": float(failures)})


__all__ = ["OK", "CycleReport", "Listener", "ListenerOptions", "backoff_s"]
