"""Signing in and out, changing one's password and interface language, as pages.

Every form posts with a CSRF token: the session's once signed in, and before that a
double-submit token (a ``SameSite=Strict`` cookie on ``/login`` matching a hidden field), so
that another site cannot sign a browser into someone else's account.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import Engine
from starlette.responses import RedirectResponse, Response

from confiance.auth.passwords import MAX_LENGTH, MIN_LENGTH
from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.web.api import me, session
from confiance.web.deps import CurrentPrincipal, Principal, client_ip, get_engine, get_settings
from confiance.web.pages import frame as frames
from confiance.web.pages import i18n
from confiance.web.pages.error_pages import redirect
from confiance.web.pages.security import (
    LOGIN_CSRF_COOKIE,
    local_path,
    login_token,
    login_token_matches,
    set_login_token,
)
from confiance.web.pages.templating import templates_of

router = APIRouter(include_in_schema=False)

EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Text = Annotated[str, Form(max_length=MAX_LENGTH)]
Next = Annotated[str, Form(max_length=2000)]


def login_context(frame: frames.Frame, *, csrf_token: str, next_path: str, email: str = "",
                  error: str | None = None, minutes: int | None = None) -> dict[str, Any]:
    """What ``login.html`` shows: the form, and the error code of a failed attempt."""
    parts = urlsplit(frame.path)
    lang = i18n.supported(dict(parse_qsl(parts.query)).get("lang"))
    return {"frame": frame, "csrf_token": csrf_token, "next": next_path, "email": email,
            "error": error, "minutes": minutes,
            "action": "/login" + (f"?{urlencode({'lang': lang})}" if lang else "")}


def _login_page(request: Request, settings: Settings, *, next_path: str, status_code: int = 200,
                **context: Any) -> Response:
    frame = frames.anonymous(request)
    token = login_token(request)
    response = templates_of(request).render(
        "login.html", frame.locale,
        login_context(frame, csrf_token=token, next_path=next_path, **context),
        status_code=status_code)
    set_login_token(response, token, secure=settings.secure_cookies)
    return response


@router.get("/login")
def login_form(request: Request, engine: EngineDep, settings: SettingsDep,
               next: str | None = None) -> Response:
    """The sign-in form (straight to ``next`` when this browser is signed in already)."""
    target = local_path(next)
    if frames.session_user(request, engine, settings) is not None:
        return RedirectResponse(target, status_code=303)
    return _login_page(request, settings, next_path=target)


@router.post("/login")
def login(request: Request, engine: EngineDep, settings: SettingsDep,
          email: Annotated[str, Form(max_length=320)] = "", password: Text = "",
          csrf_token: Text = "", next: Next = "/") -> Response:
    """Sign in; errors (wrong password E601, rate limit E602, expired form) show inline."""
    target = local_path(next)
    if not login_token_matches(request, csrf_token):
        return _login_page(request, settings, next_path=target, email=email, error="E606",
                           status_code=403)
    response = RedirectResponse(target, status_code=303)
    try:
        opened = session.sign_in(engine, settings, response, email, password, client_ip(request))
    except ConfianceError as error:
        if error.code not in ("E601", "E602"):
            raise
        return _login_page(request, settings, next_path=target, email=email, error=error.code,
                           minutes=error.details.get("minutes"),
                           status_code=401 if error.code == "E601" else 429)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    if opened.must_change_password:
        response.headers["location"] = f"/password?{urlencode({'next': target})}"
    return response


@router.post("/logout")
def logout(principal: CurrentPrincipal, request: Request, engine: EngineDep) -> Response:
    """Sign this browser out and go back to the sign-in form."""
    response = redirect(request, "/login")
    session.logout(principal, request, response, engine)
    return response


def password_context(frame: frames.Frame, principal: Principal, *, next_path: str,
                     error: str | None = None) -> dict[str, Any]:
    """What ``password.html`` shows; ``forced`` while a one-time password is unchanged."""
    return {"frame": frame, "forced": principal.user.must_change_password, "next": next_path,
            "error": error, "minimum": MIN_LENGTH}


def _password_page(request: Request, principal: Principal, engine: Engine, *, next_path: str,
                   error: str | None = None, status_code: int = 200) -> Response:
    with engine.connect() as conn:
        frame = frames.signed_in(request, conn, principal,
                                 chrome=not principal.user.must_change_password)
    return templates_of(request).render(
        "password.html", frame.locale,
        password_context(frame, principal, next_path=next_path, error=error),
        status_code=status_code)


@router.get("/password")
def password_form(principal: CurrentPrincipal, request: Request, engine: EngineDep,
                  next: str | None = None) -> Response:
    """The password change form (where a one-time password leads after signing in)."""
    return _password_page(request, principal, engine, next_path=local_path(next))


@router.post("/password")
def change_password(principal: CurrentPrincipal, request: Request, engine: EngineDep,
                    settings: SettingsDep, current_password: Text = "",
                    new_password: Text = "", confirm_password: Text = "",
                    next: Next = "/") -> Response:
    """Change the password (as ``POST /api/v1/me/password`` does), then go on to ``next``."""
    target = local_path(next)
    if new_password != confirm_password:
        return _password_page(request, principal, engine, next_path=target, error="mismatch",
                              status_code=422)
    response = RedirectResponse(target, status_code=303)
    body = me.PasswordChange(current_password=current_password, new_password=new_password)
    try:
        me.change_password(body, principal, request, response, engine, settings)
    except ConfianceError as error:
        if error.code not in ("E601", "E610"):
            raise
        return _password_page(request, principal, engine, next_path=target, error=error.code,
                              status_code=422)
    return response


@router.post("/language")
def change_language(principal: CurrentPrincipal, request: Request, engine: EngineDep,
                    locale: Annotated[str, Form(max_length=8)], next: Next = "/") -> Response:
    """Make ``locale`` the user's interface language (as ``PATCH /api/v1/me`` does) and come
    back to the page the switch was on."""
    with engine.begin() as conn:
        me.update_me(me.MeUpdate(locale=locale), principal, conn, request)
    return RedirectResponse(local_path(next), status_code=303)
