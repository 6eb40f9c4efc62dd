"""Plugin hooks. Built-in sources register through the same hooks a third party uses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from confiance.sources.base import SourceFormat

PROJECT = "confiance"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class ConfianceSpec:
    """The hook specifications; one line of documentation per hook."""

    @hookspec
    def confiance_formats(self) -> list[SourceFormat]:  # type: ignore[empty-body]
        """Return the import formats (parsers and readers) this plugin provides."""
