"""``/listen``: the push endpoint, and each brand's listening sources.

``POST /listen/push/{push_key}`` takes a delivery signed with the source's push secret
(:mod:`confiance.listen.push`); it needs no user: the signature is the credential. The
``/brands/{brand_id}/listen-sources`` routes list a brand's sources (any role; the settings'
secret-looking values and URL query strings are masked for those who cannot manage them) and
add, pause, resume, remove them or rotate a push secret (analysts and owners).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine

from confiance.auth.roles import Action, can
from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.listen import push, sources
from confiance.listen.sources import masked_config
from confiance.sources.clients.base import poll_clients
from confiance.sources.registry import FormatRegistry
from confiance.store import audit, listening
from confiance.store.accounts import Membership
from confiance.store.listening import ListenSource
from confiance.store.runs import utcnow
from confiance.web.deps import Conn, CurrentPrincipal, Principal, brand_workspace, get_engine
from confiance.web.schemas import PathId

router = APIRouter(tags=["listening"])


class SourceOut(BaseModel):
    """A listening source (never its token or push secret)."""

    id: int
    brand_id: int
    name: str
    mode: Literal["poll", "push"]
    format: str
    config: dict[str, Any]
    secret_ref: str | None = Field(description="Where a polled source reads its token: "
                                   "env:NAME or file:PATH (a name, not the token).")
    push_path: str | None = Field(description="Where to POST deliveries (push sources).")
    interval_s: float
    enabled: bool
    health: Literal["ok", "failing", "auth", "config", "waiting"]
    failures: int
    last_error: str | None
    last_run_at: datetime | None
    last_success_at: datetime | None
    token_expires_at: datetime | None
    posts: int
    created_at: datetime

    @classmethod
    def of(cls, source: ListenSource) -> SourceOut:
        """The body for ``source``."""
        values = {k: v for k, v in source.__dict__.items() if k in cls.model_fields}
        path = None if source.push_key is None else f"/api/v1/listen/push/{source.push_key}"
        return cls(**values, push_path=path)


class NewSource(SourceOut):
    """A source just added: ``push_secret`` (push sources) is shown this once only."""

    push_secret: str | None


class SourceIn(BaseModel):
    """A new listening source."""

    name: str = Field(min_length=1, max_length=200, examples=["Mastodon #maisonlumiere"])
    mode: Literal["poll", "push"]
    format: str = Field(min_length=1, max_length=50, examples=["mastodon"])
    config: dict[str, Any] = Field(default_factory=dict,
                                   examples=[{"instance": "https://mastodon.social",
                                              "hashtag": "maisonlumiere"}])
    interval_s: float | None = Field(default=None, ge=10, le=7 * 86400)
    secret_ref: str | None = Field(default=None, max_length=1000,
                                   examples=["env:MASTODON_TOKEN"])


class PushSecret(BaseModel):
    """A push source's new secret, shown this once only."""

    push_secret: str


class Accepted(BaseModel):
    """A delivery kept for import; ``duplicate`` when the same body had been received."""

    id: int | None
    duplicate: bool


def _brand(principal: Principal, conn: Connection, brand_id: int, action: Action
           ) -> Membership:
    return principal.require(brand_workspace(conn, brand_id), action, what="brand",
                             ref=brand_id, listing="GET /api/v1/brands")


def _source(principal: Principal, conn: Connection, brand_id: int, source_id: int,
            action: Action) -> ListenSource:
    _brand(principal, conn, brand_id, action)
    try:
        found = listening.load_source(conn, source_id)
    except ConfianceError:
        found = None
    if found is None or found.brand_id != brand_id:
        raise ConfianceError("E605", what="listening source", ref=str(source_id),
                             listing=f"GET /api/v1/brands/{brand_id}/listen-sources")
    return found


def _audit(conn: Connection, principal: Principal, brand_id: int, action: str,
           source: ListenSource) -> None:
    workspace_id = brand_workspace(conn, brand_id)
    audit.record(conn, f"listen_source.{action}", user_id=principal.user.id,
                 actor=principal.user.email, workspace_id=workspace_id,
                 target=f"listen_source:{source.id}",
                 details={"brand_id": brand_id, "name": source.name})


@router.get("/brands/{brand_id}/listen-sources", response_model=list[SourceOut])
def list_sources(brand_id: PathId, principal: CurrentPrincipal, conn: Conn) -> list[SourceOut]:
    """The brand's listening sources, with their health."""
    membership = _brand(principal, conn, brand_id, Action.READ)
    found = [SourceOut.of(s) for s in listening.list_sources(conn, [brand_id])]
    if not can(membership.role, Action.MANAGE_SOURCES):
        # A private feed's address may carry its token: only managers see it whole.
        found = [s.model_copy(update={"config": masked_config(s.config)}) for s in found]
    return found


