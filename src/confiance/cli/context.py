"""What every command shares: settings, the engine and the plugin manager, made on demand."""

from __future__ import annotations

from functools import cached_property

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from confiance.core.db import describe, make_engine
from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.core.settings import Settings
from confiance.sources.registry import FormatRegistry
from confiance.store import migrate


class AppContext:
    """Lazily built settings, engine and format registry for one CLI invocation."""

    def __init__(self, database_url: str | None = None) -> None:
        self._database_url = database_url

    @cached_property
    def settings(self) -> Settings:
        if self._database_url:
            return Settings(database_url=self._database_url)
        return Settings()

    @cached_property
    def engine(self) -> Engine:
        engine = make_engine(self.settings)
        try:
            with engine.connect():
                pass
        except DBAPIError as exc:
            detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise ConfianceError("E101", url=describe(engine), detail=detail) from None
        return engine

    def ready_engine(self) -> Engine:
        """The engine of a database at the newest schema revision (E102 otherwise)."""
        migrate.require_current(self.engine)
        return self.engine

    @cached_property
    def formats(self) -> FormatRegistry:
        return FormatRegistry.from_plugins(plugin_manager())


def app_context(ctx: typer.Context) -> AppContext:
    """The context object the root callback set."""
    obj = ctx.find_root().obj
    if not isinstance(obj, AppContext):
        obj = AppContext()
        ctx.find_root().obj = obj
    return obj
