"""``/brands/{id}/alerts``: a brand's crisis alerts and their lifecycle (the rules that say
who hears about them are :mod:`confiance.web.api.alert_rules`).

Every member of the brand's workspace reads alerts; owners, analysts and moderators
acknowledge and resolve them (``handle_alerts``); any other role gets E604. An alert of
another brand or workspace answers E605, exactly like one that does not exist. The store
(:mod:`confiance.store.alerts`) validates, records and audits; this module reads the filters
and turns records into JSON. The messages sent about an alert show their targets masked
(:func:`mask_target`): a webhook's address is its secret.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, select

from confiance.auth.roles import Action
from confiance.core.errors import ConfianceError
from confiance.listen.alerts.message import detector_words, render_alert
from confiance.listen.alerts.model import Detector
from confiance.store import alert_outbox, alerts
from confiance.store.alerts import Alert, alert_from_row, alert_query
from confiance.store.tables import alerts as alerts_table
from confiance.web import pagination
from confiance.web.api.brands import visible
from confiance.web.api.posts import checked_period
from confiance.web.deps import Conn, CurrentPrincipal, Principal
from confiance.web.schemas import Page, PathId

router = APIRouter(tags=["alerts"])

DETECTORS = tuple(d.value for d in Detector)
MASK = "…"
"""Marks a masked target; a target holding it is never stored."""
LANGUAGES = ("fr", "en")
_a = alerts_table.c


def mask_target(kind: str, target: str) -> str:
    """What the API and the web app show of a channel's target: an e-mail address (and the
    app channel's empty target) as stored; any other target, a webhook URL first, cut to its
    scheme and host and, when it is long enough to spare them, its last 4 characters."""
    if kind in ("email", "app") or not target:
        return target
    tail = target[-4:] if len(target) >= 24 else ""
    try:
        parts = urlsplit(target)
        head = f"{parts.scheme}://{parts.hostname}/" if parts.hostname else ""
    except ValueError:
        head = ""
    return f"{head}{MASK}{tail}"


def printable(value: str | None, name: str) -> None:
    """E613 for text holding control characters (other than line breaks and tabs) or lone
    surrogates: no database stores them as text."""
    if value is not None and any((ord(ch) < 32 and ch not in "\n\r\t")
                                 or 0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise ConfianceError("E613", name=name, reason="remove the control characters")


# --- bodies -------------------------------------------------------------------------------------


class TermCount(BaseModel):
    """A term of the alert's window and the posts that used it."""

    term: str
    count: int


class AuthorCount(BaseModel):
    """One of the most active authors of the window and their posts in it."""

    author: str
    posts: int


class EvidencePost(BaseModel):
    """A post that drove the alert, with enough to judge it without opening it; ``post_id``
    opens it in Confiance, ``url`` on its platform."""

    key: str
    at: datetime | None
    platform: str | None
    sentiment: str | None
    excerpt: str
    author: str | None
    followers: int | None
    engagement: int
    url: str | None
    post_id: int | None


class EvidenceOut(BaseModel):
    """Why the alert fired, as of its latest firing."""

    top_terms: list[TermCount]
    top_posts: list[EvidencePost]
    top_authors: list[AuthorCount]
    details: dict[str, float]


class AlertOut(BaseModel):
    """An alert: what was observed in its window against the baseline, and its lifecycle
    (``open``, ``acknowledged``, ``resolved``). ``ratio`` is observed / expected."""

    id: int
    brand_id: int
    brand: str
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
    ratio: float | None
    unit: str
    score: float
    firings: int
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    resolved_by: str | None
    resolved_at: datetime | None
    resolution_note: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, alert: Alert) -> AlertOut:
        """The body for ``alert``."""
        values = {name: getattr(alert, name) for name in cls.model_fields if name != "ratio"}
        return cls(**values, ratio=alert.observed / alert.expected if alert.expected > 0
                   else None)


