"""The mentions explorer in a real browser: filtering (the list changes, the address follows),
loading more, a mention's page, and a one-click sentiment correction that is stored.
Screenshots: mentions-fr-laptop, mention-detail-fr-laptop, mentions-fr-phone."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from confiance.domain import Author, Metrics, Platform, Post, PostKind
from confiance.enrich.component import Doc
from confiance.store import enrichments
from confiance.store.ingest import ingest
from confiance.store.tables import posts, sentiment_corrections
from tests.e2e.conftest import LiveSite, Watched
from tests.e2e.test_web_app import sign_in

pytestmark = pytest.mark.browser

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
"""After the 1,234 plain posts of the live site: these come first, newest first."""
SENTIMENTS = ("positive", "neutral", "negative")
TEXTS = ("Livraison rapide, bougie parfaite, merci !", "Colis arrivé en retard, livraison ratée.",
         "Le service client m’a répondu en une heure.", "Prix un peu élevé pour la qualité.",
         "Très belle odeur de figue, je recommande.")
AUTHORS = (Author(platform=Platform.X, platform_id="u1", handle="lea", display_name="Léa Martin",
                  followers=1200),
           Author(platform=Platform.X, platform_id="u2", handle="marc", followers=85),
           Author(platform=Platform.INSTAGRAM, platform_id="u3", handle="zoe",
                  display_name="Zoé", followers=98000))
TOPICS = (["delivery"], ["delivery", "quality"], ["customer_service"], ["price", "quality"],
          ["quality"])


def _post(n: int) -> Post:
    author = AUTHORS[n % 3]
    parent = "acme-e0" if n in (1, 2) else None  # e0 and its two replies
    return Post(platform=author.platform if n not in (1, 2) else Platform.X,
                platform_id=f"acme-e{n}", kind=PostKind.REPLY if parent else PostKind.POST,
                url=f"https://example.org/e{n}", author=author if parent is None else AUTHORS[1],
                text=f"{TEXTS[n % 5]} #acme n°{n}", language="fr",
                created_at=START + timedelta(hours=n), parent_id=parent,
                metrics=Metrics(likes=n * 3 % 17, comments=n % 5, shares=n % 3,
                                views=100 + n * 10))


def seed_enriched(site: LiveSite, count: int = 40) -> dict[str, int]:
    """``count`` enriched mentions of the live site's brand (a thread: e0 with replies e1,
    e2); their ids by platform id."""
    ingest(site.engine, (_post(n) for n in range(count)), source="e2e-mentions",
           format="generic", brand_id=site.brand_id)
    with site.engine.begin() as conn:
        ids = {row.platform_id: int(row.id) for row in conn.execute(
            sa.select(posts.c.platform_id, posts.c.id).where(posts.c.platform_id.like("acme-e%")))}
        results: list[tuple[int, Doc, list[dict[str, str]]]] = []
        for n in range(count):
            doc = Doc(key=("x", f"acme-e{n}"), text="")
            sentiment = "negative" if n % 5 == 1 else SENTIMENTS[n % 3]
            doc.set("sentiment", sentiment, "confiance.sentiment.v1")
            doc.set("sentiment_score", {"positive": 0.8, "neutral": 0.0, "negative": -0.7}[
                sentiment], "confiance.sentiment.v1")
            doc.set("sentiment_confidence", 0.4 if n % 7 == 3 else 0.9, "confiance.sentiment.v1")
            doc.set("topics", TOPICS[n % 5], "confiance.aspects.v1")
            doc.set("intent", "complaint" if sentiment == "negative" else "praise",
                    "confiance.intent.v1")
            doc.set("language", "fr", "platform")
            doc.set("toxicity", 0.02, "confiance.moderation.v1")
            doc.set("flags", [], "confiance.moderation.v1")
            results.append((ids[f"acme-e{n}"], doc, []))
        enrichments.save(conn, results)
    return ids


def _expect(locator: Any) -> Any:
    """Playwright's ``expect`` (imported late, as the fixtures import Playwright)."""
    from playwright.sync_api import expect

    return expect(locator)


