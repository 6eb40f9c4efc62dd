"""Personal API tokens and web sessions: random secrets of which only a SHA-256 is stored.

A token or session id carries 256 bits of randomness, so a fast hash is enough: whoever reads
the database cannot use what it holds, and lookups stay a single indexed equality.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, insert, select, update

from confiance.domain.records import aware_utc
from confiance.store import accounts
from confiance.store.accounts import Membership, User
from confiance.store.runs import utcnow
from confiance.store.tables import api_tokens, users, web_sessions

TOKEN_PREFIX = "cft_"  # noqa: S105 - a public prefix, not a secret
"""Every API token starts with this, so secret scanners and people recognise it."""
TOUCH_EVERY = timedelta(minutes=1)
"""``last_used_at`` / ``last_seen_at`` are written at most this often (not on every request)."""


def digest(secret: str) -> str:
    """The SHA-256 (hex) under which a token or session id is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Token:
    """An API token as its owner sees it listed (never the secret)."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


def create_token(conn: Connection, user_id: int, name: str, *,
                 expires_at: datetime | None = None) -> tuple[int, str]:
    """A new token for ``user_id``: (its id, the secret, to be shown once and never again)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    result = conn.execute(insert(api_tokens).values(
        user_id=user_id, name=name[:200], prefix=secret[:12], token_hash=digest(secret),
        created_at=utcnow(), expires_at=expires_at))
    return int(result.inserted_primary_key[0]), secret  # type: ignore[index]


def token_identity(conn: Connection, secret: str
                   ) -> tuple[User, list[Membership]] | None:
    """The user of a valid, unrevoked, unexpired token, if active, and their workspaces with
    the role in each, in one query (every API request asks); ``None`` otherwise."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    hashed = digest(secret)
    rows = conn.execute(_token_identity(), {"hash": hashed}).all()
    if not rows or not hmac.compare_digest(rows[0].token_hash, hashed):
        return None
    row, now = rows[0], utcnow()
    if row.revoked_at is not None or not row.is_active:
        return None
    if row.expires_at is not None and aware_utc(row.expires_at) <= now:
        return None
    if row.last_used_at is None or now - aware_utc(row.last_used_at) >= TOUCH_EVERY:
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.token_id)
                     .values(last_used_at=now))
    return accounts.with_memberships(rows)


@lru_cache(maxsize=1)
def _token_identity() -> Select[Any]:
    return (accounts.identity_query()
            .add_columns(api_tokens.c.id.label("token_id"), api_tokens.c.token_hash,
                         api_tokens.c.expires_at, api_tokens.c.revoked_at,
                         api_tokens.c.last_used_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_hash == bindparam("hash")))


def list_tokens(conn: Connection, user_id: int) -> list[Token]:
    """The user's tokens, newest first, revoked ones included."""
    rows = conn.execute(select(api_tokens).where(api_tokens.c.user_id == user_id)
                        .order_by(api_tokens.c.id.desc()))
    return [Token(id=int(r.id), name=r.name, prefix=r.prefix, created_at=r.created_at,
                  expires_at=r.expires_at, last_used_at=r.last_used_at,
                  revoked_at=r.revoked_at) for r in rows]


def revoke_token(conn: Connection, user_id: int, token_id: int) -> bool:
    """Revoke the user's token ``token_id``; False when the user has no such live token."""
    result = conn.execute(update(api_tokens).where(
        api_tokens.c.id == token_id, api_tokens.c.user_id == user_id,
        api_tokens.c.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return bool(result.rowcount)


@dataclass(frozen=True)
class Session:
    """A signed-in browser."""

    user_id: int
    csrf_token: str
    expires_at: datetime


def open_session(conn: Connection, user_id: int, lifetime: timedelta) -> tuple[str, Session]:
    """A new session: (the cookie value, the session with its CSRF token)."""
    cookie = secrets.token_urlsafe(32)
    now = utcnow()
    session = Session(user_id=user_id, csrf_token=secrets.token_urlsafe(32),
                      expires_at=now + lifetime)
    conn.execute(insert(web_sessions).values(
        id_hash=digest(cookie), user_id=user_id, csrf_token=session.csrf_token,
        created_at=now, expires_at=session.expires_at, last_seen_at=now))
    return cookie, session


def session_identity(conn: Connection, cookie: str, lifetime: timedelta
                     ) -> tuple[Session, User, list[Membership]] | None:
    """The live session of this cookie (its expiry slides forward on use), with its user and
    their workspaces, in one query (every page and every request of the web app asks);
    ``None`` when there is none or its user is inactive."""
    if not cookie or len(cookie) > 200:
        return None
    rows = conn.execute(_session_identity(), {"hash": digest(cookie)}).all()
    now = utcnow()
    if not rows or not rows[0].is_active or aware_utc(rows[0].expires_at) <= now:
        return None
    row, expires_at = rows[0], aware_utc(rows[0].expires_at)
    if now - aware_utc(row.last_seen_at) >= TOUCH_EVERY:
        expires_at = now + lifetime
        conn.execute(update(web_sessions).where(web_sessions.c.id_hash == row.id_hash)
                     .values(last_seen_at=now, expires_at=expires_at))
    user, joined = accounts.with_memberships(rows)
    return Session(user_id=user.id, csrf_token=row.csrf_token, expires_at=expires_at), user, joined


@lru_cache(maxsize=1)
def _session_identity() -> Select[Any]:
    return (accounts.identity_query()
            .add_columns(web_sessions.c.id_hash, web_sessions.c.user_id,
                         web_sessions.c.csrf_token, web_sessions.c.expires_at,
                         web_sessions.c.last_seen_at)
            .join(web_sessions, web_sessions.c.user_id == users.c.id)
            .where(web_sessions.c.id_hash == bindparam("hash")))


def close_session(conn: Connection, cookie: str) -> None:
    """Sign the browser out."""
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == digest(cookie)))


def close_sessions_of(conn: Connection, user_id: int) -> None:
    """Sign the user out everywhere (after a password change or deactivation)."""
    conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))


def purge_expired(conn: Connection) -> int:
    """Delete expired sessions; returns how many."""
    result = conn.execute(delete(web_sessions).where(web_sessions.c.expires_at <= utcnow()))
    return int(result.rowcount)
