"""The listening sources page in a real browser: an owner adds a push source, copies its
secret (shown once), pauses it. Screenshot: ``sources-fr-laptop``."""

from __future__ import annotations

import pytest

from confiance.auth.roles import Role
from confiance.store import accounts, workspaces
from tests.e2e.conftest import PASSWORD, Watched
from tests.e2e.test_web_app import sign_in, spaces

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"


def test_add_a_push_source_see_its_secret_once_and_pause_it(laptop: Watched) -> None:
    with laptop.site.engine.begin() as conn:
        workspace = workspaces.ensure(conn, "acme")
        owner = accounts.create_user(conn, OWNER, PASSWORD, display_name="Olive Owner")
        accounts.set_role(conn, owner, workspace, Role.OWNER)
    sign_in(laptop, OWNER)
    laptop.page.wait_for_url("**/overview")
    laptop.page.get_by_role("link", name="Sources").click()
    laptop.page.wait_for_url("**/sources")
    assert "Aucune source" in spaces(laptop.page.locator("#no-source").inner_text())
    laptop.page.get_by_label("Nom", exact=True).fill("Widget avis")
    laptop.page.get_by_label("Comment arrivent les publications").select_option("push")
    laptop.page.get_by_label("Format").select_option("ndjson")
    laptop.page.get_by_role("button", name="Ajouter la source").click()
    secret = laptop.page.locator("#push-secret-value").inner_text()
    assert len(secret) > 30
    assert "POST /api/v1/listen/push/" in laptop.page.locator("#push-path").inner_text()
    laptop.screenshot("sources-fr-laptop")
    laptop.goto(f"/brands/{laptop.site.brand_id}/sources")
    assert secret not in laptop.page.content()
    laptop.page.get_by_role("button", name="Mettre en pause Widget avis").click()
    laptop.page.wait_for_url("**/sources?done=paused")
    row = spaces(laptop.page.locator("table#sources tbody tr").first.inner_text())
    assert "En pause" in row
