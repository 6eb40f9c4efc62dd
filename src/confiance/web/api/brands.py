"""``/brands``: the brands and competitors of your workspaces, with their queries."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from confiance.auth.roles import Action
from confiance.domain import Brand
from confiance.store import audit, brands
from confiance.web.deps import Conn, CurrentPrincipal, client_ip, get_engine
from confiance.web.schemas import PathId

router = APIRouter(tags=["brands"])


class BrandOut(BaseModel):
    """A brand (or a competitor, ``competitor_of`` set) and its Boolean query."""

    id: int
    name: str
    workspace_id: int
    query: str | None
    hashtags: list[str]
    competitor_of: int | None
    competitors: list[int]

    @classmethod
    def of(cls, record: brands.BrandRecord) -> BrandOut:
        """The body for ``record``."""
        return cls(**record.__dict__)


class BrandIn(BaseModel):
    """A new brand in a workspace; competitors are created by name when unknown."""

    workspace_id: int
    name: str = Field(min_length=1, max_length=200, examples=["Maison Lumière"])
    query: str | None = Field(default=None, max_length=10_000,
                              examples=['"maison lumière" OR #maisonlumiere'])
    hashtags: list[str] = Field(default_factory=list, max_length=100)
    competitors: list[str] = Field(default_factory=list, max_length=50)


class BrandUpdate(BaseModel):
    """Changes to a brand: a new query or hashtags, competitors to add."""

    query: str | None = Field(default=None, max_length=10_000)
    hashtags: list[str] | None = Field(default=None, max_length=100)
    competitors: list[str] = Field(default_factory=list, max_length=50)


def visible(principal: CurrentPrincipal, conn: Conn, brand_id: PathId,
            action: Action = Action.READ) -> brands.BrandRecord:
    """The brand ``brand_id`` if the principal may ``action`` it (E605 / E604 otherwise)."""
    found = brands.records(conn, principal.workspace_ids, brand_id=brand_id)
    workspace_id = found[0].workspace_id if found else None
    principal.require(workspace_id, action, what="brand", ref=brand_id, listing="brands")
    return found[0]


@router.get("/brands", response_model=list[BrandOut])
def list_brands(principal: CurrentPrincipal, conn: Conn,
                workspace_id: int | None = Query(default=None, description="only this one")
                ) -> list[BrandOut]:
    """The brands and competitors of your workspaces, by name."""
    scope = principal.workspace_ids
    if workspace_id is not None:
        scope = [w for w in scope if w == workspace_id]
    return [BrandOut.of(r) for r in brands.records(conn, scope)]


@router.get("/brands/{brand_id}", response_model=BrandOut)
def get_brand(brand_id: PathId, principal: CurrentPrincipal, conn: Conn) -> BrandOut:
    """One brand."""
    return BrandOut.of(visible(principal, conn, brand_id))


@router.post("/brands", response_model=BrandOut, status_code=201)
def create_brand(body: BrandIn, principal: CurrentPrincipal, request: Request) -> BrandOut:
    """Create a brand in a workspace (owners and analysts); its query is checked first
    (E401-E406 with the position of a mistake)."""
    principal.require(body.workspace_id, Action.EDIT_BRAND, what="workspace",
                      ref=body.workspace_id, listing="workspaces")
    engine = get_engine(request)
    brand_id = brands.add(engine, Brand(name=body.name, query=body.query,
                                        hashtags=body.hashtags, competitors=body.competitors),
                          workspace_id=body.workspace_id)
    with engine.begin() as conn:
        audit.record(conn, "brand.create", user_id=principal.user.id,
                     actor=principal.user.email, workspace_id=body.workspace_id,
                     target=body.name, details={"query": body.query}, ip=client_ip(request))
        return BrandOut.of(brands.records(conn, [body.workspace_id], brand_id=brand_id)[0])


@router.patch("/brands/{brand_id}", response_model=BrandOut)
def update_brand(brand_id: PathId, body: BrandUpdate, principal: CurrentPrincipal,
                 request: Request) -> BrandOut:
    """Change a brand's query or hashtags, add competitors (owners and analysts). Stored
    posts keep their attachments until the brand is re-matched."""
    engine = get_engine(request)
    with engine.connect() as conn:
        record = visible(principal, conn, brand_id, Action.EDIT_BRAND)
    brands.update_brand(engine, record.name, query=body.query, hashtags=body.hashtags,
                        competitors=body.competitors)
    with engine.begin() as conn:
        audit.record(conn, "brand.update", user_id=principal.user.id,
                     actor=principal.user.email, workspace_id=record.workspace_id,
                     target=record.name, details=body.model_dump(exclude_none=True),
                     ip=client_ip(request))
        return BrandOut.of(brands.records(conn, [record.workspace_id], brand_id=brand_id)[0])


@router.delete("/brands/{brand_id}", status_code=204)
def delete_brand(brand_id: PathId, principal: CurrentPrincipal, conn: Conn,
                 request: Request) -> None:
    """Delete a brand and its competitors (owners only); the posts stay stored."""
    record = visible(principal, conn, brand_id, Action.MANAGE_MEMBERS)
    brands.delete_brand(conn, brand_id)
    audit.record(conn, "brand.delete", user_id=principal.user.id, actor=principal.user.email,
                 workspace_id=record.workspace_id, target=record.name, ip=client_ip(request))
