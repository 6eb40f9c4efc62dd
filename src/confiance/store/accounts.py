"""Users and their memberships (a role per workspace)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from confiance.auth.passwords import hash_password
from confiance.auth.roles import Role
from confiance.core.errors import ConfianceError
from confiance.store.runs import utcnow
from confiance.store.tables import memberships, users, workspaces

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")
LOCALES = ("fr", "en")
"""Interface languages; French first."""


@dataclass(frozen=True)
class User:
    """A user as the API shows it (never the password hash)."""

    id: int
    email: str
    display_name: str | None
    locale: str
    is_active: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None


@dataclass(frozen=True)
class Membership:
    """A user's role in one workspace."""

    workspace_id: int
    workspace: str
    role: Role


def normalise_email(email: str) -> str:
    """The e-mail address as stored (trimmed, case-folded); E608 when it is not one."""
    cleaned = email.strip().casefold()
    if not EMAIL.match(cleaned):
        raise ConfianceError("E608", email=email)
    return cleaned


def _user(row: Any) -> User:
    return User(id=int(row.id), email=row.email, display_name=row.display_name,
                locale=row.locale, is_active=bool(row.is_active),
                must_change_password=bool(row.must_change_password),
                created_at=row.created_at, last_login_at=row.last_login_at)


_USER_COLUMNS = (users.c.id, users.c.email, users.c.display_name, users.c.locale,
                 users.c.is_active, users.c.must_change_password, users.c.created_at,
                 users.c.last_login_at)


def create_user(conn: Connection, email: str, password: str, *, display_name: str | None = None,
                locale: str = "fr", must_change_password: bool = False) -> int:
    """Create a user; E607 if the address is taken, E608 if it is not an address, E610 if
    the password is too weak."""
    address = normalise_email(email)
    if locale not in LOCALES:
        raise ConfianceError("E619", locale=locale, allowed=", ".join(LOCALES))
    if find(conn, address) is not None:
        raise ConfianceError("E607", email=address)
    try:
        with conn.begin_nested():
            result = conn.execute(insert(users).values(
                email=address, display_name=display_name, password_hash=hash_password(password),
                locale=locale, is_active=True, must_change_password=must_change_password,
                created_at=utcnow()))
    except IntegrityError:  # created concurrently
        raise ConfianceError("E607", email=address) from None
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def find(conn: Connection, email: str) -> User | None:
    """The user with this e-mail address (any case), or ``None``."""
    row = conn.execute(select(*_USER_COLUMNS)
                       .where(users.c.email == email.strip().casefold())).first()
    return None if row is None else _user(row)


def get(conn: Connection, user_id: int) -> User | None:
    """The user ``user_id``, or ``None``."""
    row = conn.execute(select(*_USER_COLUMNS).where(users.c.id == user_id)).first()
    return None if row is None else _user(row)


def get_with_memberships(conn: Connection, user_id: int
                         ) -> tuple[User, list[Membership]] | None:
    """The user ``user_id`` and their workspaces with the role in each (by workspace name),
    in one query (every authenticated request reads both); ``None`` for no such user."""
    rows = conn.execute(_by_id(), {"user": user_id}).all()
    return with_memberships(rows) if rows else None


def identity_query() -> Select[Any]:
    """The columns :func:`with_memberships` reads: one row per workspace of the user (one
    row with empty workspace columns for a user in none), by workspace name. Callers add
    how the user is found, and may add columns of their own."""
    return (select(*_USER_COLUMNS, memberships.c.workspace_id,
                   workspaces.c.name.label("workspace"), memberships.c.role)
            .outerjoin(memberships, memberships.c.user_id == users.c.id)
            .outerjoin(workspaces, workspaces.c.id == memberships.c.workspace_id)
            .order_by(workspaces.c.name))


@lru_cache(maxsize=1)
def _by_id() -> Select[Any]:
    return identity_query().where(users.c.id == bindparam("user"))


def with_memberships(rows: Sequence[Any]) -> tuple[User, list[Membership]]:
    """The user and their workspaces from the rows (at least one) of an
    :func:`identity_query`."""
    return _user(rows[0]), [
        Membership(workspace_id=int(r.workspace_id), workspace=r.workspace, role=Role(r.role))
        for r in rows if r.workspace_id is not None and r.workspace is not None]


