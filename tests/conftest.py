"""Shared fixtures; each is named after the variant it sets up.

Store tests take ``engine``, which runs them on SQLite and on PostgreSQL. PostgreSQL comes from
``CONFIANCE_TEST_POSTGRES_URL`` (default: the local server on 127.0.0.1:5432, database test);
each test session works in a schema of its own, dropped at the end. Without a server the
PostgreSQL variants skip with the reason, unless ``CONFIANCE_REQUIRE_POSTGRES=1`` (CI).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy import Engine, event

from confiance.auth import passwords
from confiance.core.db import make_engine
from confiance.core.settings import Settings
from confiance.store import migrate

FIXTURES = Path(__file__).parent / "sources" / "fixtures"
FAST_ARGON2 = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
"""In-process tests hash with cheap argon2id parameters (a user costs ~1 ms instead of
~100 ms); ``tests/web/test_auth_api.py`` checks that the application's own are the library's
recommended ones. Commands run as subprocesses keep the real parameters."""
APP_HASHER = passwords._hasher
"""The application's own hasher factory, before the tests swap it."""
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    passwords._hasher = lambda: FAST_ARGON2  # type: ignore[assignment]
    try:
        yield
    finally:
        passwords._hasher = APP_HASHER


@pytest.fixture
def fixtures_dir() -> Path:
    """The folder of recorded payloads, one sub-folder per format name."""
    return FIXTURES


def _postgres_url() -> str:
    return os.environ.get("CONFIANCE_TEST_POSTGRES_URL", DEFAULT_PG)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of a reachable PostgreSQL server, or skip (fail in CI) with the reason."""
    url = _postgres_url()
    try:
        probe = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with probe.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        probe.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means no usable server
        reason = (f"no PostgreSQL server at {sa.make_url(url).render_as_string()} "
                  f"({type(exc).__name__}); set CONFIANCE_TEST_POSTGRES_URL to run these tests")
        if os.environ.get("CONFIANCE_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file in the test's own folder."""
    return f"sqlite:///{tmp_path / 'confiance.db'}"


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(postgres_server).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """An empty database URL, once for SQLite and once for PostgreSQL."""
    name = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(name))


_SQLITE_TEMPLATE: list[Path] = []
"""A SQLite file brought to the newest revision by Alembic, once per test process."""
_POSTGRES_SCRIPT: list[tuple[str, Any]] = []
"""The statements Alembic sent to bring an empty PostgreSQL schema to the newest revision,
recorded once per test process."""


def migrate_schema(engine: Engine) -> None:
    """Bring an empty test database to the newest revision, as ``migrate.upgrade`` does.

    The first database of each kind in a test process is migrated by Alembic itself; the
    next ones get the same schema by the cheapest faithful route: a copy of that SQLite file,
    or the statements Alembic sent to PostgreSQL, replayed in one transaction (about a tenth
    of the time: Alembic builds its operations and tables anew on every run). The migrations
    themselves are tested by tests/store/test_migrations.py, which always runs Alembic."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        target = Path(url.database)
        if not _SQLITE_TEMPLATE:
            template = Path(tempfile.mkdtemp(prefix="confiance-schema-")) / "migrated.db"
            scratch = make_engine(Settings(database_url=f"sqlite:///{template}"))
            migrate.upgrade(scratch)
            scratch.dispose()
            _SQLITE_TEMPLATE.append(template)
        if not target.exists():
            engine.dispose()
            shutil.copyfile(_SQLITE_TEMPLATE[0], target)
            return
    elif url.get_backend_name() == "postgresql":
        if _POSTGRES_SCRIPT:
            with engine.begin() as conn:
                for statement, parameters in _POSTGRES_SCRIPT:
                    conn.exec_driver_sql(statement, parameters or None)
            return
        sent: list[tuple[str, Any]] = []

        def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                   executemany: bool) -> None:
            sent.append((statement, parameters))

        event.listen(engine, "before_cursor_execute", record)
        try:
            migrate.upgrade(engine)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        _POSTGRES_SCRIPT.extend(sent)
        return
    migrate.upgrade(engine)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated, empty database engine on each backend."""
    engine = make_engine(Settings(database_url=database_url))
    migrate_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated, empty SQLite engine only (for tests specific to the embedded default)."""
    engine = make_engine(Settings(database_url=sqlite_url))
    migrate_schema(engine)
    yield engine
    engine.dispose()
