"""The built-in polling clients, registered through the same hook as third-party plugins."""

from __future__ import annotations

import importlib

from confiance.core.hookspecs import hookimpl
from confiance.sources.clients.base import PollClient

MODULES = (
    "feed",
    "mastodon",
    "bluesky",
    "reddit",
    "x_v2",
    "youtube_comments",
    "facebook_graph",
    "instagram_graph",
)
"""Modules of ``confiance.sources.clients`` that define ``CLIENTS: tuple[PollClient, ...]``."""


@hookimpl
def confiance_poll_clients() -> list[PollClient]:
    """Return the built-in polling clients."""
    found: list[PollClient] = []
    for name in MODULES:
        module = importlib.import_module(f"confiance.sources.clients.{name}")
        found.extend(module.CLIENTS)
    return found
