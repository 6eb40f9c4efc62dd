"""What is stored: counts by platform, language and kind, date range, top authors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, select

from confiance.domain.records import aware_utc
from confiance.store.tables import authors, brand_posts, brands, posts, quarantine


def summary(engine: Engine, *, top: int = 10) -> dict[str, Any]:
    """The figures ``confiance stats`` prints (and returns as JSON)."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
        first, last = conn.execute(select(func.min(posts.c.created_at),
                                          func.max(posts.c.created_at))).one()
        result: dict[str, Any] = {
            "posts": total,
            "authors": conn.execute(select(func.count()).select_from(authors)).scalar_one(),
            "quarantined": conn.execute(
                select(func.count()).select_from(quarantine)).scalar_one(),
            "first_post_at": _iso(first),
            "last_post_at": _iso(last),
            "by_platform": _counts(conn, posts.c.platform),
            "by_language": _counts(conn, func.coalesce(posts.c.language, "unknown")),
            "by_kind": _counts(conn, posts.c.kind),
            "by_brand": _brand_counts(conn),
            "top_authors": _top_authors(conn, top),
        }
    return result


def _counts(conn: Any, column: Any) -> dict[str, int]:
    rows = conn.execute(select(column, func.count()).group_by(column)
                        .order_by(func.count().desc(), column))
    return {str(key): int(count) for key, count in rows}


def _brand_counts(conn: Any) -> dict[str, int]:
    rows = conn.execute(
        select(brands.c.name, func.count(brand_posts.c.post_id))
        .select_from(brands.outerjoin(brand_posts, brand_posts.c.brand_id == brands.c.id))
        .group_by(brands.c.name).order_by(brands.c.name))
    return {name: int(count) for name, count in rows}


def _top_authors(conn: Any, top: int) -> list[dict[str, Any]]:
    """Authors with the most posts, ties broken by audience."""
    count = func.count(posts.c.id).label("posts")
    query = (
        select(authors.c.platform, authors.c.handle, authors.c.display_name,
               authors.c.platform_id, authors.c.followers, count)
        .join(posts, and_(posts.c.platform == authors.c.platform,
                          posts.c.author_id == authors.c.platform_id))
        .group_by(authors.c.id)
        .order_by(count.desc(), func.coalesce(authors.c.followers, 0).desc())
        .limit(top)
    )
    return [
        {"platform": r.platform, "handle": r.handle or r.display_name or r.platform_id,
         "followers": r.followers, "posts": int(r.posts)}
        for r in conn.execute(query)
    ]


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return aware_utc(value).isoformat().replace("+00:00", "Z")
