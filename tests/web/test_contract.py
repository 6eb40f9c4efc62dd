"""The API against its own published OpenAPI document (schemathesis): whatever a client
sends that the document allows, or not, the answer is never a server error, and every error
answer is the catalogue's JSON."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from confiance.core.db import make_engine
from confiance.core.settings import Settings
from confiance.store import migrate
from tests.web.conftest import Site, build_site

EXAMPLES = 30
"""Generated requests per operation (each run draws new ones)."""


@pytest.fixture(scope="module")
def contract_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path: Path = tmp_path_factory.mktemp("contract") / "confiance.db"
    settings_ = Settings(database_url=f"sqlite:///{path}", env="test",
                         login_failures_per_email=1000, login_failures_per_ip=10_000)
    engine = make_engine(settings_)
    migrate.upgrade(engine)
    site = build_site(engine, settings_)
    yield site
    engine.dispose()


def _check(site: Site, case: schemathesis.Case) -> None:
    # an analyst of acme: may read and edit, but not manage members (owner)
    response = case.call(headers=site.as_("analyst"))
    assert response.status_code < 500, (case.method, case.formatted_path, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert body["error"]["code"].startswith(("E", "HTTP")), body
        assert body["error"]["message"], body


def test_no_server_error_on_any_input(contract_site: Site) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", contract_site.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        if operation.method.upper() == "DELETE" and operation.path.startswith("/api/v1/tokens"):
            continue  # revoking the run's own token would end the run

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            _check(contract_site, case)

        run()
