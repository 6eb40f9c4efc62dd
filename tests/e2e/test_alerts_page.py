"""The alerts page in a real browser: the list from the main menu, an alert's explanation,
acknowledging it from the keyboard, switching to English, and a phone-sized screen.
Screenshots: ``alerts-fr-laptop``, ``alert-detail-fr-laptop``, ``alert-detail-en-laptop``,
``alerts-fr-phone``, ``alert-rule-error-fr-phone``."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import sqlalchemy as sa

from confiance.listen.alerts.model import Detector
from confiance.store import alerts
from confiance.store.tables import alerts as alerts_table
from tests.e2e.conftest import LiveSite, Watched
from tests.e2e.test_web_app import sign_in, spaces
from tests.store.alert_data import HOUR, MINUTE, T0, post, signal

pytestmark = pytest.mark.browser

SECRET = "s3cr3tPathOfTheHook"
HOOK = f"https://hooks.slack.com/services/T0/B0/{SECRET}"


def _seed(site: LiveSite) -> dict[str, int]:
    """A rule with a webhook, then three alerts of the brand (a volume spike, an emerging
    term, a high-reach post); the posts of the evidence are the site's own posts 1 and 2."""
    posts = (post("x:1", excerpt="acme post 1 : livraison en retard, aucune réponse",
                  author="@jdupont", followers=12_400),
             replace(post("x:2", excerpt="acme post 2 : #boycottacme jusqu'au remboursement",
                          author="@marie", followers=830, url="https://x.com/marie/status/2"),
                     post_id=2))
    with site.engine.begin() as conn:
        alerts.add_rule(conn, site.brand_id, channels=[{"kind": "webhook", "target": HOOK}])
        found = {}
        for key, fired in (
                ("volume", signal(at=T0 - 2 * HOUR, severity=2, posts=posts[:1])),
                ("reach", signal(detector=Detector.HIGH_REACH, scope="platform:x",
                                 subject="x:1", severity=3, at=T0 - HOUR, observed=12_400,
                                 expected=5_000, unit="followers", posts=posts[:1])),
                ("term", signal(detector=Detector.EMERGING_TERM, subject="boycott", severity=4,
                                at=T0, observed=35, expected=2, posts=posts,
                                terms=(("boycott", 35), ("#boycottacme", 21))))):
            [change] = alerts.record_signals(conn, site.brand_id, [fired],
                                             now=fired.window_end + MINUTE)
            found[key] = change.alert_id
    return found


def _status(site: LiveSite, alert_id: int) -> str:
    with site.engine.connect() as conn:
        return str(conn.execute(sa.select(alerts_table.c.status).where(
            alerts_table.c.id == alert_id)).scalar_one())


def test_open_an_alert_acknowledge_it_and_read_it_in_english(laptop: Watched) -> None:
    from playwright.sync_api import expect

    page = laptop.page
    ids = _seed(laptop.site)
    sign_in(laptop, laptop.site.users["analyst"])
    page.wait_for_url("**/overview")
    menu = page.get_by_role("navigation", name="Menu principal")
    menu.get_by_role("link", name="Alertes").click()
    page.wait_for_url(f"**/brands/{laptop.site.brand_id}/alerts")
    assert menu.get_by_role("link", name="Alertes").get_attribute("aria-current") == "page"
    assert page.get_by_role("heading", level=2, name="Alertes").is_visible()
    expect(page.locator(".alert-item")).to_have_count(3)
    titles = page.locator(".alert-title").all_inner_texts()
    assert titles == ["Terme émergent", "Publication à forte audience",
                      "Pic de volume de mentions"]
    first = spaces(page.locator(".alert-item").first.inner_text())
    assert "4/5 · élevée" in first and "Ouverte" in first and "« boycott »" in first
    assert "12 mars 2026, 13:00" in first
    assert spaces(page.locator("#alert-counts").inner_text()).startswith("3 alertes ouvertes")
    rules = page.locator("#rules")
    assert "https://hooks.slack.com/…" in rules.inner_text() and SECRET not in page.content()
    laptop.screenshot("alerts-fr-laptop")

    page.get_by_role("link", name="Terme émergent").click()
    page.wait_for_url(f"**/alerts/{ids['term']}")
    assert spaces(page.get_by_role("heading", level=2).inner_text()) == \
        "Terme émergent · « boycott »"
    summary = spaces(page.locator(".alert-summary").inner_text())
    assert "Fenêtre" in summary and "12 mars 2026, 12:00 → 12 mars 2026, 13:00" in summary
    assert "× 17,5" in summary
    assert page.locator(".term-list li").first.inner_text().startswith("boycott")
    opened = page.get_by_role("link", name="Ouvrir la mention — @marie")
    assert opened.get_attribute("href") == f"/brands/{laptop.site.brand_id}/mentions/2"
    assert page.get_by_role("link", name="@jdupont", exact=True).get_attribute("href") == \
        f"/brands/{laptop.site.brand_id}/mentions?author=jdupont"
    laptop.screenshot("alert-detail-fr-laptop")

    button = page.get_by_role("button", name="Prendre en charge")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/alerts/{ids['term']}?done=acknowledged*")
    done = page.get_by_role("status").filter(has_text="Alerte prise en charge")
    expect(done).to_be_visible()
    expect(page.get_by_role("button", name="Prendre en charge")).to_have_count(0)
    follow_up = " ".join(spaces(page.locator("#alert-status").inner_text()).split())
    assert "Statut Prise en charge Prise en charge par analyst@acme.example le" in follow_up
    assert _status(laptop.site, ids["term"]) == "acknowledged"

    page.get_by_role("button", name=re.compile("^EN")).click()
    page.wait_for_url(f"**/alerts/{ids['term']}?done=acknowledged*")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=2).inner_text() == "Emerging term · “boycott”"
    summary = spaces(page.locator(".alert-summary").inner_text())
    assert "× 17.5" in summary and "Mar 12, 2026, 12:00 PM → Mar 12, 2026, 1:00 PM" in summary
    assert "Alert acknowledged" in page.locator("#alert-done").inner_text()
    expect(page.get_by_role("button", name="Resolve")).to_be_visible()
    laptop.screenshot("alert-detail-en-laptop")
    page.get_by_role("link", name="Back to the alerts").click()
    page.wait_for_url("**/alerts")
    english = spaces(page.locator(".alert-item").first.inner_text())
    assert "4/5 · high" in english and "Acknowledged" in english
    assert not laptop.problems and not laptop.csp_violations()


def test_the_alerts_fit_a_phone(phone: Watched) -> None:
    page = phone.page
    ids = _seed(phone.site)
    sign_in(phone, phone.site.users["analyst"])
    page.wait_for_url("**/overview")
    phone.goto(f"/brands/{phone.site.brand_id}/alerts")
    assert page.locator(".alert-item").count() == 3
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot("alerts-fr-phone")
    phone.goto(f"/brands/{phone.site.brand_id}/alerts/{ids['reach']}")
    assert page.get_by_role("button", name="Prendre en charge").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.goto(f"/brands/{phone.site.brand_id}/alert-rules/new")
    assert page.get_by_label("Fuseau horaire").input_value() == "Europe/Paris"
    page.get_by_label("Adresse").first.fill("pas-une-adresse")
    page.get_by_label("Type").first.select_option("email")
    page.get_by_role("button", name="Enregistrer la règle").click()
    error = page.locator("#channel_target_0-error")
    assert "n’est pas une adresse e-mail" in error.inner_text()
    assert page.get_by_label("Adresse").first.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot("alert-rule-error-fr-phone")
    assert not phone.unexpected("status of 422") and not phone.csp_violations()
