"""``confiance listen``: polls, pushes, enrichment and detectors, each post counted once.

The sources here are test clients that serve pages of canonical posts (``ndjson`` payloads),
so every test controls what each poll returns and when it fails; the real platform clients
are tested on their own (``tests/sources/clients``) and once here end to end.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, func, select, update

from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.domain import Brand
from confiance.listen import sources as source_admin
from confiance.listen.service import Listener, ListenerOptions, backoff_s, rule_settings
from confiance.sources.clients.base import (
    AuthFailed,
    Fetched,
    PollClient,
    RateLimited,
    Unavailable,
)
from confiance.sources.registry import FormatRegistry
from confiance.store import brands, listen_work, listening, workspaces
from confiance.store.tables import (
    alerts,
    enrichments,
    listen_feed,
    listen_inbox,
    listen_sources,
    posts,
    quarantine,
    watch_queue,
    watch_states,
)

T0 = datetime.now(UTC).replace(microsecond=0)
"""When the posts were written."""


def canonical(number: int, *, minutes: float = 0.0, text: str | None = None) -> dict[str, Any]:
    """A canonical post as a payload of the ``ndjson`` format."""
    return {"platform": "mastodon", "platform_id": f"p{number}",
            "text": text or f"J'adore les bougies Maison Lumière, commande n° {number}",
            "created_at": (T0 + timedelta(minutes=minutes)).isoformat(),
            "author": {"platform": "mastodon", "platform_id": f"a{number % 7}",
                       "handle": f"fan{number % 7}", "followers": 120}}


@dataclass
class PagedClient:
    """Serves ``pages`` one per fetch (the cursor is the page number); ``failures`` is a list
    of errors raised, in order, before pages are served again."""

    pages: list[list[dict[str, Any]]]
    failures: list[Exception] = field(default_factory=list)
    format: str = "ndjson"
    needs_secret: bool = False
    default_interval_s: float = 60.0
    calls: int = 0

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return dict(config)

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        page = int((cursor or {}).get("page", 0))
        if page >= len(self.pages):
            return Fetched(payloads=[], cursor=None)
        return Fetched(payloads=self.pages[page], cursor={"page": page + 1},
                       more=page + 1 < len(self.pages))


class Clock:
    """Simulated wall clock, starting just after the test's sources were created (they are
    due at once)."""

    def __init__(self) -> None:
        self.now = time.time() + 1

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def brand(engine: Engine) -> int:
    with engine.begin() as conn:
        workspace = workspaces.ensure(conn, "lumiere")
    return brands.add(engine, Brand(name="Maison Lumière"), workspace_id=workspace)


FORMATS = FormatRegistry.from_plugins(plugin_manager())


def listener(engine: Engine, client: PollClient, clock: Clock, name: str = "one") -> Listener:
    return Listener(engine, clients={client.format: client}, formats=FORMATS,
                    options=ListenerOptions(name=name), clock=clock)


def add_poll(engine: Engine, brand_id: int, client: PollClient, name: str = "fans",
             secret: str | None = None) -> int:
    with engine.begin() as conn:
        source, _ = source_admin.add(conn, brand_id=brand_id, name=name, mode="poll",
                                     format=client.format, config={},
                                     clients={client.format: client}, formats=FORMATS,
                                     secret_ref=secret)
    return source.id


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where))
                   .scalar_one())


def observed(engine: Engine, brand_id: int) -> int:
    with engine.connect() as conn:
        found = conn.execute(select(watch_states.c.observed)
                             .where(watch_states.c.brand_id == brand_id)).scalar_one_or_none()
    return int(found or 0)


def test_a_cycle_collects_enriches_and_feeds_the_detectors_once(engine: Engine,
                                                               brand: int) -> None:
    client = PagedClient([[canonical(i) for i in range(5)], [canonical(i) for i in range(5, 8)]])
    add_poll(engine, brand, client)
    clock = Clock()
    one = listener(engine, client, clock)
    report = one.run_once()
    # The first page had more: the source was due again at once, in the same cycle.
    assert (report.polled, report.collected, report.enriched, report.observed) == (2, 8, 8, 8)
    assert count(engine, posts) == 8
    assert count(engine, enrichments) == 8
    assert count(engine, watch_queue) == 0
    assert observed(engine, brand) == 8
    with engine.connect() as conn:
        source = listening.list_sources(conn)[0]
    assert source.cursor == {"page": 2} and source.health == "ok" and source.posts == 8
    # Polled again later: nothing new, nothing counted twice.
    clock.advance(120)
    assert one.run_once().collected == 0
    assert observed(engine, brand) == 8


def test_the_same_posts_from_another_source_or_a_retry_are_not_counted_again(
        engine: Engine, brand: int) -> None:
    first = PagedClient([[canonical(i) for i in range(4)]])
    add_poll(engine, brand, first, "first")
    clock = Clock()
    listener(engine, first, clock).run_once()
    with engine.begin() as conn:  # a second source brings two known posts and a new one
        conn.execute(update(listen_sources).where(listen_sources.c.name == "first")
                     .values(cursor=None, next_run_at=T0))
    first.pages = [[canonical(2), canonical(3), canonical(9)]]
    report = listener(engine, first, clock).run_once()
    assert report.collected == 1
    assert observed(engine, brand) == 5
    assert count(engine, listen_feed) == 5


def test_a_listener_killed_between_steps_loses_nothing_and_counts_nothing_twice(
        engine: Engine, brand: int) -> None:
    client = PagedClient([[canonical(i) for i in range(6)]])
    add_poll(engine, brand, client)
    clock = Clock()
    dead = listener(engine, client, clock, "dead")
    dead.poll_due(dead.totals)  # collected and committed, then the process dies
    assert count(engine, listen_feed, listen_feed.c.enriched_at.is_(None)) == 6
    clock.advance(1)
    crashing = listener(engine, client, clock, "crashing")
    crashing.enrich(crashing.totals)  # enriched and queued, then the detectors crash
    assert count(engine, watch_queue) == 6

    def boom(*_: Any, **__: Any) -> Any:
        raise RuntimeError("detector crashed")

    crashing.watches.clear()
    original = listen_work.save_watch
    listen_work.save_watch = boom  # type: ignore[assignment]
    try:
        with pytest.raises(RuntimeError):
            crashing.watch(crashing.totals)
    finally:
        listen_work.save_watch = original  # type: ignore[assignment]
    assert count(engine, watch_queue) == 6  # rolled back with the state
    assert observed(engine, brand) == 0
    # Its watch lease lapses; a new listener takes over and counts each post once.
    clock.advance(600)
    survivor = listener(engine, client, clock, "survivor")
    report = survivor.run_once()
    assert (report.collected, report.observed) == (0, 6)
    assert observed(engine, brand) == 6
    assert count(engine, posts) == 6


def test_detector_state_survives_a_restart(engine: Engine, brand: int) -> None:
    client = PagedClient([[canonical(i, minutes=i) for i in range(10)]])
    add_poll(engine, brand, client)
    clock = Clock()
    first = listener(engine, client, clock, "first")
    first.run_once()
    saved = first.watches[brand].state()
    first.release()
    second = listener(engine, client, clock, "second")
    clock.advance(60)
    second.run_once()
    assert second.watches[brand].state().keys() == saved.keys()
    assert observed(engine, brand) == 10


def test_two_listeners_share_the_work_without_double_counting(engine: Engine,
                                                              brand: int) -> None:
    pages = [[canonical(page * 20 + i, minutes=page) for i in range(20)] for page in range(6)]
    clients = [PagedClient(pages) for _ in range(3)]
    for number, client in enumerate(clients):
        add_poll(engine, brand, client, f"source {number}")
    clock = Clock()
    shared = PagedClient(pages)
    workers = [Listener(engine, clients={"ndjson": shared}, formats=FORMATS,
                        options=ListenerOptions(name=f"worker {n}", enrich_batch=16),
                        clock=clock) for n in range(2)]
    errors: list[BaseException] = []

    def run(worker: Listener) -> None:
        try:
            for _ in range(8):
                worker.run_once()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for worker in workers:  # whatever is left (a lease held by the other)
        clock.advance(300)
        worker.run_once()
    assert count(engine, posts) == 120
    assert count(engine, enrichments) == 120
    assert observed(engine, brand) == 120
    assert sum(w.totals.enriched for w in workers) == 120
    assert sum(w.totals.collected for w in workers) == 120


def test_failures_back_off_then_raise_one_health_alert_resolved_by_success(
        engine: Engine, brand: int) -> None:
    client = PagedClient([[canonical(1)]],
                         failures=[Unavailable("the platform answered 503") for _ in range(6)])
    source_id = add_poll(engine, brand, client)
    clock = Clock()
    one = listener(engine, client, clock)
    waits = []
    for _ in range(6):
        one.run_once()
        with engine.connect() as conn:
            source = listening.load_source(conn, source_id)
        waits.append((source.next_run_at - datetime.fromtimestamp(clock.now, UTC))
                     .total_seconds())
        clock.now = source.next_run_at.timestamp()
    assert source.health == "failing" and source.failures == 6
    assert "503" in (source.last_error or "")
    assert waits[1] > waits[0] * 1.5 and waits[3] > waits[2] * 1.5  # exponential backoff
    assert max(waits) <= 3600 * 1.1
    health = [a for a in _alerts(engine) if a.detector == "source_health"]
    assert len(health) == 1 and health[0].status == "open" and health[0].subject == "failing"
    one.run_once()  # it works again
    with engine.connect() as conn:
        source = listening.load_source(conn, source_id)
    assert source.health == "ok" and source.failures == 0
    assert [a.status for a in _alerts(engine)] == ["resolved"]


def test_a_refused_or_missing_token_alerts_at_once(engine: Engine, brand: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFIANCE_TEST_TOKEN", raising=False)
    client = PagedClient([[canonical(1)]], needs_secret=True)
    client.format = "ndjson"
    source_id = add_poll(engine, brand, client, secret="env:CONFIANCE_TEST_TOKEN")
    clock = Clock()
    listener(engine, client, clock).run_once()
    with engine.connect() as conn:
        source = listening.load_source(conn, source_id)
    assert source.health == "auth" and client.calls == 0
    assert "CONFIANCE_TEST_TOKEN" in (source.last_error or "")
    [alert] = _alerts(engine)
    assert (alert.detector, alert.subject, alert.severity) == ("source_health", "auth", 4)
    # The token is set but the platform refuses it: still one alert (same episode).
    monkeypatch.setenv("CONFIANCE_TEST_TOKEN", "s3cr3t-token-value")
    client.failures = [AuthFailed("The platform refused the token: renew it.")]
    clock.now = source.next_run_at.timestamp()
    listener(engine, client, clock).run_once()
    assert len(_alerts(engine)) == 1
    with engine.connect() as conn:
        assert "s3cr3t" not in str(listening.load_source(conn, source_id))


def test_a_rate_limit_waits_as_told_without_counting_a_failure(engine: Engine,
                                                              brand: int) -> None:
    client = PagedClient([[canonical(1)]], failures=[RateLimited("slow down",
                                                                 retry_after_s=900)])
    source_id = add_poll(engine, brand, client)
    clock = Clock()
    listener(engine, client, clock).run_once()
    with engine.connect() as conn:
        source = listening.load_source(conn, source_id)
    assert source.health == "waiting" and source.failures == 0
    assert (source.next_run_at.timestamp() - clock.now) == pytest.approx(900)
    assert _alerts(engine) == []


def test_paused_sources_are_not_polled(engine: Engine, brand: int) -> None:
    client = PagedClient([[canonical(1)]])
    source_id = add_poll(engine, brand, client)
    with engine.begin() as conn:
        listening.set_enabled(conn, source_id, False)
    listener(engine, client, Clock()).run_once()
    assert client.calls == 0


def test_a_delivery_whose_format_is_gone_is_quarantined_not_retried(engine: Engine,
                                                                    brand: int) -> None:
    with engine.begin() as conn:
        source, _ = source_admin.add(conn, brand_id=brand, name="boutique", mode="push",
                                     format="ndjson", config={}, clients={}, formats=FORMATS)
        listen_work.store_push(conn, source.id, b'{"platform": "x"}\n', now=T0)
        # The plugin that provided the format was uninstalled since.
        conn.execute(update(listen_sources).where(listen_sources.c.id == source.id)
                     .values(format="avis-magasin"))
    clock = Clock()
    one = Listener(engine, clients={}, formats=FORMATS, options=ListenerOptions(name="one"),
                   clock=clock)
    assert one.run_once().pushes == 1
    with engine.connect() as conn:
        [kept] = conn.execute(select(quarantine)).all()
        assert conn.execute(select(listen_inbox.c.processed_at)).scalar_one() is not None
    assert kept.code == "E207" and "'avis-magasin' is not installed" in kept.reason
    assert '{\\"platform\\": \\"x\\"}' in kept.raw  # the body, kept whole
    clock.advance(3600)
    assert one.run_once().pushes == 0  # not leased again
    assert count(engine, posts) == 0


def test_source_settings_are_checked(engine: Engine, brand: int) -> None:
    client = PagedClient([])
    with engine.begin() as conn, pytest.raises(ConfianceError) as unknown:
        source_admin.add(conn, brand_id=brand, name="x", mode="poll", format="rss",
                         config={}, clients={"ndjson": client}, formats=FORMATS)
    assert unknown.value.code == "E748"
    add_poll(engine, brand, client)
    with engine.begin() as conn, pytest.raises(ConfianceError) as taken:
        add_poll(engine, brand, client)
    assert taken.value.code == "E741"
    for ref in ("TOKEN", "env:", "vault:x"):
        with pytest.raises(ConfianceError) as bad:
            listening.check_secret_ref(ref)
        assert bad.value.code == "E742"


def test_backoff_doubles_and_is_capped() -> None:
    def fixed() -> float:
        return 0.5

    assert [backoff_s(60, n, jitter=fixed) for n in (1, 2, 3)] == [60, 120, 240]
    assert backoff_s(60, 30, jitter=fixed) == 3600


def _alerts(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(alerts).order_by(alerts.c.id)))


def test_alert_rule_settings_tune_the_brand_detectors(engine: Engine, brand: int) -> None:
    from confiance.store import alert_rules

    client = PagedClient([[canonical(1, text="quelle arnaque ces bougies")]])
    add_poll(engine, brand, client)
    clock = Clock()
    one = listener(engine, client, clock)
    one.run_once()  # 120 followers: under the default floor of 1,000, a lone author
    assert [a for a in _alerts(engine) if a.detector == "risk_term"] == []
    with engine.begin() as conn:
        alert_rules.add_rule(conn, brand, channels=[{"kind": "app", "target": "inbox"}],
                             params={"risk_min_followers": 100})
        with pytest.raises(ConfianceError) as refused:
            alert_rules.add_rule(conn, brand, channels=[{"kind": "app", "target": "inbox"}],
                                 params={"no_such_setting": 1})
    assert refused.value.code == "E722"
    client.pages.append([canonical(2, text="encore une arnaque")])
    clock.advance(120)
    one.run_once()
    assert one.watches[brand].engine.config.risk_min_followers == 100
    [alert] = [a for a in _alerts(engine) if a.detector == "risk_term"]
    assert alert.subject == "arnaque*"


def test_the_brand_risk_words_of_several_rules_add_up(engine: Engine, brand: int) -> None:
    from confiance.store import alert_rules

    app = [{"kind": "app", "target": "inbox"}]
    with engine.begin() as conn:
        alert_rules.add_rule(conn, brand, channels=app, params={
            "risk_min_followers": 100, "extra_risk_terms": ["fuite*", "mèche*"]})
        alert_rules.add_rule(conn, brand, channels=app, params={
            "risk_min_followers": 50, "extra_risk_terms": ["mèche*", "cire*"],
            "ignored_risk_terms": ["greenwashing"]})
        settings = rule_settings(conn, brand)
    assert settings == {"risk_min_followers": 50, "extra_risk_terms": ["fuite*", "mèche*", "cire*"],
                        "ignored_risk_terms": ["greenwashing"]}
    client = PagedClient([[canonical(1)]])
    add_poll(engine, brand, client)
    one = listener(engine, client, Clock())
    one.run_once()
    watched = one.watches[brand].engine.risk.config.watched_risk_terms()
    assert watched[-3:] == ("fuite*", "mèche*", "cire*") and "greenwashing" not in watched


def test_a_health_alert_stays_open_while_the_token_is_still_refused(engine: Engine,
                                                                    brand: int) -> None:
    client = PagedClient([[canonical(1)]],
                         failures=[AuthFailed("The platform refused the token: renew it.")
                                   for _ in range(20)])
    source_id = add_poll(engine, brand, client)
    clock = Clock()
    one = listener(engine, client, clock)
    for _ in range(16):  # tried again every hour for 16 hours, its brand stepped meanwhile
        one.run_once()
        with engine.connect() as conn:
            clock.now = listening.load_source(conn, source_id).next_run_at.timestamp()
    [alert] = _alerts(engine)
    assert alert.status == "open" and alert.firings >= 16
