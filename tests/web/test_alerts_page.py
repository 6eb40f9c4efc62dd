"""The alerts page of a brand, rendered on the server: the list and its filters, an alert's
explanation, acknowledging and resolving by role, the rules and their form with errors next to
the fields, masked webhook addresses, languages and per-workspace isolation (the browser test
is tests/e2e/test_alerts_page.py)."""

from __future__ import annotations

import html
import re
from typing import Any

import sqlalchemy as sa

from confiance.store import accounts, alert_rules
from confiance.store.tables import alerts as alerts_table
from tests.web.alert_site import HOOK, SECRET, AlertSite, alerts_site
from tests.web.test_pages import hidden, sign_in

__all__ = ["alerts_site"]

ITEM = re.compile(r'<li class="alert-item" id="alert-(\d+)">')


def _open(ws: AlertSite, role: str = "viewer", workspace: str = "acme",
          path: str = "", **params: Any) -> Any:
    """Sign in as ``role`` and open acme's alerts page (or ``path`` under it)."""
    ws.site.client.cookies.clear()  # a new browser: whoever was signed in is gone
    sign_in(ws.site.client, ws.site.email(role, workspace))
    return ws.site.client.get(f"/brands/{ws.acme}/alerts{path}", params=params)


def _text(page: Any) -> str:
    """The page's words, tags removed, spaces (no-break ones too) made plain."""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", page.text if hasattr(page, "text") else page))
    return re.sub(r"\s+", " ", plain.replace("\u202f", " ").replace("\xa0", " "))


def _keys(ws: AlertSite, page: Any) -> list[str]:
    return [ws.key(int(found)) for found in ITEM.findall(page.text)]


def _status(ws: AlertSite, key: str) -> str:
    with ws.site.engine.connect() as conn:
        return str(conn.execute(sa.select(alerts_table.c.status).where(
            alerts_table.c.id == ws.ids[key])).scalar_one())


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_the_active_alerts_with_their_badges(alerts_site: AlertSite) -> None:
    ws = alerts_site
    page = _open(ws)
    assert page.status_code == 200
    assert f'<a href="/brands/{ws.acme}/alerts" aria-current="page">Alertes</a>' in page.text
    assert _keys(ws, page) == ["a2", "a1", "a4", "a5"]  # open or acknowledged, newest first
    text = _text(page)
    assert "3 alertes ouvertes · 1 prise en charge · 1 résolue" in text
    first = _text(page.text.split(f'id="alert-{ws.ids["a2"]}"', 1)[1])
    assert "Sévérité : 4/5 · élevée" in first and "Statut : Ouverte" in first
    assert "Terme émergent" in first and "Sujet : « boycott »" in first
    assert "Périmètre Toutes les plateformes" in first
    assert "Vue la première fois 12 mars 2026, 13:10" in first
    assert "Observé 35 posts (attendu : 2)" in first
    assert 'class="severity severity-4"' in page.text
    assert f'href="/brands/{ws.acme}/alerts/{ws.ids["a2"]}"' in page.text
    acknowledged = _text(page.text.split(f'id="alert-{ws.ids["a4"]}"', 1)[1])
    assert acknowledged.startswith("> Sévérité : 5/5 · critique, agir maintenant Statut : "
                                   "Prise en charge")
    assert "Publication à forte audience Sujet : post x:99 Périmètre X" in acknowledged
    assert "Périmètre Instagram" in _text(page.text.split(f'id="alert-{ws.ids["a5"]}"', 1)[1])


def test_the_filters_narrow_the_list_as_the_api_does(alerts_site: AlertSite) -> None:
    ws = alerts_site
    _open(ws)
    for params, expected in (({"status": "resolved"}, ["a3"]),
                             ({"status": "all"}, ["a2", "a1", "a4", "a3", "a5"]),
                             ({"status": "open", "detector": "volume"}, ["a1", "a5"]),
                             ({"status": "all", "severity_min": "4"}, ["a2", "a4"])):
        page = ws.site.client.get(f"/brands/{ws.acme}/alerts", params=params)
        assert page.status_code == 200 and _keys(ws, page) == expected, params
        api = [ws.key(a["id"]) for a in ws.get(ws.path(), **{
            k: v for k, v in params.items() if v != "all"})["items"]]
        assert api == expected, params
    page = ws.site.client.get(f"/brands/{ws.acme}/alerts", params={"status": "resolved"})
    assert '<option value="resolved" selected>Résolue</option>' in page.text
    shared = ws.site.client.get(f"/brands/{ws.acme}/alerts", params={"status": "closed"})
    assert shared.status_code == 200 and 'id="filter-error"' in shared.text
    assert "E727" in shared.text and not ITEM.search(shared.text)
    empty = ws.site.client.get(f"/brands/{ws.acme}/alerts",
                               params={"status": "open", "detector": "high_reach"})
    assert "Aucune alerte ne correspond à ces filtres." in _text(empty)


