"""The brand Overview page, rendered on the server: figures, period picker, errors, languages,
the empty state and per-brand isolation (the browser test is tests/e2e/test_overview_page.py).
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from confiance.domain import Author, Metrics, Platform, Post
from confiance.enrich.component import Doc
from confiance.store import accounts, brands, enrichments, ingest
from confiance.store.tables import posts
from tests.web.conftest import Site
from tests.web.test_pages import sign_in

ALICE = Author(platform=Platform.X, platform_id="a1", handle="alice", display_name="Alice A.",
               followers=1200)
BOB = Author(platform=Platform.INSTAGRAM, platform_id="a2", handle="bob", followers=98000)
CAROL = Author(platform=Platform.X, platform_id="a3", handle="carol")


def _post(key: str, day: int, author: Author, *, likes: int = 0, month: int = 11,
          text: str | None = None) -> Post:
    return Post(platform=author.platform, platform_id=key, author=author,
                text=text or f"Mention {key} of Acme", url=f"https://example.org/{key}",
                created_at=datetime(2026, month, day, 12, tzinfo=UTC),
                metrics=Metrics(likes=likes, comments=1, shares=0))


ACME = [  # post, what enrichment wrote (None: not enriched yet)
    (_post("p1", 1, ALICE, likes=40, text="Livraison <b>rapide</b> & soignée"),
     {"sentiment": "positive", "language": "fr", "topics": ["delivery"]}),
    (_post("p2", 3, ALICE, likes=2),
     {"sentiment": "negative", "language": "en", "topics": ["delivery", "price"]}),
    (_post("p3", 9, BOB, likes=1500),
     {"sentiment": "positive", "language": "fr", "topics": ["customer_service"]}),
    (_post("p4", 10, CAROL), None),
    (_post("p5", 25, ALICE, likes=3, month=10),
     {"sentiment": "negative", "language": "fr", "topics": ["price"]}),
    (_post("p6", 31, BOB, month=10), {"sentiment": "positive", "language": "fr"}),
]
"""p1-p4 in 2026-11-01..11-10 (the newest day is 11-10), p5-p6 in the ten days before."""
RIVAL = [_post("r1", 2, CAROL), _post("r2", 26, CAROL, month=10),
         _post("r3", 5, CAROL), _post("r4", 6, CAROL)]
PERIOD = {"since": "2026-11-01", "until": "2026-11-10"}


@pytest.fixture
def acme_site(site: Site) -> Site:
    """``site`` where Acme has the posts above and a competitor, Rival, posts of its own."""
    brands.update_brand(site.engine, "Acme", competitors=["Rival"])
    rival = brands.resolve(site.engine, "Rival")
    ingest.ingest(site.engine, [post for post, _ in ACME], source="acme", format="t",
                  brand_id=site.brand_ids["acme"])
    ingest.ingest(site.engine, RIVAL, source="rival", format="t", brand_id=rival)
    with site.engine.connect() as conn:
        ids = dict(conn.execute(sa.select(posts.c.platform_id, posts.c.id)).all())
    results: list[tuple[int, Doc, list[Any]]] = []
    for post, written in ACME:
        if written is not None:
            doc = Doc(key=("x", post.platform_id), text="")
            for name, value in written.items():
                doc.set(name, value, "test")
            results.append((ids[post.platform_id], doc, []))
    with site.engine.begin() as conn:
        enrichments.save(conn, results)
    site.brand_ids["rival"] = rival
    site.brand_ids.update({f"post:{k}": v for k, v in ids.items()})
    return site


def _page(site: Site, role: str = "viewer", workspace: str = "acme", *,
          brand: str = "acme", **params: Any) -> Any:
    sign_in(site.client, site.email(role, workspace))
    return site.client.get(f"/brands/{site.brand_ids[brand]}/overview", params=params)


def _text(page: Any) -> str:
    """The page's text, tags removed, spaces (no-break ones too) made plain."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
    return re.sub(r"\s+", " ", plain.replace("\u202f", " ").replace("\xa0", " "))


def _chart(page: Any, chart_id: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="{chart_id}-config">(.*?)</script>',
                      page.text, re.S)
    assert found, f"no chart {chart_id}"
    config: dict[str, Any] = json.loads(found.group(1))
    return config


def _kpi(page: Any, name: str) -> str:
    found = re.search(rf'<li class="kpi" id="kpi-{name}">(.*?)</li>\s*(<li class="kpi"|</ul>)',
                      page.text, re.S)
    assert found, f"no figure {name}"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))
                  .replace("\u202f", " ").replace("\xa0", " ")).strip()


