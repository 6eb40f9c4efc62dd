"""The web app in a real browser: signing in and out, the one-time password, the language
switch, keyboard use and a phone-sized screen. Screenshots: var/test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ONE_TIME, PASSWORD, Watched

pytestmark = pytest.mark.browser


def spaces(text: str) -> str:
    """``text`` with the no-break spaces of French number formats as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def sign_in(tab: Watched, email: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form."""
    tab.goto("/login")
    tab.page.get_by_label("Adresse e-mail").fill(email)
    tab.page.get_by_label("Mot de passe").fill(password)
    tab.page.get_by_role("button", name="Se connecter").click()


def test_sign_in_shows_errors_inline_then_lands_on_the_overview(laptop: Watched) -> None:
    page = laptop.page
    sign_in(laptop, laptop.site.users["analyst"], "not my password")
    alert = page.get_by_role("alert")
    assert "Adresse e-mail ou mot de passe incorrect" in alert.inner_text()
    assert page.get_by_label("Adresse e-mail").input_value() == laptop.site.users["analyst"]
    laptop.screenshot("login-error-fr")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"**/brands/{laptop.site.brand_id}/overview")
    assert page.get_by_role("heading", level=1).inner_text() == "Acme"
    assert spaces(page.locator("#mention-total").inner_text()) == "1 234 mentions"
    assert page.get_by_role("heading", name="Volume par sentiment").is_visible()
    laptop.screenshot("signed-in-fr-laptop")
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("typeof Chart") == "function"
    assert not laptop.unexpected("status of 401") and not laptop.csp_violations()


def test_a_chart_draws_under_the_content_security_policy(laptop: Watched) -> None:
    sign_in(laptop, laptop.site.users["analyst"])
    laptop.page.wait_for_url("**/overview")
    drawn = laptop.page.wait_for_function("""() => {
      const canvas = document.getElementById('volume-chart');
      const chart = canvas && typeof Chart === 'function' && Chart.getChart(canvas);
      return chart ? chart.data.datasets.reduce(
        (sum, set) => sum + set.data.reduce((a, b) => a + b, 0), 0) : false;
    }""").json_value()
    assert drawn > 0  # the volume of the overview's 30 days, drawn from its JSON config
    assert laptop.page.locator("#volume-chart").get_attribute("data-drawn") == "true"
    assert not laptop.problems and not laptop.csp_violations()


def test_a_one_time_password_is_changed_first(laptop: Watched) -> None:
    page = laptop.page
    sign_in(laptop, laptop.site.users["new"], ONE_TIME)
    page.wait_for_url("**/password?next=*")
    assert page.get_by_role("heading", level=1).inner_text() == "Choisissez votre mot de passe"
    laptop.goto(f"/brands/{laptop.site.brand_id}/mentions")
    page.wait_for_url("**/password?next=*")
    page.get_by_label("Mot de passe à usage unique").fill(ONE_TIME)
    page.get_by_label("Nouveau mot de passe", exact=True).fill("my very own passphrase")
    page.get_by_label("Nouveau mot de passe, une seconde fois").fill("my very own passphrase")
    laptop.screenshot("password-forced-fr")
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    page.wait_for_url(f"**/brands/{laptop.site.brand_id}/mentions")
    assert page.get_by_role("heading", level=2).inner_text() == "Mentions"
    assert not laptop.problems


def test_language_switch_turns_the_interface_and_numbers_english(laptop: Watched) -> None:
    page = laptop.page
    sign_in(laptop, laptop.site.users["analyst"])
    page.wait_for_url("**/overview")
    menu = page.get_by_role("navigation", name="Menu principal")
    assert menu.get_by_role("link", name="Vue d’ensemble").get_attribute("aria-current") == "page"
    page.get_by_role("button", name=re.compile("^EN")).click()
    page.wait_for_url("**/overview")
    assert page.locator("html").get_attribute("lang") == "en"
    menu = page.get_by_role("navigation", name="Main menu")
    assert menu.get_by_role("link", name="Overview").is_visible()
    assert page.locator("#mention-total").inner_text() == "1,234 mentions"
    assert page.get_by_role("heading", name="Volume by sentiment").is_visible()
    english = page.get_by_role("button", name=re.compile("^EN"))
    assert english.get_attribute("aria-pressed") == "true"
    laptop.screenshot("language-switch-en-laptop")
    page.get_by_role("button", name=re.compile("^FR")).click()
    page.wait_for_url("**/overview")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert not laptop.problems


def test_sign_out(laptop: Watched) -> None:
    page = laptop.page
    sign_in(laptop, laptop.site.users["analyst"])
    page.wait_for_url("**/overview")
    page.get_by_text("Ana Lyste").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/login")
    laptop.goto(f"/brands/{laptop.site.brand_id}/queries")
    page.wait_for_url("**/login?next=*")
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion à Confiance"
    assert not laptop.problems


def _focused(tab: Watched) -> str:
    return str(tab.page.evaluate(
        "document.activeElement ? (document.activeElement.closest('#main-menu') ? 'menu:' : '')"
        " + (document.activeElement.textContent || document.activeElement.name || '').trim()"
        " : ''"))


def test_keyboard_alone_signs_in_and_reaches_the_main_menu(laptop: Watched) -> None:
    page = laptop.page
    laptop.goto("/login")
    page.keyboard.press("Tab")
    assert _focused(laptop) == "Aller au contenu"
    page.keyboard.press("Enter")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(laptop.site.users["analyst"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/overview")
    for _ in range(10):
        page.keyboard.press("Tab")
        if _focused(laptop).startswith("menu:"):
            break
    assert _focused(laptop) == "menu:Vue d’ensemble"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link shows no focus ring"
    laptop.screenshot("keyboard-focus-main-menu")
    page.keyboard.press("Tab")
    assert _focused(laptop) == "menu:Mentions"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/brands/{laptop.site.brand_id}/mentions")
    assert not laptop.problems


def test_phone_width_layout(phone: Watched) -> None:
    page = phone.page
    phone.goto("/login")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot("login-phone")
    sign_in(phone, phone.site.users["analyst"])
    page.wait_for_url("**/overview")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.get_by_role("navigation", name="Menu principal").is_visible()
    page.get_by_text("Ana Lyste").click()
    assert page.get_by_role("button", name="Se déconnecter").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    path = phone.screenshot("signed-in-phone")
    assert path.stat().st_size > 1000
    assert not phone.problems
