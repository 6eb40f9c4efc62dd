"""The home page and the pages of one brand: overview, mentions, queries, alerts, sources.

Each page is one route here, one template (``templates/brand/<page>.html``) and one context
builder (``<page>_context`` in ``pages/<page>_page.py``, with that page's own extra routes)
returning what the template shows besides the frame. Until a
builder returns its data (``None`` now), the template shows a loading area; it can instead
name a fragment URL (``<page>_url``) that htmx fetches once the page has loaded. To fill a
page: compute its data in the builder from the store (the same functions as the matching
``/api/v1`` route), and draw it in the template's ``{% else %}`` branch.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy import Connection
from starlette.responses import RedirectResponse, Response

from confiance.store.brands import BrandRecord
from confiance.web.api.brands import visible
from confiance.web.deps import Conn, CurrentPrincipal, Principal
from confiance.web.pages import frame as frames
from confiance.web.pages.alerts_page import alerts_context
from confiance.web.pages.frame import BrandPage, Frame
from confiance.web.pages.mentions_page import mentions_context
from confiance.web.pages.overview_page import overview_context
from confiance.web.pages.queries_page import queries_context
from confiance.web.pages.sources_page import sources_context
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

BrandId = Annotated[int, Path(ge=1, le=2**63 - 1)]
"""A brand id in a page's path (a database integer: larger is E621, not a server error)."""


@router.get("/")
def home(principal: CurrentPrincipal, conn: Conn, request: Request) -> Response:
    """The overview of the user's first brand; a welcome page when they have none."""
    mine = frames.own_brands(conn, principal)
    if mine:
        return RedirectResponse(f"/brands/{mine[0].id}/overview", status_code=303)
    frame = frames.signed_in(request, conn, principal)
    return templates_of(request).render("home.html", frame.locale, {"frame": frame})


def _brand_frame(request: Request, conn: Connection, principal: Principal, brand_id: int,
                 page: BrandPage) -> Frame:
    """The frame of a brand page (E605, a 404 page, for a brand the user cannot see)."""
    brand: BrandRecord = visible(principal, conn, brand_id)
    return frames.signed_in(request, conn, principal, brand=brand, page=page)


def _render(request: Request, page: BrandPage, frame: Frame, context: dict[str, Any]
            ) -> Response:
    return templates_of(request).render(f"brand/{page}.html", frame.locale,
                                        {"frame": frame, **context})


@router.get("/brands/{brand_id}/overview")
def overview(brand_id: BrandId, principal: CurrentPrincipal, conn: Conn,
             request: Request) -> Response:
    """The brand's overview."""
    frame = _brand_frame(request, conn, principal, brand_id, "overview")
    return _render(request, "overview", frame, overview_context(conn, frame, request))


@router.get("/brands/{brand_id}/mentions")
def mentions(brand_id: BrandId, principal: CurrentPrincipal, conn: Conn,
             request: Request) -> Response:
    """The brand's mentions."""
    frame = _brand_frame(request, conn, principal, brand_id, "mentions")
    return _render(request, "mentions", frame, mentions_context(conn, frame, request))


@router.get("/brands/{brand_id}/queries")
def queries(brand_id: BrandId, principal: CurrentPrincipal, conn: Conn,
            request: Request) -> Response:
    """The brand's query and its preview."""
    frame = _brand_frame(request, conn, principal, brand_id, "queries")
    return _render(request, "queries", frame, queries_context(conn, frame, request))


@router.get("/brands/{brand_id}/alerts")
def alerts(brand_id: BrandId, principal: CurrentPrincipal, conn: Conn,
           request: Request) -> Response:
    """The brand's crisis alerts and alert rules."""
    frame = _brand_frame(request, conn, principal, brand_id, "alerts")
    return _render(request, "alerts", frame, alerts_context(conn, frame, request))


@router.get("/brands/{brand_id}/sources")
def sources(brand_id: BrandId, principal: CurrentPrincipal, conn: Conn,
            request: Request) -> Response:
    """The brand's listening sources and their health."""
    frame = _brand_frame(request, conn, principal, brand_id, "sources")
    return _render(request, "sources", frame, sources_context(conn, frame, request))
