"""The ``/api/v1`` routers, one module per resource."""

from __future__ import annotations

from fastapi import APIRouter

from confiance.web.api import (
    alert_rules,
    alerts,
    authors,
    brands,
    corrections,
    listen,
    me,
    overview,
    posts,
    queries,
    session,
    tokens,
    users,
)

api_router = APIRouter()
for module in (session, me, users, tokens, brands, posts, authors, queries, corrections,
               overview, alerts, alert_rules, listen):
    api_router.include_router(module.router)
