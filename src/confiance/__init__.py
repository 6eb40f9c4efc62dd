"""Confiance: an open-source, self-hosted trust platform for brands.

``confiance.analyze(texts)`` enriches texts without a database (see
:mod:`confiance.analysis`); it is imported on first use, so ``import confiance`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from confiance.analysis import Analysis, analyze, analyze_csv

_LAZY = {"analyze", "analyze_csv", "Analysis"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from confiance import analysis

        return getattr(analysis, name)
    raise AttributeError(f"module 'confiance' has no attribute {name!r}")


__all__ = ["Analysis", "__version__", "analyze", "analyze_csv"]