def test_older_alerts_come_page_by_page(alerts_site: AlertSite, monkeypatch: Any) -> None:
    from confiance.web.pages import alerts_page

    ws = alerts_site
    monkeypatch.setattr(alerts_page, "PAGE_SIZE", 2)
    page = _open(ws, status="all")
    seen = _keys(ws, page)
    while (found := re.search(r'<a class="button-secondary" href="([^"]+)">Alertes plus anciennes',
                              page.text)):
        page = ws.site.client.get(html.unescape(found.group(1)))
        assert "Retour aux dernières alertes" in page.text
        seen += _keys(ws, page)
    assert seen == ["a2", "a1", "a4", "a3", "a5"]


def test_the_rules_show_masked_addresses_and_controls_by_role(alerts_site: AlertSite) -> None:
    ws = alerts_site
    viewer = _open(ws)
    text = _text(viewer)
    assert "Règles d’alerte" in text and "Règle n° 1 Active" in text
    assert "https://hooks.slack.com/…" in text and "(adresse masquée)" in text
    assert "veille@acme.example" in text
    assert SECRET not in viewer.text and "T0ACME" not in viewer.text
    assert 'id="add-rule"' not in viewer.text and 'id="rules-readonly"' in viewer.text
    assert "/alert-rules/" not in viewer.text
    analyst = _open(ws, "analyst")
    assert 'id="add-rule"' in analyst.text and SECRET not in analyst.text
    assert f'action="/brands/{ws.acme}/alert-rules/{ws.rule_id}/enabled"' in analyst.text
    assert "Supprimer la règle" in analyst.text


# --- one alert ----------------------------------------------------------------------------------


def test_an_alert_shows_everything_needed_to_judge_it(alerts_site: AlertSite) -> None:
    ws = alerts_site
    page = _open(ws, path=f"/{ws.ids['a4']}")
    assert page.status_code == 200
    text = _text(page)
    assert "Publication à forte audience · post x:99" in text
    assert "Fenêtre 11 mars 2026, 12:00 → 11 mars 2026, 13:00 (UTC)" in text
    assert "Observé 250 000 abonnés" in text and "Attendu (référence) 10 000 abonnés" in text
    assert "Par rapport à la référence × 25,0" in text
    assert "livraison 48 posts" in text and "retard 31 posts" in text
    assert "@grandcompte 250 000 abonnés X Négatif 340 interactions" in text
    assert "Je ne rachèterai jamais chez Acme." in text
    assert f'href="/brands/{ws.acme}/mentions/1"' in page.text
    assert 'href="https://x.com/jdupont/status/1" rel="noopener noreferrer nofollow"' in page.text
    assert f'href="/brands/{ws.acme}/mentions?author=jdupont"' in page.text
    assert "@jdupont 5 posts dans la fenêtre" in text
    assert "Prise en charge par moderator@acme.example le 11 mars 2026, 14:00" in text
    assert "https://hooks.slack.com/…" in text and SECRET not in page.text
    assert "Webhook (Slack, Teams…)" in text and "nouvelle alerte" in text
    share = _text(ws.site.client.get(f"/brands/{ws.acme}/alerts/{ws.ids['a3']}"))
    assert "Observé 42,0 %" in share and "Attendu (référence) 18,0 %" in share
    assert "Note Réponse publiée." in share
    assert "Résolue par analyst@acme.example le 10 mars 2026, 14:00" in share


def test_a_viewer_reads_but_cannot_acknowledge_or_resolve(alerts_site: AlertSite) -> None:
    ws = alerts_site
    page = _open(ws, path=f"/{ws.ids['a1']}")
    assert 'id="acknowledge"' not in page.text and 'id="resolve"' not in page.text
    assert 'id="handle-readonly"' in page.text
    token = hidden(page)
    for action, data in (("acknowledge", {}), ("resolve", {"note": "vu"})):
        answer = ws.site.client.post(f"/brands/{ws.acme}/alerts/{ws.ids['a1']}/{action}",
                                     data={"csrf_token": token, **data})
        assert answer.status_code == 403 and "E604" in answer.text, action
    answer = ws.site.client.post(f"/brands/{ws.acme}/alerts/{ws.ids['a1']}/acknowledge")
    assert answer.status_code == 403 and "E606" in answer.text
    assert _status(ws, "a1") == "open"


