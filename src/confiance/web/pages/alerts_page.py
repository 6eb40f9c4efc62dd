"""The crisis alerts of a brand: the list, an alert's explanation, acknowledging, resolving.

``alerts_context`` fills the page ``brand.py`` serves at ``/brands/{id}/alerts``: the brand's
alerts (newest first, filtered by status, detector and severity with a GET form whose address
can be shared) and its alert rules (``alert_rules_page`` holds the rules' own routes).
``router`` holds this page's extra routes, added by ``pages.install``:

- ``GET /brands/{id}/alerts/{alert_id}``: one alert with everything an analyst needs to judge
  it without opening anything else: the window, what was observed against the baseline, the
  top terms, the posts that drove it (with links) and the most active authors;
- ``POST /brands/{id}/alerts/{alert_id}/acknowledge`` and ``.../resolve`` (an optional note):
  the lifecycle, as ``POST /api/v1/brands/{id}/alerts/{alert_id}/acknowledge`` and
  ``.../resolve`` do it (``Action.HANDLE_ALERTS``: owners, analysts, moderators), then back to
  the alert with a confirmation.

The filters are ``GET /api/v1/brands/{id}/alerts``'s, read by the same helpers
(``alert_filters``, ``find_alerts``), so a page's cursor is the API's. Every word shown comes
from the templates; webhook addresses are masked as the API masks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Request
from sqlalchemy import Connection
from starlette.responses import Response

from confiance.auth.roles import Action, can
from confiance.core.errors import ConfianceError
from confiance.domain import Platform
from confiance.store import alert_rules, alerts
from confiance.store.alerts import Alert
from confiance.web import pagination
from confiance.web.api import alerts as alerts_api
from confiance.web.api.alert_rules import RuleOut
from confiance.web.api.alerts import AlertFilters, EvidenceOut
from confiance.web.api.brands import visible
from confiance.web.deps import CurrentPrincipal, Principal, get_engine
from confiance.web.pages import frame as frames
from confiance.web.pages.error_pages import redirect
from confiance.web.pages.frame import Frame
from confiance.web.pages.mentions_page import labels_for
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
"""Alerts per page of the list."""
STATUS_CHOICES = ("active", "open", "acknowledged", "resolved", "all")
"""The status filter: ``active`` (open or acknowledged, the default) or one status, or all."""
_STATUSES = {"active": (alerts.OPEN, alerts.ACKNOWLEDGED), "all": (),
             **{status: (status,) for status in alerts.STATUSES}}
DONE = ("acknowledged", "resolved", "already")
"""Confirmations the alert's page shows after a change (``?done=``)."""

BrandId = Annotated[int, Path(ge=1, le=2**63 - 1)]
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1)]
Note = Annotated[str, Form(max_length=alerts.MAX_NOTE)]


# --- what the templates are given ---------------------------------------------------------------


@dataclass
class AlertList:
    """A page of the list as the template draws it (``error``: filters or cursor refused)."""

    items: list[Alert] = field(default_factory=list)
    error: ConfianceError | None = None
    next_url: str | None = None
    later: bool = False
    """This is not the first page (the page was opened at a cursor)."""


@dataclass(frozen=True)
class Roles:
    """What the signed-in user may do with the brand's alerts."""

    can_handle: bool
    can_manage: bool


def roles_of(frame: Frame) -> Roles:
    """The user's rights on the frame's brand (acknowledge and resolve; manage rules)."""
    role = frame.role
    return Roles(can_handle=role is not None and can(role, Action.HANDLE_ALERTS),
                 can_manage=role is not None and can(role, Action.MANAGE_ALERT_RULES))


def typed(params: Mapping[str, str]) -> dict[str, str]:
    """The filter fields as chosen, empty ones and the default status left out."""
    found = {}
    for name in ("status", "detector", "severity_min"):
        value = (params.get(name) or "").strip()
        if value and not (name == "status" and value == "active"):
            found[name] = value
    return found


def page_filters(values: Mapping[str, str]) -> AlertFilters:
    """The API's filters of the form's ``values`` (E613, E727)."""
    status = values.get("status", "active")
    if status not in _STATUSES:
        raise ConfianceError("E727", status=status[:40], known=", ".join(STATUS_CHOICES))
    severity = values.get("severity_min")
    if severity is not None and not (severity.isascii() and severity.isdigit()
                                     and len(severity) == 1):
        raise ConfianceError("E613", name="severity_min", reason="use a number from 1 to 5")
    return alerts_api.alert_filters(_STATUSES[status], values.get("detector"),
                                    None if severity is None else int(severity))


def list_url(brand_id: int, values: Mapping[str, str], **extra: str) -> str:
    """The list's address with ``values`` (and ``extra``) as its query."""
    query = urlencode({**values, **extra})
    return f"/brands/{brand_id}/alerts" + (f"?{query}" if query else "")


def alert_list(conn: Connection, brand_id: int, values: Mapping[str, str],
               cursor: str | None) -> AlertList:
    """A page of the list after ``cursor``; a bad filter or cursor is the list's ``error``."""
    try:
        filters = page_filters(values)
        fingerprint = filters.fingerprint(brand_id)
        after = None
        if cursor is not None:
            _, after, _ = pagination.decode(cursor, fingerprint, kind=int)
        items, last = alerts_api.find_alerts(conn, brand_id, filters, after=after,
                                             limit=PAGE_SIZE)
    except ConfianceError as error:
        return AlertList(error=error)
    found = AlertList(items=items, later=cursor is not None)
    if last is not None:
        found.next_url = list_url(brand_id, values,
                                  cursor=pagination.encode(fingerprint, last, last))
    return found


