"""Signals and brands for the alert store and notifier tests.

Two brands in two workspaces, each with a member: ``Maison Lumière`` (workspace ``lumiere``,
user ``camille@lumiere.example``) and ``Globex`` (workspace ``globex``, user
``hank@globex.example``). Signal times are epoch seconds around :data:`T0`, Thursday
12 March 2026 at 13:00 UTC (14:00 in Paris).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from confiance.auth.roles import Role
from confiance.domain import Brand
from confiance.listen.alerts.model import Detector, Evidence, Signal
from confiance.store import accounts, brands, workspaces

T0 = datetime(2026, 3, 12, 13, 0, tzinfo=UTC).timestamp()
MINUTE, HOUR = 60.0, 3600.0


@dataclass(frozen=True)
class TwoBrands:
    """Two brands in two workspaces, each with one analyst."""

    engine: Engine
    lumiere: int
    globex: int
    camille: int
    """A member of the workspace of ``lumiere`` only."""
    hank: int
    """A member of the workspace of ``globex`` only."""


def two_brands(engine: Engine) -> TwoBrands:
    """Create the two brands and their members."""
    with engine.begin() as conn:
        lumiere_ws = workspaces.ensure(conn, "lumiere")
        globex_ws = workspaces.ensure(conn, "globex")
    lumiere = brands.add(engine, Brand(name="Maison Lumière"), workspace_id=lumiere_ws)
    globex = brands.add(engine, Brand(name="Globex"), workspace_id=globex_ws)
    with engine.begin() as conn:
        camille = accounts.create_user(conn, "camille@lumiere.example", "correct horse battery")
        hank = accounts.create_user(conn, "hank@globex.example", "correct horse battery")
        accounts.set_role(conn, camille, lumiere_ws, Role.ANALYST)
        accounts.set_role(conn, hank, globex_ws, Role.ANALYST)
    return TwoBrands(engine, lumiere, globex, camille, hank)


def post(
    key: str = "x:1",
    *,
    excerpt: str = "Trois semaines sans livraison, aucune réponse.",
    author: str = "@jdupont",
    followers: int = 12_400,
    at: float = T0 - 10 * MINUTE,
    url: str | None = "https://x.com/jdupont/status/1",
) -> Evidence:
    """One post of an alert's evidence."""
    return Evidence(
        key=key,
        at=at,
        platform="x",
        sentiment="negative",
        excerpt=excerpt,
        author=author,
        followers=followers,
        engagement=340,
        url=url,
        post_id=1,
    )


def signal(
    *,
    detector: Detector = Detector.VOLUME,
    scope: str = "all",
    subject: str | None = None,
    severity: int = 3,
    at: float = T0,
    observed: float = 182.0,
    expected: float = 40.0,
    unit: str = "posts",
    terms: tuple[tuple[str, int], ...] = (("livraison", 48), ("retard", 31)),
    posts: tuple[Evidence, ...] | None = None,
) -> Signal:
    """A firing whose window is the hour before ``at``."""
    return Signal(
        detector=detector,
        scope=scope,
        subject=subject,
        severity=severity,
        window_start=at - HOUR,
        window_end=at,
        observed=observed,
        expected=expected,
        unit=unit,
        score=7.5,
        top_terms=terms,
        top_posts=(post(),) if posts is None else posts,
        top_authors=(("@jdupont", 5), ("@marie", 3)),
        details={"window_s": 3600.0, "negatives": 120.0},
    )
