"""The query editor in a real browser: the preview follows the typing without a reload, a
mistake shows with a caret at its column, a fixed query is saved. Screenshots:
``queries-fr-laptop``, ``queries-error-fr-laptop``, ``queries-fr-phone``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from confiance.auth.roles import Role
from confiance.domain import Platform, Post
from confiance.store import accounts, workspaces
from confiance.store.ingest import ingest
from confiance.store.tables import brands
from tests.e2e.conftest import MENTIONS, PASSWORD, LiveSite, Watched
from tests.e2e.test_web_app import sign_in, spaces

pytestmark = pytest.mark.browser

OWNER = "owner@acme.example"
TEXTS = ["La bougie Figue d'Automne sent divinement bon", "Ma bougie préférée, parfum cèdre",
         "Bougie reçue cassée, déçue", "Le diffuseur figue est top",
         "bougies en promo ce week-end", "Une BOUGIE offerte, merci !"]
"""Posts about candles, besides the site's 1,234 "acme post N": ``bougie`` finds 4 of them."""
TOTAL = MENTIONS + len(TEXTS)


def _seed(site: LiveSite) -> None:
    """An owner of acme, and the candle posts attached to the brand."""
    with site.engine.begin() as conn:
        workspace = workspaces.ensure(conn, "acme")
        owner = accounts.create_user(conn, OWNER, PASSWORD, display_name="Olive Owner")
        accounts.set_role(conn, owner, workspace, Role.OWNER)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    ingest(site.engine, (Post(platform=Platform.INSTAGRAM, platform_id=f"candle{n}", text=text,
                              created_at=start + timedelta(hours=n))
                         for n, text in enumerate(TEXTS)),
           source="e2e", format="generic", brand_id=site.brand_id)


def _open(tab: Watched) -> None:
    _seed(tab.site)
    sign_in(tab, OWNER)
    tab.page.wait_for_url("**/overview")
    tab.goto(f"/brands/{tab.site.brand_id}/queries")


def _summary(tab: Watched) -> str:
    return spaces(tab.page.locator("#query-summary").inner_text())


def _wait_summary(tab: Watched, text: str) -> None:
    tab.page.wait_for_function(
        "t => document.querySelector('#query-summary').textContent"
        ".replace(/[\\u202f\\u00a0]/g, ' ').includes(t)", arg=text)


def test_type_see_the_preview_fix_a_mistake_and_save(laptop: Watched) -> None:
    from playwright.sync_api import expect

    page = laptop.page
    _open(laptop)
    editor = page.get_by_label("Requête booléenne")
    assert editor.input_value() == "acme OR #acme"
    assert f"{MENTIONS:,} des {TOTAL:,} derniers posts".replace(",", " ") in _summary(laptop)
    page.evaluate("window.__notReloaded = true")

    editor.fill("bougie")
    _wait_summary(laptop, f"4 des {TOTAL:,} derniers posts".replace(",", " "))
    expect(page.locator("#query-results mark")).to_have_count(4)
    marks = page.locator("#query-results mark").all_inner_texts()
    assert sorted(marks) == ["BOUGIE", "Bougie", "bougie", "bougie"]
    assert "+4 seraient rattachés" in spaces(page.locator(".query-diff").inner_text())
    assert page.evaluate("window.__notReloaded") is True  # htmx, no page load

    editor.fill("bougie AND (figue OR parfum")
    error = page.locator("#query-error")
    error.wait_for()
    assert "colonne 12 (E401)" in error.inner_text()
    assert "n’est jamais fermée" in error.inner_text()
    line, caret = page.locator(".query-caret").inner_text().split("\n")[:2]
    assert line == "bougie AND (figue OR parfum" and caret.index("^") == 11
    # htmx:afterSettle sets it a moment after the swap: expect() waits for it
    expect(editor).to_have_attribute("aria-invalid", "true")
    assert "query-error" in (editor.get_attribute("aria-describedby") or "")
    assert "La requête n’est pas valide" in _summary(laptop)
    expect(page.locator("#query-results mark")).to_have_count(0)
    laptop.screenshot("queries-error-fr-laptop")

    editor.fill("bougie AND (figue OR parfum)")
    _wait_summary(laptop, f"2 des {TOTAL:,} derniers posts".replace(",", " "))
    expect(error).to_have_count(0)
    expect(page.locator("#query-results mark")).to_have_count(4)  # bougie, figue, parfum x2
    expect(editor).not_to_have_attribute("aria-invalid", "true")
    assert editor.get_attribute("aria-invalid") is None
    laptop.screenshot("queries-fr-laptop")

    page.get_by_role("button", name="Enregistrer la requête").click()
    page.wait_for_url("**/queries?saved=1")
    confirmation = spaces(page.locator("#query-saved").inner_text())
    assert "Requête enregistrée." in confirmation
    assert f"{TOTAL:,} posts stockés réexaminés".replace(",", " ") in confirmation
    assert page.get_by_label("Requête booléenne").input_value() == "bougie AND (figue OR parfum)"
    with laptop.site.engine.connect() as conn:
        stored = conn.execute(sa.select(brands.c.query).where(
            brands.c.id == laptop.site.brand_id)).scalar_one()
    assert stored == "bougie AND (figue OR parfum)"
    assert not laptop.problems and not laptop.csp_violations()


def test_the_editor_fits_a_phone(phone: Watched) -> None:
    page = phone.page
    _open(phone)
    editor = page.get_by_label("Requête booléenne")
    editor.fill('bougie OR "diffuseur figue"')
    _wait_summary(phone, f"5 des {TOTAL:,} derniers posts".replace(",", " "))
    page.locator("summary", has_text="Aide-mémoire de la syntaxe").click()
    assert page.get_by_role("cell", name="un hashtag, une mention").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot("queries-fr-phone")
    assert not phone.problems and not phone.csp_violations()
