"""Running components over docs, and over the store's posts that await enrichment."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from confiance.enrich.component import Component, Doc, EnrichError, ErrorHandler, raise_errors

if TYPE_CHECKING:
    from confiance.enrich.sentiment import SentimentModel


class Pipeline:
    """Components applied in order; each sees what the previous ones wrote."""

    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)

    @classmethod
    def default(cls, *, brand_names: Sequence[str] = (), matcher: Component | None = None,
                brand_models: Mapping[str, SentimentModel] | None = None,
                aspects: Path | str | None = None) -> Pipeline:
        """The built-in pipeline, in the order each component's inputs need:

        language (brand names set aside) -> embedding -> brand queries (``matcher``, when
        brands exist: ``lang:`` sees the detected language) -> sentiment (a brand's retrained
        head when the post matched that brand) -> aspects -> moderation -> intent (reads
        the sentiment). ``aspects`` is a brand aspect file extending the default list.
        """
        from confiance.enrich.aspects import AspectTagger
        from confiance.enrich.embeddings import Embedder
        from confiance.enrich.intent import IntentClassifier
        from confiance.enrich.language import LanguageDetector
        from confiance.enrich.moderation import Moderator
        from confiance.enrich.sentiment import SentimentClassifier

        components: list[Component] = [LanguageDetector(ignore=brand_names), Embedder()]
        if matcher is not None:
            components.append(matcher)
        components += [SentimentClassifier(brand_models=brand_models),
                       AspectTagger(aspects), Moderator(), IntentClassifier()]
        return cls(components)

    @property
    def names(self) -> list[str]:
        """The versioned names of the components, in order."""
        return [component.name for component in self.components]

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Run every component over ``docs``, lazily, batch by batch."""
        stream: Iterable[Doc] = docs
        for component in self.components:
            stream = component.pipe(stream, batch_size=batch_size, on_error=on_error)
        yield from stream


@dataclass
class EnrichSummary:
    """What ``enrich_store`` did; ``as_dict`` is the ``--json`` output."""

    enriched: int = 0
    errors: int = 0
    seconds: float = 0.0

    def as_dict(self, components: list[str]) -> dict[str, Any]:
        """The summary as a JSON-ready object."""
        return {"enriched": self.enriched, "errors": self.errors,
                "seconds": round(self.seconds, 3), "components": components,
                "posts_per_second": round(self.enriched / self.seconds) if self.seconds
                else None}


def enrich_store(engine: Engine, pipeline: Pipeline, *, since: datetime | None = None,
                 brand_id: int | None = None, batch_size: int = 1000,
                 progress: Callable[[int], None] | None = None) -> EnrichSummary:
    """Enrich every post not yet enriched; each batch is committed, so a stopped run resumes.

    A component failing on a post is recorded with the post (``errors``) and the rest goes on.
    """
    from confiance.store import enrichments

    started = time.perf_counter()
    summary = EnrichSummary()
    for batch in enrichments.pending(engine, since=since, brand_id=brand_id,
                                     batch_size=batch_size):
        failures: dict[tuple[str, str], list[dict[str, str]]] = {}

        def record(error: EnrichError, failures: dict[Any, Any] = failures) -> None:
            failures.setdefault(error.key, []).append(
                {"component": error.component, "reason": error.reason})

        docs = list(pipeline.pipe((doc for _, doc in batch), on_error=record))
        results = [(post_id, doc, failures.get(doc.key, []))
                   for (post_id, _), doc in zip(batch, docs, strict=True)]
        with engine.begin() as conn:
            enrichments.save(conn, results)
        summary.enriched += len(results)
        summary.errors += sum(1 for _, _, errors in results if errors)
        if progress:
            progress(summary.enriched)
    summary.seconds = time.perf_counter() - started
    return summary
