"""The canonical records every source maps to, and their enums."""

from confiance.domain.records import (
    Author,
    Brand,
    Media,
    MediaType,
    Metrics,
    Platform,
    Post,
    PostKind,
    Rejected,
    Source,
    SourceKind,
)

__all__ = [
    "Author",
    "Brand",
    "Media",
    "MediaType",
    "Metrics",
    "Platform",
    "Post",
    "PostKind",
    "Rejected",
    "Source",
    "SourceKind",
]
