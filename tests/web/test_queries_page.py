"""The query editor page (/brands/{id}/queries): live preview, errors at their position,
saving with a re-match, roles and workspaces. The browser test is in tests/e2e/."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from confiance.core.errors import ConfianceError
from confiance.domain import Platform, Post
from confiance.enrich.query import parse_query
from confiance.store import audit, ingest
from confiance.store.tables import brand_posts, brands
from confiance.web.pages.queries_page import _targets, highlight, problem_of
from tests.web.conftest import Site
from tests.web.mention_site import MentionSite, mentions_site
from tests.web.test_pages import hidden, sign_in

__all__ = ["mentions_site"]

HX = {"HX-Request": "true"}


def _page(site: Site, role: str = "owner", workspace: str = "acme") -> Any:
    """Sign in as ``role`` and open acme's query page."""
    sign_in(site.client, site.email(role, workspace))
    return site.client.get(f"/brands/{site.brand_ids['acme']}/queries")


def _preview(site: Site, query: str, page: Any, *, htmx: bool = True) -> Any:
    return site.client.post(f"/brands/{site.brand_ids['acme']}/queries/preview",
                            data={"query": query, "csrf_token": hidden(page)},
                            headers=HX if htmx else None)


def _save(site: Site, query: str, page: Any) -> Any:
    return site.client.post(f"/brands/{site.brand_ids['acme']}/queries",
                            data={"query": query, "csrf_token": hidden(page)},
                            follow_redirects=False)


def _state(site: Site) -> tuple[str | None, list[tuple[int, str]], int]:
    """acme's stored query, its attachments and the number of audit entries of acme."""
    with site.engine.connect() as conn:
        query = conn.execute(sa.select(brands.c.query).where(
            brands.c.id == site.brand_ids["acme"])).scalar_one()
        rows = conn.execute(sa.select(brand_posts.c.post_id, brand_posts.c.via).where(
            brand_posts.c.brand_id == site.brand_ids["acme"]).order_by(brand_posts.c.post_id))
        entries = audit.entries(conn, site.workspace_ids["acme"])
    return query, [(int(r.post_id), r.via) for r in rows], len(entries)


def _text(html: str) -> str:
    """The visible words of ``html``, spaces normalised (French numbers use no-break ones)."""
    words = re.sub(r"<[^>]+>", " ", html).replace("\u202f", " ").replace("\xa0", " ")
    return " ".join(words.split())


# --- the page -------------------------------------------------------------------------------------


