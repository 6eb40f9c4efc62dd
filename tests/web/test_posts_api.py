"""``/api/v1/posts``: filters, sorts, keyset paging, detail and thread, exports, isolation
between workspaces and parameter errors; on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.mention_site import MentionSite, mentions_site

__all__ = ["mentions_site"]

SORTS = ["-created_at", "created_at", "-engagement", "-sentiment_score", "sentiment_score",
         "sentiment_confidence"]


def _sort_value(item: dict[str, Any], sort: str) -> Any:
    name = sort.lstrip("-")
    if name == "created_at":
        return item["created_at"]
    if name == "engagement":
        return item["engagement"]["total"]
    return item["enrichment"][name] if item["enrichment"] else None


def _reference(items: list[dict[str, Any]], sort: str) -> list[int]:
    """Sorted by value (nulls last either way), then id, in the sort's direction."""
    down = sort.startswith("-")
    valued = sorted((i for i in items if _sort_value(i, sort) is not None),
                    key=lambda i: (_sort_value(i, sort), i["id"]), reverse=down)
    empty = sorted((i for i in items if _sort_value(i, sort) is None),
                   key=lambda i: i["id"], reverse=down)
    return [i["id"] for i in valued + empty]


def test_a_workspace_sees_its_posts_and_only_its_brands(mentions_site: MentionSite) -> None:
    ms = mentions_site
    acme = ms.get("/api/v1/posts", limit=500)
    assert {ms.key(i["id"]) for i in acme["items"]} == ms.seeded.a and acme["next"] is None
    globex = ms.get("/api/v1/posts", "analyst", "globex", limit=500)
    assert {ms.key(i["id"]) for i in globex["items"]} == ms.seeded.b
    shared = [i for i in globex["items"] if ms.key(i["id"]).startswith("s")]
    assert shared and all([b["name"] for b in i["brands"]] == ["Globex"] for i in shared)
    first = next(i for i in acme["items"] if ms.key(i["id"]) == "a1")
    assert first["author"]["handle"] == "marc" and first["platform"] == "x"
    assert first["engagement"] == {"likes": 1, "comments": 1, "shares": 1, "views": None,
                                   "total": 3}
    assert first["enrichment"]["made_by"]["sentiment"] == "confiance.sentiment.v1"
    assert first["brands"] == [{"id": ms.site.brand_ids["acme"], "name": "Acme",
                                "via": "query"}]
    other = ms.site.brand_ids["globex"]
    refused = ms.site.client.get("/api/v1/posts", params={"brand_id": other},
                                 headers=ms.site.as_("owner"))
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "E605"


def test_every_sort_pages_in_order_without_gaps(mentions_site: MentionSite) -> None:
    ms = mentions_site
    everything = ms.get("/api/v1/posts", limit=500)["items"]
    for sort in SORTS:
        pages = ms.pages("/api/v1/posts", sort=sort, limit=6)
        assert all(len(page) <= 6 for page in pages)
        assert [i["id"] for page in pages for i in page] == _reference(everything, sort), sort


@given(chosen=st.fixed_dictionaries({}, optional={
    "platform": st.sampled_from(["x", "instagram"]),
    "sentiment": st.sampled_from(["positive", "neutral", "negative"]),
    "topic": st.sampled_from(["delivery", "quality"]),
    "intent": st.sampled_from(["complaint", "question"]),
    "language": st.sampled_from(["fr", "en"]),
    "author": st.sampled_from(["lea", "zoe", "globexfan"]),
}), sort=st.sampled_from(SORTS), limit=st.integers(1, 8))
@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_filters_and_pages_agree_with_filtering_everything(
        mentions_site: MentionSite, chosen: dict[str, str], sort: str, limit: int) -> None:
    ms = mentions_site
    everything = ms.get("/api/v1/posts", limit=500)["items"]
    found = [i["id"] for page in ms.pages("/api/v1/posts", sort=sort, limit=limit, **chosen)
             for i in page]
    wanted = [i for i in everything if all(_has(i, name, value)
                                           for name, value in chosen.items())]
    assert found == _reference(wanted, sort)


def _has(item: dict[str, Any], name: str, value: str) -> bool:
    found = item["enrichment"] or {}
    return {"platform": item["platform"] == value, "language": item["language"] == value,
            "sentiment": found.get("sentiment") == value,
            "topic": value in found.get("topics", []), "intent": found.get("intent") == value,
            "author": (item["author"] or {}).get("handle") == value}[name]


def test_period_search_and_query_filters(mentions_site: MentionSite) -> None:
    ms = mentions_site
    dated = [i for i in ms.get("/api/v1/posts", limit=500, sort="created_at")["items"]
             if i["created_at"]]
    since, until = dated[3]["created_at"], dated[9]["created_at"]
    got = ms.get("/api/v1/posts", since=since, until=until, sort="created_at", limit=500)
    assert [i["id"] for i in got["items"]] == [i["id"] for i in dated
                                              if since <= i["created_at"] < until]
    naive = ms.get("/api/v1/posts", since=since.replace("Z", "").split("+")[0],
                   sort="created_at", limit=500)
    assert naive["items"][0]["created_at"] == since  # no offset: UTC
    lumiere = set(ms.keys("/api/v1/posts", q="LUMIERE", limit=5))
    assert lumiere and lumiere == set(ms.keys("/api/v1/posts", q="lumière", limit=50))
    by_query = ms.get("/api/v1/posts", query="lumière AND NOT colis", limit=50)
    assert {ms.key(i["id"]) for i in by_query["items"]} == lumiere
    assert by_query["scanned"] == len(ms.seeded.a)
    assert set(ms.keys("/api/v1/posts", "owner", "globex", q="lumiere")) <= ms.seeded.b


