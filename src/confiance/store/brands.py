"""Brands and their competitors, and the posts their queries attach to them.

A post is attached to a brand by a ``brand_posts`` row whose ``via`` says how: ``import``
(``confiance import --brand``) or ``query`` (the brand's query matched it, see
:mod:`confiance.enrich.brands`). Query rows are replaced whenever a post is matched again;
import rows are never removed by matching.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from confiance.core.errors import ConfianceError
from confiance.domain import Brand
from confiance.enrich.query import parse_query
from confiance.store import rollups, workspaces
from confiance.store.runs import utcnow
from confiance.store.sql import insert_ignoring_conflicts
from confiance.store.tables import brand_posts, brands

VIA_QUERY = "query"
"""``brand_posts.via`` of a post attached because the brand's query matched it."""
VIA_IMPORT = "import"
"""``brand_posts.via`` of a post imported with ``--brand``: matching never removes it."""
_CHUNK = 1000  # post ids per IN (...) list: well under SQLite's limit on bound parameters


class BrandQuery(NamedTuple):
    """What matching needs of a brand (own brand or competitor alike)."""

    id: int
    name: str
    query: str | None
    hashtags: list[str]


@dataclass
class MatchChanges:
    """How many query attachments of one brand a re-match added and removed."""

    added: int = 0
    removed: int = 0


def add(engine: Engine, brand: Brand, *, workspace_id: int | None = None) -> int:
    """Create ``brand`` and any competitor not yet known in ``workspace_id`` (default: the
    first workspace, created as ``default`` when there is none); E302 if the name is taken,
    E401-E406 (with the position of the mistake) if its query does not parse."""
    if brand.query is not None:
        parse_query(brand.query)
    with engine.begin() as conn:
        if _find(conn, brand.name) is not None:
            raise ConfianceError("E302", name=brand.name)
        if workspace_id is None:
            workspace_id = workspaces.default_id(conn)
        try:
            brand_id = _insert(conn, brand.name, brand.query, brand.hashtags, None, workspace_id)
        except IntegrityError:  # created concurrently
            raise ConfianceError("E302", name=brand.name) from None
        _link_competitors(conn, brand_id, brand.competitors)
    return brand_id


def update_brand(engine: Engine, name: str, *, query: str | None = None,
                 hashtags: Sequence[str] | None = None,
                 competitors: Sequence[str] = ()) -> int:
    """Change a brand's query or hashtags and add competitors; E301 if it does not exist,
    E401-E406 if the new query does not parse (nothing is changed then).

    Posts already stored keep their attachments until ``confiance brand rematch``.
    """
    if query is not None:
        parse_query(query)
    with engine.begin() as conn:
        brand_id = _require(conn, name)
        values: dict[str, Any] = {}
        if query is not None:
            values["query"] = query
        if hashtags is not None:
            values["hashtags"] = list(hashtags)
        if values:
            conn.execute(update(brands).where(brands.c.id == brand_id).values(**values))
        _link_competitors(conn, brand_id, competitors)
    return brand_id


def resolve(engine: Engine, name: str) -> int:
    """The id of the brand called ``name``, or E301."""
    with engine.connect() as conn:
        return _require(conn, name)


def list_brands(engine: Engine) -> list[Brand]:
    """Every brand with its competitors' names, own brands and competitors alike."""
    with engine.connect() as conn:
        rows = conn.execute(select(brands).order_by(brands.c.name)).mappings().all()
    rivals: dict[int, list[str]] = {}
    for row in rows:
        if row["competitor_of"] is not None:
            rivals.setdefault(row["competitor_of"], []).append(row["name"])
    return [Brand(name=row["name"], query=row["query"], hashtags=row["hashtags"] or [],
                  competitors=rivals.get(row["id"], [])) for row in rows]


def competitor_of(engine: Engine) -> dict[str, str]:
    """Competitor name -> the brand it competes with."""
    with engine.connect() as conn:
        rows = conn.execute(select(brands.c.id, brands.c.name, brands.c.competitor_of)).all()
    names = {row.id: row.name for row in rows}
    return {row.name: names[row.competitor_of] for row in rows if row.competitor_of}


