"""``/tokens``: your personal API tokens (the secret is shown once, at creation)."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from confiance.core.errors import ConfianceError
from confiance.store import audit, credentials
from confiance.store.runs import utcnow
from confiance.web.deps import Conn, CurrentPrincipal, client_ip
from confiance.web.schemas import PathId

router = APIRouter(tags=["tokens"])


class TokenIn(BaseModel):
    """A name to recognise the token by, and an optional lifetime."""

    name: str = Field(min_length=1, max_length=200, examples=["export nightly"])
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    """A token as listed: never its secret."""

    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: credentials.Token) -> TokenOut:
        """The body for ``token``."""
        return cls(**token.__dict__)


class NewToken(TokenOut):
    """A token just created: ``token`` is its secret, shown this once only."""

    token: str


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(principal: CurrentPrincipal, conn: Conn) -> list[TokenOut]:
    """Your tokens, newest first, revoked ones included."""
    return [TokenOut.of(t) for t in credentials.list_tokens(conn, principal.user.id)]


@router.post("/tokens", response_model=NewToken, status_code=201)
def create_token(body: TokenIn, principal: CurrentPrincipal, conn: Conn,
                 request: Request) -> NewToken:
    """Create a personal API token; copy ``token`` now, it is never shown again."""
    expires = None if body.expires_in_days is None else utcnow() + timedelta(
        days=body.expires_in_days)
    token_id, secret = credentials.create_token(conn, principal.user.id, body.name,
                                                expires_at=expires)
    audit.record(conn, "token.create", user_id=principal.user.id, actor=principal.user.email,
                 target=body.name, details={"token_id": token_id}, ip=client_ip(request))
    token = next(t for t in credentials.list_tokens(conn, principal.user.id)
                 if t.id == token_id)
    return NewToken(**TokenOut.of(token).model_dump(), token=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: PathId, principal: CurrentPrincipal, conn: Conn,
                 request: Request) -> None:
    """Revoke one of your tokens; it stops working at once."""
    if not credentials.revoke_token(conn, principal.user.id, token_id):
        raise ConfianceError("E605", what="token", ref=str(token_id), listing="tokens")
    audit.record(conn, "token.revoke", user_id=principal.user.id, actor=principal.user.email,
                 target=str(token_id), ip=client_ip(request))
