"""``create_app(settings)``: the FastAPI application, built explicitly (nothing at import).

The REST API lives under ``/api/v1/``, its OpenAPI document at ``/openapi.json`` and the
interactive reference at ``/docs``.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from confiance import __version__
from confiance.core.db import autocommit, make_engine
from confiance.core.settings import Settings
from confiance.store import migrate
from confiance.web import errors, pages
from confiance.web.api import api_router

DESCRIPTION = """Confiance's REST API: brands, their mentions and authors, brand queries,
sentiment corrections, crisis alerts and alert rules, users and personal API tokens.

Authenticate with a personal API token: `Authorization: Bearer cft_...` (create one with
`confiance token create --user EMAIL`, or from the web app). Every error answers
`{"error": {"code": "E6..", "message": "..."}}`; the codes are listed in docs/errors.md.
Lists are paged with an opaque `cursor`: follow `next` until it is null.
"""


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The web app for ``settings`` (E103 for a production default secret, E102 for a
    database that is not at the current schema revision)."""
    settings = settings or Settings()
    engine = engine or make_engine(settings)
    migrate.require_current(engine)
    app = FastAPI(title="Confiance", version=__version__, description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url="/docs", redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine
    app.state.read_engine = autocommit(engine)  # authentication and dashboard reads
    errors.install(app)
    app.include_router(api_router, prefix="/api/v1")
    pages.install(app)  # the web app: pages, /static, languages, security headers
    return app
