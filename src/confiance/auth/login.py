"""Signing in: the password check, the rate limit, and the first owner.

A sign-in is refused (E602) when the address or the client has failed too often in the
window; failures are audit log entries, so the limit holds across processes and restarts.
Unknown addresses cost the same argon2 work as known ones and get the same error (E601).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Connection, Engine

from confiance.auth import passwords
from confiance.auth.roles import Role
from confiance.core.errors import ConfianceError
from confiance.store import accounts, audit, workspaces
from confiance.store.accounts import User
from confiance.store.runs import utcnow


@dataclass(frozen=True)
class LoginLimits:
    """How many failed sign-ins the window allows, per address and per client."""

    per_email: int = 5
    per_ip: int = 20
    window: timedelta = timedelta(minutes=15)


def authenticate(engine: Engine, email: str, password: str, *, ip: str | None = None,
                 limits: LoginLimits | None = None) -> User:
    """The user whose address and password these are; records the attempt in the audit log
    (committed even when the sign-in fails, since failures drive the rate limit).

    E602 when rate-limited (checked before the password, so guessing gains nothing), E601
    for a wrong address or password or a deactivated account (one message for all three).
    """
    limits = limits or LoginLimits()
    address = email.strip().casefold()[:320]
    with engine.begin() as conn:
        by_email, by_ip = audit.failures_since(conn, utcnow() - limits.window, email=address,
                                               ip=ip)
        if by_email >= limits.per_email or by_ip >= limits.per_ip:
            raise ConfianceError("E602", minutes=int(limits.window.total_seconds() // 60))
        user = accounts.find(conn, address)
        stored = accounts.password_hash(conn, user.id) if user else passwords.dummy_hash()
        valid = passwords.verify(stored, password)
        if user is None or not valid or not user.is_active:
            audit.record(conn, audit.LOGIN_FAILED, target=address, ip=ip,
                         user_id=user.id if user else None, actor=address)
            user = None
        else:
            if passwords.needs_rehash(stored):
                accounts.rehash(conn, user.id, passwords.hash_password(password))
            accounts.touch_login(conn, user.id)
            audit.record(conn, audit.LOGIN, user_id=user.id, actor=user.email,
                         target=user.email, ip=ip)
    if user is None:
        raise ConfianceError("E601")
    return user


FIRST_OWNER = "admin@confiance.local"
"""The address of the owner the first start creates (change it in the web app or CLI)."""


def ensure_first_owner(conn: Connection, email: str = FIRST_OWNER) -> str | None:
    """When no user exists, create an owner of the first workspace with a one-time password
    (to be changed at first sign-in) and return that password; ``None`` otherwise."""
    if accounts.count(conn):
        return None
    password = passwords.one_time_password()
    user_id = accounts.create_user(conn, email, password, must_change_password=True)
    accounts.set_role(conn, user_id, workspaces.default_id(conn), Role.OWNER)
    audit.record(conn, "user.create", user_id=user_id, actor="confiance", target=email,
                 details={"role": Role.OWNER.value, "first_start": True})
    return password


DEMO_LOGIN = "demo@confiance.local"
"""The demo data set's sign-in (``confiance demo`` prints a fresh password each time)."""


def demo_login(conn: Connection) -> tuple[str, str]:
    """Create (or reset the password of) the demo owner of the first workspace; returns
    (e-mail address, the new password)."""
    password = passwords.one_time_password()
    user = accounts.find(conn, DEMO_LOGIN)
    if user is None:
        user_id = accounts.create_user(conn, DEMO_LOGIN, password, display_name="Démo")
    else:
        user_id = user.id
        accounts.set_password(conn, user_id, password)
        accounts.update_user(conn, user_id, is_active=True)
    accounts.set_role(conn, user_id, workspaces.default_id(conn), Role.OWNER)
    audit.record(conn, "user.password", user_id=user_id, actor="confiance demo",
                 target=DEMO_LOGIN)
    return DEMO_LOGIN, password
