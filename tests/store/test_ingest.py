from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from confiance.domain import Author, Brand, Metrics, Platform, Post, Rejected
from confiance.sources import x_v2
from confiance.store import brands, ingest, quarantined, stats
from confiance.store.tables import authors, brand_posts, imports, posts

X_PAGE = Path(__file__).parents[1] / "sources" / "fixtures" / "x-v2" / "search_recent.json"


def _post(n: int, *, likes: int | None = 1, followers: int | None = 10) -> Post:
    return Post(
        platform=Platform.X, platform_id=str(n), text=f"post {n} ✨",
        created_at=datetime(2026, 10, 1, 12, n % 60, tzinfo=UTC),
        author=Author(platform=Platform.X, platform_id=f"a{n % 3}", followers=followers),
        metrics=Metrics(likes=likes), hashtags=["MaisonLumiere"],
    )


def _ingest(engine: Engine, items: list, **kwargs) -> ingest.ImportSummary:
    return ingest.ingest(engine, items, source="test", format="test", **kwargs)


def _scalar(engine: Engine, query: sa.Select) -> object:
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def test_reimport_updates_metrics_and_never_duplicates(engine: Engine) -> None:
    first = _ingest(engine, [_post(n) for n in range(10)], batch_size=4)
    assert (first.imported, first.updated) == (10, 0)
    again = _ingest(engine, [_post(n, likes=99, followers=500) for n in range(5, 15)],
                    batch_size=3)
    assert (again.imported, again.updated) == (5, 5)
    assert _scalar(engine, sa.select(sa.func.count()).select_from(posts)) == 15
    assert _scalar(engine, sa.select(posts.c.likes).where(posts.c.platform_id == "7")) == 99
    assert _scalar(engine, sa.select(posts.c.likes).where(posts.c.platform_id == "2")) == 1
    assert _scalar(engine, sa.select(sa.func.count()).select_from(authors)) == 3
    assert _scalar(engine, sa.select(sa.func.max(authors.c.followers))) == 500


def test_a_missing_value_in_a_reimport_keeps_the_known_one(engine: Engine) -> None:
    _ingest(engine, [_post(1, likes=12, followers=40)])
    _ingest(engine, [_post(1, likes=None, followers=None)])
    assert _scalar(engine, sa.select(posts.c.likes)) == 12
    assert _scalar(engine, sa.select(authors.c.followers)) == 40


def test_duplicates_inside_one_batch_count_once_and_the_last_wins(engine: Engine) -> None:
    summary = _ingest(engine, [_post(1, likes=1), _post(1, likes=2), _post(2)])
    assert (summary.imported, summary.updated) == (2, 0)
    assert _scalar(engine, sa.select(posts.c.likes).where(posts.c.platform_id == "1")) == 2


def test_rejections_are_quarantined_and_the_batch_goes_on(engine: Engine) -> None:
    items = [_post(1), Rejected(reason="missing required field 'text'", position="line 2",
                                raw={"id": "2"}), _post(3)]
    summary = _ingest(engine, items)
    assert (summary.imported, summary.quarantined) == (2, 1)
    rows = quarantined.list_quarantined(engine, with_raw=True)
    assert rows[0]["position"] == "line 2" and "text" in rows[0]["reason"]
    assert '"id"' in rows[0]["raw"]
    # importing the same file again does not pile up the same rejection
    _ingest(engine, items)
    assert len(quarantined.list_quarantined(engine)) == 1