class Explanation(BaseModel):
    """The alert in words, as its messages say it: ``title`` (the detector, subject and
    scope) and ``text`` (every figure and the evidence)."""

    language: str
    title: str
    text: str


class NotificationOut(BaseModel):
    """A message about the alert in the outbox (``target`` masked as in rules)."""

    id: int
    kind: str
    target: str
    event: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


class AlertDetail(AlertOut):
    """An alert with its evidence, its explanation and the messages sent about it."""

    evidence: EvidenceOut
    explanation: Explanation
    notifications: list[NotificationOut]


class ResolveIn(BaseModel):
    """How the alert was dealt with (optional)."""

    note: str | None = Field(default=None, max_length=alerts.MAX_NOTE,
                             examples=["Réponse publiée, remboursements lancés."])


# --- reading alerts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertFilters:
    """Which of a brand's alerts to list: of these statuses (none: all), this detector, that
    reached at least ``severity_min``, seen in the period (last seen at or after ``since``,
    first seen before ``until``)."""

    statuses: tuple[str, ...] = ()
    detector: str | None = None
    severity_min: int | None = None
    since: datetime | None = None
    until: datetime | None = None

    def fingerprint(self, brand_id: int) -> str:
        """The cursor fingerprint of this listing."""
        return pagination.fingerprint("alerts", "-id", {
            "brand_id": brand_id, "status": list(self.statuses), "detector": self.detector,
            "severity_min": self.severity_min, "since": self.since, "until": self.until})


def alert_filters(statuses: Sequence[str] = (), detector: str | None = None,
                  severity_min: int | None = None, since: datetime | None = None,
                  until: datetime | None = None) -> AlertFilters:
    """Checked filters: E727 for an unknown status, E613 for an unknown detector, a severity
    outside 1-5 or ``since`` not before ``until``."""
    for status in statuses:
        if status not in alerts.STATUSES:
            raise ConfianceError("E727", status=status[:40], known=", ".join(alerts.STATUSES))
    if detector is not None and detector not in DETECTORS:
        raise ConfianceError("E613", name="detector", reason="use one of " + ", ".join(DETECTORS))
    if severity_min is not None and not 1 <= severity_min <= 5:
        raise ConfianceError("E613", name="severity_min", reason="use a number from 1 to 5")
    since, until = checked_period(since, until)
    return AlertFilters(statuses=tuple(sorted(set(statuses))), detector=detector,
                        severity_min=severity_min, since=since, until=until)


def find_alerts(conn: Connection, brand_id: int, filters: AlertFilters, *,
                after: int | None = None, limit: int = 50) -> tuple[list[Alert], int | None]:
    """The brand's alerts that pass ``filters``, newest first, after the alert ``after``;
    and the id to continue after (``None``: the end)."""
    query = alert_query().where(_a.brand_id == brand_id)
    if filters.statuses:
        query = query.where(_a.status.in_(filters.statuses))
    if filters.detector is not None:
        query = query.where(_a.detector == filters.detector)
    if filters.severity_min is not None:
        query = query.where(_a.max_severity >= filters.severity_min)
    if filters.since is not None:
        query = query.where(_a.last_seen >= filters.since)
    if filters.until is not None:
        query = query.where(_a.first_seen < filters.until)
    if after is not None:
        query = query.where(_a.id < after)
    rows = conn.execute(query.order_by(_a.id.desc()).limit(limit + 1)).all()
    items = [alert_from_row(row) for row in rows[:limit]]
    return items, items[-1].id if len(rows) > limit else None


def status_counts(conn: Connection, brand_id: int) -> dict[str, int]:
    """How many of the brand's alerts have each status."""
    rows = conn.execute(select(_a.status, func.count()).where(_a.brand_id == brand_id)
                        .group_by(_a.status))
    counts = dict.fromkeys(alerts.STATUSES, 0)
    counts.update({str(status): int(count) for status, count in rows})
    return counts


