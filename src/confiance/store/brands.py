"""Brands and their competitors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from confiance.core.errors import ConfianceError
from confiance.domain import Brand
from confiance.store.runs import utcnow
from confiance.store.tables import brands


def add(engine: Engine, brand: Brand) -> int:
    """Create ``brand`` and any competitor not yet known; E302 if the name is taken."""
    with engine.begin() as conn:
        if _find(conn, brand.name) is not None:
            raise ConfianceError("E302", name=brand.name)
        try:
            brand_id = _insert(conn, brand.name, brand.query, brand.hashtags, None)
        except IntegrityError:  # created concurrently
            raise ConfianceError("E302", name=brand.name) from None
        _link_competitors(conn, brand_id, brand.competitors)
    return brand_id


def update_brand(engine: Engine, name: str, *, query: str | None = None,
                 hashtags: Sequence[str] | None = None,
                 competitors: Sequence[str] = ()) -> int:
    """Change a brand's query or hashtags and add competitors; E301 if it does not exist."""
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
    for name in competitors:
        found = _find(conn, name)
        if found is None:
            _insert(conn, name, None, [], brand_id)
        else:
            conn.execute(update(brands).where(brands.c.id == found).values(competitor_of=brand_id))


def _insert(conn: Connection, name: str, query: str | None, hashtags: Sequence[str],
            competitor_of: int | None) -> int:
    result = conn.execute(insert(brands).values(
        name=name, query=query, hashtags=[h.lstrip("#") for h in hashtags],
        competitor_of=competitor_of, created_at=utcnow()))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def _find(conn: Connection, name: str) -> int | None:
    found = conn.execute(select(brands.c.id).where(brands.c.name == name)).scalar_one_or_none()
    return None if found is None else int(found)


def _require(conn: Connection, name: str) -> int:
    found = _find(conn, name)
    if found is None:
        raise ConfianceError("E301", name=name)
    return found
