"""Look formats up by name and detect the format of a file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pluggy

from confiance.core.errors import ConfianceError
from confiance.sources.base import SourceFormat

SNIFF_BYTES = 64 * 1024


class FormatRegistry:
    """Every format the plugin manager knows, by name."""

    def __init__(self, formats: list[SourceFormat]) -> None:
        self._formats: dict[str, SourceFormat] = {}
        for fmt in formats:
            self._formats[fmt.name] = fmt

    @classmethod
    def from_plugins(cls, manager: pluggy.PluginManager) -> FormatRegistry:
        """Collect the formats of every registered plugin."""
        formats: list[SourceFormat] = []
        for batch in manager.hook.confiance_formats():
            formats.extend(batch)
        return cls(formats)

    def names(self) -> list[str]:
        """Format names, sorted."""
        return sorted(self._formats)

    def __iter__(self) -> Iterator[SourceFormat]:
        return iter(self._formats.values())

    def get(self, name: str) -> SourceFormat:
        """The format called ``name``, or error E207 listing the known ones."""
        try:
            return self._formats[name]
        except KeyError:
            raise ConfianceError("E207", name=name, known=", ".join(self.names())) from None

    def detect(self, path: Path) -> SourceFormat:
        """The format whose ``sniff`` is most confident about the start of ``path``."""
        with path.open("rb") as handle:
            sample = handle.read(SNIFF_BYTES)
        suffix = path.suffix.lower().lstrip(".")
        best: tuple[float, SourceFormat] | None = None
        for fmt in self._formats.values():
            try:
                score = fmt.sniff(sample)
            except Exception:  # noqa: BLE001 - a faulty sniffer must not stop detection
                score = 0.0
            if suffix and suffix in fmt.extensions:
                score += 0.05
            if score > 0.5 and (best is None or score > best[0]):
                best = (score, fmt)
        if best is None:
            raise ConfianceError("E208", path=str(path), known=", ".join(self.names()))
        return best[1]
