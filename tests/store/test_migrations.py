"""The Alembic migrations create exactly the tables the code declares, and go both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from confiance.store import migrate
from confiance.store.tables import metadata


def test_migrations_match_the_declared_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []
    assert migrate.current(engine) == migrate.head()


def test_downgrade_to_nothing_and_back(engine: Engine) -> None:
    migrate.downgrade(engine, "0001")
    assert "enrichments" not in inspect(engine).get_table_names()
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert "enrichments" in inspect(engine).get_table_names()
