"""Response and request bodies shared by several routers (the OpenAPI document shows them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Generic, TypeVar

from fastapi import Path
from pydantic import BaseModel, Field

from confiance.store.accounts import Membership, User

T = TypeVar("T")

MAX_ID = 2**63 - 1
"""The largest id a database column holds; larger numbers are refused (E621), not sent."""
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a URL path."""
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a request body or query string."""


class UserOut(BaseModel):
    """A user, never with a password hash."""

    id: int
    email: str
    display_name: str | None
    locale: str
    is_active: bool
    must_change_password: bool
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserOut:
        """The body for ``user``."""
        return cls(id=user.id, email=user.email, display_name=user.display_name,
                   locale=user.locale, is_active=user.is_active,
                   must_change_password=user.must_change_password,
                   created_at=user.created_at, last_login_at=user.last_login_at)


class WorkspaceOut(BaseModel):
    """A workspace and the caller's role in it."""

    id: int
    name: str
    role: str

    @classmethod
    def of(cls, membership: Membership) -> WorkspaceOut:
        """The body for one of the caller's memberships."""
        return cls(id=membership.workspace_id, name=membership.workspace,
                   role=membership.role.value)


class Page(BaseModel, Generic[T]):
    """One page of a list; ``next`` is the cursor of the following page (null: the last)."""

    items: list[T]
    next: str | None = None
