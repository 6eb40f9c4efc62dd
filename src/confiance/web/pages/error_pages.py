"""Errors met on a page answer as pages: a sign-in redirect, or an HTML error page.

``web/errors.py`` hands every error of a request outside ``/api/`` to :func:`page_error`:

- E603 (not signed in): ``303`` to ``/login?next=<this page>``;
- E614 (one-time password unchanged): ``303`` to ``/password?next=<this page>``;
- anything else: ``error.html`` in the reader's language with the catalogue's HTTP status.

A request made by htmx gets an ``HX-Redirect`` header instead of a redirect, so that the whole
page goes to the sign-in form rather than a fragment of it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from confiance.core.errors import ConfianceError
from confiance.web.errors import status_of
from confiance.web.pages import frame as frames
from confiance.web.pages.security import local_path
from confiance.web.pages.templating import templates_of

log = logging.getLogger("confiance.web")


def redirect(request: Request, target: str, *, status_code: int = 303) -> Response:
    """A redirect to ``target`` (``HX-Redirect`` for htmx requests)."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=status_code)


def _come_back(request: Request) -> str:
    """Where to return after signing in: this page for a GET, else the home page."""
    if request.method == "GET":
        return local_path(frames.current_path(request))
    return "/"


def page_error(request: Request, error: ConfianceError) -> Response:
    """The page answering ``error`` (see the module's description)."""
    if error.code == "E603":
        back = _come_back(request)
        target = "/login" + (f"?{urlencode({'next': back})}" if back != "/" else "")
        return redirect(request, target)
    if error.code == "E614":
        return redirect(request, f"/password?{urlencode({'next': _come_back(request)})}")
    status = status_of(error.code)
    templates = templates_of(request)
    try:
        user = frames.session_user(request, request.app.state.engine, request.app.state.settings)
    except (SQLAlchemyError, ConfianceError):  # the database is the problem: say it anyway
        log.warning("error page without its user on %s", request.url.path, exc_info=True)
        user = None
    frame = frames.for_user(request, user)
    return templates.render("error.html", frame.locale, {
        "frame": frame, "code": error.code, "status": status,
        "incident": error.details.get("incident"),
    }, status_code=status, headers=_extra_headers(error))


def _extra_headers(error: ConfianceError) -> dict[str, str]:
    if error.code == "E602":
        return {"Retry-After": str(int(error.details.get("minutes", 15)) * 60)}
    return {}
