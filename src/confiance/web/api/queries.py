"""``/queries``: check a Boolean brand query while it is typed, and preview what it finds.

``validate`` answers 200 either way, ``{"valid": true, "normalized": ...}`` or ``{"valid":
false, "error": {...}}`` with the E401-E406 error and where it is (``details``: ``position``,
``line``, ``column``, ``length``, ``reason``): a live editor calls it on every keystroke, and
a mistake in a draft is an answer, not a failed request. ``preview`` runs a query that must
parse (E401-E406 as errors, 422) over the latest posts of one of your workspaces.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from confiance.core.errors import ConfianceError
from confiance.enrich.query import parse_query
from confiance.store import mentions
from confiance.web.api.posts import PostOut, checked_period, visible_brands
from confiance.web.deps import Conn, CurrentPrincipal

router = APIRouter(tags=["queries"])

MAX_QUERY = 10_000


class QueryIn(BaseModel):
    """A brand query to check."""

    query: str = Field(max_length=MAX_QUERY,
                       examples=['("Maison Lumière" OR #MaLumiereAMoi) AND NOT emploi'])


class QueryError(BaseModel):
    """Why a query does not parse: ``details`` has ``position`` (0-based), ``line`` and
    ``column`` (1-based), ``length`` (characters to underline) and ``reason``."""

    code: str
    message: str
    details: dict[str, Any] | None = None


class Validation(BaseModel):
    """The verdict: ``normalized`` (how the query was read) and ``terms`` (words to
    highlight) when valid, ``error`` when not."""

    valid: bool
    normalized: str | None = None
    terms: list[str] | None = None
    error: QueryError | None = None


class PreviewIn(BaseModel):
    """A query to try on the latest posts of a workspace."""

    query: str = Field(max_length=MAX_QUERY)
    workspace_id: int = Field(ge=1, le=2**63 - 1)
    since: datetime | None = Field(default=None, description="Only posts created since")
    limit: int = Field(default=20, ge=1, le=100, description="Matches to show")


class PreviewOut(BaseModel):
    """The newest matches, and how many of the ``scanned`` latest posts (at most
    ``scan_limit``) matched."""

    items: list[PostOut]
    scanned: int
    matched: int
    scan_limit: int


@router.post("/queries/validate", response_model=Validation)
def validate(body: QueryIn, _principal: CurrentPrincipal) -> Validation:
    """Whether a brand query parses; 200 with `valid: false` and the error (code, message,
    position) when it does not."""
    try:
        parsed = parse_query(body.query)
    except ConfianceError as error:
        found = error.as_dict()
        return Validation(valid=False, error=QueryError(**found))
    return Validation(valid=True, normalized=str(parsed), terms=parsed.terms())


@router.post("/queries/preview", response_model=PreviewOut)
def preview(body: PreviewIn, principal: CurrentPrincipal, conn: Conn) -> PreviewOut:
    """The posts of a workspace (newest first) that a brand query finds among its latest
    5,000 posts: fast whatever the size of the store. E401-E406 when the query does not
    parse, E605 for a workspace you are not a member of."""
    brand_ids = visible_brands(conn, principal, body.workspace_id)
    since, _ = checked_period(body.since, None)
    found = mentions.preview(conn, body.query, brand_ids, since=since, limit=body.limit)
    return PreviewOut(items=[PostOut.of(m) for m in found.items], scanned=found.scanned,
                      matched=found.matched, scan_limit=mentions.QUERY_SCAN_LIMIT)
