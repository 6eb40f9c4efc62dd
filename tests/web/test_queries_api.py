"""``/api/v1/queries``: validating a brand query as it is typed, previewing what it finds
in a workspace (and nothing outside it); on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from confiance.store import mentions
from tests.web.mention_site import MentionSite, mentions_site

__all__ = ["mentions_site"]


def test_validate_answers_the_reading_or_where_the_mistake_is(
        mentions_site: MentionSite) -> None:
    client, headers = mentions_site.site.client, mentions_site.site.as_("viewer")
    good = client.post("/api/v1/queries/validate", headers=headers,
                       json={"query": "bougie figue OR  Lumière lang:FR"})
    assert good.status_code == 200
    assert good.json() == {"valid": True, "error": None,
                           "normalized": "(bougie AND figue) OR (Lumière AND lang:fr)",
                           "terms": ["bougie", "figue", "Lumière"]}
    bad = client.post("/api/v1/queries/validate", headers=headers,
                      json={"query": "bougie\nAND (figue"})
    assert bad.status_code == 200
    body = bad.json()
    assert body["valid"] is False and body["error"]["code"] == "E401"
    assert {k: body["error"]["details"][k] for k in ("position", "line", "column", "length")
            } == {"position": 11, "line": 2, "column": 5, "length": 1}
    assert client.post("/api/v1/queries/validate", headers=headers,
                       json={"query": ""}).json()["error"]["code"] == "E402"
    assert client.post("/api/v1/queries/validate", json={"query": "x"}).status_code == 401
    assert client.post("/api/v1/queries/validate", headers=headers,
                       json={}).json()["error"]["code"] == "E621"


def test_preview_scans_the_latest_posts_of_the_workspace_only(
        mentions_site: MentionSite, monkeypatch: pytest.MonkeyPatch) -> None:
    ms = mentions_site
    client = ms.site.client

    def preview(workspace: str, query: str, role: str = "viewer", **extra: object
                ) -> dict[str, object]:
        body = {"query": query, "workspace_id": ms.site.workspace_ids[workspace], **extra}
        answer = client.post("/api/v1/queries/preview", json=body,
                             headers=ms.site.as_(role, workspace))
        return answer.json()  # type: ignore[no-any-return]

    acme = preview("acme", "lumiere OR colis")
    expected = ms.keys("/api/v1/posts", query="lumiere OR colis", limit=100)
    assert [ms.key(i["id"]) for i in acme["items"]] == expected[:20]  # type: ignore[union-attr]
    assert acme["matched"] == len(expected) and acme["scanned"] == len(ms.seeded.a)
    few = preview("acme", "lumiere OR colis", limit=2)
    assert len(few["items"]) == 2 and few["matched"] == len(expected)  # type: ignore[arg-type]
    globex = preview("globex", "lumiere OR colis OR bougie", "analyst")
    assert {ms.key(i["id"]) for i in globex["items"]} <= ms.seeded.b  # type: ignore[union-attr]
    # a workspace the caller is not in is E605, like one that does not exist
    for workspace_id in (ms.site.workspace_ids["globex"], 10**9):
        refused = client.post("/api/v1/queries/preview", headers=ms.site.as_("owner"),
                              json={"query": "lumiere", "workspace_id": workspace_id})
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "E605"
    broken = client.post("/api/v1/queries/preview", headers=ms.site.as_("owner"), json={
        "query": "lumiere AND", "workspace_id": ms.site.workspace_ids["acme"]})
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "E401"
    monkeypatch.setattr(mentions, "QUERY_SCAN_LIMIT", 7)  # the bound holds
    bounded = preview("acme", "lumiere OR colis OR bougie")
    assert (bounded["scanned"], bounded["scan_limit"]) == (7, 7)
