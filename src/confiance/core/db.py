"""Database engine creation: explicit, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url``; SQLite gets WAL and a busy timeout."""
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        raise ConfianceError("E104", url=_safe(settings.database_url)) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(url.database, settings)
    if backend == "postgresql":
        try:
            return create_engine(url, pool_pre_ping=True, **_pool(settings))
        except (ModuleNotFoundError, NoSuchModuleError):
            raise ConfianceError("E105") from None
    raise ConfianceError("E104", url=_safe(settings.database_url))


def _pool(settings: Settings) -> dict[str, int | bool]:
    """The pool of a file database: ``database_pool_size`` connections kept, so that every
    request a server worker runs at once finds one open. A connection opened beyond it (the
    overflow) is closed when returned: on PostgreSQL that is a new server process and cold
    caches for each: with SQLAlchemy's default of 5, the dashboard served 1.8 times fewer
    requests under 20 clients (``benchmarks/dashboard.py``). Last in, first out: the
    busiest connections stay warm."""
    return {"pool_size": settings.database_pool_size,
            "max_overflow": settings.database_pool_overflow, "pool_use_lifo": True}


def autocommit(engine: Engine) -> Engine:
    """``engine`` (the same pool) running each statement on its own: no ``BEGIN`` and no
    ``COMMIT`` or ``ROLLBACK`` around it. On PostgreSQL that saves two round trips for a
    request that only reads (under READ COMMITTED every statement already sees its own
    snapshot, in a transaction or not). SQLite's driver opens no transaction for a read
    anyway: its engine is returned as it is. For reads and single-statement writes only:
    anything that must be all-or-nothing takes ``engine.begin()``."""
    if engine.dialect.name == "sqlite":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def sqlite_pragmas(settings: Settings) -> list[str]:
    """The statements every SQLite connection runs first (benchmarks reuse them as they are).

    WAL lets readers work during an import; a 64 MB WAL between checkpoints (16,384 pages)
    and the page cache of ``sqlite_cache_mb`` keep index updates of large imports fast.
    """
    return [
        "PRAGMA journal_mode=WAL",
        f"PRAGMA synchronous={settings.sqlite_synchronous}",
        f"PRAGMA cache_size=-{settings.sqlite_cache_mb * 1024:d}",
        "PRAGMA wal_autocheckpoint=16384",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
    ]


def _sqlite_engine(database: str | None, settings: Settings) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{database}", **_pool(settings))
    else:  # one connection per thread, kept: nothing to size
        engine = create_engine("sqlite:///:memory:")
    pragmas = sqlite_pragmas(settings)

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "savepoint")
    def _begin_first(conn: Any, _name: str) -> None:
        # Python's sqlite3 opens a transaction before INSERT, UPDATE or DELETE only: a
        # SAVEPOINT sent first would open one SQLite commits at the RELEASE, before the
        # enclosing ``engine.begin()`` block ends, and a rollback of that block would then
        # leave the write in place. Open the real transaction first.
        dbapi_connection = conn.connection.dbapi_connection
        if not dbapi_connection.in_transaction:
            dbapi_connection.execute("BEGIN")

    return engine


def _safe(url: str) -> str:
    """The URL with any password hidden, for error messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def describe(engine: Engine) -> str:
    """A loggable description of the engine's URL, password hidden."""
    return engine.url.render_as_string(hide_password=True)
