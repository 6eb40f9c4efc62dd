"""The listening sources of a brand: what ``confiance listen`` collects, and how each is doing.

``sources_context`` fills the page ``brand.py`` serves at ``/brands/{id}/sources``: every
source with its health (ok, failing, token refused, configuration refused, waiting out a
rate limit, paused), failures in a row, last error (never a token), last success and posts
collected; a push source shows the address to push to. ``router`` holds the page's forms,
for analysts and owners (``Action.MANAGE_SOURCES``), each doing what the matching
``/api/v1/brands/{id}/listen-sources`` route does (audited):

- ``POST /brands/{id}/sources``: add a source (polled: a format with a client and its JSON
  settings; pushed: any format); a push source's secret is shown on the answer page, once;
- ``POST /brands/{id}/sources/{source_id}/pause``, ``.../resume``, ``.../remove``;
- ``POST /brands/{id}/sources/{source_id}/rotate-secret``: the new secret, shown once.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Form, Path, Request
from sqlalchemy import Connection
from starlette.responses import Response

from confiance.auth.roles import Action, can
from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.sources.clients.base import poll_clients
from confiance.sources.registry import FormatRegistry
from confiance.store import listening
from confiance.web.api import listen as listen_api
from confiance.web.api.brands import visible
from confiance.web.deps import CurrentPrincipal, Principal, get_engine
from confiance.web.pages import frame as frames
from confiance.web.pages.error_pages import redirect
from confiance.web.pages.frame import Frame
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

BrandId = Annotated[int, Path(ge=1, le=2**63 - 1)]
SourceId = Annotated[int, Path(ge=1, le=2**63 - 1)]
DONE = ("paused", "resumed", "removed")
"""Confirmations the page shows after a change (``?done=``)."""


def _formats() -> tuple[list[str], list[str]]:
    """(formats with a polling client, every import format), by name."""
    manager = plugin_manager()
    return sorted(poll_clients(manager)), FormatRegistry.from_plugins(manager).names()


def sources_context(conn: Connection, frame: Frame, request: Request) -> dict[str, Any]:
    """What ``brand/sources.html`` draws besides the frame."""
    assert frame.brand is not None and frame.user is not None
    polled, every = _formats()
    done = request.query_params.get("done")
    return {"sources": [listen_api.SourceOut.of(s)
                        for s in listening.list_sources(conn, [frame.brand.id])],
            "can_manage": frame.role is not None and can(frame.role, Action.MANAGE_SOURCES),
            "polled_formats": polled, "push_formats": every,
            "done": done if done in DONE else None, "values": {}, "error": None,
            "secret": None}


def _frame(request: Request, conn: Connection, principal: Principal, brand_id: int,
           action: Action) -> Frame:
    brand = visible(principal, conn, brand_id, action)
    return frames.signed_in(request, conn, principal, brand=brand, page="sources")


def _page(request: Request, conn: Connection, frame: Frame,
          **changes: Any) -> Response:
    context = {"frame": frame, **sources_context(conn, frame, request), **changes}
    return templates_of(request).render("brand/sources.html", frame.locale, context)


@router.post("/brands/{brand_id}/sources")
def add_source(brand_id: BrandId, principal: CurrentPrincipal, request: Request,
               name: Annotated[str, Form(max_length=200)] = "",
               mode: Annotated[str, Form(max_length=10)] = "push",
               format: Annotated[str, Form(max_length=50)] = "",
               config: Annotated[str, Form(max_length=20_000)] = "",
               secret_ref: Annotated[str, Form(max_length=1000)] = "",
               interval_s: Annotated[str, Form(max_length=20)] = "") -> Response:
    """Add a source as ``POST /api/v1/brands/{id}/listen-sources`` does; a mistake is shown
    on the page with the values typed, a push source's secret once."""
    values = {"name": name, "mode": mode, "format": format, "config": config,
              "secret_ref": secret_ref, "interval_s": interval_s}
    engine = get_engine(request)
    with engine.connect() as conn:  # E605 / E604 answer as error pages, not as form errors
        frame = _frame(request, conn, principal, brand_id, Action.MANAGE_SOURCES)
    try:
        body = listen_api.SourceIn.model_validate({
            "name": name.strip() or " ", "mode": mode if mode in ("poll", "push") else "x",
            "format": format or "?", "config": _json(config),
            "interval_s": float(interval_s) if interval_s.strip() else None,
            "secret_ref": secret_ref.strip() or None})
        with engine.begin() as conn:
            added = listen_api.add_source(brand_id, body, principal, conn)
    except (ConfianceError, ValueError) as error:
        found = error if isinstance(error, ConfianceError) else ConfianceError(
            "E746", detail=_first_error(error))
        with engine.connect() as conn:
            return _page(request, conn, frame, values=values, error=found)
    with engine.connect() as conn:
        return _page(request, conn, frame, secret=(added.name, added.push_path,
                                                   added.push_secret))


