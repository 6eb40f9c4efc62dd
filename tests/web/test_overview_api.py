"""The dashboard Overview API on a small hand-made data set, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from confiance.domain import Author, Metrics, Platform, Post
from confiance.enrich.component import Doc
from confiance.store import brands, corrections, enrichments, ingest, rollups
from confiance.store.dashboard_cache import BlockCache
from confiance.store.tables import authors, posts
from confiance.store.tables import brands as brands_table
from tests.web.conftest import Site

PERIOD = "since=2026-11-01&until=2026-11-10"
ALICE = Author(platform=Platform.X, platform_id="a1", handle="alice", followers=100)
BOB = Author(platform=Platform.INSTAGRAM, platform_id="a2", handle="bob", display_name="Bob")
CAROL = Author(platform=Platform.X, platform_id="a3", handle="carol")


def _post(key: str, at: datetime, author: Author, *, likes: int | None = None,
          comments: int | None = None, shares: int | None = None,
          language: str | None = None) -> Post:
    return Post(platform=author.platform, platform_id=key, text=f"Mention {key}  of Acme",
                created_at=at, author=author, language=language,
                url=f"https://example.org/{key}",
                metrics=Metrics(likes=likes, comments=comments, shares=shares))


ACME_POSTS = [  # key, post, what enrichment wrote (None: not enriched)
    ("p1", _post("p1", datetime(2026, 11, 1, 10, tzinfo=UTC), ALICE, likes=5, comments=1),
     {"sentiment": "positive", "language": "fr", "topics": ["price"]}),
    ("p2", _post("p2", datetime(2026, 11, 3, 12, tzinfo=UTC), ALICE, likes=0),
     {"sentiment": "negative", "language": "en", "topics": ["delivery", "price"]}),
    ("p3", _post("p3", datetime(2026, 11, 10, 23, 30, tzinfo=UTC), BOB, likes=10, shares=2),
     {"sentiment": "positive", "language": "fr", "topics": ["delivery"]}),
    ("p4", _post("p4", datetime(2026, 11, 5, 8, tzinfo=UTC), CAROL, language="fr-FR"), None),
    ("p5", _post("p5", datetime(2026, 10, 25, 9, tzinfo=UTC), ALICE, likes=1),
     {"sentiment": "negative", "language": "fr", "topics": ["price"]}),
    ("p6", _post("p6", datetime(2026, 10, 31, 23, 59, tzinfo=UTC), BOB),
     {"sentiment": "positive", "language": "fr"}),
    ("p7", _post("p7", datetime(2026, 11, 11, 0, 0, tzinfo=UTC), ALICE, likes=1000),
     {"sentiment": "positive", "language": "fr"}),
    ("p8", _post("p8", datetime(2026, 10, 21, 12, tzinfo=UTC), ALICE, likes=1000), None),
]
"""p1-p4 in the period (2026-11-01 .. 11-10), p5-p6 in the previous one, p7-p8 outside."""
RIVAL_POSTS = [_post("r1", datetime(2026, 11, 2, tzinfo=UTC), CAROL),
               _post("r2", datetime(2026, 10, 26, tzinfo=UTC), CAROL)]


@pytest.fixture
def site_with_mentions(site: Site) -> Site:
    """``site`` where Acme has the posts above and a competitor, Rival, two of its own."""
    brands.update_brand(site.engine, "Acme", competitors=["Rival"])
    rival = brands.resolve(site.engine, "Rival")
    ingest.ingest(site.engine, [post for _, post, _ in ACME_POSTS], source="acme",
                  format="t", brand_id=site.brand_ids["acme"])
    ingest.ingest(site.engine, RIVAL_POSTS, source="rival", format="t", brand_id=rival)
    with site.engine.connect() as conn:
        ids = dict(conn.execute(sa.select(posts.c.platform_id, posts.c.id)).all())
    results: list[Any] = []
    for key, _, written in ACME_POSTS:
        if written is None:
            continue
        doc = Doc(key=("x", key), text="")
        for name, value in written.items():
            doc.set(name, value, "test")
        results.append((ids[key], doc, []))
    with site.engine.begin() as conn:
        enrichments.save(conn, results)
    site.brand_ids["rival"] = rival
    return site


def _get(site: Site, path: str, role: str = "viewer", workspace: str = "acme") -> Any:
    answer = site.client.get(f"/api/v1/brands/{site.brand_ids['acme']}/{path}",
                             headers=site.as_(role, workspace))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_overview_counts_the_period_and_compares_it(site_with_mentions: Site) -> None:
    body = _get(site_with_mentions, f"overview?{PERIOD}")
    assert body["period"] == {"since": "2026-11-01", "until": "2026-11-10", "days": 10}
    assert body["previous_period"] == {"since": "2026-10-22", "until": "2026-10-31",
                                       "days": 10}
    assert body["time_zone"] == "UTC"
    totals = body["totals"]
    assert totals["posts"] == {"value": 4, "previous": 2, "change_pct": 100.0}
    assert totals["engagement"] == {"value": 18, "previous": 1, "change_pct": 1700.0}
    assert totals["sentiment"] == {"positive": 2, "neutral": 0, "negative": 1, "unknown": 1,
                                   "net": 33.3}
    assert totals["net_sentiment"] == {"value": 33.3, "previous": 0.0, "change_points": 33.3}


def test_volume_has_every_day_of_the_period(site_with_mentions: Site) -> None:
    volume = _get(site_with_mentions, f"overview?{PERIOD}")["volume"]
    assert volume["granularity"] == "day"
    assert len(volume["points"]) == 10
    assert volume["points"][0] == {"start": "2026-11-01T00:00:00Z", "posts": 1,
                                   "engagement": 6, "positive": 1, "neutral": 0,
                                   "negative": 0, "unknown": 0}
    assert [p["posts"] for p in volume["points"]] == [1, 0, 1, 0, 1, 0, 0, 0, 0, 1]
    hourly = _get(site_with_mentions, "volume?since=2026-11-10&until=2026-11-11")["data"]
    assert hourly["granularity"] == "hour" and len(hourly["points"]) == 48
    assert [p["start"] for p in hourly["points"] if p["posts"]] == [
        "2026-11-10T23:00:00Z", "2026-11-11T00:00:00Z"]
    weekly = _get(site_with_mentions,
                  "volume?since=2026-10-01&until=2026-11-15&granularity=week")["data"]
    assert weekly["points"][0]["start"] == "2026-09-28T00:00:00Z"
    assert sum(p["posts"] for p in weekly["points"]) == 8


def test_share_of_voice_against_the_competitors(site_with_mentions: Site) -> None:
    voices = _get(site_with_mentions, f"overview?{PERIOD}")["share_of_voice"]["brands"]
    assert [(v["name"], v["own"], v["posts"], v["share"]) for v in voices] == [
        ("Acme", True, 4, {"value": 80.0, "previous": 66.7, "change_points": 13.3}),
        ("Rival", False, 1, {"value": 20.0, "previous": 33.3, "change_points": -13.3})]


def test_sentiment_by_platform_and_language(site_with_mentions: Site) -> None:
    split = _get(site_with_mentions, f"breakdown?{PERIOD}")["data"]
    assert [(s["key"], s["posts"], s["sentiment"]["positive"], s["sentiment"]["unknown"])
            for s in split["by_platform"]] == [("x", 3, 1, 1), ("instagram", 1, 1, 0)]
    assert [(s["key"], s["posts"]) for s in split["by_language"]] == [("fr", 3), ("en", 1)]


def test_top_topics_authors_and_posts(site_with_mentions: Site) -> None:
    body = _get(site_with_mentions, f"overview?{PERIOD}")
    assert [(t["topic"], t["posts"]) for t in body["topics"]["items"]] == [
        ("delivery", {"value": 2, "previous": 0, "change_pct": None}),
        ("price", {"value": 2, "previous": 1, "change_pct": 100.0})]
    assert body["topics"]["items"][0]["sentiment"]["net"] == 0.0
    authors = body["top_authors"]
    assert authors["authors"] == 3
    assert [(a["handle"], a["mentions"]) for a in authors["items"]] == [
        ("alice", 2), ("bob", 1), ("carol", 1)]
    assert authors["items"][0]["followers"] == 100
    top = body["top_posts"]["items"]
    assert [(p["platform_id"], p["engagement"]) for p in top] == [
        ("p3", 12), ("p1", 6), ("p4", 0), ("p2", 0)]
    assert top[0]["excerpt"] == "Mention p3 of Acme"
    assert top[0]["url"] == "https://example.org/p3"
    assert (top[0]["author"], top[0]["sentiment"], top[0]["shares"]) == ("bob", "positive", 2)


def test_the_blocks_answer_what_the_overview_does(site_with_mentions: Site) -> None:
    whole = _get(site_with_mentions, f"overview?{PERIOD}")
    for path, block in (("totals", "totals"), ("volume", "volume"),
                        ("share-of-voice", "share_of_voice"), ("breakdown", "breakdown"),
                        ("top-topics", "topics"), ("top-authors", "top_authors"),
                        ("top-posts", "top_posts")):
        section = _get(site_with_mentions, f"{path}?{PERIOD}")
        assert section["data"] == whole[block], path
        assert section["period"] == whole["period"]
    assert len(_get(site_with_mentions, f"top-posts?{PERIOD}&limit=1")["data"]["items"]) == 1


def test_without_comparison(site_with_mentions: Site) -> None:
    body = _get(site_with_mentions, f"overview?{PERIOD}&compare=false")
    assert body["previous_period"] is None
    assert body["totals"]["posts"] == {"value": 4, "previous": None, "change_pct": None}
    assert body["totals"]["previous_sentiment"] is None
    assert body["topics"]["items"][1]["posts"]["previous"] is None


def test_the_default_period_ends_on_the_newest_post(site_with_mentions: Site) -> None:
    body = _get(site_with_mentions, "overview")
    assert body["period"] == {"since": "2026-10-13", "until": "2026-11-11", "days": 30}
    assert body["totals"]["posts"]["value"] == 8
    since_only = _get(site_with_mentions, "totals?since=2026-11-01")
    assert since_only["period"]["until"] == "2026-11-30"


def test_a_viewer_reads_and_another_workspace_gets_e605(site_with_mentions: Site) -> None:
    brand_id = site_with_mentions.brand_ids["acme"]
    for role in ("viewer", "moderator", "analyst", "owner"):
        assert _get(site_with_mentions, f"overview?{PERIOD}", role)["brand"] == "Acme"
    for path in ("overview", "volume", "top-posts", "share-of-voice"):
        answer = site_with_mentions.client.get(f"/api/v1/brands/{brand_id}/{path}",
                                               headers=site_with_mentions.as_("owner",
                                                                              "globex"))
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "E605"
    assert site_with_mentions.client.get(
        f"/api/v1/brands/{brand_id}/overview").json()["error"]["code"] == "E603"
    missing = site_with_mentions.client.get("/api/v1/brands/999999/overview",
                                            headers=site_with_mentions.as_("viewer"))
    assert missing.json()["error"]["code"] == "E605"


@pytest.mark.parametrize(("query", "code"), [
    ("since=2026-11-10&until=2026-11-01", "E640"),
    ("since=2020-01-01&until=2026-11-01", "E641"),
    ("since=2026-09-01&until=2026-11-01&granularity=hour", "E642"),
    ("since=0001-01-01&until=0001-01-10", "E643"),
    ("since=9999-12-30", "E643"),
    ("since=yesterday", "E621"),
])
def test_bad_periods_are_catalogue_errors(site: Site, query: str, code: str) -> None:
    answer = site.client.get(f"/api/v1/brands/{site.brand_ids['acme']}/overview?{query}",
                             headers=site.as_("viewer"))
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == code


def test_a_brand_without_posts_has_an_empty_overview(site: Site) -> None:
    body = _get(site, "overview")
    assert body["totals"]["posts"]["value"] == 0
    assert body["period"]["days"] == 30
    assert body["top_posts"]["items"] == [] and body["top_authors"]["authors"] == 0


def test_the_openapi_document_describes_the_blocks(site: Site) -> None:
    document = site.client.get("/openapi.json").json()
    assert "/api/v1/brands/{brand_id}/overview" in document["paths"]
    schemas = document["components"]["schemas"]
    assert {"Overview", "VolumeSection", "TopPostsSection"} <= set(schemas)
    assert schemas["Count"]["properties"]["change_pct"]["description"].startswith("(value")


# --- the block cache: served again only while nothing it counts has changed ----------------


def _cache(site: Site) -> BlockCache:
    cache: BlockCache = site.client.app.state.dashboard_cache  # type: ignore[attr-defined]
    return cache


def test_a_second_request_is_served_from_the_cache(site_with_mentions: Site) -> None:
    first = _get(site_with_mentions, f"overview?{PERIOD}")
    before = _cache(site_with_mentions).stats()
    assert before.misses >= 7 and before.entries >= 7
    assert _get(site_with_mentions, f"overview?{PERIOD}") == first
    after = _cache(site_with_mentions).stats()
    assert after.hits - before.hits == 7 and after.misses == before.misses
    for path, block in (("totals", "totals"), ("breakdown", "breakdown"),
                        ("top-posts", "top_posts")):  # the block routes share the entries
        assert _get(site_with_mentions, f"{path}?{PERIOD}")["data"] == first[block]
    assert _cache(site_with_mentions).stats().misses == before.misses


def test_an_import_changes_the_next_answer(site_with_mentions: Site) -> None:
    site = site_with_mentions
    before = _get(site, f"overview?{PERIOD}")
    ingest.ingest(site.engine, [_post("p9", datetime(2026, 11, 4, 9, tzinfo=UTC), CAROL,
                                      likes=500, language="de")],
                  source="acme", format="t", brand_id=site.brand_ids["acme"])
    after = _get(site, f"overview?{PERIOD}")
    assert after["totals"]["posts"]["value"] == before["totals"]["posts"]["value"] + 1
    assert after["top_posts"]["items"][0]["platform_id"] == "p9"
    assert after["share_of_voice"]["brands"][0]["posts"] == 5
    assert ("de", 1) in [(s["key"], s["posts"]) for s in after["breakdown"]["by_language"]]
    assert _get(site, f"totals?{PERIOD}")["data"] == after["totals"]
    assert _get(site, f"top-authors?{PERIOD}")["data"] == after["top_authors"]


def test_a_sentiment_correction_changes_the_next_answer(site_with_mentions: Site) -> None:
    site = site_with_mentions
    assert _get(site, f"totals?{PERIOD}")["data"]["sentiment"]["negative"] == 1
    corrections.correct(site.engine, "x:p2", "positive")
    totals = _get(site, f"totals?{PERIOD}")["data"]
    assert (totals["sentiment"]["positive"], totals["sentiment"]["negative"]) == (3, 0)
    by_platform = _get(site, f"breakdown?{PERIOD}")["data"]["by_platform"]
    assert by_platform[0]["sentiment"]["negative"] == 0
    top = _get(site, f"top-posts?{PERIOD}")["data"]["items"]
    assert {p["platform_id"]: p["sentiment"] for p in top}["p2"] == "positive"


def test_a_competitors_posts_change_the_share_of_voice(site_with_mentions: Site) -> None:
    site = site_with_mentions
    assert _get(site, f"share-of-voice?{PERIOD}")["data"]["brands"][1]["posts"] == 1
    ingest.ingest(site.engine, [_post("r3", datetime(2026, 11, 5, tzinfo=UTC), CAROL)],
                  source="rival", format="t", brand_id=site.brand_ids["rival"])
    voices = _get(site, f"share-of-voice?{PERIOD}")["data"]["brands"]
    assert [(v["name"], v["posts"]) for v in voices] == [("Acme", 4), ("Rival", 2)]
    brands.update_brand(site.engine, "Acme", competitors=["Newcomer"])
    names = [v["name"] for v in _get(site, f"overview?{PERIOD}")["share_of_voice"]["brands"]]
    assert names == ["Acme", "Newcomer", "Rival"]


def test_names_and_author_profiles_are_never_stale(site_with_mentions: Site) -> None:
    site = site_with_mentions
    assert _get(site, f"overview?{PERIOD}")["brand"] == "Acme"
    assert _get(site, f"top-authors?{PERIOD}")["data"]["items"][0]["followers"] == 100
    with site.engine.begin() as conn:  # no rollup counts any of these
        conn.execute(sa.update(brands_table).where(brands_table.c.name == "Acme")
                     .values(name="Acme Corp"))
        conn.execute(sa.update(authors).where(authors.c.platform_id == "a1")
                     .values(followers=2500, handle="alice_new"))
    assert _get(site, f"overview?{PERIOD}")["brand"] == "Acme Corp"
    top = _get(site, f"top-authors?{PERIOD}")["data"]["items"][0]
    assert (top["handle"], top["followers"]) == ("alice_new", 2500)
    post = _get(site, f"top-posts?{PERIOD}")["data"]["items"][1]
    assert (post["platform_id"], post["author"]) == ("p1", "alice_new")


def test_a_rebuild_draws_new_generations(site_with_mentions: Site) -> None:
    site = site_with_mentions
    acme = site.brand_ids["acme"]
    with site.engine.connect() as conn:
        before = rollups.generations(conn, [acme, site.brand_ids["rival"]])
    assert set(before) == {acme, site.brand_ids["rival"]}
    rollups.rebuild_store(site.engine, acme)
    with site.engine.connect() as conn:
        after = rollups.generations(conn, [acme, site.brand_ids["rival"]])
    assert after[acme] != before[acme]
    assert after[site.brand_ids["rival"]] == before[site.brand_ids["rival"]]


def test_without_a_cache_budget_nothing_is_kept(site_with_mentions: Site) -> None:
    site = site_with_mentions
    site.client.app.state.dashboard_cache = BlockCache(0)  # type: ignore[attr-defined]
    first = _get(site, f"overview?{PERIOD}")
    assert _get(site, f"overview?{PERIOD}") == first
    assert _cache(site).stats().entries == 0 and _cache(site).stats().hits == 0
