"""Per-workspace isolation, route by route, from the published OpenAPI document.

A user of ``globex`` asks every GET and DELETE route of the API with the ids of ``acme``'s
brand, posts, authors, members, workspace, alerts, alert rules and listening sources: each
answers E605 (as for an id that does not exist), and no list answers an ``acme``-only post. A
new route is covered as soon as it is published. (Routes that take a body are checked with
valid bodies in their own test files.)
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from confiance.store.tables import authors, posts
from tests.store.mention_data import seed
from tests.web.alert_site import seed_alerts
from tests.web.conftest import Site

PARAM = re.compile(r"\{(\w+)\}")


def _platform_ids(value: Any) -> set[str]:
    """Every ``platform_id`` anywhere in a JSON answer (lists, pages, nested posts)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "platform_id" and isinstance(item, str):
                found.add(item)
            found |= _platform_ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= _platform_ids(item)
    return found


def _acme_source(site: Site) -> int:
    """A push source of acme's brand (its id for the listening-source routes)."""
    from confiance.store import listening

    with site.engine.begin() as conn:
        source, _ = listening.add_source(conn, brand_id=site.brand_ids["acme"], name="shop",
                                         mode="push", format="ndjson", config={},
                                         interval_s=60)
    return source.id


def test_no_route_reveals_another_workspace(site: Site) -> None:
    seeded = seed(site.engine, site.brand_ids["acme"], site.brand_ids["globex"])
    alerted = seed_alerts(site)
    acme_only = seeded.a - seeded.b
    with site.engine.connect() as conn:
        author_of = {row.platform_id: row.author_id for row in conn.execute(
            sa.select(posts.c.platform_id, posts.c.author_id))}
        seen_by_globex = {author_of[key] for key in seeded.b}
        acme_author = next(author_of[key] for key in sorted(acme_only)
                           if author_of[key] not in seen_by_globex)
        author_id = conn.execute(sa.select(authors.c.id).where(
            authors.c.platform_id == acme_author)).scalar_one()
    acme_post = seeded.ids[sorted(acme_only)[0]]
    ids = {"brand_id": site.brand_ids["acme"], "post_id": acme_post, "author_id": author_id,
           "workspace_id": site.workspace_ids["acme"],
           "user_id": site.user_ids[("acme", "viewer")], "alert_id": alerted.ids["a1"],
           "rule_id": alerted.rule_id, "source_id": _acme_source(site)}
    globex = site.as_("owner", "globex")
    spec = site.client.get("/openapi.json").json()
    checked = []
    for path, methods in spec["paths"].items():
        for method in methods:
            if method not in ("get", "delete") or path.startswith("/api/v1/tokens/"):
                continue  # a token id is personal: revoking another's is tested in auth
            names = PARAM.findall(path)
            assert set(names) <= set(ids), f"add an acme id for {names} of {path}"
            url = PARAM.sub(lambda m: str(ids[m.group(1)]), path)
            answer = site.client.request(method.upper(), url, headers=globex)
            checked.append(f"{method.upper()} {path}")
            if names:
                assert answer.status_code == 404, (method, url, answer.text[:300])
                assert answer.json()["error"]["code"] == "E605", (method, url)
                continue
            assert answer.status_code < 400, (method, url, answer.text[:300])
            if answer.status_code == 204:
                continue
            if answer.headers["content-type"].startswith("application/json"):
                leaked = _platform_ids(answer.json()) & acme_only
            else:  # an export (CSV or NDJSON): no acme-only post id in any line
                leaked = {key for key in acme_only if f",{key}," in answer.text
                          or f'"{key}"' in answer.text}
            assert not leaked, (url, sorted(leaked))
    assert len(checked) >= 20, checked
    # and the acme user does see them, so the checks above could fail
    mine = site.client.get(f"/api/v1/posts/{acme_post}", headers=site.as_("viewer"))
    assert mine.status_code == 200
    for path in (f"/api/v1/brands/{ids['brand_id']}/alerts/{ids['alert_id']}",
                 f"/api/v1/brands/{ids['brand_id']}/alert-rules/{ids['rule_id']}"):
        assert site.client.get(path, headers=site.as_("viewer")).status_code == 200
    assert {"GET /api/v1/brands/{brand_id}/alerts/{alert_id}",
            "DELETE /api/v1/brands/{brand_id}/alert-rules/{rule_id}"} <= set(checked)