def test_the_overview_shows_the_figures_and_their_change(acme_site: Site) -> None:
    page = _page(acme_site, **PERIOD)
    assert page.status_code == 200
    assert "Chargement" not in page.text
    mentions = _kpi(page, "mentions")
    # 4 posts now, 2 in the ten days before: +100 %
    assert mentions.startswith("Mentions 4") and "+100,0 %" in mentions
    assert "2 sur la période précédente" in mentions
    # net sentiment: 2 positive, 1 negative -> +33,3; before 1 and 1 -> 0: +33,3 points
    net = _kpi(page, "net-sentiment")
    assert "+33,3" in net and "+33,3 pts" in net
    engagement = _kpi(page, "engagement")  # likes + comments
    assert "1 546" in engagement and "contre 5 sur la période précédente" in engagement
    share = _kpi(page, "share")  # 4 of 7 mentions (Rival 3); before 2 of 3
    assert "57,1 %" in share and "−9,6 pts" in share
    text = _text(page)
    assert "Du 1 nov. 2026 au 10 nov. 2026" in text
    assert "comparé à la période du 22 oct. 2026 au 31 oct. 2026" in text


def test_each_chart_has_translated_labels_and_a_table_of_its_figures(acme_site: Site) -> None:
    page = _page(acme_site, **PERIOD)
    volume = _chart(page, "volume-chart")
    assert volume["type"] == "bar"
    assert volume["data"]["labels"][:3] == ["1 nov.", "2 nov.", "3 nov."]
    assert len(volume["data"]["labels"]) == 10
    series = {d["label"]: d["data"] for d in volume["data"]["datasets"]}
    assert series["Positif"][0] == 1 and series["Négatif"][2] == 1
    assert series["Non analysé"][9] == 1  # p4 is not enriched yet
    assert volume["options"]["scales"]["y"]["stacked"] is True
    share = _chart(page, "share-chart")
    assert share["type"] == "doughnut" and share["data"]["labels"] == ["Acme", "Rival"]
    assert share["data"]["datasets"][0]["data"] == [4, 3]
    topics = _chart(page, "topics-chart")
    assert topics["data"]["labels"] == ["Livraison", "Service client", "Prix"]
    assert [d["label"] for d in topics["data"]["datasets"]] == ["Cette période",
                                                                "Période précédente"]
    platforms = _chart(page, "platform-chart")
    assert platforms["data"]["labels"] == ["X", "Instagram"]
    languages = _chart(page, "language-chart")
    assert languages["data"]["labels"][:2] == ["Français", "Anglais"]
    for table in ("share-table", "topics-table", "platform-table", "language-table",
                  "authors-table"):
        assert f'id="{table}"' in page.text
    assert page.text.count('class="chart-data"') == 3  # volume, platforms, languages
    text = _text(page)
    assert "Afficher les chiffres" in text and "1 nov. 2026 1 1 0 0 0 41" in text


def test_top_posts_link_to_the_mention_detail_and_escape_the_text(acme_site: Site) -> None:
    page = _page(acme_site, **PERIOD)
    block = page.text.split('id="top-posts"', 1)[1].split("</ol>", 1)[0]
    links = re.findall(r'href="/brands/(\d+)/mentions/(\d+)"', block)
    p3, p1 = acme_site.brand_ids["post:p3"], acme_site.brand_ids["post:p1"]
    assert [int(post) for _, post in links][:2] == [p3, p1]  # most engagement first
    assert {int(brand) for brand, _ in links} == {acme_site.brand_ids["acme"]}
    assert "Livraison &lt;b&gt;rapide&lt;/b&gt; &amp; soignée" in block
    assert "<b>rapide</b>" not in page.text
    assert "1 501 interactions" in _text(page)
    authors = page.text.split('id="authors-table"', 1)[1].split("</table>", 1)[0]
    assert "Alice A." in authors and "98 000" in html.unescape(authors).replace("\u202f", " ")


def test_presets_and_the_form_keep_the_period_in_the_address(acme_site: Site) -> None:
    page = _page(acme_site)  # the default: 30 days ending on the newest day (11-10)
    text = _text(page)
    assert "Du 12 oct. 2026 au 10 nov. 2026" in text
    presets = dict(re.findall(r'<a href="([^"]+)"(?: aria-current="true")?>(\d+) derniers jours',
                              page.text))
    assert set(presets.values()) == {"7", "30", "90"}
    week = next(url for url, days in presets.items() if days == "7")
    assert html.unescape(week).endswith("?since=2026-11-04&until=2026-11-10")
    assert re.search(r'aria-current="true">30 derniers jours', page.text)
    assert 'value="2026-10-12"' in page.text and 'value="2026-11-10"' in page.text
    seven = acme_site.client.get(html.unescape(week))
    assert _kpi(seven, "mentions").startswith("Mentions 2")  # p3, p4
    assert re.search(r'aria-current="true">7 derniers jours', seven.text)


