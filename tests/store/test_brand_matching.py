"""Query matches become brand_posts rows (via='query'); import rows stay; rematch re-matches.

Every test runs on SQLite and on PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from confiance.core.errors import ConfianceError
from confiance.domain import Brand, Platform, Post
from confiance.enrich.brands import BrandMatcher, rematch
from confiance.enrich.component import Doc
from confiance.enrich.pipeline import Pipeline, enrich_store
from confiance.store import brands, enrichments, ingest, workspaces
from confiance.store.sql import insert_ignoring_conflicts
from confiance.store.tables import brand_posts, posts
from confiance.store.tables import brands as brands_table

TEXTS = {
    "1": "Maison Lumière, la plus belle bougie",
    "2": "Atelier Flamme livre vite",
    "3": "Maison Lumière contre Atelier Flamme",
    "4": "Rien à voir avec les bougies",
    "5": "Maison Lumière recrute : offre d'emploi",
}


def _setup(engine: Engine) -> dict[str, int]:
    """Two brands; posts 1-5 stored, posts 4 and 5 imported with --brand Maison Lumière."""
    lumiere = brands.add(engine, Brand(name="Maison Lumière", query='"Maison Lumière"',
                                       competitors=["Atelier Flamme"]))
    items = [Post(platform=Platform.X, platform_id=key, text=text, language="fr",
                  created_at=datetime(2026, 10, 1, tzinfo=UTC)) for key, text in TEXTS.items()]
    ingest.ingest(engine, items[:3], source="a", format="t")
    ingest.ingest(engine, items[3:], source="b", format="t", brand_id=lumiere)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(posts.c.platform_id, posts.c.id))
        return {row.platform_id: int(row.id) for row in rows}


def _attached(engine: Engine) -> set[tuple[str, str, str]]:
    """(brand name, post platform id, via) of every brand_posts row."""
    query = (sa.select(brands_table.c.name, posts.c.platform_id, brand_posts.c.via)
             .join(brands_table, brands_table.c.id == brand_posts.c.brand_id)
             .join(posts, posts.c.id == brand_posts.c.post_id))
    with engine.connect() as conn:
        return {(r.name, r.platform_id, r.via) for r in conn.execute(query)}


def _save(engine: Engine, ids: dict[str, int], matches: dict[str, list[str] | None],
          brand_ids: dict[str, int] | None = None) -> None:
    results = []
    for key, names in matches.items():
        doc = Doc(key=("x", key), text=TEXTS[key])
        if names is not None:
            doc.set("brand_matches", names, "confiance.brands.v1")
        results.append((ids[key], doc, []))
    with engine.begin() as conn:
        enrichments.save(conn, results, brand_ids=brand_ids)


IMPORTED = {("Maison Lumière", "4", "import"), ("Maison Lumière", "5", "import")}


def test_save_replaces_query_rows_and_keeps_import_rows(engine: Engine) -> None:
    ids = _setup(engine)
    assert _attached(engine) == IMPORTED
    _save(engine, ids, {"1": ["Maison Lumière"], "2": ["Atelier Flamme"],
                        "3": ["Atelier Flamme", "Maison Lumière"], "4": [], "5": []})
    assert _attached(engine) == IMPORTED | {
        ("Maison Lumière", "1", "query"), ("Atelier Flamme", "2", "query"),
        ("Atelier Flamme", "3", "query"), ("Maison Lumière", "3", "query")}
    # Saved again: post 3 lost Maison Lumière, post 1 is unchanged (no value: not touched),
    # post 5 matches the brand it was imported with: the row stays an import row.
    with engine.connect() as conn:
        known = brands.ids_by_name(conn, ["Atelier Flamme", "Maison Lumière", "Inconnue"])
    assert sorted(known) == ["Atelier Flamme", "Maison Lumière"]
    _save(engine, ids, {"1": None, "3": ["Atelier Flamme"], "5": ["Maison Lumière"],
                        "4": ["Atelier Flamme"]}, brand_ids=known)
    assert _attached(engine) == IMPORTED | {
        ("Maison Lumière", "1", "query"), ("Atelier Flamme", "2", "query"),
        ("Atelier Flamme", "3", "query"), ("Atelier Flamme", "4", "query")}


def test_save_ignores_names_of_brands_that_do_not_exist(engine: Engine) -> None:
    ids = _setup(engine)
    _save(engine, ids, {"1": ["Maison Lumière", "Marque Disparue"]})
    assert _attached(engine) == IMPORTED | {("Maison Lumière", "1", "query")}


def test_enrichment_attaches_posts_through_the_pipeline(engine: Engine) -> None:
    _setup(engine)
    pipeline = Pipeline([BrandMatcher.from_store(engine)])
    assert enrich_store(engine, pipeline, batch_size=2).enriched == 5
    assert _attached(engine) == IMPORTED | {
        ("Maison Lumière", "1", "query"), ("Maison Lumière", "3", "query"),
        ("Atelier Flamme", "2", "query"), ("Atelier Flamme", "3", "query")}
    with engine.connect() as conn:
        stored = enrichments.stored(conn, limit=1)
    assert [doc.text for _, doc in stored] == [TEXTS["1"]]


def test_rematch_adds_and_removes_after_a_query_change(engine: Engine) -> None:
    _setup(engine)
    enrich_store(engine, Pipeline([BrandMatcher.from_store(engine)]))
    brands.update_brand(engine, "Maison Lumière", query='"Maison Lumière" NOT emploi OR bougies')
    # Before rematch nothing moved: the new query applies to posts matched from now on.
    assert ("Maison Lumière", "1", "query") in _attached(engine)
    progress: list[int] = []
    summary = rematch(engine, BrandMatcher.from_store(engine, "Maison Lumière"), batch_size=2,
                      progress=progress.append)
    assert progress == [2, 4, 5] and summary.posts == 5 and summary.errors == 0
    assert summary.brands == {"Maison Lumière": {"added": 0, "removed": 0}}
    # Now a real change: the query no longer finds posts 1 and 3 but finds post 2; posts 4
    # and 5 were imported with the brand and stay attached although the query misses them.
    brands.update_brand(engine, "Maison Lumière", query="livre OR livraison")
    summary = rematch(engine, BrandMatcher.from_store(engine, "Maison Lumière"), batch_size=2)
    assert summary.brands == {"Maison Lumière": {"added": 1, "removed": 2}}
    assert _attached(engine) == IMPORTED | {
        ("Maison Lumière", "2", "query"), ("Atelier Flamme", "2", "query"),
        ("Atelier Flamme", "3", "query")}
    assert summary.as_dict()["component"] == "confiance.brands.v1"
    # Rematching every brand changes nothing more; the competitor's rows were left alone.
    again = rematch(engine, BrandMatcher.from_store(engine))
    assert again.brands == {"Atelier Flamme": {"added": 0, "removed": 0},
                            "Maison Lumière": {"added": 0, "removed": 0}}


def test_rematch_uses_the_detected_language(engine: Engine) -> None:
    ids = _setup(engine)
    brands.add(engine, Brand(name="Bougies EN", query="bougie* AND lang:en"))
    with engine.begin() as conn:  # as if the language component had decided "en" for post 4
        doc = Doc(key=("x", "4"), text=TEXTS["4"])
        doc.set("language", "en", "confiance.language.v1")
        enrichments.save(conn, [(ids["4"], doc, [])])
    summary = rematch(engine, BrandMatcher.from_store(engine, "Bougies EN"))
    assert summary.brands == {"Bougies EN": {"added": 1, "removed": 0}}
    assert ("Bougies EN", "4", "query") in _attached(engine)


def test_replace_query_matches_counts_and_tolerates_existing_pairs(engine: Engine) -> None:
    ids = _setup(engine)
    with engine.connect() as conn:
        known = brands.ids_by_name(conn, ["Maison Lumière", "Atelier Flamme"])
    lumiere, flamme = known["Maison Lumière"], known["Atelier Flamme"]
    with engine.begin() as conn:
        changes = brands.replace_query_matches(conn, {ids["1"]: [lumiere, flamme],
                                                      ids["4"]: [lumiere]})
        # Inserting a pair that exists already is ignored, not an error.
        conn.execute(insert_ignoring_conflicts(conn, brand_posts),
                     [{"brand_id": lumiere, "post_id": ids["1"], "via": "query"}])
    assert {k: (v.added, v.removed) for k, v in changes.items()} == {lumiere: (1, 0),
                                                                     flamme: (1, 0)}
    with engine.begin() as conn:
        changes = brands.replace_query_matches(conn, {ids["1"]: [flamme], ids["4"]: []},
                                               scope=[lumiere])
    assert {k: (v.added, v.removed) for k, v in changes.items()} == {lumiere: (0, 1)}
    assert _attached(engine) == IMPORTED | {("Atelier Flamme", "1", "query")}


def test_queries_reads_brands_and_validates_on_write(engine: Engine) -> None:
    _setup(engine)
    found = brands.queries(engine)
    assert [(b.name, b.query, b.hashtags) for b in found] == [
        ("Atelier Flamme", None, []), ("Maison Lumière", '"Maison Lumière"', [])]
    assert [b.name for b in brands.queries(engine, "Atelier Flamme")] == ["Atelier Flamme"]
    with pytest.raises(ConfianceError) as unknown:
        brands.queries(engine, "Inconnue")
    assert unknown.value.code == "E301"
    with pytest.raises(ConfianceError) as bad:
        brands.update_brand(engine, "Maison Lumière", query="(bougie OR figue")
    assert bad.value.code == "E401" and bad.value.details["column"] == 1
    with pytest.raises(ConfianceError) as empty:
        brands.add(engine, Brand(name="Vide", query=""))
    assert empty.value.code == "E402"
    assert [(b.name, b.query) for b in brands.queries(engine)] == [
        ("Atelier Flamme", None), ("Maison Lumière", '"Maison Lumière"')]


def test_a_workspace_s_imports_are_never_attached_to_another_workspace_s_brand(
        engine: Engine) -> None:
    ids = _setup(engine)  # posts 4 and 5 imported for Maison Lumière (default workspace)
    with engine.begin() as conn:
        other = workspaces.ensure(conn, "autre")
    rival = brands.add(engine, Brand(name="Espion", query="bougie* OR emploi OR lumière"),
                       workspace_id=other)
    with engine.begin() as conn:
        lumiere = brands.ids_by_name(conn, ["Maison Lumière"])["Maison Lumière"]
        changes = brands.replace_query_matches(conn, {
            ids["1"]: [rival], ids["4"]: [rival, lumiere], ids["5"]: [rival]})
    assert {k: v.added for k, v in changes.items()} == {rival: 1}  # post 1 had no owner
    attached = _attached(engine)
    assert ("Espion", "1", "query") in attached
    assert not {("Espion", "4", "query"), ("Espion", "5", "query")} & attached
    summary = rematch(engine, BrandMatcher.from_store(engine, "Espion"))
    assert summary.brands["Espion"] == {"added": 1, "removed": 0}  # post 3, no owner either
    assert {key for name, key, _ in _attached(engine) if name == "Espion"} == {"1", "3"}
