"""Errors as JSON: ``{"error": {"code", "message", "details"?}}`` with a fitting HTTP status.

Every error a client can meet carries a catalogue code and a sentence that says what to do;
an unexpected failure is logged with an id and answered with E624 and that id, never a trace.
Requests outside the API (``/api/``, ``/openapi.json``, ``/docs``) are web-app pages: when the
pages are installed (``app.state.page_error``), their errors answer as pages instead (a
sign-in redirect for E603, an HTML error page otherwise; see ``web/pages/error_pages.py``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from confiance.core.errors import ConfianceError

log = logging.getLogger("confiance.web")

STATUS: dict[str, int] = {
    "E102": 503, "E301": 404, "E302": 409, "E401": 422, "E402": 422, "E403": 422,
    "E404": 422, "E405": 422, "E406": 422, "E407": 409, "E511": 409, "E512": 404,
    "E513": 422, "E601": 401, "E602": 429, "E603": 401, "E604": 403, "E605": 404,
    "E606": 403, "E607": 409, "E608": 422, "E609": 422, "E610": 422, "E611": 404,
    "E612": 400, "E613": 422, "E614": 403, "E615": 404, "E616": 409, "E617": 422,
    "E618": 409, "E619": 422, "E620": 422, "E621": 422, "E622": 404, "E623": 405,
    "E624": 500, "E630": 422, "E631": 422, "E632": 422, "E633": 422, "E634": 422,
    "E635": 409, "E640": 422, "E641": 422, "E642": 422, "E643": 422,
    "E741": 409, "E743": 404, "E744": 401, "E745": 413, "E746": 422, "E747": 409,
    "E748": 422,
    "E711": 409,
}
"""HTTP status of each code the API can answer with (422 for any other)."""
API_PREFIXES = ("/api/", "/openapi.json", "/docs")
"""Paths whose errors are always JSON."""

PageError = Callable[[Request, ConfianceError], Response]
"""Renders an error met on a web-app page (installed as ``app.state.page_error``)."""


def status_of(code: str) -> int:
    """The HTTP status answering a catalogue error."""
    return STATUS.get(code, 422)


def error_response(error: ConfianceError, *, headers: dict[str, str] | None = None
                   ) -> JSONResponse:
    """The JSON answer to ``error``."""
    status = status_of(error.code)
    if error.code in ("E603", "E601") and headers is None:
        headers = {"WWW-Authenticate": 'Bearer realm="confiance"'}
    if error.code == "E602" and headers is None:
        headers = {"Retry-After": str(int(error.details.get("minutes", 15)) * 60)}
    return JSONResponse({"error": _jsonable(error.as_dict())}, status_code=status,
                        headers=headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for problem in exc.errors()[:5]:
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {problem.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid input"


def is_api(request: Request) -> bool:
    """Whether the request is for the API (JSON errors) rather than a web-app page."""
    return request.url.path.startswith(API_PREFIXES)


def answer(request: Request, error: ConfianceError) -> Response:
    """The answer to ``error``: JSON for the API, the installed page renderer for pages."""
    page_error: PageError | None = getattr(request.app.state, "page_error", None)
    if page_error is not None and not is_api(request):
        try:
            return page_error(request, error)
        except Exception:  # the error page itself failed: answer in JSON (and log it)
            log.exception("the error page for %s failed on %s", error.code, request.url.path)
    return error_response(error)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the catalogue's JSON (or a page)."""

    @app.exception_handler(ConfianceError)
    async def _catalogue(request: Request, exc: ConfianceError) -> Response:
        return answer(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return answer(request, ConfianceError("E621", detail=_validation_detail(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return answer(request, ConfianceError("E622", path=request.url.path))
        if exc.status_code == 405:
            return answer(request, ConfianceError("E623", method=request.method,
                                                  path=request.url.path))
        return JSONResponse({"error": {"code": f"HTTP{exc.status_code}",
                                       "message": str(exc.detail)}},
                            status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        incident = secrets.token_hex(6)
        log.error("unexpected error %s on %s %s", incident, request.method, request.url.path,
                  exc_info=exc)
        return answer(request, ConfianceError("E624", incident=incident))
