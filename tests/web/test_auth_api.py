"""Accounts over the API: tokens, sessions with CSRF, roles, one-time passwords."""

from __future__ import annotations

from confiance.auth import passwords
from tests.conftest import APP_HASHER, FAST_ARGON2
from tests.web.conftest import PASSWORD, Site


def test_me_with_a_token(site: Site) -> None:
    answer = site.client.get("/api/v1/me", headers=site.as_("analyst"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["user"]["email"] == "analyst@acme.example"
    assert [(w["name"], w["role"]) for w in body["workspaces"]] == [("acme", "analyst")]
    assert "password_hash" not in answer.text


def test_no_credentials_is_e603(site: Site) -> None:
    answer = site.client.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "E603"
    assert answer.headers["www-authenticate"].startswith("Bearer")
    bad = site.client.get("/api/v1/me", headers={"Authorization": "Bearer cft_nope"})
    assert bad.json()["error"]["code"] == "E603"


def login(site: Site, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Sign in through the API; returns the CSRF header for later changes."""
    answer = site.client.post("/api/v1/session", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"X-CSRF-Token": answer.json()["csrf_token"]}


def test_session_cookie_needs_csrf_for_changes(site: Site) -> None:
    csrf = login(site, "analyst@acme.example")
    assert site.client.get("/api/v1/me").json()["via"] == "session"
    refused = site.client.patch("/api/v1/me", json={"locale": "en"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "E606"
    forged = site.client.patch("/api/v1/me", json={"locale": "en"},
                               headers={"X-CSRF-Token": "forged"})
    assert forged.json()["error"]["code"] == "E606"
    done = site.client.patch("/api/v1/me", json={"locale": "en"}, headers=csrf)
    assert done.status_code == 200 and done.json()["locale"] == "en"
    out = site.client.delete("/api/v1/session", headers=csrf)
    assert out.status_code == 204
    assert site.client.get("/api/v1/me").status_code == 401


def test_wrong_password_and_unknown_address_get_the_same_answer(site: Site) -> None:
    wrong = site.client.post("/api/v1/session",
                             json={"email": "analyst@acme.example", "password": "nope" * 3})
    unknown = site.client.post("/api/v1/session",
                               json={"email": "nobody@acme.example", "password": "nope" * 3})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "E601"


def test_sign_in_is_rate_limited_per_address(site: Site) -> None:
    email = "viewer@acme.example"
    for _ in range(5):
        answer = site.client.post("/api/v1/session", json={"email": email, "password": "x" * 12})
        assert answer.json()["error"]["code"] == "E601"
    limited = site.client.post("/api/v1/session", json={"email": email, "password": PASSWORD})
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "E602"
    assert int(limited.headers["retry-after"]) == 15 * 60
    # another address from the same client is still allowed (under the per-client limit)
    login(site, "analyst@acme.example")


def test_deactivated_user_loses_token_and_session(site: Site) -> None:
    from confiance.store import accounts

    login(site, "moderator@acme.example")
    with site.engine.begin() as conn:
        accounts.update_user(conn, site.user_ids[("acme", "moderator")], is_active=False)
    assert site.client.get("/api/v1/me").status_code == 401
    assert site.client.get("/api/v1/me", headers=site.as_("moderator")).status_code == 401


def test_one_time_password_must_be_changed_first(site: Site) -> None:
    added = site.client.post(
        f"/api/v1/workspaces/{site.workspace_ids['acme']}/members",
        json={"email": "Nouvelle@Acme.example", "role": "analyst"}, headers=site.as_("owner"))
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["user"]["email"] == "nouvelle@acme.example"
    assert body["user"]["must_change_password"] is True
    one_time = body["one_time_password"]
    csrf = login(site, "nouvelle@acme.example", one_time)
    blocked = site.client.get("/api/v1/brands")
    assert blocked.status_code == 403 and blocked.json()["error"]["code"] == "E614"
    weak = site.client.post("/api/v1/me/password", headers=csrf,
                            json={"current_password": one_time, "new_password": "short"})
    assert weak.json()["error"]["code"] == "E610"
    changed = site.client.post("/api/v1/me/password", headers=csrf, json={
        "current_password": one_time, "new_password": "a much better passphrase"})
    assert changed.status_code == 204
    # the old session is closed; this browser got a new one
    assert site.client.get("/api/v1/brands").status_code == 200
    login(site, "nouvelle@acme.example", "a much better passphrase")


def test_tokens_are_shown_once_and_revocable(site: Site) -> None:
    created = site.client.post("/api/v1/tokens", json={"name": "export"},
                               headers=site.as_("viewer"))
    assert created.status_code == 201
    secret = created.json()["token"]
    assert secret.startswith("cft_")
    listed = site.client.get("/api/v1/tokens", headers=site.as_("viewer")).json()
    assert secret not in str(listed)
    assert {t["name"] for t in listed} == {"tests", "export"}
    mine = {"Authorization": f"Bearer {secret}"}
    assert site.client.get("/api/v1/me", headers=mine).status_code == 200
    token_id = created.json()["id"]
    other = site.client.delete(f"/api/v1/tokens/{token_id}", headers=site.as_("owner"))
    assert other.status_code == 404  # someone else's token is not theirs to revoke
    assert site.client.delete(f"/api/v1/tokens/{token_id}",
                              headers=site.as_("viewer")).status_code == 204
    assert site.client.get("/api/v1/me", headers=mine).status_code == 401


def test_roles_decide_who_changes_brands_and_members(site: Site) -> None:
    acme = site.workspace_ids["acme"]
    brand = site.brand_ids["acme"]
    for role, status in (("viewer", 403), ("moderator", 403), ("analyst", 200)):
        answer = site.client.patch(f"/api/v1/brands/{brand}", headers=site.as_(role),
                                   json={"query": "acme OR #acme OR \"acme corp\""})
        assert answer.status_code == status, (role, answer.text)
        if status == 403:
            assert answer.json()["error"]["code"] == "E604"
    for role in ("viewer", "moderator", "analyst"):
        answer = site.client.post(f"/api/v1/workspaces/{acme}/members", headers=site.as_(role),
                                  json={"email": "x@acme.example", "role": "viewer"})
        assert answer.json()["error"]["code"] == "E604"
    bad_query = site.client.patch(f"/api/v1/brands/{brand}", headers=site.as_("owner"),
                                  json={"query": "acme AND (bio"})
    assert bad_query.status_code == 422
    assert bad_query.json()["error"]["code"].startswith("E40")
    assert "position" in bad_query.json()["error"]["details"]


def test_last_owner_stays(site: Site) -> None:
    acme = site.workspace_ids["acme"]
    owner = site.user_ids[("acme", "owner")]
    answer = site.client.patch(f"/api/v1/workspaces/{acme}/members/{owner}",
                               json={"role": "viewer"}, headers=site.as_("owner"))
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "E618"
    gone = site.client.delete(f"/api/v1/workspaces/{acme}/members/{owner}",
                              headers=site.as_("owner"))
    assert gone.json()["error"]["code"] == "E618"


def test_other_workspace_is_invisible(site: Site) -> None:
    acme_brand = site.brand_ids["acme"]
    acme = site.workspace_ids["acme"]
    globex = site.as_("owner", "globex")
    names = {b["name"] for b in site.client.get("/api/v1/brands", headers=globex).json()}
    assert names == {"Globex"}
    for method, path, body in (
            ("GET", f"/api/v1/brands/{acme_brand}", None),
            ("PATCH", f"/api/v1/brands/{acme_brand}", {"query": "x"}),
            ("DELETE", f"/api/v1/brands/{acme_brand}", None),
            ("GET", f"/api/v1/workspaces/{acme}/members", None),
            ("POST", f"/api/v1/workspaces/{acme}/members", {"email": "a@b.example",
                                                             "role": "owner"}),
            ("GET", f"/api/v1/workspaces/{acme}/audit", None),
            ("POST", "/api/v1/brands", {"workspace_id": acme, "name": "Intrus"})):
        answer = site.client.request(method, path, json=body, headers=globex)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "E605"
    # the same answer as for an id that does not exist at all
    missing = site.client.get("/api/v1/brands/999999", headers=globex).json()
    assert missing["error"]["code"] == "E605"


def test_competitor_of_another_workspace_is_refused(site: Site) -> None:
    answer = site.client.patch(f"/api/v1/brands/{site.brand_ids['globex']}",
                               json={"competitors": ["Acme"]},
                               headers=site.as_("owner", "globex"))
    assert answer.status_code == 409
    acme = site.client.get(f"/api/v1/brands/{site.brand_ids['acme']}",
                           headers=site.as_("viewer")).json()
    assert acme["competitor_of"] is None


def test_changes_are_audited_without_secrets(site: Site) -> None:
    acme = site.workspace_ids["acme"]
    site.client.post("/api/v1/brands", headers=site.as_("analyst"),
                     json={"workspace_id": acme, "name": "Acme Bio", "competitors": ["Rival"]})
    site.client.post(f"/api/v1/workspaces/{acme}/members", headers=site.as_("owner"),
                     json={"email": "new@acme.example", "role": "viewer"})
    login(site, "analyst@acme.example")
    log = site.client.get(f"/api/v1/workspaces/{acme}/audit?limit=2",
                          headers=site.as_("owner"))
    assert log.status_code == 200
    page = log.json()
    assert len(page["items"]) == 2 and page["next"]
    rest = site.client.get(f"/api/v1/workspaces/{acme}/audit?cursor={page['next']}",
                           headers=site.as_("owner")).json()
    actions = [e["action"] for e in page["items"] + rest["items"]]
    assert {"brand.create", "member.add", "login"} <= set(actions)
    text = str(page) + str(rest)
    assert PASSWORD not in text and "cft_" not in text
    assert site.client.get(f"/api/v1/workspaces/{acme}/audit",
                           headers=site.as_("analyst")).json()["error"]["code"] == "E604"
    bad = site.client.get(f"/api/v1/workspaces/{acme}/audit?cursor=abc",
                          headers=site.as_("owner"))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "E612"


def test_unknown_route_and_method_answer_in_json(site: Site) -> None:
    missing = site.client.get("/api/v1/nothing-here", headers=site.as_("viewer"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "E622"
    wrong = site.client.put("/api/v1/me", headers=site.as_("viewer"))
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "E623"
    invalid = site.client.post("/api/v1/tokens", json={"name": ""}, headers=site.as_("viewer"))
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "E621"



def test_the_application_hashes_with_argon2id_recommended_parameters() -> None:
    real = APP_HASHER()
    assert real is not FAST_ARGON2
    stored = real.hash("correct horse battery staple")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert passwords.verify(stored, "correct horse battery staple")
    assert not passwords.verify(stored, "correct horse battery stapler")
