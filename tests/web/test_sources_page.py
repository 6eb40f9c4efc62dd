"""The listening sources page: health at a glance, forms for analysts and owners only, a push
secret shown once, and errors next to the form."""

from __future__ import annotations

import html
import re
from typing import Any

from confiance.store import listening
from tests.web.conftest import Site
from tests.web.test_pages import hidden, sign_in


def _open(site: Site, role: str = "viewer", workspace: str = "acme") -> Any:
    site.client.cookies.clear()
    sign_in(site.client, site.email(role, workspace))
    return site.client.get(f"/brands/{site.brand_ids['acme']}/sources")


def _text(page: Any) -> str:
    plain = html.unescape(re.sub(r"<[^>]+>", " ", page.text))
    return re.sub(r"\s+", " ", plain.replace("\u202f", " ").replace("\xa0", " "))


def _add(site: Site, page: Any, **fields: str) -> Any:
    return site.client.post(f"/brands/{site.brand_ids['acme']}/sources",
                            data={"csrf_token": hidden(page), **fields})


def test_viewers_see_the_sources_and_their_health_but_no_form(site: Site) -> None:
    with site.engine.begin() as conn:
        source, secret = listening.add_source(
            conn, brand_id=site.brand_ids["acme"], name="Avis boutique", mode="push",
            format="ndjson", config={}, interval_s=60)
        failing, _ = listening.add_source(
            conn, brand_id=site.brand_ids["acme"], name="Flux presse", mode="poll",
            format="rss", config={"url": "https://example.org/feed"}, interval_s=900)
        conn.execute(listening.listen_sources.update()
                     .where(listening.listen_sources.c.id == failing.id)
                     .values(health="failing", failures=3,
                             last_error="The feed answered 503: try again later."))
    page = _open(site)
    assert page.status_code == 200
    text = _text(page)
    assert "Sources d’écoute" in text and "Avis boutique" in text
    assert f"POST /api/v1/listen/push/{source.push_key}" in text
    assert "En panne (3 échecs de suite)" in text and "answered 503" in text
    assert secret is not None and secret not in page.text
    assert 'id="add-source"' not in page.text and 'id="sources-readonly"' in page.text
    refused = site.client.post(f"/brands/{site.brand_ids['acme']}/sources/{source.id}/pause",
                               data={"csrf_token": hidden(page)})
    assert refused.status_code == 403


def test_an_analyst_adds_a_push_source_and_sees_its_secret_once(site: Site) -> None:
    page = _open(site, "analyst")
    added = _add(site, page, name="Widget avis", mode="push", format="ndjson")
    assert added.status_code == 200
    secret = re.search(r'id="push-secret-value">([^<]+)<', added.text)
    assert secret is not None
    again = site.client.get(f"/brands/{site.brand_ids['acme']}/sources")
    assert "Widget avis" in again.text and secret.group(1) not in again.text
    with site.engine.connect() as conn:
        [source] = listening.list_sources(conn, [site.brand_ids["acme"]])
    assert source.mode == "push" and source.format == "ndjson"


def test_a_refused_source_is_explained_next_to_the_form(site: Site) -> None:
    page = _open(site, "owner")
    bad = _add(site, page, name="Mastodon", mode="poll", format="mastodon",
               config='{"hashtag": "x"}')
    assert bad.status_code == 200
    text = _text(bad)
    assert "Cette source ne peut pas être ajoutée." in text and "E750" in text
    assert 'value="Mastodon"' in bad.text  # what was typed stays
    not_json = _add(site, page, name="X", mode="poll", format="mastodon", config="{oops")
    assert "E746" in _text(not_json)
    with site.engine.connect() as conn:
        assert listening.list_sources(conn) == []


def test_pause_resume_and_remove(site: Site) -> None:
    with site.engine.begin() as conn:
        source, _ = listening.add_source(conn, brand_id=site.brand_ids["acme"], name="Boutique",
                                         mode="push", format="ndjson", config={},
                                         interval_s=60)
    page = _open(site, "analyst")
    base = f"/brands/{site.brand_ids['acme']}/sources/{source.id}"
    paused = site.client.post(f"{base}/pause", data={"csrf_token": hidden(page)})
    assert "Source mise en pause." in _text(paused) and "En pause" in _text(paused)
    resumed = site.client.post(f"{base}/resume", data={"csrf_token": hidden(page)})
    assert "Source relancée" in _text(resumed)
    rotated = site.client.post(f"{base}/rotate-secret", data={"csrf_token": hidden(page)})
    assert re.search(r'id="push-secret-value">[^<]{30,}<', rotated.text)
    removed = site.client.post(f"{base}/remove", data={"csrf_token": hidden(page)})
    assert "Source supprimée" in _text(removed)
    with site.engine.connect() as conn:
        assert listening.list_sources(conn) == []


def test_another_workspace_cannot_see_or_change_them(site: Site) -> None:
    with site.engine.begin() as conn:
        source, _ = listening.add_source(conn, brand_id=site.brand_ids["acme"], name="Boutique",
                                         mode="push", format="ndjson", config={},
                                         interval_s=60)
    page = _open(site, "owner", "globex")
    assert page.status_code == 404
    home = site.client.get(f"/brands/{site.brand_ids['globex']}/sources")
    refused = site.client.post(
        f"/brands/{site.brand_ids['acme']}/sources/{source.id}/remove",
        data={"csrf_token": hidden(home)})
    assert refused.status_code == 404
    with site.engine.connect() as conn:
        assert len(listening.list_sources(conn)) == 1
