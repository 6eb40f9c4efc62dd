"""Alert notifications end to end: the outbox delivered to a real SMTP server on loopback and to
webhooks (through httpx's MockTransport), retries, quiet hours, digests, and no secret in logs
or stored errors."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from confiance.core.db import make_engine
from confiance.core.hookspecs import hookimpl
from confiance.core.plugins import plugin_manager
from confiance.core.settings import Settings
from confiance.listen.alerts.message import AlertMessage, render_alert, render_digest
from confiance.listen.alerts.model import Detector
from confiance.listen.alerts.notify import (
    AppNotifier,
    Notifier,
    deliver_pending,
    load_notifiers,
)
from confiance.listen.alerts.notify_email import EmailNotifier
from confiance.listen.alerts.notify_webhook import (
    SIGNATURE,
    TIMESTAMP,
    WebhookNotifier,
    channel_secret,
    verify,
)
from confiance.store import alert_outbox, alerts, migrate
from confiance.store.alert_digests import build_digest
from tests.store.alert_data import HOUR, MINUTE, T0, TwoBrands, post, signal, two_brands

PASSWORD = "smtp-Pa55word-never-logged"
KEY = "an-installation-secret-key-of-some-length"
HOOK = "https://hooks.example.org/services/T0/B0/s3cr3tpath"
INBOX = "veille@lumiere.example"
SENDER = "alertes@confiance.example"
NOW = datetime.fromtimestamp(T0 + MINUTE, UTC)
NIGHT = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)  # 23:30 in Paris
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@dataclass
class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1, without TLS."""

    port: int
    envelopes: list[Any] = field(default_factory=list)

    def mails(self) -> list[EmailMessage]:
        return [
            message_from_bytes(e.content, policy=default)  # type: ignore[misc]
            for e in self.envelopes
        ]

    def notifier(self, *, password: str = PASSWORD) -> EmailNotifier:
        return EmailNotifier(
            host="127.0.0.1",
            port=self.port,
            sender=SENDER,
            username="veille",
            password=password,
            starttls=False,
            timeout=5,
        )


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.server.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == b"veille"
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _our_logs(caplog: pytest.LogCaptureFixture) -> str:
    """Every log line but the test SMTP server's own (``mail.log``)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail"))


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback that accepts the login veille / PASSWORD."""
    server = SmtpServer(port=_free_port())
    controller = Controller(
        _Handler(server),
        hostname="127.0.0.1",
        port=server.port,
        authenticator=_authenticate,
        auth_require_tls=False,
        auth_required=True,
        auth_exclude_mechanism=["LOGIN"],
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def lumiere(sqlite_engine: Engine) -> TwoBrands:
    """Two brands (SQLite); ``lumiere`` is the one the tests alert about."""
    return two_brands(sqlite_engine)


def _rule(setup: TwoBrands, channels: list[dict[str, Any]], **fields: Any) -> None:
    fields.setdefault("timezone", "Europe/Paris")
    with setup.engine.begin() as conn:
        alerts.add_rule(
            conn,
            setup.lumiere,
            channels=channels,
            now=T0 - 24 * HOUR,
            kinds=("email", "webhook", "app", "pager"),
            **fields,
        )


def _record(setup: TwoBrands, *signals: Any, now: datetime = NOW) -> list[int]:
    with setup.engine.begin() as conn:
        changes = alerts.record_signals(conn, setup.lumiere, signals, now=now)
    return [c.alert_id for c in changes]


def _outbox(setup: TwoBrands) -> list[alert_outbox.Notification]:
    with setup.engine.connect() as conn:
        return alert_outbox.notifications(conn, setup.lumiere)


def test_an_alert_email_arrives_with_its_explanation(
    lumiere: TwoBrands, smtp_server: SmtpServer
) -> None:
    _rule(lumiere, [{"kind": "email", "target": INBOX}])
    nasty = post(excerpt='<script>alert("x")</script> Livraison & remboursement ?')
    other = post("x:2", excerpt="Colis perdu", author="@marie", followers=800, url=None)
    _record(lumiere, signal(severity=4, posts=(nasty, other)))
    report = deliver_pending(lumiere.engine, [smtp_server.notifier()], now=NOW)
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [envelope] = smtp_server.envelopes
    assert (envelope.mail_from, envelope.rcpt_tos) == (SENDER, [INBOX])
    [mail] = smtp_server.mails()
    assert mail["Subject"] == (
        "[Confiance] Nouvelle alerte · Maison Lumière · Pic de volume "
        "de mentions (toutes les plateformes) · 4/5"
    )
    assert mail["Auto-Submitted"] == "auto-generated"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    followers = format_decimal(12_400, locale="fr_FR")
    for expected in [
        "Marque : Maison Lumière",
        "Sévérité : 4/5 (élevée)",
        "Fenêtre : 12/03/2026 13:00 → 12/03/2026 14:00 (Europe/Paris)",
        "Observé : 182 publications, attendu : 40 (× 4,6)",
        "Termes les plus fréquents : livraison (48), retard (31)",
        f"1. @jdupont · {followers} abonnés · x · négatif · 340 interactions",
        "https://x.com/jdupont/status/1",
        "« Colis perdu »",
        "Auteurs les plus actifs : @jdupont (5 publications), @marie (3 publications)",
    ]:
        assert expected in text
    body = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in body and "&lt;script&gt;alert(&quot;x&quot;)" in body
    assert '<a href="https://x.com/jdupont/status/1">' in body
    [row] = _outbox(lumiere)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW)