def _json(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ConfianceError("E746", detail=f"the settings as a JSON object ({exc})") from None
    if not isinstance(found, dict):
        raise ConfianceError("E746", detail="the settings as a JSON object")
    return found


def _first_error(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg')}"
    return "a number of seconds for the interval"


def _source(conn: Connection, brand_id: int, source_id: int) -> listening.ListenSource:
    try:
        found = listening.load_source(conn, source_id)
    except ConfianceError:
        found = None
    if found is None or found.brand_id != brand_id:
        raise ConfianceError("E605", what="listening source", ref=str(source_id),
                             listing=f"/brands/{brand_id}/sources")
    return found


def _change(request: Request, principal: Principal, brand_id: int, source_id: int,
            what: str) -> Response:
    with get_engine(request).begin() as conn:
        _frame(request, conn, principal, brand_id, Action.MANAGE_SOURCES)
        _source(conn, brand_id, source_id)
        if what == "paused":
            listen_api.pause_source(brand_id, source_id, principal, conn)
        elif what == "resumed":
            listen_api.resume_source(brand_id, source_id, principal, conn)
        else:
            listen_api.remove_source(brand_id, source_id, principal, conn)
    return redirect(request, f"/brands/{brand_id}/sources?done={what}")


@router.post("/brands/{brand_id}/sources/{source_id}/pause")
def pause(brand_id: BrandId, source_id: SourceId, principal: CurrentPrincipal,
          request: Request) -> Response:
    """Pause the source."""
    return _change(request, principal, brand_id, source_id, "paused")


@router.post("/brands/{brand_id}/sources/{source_id}/resume")
def resume(brand_id: BrandId, source_id: SourceId, principal: CurrentPrincipal,
           request: Request) -> Response:
    """Resume the source (due at once, failures forgotten)."""
    return _change(request, principal, brand_id, source_id, "resumed")


@router.post("/brands/{brand_id}/sources/{source_id}/remove")
def remove(brand_id: BrandId, source_id: SourceId, principal: CurrentPrincipal,
           request: Request) -> Response:
    """Remove the source (its posts stay)."""
    return _change(request, principal, brand_id, source_id, "removed")


@router.post("/brands/{brand_id}/sources/{source_id}/rotate-secret")
def rotate_secret(brand_id: BrandId, source_id: SourceId, principal: CurrentPrincipal,
                  request: Request) -> Response:
    """A new push secret, shown on the answer page once."""
    with get_engine(request).begin() as conn:
        frame = _frame(request, conn, principal, brand_id, Action.MANAGE_SOURCES)
        source = _source(conn, brand_id, source_id)
        secret = listen_api.rotate_secret(brand_id, source_id, principal, conn).push_secret
        path = f"/api/v1/listen/push/{source.push_key}" if source.push_key else None
        return _page(request, conn, frame, secret=(source.name, path, secret))
