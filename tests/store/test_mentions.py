"""Mentions in the store: filters, every sort with keyset paging (both ways of reading a
page), full-text search and its safety, the thread; on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from confiance.core.errors import ConfianceError
from confiance.domain import Brand
from confiance.store import brands, mentions, search, workspaces
from confiance.store.mention_records import ENGAGEMENT, Filters, Mention, Sort
from confiance.store.tables import posts
from tests.store.mention_data import Seeded, seed

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@dataclass
class World:
    """The engine, the two brands and the seeded posts."""

    engine: Engine
    a: int
    b: int
    seeded: Seeded

    def key(self, post_id: int) -> str:
        """The seed key (``a3``) of a store id."""
        return {v: k for k, v in self.seeded.ids.items()}[post_id]


@pytest.fixture
def world(engine: Engine) -> World:
    """Brand a in workspace acme, brand b in globex, the posts of mention_data."""
    with engine.begin() as conn:
        acme, globex = workspaces.ensure(conn, "acme"), workspaces.ensure(conn, "globex")
    a = brands.add(engine, Brand(name="Acme"), workspace_id=acme)
    b = brands.add(engine, Brand(name="Globex"), workspace_id=globex)
    return World(engine, a, b, seed(engine, a, b))


@pytest.fixture(params=["scope-first", "windows", "drivers"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every way of reading a page: scope first (small brands); windows of the sort's index
    (large brands), made tiny here so that pages span several windows and run out of
    budget; and, for brands "too large" here, the author's posts or the search's matches
    first."""
    if request.param != "scope-first":
        monkeypatch.setattr(mentions, "SMALL_SCOPE", 0 if request.param == "windows" else 20)
        monkeypatch.setattr(mentions, "WINDOW", 3)
        monkeypatch.setattr(mentions, "WINDOW_BUDGET", 9)
    return str(request.param)


def _all(world: World, filters: Filters, sort: Sort, limit: int) -> Iterator[list[Mention]]:
    after = None
    with world.engine.connect() as conn:
        for _ in range(200):
            page = mentions.list_mentions(conn, filters, sort=sort, limit=limit, after=after)
            yield page.items
            if page.next is None:
                return
            after = page.next
    raise AssertionError("paging never ends")


def _value(item: Mention, sort: Sort) -> Any:
    if sort in (Sort.NEWEST, Sort.OLDEST):
        return item.created_at
    if sort is Sort.ENGAGEMENT:
        return item.engagement
    if sort is Sort.LEAST_CERTAIN:
        return item.enrichment.sentiment_confidence if item.enrichment else None
    return item.enrichment.sentiment_score if item.enrichment else None


def expected_order(items: list[Mention], sort: Sort) -> list[int]:
    """The reference order: by value (nulls last either way), then id, both in the sort's
    direction."""
    valued = [i for i in items if _value(i, sort) is not None]
    empty = [i for i in items if _value(i, sort) is None]
    valued.sort(key=lambda i: (_value(i, sort), i.id), reverse=sort.descending)
    empty.sort(key=lambda i: i.id, reverse=sort.descending)
    return [i.id for i in valued + empty]


@pytest.mark.parametrize("sort", list(Sort))
def test_every_sort_pages_through_every_post_once_in_order(world: World, reading: str,
                                                           sort: Sort) -> None:
    everything = [m for page in _all(world, Filters((world.a,)), Sort.NEWEST, 500)
                  for m in page]
    assert {world.key(m.id) for m in everything} == world.seeded.a
    paged = [m.id for page in _all(world, Filters((world.a,)), sort, 4) for m in page]
    assert paged == expected_order(everything, sort)
    assert all(len(page) <= 4 for page in _all(world, Filters((world.a,)), sort, 4))


FILTERS = st.fixed_dictionaries({}, optional={
    "platform": st.sampled_from(["x", "instagram"]),
    "language": st.sampled_from(["fr", "en"]),
    "sentiment": st.sampled_from(["positive", "negative"]),
    "topic": st.sampled_from(["delivery", "price"]),
    "intent": st.sampled_from(["complaint", "praise"]),
    "q": st.sampled_from(["lumiere", "bougie*", '"service client"']),
    "author": st.sampled_from(["lea", "zoe"]),
})


@given(chosen=FILTERS, sort=st.sampled_from(list(Sort)), limit=st.integers(1, 9),
       both=st.booleans())
@settings(FUZZ, max_examples=20)
def test_paging_with_any_filters_matches_filtering_everything(
        world: World, reading: str, chosen: dict[str, str], sort: Sort, limit: int,
        both: bool) -> None:
    scope = (world.a, world.b) if both else (world.a,)
    everything = [m for page in _all(world, Filters(scope), sort, 500) for m in page]
    wanted = [m for m in everything if _passes(m, chosen)]
    paged = [m.id for page in _all(world, Filters(scope, **chosen), sort, limit) for m in page]
    assert paged == [m.id for m in wanted]