def test_parameter_errors(mentions_site: MentionSite) -> None:
    ms = mentions_site
    client, headers = ms.site.client, ms.site.as_("viewer")

    def error(**params: Any) -> tuple[int, dict[str, Any]]:
        answer = client.get("/api/v1/posts", params=params, headers=headers)
        return answer.status_code, answer.json()["error"]

    assert error(since="yesterday")[1]["code"] == "E621"
    assert error(since="2026-10-02T00:00:00Z", until="2026-10-01")[1]["code"] == "E613"
    assert error(platform="myspace")[1]["code"] == "E613"
    assert error(sentiment="angry")[1]["code"] == "E613"
    assert error(sort="likes")[1]["code"] == "E621"
    assert error(limit=501)[1]["code"] == "E621"
    assert error(q="!!!")[1]["code"] == "E630"
    status, found = error(query='"Maison Lumière" AND')
    assert status == 422 and found["code"] == "E401"
    assert found["details"]["column"] == 21 and found["details"]["position"] == 20
    page = ms.get("/api/v1/posts", limit=5)
    for cursor in ("garbage", page["next"][:-3] + "xyz", "eyJmIjoxfQ"):
        assert error(cursor=cursor)[1]["code"] == "E612"
    assert error(cursor=page["next"], sort="-engagement")[1]["code"] == "E612"
    status, found = error(cursor=page["next"], platform="x")
    assert (status, found["code"]) == (400, "E612")
    globex = ms.get("/api/v1/posts", "owner", "globex", limit=2)
    assert error(cursor=globex["next"])[1]["code"] == "E612"  # another scope
    engagement = ms.get("/api/v1/posts", sort="-engagement", limit=2)["next"]
    body = json.loads(base64.urlsafe_b64decode(engagement + "=" * (-len(engagement) % 4)))
    for forged in ({"v": 10**30}, {"i": 10**30}, {"v": "7"}, {"i": True}):
        cursor = base64.urlsafe_b64encode(json.dumps({**body, **forged}).encode()).decode()
        status, found = error(cursor=cursor, sort="-engagement")
        assert (status, found["code"]) == (400, "E612"), forged


def test_detail_thread_and_isolation(mentions_site: MentionSite) -> None:
    ms = mentions_site
    ids = ms.seeded.ids
    reply = ms.get(f"/api/v1/posts/{ids['a1']}")
    assert [ms.key(p["id"]) for p in reply["thread"]["parents"]] == ["a0"]
    assert [ms.key(p["id"]) for p in reply["thread"]["replies"]] == ["a2"]
    assert reply["parent_id"] == "a0" and reply["corrections"] == []
    root = ms.get(f"/api/v1/posts/{ids['a0']}")
    assert [ms.key(p["id"]) for p in root["thread"]["replies"]] == ["a1"]  # not b0
    for key in ("a0", "a1"):  # acme's posts do not exist for globex
        answer = ms.site.client.get(f"/api/v1/posts/{ids[key]}",
                                    headers=ms.site.as_("owner", "globex"))
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "E605"
    hidden_parent = ms.get(f"/api/v1/posts/{ids['b0']}", "viewer", "globex")
    assert hidden_parent["thread"]["parents"] == [] and hidden_parent["parent_id"] == "a0"
    answers = [ms.site.client.get(f"/api/v1/posts/{ref}", headers=ms.site.as_("viewer"))
               for ref in (999_999, ids["b1"])]  # missing, and globex's: the same answer
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json()["error"]["message"].replace("999999", str(ids["b1"])) == \
        answers[1].json()["error"]["message"]


def test_csv_export_streams_every_post_safely(mentions_site: MentionSite) -> None:
    ms = mentions_site
    answer = ms.site.client.get("/api/v1/posts/export", params={"sort": "created_at"},
                                headers=ms.site.as_("viewer"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"].startswith('attachment; filename="mentions-')
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    listed = [i["id"] for page in ms.pages("/api/v1/posts", sort="created_at", limit=500)
              for i in page]
    assert [int(r["id"]) for r in rows] == listed
    formula = next(r for r in rows if "SUM" in r["text"])
    assert formula["text"].startswith("'=SUM(")  # never a live formula
    mention = next(r for r in rows if r["text"].startswith("'@lea"))
    assert mention["brands"] == "Acme"
    assert any(r["sentiment_score"].startswith("-") for r in rows)  # numbers stay numbers
    globex = ms.site.client.get("/api/v1/posts/export", headers=ms.site.as_("owner", "globex"))
    keys = {r["platform_id"] for r in csv.DictReader(io.StringIO(
        globex.content.decode("utf-8-sig")))}
    assert keys == ms.seeded.b


def test_ndjson_export_follows_the_filters(mentions_site: MentionSite) -> None:
    ms = mentions_site
    answer = ms.site.client.get("/api/v1/posts/export",
                                params={"format": "ndjson", "sentiment": "negative"},
                                headers=ms.site.as_("viewer"))
    assert answer.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in answer.text.splitlines()]
    listed = ms.get("/api/v1/posts", sentiment="negative", limit=500)["items"]
    assert lines == listed and lines
    bad = ms.site.client.get("/api/v1/posts/export", params={"format": "xlsx"},
                             headers=ms.site.as_("viewer"))
    assert bad.json()["error"]["code"] == "E621"
    empty = ms.site.client.get("/api/v1/posts/export", params={"q": "introuvable"},
                               headers=ms.site.as_("viewer"))
    assert empty.content.decode("utf-8-sig").splitlines()[0].startswith("id,platform")
