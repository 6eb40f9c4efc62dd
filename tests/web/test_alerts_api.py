"""``/api/v1/brands/{id}/alerts`` and ``/alert-rules``: reading and filtering alerts, their
lifecycle by role, rules with masked webhook addresses, and nothing across workspaces; on
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.store import alert_rules, audit
from confiance.store.tables import alerts as alerts_table
from confiance.web.api.alerts import mask_target
from tests.store.alert_data import T0
from tests.web.alert_site import EMAIL, HOOK, SECRET, SEEDED, AlertSite, alerts_site

__all__ = ["alerts_site"]

ZERO = datetime.fromtimestamp(T0, UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


# --- reading ------------------------------------------------------------------------------------


def test_every_role_reads_the_alerts_newest_first(alerts_site: AlertSite) -> None:
    ws = alerts_site
    for role in ("viewer", "moderator", "analyst", "owner"):
        body = ws.get(ws.path(), role)
        assert [ws.key(a["id"]) for a in body["items"]] == ["a2", "a1", "a4", "a3", "a5"]
        assert body["next"] is None
    first = ws.get(ws.path())["items"][0]
    assert (first["detector"], first["subject"], first["status"]) == \
        ("emerging_term", "boycott", "open")
    assert first["observed"] == 35 and first["expected"] == 2 and first["ratio"] == 17.5
    assert first["brand"] == "Acme" and "evidence" not in first  # the list stays light
    assert ws.key(ws.get(ws.path(brand="globex"), "viewer", "globex")["items"][0]["id"]) == "g1"


def test_an_alert_explains_itself(alerts_site: AlertSite) -> None:
    ws = alerts_site
    body = ws.get(ws.path("a4"))
    assert (body["severity"], body["status"], body["scope"]) == (5, "acknowledged", "platform:x")
    assert body["acknowledged_by"] == "moderator@acme.example"
    assert datetime.fromisoformat(body["window_end"]) == ZERO - timedelta(days=1)
    assert datetime.fromisoformat(body["window_start"]) == ZERO - timedelta(days=1, hours=1)
    evidence = body["evidence"]
    assert evidence["top_terms"] == [{"term": "livraison", "count": 48},
                                     {"term": "retard", "count": 31}]
    [top] = evidence["top_posts"]
    assert (top["author"], top["followers"], top["post_id"]) == ("@grandcompte", 250_000, 1)
    assert top["excerpt"] == "Je ne rachèterai jamais chez Acme."
    assert top["url"].startswith("https://") and top["at"].endswith("Z")
    assert evidence["top_authors"][0] == {"author": "@jdupont", "posts": 5}
    assert evidence["details"]["negatives"] == 120
    french = body["explanation"]
    assert french["language"] == "fr"
    assert french["title"] == "Publication à forte audience (x)"
    assert "Observé : 250 000 abonnés, attendu : 10 000 (× 25)" in \
        french["text"].replace("\u202f", " ").replace("\xa0", " ")
    english = ws.get(ws.path("a4"), language="en")["explanation"]
    assert english["title"] == "High-reach post (x)"
    assert "Observed: 250,000 followers, expected: 10,000 (× 25)" in english["text"]
    share = ws.get(ws.path("a3"))
    assert (share["unit"], share["resolution_note"], share["resolved_by"]) == \
        ("share", "Réponse publiée.", "analyst@acme.example")


# --- filters and pages --------------------------------------------------------------------------


def test_filters_combine(alerts_site: AlertSite) -> None:
    ws = alerts_site

    def keys(**params: object) -> list[str]:
        return [ws.key(a["id"]) for page in ws.pages(ws.path(), **params) for a in page]

    assert keys(status="open") == ["a2", "a1", "a5"]
    assert keys(status=["acknowledged", "resolved"]) == ["a4", "a3"]
    assert keys(detector="volume") == ["a1", "a5"]
    assert keys(severity_min=4) == ["a2", "a4"]
    assert keys(severity_min=4, status="open") == ["a2"]
    assert keys(since=_iso(ZERO - timedelta(hours=2))) == ["a2", "a1"]
    assert keys(until=_iso(ZERO - timedelta(days=1, minutes=30))) == ["a3", "a5"]
    assert keys(since=_iso(ZERO - timedelta(days=2, hours=1)),
                until=_iso(ZERO - timedelta(hours=2))) == ["a4", "a3"]
    assert keys(detector="high_reach", status="open") == []
    for params, code in (({"status": "closed"}, "E727"), ({"detector": "rumour"}, "E613"),
                         ({"severity_min": 6}, "E621"),
                         ({"since": _iso(ZERO), "until": _iso(ZERO)}, "E613")):
        status, body = ws.call("GET", ws.path(), params=params)
        assert (status, body["error"]["code"]) == (422, code), params


def test_pages_follow_the_cursor_and_refuse_another_listing(alerts_site: AlertSite) -> None:
    ws = alerts_site
    pages = ws.pages(ws.path(), limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    ids = [a["id"] for page in pages for a in page]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == 5
    assert [ws.key(a["id"]) for a in ws.pages(ws.path(), status="open", limit=1)[1]] == ["a1"]
    cursor = ws.get(ws.path(), limit=2)["next"]
    for params in ({"cursor": cursor, "status": "open"}, {"cursor": "not-a-cursor"}):
        status, body = ws.call("GET", ws.path(), params={"limit": 2, **params})
        assert (status, body["error"]["code"]) == (400, "E612")
    globex_cursor = ws.get(ws.path(brand="globex"), "viewer", "globex", limit=1)["next"]
    assert globex_cursor is None  # one alert: no page after it


# --- the lifecycle ------------------------------------------------------------------------------


def test_moderators_analysts_and_owners_acknowledge_and_resolve(alerts_site: AlertSite) -> None:
    ws = alerts_site
    for action in ("/acknowledge", "/resolve"):
        status, body = ws.call("POST", ws.path("a1", action), "viewer")
        assert (status, body["error"]["code"]) == (403, "E604")
        assert "handle_alerts" in body["error"]["message"]
    assert ws.get(ws.path("a1"))["status"] == "open"

    status, body = ws.call("POST", ws.path("a1", "/acknowledge"), "moderator")
    assert status == 200 and body["status"] == "acknowledged"
    assert body["acknowledged_by"] == "moderator@acme.example" and body["acknowledged_at"]
    assert body["evidence"]["top_terms"] and body["explanation"]["text"]
    again = ws.call("POST", ws.path("a1", "/acknowledge"), "owner")
    assert again[0] == 200 and again[1]["acknowledged_by"] == "moderator@acme.example"

    status, body = ws.call("POST", ws.path("a1", "/resolve"), "analyst",
                           json={"note": "Excuses publiées, remboursements lancés."})
    assert status == 200 and body["status"] == "resolved"
    assert body["resolved_by"] == "analyst@acme.example"
    assert body["resolution_note"] == "Excuses publiées, remboursements lancés."
    for action, role in (("/resolve", "owner"), ("/acknowledge", "moderator")):
        status, body = ws.call("POST", ws.path("a1", action), role)
        assert (status, body["error"]["code"]) == (409, "E711")

    status, body = ws.call("POST", ws.path("a5", "/resolve"), "owner")  # no body, no note
    assert status == 200 and body["resolution_note"] is None
    status, body = ws.call("POST", ws.path("a2", "/resolve"), "owner", json={"note": "x" * 2001})
    assert (status, body["error"]["code"]) == (422, "E621")
    status, body = ws.call("POST", ws.path("a2", "/resolve"), "owner", json={"note": "a\x00b"})
    assert (status, body["error"]["code"]) == (422, "E613")
    assert ws.get(ws.path("a2"))["status"] == "open"
    with ws.site.engine.connect() as conn:
        logged = [(e.action, e.actor, e.target)
                  for e in audit.entries(conn, ws.site.workspace_ids["acme"])]
    assert ("alert.acknowledge", "moderator@acme.example", f"alert:{ws.ids['a1']}") in logged
    assert ("alert.resolve", "analyst@acme.example", f"alert:{ws.ids['a1']}") in logged
    assert ("alert.resolve", "owner@acme.example", f"alert:{ws.ids['a5']}") in logged


def test_nothing_crosses_workspaces(alerts_site: AlertSite) -> None:
    ws = alerts_site
    acme_alert, globex_alert = ws.ids["a1"], ws.ids["g1"]
    globex = ws.site.brand_ids["globex"]
    attempts = [
        ("GET", ws.path(), "owner", "globex"),
        ("GET", ws.path("a1"), "owner", "globex"),
        ("POST", ws.path("a1", "/acknowledge"), "owner", "globex"),
        ("POST", ws.path("a1", "/resolve"), "owner", "globex"),
        # acme's alert asked through globex's own brand
        ("GET", f"/api/v1/brands/{globex}/alerts/{acme_alert}", "owner", "globex"),
        ("POST", f"/api/v1/brands/{globex}/alerts/{acme_alert}/acknowledge", "owner", "globex"),
        ("POST", f"/api/v1/brands/{globex}/alerts/{acme_alert}/resolve", "owner", "globex"),
        # and globex's alert through acme's brand, by acme
        ("GET", f"/api/v1/brands/{ws.acme}/alerts/{globex_alert}", "owner", "acme"),
        ("POST", f"/api/v1/brands/{ws.acme}/alerts/{globex_alert}/resolve", "owner", "acme"),
        ("GET", f"/api/v1/brands/{ws.acme}/alerts/999999", "owner", "acme"),
        ("GET", f"/api/v1/brands/{ws.acme}/alert-rules", "owner", "globex"),
        ("POST", f"/api/v1/brands/{ws.acme}/alert-rules", "owner", "globex"),
        ("GET", f"/api/v1/brands/{globex}/alert-rules/{ws.rule_id}", "owner", "globex"),
        ("PATCH", f"/api/v1/brands/{globex}/alert-rules/{ws.rule_id}", "owner", "globex"),
        ("DELETE", f"/api/v1/brands/{globex}/alert-rules/{ws.rule_id}", "owner", "globex"),
        ("PATCH", f"/api/v1/brands/{ws.acme}/alert-rules/{ws.rule_id}", "owner", "globex"),
    ]
    bodies = {"POST": {"channels": [{"kind": "app"}]}, "PATCH": {"enabled": False}}
    for method, path, role, workspace in attempts:
        body = bodies.get(method) if "alert-rules" in path else None
        status, answer = ws.call(method, path, role, workspace, json=body)
        assert (status, answer["error"]["code"]) == (404, "E605"), (method, path, answer)
    assert ws.get(ws.path("a1"))["status"] == "open"
    rules = ws.get(f"/api/v1/brands/{ws.acme}/alert-rules")
    assert [(r["id"], r["enabled"]) for r in rules] == [(ws.rule_id, True)]
    assert ws.get(f"/api/v1/brands/{globex}/alert-rules", "viewer", "globex") == []


# --- rules --------------------------------------------------------------------------------------


def _rules(ws: AlertSite, suffix: str = "") -> str:
    return f"/api/v1/brands/{ws.acme}/alert-rules{suffix}"


def test_webhook_addresses_are_never_answered_in_full(alerts_site: AlertSite) -> None:
    ws = alerts_site
    masked = mask_target("webhook", HOOK)
    assert masked == f"https://hooks.slack.com/…{SECRET[-4:]}" and SECRET not in masked
    assert mask_target("email", EMAIL) == EMAIL and mask_target("app", "") == ""
    assert mask_target("webhook", "https://h.example/x") == "https://h.example/…"
    answers = [ws.site.client.get(path, headers=ws.site.as_("owner")) for path in (
        _rules(ws), _rules(ws, f"/{ws.rule_id}"), ws.path("a1"), ws.path("a2"))]
    for answer in answers:
        assert answer.status_code == 200 and SECRET not in answer.text
        assert "/T0ACME/" not in answer.text
    [rule] = answers[0].json()
    assert [(c["kind"], c["target"], c["masked"]) for c in rule["channels"]] == \
        [("webhook", masked, True), ("email", EMAIL, False)]
    sent = answers[2].json()["notifications"]  # the rule covered a1: both channels queued
    assert {(n["kind"], n["target"], n["event"]) for n in sent} == \
        {("webhook", masked, "opened"), ("email", EMAIL, "opened")}


def test_analysts_and_owners_manage_rules(alerts_site: AlertSite) -> None:
    ws = alerts_site
    new = {"detector": "volume", "scope": "platform:instagram", "min_severity": 3,
           "quiet_start": "22:00", "quiet_end": "7:00", "timezone": "Europe/Paris",
           "params": {"volume_min_score": 8, "extra_risk_terms": ["fuite*", "mèche"]},
           "channels": [{"kind": "webhook", "target": "https://chat.example.org/hooks/abcdefghij0123456789"},
                        {"kind": "app", "digest": True, "language": "en"}]}
    for role in ("viewer", "moderator"):
        status, body = ws.call("POST", _rules(ws), role, json=new)
        assert (status, body["error"]["code"]) == (403, "E604")
        assert "manage_alert_rules" in body["error"]["message"]
    status, rule = ws.call("POST", _rules(ws), "analyst", json=new)
    assert status == 201, rule
    assert (rule["detector"], rule["scope"], rule["min_severity"], rule["quiet_end"]) == \
        ("volume", "platform:instagram", 3, "07:00")
    assert rule["params"] == {"volume_min_score": 8.0, "extra_risk_terms": ["fuite*", "mèche"]}
    assert rule["channels"][0]["target"] == "https://chat.example.org/…6789"
    assert rule["channels"][1] == {"kind": "app", "target": "", "masked": False,
                                   "digest": True, "language": "en"}
    path = _rules(ws, f"/{rule['id']}")

    # sent back as answered (masked), the address stays; other fields change
    status, changed = ws.call("PATCH", path, "owner",
                              json={"enabled": False, "quiet_start": None, "quiet_end": None,
                                    "channels": rule["channels"]})
    assert status == 200, changed
    assert (changed["enabled"], changed["quiet_start"], changed["detector"]) == \
        (False, None, "volume")
    with ws.site.engine.connect() as conn:
        stored = alert_rules.get_rule(conn, ws.acme, rule["id"])
    assert stored.channels[0].target == "https://chat.example.org/hooks/abcdefghij0123456789"
    assert not stored.enabled and stored.timezone == "Europe/Paris"

    status, body = ws.call("PATCH", path, "analyst", json={"enabled": None})
    assert (status, body["error"]["code"]) == (422, "E718")  # true or false, not nothing
    status, body = ws.call("PATCH", path, "analyst", json={"channels": [
        {"kind": "webhook", "target": "https://chat.example.org/…9999"}]})
    assert (status, body["error"]["code"]) == (422, "E717")  # stands for no stored address
    status, body = ws.call("PATCH", path, "analyst", json={"channels": [
        {"kind": "webhook", "target": "https://new.example.org/hook/t0k3n-new-0000"}]})
    assert status == 200 and body["channels"][0]["target"] == "https://new.example.org/…0000"
    assert status == 200 and len(body["channels"]) == 1

    status, _ = ws.call("DELETE", path, "moderator")
    assert status == 403
    assert ws.site.client.delete(path, headers=ws.site.as_("owner")).status_code == 204
    status, body = ws.call("GET", path)
    assert (status, body["error"]["code"]) == (404, "E605")
    with ws.site.engine.connect() as conn:
        logged = [e for e in audit.entries(conn, ws.site.workspace_ids["acme"])
                  if e.action.startswith("alert_rule.")]
    assert [e.action for e in logged] == ["alert_rule.delete", "alert_rule.update",
                                          "alert_rule.update", "alert_rule.add"]
    assert all("t0k3n" not in str(e.details) and "abcdefghij" not in str(e.details)
               for e in logged)


@pytest.mark.parametrize(("change", "code"), [
    ({"quiet_start": "22:00"}, "E713"),
    ({"quiet_start": "22:00", "quiet_end": "25:00"}, "E713"),
    ({"timezone": "Mars/Olympus"}, "E714"),
    ({"channels": [{"kind": "pigeon", "target": "x"}]}, "E715"),
    ({"channels": [{"kind": "email", "target": "not an address"}]}, "E716"),
    ({"channels": [{"kind": "webhook", "target": "http://elsewhere.example/hook"}]}, "E717"),
    ({"channels": [{"kind": "webhook"}]}, "E718"),
    ({"channels": []}, "E718"),
    ({"channels": [{"kind": "app", "target": "a\x00b"}]}, "E613"),
    ({"min_severity": 9}, "E719"),
    ({"detector": "rumour"}, "E720"),
    ({"scope": "platform:minitel"}, "E721"),
    ({"params": {"Bad Name": 1}}, "E722"),
    ({"params": {"extra_risk_terms": ["deux mots"]}}, "E722"),
    ({"params": {"ignored_risk_terms": ["toxic"]}}, "E722"),
])
def test_a_rule_that_cannot_be_used_is_refused_and_nothing_changes(
        alerts_site: AlertSite, change: dict[str, object], code: str) -> None:
    ws = alerts_site
    before = ws.get(_rules(ws, f"/{ws.rule_id}"))
    status, body = ws.call("PATCH", _rules(ws, f"/{ws.rule_id}"), "analyst", json=change)
    assert (status, body["error"]["code"]) == (422, code), body
    assert ws.get(_rules(ws, f"/{ws.rule_id}")) == before
    created = {"channels": [{"kind": "app"}], **change}
    status, body = ws.call("POST", _rules(ws), "analyst", json=created)
    assert (status, body["error"]["code"]) == (422, code), body
    assert len(ws.get(_rules(ws))) == 1


def test_alerts_of_the_seed_match_their_rows(alerts_site: AlertSite) -> None:
    """The seed is what the tests above assume: one row per key, statuses as planned."""
    ws = alerts_site
    with ws.site.engine.connect() as conn:
        rows = dict(conn.execute(sa.select(alerts_table.c.id, alerts_table.c.status)).all())
    assert {key: rows[ws.ids[key]] for key in SEEDED} == \
        {key: status for key, (_, status) in SEEDED.items()}


_TEXT = st.text(max_size=30)
_CHANNEL = st.fixed_dictionaries(
    {"kind": st.sampled_from(["email", "webhook", "app", "sms"]) | _TEXT},
    optional={"target": st.none() | _TEXT | st.sampled_from([
                  "https://hooks.example.org/services/T0/B0/zzzzzzzzzzzz", "ops@acme.example",
                  "http://127.0.0.1:9000/hook", "https://user:pw@h.example/x", "a\x00b",
                  "\ud800", "https://hooks.example.org/…zzzz"]),
              "digest": st.booleans(), "language": st.sampled_from(["fr", "en"])})
_RULE = st.fixed_dictionaries({"channels": st.lists(_CHANNEL, max_size=4)}, optional={
    "detector": st.none() | st.sampled_from(["volume", "high_reach"]) | _TEXT,
    "scope": st.none() | st.sampled_from(["all", "platform:x", "platform:"]) | _TEXT,
    "min_severity": st.integers(-3, 9),
    "params": st.dictionaries(st.sampled_from(["volume_min_score", "Bad", "x" * 70,
                                               "extra_risk_terms", "ignored_risk_terms"]) | _TEXT,
                              st.floats(allow_nan=False, allow_infinity=False)
                              | st.integers(-10**20, 10**20)
                              | st.lists(st.sampled_from(["fuite*", "toxi*", "a"]) | _TEXT,
                                         max_size=3), max_size=3),
    "quiet_start": st.none() | st.sampled_from(["22:00", "7:05", "24:00", "22h"]) | _TEXT,
    "quiet_end": st.none() | st.sampled_from(["07:00", "22:00"]) | _TEXT,
    "timezone": st.none() | st.sampled_from(["Europe/Paris", "UTC", "Mars/Olympus", "../etc"])
    | _TEXT})


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_RULE)
def test_any_rule_body_is_stored_or_refused_with_a_code(alerts_site: AlertSite,
                                                         body: dict[str, object]) -> None:
    ws = alerts_site
    answer = ws.site.client.post(  # JSON escapes: a lone surrogate travels as \ud800
        _rules(ws), content=json.dumps(body), headers={
            **ws.site.as_("analyst"), "Content-Type": "application/json"})
    assert answer.status_code in (201, 422), answer.text
    if answer.status_code == 422:
        assert answer.json()["error"]["code"] in {"E613", "E621", *(f"E7{n}" for n in range(
            13, 23))}, answer.text
        return
    rule = answer.json()
    assert "zzzzzzzzzzzz" not in answer.text
    with ws.site.engine.begin() as conn:
        stored = alert_rules.get_rule(conn, ws.acme, rule["id"])
        assert [c.kind for c in stored.channels] == [c["kind"] for c in rule["channels"]]
        alert_rules.delete_rule(conn, ws.acme, rule["id"])


def test_an_app_channel_keeps_no_address(alerts_site: AlertSite) -> None:
    ws = alerts_site
    pasted = "https://hooks.example.org/services/T0/B0/zzzzzzzzzzzz"
    answer = ws.site.client.post(_rules(ws), json={"channels": [
        {"kind": "app", "target": pasted}]}, headers=ws.site.as_("analyst"))
    assert answer.status_code == 201
    assert answer.json()["channels"][0]["target"] == "" and pasted not in answer.text