def test_a_moderator_acknowledges_then_resolves_with_a_note(alerts_site: AlertSite) -> None:
    ws = alerts_site
    here = f"/brands/{ws.acme}/alerts/{ws.ids['a1']}"
    page = _open(ws, "moderator", path=f"/{ws.ids['a1']}")
    assert 'id="acknowledge"' in page.text and '<label for="note">' in page.text
    token = hidden(page)
    answer = ws.site.client.post(f"{here}/acknowledge", data={"csrf_token": token},
                                 follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{here}?done=acknowledged#alert-status"
    page = ws.site.client.get(f"{here}?done=acknowledged")
    assert "Alerte prise en charge : l’espace de travail voit" in _text(page)
    assert 'id="acknowledge"' not in page.text and 'id="resolve"' in page.text
    assert _status(ws, "a1") == "acknowledged"
    answer = ws.site.client.post(f"{here}/resolve", data={
        "csrf_token": token, "note": "  Excuses <publiées> & remboursement.  "})
    assert answer.status_code == 200 and answer.url.path == here
    text = _text(answer)
    assert "Alerte résolue." in text and "Note Excuses <publiées> & remboursement." in text
    assert "Excuses &lt;publiées&gt; &amp; remboursement." in answer.text  # escaped
    assert 'id="resolve"' not in answer.text and _status(ws, "a1") == "resolved"
    again = ws.site.client.post(f"{here}/resolve", data={"csrf_token": token},
                                follow_redirects=False)
    assert again.headers["location"] == f"{here}?done=already#alert-status"


def test_the_page_speaks_english_to_an_english_user(alerts_site: AlertSite) -> None:
    ws = alerts_site
    with ws.site.engine.begin() as conn:
        accounts.update_user(conn, ws.site.user_ids[("acme", "viewer")], locale="en")
    page = _open(ws)
    text = _text(page)
    assert '<html lang="en">' in page.text
    assert "3 open alerts · 1 acknowledged · 1 resolved" in text
    assert "Severity: 4/5 · high" in text and "Emerging term" in text
    assert "First seen Mar 12, 2026, 1:10 PM" in text
    assert "Alert rules" in text and "(address masked)" in text
    detail = _text(ws.site.client.get(f"/brands/{ws.acme}/alerts/{ws.ids['a4']}"))
    assert "Observed 250,000 followers" in detail and "Against the baseline × 25.0" in detail


def test_another_workspace_sees_nothing_of_acme(alerts_site: AlertSite) -> None:
    ws = alerts_site
    globex = ws.site.brand_ids["globex"]
    page = _open(ws, "owner", "globex", path="")
    assert page.status_code == 404 and "E605" in page.text
    mine = ws.site.client.get(f"/brands/{globex}/alerts")
    assert mine.status_code == 200 and _keys(ws, mine) == ["g1"]
    token = hidden(mine)
    for path in (f"/brands/{ws.acme}/alerts/{ws.ids['a1']}",
                 f"/brands/{globex}/alerts/{ws.ids['a1']}",
                 f"/brands/{globex}/alert-rules/{ws.rule_id}",
                 f"/brands/{ws.acme}/alert-rules/new"):
        answer = ws.site.client.get(path)
        assert answer.status_code == 404 and "E605" in answer.text, path
    for path in (f"/brands/{globex}/alerts/{ws.ids['a1']}/acknowledge",
                 f"/brands/{globex}/alerts/{ws.ids['a1']}/resolve",
                 f"/brands/{globex}/alert-rules/{ws.rule_id}/delete",
                 f"/brands/{globex}/alert-rules/{ws.rule_id}/enabled",
                 f"/brands/{globex}/alert-rules/{ws.rule_id}"):
        answer = ws.site.client.post(path, data={"csrf_token": token, "enabled": "0"})
        assert answer.status_code == 404 and "E605" in answer.text, path
    assert _status(ws, "a1") == "open"
    with ws.site.engine.connect() as conn:
        assert alert_rules.get_rule(conn, ws.acme, ws.rule_id).enabled


# --- the rules' form ----------------------------------------------------------------------------


def _rule_form(**fields: str) -> dict[str, str]:
    form = {"detector": "", "scope": "", "min_severity": "1", "enabled": "1",
            "quiet_start": "", "quiet_end": "", "timezone": "Europe/Paris", "params": ""}
    return {**form, **fields}


def test_mistakes_are_shown_next_to_their_fields_and_nothing_is_saved(
        alerts_site: AlertSite) -> None:
    ws = alerts_site
    _open(ws, "analyst")
    page = ws.site.client.get(f"/brands/{ws.acme}/alert-rules/new")
    assert page.status_code == 200 and "Nouvelle règle d’alerte" in page.text
    assert '<label for="channel_target_0">Adresse</label>' in page.text
    assert '<label for="timezone">Fuseau horaire</label>' in page.text
    answer = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=hidden(page), quiet_start="22:00", timezone="Mars/Olympus",
        params="{pas du json", channel_kind_0="email", channel_target_0="pas-une-adresse",
        channel_kind_1="webhook", channel_target_1="http://ailleurs.example/hook",
        channel_kind_2="", channel_target_2=""))
    assert answer.status_code == 422
    text = _text(answer)
    assert "Rien n’a été enregistré" in text
    assert "« pas-une-adresse » n’est pas une adresse e-mail" in text and "E716" in text
    assert "Cette adresse de webhook n’est pas utilisable" in text and "E717" in text
    assert "Donnez les heures calmes avec un début et une fin" in text and "E713" in text
    assert "Fuseau horaire inconnu « Mars/Olympus »" in text and "E714" in text
    assert "Écrivez les seuils personnalisés comme un objet JSON" in text and "E722" in text
    timezone = re.search(r'<input id="timezone"[^>]*>', answer.text)
    assert timezone and 'aria-invalid="true"' in timezone.group(0)
    assert 'aria-describedby="timezone-hint timezone-error"' in timezone.group(0)
    assert 'value="Mars/Olympus"' in timezone.group(0)  # what was typed stays
    target = re.search(r'<input id="channel_target_0"[^>]*>', answer.text)
    assert target and 'aria-invalid="true"' in target.group(0)
    assert 'id="channel_target_0-error"' in answer.text
    assert len(ws.get(f"/api/v1/brands/{ws.acme}/alert-rules")) == 1
    none = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=hidden(page), channel_kind_0="", channel_target_0=""))
    assert none.status_code == 422 and "Donnez de 1 à 20 canaux" in _text(none)
    chosen = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=hidden(page), detector="rumour", scope="platform:minitel", min_severity="9",
        channel_kind_0="app"))
    assert chosen.status_code == 422
    for name, code in (("detector", "E720"), ("scope", "E721"), ("min_severity", "E719")):
        select = re.search(rf'<select id="{name}"[^>]*>', chosen.text)
        assert select and 'aria-invalid="true"' in select.group(0), name
        assert f'id="{name}-error"' in chosen.text and code in chosen.text, name


