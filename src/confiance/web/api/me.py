"""``/me``: the signed-in user, their workspaces, their language and password."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from confiance.auth import passwords
from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.store import accounts, audit, credentials
from confiance.web.deps import (
    SESSION_COOKIE,
    Conn,
    CurrentPrincipal,
    client_ip,
    get_engine,
    get_settings,
)
from confiance.web.schemas import UserOut, WorkspaceOut

router = APIRouter(tags=["me"])


class MeOut(BaseModel):
    """The signed-in user and the workspaces they belong to."""

    user: UserOut
    workspaces: list[WorkspaceOut]
    via: str


class MeUpdate(BaseModel):
    """What a user may change about themselves."""

    display_name: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, max_length=8, examples=["fr", "en"])


class PasswordChange(BaseModel):
    """The current password and the new one."""

    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal) -> MeOut:
    """Who the token or session belongs to, and their role in each workspace."""
    return MeOut(user=UserOut.of(principal.user), via=principal.via,
                 workspaces=[WorkspaceOut.of(m) for m in principal.memberships.values()])


@router.patch("/me", response_model=UserOut)
def update_me(body: MeUpdate, principal: CurrentPrincipal, conn: Conn,
              request: Request) -> UserOut:
    """Change your display name or interface language (``fr`` or ``en``)."""
    accounts.update_user(conn, principal.user.id, display_name=body.display_name,
                         locale=body.locale)
    audit.record(conn, "user.update", user_id=principal.user.id, actor=principal.user.email,
                 target=principal.user.email,
                 details=body.model_dump(exclude_none=True), ip=client_ip(request))
    user = accounts.get(conn, principal.user.id)
    assert user is not None
    return UserOut.of(user)


@router.post("/me/password", status_code=204)
def change_password(body: PasswordChange, principal: CurrentPrincipal, request: Request,
                    response: Response, engine: Annotated[Engine, Depends(get_engine)],
                    settings: Annotated[Settings, Depends(get_settings)]) -> None:
    """Change your password: every other session is signed out; this browser stays in."""
    with engine.begin() as conn:
        valid = passwords.verify(accounts.password_hash(conn, principal.user.id),
                                 body.current_password)
        if not valid:
            audit.record(conn, audit.LOGIN_FAILED, user_id=principal.user.id,
                         actor=principal.user.email, target=principal.user.email,
                         ip=client_ip(request), details={"during": "password change"})
    if not valid:
        raise ConfianceError("E601")
    with engine.begin() as conn:
        accounts.set_password(conn, principal.user.id, body.new_password)
        credentials.close_sessions_of(conn, principal.user.id)
        audit.record(conn, "user.password", user_id=principal.user.id,
                     actor=principal.user.email, target=principal.user.email,
                     ip=client_ip(request))
        if principal.via == "session":
            lifetime = timedelta(hours=settings.session_hours)
            cookie, _ = credentials.open_session(conn, principal.user.id, lifetime)
            response.set_cookie(SESSION_COOKIE, cookie, max_age=int(lifetime.total_seconds()),
                                httponly=True, samesite="lax", secure=settings.secure_cookies,
                                path="/")
