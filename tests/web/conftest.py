"""Web fixtures: an app on each backend, and people with roles in two workspaces.

``site`` builds the app on a migrated database (SQLite and PostgreSQL) with two workspaces,
``acme`` and ``globex``, each with one brand and one user per role; every user has an API
token. Tests call ``site.as_(role)`` for headers, ``site.as_("owner", "globex")`` for the
other workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from confiance.auth.roles import Role
from confiance.core.settings import Settings
from confiance.domain import Brand
from confiance.store import accounts, brands, credentials, workspaces
from confiance.web.app import create_app
from tests.conftest import migrate_schema

PASSWORD = "correct horse battery staple"


@dataclass
class Site:
    """The app, its engine, and who is who."""

    engine: Engine
    client: TestClient
    workspace_ids: dict[str, int] = field(default_factory=dict)
    brand_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)
    user_ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def as_(self, role: str, workspace: str = "acme") -> dict[str, str]:
        """Authorization headers of the user with ``role`` in ``workspace``."""
        return {"Authorization": f"Bearer {self.tokens[(workspace, role)]}"}

    def email(self, role: str, workspace: str = "acme") -> str:
        """The address of the user with ``role`` in ``workspace``."""
        return f"{role}@{workspace}.example"


def build_site(engine: Engine, settings: Settings) -> Site:
    """Two workspaces, a brand in each, a user per role in each, a token per user."""
    app = create_app(settings, engine=engine)
    site = Site(engine=engine, client=TestClient(app))
    for name, brand in (("acme", "Acme"), ("globex", "Globex")):
        with engine.begin() as conn:
            site.workspace_ids[name] = workspaces.ensure(conn, name)
        site.brand_ids[name] = brands.add(
            engine, Brand(name=brand, query=f"{brand.lower()} OR #{brand.lower()}"),
            workspace_id=site.workspace_ids[name])
        with engine.begin() as conn:
            for role in Role:
                user_id = accounts.create_user(conn, f"{role.value}@{name}.example", PASSWORD)
                accounts.set_role(conn, user_id, site.workspace_ids[name], role)
                _, secret = credentials.create_token(conn, user_id, "tests")
                site.tokens[(name, role.value)] = secret
                site.user_ids[(name, role.value)] = user_id
    return site


@pytest.fixture
def site(database_url: str) -> Iterator[Site]:
    """The app on SQLite and on PostgreSQL, with the two workspaces."""
    from confiance.core.db import make_engine

    settings = Settings(database_url=database_url, env="test")
    engine = make_engine(settings)
    migrate_schema(engine)
    try:
        yield build_site(engine, settings)
    finally:
        engine.dispose()