def test_an_analyst_adds_edits_disables_and_deletes_a_rule(alerts_site: AlertSite) -> None:
    ws = alerts_site
    page = _open(ws, "analyst")
    token = hidden(page)
    added = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=token, detector="negative_share", scope="platform:instagram",
        min_severity="3", quiet_start="22:00", quiet_end="07:00",
        params='{"share_min_ratio": 2}', channel_kind_0="email",
        channel_target_0="crise@acme.example", channel_language_0="en",
        channel_digest_0="1", channel_kind_1="", channel_target_1=""),
        follow_redirects=False)
    assert added.status_code == 303
    assert added.headers["location"] == f"/brands/{ws.acme}/alerts?rule=added#rules"
    listed = ws.site.client.get(added.headers["location"])
    assert "Règle ajoutée." in _text(listed)
    rules = ws.get(f"/api/v1/brands/{ws.acme}/alert-rules")
    new = rules[-1]
    assert (new["detector"], new["scope"], new["min_severity"], new["params"]) == \
        ("negative_share", "platform:instagram", 3, {"share_min_ratio": 2.0})
    assert new["channels"] == [{"kind": "email", "target": "crise@acme.example",
                                "masked": False, "digest": True, "language": "en"}]
    assert (new["quiet_start"], new["quiet_end"], new["timezone"]) == \
        ("22:00", "07:00", "Europe/Paris")

    edit = ws.site.client.get(f"/brands/{ws.acme}/alert-rules/{ws.rule_id}")
    assert edit.status_code == 200 and SECRET not in edit.text
    hook_field = re.search(r'<input id="channel_target_0"[^>]*>', edit.text)
    assert hook_field and 'value="https://hooks.slack.com/…' in hook_field.group(0)
    saved = ws.site.client.post(f"/brands/{ws.acme}/alert-rules/{ws.rule_id}", data=_rule_form(
        csrf_token=token, min_severity="4", channel_kind_0="webhook",
        channel_target_0=html.unescape(re.search(r'value="([^"]*)"', hook_field.group(0))
                                       .group(1)),  # type: ignore[union-attr]
        channel_kind_1="", channel_target_1=""), follow_redirects=False)
    assert saved.status_code == 303 and "rule=saved" in saved.headers["location"]
    with ws.site.engine.connect() as conn:
        stored = alert_rules.get_rule(conn, ws.acme, ws.rule_id)
    assert [c.target for c in stored.channels] == [HOOK] and stored.min_severity == 4

    disabled = ws.site.client.post(f"/brands/{ws.acme}/alert-rules/{ws.rule_id}/enabled",
                                   data={"csrf_token": token, "enabled": "0"})
    assert "Règle désactivée" in _text(disabled)
    card = _text(disabled.text.split(f'id="rule-{ws.rule_id}"', 1)[1].split("</li>", 1)[0])
    assert "Désactivée" in card
    deleted = ws.site.client.post(f"/brands/{ws.acme}/alert-rules/{new['id']}/delete",
                                  data={"csrf_token": token})
    assert "Règle supprimée." in _text(deleted)
    assert [r["id"] for r in ws.get(f"/api/v1/brands/{ws.acme}/alert-rules")] == [ws.rule_id]