def _link_competitors(conn: Connection, brand_id: int, competitors: Sequence[str]) -> None:
    if not competitors:
        return
    workspace_id = conn.execute(select(brands.c.workspace_id)
                                .where(brands.c.id == brand_id)).scalar_one()
    for name in competitors:
        found = _find(conn, name)
        if found is None:
            _insert(conn, name, None, [], brand_id, workspace_id)
        elif conn.execute(select(brands.c.workspace_id).where(brands.c.id == found)
                          ).scalar_one() != workspace_id:
            raise ConfianceError("E302", name=name)  # never link across workspaces
        else:
            conn.execute(update(brands).where(brands.c.id == found).values(competitor_of=brand_id))


def _insert(conn: Connection, name: str, query: str | None, hashtags: Sequence[str],
            competitor_of: int | None, workspace_id: int) -> int:
    result = conn.execute(insert(brands).values(
        name=name, query=query, hashtags=[h.lstrip("#") for h in hashtags],
        competitor_of=competitor_of, workspace_id=workspace_id, created_at=utcnow()))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _find(conn: Connection, name: str) -> int | None:
    found = conn.execute(select(brands.c.id).where(brands.c.name == name)).scalar_one_or_none()
    return None if found is None else int(found)


def _require(conn: Connection, name: str) -> int:
    found = _find(conn, name)
    if found is None:
        raise ConfianceError("E301", name=name)
    return found


def queries(engine: Engine, name: str | None = None) -> list[BrandQuery]:
    """Every brand's id, name, query and hashtags, by name; only ``name``'s when given (E301
    if it does not exist)."""
    query = select(brands.c.id, brands.c.name, brands.c.query, brands.c.hashtags)
    if name is not None:
        query = query.where(brands.c.name == name)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(brands.c.name)).all()
    if name is not None and not rows:
        raise ConfianceError("E301", name=name)
    return [BrandQuery(int(row.id), row.name, row.query, list(row.hashtags or []))
            for row in rows]


