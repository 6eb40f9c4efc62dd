"""What every route depends on: the engine, the signed-in principal and its workspaces.

A request is authenticated by a personal API token (``Authorization: Bearer cft_...``) or by
the web app's session cookie; with the cookie, any request that changes something must carry
the session's CSRF token (``X-CSRF-Token`` header or ``csrf_token`` form field). A resource of
a workspace the principal is not a member of answers E605, exactly like one that does not
exist, so ids of other workspaces reveal nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Literal

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Connection, Engine

from confiance.auth.roles import Action, Role, require
from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.store import credentials, workspaces
from confiance.store.accounts import Membership, User

SESSION_COOKIE = "confiance_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PASSWORD_CHANGE_PATHS = ("/api/v1/me", "/api/v1/me/password", "/logout", "/password",
                         "/login")
"""What a user holding a one-time password may still reach."""


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_read_engine(request: Request) -> Engine:
    """The app's engine for reads outside a transaction (:func:`confiance.core.db.autocommit`),
    made once with the app: making it costs about 40 µs."""
    engine: Engine = request.app.state.read_engine
    return engine


def connection(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    with engine.begin() as conn:
        yield conn


@dataclass(frozen=True)
class Principal:
    """Who is asking, through what, and their role in each of their workspaces."""

    user: User
    via: Literal["token", "session"]
    memberships: dict[int, Membership] = field(default_factory=dict)
    csrf_token: str | None = None

    @property
    def workspace_ids(self) -> list[int]:
        """The workspaces this principal may see."""
        return sorted(self.memberships)

    def role(self, workspace_id: int) -> Role | None:
        """The role in ``workspace_id``, ``None`` for a non-member."""
        found = self.memberships.get(workspace_id)
        return None if found is None else found.role

    def require(self, workspace_id: int | None, action: Action, *, what: str, ref: object,
                listing: str) -> Membership:
        """The membership allowing ``action`` in ``workspace_id``: E605 for a workspace the
        principal does not belong to (or no workspace: the thing does not exist), E604 for a
        role that does not allow it."""
        membership = None if workspace_id is None else self.memberships.get(workspace_id)
        if membership is None:
            raise ConfianceError("E605", what=what, ref=str(ref), listing=listing)
        require(membership.role, action, membership.workspace)
        return membership


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


async def _form_csrf(request: Request) -> str | None:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await request.form()
    value = form.get("csrf_token")
    return value if isinstance(value, str) else None


async def current_principal(request: Request) -> Principal:
    """The authenticated principal (E603 when there is none, E606 on a missing CSRF token,
    E614 while a one-time password is unchanged)."""
    token = _bearer(request)
    # The database is read in a worker thread, like sync routes: waiting for a pooled
    # connection on the event loop would stall the requests that hold them (a deadlock once
    # more requests are in flight than the pool has connections).
    user, session, memberships = await run_in_threadpool(
        _identify, get_read_engine(request), get_settings(request), token,
        request.cookies.get(SESSION_COOKIE, ""))
    if session is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER) or await _form_csrf(request)
        if not sent or not _same(sent, session.csrf_token):
            raise ConfianceError("E606")
    if user.must_change_password and not request.url.path.startswith(PASSWORD_CHANGE_PATHS):
        raise ConfianceError("E614", email=user.email)
    return Principal(user=user, via="token" if token is not None else "session",
                     memberships=memberships,
                     csrf_token=None if session is None else session.csrf_token)


def _identify(engine: Engine, settings: Settings, token: str | None, cookie: str
              ) -> tuple[User, credentials.Session | None, dict[int, Membership]]:
    """The active user of a token or session cookie, the session, and their memberships
    (E603 when there is none)."""
    with engine.connect() as conn:  # the read engine: no transaction around it
        session = None
        if token is not None:
            found = credentials.token_identity(conn, token)
        elif live := credentials.session_identity(conn, cookie,
                                                  timedelta(hours=settings.session_hours)):
            session, found = live[0], live[1:]
        else:
            found = None
        if found is None or not found[0].is_active:
            raise ConfianceError("E603")
        user, joined = found
        return user, session, {m.workspace_id: m for m in joined}


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Conn = Annotated[Connection, Depends(connection)]


def brand_workspace(conn: Connection, brand_id: int) -> int | None:
    """The workspace of a brand (``None``: no such brand)."""
    return workspaces.of_brand(conn, brand_id)


def client_ip(request: Request) -> str | None:
    """The client's address as the server sees it (behind a proxy, run uvicorn with
    ``--forwarded-allow-ips`` so that this is the real client)."""
    return request.client.host if request.client else None
