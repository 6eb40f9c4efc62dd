"""Saving and restoring an :class:`~confiance.listen.alerts.detectors.AlertEngine`.

The state is plain JSON (lists, dicts of strings, numbers, booleans and nulls; no NaN):
every scope's minute buckets still inside a window, its hourly ring and current baseline,
the brand's term windows and background, and the reach histograms. An engine restored from
it answers the next calls exactly as the engine that wrote it would have. Settings that
shape the stored structures (windows, profile days, evidence per minute, term memory) must
be the same on both sides; thresholds may differ.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from confiance.listen.alerts.baseline import Baseline, HourlyHistory
from confiance.listen.alerts.signals import HOUR_RING_EXTRA, Scope

if TYPE_CHECKING:
    from confiance.listen.alerts.detectors import AlertEngine

VERSION = 1
STRUCTURE = (
    "windows",
    "emerging_windows",
    "profile_days",
    "evidence_posts_per_minute",
    "emerging_memory_days",
    "emerging_min_authors",
    "emerging_prior",
    "reach_memory_days",
    "timezone",
    "baseline_gap_hours",
)
"""Settings the saved structures depend on."""


def dump(engine: AlertEngine) -> dict[str, Any]:
    """The engine's state, JSON-ready."""
    settings = engine.config.as_dict()
    return {
        "version": VERSION,
        "structure": {name: settings[name] for name in STRUCTURE},
        "now": engine.now if math.isfinite(engine.now) else None,
        "scopes": {
            name: {
                "first_at": scope.first_at,
                "counts": scope.counts.to_state(),
                "history": scope.history.to_state(),
                "baseline": _baseline_state(scope.baseline),
            }
            for name, scope in engine.scopes.items()
        },
        "terms": engine.terms.to_state(),
        "reach": engine.reach.to_state(),
        "recent_terms": engine.recent_terms,
        "risk": engine.risk.to_state(),
    }


def restore(engine: AlertEngine, state: dict[str, Any]) -> None:
    """Load ``state`` (from :func:`dump`) into a new engine; ValueError when it does not fit."""
    if not isinstance(state, dict) or state.get("version") != VERSION:
        raise ValueError(f"not a state of version {VERSION}")
    settings = engine.config.as_dict()
    expected = {name: settings[name] for name in STRUCTURE}
    if state["structure"] != expected:
        raise ValueError(
            "written with other windows or memory settings: "
            f"{state['structure']} instead of {expected}"
        )
    engine.now = -math.inf if state["now"] is None else float(state["now"])
    for name, saved in state["scopes"].items():
        scope = Scope(str(name), float(saved["first_at"]), engine.config)
        scope.counts.restore(saved["counts"])
        scope.history = HourlyHistory.from_state(saved["history"])
        if scope.history.size != engine.config.profile_days * 24 + HOUR_RING_EXTRA:
            raise ValueError("hourly ring of another size")
        scope.baseline = _baseline_from(saved["baseline"])
        engine.scopes[str(name)] = scope
    engine.terms.restore(state["terms"])
    engine.reach.restore(state["reach"])
    engine.recent_terms = {str(t): float(at) for t, at in state["recent_terms"].items()}
    engine.risk.restore(state.get("risk", {}))  # absent from states saved before it existed


def _baseline_state(baseline: Baseline | None) -> list[Any] | None:
    if baseline is None:
        return None
    level = baseline.level if math.isfinite(baseline.level) else None
    return [
        baseline.hour,
        level,
        baseline.factors.tolist(),
        list(baseline.cumulative),
        baseline.share,
        baseline.positive,
        baseline.dispersion,
    ]


def _baseline_from(row: list[Any] | None) -> Baseline | None:
    if row is None:
        return None
    hour, level, factors, cumulative, share, positive, dispersion = row
    values = np.asarray(factors, dtype=np.float64)
    if values.shape != (168,) or len(cumulative) != 26:
        raise ValueError("baseline of another shape")
    return Baseline(
        int(hour),
        math.nan if level is None else float(level),
        values,
        tuple(float(x) for x in cumulative),
        float(share),
        float(positive),
        float(dispersion),
    )
