"""The brand Overview in a real browser: charts drawn under the Content-Security-Policy, the
period picker, the English interface and a phone-sized screen.

Screenshots (the user guide's): overview-fr-laptop, overview-en-laptop, overview-fr-phone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from confiance.domain import Author, Metrics, Platform, Post
from confiance.enrich.component import Doc
from confiance.store import brands, enrichments, ingest
from confiance.store.tables import brand_posts
from tests.e2e.conftest import LiveSite, Watched
from tests.e2e.test_web_app import sign_in, spaces

pytestmark = pytest.mark.browser

NEWEST = datetime(2026, 2, 21, 9, tzinfo=UTC)
"""The newest of the shared seed's 1,234 posts (one an hour from 2026-01-01)."""
SENTIMENTS = ("positive", "positive", "neutral", "negative", "positive", "neutral", "negative")
TOPICS: tuple[list[str], ...] = (["delivery"], ["price"], ["quality", "price"],
                                 ["customer_service"], [], ["packaging"])
PLATFORMS = (Platform.INSTAGRAM, Platform.YOUTUBE, Platform.TRUSTPILOT, Platform.REDDIT)
LANGUAGES = ("fr", "fr", "en", "de", "es")
CHART_DRAWN = """id => { const canvas = document.getElementById(id);
  return !!canvas && typeof Chart === 'function' && Chart.getChart(canvas) !== undefined; }"""


