"""The contract every enrichment component follows (spaCy-like).

A component has a versioned name (``confiance.language.v1``), declares which fields of a
:class:`Doc` it reads and which enrichment values it writes, and processes records in batches
with :meth:`Component.pipe`. A record it cannot process is reported to an error handler with
the reason, and the batch goes on. Components that learn save and load their state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from confiance.domain import Post

T = TypeVar("T")


@dataclass
class Doc:
    """A post as enrichment sees it: the fields components read, and what they wrote.

    ``values`` maps an output name (``language``, ``sentiment``...) to its value, and
    ``made_by`` maps the same name to the versioned component that produced it, so every
    stored result says where it came from.
    """

    key: tuple[str, str]
    text: str
    platform: str = "other"
    kind: str = "post"
    title: str | None = None
    language: str | None = None
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    made_by: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_post(cls, post: Post) -> Doc:
        """The doc of a canonical post; the language a platform stated is kept as a hint."""
        return cls(key=(post.platform.value, post.platform_id), text=post.text or "",
                   platform=post.platform.value, kind=post.kind.value, title=post.title,
                   language=post.language, hashtags=list(post.hashtags),
                   mentions=list(post.mentions))

    @classmethod
    def from_text(cls, text: str, position: int) -> Doc:
        """A doc for free text (``confiance analyze``), keyed by its position."""
        return cls(key=("text", str(position)), text=text)

    def primary_language(self) -> str | None:
        """The language detected earlier in the pipeline, else the one the platform stated,
        as its primary subtag (``fr`` for ``fr-FR``); ``None`` when neither is known."""
        return primary_subtag(self.values.get("language")) or primary_subtag(self.language)

    def set(self, name: str, value: Any, component: str) -> None:
        """Record ``value`` for output ``name``, made by ``component``."""
        self.values[name] = value
        self.made_by[name] = component


def primary_subtag(language: object) -> str | None:
    """``fr`` for ``fr-FR`` or ``FR``; ``None`` for no language or ``unknown``."""
    if not isinstance(language, str) or not language or language == "unknown":
        return None
    return language.split("-")[0].lower()


@dataclass(frozen=True)
class EnrichError:
    """A record a component could not process; the rest of the batch went on."""

    key: tuple[str, str]
    component: str
    reason: str


ErrorHandler = Callable[[EnrichError], None]


def raise_errors(error: EnrichError) -> None:
    """The strict handler: stop at the first record that fails."""
    raise RuntimeError(f"{error.component} failed on {error.key}: {error.reason}")


@runtime_checkable
class Component(Protocol):
    """An enrichment component."""

    name: str
    """Versioned name, e.g. ``confiance.language.v1``; stored with every result."""
    reads: tuple[str, ...]
    """Doc fields or values this component needs."""
    writes: tuple[str, ...]
    """Values this component sets."""

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Process ``docs`` in batches, yielding each one (failed ones unchanged)."""
        ...

    def to_disk(self, path: Path) -> None:
        """Save learnt state under ``path`` (nothing for stateless components)."""
        ...

    def from_disk(self, path: Path) -> Component:
        """Load the state saved by :meth:`to_disk`; returns the component."""
        ...


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` (docs, CSV rows...) in lists of at most ``size``."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