def _number(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if abs(value) < 2**63 else None


def _pairs(items: Any) -> list[tuple[str, int]]:
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, list | tuple) and len(item) == 2 and _number(item[1]) is not None:
            found.append((str(item[0]), int(item[1])))
    return found


def _moment(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _evidence_post(item: Mapping[str, Any]) -> EvidencePost:
    url = item.get("url")
    return EvidencePost(
        key=str(item.get("key") or ""), at=_moment(item.get("at")),
        platform=_text(item.get("platform")), sentiment=_text(item.get("sentiment")),
        excerpt=str(item.get("excerpt") or ""), author=_text(item.get("author")),
        followers=_number(item.get("followers")), engagement=_number(item.get("engagement")) or 0,
        url=url if isinstance(url, str) and url.startswith(("https://", "http://")) else None,
        post_id=_number(item.get("post_id")))


def evidence_of(alert: Alert) -> EvidenceOut:
    """The alert's stored evidence, read defensively (what is not of the expected shape is
    left out)."""
    found = alert.evidence
    posts = found.get("top_posts")
    details = found.get("details")
    return EvidenceOut(
        top_terms=[TermCount(term=t, count=c) for t, c in _pairs(found.get("top_terms"))],
        top_posts=[_evidence_post(p) for p in (posts if isinstance(posts, list) else [])
                   if isinstance(p, Mapping)],
        top_authors=[AuthorCount(author=a, posts=n) for a, n in _pairs(found.get("top_authors"))],
        details={str(k): float(v) for k, v in (details if isinstance(details, dict) else {}).items()
                 if isinstance(v, int | float) and not isinstance(v, bool)})


def explanation_of(alert: Alert, language: str) -> Explanation:
    """The alert in words (``fr`` or ``en``), as its messages put it."""
    event = alert_outbox.RESOLVED if alert.status == alerts.RESOLVED else alert_outbox.OPENED
    message = render_alert(alert, event=event, language=language)
    return Explanation(language=message.language, title=detector_words(alert, language),
                       text=message.text)


def notifications_of(conn: Connection, alert: Alert) -> list[NotificationOut]:
    """The messages about the alert in the outbox, oldest first (targets masked)."""
    return [NotificationOut(id=n.id, kind=n.kind, target=mask_target(n.kind, n.target),
                            event=n.event, status=n.status, attempts=n.attempts,
                            created_at=n.created_at, sent_at=n.sent_at, last_error=n.last_error)
            for n in alert_outbox.notifications(conn, alert.brand_id, alert_id=alert.id)]


def detail_of(conn: Connection, alert: Alert, language: str) -> AlertDetail:
    """The alert with its evidence, explanation and messages."""
    return AlertDetail(**AlertOut.of(alert).model_dump(), evidence=evidence_of(alert),
                       explanation=explanation_of(alert, language),
                       notifications=notifications_of(conn, alert))


@contextmanager
def found_or_e605(what: str, ref: int, brand_id: int) -> Iterator[None]:
    """Turn the store's "no such alert" (E710) or "no such rule" (E712) into E605."""
    try:
        yield
    except ConfianceError as error:
        if error.code not in ("E710", "E712"):
            raise
        listing = f"brands/{brand_id}/{'alerts' if error.code == 'E710' else 'alert-rules'}"
        raise ConfianceError("E605", what=what, ref=str(ref), listing=listing) from None


def language_of(principal: Principal, asked: str | None) -> str:
    """The language of an explanation: the one asked for, else the user's, else French."""
    if asked in LANGUAGES:
        return asked
    return principal.user.locale if principal.user.locale in LANGUAGES else "fr"


# --- routes: alerts -----------------------------------------------------------------------------

Statuses = Annotated[list[str], Query(alias="status", description=(
    "open, acknowledged or resolved (repeat for several). Default: every status."))]
DetectorName = Annotated[str | None, Query(max_length=40, description=(
    "volume, negative_share, emerging_term, high_reach, risk_term or source_health"))]
SeverityMin = Annotated[int | None, Query(ge=1, le=5, description=(
    "Only alerts whose highest severity reached at least this (1-5)"))]
Since = Annotated[datetime | None, Query(description=(
    "Only alerts last seen at or after this time (ISO 8601; UTC without an offset)"))]
Until = Annotated[datetime | None, Query(description=(
    "Only alerts first seen before this time"))]
Limit = Annotated[int, Query(ge=1, le=500, description="Alerts per page (1-500).")]
Cursor = Annotated[str | None, Query(max_length=pagination.MAX_CURSOR, description=(
    "The `next` of the previous page, with the same filters"))]
Language = Annotated[Literal["fr", "en"] | None, Query(description=(
    "Language of the explanation (default: yours)"))]


@router.get("/brands/{brand_id}/alerts", response_model=Page[AlertOut])
def list_alerts(brand_id: PathId, principal: CurrentPrincipal, conn: Conn,
                status: Statuses = [], detector: DetectorName = None,  # noqa: B006
                severity_min: SeverityMin = None, since: Since = None, until: Until = None,
                limit: Limit = 50, cursor: Cursor = None) -> Page[AlertOut]:
    """The brand's alerts, newest first; follow `next`.

    Example: `GET /api/v1/brands/3/alerts?status=open&status=acknowledged&severity_min=3`
    """
    visible(principal, conn, brand_id)
    filters = alert_filters(status, detector, severity_min, since, until)
    fingerprint = filters.fingerprint(brand_id)
    after = None
    if cursor is not None:
        _, after, _ = pagination.decode(cursor, fingerprint, kind=int)
    items, last = find_alerts(conn, brand_id, filters, after=after, limit=limit)
    following = None if last is None else pagination.encode(fingerprint, last, last)
    return Page[AlertOut](items=[AlertOut.of(a) for a in items], next=following)


@router.get("/brands/{brand_id}/alerts/{alert_id}", response_model=AlertDetail)
def get_alert(brand_id: PathId, alert_id: PathId, principal: CurrentPrincipal, conn: Conn,
              language: Language = None) -> AlertDetail:
    """One alert with everything needed to judge it: the window, the baseline against what
    was observed, the top terms, posts and authors, the explanation in words, and the
    messages sent about it."""
    visible(principal, conn, brand_id)
    with found_or_e605("alert", alert_id, brand_id):
        alert = alerts.get_alert(conn, brand_id, alert_id)
    return detail_of(conn, alert, language_of(principal, language))


@router.post("/brands/{brand_id}/alerts/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge_alert(brand_id: PathId, alert_id: PathId, principal: CurrentPrincipal,
                      conn: Conn, language: Language = None) -> AlertDetail:
    """Say that you are dealing with an open alert (owners, analysts, moderators; audited).
    Acknowledging it again changes nothing; E711 for a resolved alert."""
    visible(principal, conn, brand_id, Action.HANDLE_ALERTS)
    with found_or_e605("alert", alert_id, brand_id):
        alert = alerts.acknowledge(conn, alert_id, principal.user.id, brand_id=brand_id)
    return detail_of(conn, alert, language_of(principal, language))


@router.post("/brands/{brand_id}/alerts/{alert_id}/resolve", response_model=AlertDetail)
def resolve_alert(brand_id: PathId, alert_id: PathId, principal: CurrentPrincipal,
                  conn: Conn, body: ResolveIn | None = None,
                  language: Language = None) -> AlertDetail:
    """Close an open or acknowledged alert, with an optional note (owners, analysts,
    moderators; audited). The channels that were told about it are told it is resolved;
    E711 for an alert resolved already."""
    visible(principal, conn, brand_id, Action.HANDLE_ALERTS)
    note = None if body is None else body.note
    printable(note, "note")
    with found_or_e605("alert", alert_id, brand_id):
        alert = alerts.resolve(conn, alert_id, principal.user.id, note, brand_id=brand_id)
    return detail_of(conn, alert, language_of(principal, language))