def test_messages_are_written_in_english_on_request(lumiere: TwoBrands) -> None:
    [alert_id] = _record(
        lumiere,
        signal(
            detector=Detector.NEGATIVE_SHARE, unit="share", observed=0.62, expected=0.18, severity=5
        ),
    )
    with lumiere.engine.begin() as conn:
        alerts.acknowledge(conn, alert_id, lumiere.camille, now=NOW)
        alert = alerts.get_alert(conn, lumiere.lumiere, alert_id)
        digest = build_digest(conn, lumiere.lumiere, NOW - timedelta(days=1), NOW)
    message = render_alert(alert, event="escalated", language="en", timezone="UTC")
    assert message.subject.startswith("[Confiance] Alert escalated · Maison Lumière · Rise in")
    assert "Severity: 5/5 (critical, act now)" in message.text
    assert "Observed: 62%, expected: 18% (× 3.4)" in message.text
    assert "acknowledged by camille@lumiere.example on 2026-03-12 13:01" in message.text
    assert "Top terms: livraison (48), retard (31)" in message.text
    assert '<html lang="en">' in message.html
    french = render_digest(digest, timezone="Europe/Paris")
    assert french.subject.startswith("[Confiance] Résumé des alertes · Maison Lumière")
    assert "1 alerte(s) du 11/03/2026 14:01 au 12/03/2026 14:01" in french.text
    assert "[5/5 critique, agir maintenant] Hausse de la part" in french.text


def test_webhooks_are_signed_and_slack_compatible(lumiere: TwoBrands) -> None:
    requests: list[httpx.Request] = []

    def receive(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, text="ok")

    sent_at = 1_773_320_000
    notifier = WebhookNotifier(
        secret_key=KEY, transport=httpx.MockTransport(receive), clock=lambda: sent_at
    )
    _rule(lumiere, [{"kind": "webhook", "target": HOOK, "language": "en"}])
    [alert_id] = _record(lumiere, signal(severity=4))
    assert deliver_pending(lumiere.engine, [notifier], now=NOW).sent == 1
    [request] = requests
    assert (request.method, str(request.url)) == ("POST", HOOK)
    body, stamp = request.content, request.headers[TIMESTAMP]
    secret = channel_secret(KEY, HOOK)
    by_hand = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
    assert request.headers[SIGNATURE] == f"sha256={by_hand.hexdigest()}"
    assert stamp == str(sent_at)
    assert verify(secret, body, stamp, request.headers[SIGNATURE], now=sent_at + 30)
    assert not verify(secret, body + b" ", stamp, request.headers[SIGNATURE], now=sent_at)
    assert not verify(
        channel_secret(KEY, HOOK + "x"), body, stamp, request.headers[SIGNATURE], now=sent_at
    )
    assert not verify(secret, body, stamp, request.headers[SIGNATURE], now=sent_at + 3600)
    data = json.loads(body)
    assert data["text"].startswith("[Confiance] New alert · Maison Lumière")
    assert [block["type"] for block in data["blocks"]] == ["header", "section"]
    assert data["confiance"]["alert_id"] == alert_id and data["confiance"]["severity"] == 4
    assert data["confiance"]["top_posts"][0]["url"] == "https://x.com/jdupont/status/1"


