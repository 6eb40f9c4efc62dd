"""The mentions explorer (``/brands/{id}/mentions``) through the in-process client: filters
and their errors, paging, exports, a mention's page, one-click corrections by role, and
isolation between workspaces (the browser test is in tests/e2e/test_mentions_page.py)."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from confiance.store import audit, corrections
from confiance.store.tables import sentiment_corrections, topic_corrections
from tests.web.mention_site import MentionSite, mentions_site
from tests.web.test_pages import hidden, sign_in

__all__ = ["mentions_site"]

ITEM = re.compile(r'<li class="mention" id="mention-(\d+)">')


def _open(ms: MentionSite, role: str = "analyst", workspace: str = "acme") -> int:
    """Sign in as the user with ``role``; the brand id of ``workspace``."""
    answer = sign_in(ms.site.client, ms.site.email(role, workspace))
    assert answer.status_code == 303, answer.text
    return ms.site.brand_ids[workspace]


def _page(ms: MentionSite, brand: int, suffix: str = "", **params: Any) -> Any:
    return ms.site.client.get(f"/brands/{brand}/mentions{suffix}", params=params)


def _keys(ms: MentionSite, text: str) -> list[str]:
    """The seed keys of the mentions listed in ``text``, in order."""
    return [ms.key(int(found)) for found in ITEM.findall(text)]


def _api_keys(ms: MentionSite, **params: Any) -> list[str]:
    return ms.keys("/api/v1/posts", brand_id=ms.site.brand_ids["acme"], **params)


def plain(text: str) -> str:
    """``text`` with the no-break spaces of French typography as plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _found(pattern: str, text: str) -> str:
    """The first group of ``pattern`` in ``text``, unescaped."""
    found = re.search(pattern, text)
    assert found, f"nothing matches {pattern}"
    return html.unescape(found.group(1))


def _link(text: str, css: str) -> str:
    """The ``href`` of the first link with class ``css``."""
    return _found(rf'<a class="{css}" href="([^"]+)"', text)


def test_the_list_shows_the_newest_mentions_with_their_labels(mentions_site: MentionSite
                                                               ) -> None:
    ms = mentions_site
    brand = _open(ms)
    page = _page(ms, brand)
    assert page.status_code == 200
    text = page.text
    assert _keys(ms, text) == _api_keys(ms)[:25]
    assert "34 mentions trouvées" in text  # 30 of acme only + 4 shared with globex
    a28 = ms.seeded.ids["a28"]
    item = text.split(f'id="mention-{a28}"', 1)[1].split("</article>", 1)[0]
    assert "Zoé" in item and "@zoe" in item and "Instagram" in item
    assert "très belle odeur n°28 a28" in item and "anglais" in item
    assert 'class="sentiment sentiment-neutral"' in item and "Neutre" in item and "0,80" in item
    assert "Livraison" in item and "Prix" in item and "Réclamation" in item
    assert 'datetime="2026-10-01T22:00:00+00:00"' in item and "1 oct. 2026" in item
    assert f'href="/brands/{brand}/mentions/{a28}"' in item
    assert "<dt>J’aime</dt><dd>0</dd>" in item and "<dt>Commentaires</dt><dd>1</dd>" in item
    assert "Plus de mentions" in text


