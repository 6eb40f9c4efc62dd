"""The Alembic migrations create exactly the tables the code declares, and go both ways."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from confiance.store import migrate
from confiance.store.tables import in_metadata, metadata


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_match_the_declared_schema(engine: Engine) -> None:
    # SQLite cannot reflect expression indexes (ix_posts_engagement, ix_posts_search):
    # Alembic skips them with a warning there and compares them on PostgreSQL. The FTS5
    # objects are raw DDL that tables.in_metadata leaves out; the next tests check them.
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True,
                                                         "include_name": in_metadata})
        assert compare_metadata(context, metadata) == []
    assert migrate.current(engine) == migrate.head()


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    migrate.downgrade(engine, "0001")
    assert "enrichments" not in inspect(engine).get_table_names()
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert "enrichments" in inspect(engine).get_table_names()


def _search_objects(engine: Engine) -> set[str]:
    """The full-text objects migration 0005 creates with raw DDL on this backend."""
    inspector = inspect(engine)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE name LIKE 'posts_fts%' "
                "AND type IN ('table', 'trigger')").scalars()
            return set(rows)
    return {ix["name"] for ix in inspector.get_indexes("posts")
            if ix["name"] == "ix_posts_search"}


def test_search_objects_come_and_go_with_revision_0005(engine: Engine) -> None:
    expected = ({"posts_fts", "posts_fts_pending", "posts_fts_insert", "posts_fts_delete",
                 "posts_fts_update", "posts_fts_sync"}
                if engine.dialect.name == "sqlite" else {"ix_posts_search"})
    assert expected <= _search_objects(engine)
    migrate.downgrade(engine, "0004")
    assert _search_objects(engine) == set()
    assert "topic_corrections" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert expected <= _search_objects(engine)
