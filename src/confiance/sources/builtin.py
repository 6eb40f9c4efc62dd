"""The built-in formats, registered through the same hook as third-party plugins."""

from __future__ import annotations

import importlib

from confiance.core.hookspecs import hookimpl
from confiance.sources.base import SourceFormat

MODULES = (
    "x_v2",
    "instagram_graph",
    "facebook_graph",
    "youtube_comments",
    "reddit",
    "mastodon",
    "bluesky",
    "tiktok_research",
    "trustpilot",
    "google_reviews",
    "appstore_csv",
    "googleplay_csv",
    "rss",
    "atom",
    "generic",
)
"""Modules of ``confiance.sources`` that define ``FORMATS: tuple[SourceFormat, ...]``."""


@hookimpl
def confiance_formats() -> list[SourceFormat]:
    """Return the built-in import formats."""
    found: list[SourceFormat] = []
    for name in MODULES:
        module = importlib.import_module(f"confiance.sources.{name}")
        found.extend(module.FORMATS)
    return found