def test_a_failing_channel_is_retried_then_failed_and_leaks_no_secret(
    lumiere: TwoBrands, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    calls: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(500, text=f"cannot deliver to {request.url}")

    class Pager:
        kind = "pager"

        def send(self, message: AlertMessage) -> None:
            raise RuntimeError(f"pager unreachable at {message.target}")

    notifiers = [
        smtp_server.notifier(),
        AppNotifier(),
        Pager(),
        WebhookNotifier(secret_key=KEY, transport=httpx.MockTransport(refuse)),
    ]
    pager = "https://pager.example.org/key/s3cr3tpath"
    _rule(
        lumiere,
        [
            {"kind": "email", "target": INBOX},
            {"kind": "webhook", "target": HOOK},
            {"kind": "app"},
            {"kind": "pager", "target": pager},
        ],
    )
    _record(lumiere, signal(severity=4))
    moment = NOW
    for attempt in range(1, 4):
        deliver_pending(lumiere.engine, notifiers, now=moment, max_attempts=3)
        moment += alert_outbox.backoff(attempt)
    final = deliver_pending(
        lumiere.engine, notifiers, now=moment + timedelta(days=1), max_attempts=3
    )
    assert final.sent == final.failed == final.retrying == 0
    rows = {r.kind: r for r in _outbox(lumiere)}
    assert len(smtp_server.envelopes) == 1 and len(calls) == 3
    assert {k: (r.status, r.attempts) for k, r in rows.items()} == {
        "email": ("sent", 1),
        "app": ("sent", 1),
        "webhook": ("failed", 3),
        "pager": ("failed", 3),
    }
    assert rows["webhook"].last_error == (
        "E725: The webhook at hooks.example.org did not take "
        "the notification: HTTP 500. Check the URL and that "
        "the receiving service is up."
    )
    assert rows["pager"].last_error is not None
    assert rows["pager"].last_error.startswith("RuntimeError: pager unreachable")
    stored = " ".join(r.last_error or "" for r in rows.values())
    logs = _our_logs(caplog)
    for secret in ("s3cr3tpath", PASSWORD, KEY):
        assert secret not in stored and secret not in logs
    assert "failed, attempt 3 of 3" in logs and "webhook hooks.example.org" in logs


def test_a_refused_smtp_login_is_reported_without_the_password(
    lumiere: TwoBrands, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _rule(lumiere, [{"kind": "email", "target": INBOX}])
    _record(lumiere, signal())
    wrong = "Wr0ng-" + PASSWORD
    report = deliver_pending(lumiere.engine, [smtp_server.notifier(password=wrong)], now=NOW)
    assert report.retrying == 1 and smtp_server.envelopes == []
    [row] = _outbox(lumiere)
    assert row.status == "pending" and row.next_attempt_at == NOW + timedelta(minutes=1)
    assert row.last_error is not None
    assert row.last_error.startswith("E724: Cannot send e-mail through 127.0.0.1:")
    assert "535" in row.last_error
    assert wrong not in row.last_error and wrong not in _our_logs(caplog)
    assert repr(smtp_server.notifier()).count(PASSWORD) == 0


def test_quiet_hours_hold_messages_until_morning(
    lumiere: TwoBrands, smtp_server: SmtpServer
) -> None:
    _rule(lumiere, [{"kind": "email", "target": INBOX}], quiet_start="22:00", quiet_end="07:00")
    _record(lumiere, signal(at=NIGHT.timestamp()), now=NIGHT)
    night = deliver_pending(
        lumiere.engine, [smtp_server.notifier()], now=NIGHT + timedelta(hours=1)
    )
    assert night.sent == 0 and smtp_server.envelopes == []
    morning = deliver_pending(
        lumiere.engine, [smtp_server.notifier()], now=datetime(2026, 3, 13, 6, 0, tzinfo=UTC)
    )
    assert (morning.released, morning.sent) == (1, 1) and len(smtp_server.envelopes) == 1


def test_digest_channels_get_one_email_per_day(lumiere: TwoBrands, smtp_server: SmtpServer) -> None:
    _rule(lumiere, [{"kind": "email", "target": INBOX, "digest": True}])
    _record(lumiere, signal(severity=4), signal(scope="platform:instagram", severity=2))
    assert deliver_pending(lumiere.engine, [smtp_server.notifier()], now=NOW).sent == 0
    morning = datetime(2026, 3, 13, 7, 30, tzinfo=UTC)  # 08:30 in Paris
    with lumiere.engine.begin() as conn:  # in the caller's transaction
        report = deliver_pending(conn, [smtp_server.notifier()], now=morning, digest_hour=8)
    assert (report.digests, report.sent) == (1, 1)
    assert (
        deliver_pending(
            lumiere.engine,
            [smtp_server.notifier()],
            now=morning + timedelta(hours=2),
            digest_hour=8,
        ).sent
        == 0
    )
    [mail] = smtp_server.mails()
    assert mail["Subject"].startswith("[Confiance] Résumé des alertes · Maison Lumière")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "2 alerte(s) du 12/03/2026 08:00 au 13/03/2026 08:00 (Europe/Paris)" in text
    assert "1. [4/5 élevée] Pic de volume de mentions (toutes les plateformes)" in text
    assert "2. [2/5 faible] Pic de volume de mentions (instagram)" in text


def test_built_in_notifiers_register_through_the_plugin_hook(tmp_path: Any) -> None:
    class PagerPlugin:
        @hookimpl
        def confiance_notifiers(self, settings: Settings) -> list[Notifier]:
            return [AppNotifier()] if settings.env == "test" else []

    manager = plugin_manager(entry_points=False)
    manager.register(PagerPlugin())
    settings = Settings(env="test", smtp_password=PASSWORD, database_url="sqlite://")
    found = load_notifiers(settings, manager=manager)
    assert set(found) == {"email", "webhook", "app"}
    assert all(isinstance(n, Notifier) for n in found.values())
    assert isinstance(found["email"], EmailNotifier) and PASSWORD not in repr(found)


@pytest.mark.postgres
def test_two_senders_never_claim_the_same_message_on_postgresql(postgres_url: str) -> None:
    engine = make_engine(Settings(database_url=postgres_url))
    migrate.upgrade(engine)
    try:
        setup = two_brands(engine)
        _rule(
            setup,
            [
                {"kind": "email", "target": INBOX},
                {"kind": "webhook", "target": HOOK},
                {"kind": "app"},
            ],
        )
        _record(setup, signal(), signal(scope="platform:x"))
        with engine.connect() as first, engine.connect() as second, first.begin():
            mine = alert_outbox.claim_due(first, now=NOW, limit=4)
            with second.begin():  # the first sender's rows are locked: skipped, not awaited
                second.exec_driver_sql("SET LOCAL lock_timeout = '3s'")
                theirs = alert_outbox.claim_due(second, now=NOW, limit=4)
        assert len(mine) == 4 and len(theirs) == 2
        assert not {r.id for r in mine} & {r.id for r in theirs}
    finally:
        engine.dispose()


TEXT = st.text(max_size=80)
EVIDENCE_POST = st.fixed_dictionaries(
    {},
    optional={
        "excerpt": TEXT,
        "author": TEXT | st.none(),
        "followers": st.integers(0, 10**9) | st.none() | TEXT,
        "platform": TEXT,
        "sentiment": TEXT | st.none(),
        "engagement": st.integers(0, 10**9),
        "url": st.sampled_from(["javascript:alert(1)", 'https://x.com/a?b=<i>&c="d"']) | TEXT,
        "at": st.floats(allow_nan=False),
    },
)


@settings(max_examples=150, deadline=None)
@given(
    brand=TEXT,
    subject=TEXT,
    note=TEXT,
    posts=st.lists(EVIDENCE_POST, max_size=3),
    terms=st.lists(st.tuples(TEXT, st.integers(0, 10**6)), max_size=3),
    language=st.sampled_from(["fr", "en", "de"]),
    severity=st.integers(1, 5),
    observed=st.floats(0, 1e12),
    expected=st.floats(0, 1e12),
    unit=st.sampled_from(["posts", "share", "followers", "mentions", "?"]),
)
def test_messages_escape_whatever_the_posts_say(
    brand: str,
    subject: str,
    note: str,
    posts: list[dict[str, Any]],
    terms: list[tuple[str, int]],
    language: str,
    severity: int,
    observed: float,
    expected: float,
    unit: str,
) -> None:
    moment = datetime(2026, 3, 12, 13, tzinfo=UTC)
    alert = alerts.Alert(
        id=7,
        brand_id=1,
        brand=brand,
        episode_key="k",
        detector="emerging_term",
        scope="all",
        subject=subject,
        status="resolved",
        severity=severity,
        max_severity=5,
        first_seen=moment,
        last_seen=moment,
        window_start=moment,
        window_end=moment,
        observed=observed,
        expected=expected,
        unit=unit,
        score=1.0,
        evidence={
            "top_terms": [list(t) for t in terms],
            "top_posts": posts,
            "top_authors": [["<b>", 2]],
            "details": {"n": 1.0},
        },
        firings=2,
        acknowledged_by=None,
        acknowledged_at=None,
        resolved_by="system",
        resolved_at=moment,
        resolution_note=note,
        created_at=moment,
        updated_at=moment,
    )
    message = render_alert(alert, language=language, event="resolved")
    assert "\n" not in message.subject and "\r" not in message.subject
    assert len(message.subject) <= 200
    assert "<b>" not in message.html and "<script" not in message.html.lower()
    assert 'href="javascript' not in message.html
    hrefs = message.html.count("<a href=")
    assert hrefs == sum(1 for p in posts if str(p.get("url", "")).startswith("https://"))
