"""The listening routes: signed pushes, and a brand's sources managed by role."""

from __future__ import annotations

import time

import orjson
from sqlalchemy import func, select

from confiance.core.plugins import plugin_manager
from confiance.listen import push
from confiance.listen.service import Listener, ListenerOptions
from confiance.sources.registry import FormatRegistry
from confiance.store import listening
from confiance.store.tables import audit_log, listen_inbox, posts
from tests.web.conftest import Site


def _add_push(site: Site, role: str = "analyst") -> dict[str, object]:
    answer = site.client.post(
        f"/api/v1/brands/{site.brand_ids['acme']}/listen-sources",
        json={"name": "Avis boutique", "mode": "push", "format": "ndjson"},
        headers=site.as_(role))
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def _lines(*numbers: int) -> bytes:
    return b"\n".join(orjson.dumps({
        "platform": "trustpilot", "platform_id": f"r{n}", "kind": "review",
        "text": f"Avis n° {n} : la bougie Acme sent très bon", "rating": 5,
        "created_at": "2026-11-20T10:00:00Z"}) for n in numbers) + b"\n"


def _signed(secret: str, body: bytes, *, at: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if at is None else at))
    return {push.TIMESTAMP_HEADER: stamp, push.SIGNATURE_HEADER: push.sign(secret, stamp, body),
            "Content-Type": "application/x-ndjson"}


def test_a_signed_push_is_kept_once_and_imported_by_a_listener(site: Site) -> None:
    source = _add_push(site)
    secret = str(source["push_secret"])
    url = str(source["push_path"])
    body = _lines(1, 2, 3)
    first = site.client.post(url, content=body, headers=_signed(secret, body))
    assert first.status_code == 202, first.text
    assert first.json()["duplicate"] is False
    again = site.client.post(url, content=body, headers=_signed(secret, body))
    assert again.status_code == 202 and again.json()["duplicate"] is True
    with site.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(listen_inbox)).scalar_one() == 1
    manager = plugin_manager()
    listener = Listener(site.engine, clients={}, formats=FormatRegistry.from_plugins(manager),
                        options=ListenerOptions(name="web-test"))
    report = listener.run_once()
    assert (report.pushes, report.collected, report.observed) == (1, 3, 3)
    with site.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 3
    assert listener.run_once().pushes == 0  # imported once


def test_unsigned_forged_stale_oversized_or_paused_pushes_are_refused(site: Site) -> None:
    source = _add_push(site)
    secret, url = str(source["push_secret"]), str(source["push_path"])
    body = _lines(1)
    cases = {
        "unsigned": {},
        "forged": _signed("not-the-secret", body),
        "stale": _signed(secret, body, at=time.time() - 3600),
    }
    for name, headers in cases.items():
        answer = site.client.post(url, content=body, headers=headers)
        assert answer.status_code == 401, name
        assert answer.json()["error"]["code"] == "E744", name
    unknown = site.client.post("/api/v1/listen/push/nope", content=body,
                               headers=_signed(secret, body))
    assert unknown.status_code == 401  # the same answer: keys cannot be probed
    huge = b"x" * (push.MAX_BODY + 1)
    too_big = site.client.post(url, content=huge, headers=_signed(secret, huge))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "E745"
    paused = site.client.post(
        f"/api/v1/brands/{site.brand_ids['acme']}/listen-sources/{source['id']}/pause",
        headers=site.as_("owner"))
    assert paused.status_code == 200 and paused.json()["enabled"] is False
    refused = site.client.post(url, content=body, headers=_signed(secret, body))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "E747"
    with site.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(listen_inbox)).scalar_one() == 0


def test_a_rotated_secret_replaces_the_old_one(site: Site) -> None:
    source = _add_push(site)
    base = f"/api/v1/brands/{site.brand_ids['acme']}/listen-sources/{source['id']}"
    rotated = site.client.post(f"{base}/rotate-secret", headers=site.as_("analyst"))
    assert rotated.status_code == 200
    new_secret = rotated.json()["push_secret"]
    assert new_secret != source["push_secret"]
    body = _lines(7)
    url = str(source["push_path"])
    old = site.client.post(url, content=body, headers=_signed(str(source["push_secret"]), body))
    assert old.status_code == 401
    assert site.client.post(url, content=body,
                            headers=_signed(new_secret, body)).status_code == 202


def test_sources_are_listed_to_every_role_and_managed_by_analysts_and_owners(
        site: Site) -> None:
    brand = site.brand_ids["acme"]
    source = _add_push(site)
    listed = site.client.get(f"/api/v1/brands/{brand}/listen-sources",
                             headers=site.as_("viewer"))
    assert listed.status_code == 200
    [item] = listed.json()
    assert item["name"] == "Avis boutique" and item["health"] == "ok"
    assert "push_secret" not in item and str(source["push_secret"]) not in listed.text
    for role in ("viewer", "moderator"):
        refused = site.client.post(f"/api/v1/brands/{brand}/listen-sources",
                                   json={"name": "x", "mode": "push", "format": "ndjson"},
                                   headers=site.as_(role))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "E604"
        removal = site.client.delete(f"/api/v1/brands/{brand}/listen-sources/{source['id']}",
                                     headers=site.as_(role))
        assert removal.status_code == 403
    taken = site.client.post(f"/api/v1/brands/{brand}/listen-sources",
                             json={"name": "Avis boutique", "mode": "push",
                                   "format": "ndjson"}, headers=site.as_("owner"))
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "E741"
    no_client = site.client.post(f"/api/v1/brands/{brand}/listen-sources",
                                 json={"name": "csv", "mode": "poll", "format": "csv"},
                                 headers=site.as_("owner"))
    assert no_client.status_code == 422 and no_client.json()["error"]["code"] == "E748"
    other = site.client.get(f"/api/v1/brands/{brand}/listen-sources",
                            headers=site.as_("owner", "globex"))
    assert other.status_code == 404
    gone = site.client.delete(f"/api/v1/brands/{brand}/listen-sources/{source['id']}",
                              headers=site.as_("owner"))
    assert gone.status_code == 204
    with site.engine.connect() as conn:
        assert listening.list_sources(conn) == []
        actions = set(conn.execute(select(audit_log.c.action)).scalars())
    assert {"listen_source.add", "listen_source.remove"} <= actions


def test_a_private_feed_address_is_shown_whole_only_to_those_who_manage_sources(
        site: Site) -> None:
    brand = site.brand_ids["acme"]
    added = site.client.post(
        f"/api/v1/brands/{brand}/listen-sources",
        json={"name": "Flux privé", "mode": "poll", "format": "rss",
              "config": {"url": "https://feeds.example.com:8443/avis.xml?key=S3CRET"}},
        headers=site.as_("analyst"))
    assert added.status_code == 201, added.text
    for role in ("viewer", "moderator"):
        seen = site.client.get(f"/api/v1/brands/{brand}/listen-sources",
                               headers=site.as_(role))
        assert "S3CRET" not in seen.text
        assert seen.json()[0]["config"]["url"] == "https://feeds.example.com:8443/avis.xml?***"
    for role in ("analyst", "owner"):
        seen = site.client.get(f"/api/v1/brands/{brand}/listen-sources",
                               headers=site.as_(role))
        assert seen.json()[0]["config"]["url"].endswith("/avis.xml?key=S3CRET")