def test_comparison_can_be_turned_off_and_the_interval_chosen(acme_site: Site) -> None:
    page = _page(acme_site, **PERIOD, compare=["0"], granularity="week")
    assert "période précédente" not in _kpi(page, "mentions")
    assert "comparé à" not in _text(page)
    assert re.search(r'<input id="compare" name="compare" type="checkbox" value="1"\s*>',
                     page.text)
    assert "Période précédente" not in [d["label"] for d in
                                        _chart(page, "topics-chart")["data"]["datasets"]]
    weeks = _chart(page, "volume-chart")["data"]["labels"]
    assert weeks == ["26 oct.", "2 nov.", "9 nov."]  # weeks from Monday
    assert '<option value="week" selected>' in page.text
    checked = acme_site.client.get(page.url.path, params={**PERIOD, "compare": ["0", "1"],
                                                          "granularity": "month"})
    assert 'checked="checked"' in checked.text
    assert _chart(checked, "volume-chart")["data"]["labels"] == ["nov. 2026"]
    assert "Mentions par mois" in checked.text


@pytest.mark.parametrize(("params", "code", "field"), [
    ({"since": "2026-11-10", "until": "2026-11-01"}, "E640", "until"),
    ({"since": "2020-01-01", "until": "2026-11-10"}, "E641", "since"),
    ({"since": "1800-01-01", "until": "2026-11-10"}, "E643", "since"),
    ({"since": "2026-13-45"}, "E613", "since"),
])
def test_a_bad_period_is_explained_next_to_its_field(acme_site: Site, params: dict[str, str],
                                                     code: str, field: str) -> None:
    page = _page(acme_site, **params)
    assert page.status_code == 200
    error = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', page.text, re.S)
    assert error, page.text
    assert f"(Code d’erreur {code})" in html.unescape(error.group(1))
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page.text)
    assert f'value="{params["since"]}"' in page.text  # what was typed stays
    assert 'role="alert"' in page.text
    assert _kpi(page, "mentions").startswith("Mentions 6")  # the default period meanwhile


def test_the_period_error_reads_in_french_with_localised_dates(acme_site: Site) -> None:
    page = _page(acme_site, since="2026-11-10", until="2026-11-01")
    assert ("La période se termine (1 nov. 2026) avant de commencer (10 nov. 2026)"
            in _text(page))


def test_the_overview_reads_in_english(acme_site: Site) -> None:
    with acme_site.engine.begin() as conn:
        accounts.update_user(conn, acme_site.user_ids[("acme", "viewer")], locale="en")
    page = _page(acme_site, **PERIOD)
    assert '<html lang="en">' in page.text
    assert "From Nov 1, 2026 to Nov 10, 2026" in _text(page)
    assert _kpi(page, "engagement").startswith("Engagement 1,546")
    assert "−9.6 pts" in _kpi(page, "share")
    assert "+100.0%" in _kpi(page, "mentions")
    volume = _chart(page, "volume-chart")
    assert volume["data"]["labels"][0] == "Nov 1"
    assert [d["label"] for d in volume["data"]["datasets"]] == [
        "Positive", "Neutral", "Negative", "Not analysed"]
    assert _chart(page, "topics-chart")["data"]["labels"] == ["Delivery", "Customer service",
                                                              "Price"]
    assert _chart(page, "language-chart")["data"]["labels"][:2] == ["French", "English"]


def test_a_brand_without_mentions_shows_what_to_do(site: Site) -> None:
    page = _page(site)
    assert page.status_code == 200
    text = _text(page)
    assert "Aucune mention pour l’instant" in text
    assert 'confiance import' in text and "confiance demo" in text
    assert "<canvas" not in page.text


def test_another_workspace_cannot_see_the_overview(acme_site: Site) -> None:
    page = _page(acme_site, "owner", "globex", **PERIOD)
    assert page.status_code == 404
    assert "Acme" not in page.text and "Mention p1" not in page.text
    rival = acme_site.client.get(f"/brands/{acme_site.brand_ids['rival']}/overview")
    assert rival.status_code == 404  # a competitor is not a brand page of globex either


def test_every_role_reads_the_overview_and_no_page_leaves_the_origin(acme_site: Site) -> None:
    page = _page(acme_site, "viewer", **PERIOD)
    assert page.status_code == 200
    assert not re.search(r'(src|href|action)="(https?:)?//', page.text)
    assert "<script>" not in page.text and " style=" not in page.text


def test_the_page_shares_the_api_s_block_cache_and_sees_every_change(acme_site: Site) -> None:
    first = _page(acme_site, **PERIOD)
    assert _kpi(first, "mentions").startswith("Mentions 4")
    cache = acme_site.client.app.state.dashboard_cache  # type: ignore[attr-defined]
    assert cache.stats().entries > 0  # the page filled the API routes' cache
    hits = cache.stats().hits
    again = acme_site.client.get(f"/brands/{acme_site.brand_ids['acme']}/overview",
                                 params=PERIOD)
    assert _kpi(again, "mentions") == _kpi(first, "mentions")
    assert cache.stats().hits > hits  # the second page came from the cache
    ingest.ingest(acme_site.engine, [_post("p7", 8, CAROL)], source="acme", format="t",
                  brand_id=acme_site.brand_ids["acme"])
    after = acme_site.client.get(f"/brands/{acme_site.brand_ids['acme']}/overview",
                                 params=PERIOD)
    assert _kpi(after, "mentions").startswith("Mentions 5")  # not the cached 4
