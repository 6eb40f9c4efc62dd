"""Transactions on both backends: a rolled-back block leaves nothing behind."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from confiance.store import workspaces


def test_a_savepoint_first_in_a_transaction_is_rolled_back_with_it(engine: Engine) -> None:
    """On SQLite a SAVEPOINT sent before any write used to open its own transaction,
    committed at RELEASE: the rolled-back block below kept its workspace."""
    with pytest.raises(RuntimeError), engine.begin() as conn:
        with conn.begin_nested():
            workspaces.ensure(conn, "brouillon")
        raise RuntimeError("crash after the savepoint")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM workspaces")).scalar_one() == 0
        with conn.begin_nested():
            workspaces.ensure(conn, "gardé")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT name FROM workspaces")).scalars().all() == ["gardé"]
