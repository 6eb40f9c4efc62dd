"""The ``site`` of the web tests with crisis alerts, seeded through the store functions with
the signals of ``tests/store/alert_data.py``. Test modules import the fixture from here.

acme's brand has five alerts (``a1``-``a5``: every detector, severities 1-5, open,
acknowledged and resolved) and a rule whose channels are a webhook, whose address holds a
secret, and an e-mail address; globex's brand has one alert (``g1``). Signal times are around
``T0``, Thursday 12 March 2026 at 13:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from confiance.listen.alerts.model import Detector
from confiance.store import alerts
from tests.store.alert_data import HOUR, MINUTE, T0, post, signal
from tests.web.conftest import Site

SECRET = "s3cr3tT0kenOfTheAcmeHook"
HOOK = f"https://hooks.slack.com/services/T0ACME/B0ACME/{SECRET}"
EMAIL = "veille@acme.example"
DAY = 24 * HOUR
SEEDED = {  # key: (signal, what happens to it)
    "a5": (signal(detector=Detector.VOLUME, scope="platform:instagram", severity=1,
                  at=T0 - 3 * DAY, observed=30, expected=12), "open"),
    "a3": (signal(detector=Detector.NEGATIVE_SHARE, scope="platform:instagram", severity=2,
                  at=T0 - 2 * DAY, observed=0.42, expected=0.18, unit="share"), "resolved"),
    "a4": (signal(detector=Detector.HIGH_REACH, scope="platform:x", subject="x:99", severity=5,
                  at=T0 - DAY, observed=250_000, expected=10_000, unit="followers",
                  posts=(post("x:99", excerpt="Je ne rachèterai jamais chez Acme.",
                              author="@grandcompte", followers=250_000),)),
           "acknowledged"),
    "a1": (signal(at=T0), "open"),
    "a2": (signal(detector=Detector.EMERGING_TERM, subject="boycott", severity=4,
                  at=T0 + 10 * MINUTE, observed=35, expected=2,
                  terms=(("boycott", 35), ("#boycottacme", 21))), "open"),
}
"""acme's alerts in the order they open (ids ascending), and their status."""


@dataclass
class AlertSite:
    """The site, the seeded alerts by key and acme's rule."""

    site: Site
    ids: dict[str, int] = field(default_factory=dict)
    rule_id: int = 0

    @property
    def acme(self) -> int:
        """acme's brand id."""
        return self.site.brand_ids["acme"]

    def key(self, alert_id: int) -> str:
        """The seed key (``a3``) of an alert id."""
        return {v: k for k, v in self.ids.items()}[alert_id]

    def path(self, key: str = "", suffix: str = "", brand: str = "acme") -> str:
        """The API address of the alert ``key`` (the list without one) of ``brand``."""
        base = f"/api/v1/brands/{self.site.brand_ids[brand]}/alerts"
        return base + (f"/{self.ids[key]}" if key else "") + suffix

    def call(self, method: str, path: str, role: str = "viewer", workspace: str = "acme",
             **options: Any) -> tuple[int, Any]:
        """``method path`` as the user with ``role`` in ``workspace``: (status, JSON)."""
        answer = self.site.client.request(method, path, headers=self.site.as_(role, workspace),
                                          **options)
        return answer.status_code, answer.json() if answer.content else None

    def get(self, path: str, role: str = "viewer", workspace: str = "acme",
            **params: Any) -> Any:
        """GET ``path`` (200 expected); the JSON answer."""
        status, body = self.call("GET", path, role, workspace, params=params)
        assert status == 200, body
        return body

    def pages(self, path: str, **params: Any) -> list[list[dict[str, Any]]]:
        """Every page of a list, following ``next``."""
        found, cursor = [], None
        for _ in range(50):
            body = self.get(path, **params, **({"cursor": cursor} if cursor else {}))
            found.append(body["items"])
            cursor = body["next"]
            if cursor is None:
                return found
        raise AssertionError("paging never ends")


def seed_alerts(site: Site) -> AlertSite:
    """acme's rule and alerts (a rule first: the alerts queue messages to its channels),
    then globex's alert."""
    found = AlertSite(site)
    acme, globex = site.brand_ids["acme"], site.brand_ids["globex"]
    with site.engine.begin() as conn:
        rule = alerts.add_rule(conn, acme, channels=[{"kind": "webhook", "target": HOOK},
                                                     {"kind": "email", "target": EMAIL}],
                               now=T0 - 30 * DAY)
        found.rule_id = rule.id
        for key, (fired, _) in SEEDED.items():
            [change] = alerts.record_signals(conn, acme, [fired], now=fired.window_end + MINUTE)
            found.ids[key] = change.alert_id
        [change] = alerts.record_signals(conn, globex, [signal(at=T0)], now=T0 + MINUTE)
        found.ids["g1"] = change.alert_id
        for key, (fired, status) in SEEDED.items():
            if status == "acknowledged":
                alerts.acknowledge(conn, found.ids[key], site.user_ids[("acme", "moderator")],
                                   now=fired.window_end + HOUR)
            elif status == "resolved":
                alerts.resolve(conn, found.ids[key], site.user_ids[("acme", "analyst")],
                               "Réponse publiée.", now=fired.window_end + HOUR)
    return found


@pytest.fixture
def alerts_site(site: Site) -> AlertSite:
    """The site with acme's five alerts and rule, and globex's alert."""
    return seed_alerts(site)