@router.post("/brands/{brand_id}/listen-sources", response_model=NewSource, status_code=201)
def add_source(brand_id: PathId, body: SourceIn, principal: CurrentPrincipal,
               conn: Conn) -> NewSource:
    """Add a source; a push source's secret is in the answer, and never again."""
    _brand(principal, conn, brand_id, Action.MANAGE_SOURCES)
    manager = plugin_manager()
    source, secret = sources.add(
        conn, brand_id=brand_id, name=body.name, mode=body.mode, format=body.format,
        config=body.config, clients=poll_clients(manager),
        formats=FormatRegistry.from_plugins(manager), interval_s=body.interval_s,
        secret_ref=body.secret_ref)
    _audit(conn, principal, brand_id, "add", source)
    return NewSource(**SourceOut.of(source).model_dump(), push_secret=secret)


@router.post("/brands/{brand_id}/listen-sources/{source_id}/pause", response_model=SourceOut)
def pause_source(brand_id: PathId, source_id: PathId, principal: CurrentPrincipal,
                 conn: Conn) -> SourceOut:
    """Stop polling (or accepting pushes for) a source."""
    source = _source(principal, conn, brand_id, source_id, Action.MANAGE_SOURCES)
    _audit(conn, principal, brand_id, "pause", source)
    return SourceOut.of(listening.set_enabled(conn, source.id, False))


@router.post("/brands/{brand_id}/listen-sources/{source_id}/resume", response_model=SourceOut)
def resume_source(brand_id: PathId, source_id: PathId, principal: CurrentPrincipal,
                  conn: Conn) -> SourceOut:
    """Resume a source: it is due at once and its failures are forgotten."""
    source = _source(principal, conn, brand_id, source_id, Action.MANAGE_SOURCES)
    _audit(conn, principal, brand_id, "resume", source)
    return SourceOut.of(listening.set_enabled(conn, source.id, True))


@router.post("/brands/{brand_id}/listen-sources/{source_id}/rotate-secret",
             response_model=PushSecret)
def rotate_secret(brand_id: PathId, source_id: PathId, principal: CurrentPrincipal,
                  conn: Conn) -> PushSecret:
    """A new push secret (the old one stops working at once), shown this once only."""
    source = _source(principal, conn, brand_id, source_id, Action.MANAGE_SOURCES)
    _audit(conn, principal, brand_id, "rotate_secret", source)
    return PushSecret(push_secret=listening.rotate_push_secret(conn, source.id))


@router.delete("/brands/{brand_id}/listen-sources/{source_id}", status_code=204)
def remove_source(brand_id: PathId, source_id: PathId, principal: CurrentPrincipal,
                  conn: Conn) -> None:
    """Remove a source (the posts it collected stay)."""
    source = _source(principal, conn, brand_id, source_id, Action.MANAGE_SOURCES)
    _audit(conn, principal, brand_id, "remove", source)
    listening.delete_source(conn, source.id)


def _accept(engine: Engine, push_key: str, body: bytes, headers: dict[str, str]
            ) -> tuple[int | None, bool]:
    with engine.begin() as conn:
        return push.accept(conn, push_key, body, headers, now=utcnow())


@router.post(
    "/listen/push/{push_key}", status_code=202, response_model=Accepted,
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/x-ndjson": {"schema": {"type": "string"}}}}},
    responses={401: {"description": "E744: unsigned, badly signed or stale delivery"},
               413: {"description": "E745: the delivery is too large"}})
async def push_delivery(push_key: str, request: Request) -> JSONResponse:
    """Take a delivery for a push source: the raw body (a payload of the source's format),
    signed in ``X-Confiance-Signature`` with ``X-Confiance-Timestamp`` (see
    docs/listening.md). Kept until a listener imports it; a repeated delivery is kept once."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > push.MAX_BODY:
        raise ConfianceError("E745", size=int(declared), maximum=push.MAX_BODY)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > push.MAX_BODY:
            raise ConfianceError("E745", size=size, maximum=push.MAX_BODY)
        chunks.append(chunk)
    found, new = await run_in_threadpool(_accept, get_engine(request), push_key,
                                         b"".join(chunks), dict(request.headers))
    return JSONResponse(Accepted(id=found, duplicate=not new).model_dump(), status_code=202)
