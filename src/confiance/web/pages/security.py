"""Security of the pages: response headers, local-only redirects, the sign-in form's token.

Every response gets ``X-Content-Type-Options: nosniff``, a ``Referrer-Policy`` and
``frame-ancestors 'none'`` (with ``X-Frame-Options: DENY`` for older browsers); every response
but the interactive API reference (``/docs``, which loads Swagger UI's inline script) gets a
strict Content-Security-Policy: everything from this origin only, no inline script or style,
no plugin, forms posting here only. Pages are never stored by caches.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from confiance.web.errors import API_PREFIXES

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
NO_CSP_PREFIXES = ("/docs",)
"""Swagger UI needs its inline bootstrap script; it shows no user data."""
LOGIN_CSRF_COOKIE = "confiance_login_csrf"
"""The sign-in form's token before there is a session (a double-submit cookie)."""


def is_page(path: str) -> bool:
    """Whether ``path`` is a web-app page (HTML), not the API or its reference."""
    return not path.startswith(API_PREFIXES)


def headers_for(path: str) -> dict[str, str]:
    """The security headers a response to ``path`` carries."""
    headers = dict(COMMON_HEADERS)
    if not path.startswith(NO_CSP_PREFIXES):
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    if is_page(path) and not path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return headers


class SecurityHeaders:
    """ASGI middleware adding :func:`headers_for` to every HTTP response (a header a route
    set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers when the response starts."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(str(scope.get("path", "")))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def local_path(value: str | None, default: str = "/") -> str:
    """``value`` if it is a path on this site (``/brands/3/overview?x=1``), else ``default``.

    Refuses absolute URLs, scheme-relative ``//host``, backslashes (``/\\host`` is a host
    for some browsers), control characters, and the sign-in and sign-out pages themselves.
    """
    if not value or len(value) > 2000 or not value.startswith("/"):
        return default
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 or ord(c) == 127
                                                      for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(("/login", "/logout")):
        return default
    return value


def login_token(request: Request) -> str:
    """The sign-in form's token: the browser's current one, or a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return current if 20 <= len(current) <= 100 else secrets.token_urlsafe(32)


def set_login_token(response: Response, token: str, *, secure: bool) -> None:
    """Give the browser the sign-in form's token (only ``/login`` ever reads it)."""
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True,
                        samesite="strict", secure=secure, path="/login")


def login_token_matches(request: Request, sent: str | None) -> bool:
    """Whether the form sent the token its browser holds."""
    held = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(sent and held) and hmac.compare_digest(str(sent).encode(), held.encode())