def test_the_brand_crisis_words_have_their_own_field(alerts_site: AlertSite) -> None:
    ws = alerts_site
    page = _open(ws, "analyst")
    token = hidden(page)
    form = ws.site.client.get(f"/brands/{ws.acme}/alert-rules/new")
    assert '<label for="risk_words">Mots qui annoncent une crise</label>' in form.text
    phrase = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=token, risk_words="fuite de cire", channel_kind_0="app"))
    assert phrase.status_code == 422 and "E722" in phrase.text  # one word per entry
    wrong = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=token, risk_words="fuite*, deux*mots", channel_kind_0="app"))
    assert wrong.status_code == 422 and "E722" in wrong.text
    assert "Donnez des mots de 3 à 60 lettres séparés par des virgules" in _text(wrong)
    field = re.search(r'<input id="risk_words"[^>]*>', wrong.text)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'value="fuite*, deux*mots"' in field.group(0)  # what was typed stays
    assert "Écrivez les seuils personnalisés" not in _text(wrong)  # not the JSON field's
    added = ws.site.client.post(f"/brands/{ws.acme}/alert-rules", data=_rule_form(
        csrf_token=token, risk_words="fuite*, mèche ;cire*", params='{"risk_min_authors": 2}',
        channel_kind_0="app"), follow_redirects=False)
    assert added.status_code == 303
    new = ws.get(f"/api/v1/brands/{ws.acme}/alert-rules")[-1]
    assert new["params"] == {"risk_min_authors": 2.0,
                             "extra_risk_terms": ["fuite*", "mèche", "cire*"]}
    edit = ws.site.client.get(f"/brands/{ws.acme}/alert-rules/{new['id']}")
    field = re.search(r'<input id="risk_words"[^>]*>', edit.text)
    assert field and 'value="fuite*, mèche, cire*"' in field.group(0)
    params = re.search(r'<textarea id="params"[^>]*>([^<]*)</textarea>', edit.text)
    assert params and html.unescape(params.group(1)) == '{"risk_min_authors": 2}'


def test_moderators_and_viewers_cannot_change_rules(alerts_site: AlertSite) -> None:
    ws = alerts_site
    for role in ("moderator", "viewer"):
        page = _open(ws, role)
        token = hidden(page)
        for path in (f"/brands/{ws.acme}/alert-rules/new",
                     f"/brands/{ws.acme}/alert-rules/{ws.rule_id}"):
            answer = ws.site.client.get(path)
            assert answer.status_code == 403 and "E604" in answer.text, (role, path)
        for path in (f"/brands/{ws.acme}/alert-rules/{ws.rule_id}/enabled",
                     f"/brands/{ws.acme}/alert-rules/{ws.rule_id}/delete",
                     f"/brands/{ws.acme}/alert-rules"):
            answer = ws.site.client.post(path, data=_rule_form(
                csrf_token=token, enabled="0", channel_kind_0="app"))
            assert answer.status_code == 403 and "E604" in answer.text, (role, path)
    rules = ws.get(f"/api/v1/brands/{ws.acme}/alert-rules")
    assert [(r["id"], r["enabled"]) for r in rules] == [(ws.rule_id, True)]