def ids_by_name(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """The ids of the brands called ``names`` (names that no brand has are left out)."""
    wanted = sorted(set(names))
    if not wanted:
        return {}
    rows = conn.execute(select(brands.c.name, brands.c.id).where(brands.c.name.in_(wanted)))
    return {row.name: int(row.id) for row in rows}


def replace_query_matches(conn: Connection, matches: Mapping[int, Collection[int]], *,
                          scope: Collection[int] | None = None,
                          refresh_rollups: bool = True) -> dict[int, MatchChanges]:
    """Make the ``via='query'`` rows of the posts in ``matches`` (post id -> ids of the
    brands whose query matches it) say exactly that, for the brands in ``scope`` (all brands
    when ``None``); returns what changed per brand id.

    Rows with another ``via`` (``import``) are never removed, and a match on a post that
    such a row already attaches adds nothing. A post imported for a brand belongs to that
    brand's workspace: the queries of other workspaces' brands never attach it (and an
    attachment they made before is removed), so one workspace's imports stay its own. A post
    imported for no brand belongs to no workspace, and any brand's query may attach it.

    The insert ignores a pair that appeared concurrently (ON CONFLICT DO NOTHING on SQLite
    and PostgreSQL alike). The dashboard rollups of the posts whose attachments changed are
    refreshed, unless the caller does it (``refresh_rollups=False``).
    """
    in_scope = None if scope is None else set(scope)
    if in_scope is not None and not in_scope:
        return {}
    wanted = {(brand_id, post_id) for post_id, brand_ids in matches.items()
              for brand_id in brand_ids if in_scope is None or brand_id in in_scope}
    existing: dict[tuple[int, int], str] = {}
    owners: dict[int, set[int]] = {}  # post id -> workspaces of the brands it was imported for
    post_ids = sorted(matches)
    for start in range(0, len(post_ids), _CHUNK):
        rows = conn.execute(
            select(brand_posts.c.brand_id, brand_posts.c.post_id, brand_posts.c.via,
                   brands.c.workspace_id)
            .join(brands, brands.c.id == brand_posts.c.brand_id)
            .where(brand_posts.c.post_id.in_(post_ids[start:start + _CHUNK])))
        for row in rows:
            brand_id, post_id = int(row.brand_id), int(row.post_id)
            if in_scope is None or brand_id in in_scope:
                existing[(brand_id, post_id)] = row.via
            if row.via == VIA_IMPORT:
                owners.setdefault(post_id, set()).add(int(row.workspace_id))
    wanted = _within_owners(conn, wanted, owners)
    stale = sorted(pair for pair, via in existing.items() if via == VIA_QUERY
                   and pair not in wanted)
    new = sorted(pair for pair in wanted if pair not in existing)
    if stale:
        conn.execute(delete(brand_posts).where(
            brand_posts.c.brand_id == bindparam("b"), brand_posts.c.post_id == bindparam("p"),
            brand_posts.c.via == VIA_QUERY), [{"b": b, "p": p} for b, p in stale])
    if new:
        conn.execute(insert_ignoring_conflicts(conn, brand_posts), [
            {"brand_id": b, "post_id": p, "via": VIA_QUERY} for b, p in new])
    if refresh_rollups:
        rollups.refresh(conn, (post_id for _, post_id in (*stale, *new)))
    changes: dict[int, MatchChanges] = {}
    for brand_id, _ in new:
        changes.setdefault(brand_id, MatchChanges()).added += 1
    for brand_id, _ in stale:
        changes.setdefault(brand_id, MatchChanges()).removed += 1
    return changes


def _within_owners(conn: Connection, wanted: set[tuple[int, int]],
                   owners: Mapping[int, Collection[int]]) -> set[tuple[int, int]]:
    """The (brand, post) pairs of ``wanted`` whose post was imported for no brand, or for a
    brand of the same workspace as the pair's brand (``owners``: post id -> workspaces)."""
    brand_ids = sorted({brand_id for brand_id, post_id in wanted if post_id in owners})
    if not brand_ids:
        return wanted
    workspace_of = {int(r.id): int(r.workspace_id) for r in conn.execute(
        select(brands.c.id, brands.c.workspace_id).where(brands.c.id.in_(brand_ids)))}
    return {(brand_id, post_id) for brand_id, post_id in wanted
            if post_id not in owners or workspace_of.get(brand_id) in owners[post_id]}


@dataclass(frozen=True)
class BrandRecord:
    """A stored brand as the API shows it."""

    id: int
    name: str
    workspace_id: int
    query: str | None
    hashtags: list[str]
    competitor_of: int | None
    competitors: list[int]


def records(conn: Connection, workspace_ids: Collection[int], *,
            brand_id: int | None = None) -> list[BrandRecord]:
    """The brands of ``workspace_ids`` (or only ``brand_id`` among them), by name."""
    if not workspace_ids:
        return []
    query = select(brands).where(brands.c.workspace_id.in_(list(workspace_ids)))
    if brand_id is not None:
        query = query.where(brands.c.id == brand_id)
    rows = conn.execute(query.order_by(brands.c.name)).mappings().all()
    rival_rows = conn.execute(select(brands.c.id, brands.c.competitor_of).where(
        brands.c.competitor_of.in_([row["id"] for row in rows]))).all() if rows else []
    rivals: dict[int, list[int]] = {}
    for rival in rival_rows:
        rivals.setdefault(int(rival.competitor_of), []).append(int(rival.id))
    return [BrandRecord(id=int(row["id"]), name=row["name"],
                        workspace_id=int(row["workspace_id"]), query=row["query"],
                        hashtags=list(row["hashtags"] or []),
                        competitor_of=row["competitor_of"],
                        competitors=sorted(rivals.get(int(row["id"]), [])))
            for row in rows]


def delete_brand(conn: Connection, brand_id: int) -> None:
    """Delete a brand, its competitors' link to it and its attachments (posts stay)."""
    conn.execute(delete(brands).where(brands.c.id == brand_id))
