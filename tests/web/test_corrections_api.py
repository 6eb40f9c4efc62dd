"""``/api/v1/corrections``: sentiment and topic corrections by role, applied at once,
audited, listed per brand and never across workspaces; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from confiance.domain import Brand
from confiance.store import audit, brands, rollups
from confiance.store.tables import brand_posts
from tests.web.mention_site import MentionSite, mentions_site

__all__ = ["mentions_site"]


def _post(ms: MentionSite, role: str, body: dict[str, Any], workspace: str = "acme"
          ) -> tuple[int, dict[str, Any]]:
    answer = ms.site.client.post("/api/v1/corrections", json=body,
                                 headers=ms.site.as_(role, workspace))
    return answer.status_code, answer.json()


def test_an_analyst_corrects_sentiment_and_topics_at_once(mentions_site: MentionSite) -> None:
    ms = mentions_site
    post_id = ms.seeded.ids["a1"]
    before = ms.get(f"/api/v1/posts/{post_id}")["enrichment"]
    status, body = _post(ms, "analyst", {"post_id": post_id, "sentiment": "negative",
                                         "topics": ["delivery", "packaging"]})
    assert status == 201, body
    assert body["brand_id"] == ms.site.brand_ids["acme"]
    assert body["sentiment"]["label"] == "negative"
    assert body["sentiment"]["previous"] == before["sentiment"]
    assert body["topics"]["added"] == sorted({"delivery", "packaging"} - set(before["topics"]))
    assert body["topics"]["removed"] == sorted(set(before["topics"]) - {"delivery",
                                                                        "packaging"})
    now = ms.get(f"/api/v1/posts/{post_id}")
    assert now["enrichment"]["sentiment"] == "negative"
    assert now["enrichment"]["sentiment_score"] == -1.0
    assert now["enrichment"]["topics"] == ["delivery", "packaging"]
    assert now["enrichment"]["made_by"]["topics"] == "correction"
    assert {c["kind"] for c in now["corrections"]} == {"sentiment", "topics"}
    assert ms.keys("/api/v1/posts", topic="packaging") == ["a1"]
    with ms.site.engine.connect() as conn:
        logged = audit.entries(conn, ms.site.workspace_ids["acme"])
    assert {e.action for e in logged} >= {"correction.sentiment", "correction.topics"}
    assert all(e.actor == "analyst@acme.example" for e in logged
               if e.action.startswith("correction."))
    same, again = _post(ms, "moderator", {"post_id": post_id,
                                          "topics": ["packaging", "delivery"]})
    assert same == 201 and again["topics"] is None  # already so: nothing stored


def test_roles_and_isolation(mentions_site: MentionSite) -> None:
    ms = mentions_site
    ids = ms.seeded.ids
    status, body = _post(ms, "viewer", {"post_id": ids["a3"], "sentiment": "positive"})
    assert (status, body["error"]["code"]) == (403, "E604")
    status, body = _post(ms, "owner", {"post_id": ids["b2"], "sentiment": "positive"})
    assert (status, body["error"]["code"]) == (404, "E605")  # globex's post
    status, body = _post(ms, "owner", {"post_id": ids["s1"], "sentiment": "neutral",
                                       "brand_id": ms.site.brand_ids["globex"]})
    assert (status, body["error"]["code"]) == (422, "E633")  # not acme's brand
    assert _post(ms, "owner", {"post_id": ids["a3"]})[1]["error"]["code"] == "E631"
    assert _post(ms, "owner", {"post_id": ids["a3"], "topics": ["Livraison!"]}
                 )[1]["error"]["code"] == "E634"
    assert _post(ms, "owner", {"post_id": ids["a3"], "sentiment": "furious"}
                 )[1]["error"]["code"] == "E621"
    unenriched = ids["a5"]  # i % 8 == 5: never enriched
    status, body = _post(ms, "owner", {"post_id": unenriched, "topics": ["price"],
                                       "sentiment": "positive"})
    assert (status, body["error"]["code"]) == (409, "E635")
    assert ms.get(f"/api/v1/posts/{unenriched}")["corrections"] == []  # nothing half-done
    # acme corrects a shared post; globex sees neither the correction nor its audit entry
    assert _post(ms, "analyst", {"post_id": ids["s1"], "sentiment": "negative"})[0] == 201
    assert ms.get(f"/api/v1/posts/{ids['s1']}", "owner", "globex")["corrections"] == []
    assert ms.get("/api/v1/corrections", "owner", "globex")["items"] == []
    with ms.site.engine.connect() as conn:
        assert audit.entries(conn, ms.site.workspace_ids["globex"]) == []


def test_a_post_of_two_brands_names_the_brand(mentions_site: MentionSite) -> None:
    ms = mentions_site
    second = brands.add(ms.site.engine, Brand(name="Acme Bis"),
                        workspace_id=ms.site.workspace_ids["acme"])
    post_id = ms.seeded.ids["a7"]
    with ms.site.engine.begin() as conn:
        conn.execute(sa.insert(brand_posts).values(brand_id=second, post_id=post_id,
                                                   via="import"))
        rollups.refresh(conn, [post_id])  # as every attachment does (brands.attach)
    status, body = _post(ms, "analyst", {"post_id": post_id, "sentiment": "positive"})
    assert (status, body["error"]["code"]) == (422, "E632")
    assert "Acme Bis" in body["error"]["message"]
    status, body = _post(ms, "analyst", {"post_id": post_id, "sentiment": "positive",
                                         "brand_id": second})
    assert status == 201 and body["brand_id"] == second
    mine = ms.get("/api/v1/corrections", brand_id=second)["items"]
    assert [(c["kind"], c["post_id"], c["label"]) for c in mine] == [
        ("sentiment", post_id, "positive")]
    assert ms.get("/api/v1/corrections", brand_id=ms.site.brand_ids["acme"])["items"] == []


def test_the_list_pages_newest_first(mentions_site: MentionSite) -> None:
    ms = mentions_site
    ids = ms.seeded.ids
    done = []
    for n, key in enumerate(["a0", "a3", "a6", "a9", "s2"]):
        body = {"post_id": ids[key], "sentiment": ["positive", "negative"][n % 2]}
        if n % 2:
            body["topics"] = ["price"]
        assert _post(ms, "moderator", body)[0] == 201
        done.append(key)
    pages = ms.pages("/api/v1/corrections", limit=2)
    items = [c for page in pages for c in page]
    assert len(items) == len({(c["kind"], c["id"]) for c in items}) == 5 + 2
    order = [(c["created_at"], c["kind"], c["id"]) for c in items]
    assert order == sorted(order, key=lambda o: (o[0], o[1] == "topics", o[2]), reverse=True)
    assert {ms.key(c["post_id"]) for c in items} == set(done)
    assert [c["kind"] for c in ms.get("/api/v1/corrections", kind="topics")["items"]] == \
        ["topics", "topics"]
    assert ms.get("/api/v1/corrections", post_id=ids["a0"])["items"][0]["post"] == "x:a0"
    wrong = ms.site.client.get("/api/v1/corrections", headers=ms.site.as_("viewer"),
                               params={"cursor": ms.get("/api/v1/corrections", limit=1)["next"],
                                       "kind": "sentiment"})
    assert wrong.json()["error"]["code"] == "E612"
    refused = ms.site.client.get("/api/v1/corrections", headers=ms.site.as_("viewer"),
                                 params={"brand_id": ms.site.brand_ids["globex"]})
    assert refused.json()["error"]["code"] == "E605"