def test_text_is_escaped(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    with ms.site.engine.begin() as conn:
        conn.execute(sa.text("UPDATE posts SET text = :t WHERE id = :i"),
                     {"t": "<script>alert(1)</script> & co", "i": ms.seeded.ids["a28"]})
    text = _page(ms, brand).text
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text


def test_filters_narrow_the_list_as_the_api_does(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    negative = _page(ms, brand, sentiment="negative")
    expected = _api_keys(ms, sentiment="negative")
    assert _keys(ms, negative.text) == expected
    assert f"{len(expected)} mentions trouvées" in negative.text
    assert '<option value="negative" selected>Négatif</option>' in negative.text
    searched = _page(ms, brand, q="livraison", sort="created_at", platform="x")
    expected = _api_keys(ms, q="livraison", sort="created_at", platform="x")
    assert expected and _keys(ms, searched.text) == expected
    assert 'id="q" name="q" type="search" value="livraison"' in searched.text
    many = _page(ms, brand, topic="delivery", sort="-engagement", language="fr")
    assert _keys(ms, many.text) == _api_keys(ms, topic="delivery", sort="-engagement",
                                             language="fr")
    assert "<details class=\"more-filters\" open>" in many.text  # topic, language are there
    # empty fields (a plain form submit sends them all) are no filter
    blank = _page(ms, brand, q="", sentiment="", since="", until="", author="")
    assert _keys(ms, blank.text) == _api_keys(ms)[:25]


def test_days_cover_the_whole_day_and_the_author_link_filters(mentions_site: MentionSite
                                                               ) -> None:
    ms = mentions_site
    brand = _open(ms)
    day = _page(ms, brand, since="2026-10-01", until="2026-10-01")
    expected = _api_keys(ms, since="2026-10-01T00:00:00Z", until="2026-10-02T00:00:00Z")
    assert len(expected) == 28 and _keys(ms, day.text) == expected[:25]
    assert "28 mentions trouvées" in day.text
    next_day = _page(ms, brand, since="2026-10-02", until="2026-10-02")
    assert sorted(_keys(ms, next_day.text)) == ["s0", "s1", "s2", "s3"]  # 02:00 and 03:00
    lea = _page(ms, brand, author="lea")
    assert set(_keys(ms, lea.text)) == set(_api_keys(ms, author="lea"))


def test_a_query_filter_without_a_cheap_count_says_more_than_a_page(
        mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    page = _page(ms, brand, query="platform:x OR platform:instagram")
    assert len(_keys(ms, page.text)) == 25
    assert "Plus de 25 mentions trouvées" in page.text


def test_bad_filters_show_the_catalogue_error_inline(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    cases = [({"since": "2026-10-05", "until": "2026-10-01"}, "E613", "since must come before"),
             ({"since": "2026-13-45"}, "E613", "YYYY-MM-DD"),
             ({"sort": "random"}, "E613", "use one of -created_at"),
             ({"sentiment": "furious"}, "E613", "use one of positive"),
             ({"language": "français!"}, "E613", "language"),
             ({"q": "?!"}, "E630", "cannot be used"),
             ({"query": "bougie AND"}, "E40", "Query error"),
             ({"cursor": "not-a-cursor"}, "E612", "is not valid")]
    for params, code, words in cases:
        answer = _page(ms, brand, **params)
        assert answer.status_code == 200, params
        alert = answer.text.split('role="alert" id="filter-error"', 1)[1].split("</div>", 1)[0]
        assert code in alert and html.escape(words, quote=False) in alert, (params, alert)
        assert "Ces filtres ne peuvent pas être utilisés." in alert
        assert not ITEM.search(answer.text)
    marked = _page(ms, brand, since="2026-10-05", until="2026-10-01").text
    assert 'aria-invalid="true"' in marked.split('id="since"', 1)[1].split(">", 1)[0]
    fragment = _page(ms, brand, "/more", cursor="bad")
    assert fragment.status_code == 422 and "E612" in fragment.text


def test_load_more_appends_the_next_page_and_works_without_javascript(
        mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    everything = _api_keys(ms, sentiment="positive", sort="-engagement")
    first = _page(ms, brand, sentiment="positive", sort="-engagement")
    assert len(everything) <= 25  # a small list ends without "load more"
    assert "Plus de mentions" not in first.text and "Il n’y a pas d’autre mention." in first.text
    page = _page(ms, brand, sort="created_at")
    shown = _keys(ms, page.text)
    more = _found(r'hx-get="([^"]+/mentions/more[^"]*)"', page.text)
    assert parse_qs(urlsplit(more).query)["sort"] == ["created_at"]
    rest = ms.site.client.get(more)
    assert rest.status_code == 200 and "<html" not in rest.text
    assert shown + _keys(ms, rest.text) == _api_keys(ms, sort="created_at")
    assert 'hx-swap-oob="innerHTML">9 mentions de plus chargées' in rest.text
    assert "Plus de mentions" not in rest.text
    plain = ms.site.client.get(_link(page.text, "button-secondary"))  # no JavaScript
    assert plain.status_code == 200 and "Revenir aux premières mentions" in plain.text
    assert _keys(ms, plain.text) == _keys(ms, rest.text)


def test_export_links_carry_the_filters(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    page = _page(ms, brand, sentiment="negative", since="2026-10-01", until="2026-10-01",
                 q="livraison").text
    link = _found(r'href="(/api/v1/posts/export\?[^"]+format=csv)"', page)
    params = parse_qs(urlsplit(link).query)
    assert params["brand_id"] == [str(brand)] and params["sentiment"] == ["negative"]
    assert params["until"] == ["2026-10-02T00:00:00+00:00"] and params["q"] == ["livraison"]
    csv = ms.site.client.get(link)  # the session cookie is enough for a GET
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    rows = csv.text.strip().splitlines()[1:]
    assert len(rows) == len(_api_keys(ms, sentiment="negative", q="livraison",
                                      since="2026-10-01T00:00:00Z",
                                      until="2026-10-02T00:00:00Z"))
    ndjson = _found(r'href="(/api/v1/posts/export\?[^"]+ndjson)"', page)
    assert ms.site.client.get(ndjson).text.count("\n") == len(rows)


def test_a_mention_page_shows_text_author_thread_analysis_and_brands(
        mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    ids = ms.seeded.ids
    answer = ms.site.client.get(f"/brands/{brand}/mentions/{ids['a1']}")
    assert answer.status_code == 200
    text = answer.text
    assert "<h2 id=\"panel-title\">Mention de @marc</h2>" in text
    assert "Lumière du matin n°1 a1" in text and "#lumiere" in text
    assert 'href="https://example.org/a1" rel="noopener noreferrer nofollow"' in text
    thread = text.split('id="thread-title"', 1)[1].split("</section>", 1)[0]
    assert f'href="/brands/{brand}/mentions/{ids["a0"]}"' in thread  # the parent
    assert f'href="/brands/{brand}/mentions/{ids["a2"]}"' in thread  # a reply
    assert "b0" not in thread  # globex's reply is not acme's to see
    assert "1 réponse" in thread
    marc = len(_api_keys(ms, author="marc"))
    assert f"{marc} mentions de cette marque par cet auteur" in text
    assert "50 abonnés" in text
    assert "<code>confiance.sentiment.v1</code>" in text and "Question" in text
    assert "Toxicité" in text and "Acme <span class=\"hint\">(trouvée par sa requête)" in text
    assert "Aucune correction pour l’instant." in text
    assert 'aria-current="page">Mentions</a>' in text


def test_the_least_certain_labels_come_first_to_be_reviewed(mentions_site: MentionSite
                                                            ) -> None:
    ms = mentions_site
    brand = _open(ms)
    listed = _page(ms, brand, sort="sentiment_confidence").text
    keys = _keys(ms, listed)
    assert keys == _api_keys(ms, sort="sentiment_confidence")[:25]
    assert '<option value="sentiment_confidence" selected>Sentiment le moins sûr d’abord' \
        in listed
    items = listed.split('<li class="mention" id="mention-')[1:]
    confidences = [ms.get(f"/api/v1/posts/{ms.seeded.ids[key]}")["enrichment"]
                   ["sentiment_confidence"] for key in keys]
    assert confidences == sorted(confidences) and confidences[0] < 0.5 < confidences[-1]
    assert "même s’il est déjà sélectionné : une confirmation" in listed  # how to confirm
    assert "une confirmation" not in _page(ms, brand, sort="-created_at").text
    # "unsure" below half the model's belief, and only there
    assert ["incertain" in item for item in items] == [c < 0.5 for c in confidences]
    detail = plain(ms.site.client.get(f"/brands/{brand}/mentions/{ms.seeded.ids[keys[0]]}").text)
    shown = f"{round(confidences[0] * 100)} %"
    assert f"<dt>Certitude du sentiment</dt><dd>{shown}</dd>" in detail


def _form(ms: MentionSite, brand: int, post: int, **data: str) -> dict[str, str]:
    page = ms.site.client.get(f"/brands/{brand}/mentions/{post}")
    return {"csrf_token": hidden(page), **data}


def test_an_analyst_corrects_the_sentiment_in_one_click(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    post = ms.seeded.ids["a28"]  # neutral
    answer = ms.site.client.post(
        f"/brands/{brand}/mentions/{post}/sentiment", follow_redirects=False,
        data=_form(ms, brand, post, sentiment="negative", view="item",
                   next=f"/brands/{brand}/mentions?sort=created_at"))
    assert answer.status_code == 303
    assert answer.headers["location"] == \
        f"/brands/{brand}/mentions?sort=created_at#mention-{post}"
    listed = _page(ms, brand, sentiment="negative").text
    item = listed.split(f'id="mention-{post}"', 1)[1].split("</article>", 1)[0]
    assert "sentiment-negative" in item and "corrigé" in item
    assert f'id="item-{post}-negative"\n              class="segment segment-negative" ' \
           'aria-pressed="true"' in item
    with ms.site.engine.connect() as conn:
        stored = conn.execute(sa.select(sentiment_corrections)).all()
        logged = audit.entries(conn, ms.site.workspace_ids["acme"])
    assert [(r.post_id, r.brand_id, r.label, r.previous, r.corrected_by) for r in stored] == \
        [(post, brand, "negative", "neutral", "analyst@acme.example")]
    assert any(e.action == "correction.sentiment" and e.target == f"post {post}"
               for e in logged)
    assert ("très belle odeur n°28 a28", "negative") in {
        (e.text, e.label) for e in corrections.examples(ms.site.engine, brand)}  # retraining
    detail = plain(ms.site.client.get(f"/brands/{brand}/mentions/{post}").text)
    assert "sentiment : Neutre → Négatif" in detail and "analyst@acme.example" in detail


def test_with_htmx_the_corrected_mention_comes_back_with_an_announcement(
        mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    post = ms.seeded.ids["a27"]
    answer = ms.site.client.post(
        f"/brands/{brand}/mentions/{post}/sentiment", headers={"HX-Request": "true"},
        data=_form(ms, brand, post, sentiment="positive", view="item",
                   next=f"/brands/{brand}/mentions?q=odeur"))
    assert answer.status_code == 200 and "<html" not in answer.text
    assert answer.text.lstrip().startswith(f'<li class="mention" id="mention-{post}">')
    assert 'hx-swap-oob="innerHTML">Correction enregistrée : Positif</p>' in plain(answer.text)
    assert f'name="next" value="/brands/{brand}/mentions?q=odeur"' in answer.text
    labels = ms.site.client.post(
        f"/brands/{brand}/mentions/{post}/sentiment", headers={"HX-Request": "true"},
        data=_form(ms, brand, post, sentiment="neutral", view="detail"))
    assert labels.text.lstrip().startswith('<section id="mention-labels"')
    assert "sentiment : Positif → Neutre" in plain(labels.text)


def test_topics_are_added_and_removed_from_the_mention_page(mentions_site: MentionSite
                                                            ) -> None:
    ms = mentions_site
    brand = _open(ms, "moderator")
    post = ms.seeded.ids["a2"]  # quality
    hx = {"HX-Request": "true"}
    added = ms.site.client.post(f"/brands/{brand}/mentions/{post}/topics", headers=hx,
                                data=_form(ms, brand, post, add="packaging", view="detail"))
    assert added.status_code == 200 and "Emballage" in added.text
    assert "thèmes ajoutés : Emballage" in plain(added.text)
    removed = ms.site.client.post(f"/brands/{brand}/mentions/{post}/topics",
                                  follow_redirects=False,
                                  data=_form(ms, brand, post, remove="quality", view="detail"))
    assert removed.status_code == 303
    assert ms.get(f"/api/v1/posts/{post}")["enrichment"]["topics"] == ["packaging"]
    with ms.site.engine.connect() as conn:
        stored = conn.execute(sa.select(topic_corrections.c.added, topic_corrections.c.removed)
                              .order_by(topic_corrections.c.id)).all()
        logged = audit.entries(conn, ms.site.workspace_ids["acme"])
    assert [(list(a), list(r)) for a, r in stored] == [(["packaging"], []), ([], ["quality"])]
    assert sum(e.action == "correction.topics" for e in logged) == 2
    unknown = ms.site.client.post(f"/brands/{brand}/mentions/{post}/topics",
                                  data=_form(ms, brand, post, add="bogus"))
    assert unknown.status_code == 422 and "E634" in unknown.text
    bare = ms.seeded.ids["a5"]  # not enriched: no topic to correct
    page = ms.site.client.get(f"/brands/{brand}/mentions/{bare}").text
    assert "Corriger les thèmes" not in page and "Pas encore analysée" in page
    refused = ms.site.client.post(f"/brands/{brand}/mentions/{bare}/topics",
                                  data=_form(ms, brand, bare, add="price"))
    assert refused.status_code == 409 and "E635" in refused.text


def test_a_viewer_sees_no_controls_and_cannot_correct(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms, "viewer")
    post = ms.seeded.ids["a3"]
    listed = _page(ms, brand).text
    assert ITEM.search(listed) and "sentiment-control" not in listed
    detail = ms.site.client.get(f"/brands/{brand}/mentions/{post}").text
    assert "Corriger le sentiment" not in detail and "Corriger les thèmes" not in detail
    for path, data in (("sentiment", {"sentiment": "negative"}), ("topics", {"add": "price"})):
        answer = ms.site.client.post(f"/brands/{brand}/mentions/{post}/{path}",
                                     data=_form(ms, brand, post, **data))
        assert answer.status_code == 403, path
        assert "Vous ne pouvez pas faire cela" in answer.text and "E604" in answer.text
    with ms.site.engine.connect() as conn:
        assert not conn.execute(sa.select(sentiment_corrections)).first()
        assert not conn.execute(sa.select(topic_corrections)).first()


def test_a_correction_needs_the_form_token(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    post = ms.seeded.ids["a3"]
    answer = ms.site.client.post(f"/brands/{brand}/mentions/{post}/sentiment",
                                 data={"sentiment": "negative"})
    assert answer.status_code == 403 and "E606" in answer.text
    bad = ms.site.client.post(f"/brands/{brand}/mentions/{post}/sentiment",
                              data=_form(ms, brand, post, sentiment="furious"))
    assert bad.status_code == 422 and "E613" in bad.text


def test_another_workspace_sees_nothing_of_acme(mentions_site: MentionSite) -> None:
    ms = mentions_site
    globex = _open(ms, "owner", "globex")
    acme = ms.site.brand_ids["acme"]
    ids = ms.seeded.ids
    token = hidden(ms.site.client.get(f"/brands/{globex}/mentions"))
    for path in (f"/brands/{acme}/mentions", f"/brands/{acme}/mentions/more",
                 f"/brands/{acme}/mentions/{ids['a3']}",
                 f"/brands/{globex}/mentions/{ids['a3']}"):
        answer = ms.site.client.get(path)
        assert answer.status_code == 404 and "E605" in answer.text, path
    for brand in (acme, globex):
        answer = ms.site.client.post(f"/brands/{brand}/mentions/{ids['a3']}/sentiment",
                                     data={"csrf_token": token, "sentiment": "negative"})
        assert answer.status_code == 404 and "E605" in answer.text, brand
    shared = ms.site.client.get(f"/brands/{globex}/mentions/{ids['s1']}")
    assert shared.status_code == 200 and "Globex" in shared.text
    assert "Acme" not in shared.text.split('id="brands-title"', 1)[1]
    listed = _page(ms, globex).text
    assert set(_keys(ms, listed)) == ms.seeded.b
    with ms.site.engine.connect() as conn:
        assert not conn.execute(sa.select(sentiment_corrections)).first()


def test_a_post_of_another_brand_of_the_workspace_is_not_this_brands(
        mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    globex_only = ms.seeded.ids["b2"]
    assert ms.site.client.get(f"/brands/{brand}/mentions/{globex_only}").status_code == 404


def test_the_page_speaks_english_to_an_english_user(mentions_site: MentionSite) -> None:
    ms = mentions_site
    brand = _open(ms)
    page = _page(ms, brand)
    ms.site.client.post("/language", data={"csrf_token": hidden(page), "locale": "en",
                                           "next": f"/brands/{brand}/mentions"})
    text = _page(ms, brand, sentiment="neutral").text
    assert '<html lang="en">' in text
    count = len(_api_keys(ms, sentiment="neutral"))
    assert f"{count} mentions found" in text and "Correct the sentiment" in text
    assert '<option value="neutral" selected>Neutral</option>' in text
    assert "Oct 1, 2026" in text and "French" in text
