"""``/workspaces``: your workspaces, their members and roles, and their audit log.

Owners add, change and remove members; everyone sees who else is in their workspace.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from confiance.auth import passwords
from confiance.auth.roles import Action, Role
from confiance.core.errors import ConfianceError
from confiance.store import accounts, audit
from confiance.web.deps import Conn, CurrentPrincipal, client_ip
from confiance.web.schemas import Page, PathId, UserOut, WorkspaceOut

router = APIRouter(tags=["users"])


class MemberOut(BaseModel):
    """A member of a workspace and their role."""

    user: UserOut
    role: Role


class MemberIn(BaseModel):
    """Who to add and with which role; a new address gets an account whose one-time
    password is in the answer (shown once; changed at first sign-in)."""

    email: str = Field(max_length=320, examples=["moderateur@example.org"])
    role: Role
    display_name: str | None = Field(default=None, max_length=200)


class MemberAdded(MemberOut):
    """The member added; ``one_time_password`` only when the account was created."""

    one_time_password: str | None = None


class RoleIn(BaseModel):
    """A new role."""

    role: Role


class AuditOut(BaseModel):
    """An audit log entry."""

    id: int
    at: datetime
    actor: str | None
    action: str
    target: str | None
    details: dict[str, Any] | None
    ip: str | None


@router.get("/workspaces", response_model=list[WorkspaceOut])
def list_workspaces(principal: CurrentPrincipal) -> list[WorkspaceOut]:
    """The workspaces you belong to, with your role in each."""
    return [WorkspaceOut.of(m) for m in principal.memberships.values()]


def _require(principal: CurrentPrincipal, workspace_id: PathId, action: Action) -> str:
    return principal.require(workspace_id, action, what="workspace", ref=workspace_id,
                             listing="workspaces").workspace


@router.get("/workspaces/{workspace_id}/members", response_model=list[MemberOut])
def list_members(workspace_id: PathId, principal: CurrentPrincipal, conn: Conn) -> list[MemberOut]:
    """The workspace's members and their roles."""
    _require(principal, workspace_id, Action.READ)
    return [MemberOut(user=UserOut.of(user), role=role)
            for user, role in accounts.members(conn, workspace_id)]


@router.post("/workspaces/{workspace_id}/members", response_model=MemberAdded, status_code=201)
def add_member(workspace_id: PathId, body: MemberIn, principal: CurrentPrincipal, conn: Conn,
               request: Request) -> MemberAdded:
    """Give someone a role in the workspace (owners only); creates the account if needed."""
    _require(principal, workspace_id, Action.MANAGE_MEMBERS)
    user = accounts.find(conn, accounts.normalise_email(body.email))
    one_time = None
    if user is None:
        one_time = passwords.one_time_password()
        accounts.create_user(conn, body.email, one_time, display_name=body.display_name,
                             must_change_password=True)
        user = accounts.find(conn, body.email)
        assert user is not None
    accounts.set_role(conn, user.id, workspace_id, body.role)
    audit.record(conn, "member.add", user_id=principal.user.id, actor=principal.user.email,
                 workspace_id=workspace_id, target=user.email,
                 details={"role": body.role.value, "created": one_time is not None},
                 ip=client_ip(request))
    return MemberAdded(user=UserOut.of(user), role=body.role, one_time_password=one_time)


def _member(conn: Conn, workspace_id: PathId, user_id: PathId) -> accounts.User:
    user = accounts.get(conn, user_id)
    if user is None or accounts.role_in(conn, user_id, workspace_id) is None:
        raise ConfianceError("E605", what="member", ref=str(user_id),
                             listing=f"workspaces/{workspace_id}/members")
    return user


@router.patch("/workspaces/{workspace_id}/members/{user_id}", response_model=MemberOut)
def change_role(workspace_id: PathId, user_id: PathId, body: RoleIn, principal: CurrentPrincipal,
                conn: Conn, request: Request) -> MemberOut:
    """Change a member's role (owners only; a workspace keeps at least one owner)."""
    _require(principal, workspace_id, Action.MANAGE_MEMBERS)
    user = _member(conn, workspace_id, user_id)
    accounts.set_role(conn, user_id, workspace_id, body.role)
    audit.record(conn, "member.role", user_id=principal.user.id, actor=principal.user.email,
                 workspace_id=workspace_id, target=user.email,
                 details={"role": body.role.value}, ip=client_ip(request))
    return MemberOut(user=UserOut.of(user), role=body.role)


@router.delete("/workspaces/{workspace_id}/members/{user_id}", status_code=204)
def remove_member(workspace_id: PathId, user_id: PathId, principal: CurrentPrincipal, conn: Conn,
                  request: Request) -> None:
    """Take a member out of the workspace (owners only; not its last owner)."""
    _require(principal, workspace_id, Action.MANAGE_MEMBERS)
    user = _member(conn, workspace_id, user_id)
    accounts.remove_member(conn, user_id, workspace_id)
    audit.record(conn, "member.remove", user_id=principal.user.id, actor=principal.user.email,
                 workspace_id=workspace_id, target=user.email, ip=client_ip(request))


@router.get("/workspaces/{workspace_id}/audit", response_model=Page[AuditOut])
def audit_log(workspace_id: PathId, principal: CurrentPrincipal, conn: Conn,
              cursor: str | None = Query(default=None, max_length=40,
                                         description="`next` of the previous page"),
              limit: int = Query(default=100, ge=1, le=500)) -> Page[AuditOut]:
    """Who did what in the workspace, and its members' sign-ins, newest first (owners)."""
    _require(principal, workspace_id, Action.MANAGE_MEMBERS)
    before = None
    if cursor is not None:
        if not cursor.isdigit() or len(cursor) > 18:
            raise ConfianceError("E612", cursor=cursor)
        before = int(cursor)
    member_ids = tuple(user.id for user, _ in accounts.members(conn, workspace_id))
    found = audit.entries(conn, workspace_id, before=before, limit=limit, user_ids=member_ids)
    items = [AuditOut(id=e.id, at=e.at, actor=e.actor, action=e.action, target=e.target,
                      details=e.details, ip=e.ip) for e in found]
    return Page[AuditOut](items=items,
                          next=str(found[-1].id) if len(found) == limit else None)