def _passes(item: Mention, chosen: dict[str, str]) -> bool:
    """The filters, in Python, on what the list shows."""
    found = item.enrichment
    text = search_text(item)
    checks = {
        "platform": lambda v: item.platform == v,
        "language": lambda v: item.language == v,
        "sentiment": lambda v: found is not None and found.sentiment == v,
        "topic": lambda v: found is not None and v in found.topics,
        "intent": lambda v: found is not None and found.intent == v,
        "author": lambda v: item.author is not None and item.author.handle == v,
        "q": lambda v: {"lumiere": "lumiere" in text.split(),
                        "bougie*": any(w.startswith("bougie") for w in text.split()),
                        '"service client"': "service client" in text}[v],
    }
    return all(checks[name](value) for name, value in chosen.items())


def search_text(item: Mention) -> str:
    """The text and title, folded as the full-text engines fold them."""
    import unicodedata

    raw = f"{item.text or ''} {item.title or ''}".lower()
    bare = "".join(c for c in unicodedata.normalize("NFD", raw) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in bare).split())


def test_since_until_and_the_two_scopes(world: World) -> None:
    everything = [m for page in _all(world, Filters((world.a,)), Sort.OLDEST, 500)
                  for m in page]
    dated = [m for m in everything if m.created_at is not None]
    since, until = dated[4].created_at, dated[12].created_at
    window = Filters((world.a,), since=since, until=until)
    got = [m.id for page in _all(world, window, Sort.OLDEST, 3) for m in page]
    assert got == [m.id for m in dated if since <= m.created_at < until]  # type: ignore[operator]
    globex = {world.key(m.id) for page in _all(world, Filters((world.b,)), Sort.NEWEST, 5)
              for m in page}
    assert globex == world.seeded.b
    with world.engine.connect() as conn:
        shared = mentions.list_mentions(conn, Filters((world.b,), q="s0"), visible=(world.b,))
    assert [[link.name for link in m.brands] for m in shared.items] == [["Globex"]]


def test_the_query_filter_reads_a_bounded_number_of_candidates(world: World) -> None:
    filters = Filters((world.a,), query="lumiere OR lumière")
    with world.engine.connect() as conn:
        full = mentions.list_mentions(conn, filters, limit=100)
        assert full.next is None and full.scanned == len(world.seeded.a)
        expected = [m.id for m in full.items]
        assert expected and all("lumi" in search_text(m) for m in full.items)
        # Five candidates at a time: pages may be short or empty, and still reach the end.
        found, after, pages = [], None, 0
        while True:
            page = mentions.list_mentions(conn, filters, limit=2, after=after, scan_limit=5)
            assert page.scanned <= 5 and len(page.items) <= 2
            found += [m.id for m in page.items]
            pages += 1
            if page.next is None:
                break
            after = page.next
        assert found == expected and pages >= len(world.seeded.a) // 5
        with pytest.raises(ConfianceError) as caught:
            mentions.list_mentions(conn, Filters((world.a,), query="(bougie"))
        assert caught.value.code == "E401"


def test_thread_shows_only_what_the_scope_sees(world: World) -> None:
    ids = world.seeded.ids
    with world.engine.connect() as conn:
        reply = mentions.get_mention(conn, ids["a1"], [world.a])
        assert reply is not None
        around = mentions.thread(conn, reply, [world.a])
        assert [world.key(m.id) for m in around.parents] == ["a0"]
        assert [world.key(m.id) for m in around.replies] == ["a2"]
        root = mentions.get_mention(conn, ids["a0"], [world.a])
        assert root is not None
        assert [world.key(m.id) for m in mentions.thread(conn, root, [world.a]).replies] \
            == ["a1"]  # b0 replies too, but only globex sees it
        assert mentions.get_mention(conn, ids["a0"], [world.b]) is None
        globex_reply = mentions.get_mention(conn, ids["b0"], [world.b])
        assert globex_reply is not None
        assert mentions.thread(conn, globex_reply, [world.b]).parents == []


# --- full-text search ------------------------------------------------------------------------


def _search(world: World, q: str) -> set[str]:
    with world.engine.connect() as conn:
        page = mentions.list_mentions(conn, Filters((world.a, world.b), q=q), limit=500)
    return {world.key(m.id) for m in page.items}


def test_search_ignores_case_and_accents_and_follows_edits(world: World) -> None:
    assert _search(world, "lumiere") == _search(world, "LUMIÈRE") != set()
    assert _search(world, '"colis perdu"') == _search(world, "colis perdu") != set()
    assert _search(world, '"perdu colis"') == set()  # a phrase keeps its order
    assert _search(world, "bouG*") == _search(world, "bougie")
    with world.engine.begin() as conn:  # the triggers keep SQLite's index current
        conn.execute(sa.update(posts).where(posts.c.platform_id == "a3")
                     .values(text="Crème brûlée au caramel"))
        conn.execute(sa.delete(posts).where(posts.c.platform_id == "a4"))
    assert _search(world, "creme brulee") == {"a3"}
    assert "a4" not in _search(world, "odeur") | _search(world, "n°4")
    assert "a3" not in _search(world, "a3 bougie")


