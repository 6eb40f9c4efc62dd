"""``/api/v1/authors``: counts and sentiment per author, both sorts with paging, the detail,
the export, and isolation between workspaces; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import pytest

from confiance.store import authors as authors_store
from tests.web.mention_site import MentionSite, mentions_site

__all__ = ["mentions_site"]


def _expected(ms: MentionSite, role: str = "viewer", workspace: str = "acme",
              **params: Any) -> dict[str, Counter[str]]:
    """handle -> sentiment counts, from the posts list (the oracle)."""
    found: dict[str, Counter[str]] = {}
    for page in ms.pages("/api/v1/posts", role, workspace, limit=500, **params):
        for item in page:
            if item["author"]:
                mix = found.setdefault(item["author"]["handle"], Counter())
                mix["mentions"] += 1
                mix[(item["enrichment"] or {}).get("sentiment") or "unscored"] += 1
    return found


def test_authors_with_their_mentions_by_count(mentions_site: MentionSite) -> None:
    ms = mentions_site
    expected = _expected(ms)
    listed = [a for page in ms.pages("/api/v1/authors", limit=2) for a in page]
    assert {a["handle"] for a in listed} == set(expected) == {"lea", "marc", "tom", "zoe"}
    for author in listed:
        mix = expected[author["handle"]]
        assert author["mentions"] == mix["mentions"]
        assert author["sentiment"] == {k: mix[k] for k in ("positive", "neutral", "negative",
                                                           "unscored")}
    counts = [(a["mentions"], a["id"]) for a in listed]
    assert counts == sorted(counts, reverse=True)
    lea = next(a for a in listed if a["handle"] == "lea")
    assert lea["first_mention_at"] <= lea["last_mention_at"]
    # globex sees its own authors, counted on its own posts only
    globex = {a["handle"]: a["mentions"] for a in ms.get(
        "/api/v1/authors", "viewer", "globex", limit=50)["items"]}
    assert globex == {h: c["mentions"] for h, c in _expected(ms, "viewer", "globex").items()}
    assert "globexfan" in globex and "globexfan" not in expected


def test_authors_by_followers_and_filters(mentions_site: MentionSite,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    ms = mentions_site
    monkeypatch.setattr(authors_store, "WINDOW", 2)  # several windows, then the budget
    monkeypatch.setattr(authors_store, "SCAN_BUDGET", 3)
    listed = [a for page in ms.pages("/api/v1/authors", sort="-followers", limit=1)
              for a in page]
    assert [a["handle"] for a in listed] == ["zoe", "lea", "marc", "tom"]  # tom: unknown
    on_instagram = ms.get("/api/v1/authors", platform="instagram")["items"]
    assert [(a["handle"], a["mentions"]) for a in on_instagram] == [
        ("zoe", _expected(ms, platform="instagram")["zoe"]["mentions"])]
    page = ms.get("/api/v1/authors", limit=1)
    wrong = ms.site.client.get("/api/v1/authors", params={"cursor": page["next"],
                                                          "sort": "-followers"},
                               headers=ms.site.as_("viewer"))
    assert wrong.json()["error"]["code"] == "E612"


def test_author_detail_and_isolation(mentions_site: MentionSite) -> None:
    ms = mentions_site
    listed = {a["handle"]: a for a in ms.get("/api/v1/authors", limit=50)["items"]}
    lea = ms.get(f"/api/v1/authors/{listed['lea']['id']}")
    assert lea["name"] == "Léa" and lea["mentions"] == listed["lea"]["mentions"]
    assert 0 < len(lea["latest_mentions"]) <= 10
    assert all(p["author"]["handle"] == "lea" for p in lea["latest_mentions"])
    assert {ms.key(p["id"]) for p in lea["latest_mentions"]} <= ms.seeded.a
    fan = {a["handle"]: a for a in ms.get("/api/v1/authors", "viewer", "globex")["items"]}
    for ref in (fan["globexfan"]["id"], 10**12):  # globex's author, and none: alike
        answer = ms.site.client.get(f"/api/v1/authors/{ref}", headers=ms.site.as_("owner"))
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "E605"
    zoe = ms.get(f"/api/v1/authors/{fan['zoe']['id']}", "viewer", "globex")
    assert {ms.key(p["id"]) for p in zoe["latest_mentions"]} <= ms.seeded.b


def test_authors_export(mentions_site: MentionSite) -> None:
    ms = mentions_site
    answer = ms.site.client.get("/api/v1/authors/export", headers=ms.site.as_("viewer"))
    assert answer.headers["content-disposition"].startswith('attachment; filename="authors-')
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    listed = ms.get("/api/v1/authors", limit=500)["items"]
    assert [int(r["id"]) for r in rows] == [a["id"] for a in listed]
    assert {r["handle"]: int(r["mentions"]) for r in rows} == {
        a["handle"]: a["mentions"] for a in listed}
    ndjson = ms.site.client.get("/api/v1/authors/export", params={"format": "ndjson"},
                                headers=ms.site.as_("owner", "globex"))
    exported = [json.loads(line) for line in ndjson.text.splitlines()]
    assert exported == ms.get("/api/v1/authors", "owner", "globex", limit=500)["items"]
    assert "globexfan" in {a["handle"] for a in exported}