def _others(brand: str, count: int, days: int) -> list[Post]:
    """``count`` posts spread over the ``days`` days ending on the newest one."""
    found = []
    for n in range(count):
        platform = PLATFORMS[n % len(PLATFORMS)]
        author = Author(platform=platform, platform_id=f"{brand}-u{n % 9}",
                        handle=f"{brand}_fan{n % 9}", display_name=f"Fan {n % 9}",
                        followers=150 * (n % 9 + 1))
        found.append(Post(platform=platform, platform_id=f"{brand}-{n}", author=author,
                          text=f"{brand} : avis n°{n}, livraison et prix", language=None,
                          created_at=NEWEST - timedelta(hours=n * days * 24 // count),
                          metrics=Metrics(likes=(n * 37) % 500, comments=n % 13,
                                          shares=n % 5)))
    return found


@pytest.fixture
def busy_site(live_site: LiveSite) -> LiveSite:
    """The shared seed (Acme: 1,234 posts on X) enriched with sentiments, languages and
    topics, 240 more Acme posts on four other platforms over 60 days, and a competitor,
    Initech, with 300 posts of its own."""
    engine = live_site.engine
    brands.update_brand(engine, "Acme", competitors=["Initech"])
    ingest.ingest(engine, _others("acme", 240, 60), source="e2e-more", format="generic",
                  brand_id=live_site.brand_id)
    ingest.ingest(engine, _others("initech", 300, 60), source="e2e-rival", format="generic",
                  brand_id=brands.resolve(engine, "Initech"))
    with engine.begin() as conn:
        ids = [int(i) for i in conn.execute(
            sa.select(brand_posts.c.post_id).where(brand_posts.c.brand_id == live_site.brand_id)
            .order_by(brand_posts.c.post_id)).scalars()]
        results: list[tuple[int, Doc, list[Any]]] = []
        for n, post_id in enumerate(ids):
            if n % 23 == 7:
                continue  # a few are not analysed yet
            doc = Doc(key=("x", str(post_id)), text="")
            doc.set("sentiment", SENTIMENTS[(n * 5 + n // 97) % len(SENTIMENTS)], "e2e")
            doc.set("language", LANGUAGES[n % len(LANGUAGES)], "e2e")
            doc.set("topics", TOPICS[n % len(TOPICS)], "e2e")
            results.append((post_id, doc, []))
        enrichments.save(conn, results)
    return live_site


def _open_overview(tab: Watched) -> None:
    sign_in(tab, tab.site.users["analyst"])
    tab.page.wait_for_url(f"**/brands/{tab.site.brand_id}/overview")
    tab.page.wait_for_function(CHART_DRAWN, arg="volume-chart")


def _figure(tab: Watched, name: str) -> int:
    text = spaces(tab.page.locator(f"#kpi-{name} .kpi-value").inner_text())
    return int(re.sub(r"[^\d]", "", text))


def _chart(tab: Watched, chart_id: str) -> Any:
    return tab.page.evaluate("""id => { const chart = Chart.getChart(document.getElementById(id));
      return {labels: chart.data.labels, datasets: chart.data.datasets.map(d => d.label)}; }""",
                             chart_id)


def test_the_overview_draws_its_charts_and_follows_the_period_picker(
        busy_site: LiveSite, laptop: Watched) -> None:
    page = laptop.page
    _open_overview(laptop)
    for chart in ("share-chart", "topics-chart", "platform-chart", "language-chart"):
        assert page.evaluate(CHART_DRAWN, chart), chart
    volume = _chart(laptop, "volume-chart")
    assert volume["datasets"][:3] == ["Positif", "Neutre", "Négatif"]
    assert volume["labels"][-1] == "21 févr." and len(volume["labels"]) == 30
    assert page.get_by_role("link", name="30 derniers jours").get_attribute(
        "aria-current") == "true"
    month = _figure(laptop, "mentions")
    assert month > 700
    assert "Initech" in page.locator("#share-table").inner_text()
    link = page.locator("#top-posts a").first.get_attribute("href") or ""
    assert link.startswith(f"/brands/{busy_site.brand_id}/mentions/")
    laptop.screenshot("overview-fr-laptop")

    page.get_by_role("link", name="7 derniers jours").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/overview?since=2026-02-15&until=2026-02-21")
    page.wait_for_function(CHART_DRAWN, arg="volume-chart")
    week = _figure(laptop, "mentions")
    assert 0 < week < month
    assert len(_chart(laptop, "volume-chart")["labels"]) == 7

    page.get_by_label("Du", exact=True).fill("2026-02-10")
    page.get_by_label("Au", exact=True).fill("2026-02-01")
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**since=2026-02-10&until=2026-02-01**")
    error = page.locator("#until-error").inner_text()
    assert "avant de commencer" in error and "E640" in error
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Au", exact=True).get_attribute("aria-invalid") == "true"

    page.get_by_label("Du", exact=True).fill("2026-01-01")
    page.get_by_label("Au", exact=True).fill("2026-02-21")
    page.get_by_label("Intervalle").select_option("week")
    page.get_by_label("Comparer avec la période précédente").uncheck()
    page.get_by_role("button", name="Appliquer").click()
    page.wait_for_url("**granularity=week**")
    page.wait_for_function(CHART_DRAWN, arg="volume-chart")
    assert _figure(laptop, "mentions") > month
    assert page.locator("#kpi-mentions .kpi-change").count() == 0
    assert len(_chart(laptop, "volume-chart")["labels"]) == 8  # weeks from Monday 29 Dec
    assert not laptop.problems and not laptop.csp_violations()


def test_the_overview_in_english(busy_site: LiveSite, laptop: Watched) -> None:
    page = laptop.page
    _open_overview(laptop)
    page.get_by_role("button", name=re.compile("^EN")).click()
    page.wait_for_url("**/overview")
    page.wait_for_function(CHART_DRAWN, arg="volume-chart")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Volume by sentiment").is_visible()
    volume = _chart(laptop, "volume-chart")
    assert volume["datasets"][:3] == ["Positive", "Neutral", "Negative"]
    assert volume["labels"][-1] == "Feb 21"
    engagement = page.locator("#kpi-engagement .kpi-value").inner_text()
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", engagement)
    assert "Last 7 days" in page.locator(".presets").inner_text()
    laptop.screenshot("overview-en-laptop")
    assert not laptop.problems and not laptop.csp_violations()


def test_the_overview_on_a_phone(busy_site: LiveSite, phone: Watched) -> None:
    page = phone.page
    _open_overview(phone)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert page.locator("#kpi-mentions").is_visible()
    page.locator("#volume-chart").scroll_into_view_if_needed()
    phone.screenshot("overview-fr-phone")
    assert not phone.problems and not phone.csp_violations()
