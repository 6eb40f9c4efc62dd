"""API tokens as every API request reads them: the user and their workspaces in one query,
and the engine's pool and autocommit reads the web app relies on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, select, text, update

from confiance.auth.roles import Role
from confiance.core.db import autocommit, make_engine
from confiance.core.settings import Settings
from confiance.store import accounts, credentials, workspaces
from confiance.store.runs import utcnow
from confiance.store.tables import api_tokens, web_sessions

PASSWORD = "une phrase de passe assez longue"


def _member(engine: Engine) -> tuple[int, str]:
    with engine.begin() as conn:
        team = workspaces.ensure(conn, "équipe")
        ana = accounts.create_user(conn, "ana@example.com", PASSWORD, display_name="Ana")
        accounts.set_role(conn, ana, team, Role.ANALYST)
        _, secret = credentials.create_token(conn, ana, "cli")
    return ana, secret


def test_a_token_gives_its_user_and_workspaces_in_one_statement(engine: Engine) -> None:
    ana, secret = _member(engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    with autocommit(engine).connect() as conn:
        found = credentials.token_identity(conn, secret)
        assert found is not None
        user, joined = found
        assert user.id == ana and user.display_name == "Ana"
        assert [(m.workspace, m.role) for m in joined] == [("équipe", Role.ANALYST)]
        # the first use stamps last_used_at: one read and one write
        assert len(statements) == 2 and statements[1].lstrip().upper().startswith("UPDATE")
        statements.clear()
        assert credentials.token_identity(conn, secret) is not None
        assert len(statements) == 1  # stamped less than a minute ago: the read alone
        used = conn.execute(select(api_tokens.c.last_used_at)).scalar_one()
        assert used is not None


def test_a_user_in_no_workspace_still_has_an_identity(engine: Engine) -> None:
    with engine.begin() as conn:
        solo = accounts.create_user(conn, "solo@example.com", PASSWORD)
        _, secret = credentials.create_token(conn, solo, "cli")
    with engine.connect() as conn:
        found = credentials.token_identity(conn, secret)
    assert found is not None and found[0].id == solo and found[1] == []


def test_revoked_expired_unknown_tokens_and_inactive_users_have_none(engine: Engine) -> None:
    ana, secret = _member(engine)
    with engine.begin() as conn:
        _, expired = credentials.create_token(conn, ana, "old",
                                              expires_at=utcnow() - timedelta(seconds=1))
        revoked_id, revoked = credentials.create_token(conn, ana, "gone")
        assert credentials.revoke_token(conn, ana, revoked_id)
    with engine.begin() as conn:
        assert credentials.token_identity(conn, expired) is None
        assert credentials.token_identity(conn, revoked) is None
        assert credentials.token_identity(conn, secret + "x") is None
        assert credentials.token_identity(conn, "not-a-token") is None
        assert credentials.token_identity(conn, secret) is not None
        accounts.update_user(conn, ana, is_active=False)
        assert credentials.token_identity(conn, secret) is None


def test_a_token_stamped_a_minute_ago_is_stamped_again(engine: Engine) -> None:
    _, secret = _member(engine)
    long_ago = utcnow() - credentials.TOUCH_EVERY - timedelta(seconds=5)
    with engine.begin() as conn:
        conn.execute(update(api_tokens).values(last_used_at=long_ago))
    with engine.begin() as conn:
        assert credentials.token_identity(conn, secret) is not None
        used = conn.execute(select(api_tokens.c.last_used_at)).scalar_one()
    assert used.replace(tzinfo=None) > long_ago.replace(tzinfo=None)


def test_the_pool_is_sized_by_the_settings(tmp_path: Path) -> None:
    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'pool.db'}",
                                  database_pool_size=7, database_pool_overflow=3))
    try:
        pool = engine.pool
        assert pool.size() == 7  # type: ignore[attr-defined]
        assert pool._max_overflow == 3  # type: ignore[attr-defined]
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_the_postgresql_pool_is_sized_by_the_settings(postgres_url: str) -> None:
    engine = make_engine(Settings(database_url=postgres_url, database_pool_size=9,
                                  database_pool_overflow=0))
    try:
        assert engine.pool.size() == 9  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_autocommit_reads_leave_the_pooled_connection_transactional(engine: Engine) -> None:
    """A connection used for autocommit reads goes back to the pool as it was: the next
    ``engine.begin()`` on it still rolls back as a whole."""
    _member(engine)
    with autocommit(engine).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
    with pytest.raises(RuntimeError), engine.begin() as conn:
        accounts.create_user(conn, "bea@example.com", PASSWORD)
        raise RuntimeError("crash mid-transaction")
    with engine.connect() as conn:
        assert accounts.find(conn, "bea@example.com") is None
        assert accounts.find(conn, "ana@example.com") is not None


def test_a_session_gives_its_user_and_workspaces_in_one_statement(engine: Engine) -> None:
    ana, _ = _member(engine)
    lifetime = timedelta(hours=12)
    with engine.begin() as conn:
        cookie, opened = credentials.open_session(conn, ana, lifetime)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: statements.append(statement))
    with autocommit(engine).connect() as conn:
        found = credentials.session_identity(conn, cookie, lifetime)
        assert found is not None
        session, user, joined = found
        assert session.csrf_token == opened.csrf_token and user.id == ana
        assert [(m.workspace, m.role) for m in joined] == [("équipe", Role.ANALYST)]
        assert len(statements) == 1  # seen less than a minute ago: nothing to move
        assert credentials.session_identity(conn, cookie + "x", lifetime) is None
        assert credentials.session_identity(conn, "", lifetime) is None


def test_a_session_seen_a_while_ago_slides_and_an_expired_one_is_gone(engine: Engine) -> None:
    ana, _ = _member(engine)
    lifetime = timedelta(hours=12)
    with engine.begin() as conn:
        cookie, _ = credentials.open_session(conn, ana, lifetime)
        earlier = utcnow() - timedelta(hours=1)
        conn.execute(update(web_sessions).values(last_seen_at=earlier,
                                                 expires_at=earlier + lifetime))
    with engine.begin() as conn:
        found = credentials.session_identity(conn, cookie, lifetime)
        assert found is not None
        assert found[0].expires_at > utcnow() + lifetime - timedelta(minutes=1)
        conn.execute(update(web_sessions).values(expires_at=utcnow() - timedelta(seconds=1)))
        assert credentials.session_identity(conn, cookie, lifetime) is None
        conn.execute(update(web_sessions).values(expires_at=utcnow() + lifetime))
        assert credentials.session_identity(conn, cookie, lifetime) is not None
        accounts.update_user(conn, ana, is_active=False)
        assert credentials.session_identity(conn, cookie, lifetime) is None
