"""The server-rendered pages through the in-process client: sign-in, password, language,
redirects, error pages and security headers (the browser tests are in tests/e2e/)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from confiance.auth.roles import Role
from confiance.store import accounts, workspaces
from confiance.web.pages.security import local_path
from tests.web.conftest import PASSWORD, Site

HIDDEN = re.compile(r'name="(csrf_token|next)" value="([^"]*)"')


def hidden(page: Any, name: str = "csrf_token") -> str:
    """The value of a hidden form field of ``page``."""
    for found, value in HIDDEN.findall(page.text):
        if found == name:
            return str(value)
    raise AssertionError(f"no hidden {name!r} field in {page.url}")


def sign_in(client: TestClient, email: str, password: str = PASSWORD, *, next_path: str = "/",
            headers: dict[str, str] | None = None) -> Any:
    """Post the sign-in form the way a browser does (its token, its cookie)."""
    form = client.get("/login", params={"next": next_path}, headers=headers)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": hidden(form), "next": next_path},
                       headers=headers, follow_redirects=False)


def test_login_page_is_french_first_and_follows_the_browser(site: Site) -> None:
    french = site.client.get("/login")
    assert french.status_code == 200
    assert '<html lang="fr">' in french.text and "Connexion à Confiance" in french.text
    assert '<label for="email">Adresse e-mail</label>' in french.text
    english = site.client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in english.text and "Sign in to Confiance" in english.text
    assert english.headers["content-language"] == "en"
    asked = site.client.get("/login?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in asked.text and 'action="/login?lang=en"' in asked.text
    german = site.client.get("/login", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert '<html lang="fr">' in german.text


def test_pages_carry_the_security_headers(site: Site) -> None:
    for path in ("/login", "/static/css/confiance.css", "/api/v1/me", "/nowhere"):
        headers = site.client.get(path).headers
        csp = headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp and "http" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert site.client.get("/login").headers["cache-control"] == "no-store"
    docs = site.client.get("/docs").headers
    assert "content-security-policy" not in docs and docs["x-content-type-options"] == "nosniff"


def test_no_page_names_another_origin(site: Site) -> None:
    sign_in(site.client, site.email("analyst"))
    for path in ("/login?lang=en", f"/brands/{site.brand_ids['acme']}/overview",
                 f"/brands/{site.brand_ids['acme']}/mentions",
                 f"/brands/{site.brand_ids['acme']}/queries", "/password"):
        text = site.client.get(path).text
        assert not re.search(r'(src|href|action)="(https?:)?//', text), path
        assert "<script>" not in text and " style=" not in text and " on" + "click" not in text


def test_a_page_without_session_sends_to_the_sign_in_form(site: Site) -> None:
    brand = site.brand_ids["acme"]
    answer = site.client.get(f"/brands/{brand}/mentions?sort=new", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/login?next=%2Fbrands%2F{brand}%2Fmentions%3Fsort%3Dnew"
    htmx = site.client.get(f"/brands/{brand}/overview", headers={"HX-Request": "true"},
                           follow_redirects=False)
    assert htmx.headers["hx-redirect"].startswith("/login?next=")
    api = site.client.get("/api/v1/me")
    assert api.status_code == 401 and api.json()["error"]["code"] == "E603"


def test_wrong_password_shows_the_error_in_the_form(site: Site) -> None:
    answer = sign_in(site.client, site.email("viewer"), "not the password")
    assert answer.status_code == 401
    assert 'role="alert"' in answer.text
    assert "Adresse e-mail ou mot de passe incorrect" in answer.text
    assert 'value="viewer@acme.example"' in answer.text
    assert "confiance_session" not in answer.headers.get("set-cookie", "")


def test_too_many_failures_show_the_rate_limit(site: Site) -> None:
    for _ in range(5):
        sign_in(site.client, site.email("viewer"), "not the password")
    answer = sign_in(site.client, site.email("viewer"), headers={"Accept-Language": "en"})
    assert answer.status_code == 429
    assert "Too many failed sign-ins" in answer.text and "Wait 15 minutes" in answer.text


def test_sign_in_needs_the_form_token(site: Site) -> None:
    answer = site.client.post("/login", data={"email": site.email("viewer"),
                                              "password": PASSWORD, "csrf_token": "forged"},
                              follow_redirects=False)
    assert answer.status_code == 403 and "formulaire de connexion avait expiré" in answer.text


def test_sign_in_lands_on_the_first_brand(site: Site) -> None:
    answer = sign_in(site.client, site.email("analyst"))
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    assert "confiance_session=" in answer.headers["set-cookie"]
    home = site.client.get("/", follow_redirects=False)
    brand = site.brand_ids["acme"]
    assert home.status_code == 303 and home.headers["location"] == f"/brands/{brand}/overview"
    page = site.client.get(home.headers["location"])
    assert page.status_code == 200
    assert '<h1 id="page-title">Acme</h1>' in page.text and "0 mention" in page.text
    assert 'aria-current="page">Vue d’ensemble</a>' in page.text
    assert "Aucune mention pour l’instant" in page.text  # the brand has none yet
    assert 'action="/logout"' in page.text and "Globex" not in page.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)", "/logout"])
def test_next_only_goes_to_local_pages(site: Site, target: str) -> None:
    answer = sign_in(site.client, site.email("analyst"), next_path=target)
    assert answer.headers["location"] == "/"


def test_next_is_followed_after_sign_in(site: Site) -> None:
    target = f"/brands/{site.brand_ids['acme']}/queries"
    answer = sign_in(site.client, site.email("analyst"), next_path=target)
    assert answer.headers["location"] == target
    page = site.client.get(target)
    assert "acme OR #acme" in page.text and "Requête actuelle" in page.text


def test_local_path() -> None:
    assert local_path("/brands/3/overview?x=1") == "/brands/3/overview?x=1"
    for bad in (None, "", "brands", "http://x", "//x", "/\\x", "/a\nb", "/login?next=/"):
        assert local_path(bad) == "/"


def test_other_workspaces_brands_are_not_found(site: Site) -> None:
    sign_in(site.client, site.email("owner"))
    answer = site.client.get(f"/brands/{site.brand_ids['globex']}/overview")
    assert answer.status_code == 404 and "Cette page n’existe pas" in answer.text
    assert "Globex" not in answer.text
    missing = site.client.get("/nothing-here")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert site.client.get("/brands/abc/overview").status_code == 422
    assert site.client.get(f"/brands/{2**64}/mentions").status_code == 422


def test_one_time_password_must_be_changed_first(site: Site) -> None:
    with site.engine.begin() as conn:
        user_id = accounts.create_user(conn, "new@acme.example", "one-time-secret-42",
                                       must_change_password=True)
        accounts.set_role(conn, user_id, site.workspace_ids["acme"], Role.VIEWER)
    answer = sign_in(site.client, "new@acme.example", "one-time-secret-42")
    assert answer.headers["location"] == "/password?next=%2F"
    brand = site.brand_ids["acme"]
    blocked = site.client.get(f"/brands/{brand}/overview", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"].startswith("/password")
    form = site.client.get("/password?next=/")
    assert "Choisissez votre mot de passe" in form.text and 'id="main-menu"' not in form.text
    differ = site.client.post("/password", data={
        "csrf_token": hidden(form), "current_password": "one-time-secret-42",
        "new_password": "a brand new passphrase", "confirm_password": "something else",
        "next": "/"})
    assert differ.status_code == 422 and "diffèrent" in differ.text
    short = site.client.post("/password", data={
        "csrf_token": hidden(form), "current_password": "one-time-secret-42",
        "new_password": "short", "confirm_password": "short", "next": "/"})
    assert short.status_code == 422 and "au moins 10 caractères" in short.text
    done = site.client.post("/password", data={
        "csrf_token": hidden(form), "current_password": "one-time-secret-42",
        "new_password": "a brand new passphrase", "confirm_password": "a brand new passphrase",
        "next": "/"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/"
    assert site.client.get(f"/brands/{brand}/overview").status_code == 200
    with site.engine.connect() as conn:
        user = accounts.get(conn, user_id)
    assert user is not None and not user.must_change_password


def test_language_switch_updates_the_user(site: Site) -> None:
    sign_in(site.client, site.email("analyst"))
    target = f"/brands/{site.brand_ids['acme']}/mentions"
    page = site.client.get(target)
    refused = site.client.post("/language", data={"locale": "en", "next": target})
    assert refused.status_code == 403 and "Le formulaire a expiré" in refused.text
    switched = site.client.post("/language", data={
        "locale": "en", "next": target, "csrf_token": hidden(page)}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == target
    english = site.client.get(target)
    assert '<html lang="en">' in english.text and "Search the text" in english.text
    assert 'value="en" lang="en" aria-pressed="true"' in english.text
    me = site.client.get("/api/v1/me", headers=site.as_("analyst")).json()
    assert me["user"]["locale"] == "en"


def test_sign_out(site: Site) -> None:
    sign_in(site.client, site.email("analyst"))
    page = site.client.get("/password")
    answer = site.client.post("/logout", data={"csrf_token": hidden(page)},
                              follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert site.client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_home_without_brand_says_how_to_add_one(site: Site) -> None:
    with site.engine.begin() as conn:
        user_id = accounts.create_user(conn, "alone@example.org", PASSWORD)
        accounts.set_role(conn, user_id, workspaces.ensure(conn, "empty"), Role.OWNER)
    sign_in(site.client, "alone@example.org")
    home = site.client.get("/")
    assert home.status_code == 200 and "Aucune marque pour l’instant" in home.text
    assert "confiance brand add" in home.text


def test_page_routes_are_not_in_the_api_reference(site: Site) -> None:
    paths = site.client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if not p.startswith("/api/")]