def test_import_file_records_the_run_and_links_the_brand(engine: Engine) -> None:
    brand_id = brands.add(engine, Brand(name="Maison Lumière", competitors=["Atelier Flamme"]))
    summary = ingest.import_file(engine, X_PAGE, x_v2.FORMATS[0], brand_id=brand_id)
    assert summary.imported == 3 and summary.by_platform == {"x": 3}
    assert _scalar(engine, sa.select(sa.func.count()).select_from(brand_posts)) == 3
    assert _scalar(engine, sa.select(imports.c.status)) == "completed"
    created = _scalar(engine, sa.select(posts.c.created_at).where(
        posts.c.platform_id == "1861234567890123456"))
    assert created.replace(tzinfo=UTC) == datetime(2026, 10, 2, 8, 15, 30, tzinfo=UTC)
    summary_stats = stats.summary(engine)
    assert summary_stats["posts"] == 3 and summary_stats["by_language"] == {"fr": 2, "unknown": 1}
    assert summary_stats["by_brand"] == {"Atelier Flamme": 0, "Maison Lumière": 3}
    assert summary_stats["top_authors"][0]["posts"] == 1
    assert summary_stats["first_post_at"] == "2026-10-02T08:15:30Z"


def test_a_failure_mid_import_keeps_committed_batches_and_marks_the_run(engine: Engine) -> None:
    def items():
        yield from (_post(n) for n in range(6))
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        _ingest(engine, items(), batch_size=4)
    assert _scalar(engine, sa.select(sa.func.count()).select_from(posts)) == 4
    assert _scalar(engine, sa.select(imports.c.status)) == "failed"
    summary = _ingest(engine, [_post(n) for n in range(6)], batch_size=4)
    assert (summary.imported, summary.updated) == (2, 4)


def test_text_and_payload_with_special_characters_round_trip(engine: Engine) -> None:
    text = "tab\there\nnew line \\ backslash \\N not null, NUL\x00gone 🕯️"
    post = Post(platform=Platform.X, platform_id="nul", text=text, title="\\.",
                raw={"k": "v\x00w", "s": "\\u0000 literal", "n": None}, hashtags=["é\t"],
                author=Author(platform=Platform.X, platform_id="a", bio="line\nbreak"))
    assert _ingest(engine, [post]).imported == 1
    with engine.connect() as conn:
        row = conn.execute(sa.select(posts.c.text, posts.c.title, posts.c.raw,
                                     posts.c.hashtags)).one()
        bio = conn.execute(sa.select(authors.c.bio)).scalar_one()
    expected = text if engine.dialect.name == "sqlite" else text.replace("\x00", "")
    assert row.text == expected and row.title == "\\." and bio == "line\nbreak"
    assert row.raw["s"] == "\\u0000 literal" and row.raw["n"] is None
    assert row.raw["k"] in {"v\x00w", "vw"} and row.hashtags == ["é\t"]


@pytest.mark.postgres
def test_a_concurrent_insert_of_the_same_key_falls_back_to_upsert(postgres_url: str) -> None:
    """PostgreSQL copies an all-new batch straight into posts; when another import commits one
    of its keys meanwhile, the COPY fails on the unique key and the batch is upserted."""
    import threading
    import time

    from confiance.core.db import make_engine
    from confiance.core.settings import Settings
    from confiance.store import migrate

    engine = make_engine(Settings(database_url=postgres_url))
    migrate.upgrade(engine)
    other = engine.connect()
    other_tx = other.begin()
    other.execute(posts.insert().values(
        platform="x", platform_id="3", kind="post", media=[], hashtags=[], mentions=[],
        likes=1, imported_at=datetime.now(UTC), updated_at=datetime.now(UTC)))
    result: list[ingest.ImportSummary] = []
    worker = threading.Thread(target=lambda: result.append(
        _ingest(engine, [_post(n, likes=50) for n in range(6)])))
    worker.start()
    time.sleep(1.0)  # the import now waits on the uncommitted key "3"
    other_tx.commit()
    other.close()
    worker.join(timeout=30)
    assert result and (result[0].imported, result[0].updated) == (5, 1)
    assert _scalar(engine, sa.select(sa.func.count()).select_from(posts)) == 6
    assert _scalar(engine, sa.select(posts.c.likes).where(posts.c.platform_id == "3")) == 50
    engine.dispose()