def test_the_editor_holds_the_stored_query_and_its_preview(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    page = _page(site, "analyst")
    assert page.status_code == 200
    html = page.text
    assert '<label for="query">Requête booléenne</label>' in html
    textarea = re.search(r"<textarea[^>]*>\n([^<]*)</textarea>", html)
    assert textarea is not None and textarea.group(1) == "acme OR #acme"
    tag = textarea.group(0)
    assert f'hx-post="/brands/{site.brand_ids["acme"]}/queries/preview"' in tag
    assert 'hx-trigger="input changed delay:400ms"' in tag and "readonly" not in tag
    assert 'aria-describedby="query-hint query-error"' in tag and "aria-invalid" not in tag
    form = html[html.index('<form class="query-editor"'):]
    assert 'name="csrf_token"' in form[:form.index("</form>")]
    assert "Prévisualiser" in html and "Enregistrer la requête" in html
    assert "Aide-mémoire de la syntaxe" in html and "NEAR/3" in html
    assert "docs/query-language.md" in html
    # acme's query finds none of the 34 posts of the workspace (a0..a29, s0..s3)
    assert "0 des 34 derniers posts de l’espace de travail correspond" in _text(html)
    assert "Chargement" not in html
    assert "/static/js/queries.js" in html


def test_live_preview_counts_highlights_and_compares(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    page = _page(site, "analyst")
    answer = _preview(site, "livraison", page)
    assert answer.status_code == 200 and "<html" not in answer.text
    text = _text(answer.text)
    # "livraison rapide" is the text of a2, a10, a18 and a26 in the workspace (and of b4)
    assert "4 des 34 derniers posts de l’espace de travail correspondent" in text
    assert answer.text.count("<mark>livraison</mark>") == 4
    assert "+4 seraient rattachés à la marque, −0 détachés" in text
    assert 'id="query-error-area" hx-swap-oob="innerHTML"' in answer.text
    assert 'id="query-summary" hx-swap-oob="innerHTML"' in answer.text
    assert "b4" not in answer.text  # globex's post says "livraison" too: not in acme's sample
    accents = _preview(site, "LUMIERE NOT title:avis", page)
    assert "<mark>Lumière</mark> du matin" in accents.text
    assert "<mark>Avis" not in accents.text  # a title excluded by NOT is not "found"
    same = _preview(site, "(acme)  OR #acme", page)
    assert "C’est la requête enregistrée" in same.text


def test_the_preview_works_without_javascript(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    page = _page(site, "owner")
    answer = _preview(site, '"colis perdu"', page, htmx=False)
    assert answer.status_code == 200 and "<html" in answer.text
    assert re.search(r"<textarea[^>]*>\n&#34;colis perdu&#34;</textarea>", answer.text)
    assert "<mark>colis perdu</mark>" in answer.text
    assert _state(site)[0] == "acme OR #acme"  # a preview saves nothing


def test_posts_and_queries_are_escaped(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    ingest.ingest(site.engine, [Post(platform=Platform.X, platform_id="evil",
                                     text='<script>alert("x")</script> lumiere <b>')],
                  source="test", format="test", brand_id=site.brand_ids["acme"])
    page = _page(site, "owner")
    answer = _preview(site, "alert OR <img src=x>", page, htmx=False)
    assert "<script>alert" not in answer.text and "<img src=x>" not in answer.text
    assert "&lt;script&gt;<mark>alert</mark>(&#34;x&#34;)&lt;/script&gt; lumiere &lt;b&gt;" \
        in answer.text
    assert "alert OR &lt;img src=x&gt;</textarea>" in answer.text


@pytest.mark.parametrize(("query", "where", "pre"), [
    ("(bougie OR figue", "colonne 1 (E401) : cette ( n’est jamais fermée",
     "<mark>(</mark>bougie OR figue\n^"),
    ("bougie AND", "colonne 11 (E401) : un terme est attendu après AND",
     "bougie AND<mark></mark>\n          ^"),
    ("bougie\nOR figue)", "ligne 2, colonne 9 (E401) : cette ) ne ferme aucune (",
     "OR figue<mark>)</mark>\n        ^"),
    ("couleur:rouge", "colonne 1 (E403) :", "<mark>couleur:</mark>rouge\n^^^^^^^^"),
])
def test_a_mistake_is_shown_at_its_position(mentions_site: MentionSite, query: str, where: str,
                                            pre: str) -> None:
    site = mentions_site.site
    page = _page(site, "analyst")
    answer = _preview(site, query, page)
    assert 'id="query-error"' in answer.text
    assert where in _text(answer.text)
    assert f'<pre class="query-caret"><code>{pre}</code></pre>' in answer.text
    assert "La requête n’est pas valide" in answer.text and "<mark>" not in \
        answer.text.split('id="query-error-area"')[0]
    full = _preview(site, query, page, htmx=False)
    textarea = re.search(r"<textarea[^>]*>", full.text)
    assert textarea is not None and 'aria-invalid="true"' in textarea.group(0)
    assert 'aria-describedby="query-hint query-error"' in textarea.group(0)


# --- saving ---------------------------------------------------------------------------------------


def test_an_owner_saves_the_query_and_the_posts_are_matched_again(
        mentions_site: MentionSite) -> None:
    site = mentions_site.site
    ids = mentions_site.seeded.ids
    page = _page(site, "owner")
    answer = _save(site, "livraison OR colis", page)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/brands/{site.brand_ids['acme']}/queries?saved=1"
    query, attached, entries = _state(site)
    assert query == "livraison OR colis"
    by_post = dict(attached)
    for key in ("a2", "a3", "a10", "a11"):  # livraison rapide, colis perdu
        assert by_post[ids[key]] == "query"
    assert ids["a0"] not in by_post  # was attached by the old query, no longer matches
    assert {by_post[ids[f"s{i}"]] for i in range(4)} == {"import"}  # imports stay
    with site.engine.connect() as conn:
        entry = audit.entries(conn, site.workspace_ids["acme"], limit=1)[0]
    assert entry.action == "brand.update" and entry.target == "Acme"
    assert entry.actor == site.email("owner")
    assert entry.details is not None and entry.details["query"] == "livraison OR colis"
    assert entry.details["rematch"]["posts"] == 40 and entry.details["rematch"]["removed"] > 0
    shown = site.client.get(answer.headers["location"])
    text = _text(shown.text)
    assert "Requête enregistrée." in text and "40 posts stockés réexaminés" in text
    assert "livraison OR colis</textarea>" in shown.text
    assert entries >= 1


def test_an_invalid_query_is_refused_and_nothing_is_saved(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    page = _page(site, "analyst")
    before = _state(site)
    answer = _save(site, "livraison AND (colis", page)
    assert answer.status_code == 422
    assert "Rien n’a été enregistré" in answer.text and 'role="alert"' in answer.text
    assert "colonne 15 (E401)" in _text(answer.text)
    assert "livraison AND (colis</textarea>" in answer.text
    assert _state(site) == before


@pytest.mark.parametrize("role", ["viewer", "moderator"])
def test_readers_see_the_editor_read_only_and_cannot_save(mentions_site: MentionSite,
                                                          role: str) -> None:
    site = mentions_site.site
    page = _page(site, role)
    textarea = re.search(r"<textarea[^>]*>", page.text)
    assert textarea is not None and "readonly" in textarea.group(0)
    assert "hx-post" not in textarea.group(0)
    assert "Enregistrer la requête" not in page.text
    assert "Seuls les propriétaires et les analystes" in page.text
    before = _state(site)
    answer = _save(site, "livraison", page)
    assert answer.status_code == 403
    assert _state(site) == before


def test_saving_needs_the_csrf_token(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    _page(site, "owner")
    before = _state(site)
    answer = site.client.post(f"/brands/{site.brand_ids['acme']}/queries",
                              data={"query": "livraison"}, follow_redirects=False)
    assert answer.status_code == 403
    assert _state(site) == before


def test_another_workspace_finds_no_such_page(mentions_site: MentionSite) -> None:
    site = mentions_site.site
    page = _page(site, "owner", "globex")
    assert page.status_code == 404 and "Acme" not in page.text
    own = site.client.get(f"/brands/{site.brand_ids['globex']}/queries")
    before = _state(site)
    for answer in (_preview(site, "livraison", own), _preview(site, "livraison", own, htmx=False),
                   _save(site, "livraison", own)):
        assert answer.status_code == 404, answer.text[:200]
        assert "Cette page n’existe pas" in answer.text and "livraison rapide" not in answer.text
    assert _state(site) == before


# --- the pieces -----------------------------------------------------------------------------------


def _marked(query: str, text: str) -> list[str]:
    return [s.text for s in highlight(text, _targets(parse_query(query).root)) if s.marked]


def test_highlight_marks_what_the_query_finds() -> None:
    assert _marked('"Maison Lumière" OR bougie*', "maison-lumiere : Bougies, BOUGEOIR") == \
        ["maison-lumiere", "Bougies"]
    assert _marked("#acme OR @lea", "#Acme et @léa, acme, lea") == ["#Acme", "@léa"]
    assert _marked("cœur NOT emploi", "Coeur, emploi") == ["Coeur"]
    assert _marked("a NEAR/2 b AND title:x", "a et b, x") == ["a", "b", "x"]
    long = highlight("x " * 400, _targets(parse_query("x").root), limit=10)
    assert long[-1].text == "…" and sum(s.marked for s in long) == 5


def test_problem_of_cuts_the_line_at_the_mistake() -> None:
    with pytest.raises(ConfianceError) as caught:
        parse_query("a OR\n\tb AND")
    problem = problem_of(caught.value, "a OR\n\tb AND")
    assert (problem.line, problem.column, problem.multiline) == (2, 7, True)
    assert (problem.before, problem.bad, problem.caret) == (" b AND", "", "      ^")
    assert problem.kind == "term_after" and problem.subject == "AND"
    with pytest.raises(ConfianceError) as caught:
        parse_query("")
    assert problem_of(caught.value, "").kind == "empty"