def _mentions(tab: Watched) -> int:
    return tab.page.locator("#mention-results li.mention").count()


def test_filter_load_more_open_and_correct(laptop: Watched) -> None:
    page = laptop.page
    ids = seed_enriched(laptop.site)
    sign_in(laptop, laptop.site.users["analyst"])
    page.wait_for_url("**/overview")
    brand = laptop.site.brand_id
    laptop.goto(f"/brands/{brand}/mentions")
    assert page.get_by_role("heading", level=2).inner_text() == "Mentions"
    assert _mentions(laptop) == 25
    first = page.locator("li.mention").first
    assert "n°39" in first.inner_text() and "Instagram" not in first.inner_text()

    # filter: sentiment and a search word; the list changes in place, the address follows
    page.get_by_label("Sentiment", exact=True).select_option("negative")
    page.get_by_label("Rechercher dans le texte").fill("livraison")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*sentiment=negative.*"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["sentiment"] == ["negative"] and query["q"] == ["livraison"]
    _expect(page.locator("#mention-results li.mention")).to_have_count(11)
    badges = page.locator("#mention-results .mention-labels .sentiment").all_inner_texts()
    assert badges and all("Négatif" in text for text in badges)
    assert "11 mentions trouvées" in page.locator(".result-count").inner_text()
    assert page.locator("#mentions-announce").inner_text() == "11 mentions trouvées"
    csv = page.get_by_role("link", name="CSV").get_attribute("href") or ""
    assert "sentiment=negative" in csv and "q=livraison" in csv
    laptop.screenshot("mentions-fr-laptop")
    page.reload()  # the address alone gives the same list
    assert _mentions(laptop) == 11
    assert page.get_by_label("Rechercher dans le texte").input_value() == "livraison"

    # reset, then load more: the next page is appended
    page.get_by_role("link", name="Réinitialiser les filtres").click()
    page.wait_for_url(f"**/brands/{brand}/mentions")
    assert _mentions(laptop) == 25
    page.get_by_role("link", name="Plus de mentions").click()
    _expect(page.locator("#mention-results li.mention")).to_have_count(50)
    assert "25 mentions de plus chargées" in page.locator("#mentions-announce").inner_text()
    assert page.evaluate("document.activeElement.classList.contains('mention-list')")
    assert page.url.endswith(f"/brands/{brand}/mentions")

    # one click in the list corrects the sentiment of that mention only
    item = page.locator(f"#mention-{ids['acme-e39']}")
    assert "Positif" in item.locator(".mention-labels .sentiment").inner_text()
    item.get_by_role("button", name="Négatif").click()
    _expect(page.locator("#mentions-announce")).to_contain_text("Correction enregistrée")
    item = page.locator(f"#mention-{ids['acme-e39']}")
    assert item.get_by_role("button", name="Négatif").get_attribute("aria-pressed") == "true"
    assert "corrigé" in item.locator(".mention-labels").inner_text()
    assert page.evaluate("document.activeElement.id") == f"item-{ids['acme-e39']}-negative"

    # the labels the model was least sure of come first, marked "incertain", to review
    page.get_by_label("Tri", exact=True).select_option("sentiment_confidence")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url(re.compile(r".*sort=sentiment_confidence.*"))
    unsure = [ids[f"acme-e{n}"] for n in range(40) if n % 7 == 3]
    _expect(page.locator("#mention-results li.mention").first).to_have_id(
        f"mention-{min(unsure)}")
    badges = page.locator("#mention-results .mention-labels .sentiment").all_inner_texts()
    assert ["incertain" in text for text in badges[:7]] == [True] * 6 + [False]

    # a mention's page: text, thread, analysis; correct it there too
    page.locator(f"#mention-{ids['acme-e0']}").get_by_role("link", name=re.compile(
        "^Ouvrir la mention")).click()
    page.wait_for_url(f"**/brands/{brand}/mentions/{ids['acme-e0']}")
    assert page.get_by_role("heading", level=2).inner_text() == "Mention de Léa Martin"
    thread = page.locator("section.thread")
    assert "2 réponses" in thread.inner_text() and "n°1" in thread.inner_text()
    assert "confiance.sentiment.v1" in (page.locator(".model-versions").text_content() or "")
    labels = page.locator("#mention-labels")
    assert labels.get_by_role("button", name="Positif").get_attribute("aria-pressed") == "true"
    laptop.screenshot("mention-detail-fr-laptop")
    labels.get_by_role("button", name="Neutre").click()
    _expect(page.locator("#mentions-announce")).to_contain_text("Correction enregistrée")
    assert "Positif → Neutre" in page.locator("#mention-labels .history").inner_text(
        ).replace("\xa0", " ")
    page.reload()
    labels = page.locator("#mention-labels")
    assert labels.get_by_role("button", name="Neutre").get_attribute("aria-pressed") == "true"
    with laptop.site.engine.connect() as conn:
        stored = {(r.post_id, r.label, r.corrected_by) for r in conn.execute(
            sa.select(sentiment_corrections))}
    assert stored == {(ids["acme-e39"], "negative", "analyst@acme.example"),
                      (ids["acme-e0"], "neutral", "analyst@acme.example")}
    assert not laptop.problems, laptop.problems
    assert not laptop.csp_violations()


