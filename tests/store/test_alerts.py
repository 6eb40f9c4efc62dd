"""Crisis alerts in the store: merging, lifecycle, rules, the outbox, quiet hours, digests and
per-brand isolation, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from confiance.core.errors import ConfianceError
from confiance.listen.alerts.model import Detector
from confiance.store import alert_outbox, alerts, audit
from confiance.store.alert_digests import build_digest, schedule_digests
from confiance.store.alert_rules import Rule, validate
from confiance.store.tables import alert_notifications
from tests.store.alert_data import HOUR, MINUTE, T0, TwoBrands, signal, two_brands

EMAIL = {"kind": "email", "target": "veille@lumiere.example"}
HOOK = {"kind": "webhook", "target": "https://hooks.example.org/services/T0/B0/s3cr3tpath"}
NOW = T0 + MINUTE


@pytest.fixture
def setup(engine: Engine) -> TwoBrands:
    """Two brands in two workspaces, each with a member."""
    return two_brands(engine)


def _rule(setup: TwoBrands, brand_id: int | None = None, **fields: Any) -> Rule:
    fields.setdefault("channels", [EMAIL, HOOK])
    with setup.engine.begin() as conn:
        return alerts.add_rule(conn, brand_id or setup.lumiere, now=T0 - 30 * 24 * HOUR, **fields)


def _record(
    setup: TwoBrands, *signals: Any, brand_id: int | None = None, now: float = NOW
) -> list[alerts.AlertChange]:
    with setup.engine.begin() as conn:
        return alerts.record_signals(conn, brand_id or setup.lumiere, signals, now=now)


def _outbox(setup: TwoBrands, brand_id: int | None = None) -> list[alert_outbox.Notification]:
    with setup.engine.connect() as conn:
        return alert_outbox.notifications(conn, brand_id or setup.lumiere)


def _mark_all_sent(setup: TwoBrands) -> None:
    with setup.engine.begin() as conn:
        conn.execute(sa.update(alert_notifications).values(status="sent"))


# --- merging -----------------------------------------------------------------------------


def test_repeated_firings_of_one_episode_update_one_alert(setup: TwoBrands) -> None:
    changes = _record(
        setup,
        signal(at=T0),
        signal(at=T0 + 10 * MINUTE),
        signal(at=T0 + 20 * MINUTE, observed=250, terms=(("colis", 9),)),
    )
    assert [c.change for c in changes] == ["created", "updated", "updated"]
    assert len({c.alert_id for c in changes}) == 1
    with setup.engine.connect() as conn:
        page = alerts.list_alerts(conn, setup.lumiere)
    [alert] = page.items
    assert (alert.firings, alert.status, alert.observed) == (3, "open", 250)
    assert alert.first_seen == datetime.fromtimestamp(T0, UTC)
    assert alert.last_seen == datetime.fromtimestamp(T0 + 20 * MINUTE, UTC)
    assert alert.evidence["top_terms"] == [["colis", 9]]  # refreshed by the latest firing
    assert alert.evidence["top_posts"][0]["author"] == "@jdupont"
    assert alert.brand == "Maison Lumière"


def test_severity_rising_above_the_highest_escalates(setup: TwoBrands) -> None:
    changes = _record(
        setup,
        signal(severity=2, at=T0),
        signal(severity=4, at=T0 + MINUTE),
        signal(severity=3, at=T0 + 2 * MINUTE),
        signal(severity=4, at=T0 + 3 * MINUTE),
    )
    assert [c.change for c in changes] == ["created", "escalated", "updated", "updated"]
    assert changes[1].previous_severity == 2
    with setup.engine.connect() as conn:
        alert = alerts.get_alert(conn, setup.lumiere, changes[0].alert_id)
    assert (alert.severity, alert.max_severity, alert.firings) == (4, 4, 4)


def test_a_new_episode_opens_a_new_alert(setup: TwoBrands) -> None:
    first = _record(setup, signal(at=T0))[0]
    later = _record(setup, signal(at=T0 + 7 * HOUR), now=T0 + 7 * HOUR)[0]  # past the gap
    term = _record(setup, signal(detector=Detector.EMERGING_TERM, subject="rappel"))[0]
    platform = _record(setup, signal(scope="platform:x"))[0]
    assert later.change == term.change == platform.change == "created"
    assert len({first.alert_id, later.alert_id, term.alert_id, platform.alert_id}) == 4
    with setup.engine.begin() as conn:
        alerts.resolve(conn, platform.alert_id, setup.camille)
    again = _record(setup, signal(scope="platform:x", at=T0 + 5 * MINUTE))[0]
    assert again.change == "created" and again.alert_id != platform.alert_id


# --- lifecycle ---------------------------------------------------------------------------


def test_acknowledge_then_resolve_is_audited(setup: TwoBrands) -> None:
    alert_id = _record(setup, signal())[0].alert_id
    with setup.engine.begin() as conn:
        acked = alerts.acknowledge(conn, alert_id, setup.camille)
        again = alerts.acknowledge(conn, alert_id, setup.camille)  # a second click: no change
        resolved = alerts.resolve(conn, alert_id, setup.camille, "Faux positif : jeu concours")
    assert (acked.status, acked.acknowledged_by) == ("acknowledged", "camille@lumiere.example")
    assert again.acknowledged_at == acked.acknowledged_at
    assert resolved.status == "resolved" and resolved.resolved_by == "camille@lumiere.example"
    assert resolved.resolution_note == "Faux positif : jeu concours"
    with setup.engine.connect() as conn:
        workspace = conn.execute(
            sa.text("SELECT workspace_id FROM brands WHERE id = :b"), {"b": setup.lumiere}
        ).scalar_one()
        logged = audit.entries(conn, workspace)
    assert [e.action for e in logged] == ["alert.resolve", "alert.acknowledge"]
    assert all(e.target == f"alert:{alert_id}" for e in logged)


@pytest.mark.parametrize(("first", "then"), [("resolve", "acknowledge"), ("resolve", "resolve")])
def test_a_resolved_alert_cannot_change_again(setup: TwoBrands, first: str, then: str) -> None:
    alert_id = _record(setup, signal())[0].alert_id
    with setup.engine.begin() as conn:
        getattr(alerts, first)(conn, alert_id, setup.camille)
    with setup.engine.begin() as conn, pytest.raises(ConfianceError) as caught:
        getattr(alerts, then)(conn, alert_id, setup.camille)
    assert caught.value.code == "E711" and "resolved" in caught.value.message


def test_unknown_or_foreign_alerts_are_refused(setup: TwoBrands) -> None:
    alert_id = _record(setup, signal())[0].alert_id
    attempts = [
        lambda conn: alerts.acknowledge(conn, 999_999, setup.camille),
        lambda conn: alerts.acknowledge(conn, alert_id, setup.hank),  # not in its workspace
        lambda conn: alerts.resolve(conn, alert_id, setup.hank, "mine now"),
        lambda conn: alerts.acknowledge(conn, alert_id, setup.camille, brand_id=setup.globex),
        lambda conn: alerts.get_alert(conn, setup.globex, alert_id),
    ]
    for attempt in attempts:
        with setup.engine.begin() as conn, pytest.raises(ConfianceError) as caught:
            attempt(conn)
        assert caught.value.code == "E710"
    with setup.engine.begin() as conn, pytest.raises(ConfianceError) as caught:
        alerts.resolve(conn, alert_id, setup.camille, "x" * 2001)
    assert caught.value.code == "E723"
    with setup.engine.connect() as conn:
        assert alerts.get_alert(conn, setup.lumiere, alert_id).status == "open"


def test_auto_resolve_closes_only_quiet_alerts(setup: TwoBrands) -> None:
    old = _record(setup, signal(at=T0))[0].alert_id
    recent = _record(setup, signal(scope="platform:x", at=T0 + 3 * HOUR))[0].alert_id
    foreign = _record(setup, signal(at=T0), brand_id=setup.globex)[0].alert_id
    with setup.engine.begin() as conn:
        done = alerts.auto_resolve(conn, setup.lumiere, now=T0 + 4 * HOUR, quiet_s=2 * HOUR)
    assert done == [old]
    with setup.engine.connect() as conn:
        closed = alerts.get_alert(conn, setup.lumiere, old)
        assert (closed.status, closed.resolved_by) == ("resolved", "system")
        assert alerts.get_alert(conn, setup.lumiere, recent).status == "open"
        assert alerts.get_alert(conn, setup.globex, foreign).status == "open"


# --- queries and isolation ---------------------------------------------------------------


def test_listing_pages_filters_and_isolates_brands(setup: TwoBrands) -> None:
    ids = [
        _record(setup, signal(scope=f"platform:{p}"))[0].alert_id
        for p in ("x", "instagram", "tiktok", "reddit", "youtube")
    ]
    _record(setup, signal(), brand_id=setup.globex)
    with setup.engine.begin() as conn:
        alerts.resolve(conn, ids[0], setup.camille)
    seen: list[int] = []
    cursor = None
    with setup.engine.connect() as conn:
        while True:
            page = alerts.list_alerts(conn, setup.lumiere, limit=2, cursor=cursor)
            seen += [a.id for a in page.items]
            assert all(a.brand_id == setup.lumiere for a in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert seen == sorted(ids, reverse=True)
        active = alerts.list_alerts(conn, setup.lumiere, status=["open", "acknowledged"])
        assert {a.id for a in active.items} == set(ids[1:])
        globex = alerts.list_alerts(conn, setup.globex).items
        assert len(globex) == 1 and globex[0].id not in ids
        with pytest.raises(ConfianceError) as caught:
            alerts.list_alerts(conn, setup.lumiere, status="closed")
    assert caught.value.code == "E727"


def test_rules_of_another_brand_never_notify(setup: TwoBrands) -> None:
    _rule(setup, brand_id=setup.globex)
    _record(setup, signal(severity=5))
    assert _outbox(setup) == [] and _outbox(setup, setup.globex) == []
    with setup.engine.begin() as conn, pytest.raises(ConfianceError) as caught:
        alerts.get_rule(conn, setup.lumiere, alerts.list_rules(conn, setup.globex)[0].id)
    assert caught.value.code == "E712"


# --- the outbox --------------------------------------------------------------------------


def test_messages_are_queued_on_opening_and_escalation_only(setup: TwoBrands) -> None:
    _rule(setup, min_severity=2)
    _rule(setup, detector="negative_share", channels=[{"kind": "app"}])  # another detector
    _rule(setup, scope="platform:x", channels=[{"kind": "app"}])  # another scope
    _rule(setup, enabled=False, channels=[{"kind": "email", "target": "off@lumiere.example"}])
    assert _record(setup, signal(severity=1, at=T0))[0].queued == 0  # below min_severity
    assert _record(setup, signal(severity=2, at=T0 + MINUTE))[0].queued == 2  # escalated
    assert _record(setup, signal(severity=3, at=T0 + 2 * MINUTE))[0].queued == 0  # waiting
    _mark_all_sent(setup)
    assert _record(setup, signal(severity=3, at=T0 + 3 * MINUTE))[0].queued == 0  # a firing
    assert _record(setup, signal(severity=4, at=T0 + 4 * MINUTE))[0].queued == 2
    rows = _outbox(setup)
    assert [(r.kind, r.event, r.status) for r in rows] == [
        ("email", "escalated", "sent"),
        ("webhook", "escalated", "sent"),
        ("email", "escalated", "pending"),
        ("webhook", "escalated", "pending"),
    ]
    assert {r.target for r in rows} == {EMAIL["target"], HOOK["target"]}


def test_resolution_is_told_to_the_channels_that_heard_of_the_alert(setup: TwoBrands) -> None:
    _rule(setup, min_severity=3)
    told = _record(setup, signal(severity=4))[0].alert_id
    unheard = _record(setup, signal(severity=2, scope="platform:x"))[0].alert_id
    _mark_all_sent(setup)
    with setup.engine.begin() as conn:
        alerts.resolve(conn, told, setup.camille, "Traité")
        alerts.resolve(conn, unheard, setup.camille)
    resolved = [r for r in _outbox(setup) if r.event == "resolved"]
    assert [(r.alert_id, r.kind, r.status) for r in resolved] == [
        (told, "email", "pending"),
        (told, "webhook", "pending"),
    ]


def test_a_claim_leases_rows_and_a_crashed_sender_loses_nothing(setup: TwoBrands) -> None:
    _rule(setup)
    _record(setup, signal())
    now = datetime.fromtimestamp(NOW, UTC)
    with setup.engine.begin() as conn:
        first = alert_outbox.claim_due(conn, now=now)
    with setup.engine.begin() as conn:
        assert alert_outbox.claim_due(conn, now=now + timedelta(minutes=1)) == []
    # The sender died without recording anything: the rows come back when the lease ends.
    with setup.engine.begin() as conn:
        again = alert_outbox.claim_due(conn, now=now + alert_outbox.LEASE)
    assert [r.id for r in again] == [r.id for r in first] and len(first) == 2
    assert [r.attempts for r in again] == [2, 2]
    with setup.engine.begin() as conn:
        status = alert_outbox.mark_failed(
            conn, again[0], now=now, error="E725: boom", max_attempts=5
        )
        alert_outbox.mark_sent(conn, again[1].id, now=now)
    rows = {r.id: r for r in _outbox(setup)}
    assert status == "pending" and rows[again[0].id].last_error == "E725: boom"
    assert rows[again[0].id].next_attempt_at == now + alert_outbox.backoff(2)
    assert rows[again[1].id].status == "sent"


def test_backoff_doubles_up_to_an_hour() -> None:
    waits = [alert_outbox.backoff(n).total_seconds() for n in range(1, 10)]
    assert waits[:4] == [60, 120, 240, 480] and max(waits) == 3600
    assert waits == sorted(waits)


# --- quiet hours -------------------------------------------------------------------------

NIGHT = datetime(2026, 3, 12, 22, 30, tzinfo=UTC).timestamp()  # 23:30 in Paris
MORNING = datetime(2026, 3, 13, 6, 0, tzinfo=UTC)  # 07:00 in Paris


def test_quiet_hours_defer_messages_except_at_severity_5(setup: TwoBrands) -> None:
    _rule(setup, quiet_start="22:00", quiet_end="07:00", timezone="Europe/Paris")
    quiet = _record(setup, signal(severity=3, at=NIGHT), now=NIGHT)[0].alert_id
    urgent = _record(setup, signal(severity=5, scope="platform:x", at=NIGHT), now=NIGHT)[0]
    rows = _outbox(setup)
    assert {(r.alert_id, r.status) for r in rows} == {
        (quiet, "deferred"),
        (urgent.alert_id, "pending"),
    }
    assert {r.next_attempt_at for r in rows if r.status == "deferred"} == {MORNING}
    # An escalation to 5 during the night sends the waiting message at once.
    _record(setup, signal(severity=5, at=NIGHT + MINUTE), now=NIGHT + MINUTE)
    assert {r.status for r in _outbox(setup) if r.alert_id == quiet} == {"pending"}


def test_deferred_messages_are_released_or_suppressed_when_quiet_hours_end(
    setup: TwoBrands,
) -> None:
    _rule(setup, quiet_start="22:00", quiet_end="07:00", timezone="Europe/Paris")
    kept = _record(setup, signal(at=NIGHT), now=NIGHT)[0].alert_id
    gone = _record(setup, signal(scope="platform:x", at=NIGHT), now=NIGHT)[0].alert_id
    with setup.engine.begin() as conn:
        alerts.resolve(conn, gone, setup.camille, "Rien de grave")
        assert alert_outbox.release_deferred(conn, now=MORNING - timedelta(minutes=1)) == (0, 0)
        assert alert_outbox.release_deferred(conn, now=MORNING) == (2, 2)
    statuses = {(r.alert_id, r.status) for r in _outbox(setup)}
    assert statuses == {(kept, "pending"), (gone, "suppressed_quiet_hours")}


@pytest.mark.parametrize(
    ("start", "end", "local", "until"),
    [
        ("22:00", "07:00", "2026-03-12 23:30", "2026-03-13 07:00"),
        ("22:00", "07:00", "2026-03-13 03:00", "2026-03-13 07:00"),
        ("22:00", "07:00", "2026-03-13 07:00", None),
        ("22:00", "07:00", "2026-03-12 21:59", None),
        ("12:00", "14:00", "2026-03-12 13:15", "2026-03-12 14:00"),
        ("12:00", "14:00", "2026-03-12 14:30", None),
        ("23:00", "06:00", "2026-03-28 23:30", "2026-03-29 06:00"),  # summer time starts at 02:00
    ],
)
def test_quiet_until_in_local_time(start: str, end: str, local: str, until: str | None) -> None:
    validated = validate(
        {
            "channels": [{"kind": "app"}],
            "quiet_start": start,
            "quiet_end": end,
            "timezone": "Europe/Paris",
        }
    )
    rule = Rule(
        id=1,
        brand_id=1,
        detector=None,
        scope=None,
        enabled=True,
        min_severity=1,
        params={},
        quiet_start=validated["quiet_start"],
        quiet_end=validated["quiet_end"],
        timezone="Europe/Paris",
        channels=(),
        created_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )
    moment = datetime.fromisoformat(local).replace(tzinfo=rule.zone)
    expected = (
        None
        if until is None
        else datetime.fromisoformat(until).replace(tzinfo=rule.zone).astimezone(UTC)
    )
    assert rule.quiet_until(moment) == expected


# --- digests -----------------------------------------------------------------------------


def test_digest_channels_get_one_message_per_day(setup: TwoBrands) -> None:
    _rule(setup, timezone="Europe/Paris", channels=[{**EMAIL, "digest": True}, {"kind": "app"}])
    first = _record(setup, signal(at=T0))[0].alert_id
    second = _record(setup, signal(scope="platform:x", at=T0 + HOUR))[0].alert_id
    _record(setup, signal(at=T0), brand_id=setup.globex)
    assert {r.kind for r in _outbox(setup)} == {"app"}  # no message per alert for the digest
    morning = datetime(2026, 3, 13, 7, 5, tzinfo=UTC)  # 08:05 in Paris
    with setup.engine.begin() as conn:
        assert schedule_digests(conn, now=morning, digest_hour=8) == 1
        assert schedule_digests(conn, now=morning + timedelta(hours=1), digest_hour=8) == 0
        digest = build_digest(
            conn,
            setup.lumiere,
            datetime(2026, 3, 12, 7, tzinfo=UTC),
            datetime(2026, 3, 13, 7, tzinfo=UTC),
        )
    [row] = [r for r in _outbox(setup) if r.event == "digest"]
    assert (row.kind, row.status, row.alert_id) == ("email", "pending", None)
    assert (row.period_start, row.period_end) == (
        datetime(2026, 3, 12, 7, tzinfo=UTC),
        datetime(2026, 3, 13, 7, tzinfo=UTC),
    )
    assert {a.id for a in digest.alerts} == {first, second}
    with setup.engine.begin() as conn:  # the next day had no alert: nothing to send
        assert schedule_digests(conn, now=morning + timedelta(days=1), digest_hour=8) == 1
    assert [r.status for r in _outbox(setup) if r.event == "digest"] == ["pending", "empty"]


# --- rules -------------------------------------------------------------------------------


def test_rules_crud_with_validation_and_audit(setup: TwoBrands) -> None:
    with setup.engine.begin() as conn:
        rule = alerts.add_rule(
            conn,
            setup.lumiere,
            channels=[EMAIL, HOOK],
            min_severity=2,
            params={"share_min_posts": 20, "extra_risk_terms": ["fuite*", "mèche"]},
            quiet_start="22:00",
            quiet_end="7:00",
            user_id=setup.camille,
        )
    assert (rule.quiet_end, rule.timezone, rule.params) == (
        "07:00", "UTC", {"share_min_posts": 20, "extra_risk_terms": ["fuite*", "mèche"]})
    with setup.engine.connect() as conn:
        assert alerts.get_rule(conn, setup.lumiere, rule.id).params == rule.params
    with setup.engine.begin() as conn, pytest.raises(ConfianceError) as caught:
        alerts.update_rule(conn, setup.lumiere, rule.id, min_severity=9)
    assert caught.value.code == "E719"
    with setup.engine.begin() as conn:
        changed = alerts.update_rule(
            conn,
            setup.lumiere,
            rule.id,
            quiet_start=None,
            quiet_end=None,
            detector="volume",
            user_id=setup.camille,
        )
        assert (changed.quiet_start, changed.detector, changed.min_severity) == (None, "volume", 2)
        assert [r.id for r in alerts.list_rules(conn, setup.lumiere)] == [rule.id]
    _record(setup, signal())
    with setup.engine.begin() as conn:
        alerts.delete_rule(conn, setup.lumiere, rule.id, user_id=setup.camille)
        assert alerts.list_rules(conn, setup.lumiere) == []
        workspace = conn.execute(
            sa.text("SELECT workspace_id FROM brands WHERE id = :b"), {"b": setup.lumiere}
        ).scalar_one()
        logged = audit.entries(conn, workspace)
    assert _outbox(setup) == []  # its waiting messages went with it
    assert [e.action for e in logged] == [
        "alert_rule.delete",
        "alert_rule.update",
        "alert_rule.add",
    ]
    assert "s3cr3tpath" not in repr([e.details for e in logged])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"quiet_start": "22:00"}, "E713"),
        ({"quiet_start": "24:00", "quiet_end": "07:00"}, "E713"),
        ({"quiet_start": "07:00", "quiet_end": "07:00"}, "E713"),
        ({"quiet_start": "22h", "quiet_end": "07:00"}, "E713"),
        ({"timezone": "Europe/Atlantis"}, "E714"),
        ({"timezone": "../../etc/passwd"}, "E714"),
        ({"channels": [{"kind": "sms", "target": "+33600000000"}]}, "E715"),
        ({"channels": [{"kind": "email", "target": "not an address"}]}, "E716"),
        ({"channels": [{"kind": "email", "target": "a@b.fr\r\nBcc: x@y.fr"}]}, "E716"),
        ({"channels": [{"kind": "webhook", "target": "ftp://hooks.example.org/x"}]}, "E717"),
        ({"channels": [{"kind": "webhook", "target": "http://hooks.example.org/x"}]}, "E717"),
        ({"channels": [{"kind": "webhook", "target": "https://u:p@hooks.example.org/"}]}, "E717"),
        ({"channels": [{"kind": "webhook", "target": "javascript:alert(1)"}]}, "E717"),
        ({"channels": []}, "E718"),
        ({"channels": "veille@lumiere.example"}, "E718"),
        ({"channels": [{"kind": "email", "target": "a@b.fr", "digest": "yes"}]}, "E718"),
        ({"channels": [{"kind": "email", "target": "a@b.fr", "cc": "c@d.fr"}]}, "E718"),
        ({"channels": [{"kind": "app", "language": "de"}]}, "E718"),
        ({"channels": [EMAIL, EMAIL]}, "E718"),
        ({"min_severity": 0}, "E719"),
        ({"min_severity": True}, "E719"),
        ({"detector": "sentiment"}, "E720"),
        ({"scope": "platform:myspace"}, "E721"),
        ({"scope": "x"}, "E721"),
        ({"params": {"share_min_posts": float("nan")}}, "E722"),
        ({"params": {"min_posts": 20}}, "E722"),  # no such detector setting
        ({"params": {"share_min_posts": -5}}, "E722"),  # out of its range
        ({"params": {"Min Posts": 3}}, "E722"),
        ({"params": [1, 2]}, "E722"),
        ({"params": {"share_min_posts": [20]}}, "E722"),  # a list for a number
        ({"params": {"extra_risk_terms": "fuite*"}}, "E722"),  # not a list
        ({"params": {"extra_risk_terms": ["fuite", 3]}}, "E722"),
        ({"params": {"extra_risk_terms": ["deux mots"]}}, "E722"),
        ({"params": {"ignored_risk_terms": ["toxic"]}}, "E722"),  # listed as toxic*
    ],
)
def test_invalid_rules_are_refused_with_a_code(fields: dict[str, Any], code: str) -> None:
    with pytest.raises(ConfianceError) as caught:
        validate({"channels": [EMAIL], **fields})
    assert caught.value.code == code


def test_valid_channels_are_normalised() -> None:
    found = validate(
        {
            "channels": [
                {"kind": "email", "target": " veille@lumiere.example "},
                {"kind": "webhook", "target": "http://127.0.0.1:9000/hook", "language": "en"},
                {"kind": "app"},
            ],
            "scope": "platform:instagram",
            "timezone": "America/Montreal",
        }
    )
    assert found["channels"] == [
        {"kind": "email", "target": "veille@lumiere.example", "digest": False, "language": "fr"},
        {
            "kind": "webhook",
            "target": "http://127.0.0.1:9000/hook",
            "digest": False,
            "language": "en",
        },
        {"kind": "app", "target": "", "digest": False, "language": "fr"},
    ]
    plugin = validate(
        {"channels": [{"kind": "pager", "target": "on-call"}]}, kinds=("email", "pager")
    )
    assert plugin["channels"][0]["kind"] == "pager"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=6,
)
FIELDS = st.sampled_from(
    [
        "detector",
        "scope",
        "enabled",
        "min_severity",
        "params",
        "quiet_start",
        "quiet_end",
        "timezone",
        "channels",
    ]
)
CHANNEL = st.fixed_dictionaries(
    {"kind": st.sampled_from(["email", "webhook", "app", "sms"]) | st.text(max_size=8)},
    optional={
        "target": st.text(max_size=60) | JSONISH,
        "digest": JSONISH,
        "language": st.sampled_from(["fr", "en"]) | st.text(max_size=3),
    },
)


@settings(max_examples=100, deadline=None)
@given(values=st.dictionaries(FIELDS, JSONISH | st.lists(CHANNEL, max_size=3), max_size=9))
def test_rule_validation_only_ever_raises_catalogue_errors(values: dict[str, Any]) -> None:
    try:
        found = validate(values)
    except ConfianceError as error:
        assert error.code.startswith("E7")
        return
    assert 1 <= found["min_severity"] <= 5 and found["channels"]
    assert (found["quiet_start"] is None) == (found["quiet_end"] is None)


@settings(max_examples=100, deadline=None)
@given(
    start=st.times(),
    end=st.times(),
    zone=st.sampled_from(
        ["Europe/Paris", "America/Montreal", "Asia/Kolkata", "UTC", "Pacific/Chatham"]
    ),
    moment=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ),
)
def test_quiet_hours_always_end_within_a_day(
    start: Any, end: Any, zone: str, moment: datetime
) -> None:
    values = {
        "channels": [{"kind": "app"}],
        "quiet_start": start.strftime("%H:%M"),
        "quiet_end": end.strftime("%H:%M"),
        "timezone": zone,
    }
    if values["quiet_start"] == values["quiet_end"]:
        with pytest.raises(ConfianceError):
            validate(values)
        return
    found = validate(values)
    rule = Rule(
        id=1,
        brand_id=1,
        detector=None,
        scope=None,
        enabled=True,
        min_severity=1,
        params={},
        quiet_start=found["quiet_start"],
        quiet_end=found["quiet_end"],
        timezone=zone,
        channels=(),
        created_at=moment,
        updated_at=moment,
    )
    until = rule.quiet_until(moment)
    if until is not None:
        assert moment < until <= moment + timedelta(hours=25)
        assert rule.quiet_until(until) is None
