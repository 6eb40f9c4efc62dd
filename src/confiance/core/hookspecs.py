"""Plugin hooks. Built-in sources and notifiers register through the same hooks a third party
uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from confiance.core.settings import Settings
    from confiance.listen.alerts.notify import Notifier
    from confiance.sources.base import SourceFormat
    from confiance.sources.clients.base import PollClient

PROJECT = "confiance"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class ConfianceSpec:
    """The hook specifications; one line of documentation per hook."""

    @hookspec
    def confiance_formats(self) -> list[SourceFormat]:  # type: ignore[empty-body]
        """Return the import formats (parsers and readers) this plugin provides."""

    @hookspec
    def confiance_notifiers(self, settings: Settings) -> list[Notifier]:  # type: ignore[empty-body]
        """Return the alert notifiers (one per channel kind) this plugin provides."""

    @hookspec
    def confiance_poll_clients(self) -> list[PollClient]:  # type: ignore[empty-body]
        """Return the polling clients (one per format) that `confiance listen` runs."""