def require(conn: Connection, email: str) -> User:
    """The user with this address; E611 when there is none."""
    user = find(conn, email)
    if user is None:
        raise ConfianceError("E611", email=email)
    return user


def password_hash(conn: Connection, user_id: int) -> str:
    """The stored argon2 hash (for verification only; never shown)."""
    return str(conn.execute(select(users.c.password_hash).where(users.c.id == user_id))
               .scalar_one())


def set_password(conn: Connection, user_id: int, password: str) -> None:
    """Replace the user's password and clear ``must_change_password``."""
    conn.execute(update(users).where(users.c.id == user_id).values(
        password_hash=hash_password(password), must_change_password=False))


def rehash(conn: Connection, user_id: int, password_hash: str) -> None:
    """Store a stronger hash of the same password (after a sign-in)."""
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def update_user(conn: Connection, user_id: int, *, display_name: str | None = None,
                locale: str | None = None, is_active: bool | None = None) -> None:
    """Change a user's name, interface language or whether they may sign in."""
    values: dict[str, Any] = {}
    if display_name is not None:
        values["display_name"] = display_name
    if locale is not None:
        if locale not in LOCALES:
            raise ConfianceError("E619", locale=locale, allowed=", ".join(LOCALES))
        values["locale"] = locale
    if is_active is not None:
        values["is_active"] = is_active
    if values:
        conn.execute(update(users).where(users.c.id == user_id).values(**values))


def touch_login(conn: Connection, user_id: int) -> None:
    """Record a successful sign-in time."""
    conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=utcnow()))


def count(conn: Connection) -> int:
    """How many users exist."""
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def set_role(conn: Connection, user_id: int, workspace_id: int, role: Role) -> None:
    """Make the user a member of the workspace with ``role`` (changing an earlier role);
    E618 when that would leave the workspace without an owner."""
    current = role_in(conn, user_id, workspace_id)
    if current is None:
        conn.execute(insert(memberships).values(user_id=user_id, workspace_id=workspace_id,
                                                role=role.value, created_at=utcnow()))
        return
    if current is Role.OWNER and role is not Role.OWNER:
        _keep_an_owner(conn, workspace_id)
    conn.execute(update(memberships).where(memberships.c.user_id == user_id,
                                           memberships.c.workspace_id == workspace_id)
                 .values(role=role.value))


def remove_member(conn: Connection, user_id: int, workspace_id: int) -> bool:
    """Take the user out of the workspace; E618 for its last owner. False if not a member."""
    current = role_in(conn, user_id, workspace_id)
    if current is None:
        return False
    if current is Role.OWNER:
        _keep_an_owner(conn, workspace_id)
    conn.execute(delete(memberships).where(memberships.c.user_id == user_id,
                                           memberships.c.workspace_id == workspace_id))
    return True


def _keep_an_owner(conn: Connection, workspace_id: int) -> None:
    owners = conn.execute(select(func.count()).select_from(memberships).where(
        memberships.c.workspace_id == workspace_id,
        memberships.c.role == Role.OWNER.value)).scalar_one()
    if owners <= 1:
        raise ConfianceError("E618")


def role_in(conn: Connection, user_id: int, workspace_id: int) -> Role | None:
    """The user's role in the workspace, or ``None`` for a non-member."""
    found = conn.execute(select(memberships.c.role).where(
        memberships.c.user_id == user_id, memberships.c.workspace_id == workspace_id)
    ).scalar_one_or_none()
    return None if found is None else Role(found)


def memberships_of(conn: Connection, user_id: int) -> list[Membership]:
    """The workspaces the user belongs to, with the role in each, by workspace name."""
    found = get_with_memberships(conn, user_id)
    return [] if found is None else found[1]


def members(conn: Connection, workspace_id: int) -> list[tuple[User, Role]]:
    """The workspace's members with their roles, by e-mail address."""
    rows = conn.execute(select(*_USER_COLUMNS, memberships.c.role)
                        .join(memberships, memberships.c.user_id == users.c.id)
                        .where(memberships.c.workspace_id == workspace_id)
                        .order_by(users.c.email))
    return [(_user(row), Role(row.role)) for row in rows]