def test_bad_dates_show_the_error_in_place(laptop: Watched) -> None:
    page = laptop.page
    seed_enriched(laptop.site, count=5)
    sign_in(laptop, laptop.site.users["analyst"])
    page.wait_for_url("**/overview")
    laptop.goto(f"/brands/{laptop.site.brand_id}/mentions")
    page.get_by_text("Plus de filtres").click()
    page.get_by_label("À partir du").fill("2026-03-05")
    page.get_by_label("Jusqu’au (inclus)").fill("2026-03-01")
    page.get_by_role("button", name="Filtrer").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "E613" in alert.inner_text() and "since must come before until" in alert.inner_text()
    assert _mentions(laptop) == 0
    assert not laptop.problems, laptop.problems
    assert not laptop.csp_violations()


def test_a_refused_load_more_shows_its_error_in_place(laptop: Watched) -> None:
    page = laptop.page
    seed_enriched(laptop.site)
    sign_in(laptop, laptop.site.users["analyst"])
    page.wait_for_url("**/overview")
    laptop.goto(f"/brands/{laptop.site.brand_id}/mentions")
    assert _mentions(laptop) == 25
    # A "load more" whose cursor the server refuses (a stale or edited link) answers 422
    # with the error as a fragment: htmx must put it in place of the link.
    page.evaluate("""url => htmx.ajax('GET', url, {target: '.load-more', swap: 'outerHTML'})""",
                  f"/brands/{laptop.site.brand_id}/mentions/more?cursor=pas-un-curseur")
    alert = page.locator("#mention-results [role=alert]")
    _expect(alert).to_contain_text("E612")
    assert page.locator(".load-more").count() == 0
    assert _mentions(laptop) == 25
    assert not laptop.unexpected("status of 422"), laptop.problems
    assert not laptop.csp_violations()


def test_the_list_on_a_phone(phone: Watched) -> None:
    page = phone.page
    seed_enriched(phone.site, count=12)
    sign_in(phone, phone.site.users["analyst"])
    page.wait_for_url("**/overview")
    phone.goto(f"/brands/{phone.site.brand_id}/mentions")
    assert _mentions(phone) == 25
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    buttons = page.locator("li.mention").first.locator(".segment")
    assert buttons.count() == 3 and all(
        (buttons.nth(i).bounding_box() or {"height": 0})["height"] >= 44 for i in range(3))
    phone.screenshot("mentions-fr-phone")
    assert not phone.problems, phone.problems
    assert not phone.csp_violations()
