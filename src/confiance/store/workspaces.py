"""Workspaces: a team's space holding brands; its members see nothing outside it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from confiance.core.errors import ConfianceError
from confiance.store.runs import utcnow
from confiance.store.tables import brands, workspaces

DEFAULT = "default"
"""The workspace brands go to when none is named (and where the first owner starts)."""


@dataclass(frozen=True)
class Workspace:
    """A workspace as the API shows it."""

    id: int
    name: str


def default_id(conn: Connection) -> int:
    """The first workspace's id, creating ``default`` when there is none."""
    found = conn.execute(select(workspaces.c.id).order_by(workspaces.c.id).limit(1)
                         ).scalar_one_or_none()
    if found is not None:
        return int(found)
    return ensure(conn, DEFAULT)


def ensure(conn: Connection, name: str) -> int:
    """The id of the workspace called ``name``, created if needed."""
    found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)
                         ).scalar_one_or_none()
    if found is not None:
        return int(found)
    result = conn.execute(insert(workspaces).values(name=name, created_at=utcnow()))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def create(engine: Engine, name: str) -> int:
    """Create the workspace ``name``; E616 if it exists."""
    name = name.strip()
    if not name:
        raise ConfianceError("E617", name=name)
    try:
        with engine.begin() as conn:
            result = conn.execute(insert(workspaces).values(name=name, created_at=utcnow()))
            return int(result.inserted_primary_key[0])  # type: ignore[index]
    except IntegrityError:
        raise ConfianceError("E616", name=name) from None


def resolve(conn: Connection, name: str) -> int:
    """The id of the workspace ``name``; E615 when there is none."""
    found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)
                         ).scalar_one_or_none()
    if found is None:
        known = ", ".join(conn.execute(select(workspaces.c.name).order_by(workspaces.c.name)
                                       ).scalars()) or "none yet"
        raise ConfianceError("E615", name=name, known=known)
    return int(found)


def list_all(conn: Connection) -> list[Workspace]:
    """Every workspace, by name."""
    rows = conn.execute(select(workspaces.c.id, workspaces.c.name).order_by(workspaces.c.name))
    return [Workspace(id=int(r.id), name=r.name) for r in rows]


def of_brand(conn: Connection, brand_id: int) -> int | None:
    """The workspace a brand belongs to (``None`` for no such brand)."""
    found = conn.execute(select(brands.c.workspace_id).where(brands.c.id == brand_id)
                         ).scalar_one_or_none()
    return None if found is None else int(found)
