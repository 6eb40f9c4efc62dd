"""``/session``: signing in and out of the web app (a cookie session with a CSRF token)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from confiance.auth.login import LoginLimits, authenticate
from confiance.core.settings import Settings
from confiance.store import audit, credentials
from confiance.web.deps import (
    SESSION_COOKIE,
    CurrentPrincipal,
    client_ip,
    get_engine,
    get_settings,
)
from confiance.web.schemas import UserOut

router = APIRouter(tags=["session"])


class Credentials(BaseModel):
    """An e-mail address and password."""

    email: str = Field(max_length=320, examples=["analyste@example.org"])
    password: str = Field(max_length=1024)


class SessionOut(BaseModel):
    """A signed-in session: send ``csrf_token`` as ``X-CSRF-Token`` with every change."""

    user: UserOut
    csrf_token: str
    must_change_password: bool


def limits_of(settings: Settings) -> LoginLimits:
    """The sign-in rate limit the settings ask for."""
    return LoginLimits(per_email=settings.login_failures_per_email,
                       per_ip=settings.login_failures_per_ip,
                       window=timedelta(minutes=settings.login_window_minutes))


def sign_in(engine: Engine, settings: Settings, response: Response, email: str, password: str,
            ip: str | None) -> SessionOut:
    """Check the credentials, open a session and set its cookie on ``response``."""
    user = authenticate(engine, email, password, ip=ip, limits=limits_of(settings))
    with engine.begin() as conn:
        lifetime = timedelta(hours=settings.session_hours)
        cookie, session = credentials.open_session(conn, user.id, lifetime)
    response.set_cookie(SESSION_COOKIE, cookie, max_age=int(lifetime.total_seconds()),
                        httponly=True, samesite="lax", secure=settings.secure_cookies, path="/")
    return SessionOut(user=UserOut.of(user), csrf_token=session.csrf_token,
                      must_change_password=user.must_change_password)


@router.post("/session", response_model=SessionOut,
             responses={401: {"description": "E601"}, 429: {"description": "E602"}})
def login(body: Credentials, request: Request, response: Response,
          engine: Annotated[Engine, Depends(get_engine)],
          settings: Annotated[Settings, Depends(get_settings)]) -> SessionOut:
    """Sign in with an e-mail address and password; sets the session cookie.

    Failed attempts are rate-limited per address and per client (E602)."""
    return sign_in(engine, settings, response, body.email, body.password, client_ip(request))


@router.delete("/session", status_code=204)
def logout(principal: CurrentPrincipal, request: Request, response: Response,
           engine: Annotated[Engine, Depends(get_engine)]) -> None:
    """Sign this browser out (needs the session's CSRF token)."""
    with engine.begin() as conn:
        credentials.close_session(conn, request.cookies.get(SESSION_COOKIE, ""))
        audit.record(conn, "logout", user_id=principal.user.id, actor=principal.user.email,
                     ip=client_ip(request))
    response.delete_cookie(SESSION_COOKIE, path="/")