@given(q=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
@FUZZ
def test_any_search_text_is_safe(world: World, q: str) -> None:
    try:
        parsed = search.parse_search(q)
    except ConfianceError as error:
        assert error.code == "E630"
        return
    assert '"' not in "".join(w for t in parsed.terms for w in t.words)
    with world.engine.connect() as conn:  # never a syntax error in the engine
        mentions.list_mentions(conn, Filters((world.a,), q=q), limit=5)


@given(words=st.lists(st.sampled_from(["OR", "NOT", "AND", "NEAR", "*", '"', "(", ")",
                                       "col:", "^", "-", "{x}", "'", "\\", ":*", "&", "|",
                                       "!", "<->", "lumiere", "bougie"]), max_size=8))
@FUZZ
def test_engine_syntax_in_a_search_is_only_words(world: World, words: list[str]) -> None:
    q = " ".join(words)
    try:
        found = _search(world, q)
    except ConfianceError as error:
        assert error.code == "E630"
        return
    wanted = set(re.findall(r"[^\W_]+", q))  # col: is the word col, {x} the word x
    if '"' in words:
        return  # a quote makes a phrase of what follows: no error is what matters here
    if wanted - {"lumiere", "bougie"}:
        assert found == set()  # OR, NOT... are words no post has
    elif wanted:
        assert found == set.intersection(*(_search(world, w) for w in wanted))


def test_search_input_errors() -> None:
    for q in ("", "  ", "!!!", "*", '""', "-- ;"):
        with pytest.raises(ConfianceError) as caught:
            search.parse_search(q)
        assert caught.value.code == "E630"
    with pytest.raises(ConfianceError):
        search.parse_search(" ".join(["mot"] * 21))
    parsed = search.parse_search("l'odeur «Maison Lumière» bou*")
    assert parsed.fts5() == '"l" AND "odeur" AND "Maison Lumière" AND "bou" *'
    assert parsed.tsquery() == "'l' & 'odeur' & ('maison' <-> 'lumiere') & 'bou':*"


def test_the_indexes_serve_the_queries(world: World) -> None:
    """Sorting by engagement reads ix_posts_engagement (SQLite); a search reads
    ix_posts_search (PostgreSQL): the queries use the indexed expressions exactly."""
    with world.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            query = sa.select(posts.c.id).order_by(ENGAGEMENT.desc(),
                                                   posts.c.id.desc()).limit(5)
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert "ix_posts_engagement" in plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")
            query = sa.select(posts.c.id).where(
                search.matching("postgresql", search.parse_search("lumiere")))
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(str(r) for r in conn.exec_driver_sql(f"EXPLAIN {sql}"))
            assert "ix_posts_search" in plan


def test_an_empty_scope_lists_nothing(world: World) -> None:
    with world.engine.connect() as conn:
        page = mentions.list_mentions(conn, Filters(()))
        assert (page.items, page.next) == ([], None)
        none = mentions.list_mentions(conn, replace(Filters((world.a,)), author="nobody"))
        assert none.items == []


def test_an_import_indexes_its_posts_as_each_batch_ends(world: World) -> None:
    """The batch's own transaction indexes what it wrote: nothing is left pending, and a
    re-import that changes a text changes what a search finds."""
    from confiance.domain import Platform, Post
    from confiance.store import ingest

    def pending() -> int:
        with world.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT count(*) FROM posts_fts_pending")
                       .scalar_one())

    sqlite = world.engine.dialect.name == "sqlite"
    if sqlite:
        assert pending() == 0
    assert "a4" in _search(world, "odeur")
    ingest.ingest(world.engine, [Post(platform=Platform.X, platform_id="a4",
                                      text="Soufflé au Grand Marnier")],
                  source="again", format="test", batch_size=1)
    if sqlite:
        assert pending() == 0
    assert _search(world, "souffle") == {"a4"}
    assert "a4" not in _search(world, "odeur")  # its old words are gone from the index


def test_a_preview_compared_with_another_query_counts_what_it_adds_and_removes(
        world: World) -> None:
    from confiance.enrich.query import parse_query

    draft, stored = "lumiere OR colis", "colis OR bougie"
    with world.engine.connect() as conn:
        found = mentions.preview(conn, draft, [world.a], limit=0, against=parse_query(stored))
        plain = mentions.preview(conn, draft, [world.a], limit=0)
        added = mentions.preview(conn, f"({draft}) AND NOT ({stored})", [world.a], limit=0)
        removed = mentions.preview(conn, f"({stored}) AND NOT ({draft})", [world.a], limit=0)
    assert (found.scanned, found.matched) == (plain.scanned, plain.matched)
    assert (plain.added, plain.removed) == (None, None)
    assert (found.added, found.removed) == (added.matched, removed.matched)
    assert found.added and found.removed  # the seed has posts of each kind