def shared_context(frame: Frame, roles: Roles) -> dict[str, Any]:
    """What every alerts template needs: the user's rights, the choices and names."""
    return {"can_handle": roles.can_handle, "can_manage": roles.can_manage,
            "labels": labels_for(frame.locale), "detectors": alerts_api.DETECTORS,
            "platforms": [p.value for p in Platform], "statuses": alerts.STATUSES}


def alerts_context(conn: Connection, frame: Frame, request: Request) -> dict[str, Any]:
    """The list of the brand's alerts for the request's filters (``alerts``, an
    :class:`AlertList`), the count of each status (``counts``) and the brand's rules
    (``rules``, webhook addresses masked)."""
    brand = frame.brand
    assert brand is not None
    values = typed(request.query_params)
    cursor = request.query_params.get("cursor") or None
    params = request.query_params
    return {
        "alerts": alert_list(conn, brand.id, values, cursor),
        "values": values, "status_choices": STATUS_CHOICES,
        "counts": alerts_api.status_counts(conn, brand.id),
        "rules": [RuleOut.of(r) for r in alert_rules.list_rules(conn, brand.id)],
        "rule_done": params.get("rule") if params.get("rule") in (
            "added", "saved", "deleted", "enabled", "disabled") else None,
        "base": f"/brands/{brand.id}/alerts", "reset_url": f"/brands/{brand.id}/alerts",
        **shared_context(frame, roles_of(frame)),
    }


# --- one alert ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    """An alert with what its page shows around it."""

    alert: Alert
    evidence: EvidenceOut
    notifications: list[alerts_api.NotificationOut]
    ratio: float | None


def alerts_frame(request: Request, conn: Connection, principal: Principal, brand_id: int,
           action: Action = Action.READ) -> Frame:
    """The frame of an alerts page (E605 for a brand the user cannot see, E604 for a role
    that may not do ``action``)."""
    brand = visible(principal, conn, brand_id, action)
    return frames.signed_in(request, conn, principal, brand=brand, page="alerts")


def alert_view(conn: Connection, brand_id: int, alert_id: int) -> AlertView:
    """Everything the alert's page shows (E605 when it is not the brand's)."""
    with alerts_api.found_or_e605("alert", alert_id, brand_id):
        alert = alerts.get_alert(conn, brand_id, alert_id)
    return AlertView(alert=alert, evidence=alerts_api.evidence_of(alert),
                     notifications=alerts_api.notifications_of(conn, alert),
                     ratio=alert.observed / alert.expected if alert.expected > 0 else None)


def author_url(brand_id: int, author: str) -> str:
    """The brand's mentions by ``author`` (a handle, with or without its @)."""
    return f"/brands/{brand_id}/mentions?" + urlencode({"author": author.removeprefix("@")})


@router.get("/brands/{brand_id}/alerts/{alert_id}")
def alert_page(brand_id: BrandId, alert_id: AlertId, principal: CurrentPrincipal,
               request: Request) -> Response:
    """One alert of the brand: its figures, evidence, lifecycle and the messages sent."""
    with get_engine(request).connect() as conn:
        frame = alerts_frame(request, conn, principal, brand_id)
        view = alert_view(conn, brand_id, alert_id)
        roles = roles_of(frame)
    done = request.query_params.get("done")
    context = {"frame": frame, "view": view, "alert": view.alert,
               "done": done if done in DONE else None, "author_url": author_url,
               "here": f"/brands/{brand_id}/alerts/{alert_id}",
               "list_url": f"/brands/{brand_id}/alerts", "note_max": alerts.MAX_NOTE,
               **shared_context(frame, roles)}
    return templates_of(request).render("brand/alerts/detail.html", frame.locale, context)


@router.post("/brands/{brand_id}/alerts/{alert_id}/acknowledge")
def acknowledge(brand_id: BrandId, alert_id: AlertId, principal: CurrentPrincipal,
                request: Request) -> Response:
    """Acknowledge the alert as ``POST /api/v1/.../acknowledge`` does (E604 for a viewer)."""
    return _change(request, principal, brand_id, alert_id, None)


@router.post("/brands/{brand_id}/alerts/{alert_id}/resolve")
def resolve(brand_id: BrandId, alert_id: AlertId, principal: CurrentPrincipal,
            request: Request, note: Note = "") -> Response:
    """Resolve the alert with the note typed, as ``POST /api/v1/.../resolve`` does."""
    return _change(request, principal, brand_id, alert_id, note.strip())


def _change(request: Request, principal: Principal, brand_id: int, alert_id: int,
            note: str | None) -> Response:
    """Acknowledge (``note`` is ``None``) or resolve the alert, then back to its page; an
    alert resolved meanwhile says so rather than failing."""
    here = f"/brands/{brand_id}/alerts/{alert_id}"
    with get_engine(request).begin() as conn:
        try:
            if note is None:
                alerts_api.acknowledge_alert(brand_id, alert_id, principal, conn)
                done = "acknowledged"
            else:
                alerts_api.resolve_alert(brand_id, alert_id, principal, conn,
                                         alerts_api.ResolveIn(note=note or None))
                done = "resolved"
        except ConfianceError as error:
            if error.code != "E711":
                raise
            done = "already"
    return redirect(request, f"{here}?done={done}#alert-status")
