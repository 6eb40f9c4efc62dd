"""Import formats: one module per platform or file format, each a pure ``parse(payload)``."""

from confiance.sources.base import Item, SourceFormat
from confiance.sources.registry import FormatRegistry

__all__ = ["FormatRegistry", "Item", "SourceFormat"]
