"""Running components over docs, and over the store's posts that await enrichment."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from confiance.enrich.component import Component, Doc, ErrorHandler, raise_errors

if TYPE_CHECKING:
    from confiance.enrich.brands import BrandSpec
    from confiance.enrich.runners import PipelineRecipe, Runner
    from confiance.enrich.sentiment import SentimentModel


class Pipeline:
    """Components applied in order; each sees what the previous ones wrote."""

    def __init__(self, components: Sequence[Component]) -> None:
        self.components = list(components)

    @classmethod
    def default(cls, *, brand_names: Sequence[str] = (), matcher: Component | None = None,
                brand_models: Mapping[str, SentimentModel] | None = None,
                aspects: Path | str | None = None,
                sentiment_model: Path | str | None = None) -> Pipeline:
        """The built-in pipeline, in the order each component's inputs need:

        language (brand names set aside) -> embedding -> brand queries (``matcher``, when
        brands exist: ``lang:`` sees the detected language) -> sentiment (a brand's retrained
        head when the post matched that brand) -> aspects -> moderation -> intent (reads
        the sentiment). ``aspects`` is a brand aspect file extending the default list.
        ``sentiment_model`` is a local Hugging Face model directory that scores sentiment
        instead (:class:`~confiance.enrich.sentiment_hf.HFSentiment`; ``brand_models`` then
        do not apply).
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
        if sentiment_model is not None:
            from confiance.enrich.sentiment_hf import HFSentiment

            components.append(HFSentiment(sentiment_model))
        else:
            components.append(SentimentClassifier(brand_models=brand_models))
        components += [AspectTagger(aspects), Moderator(), IntentClassifier()]
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


@dataclass(frozen=True)
class PipelineSpec:
    """A picklable recipe of :meth:`Pipeline.default`: what a worker needs to build it.

    It holds data, never loaded models, so a process pool or a Ray actor receives a few
    kilobytes and builds its own pipeline once (:meth:`build`; models load on first use).
    A compiled brand matcher holds closures and does not pickle, so the brands travel as
    their stored queries (``brands``: :data:`confiance.enrich.brands.BrandSpec` tuples,
    compiled again in each worker); retrained sentiment heads are small numpy arrays
    (about 13 kB a brand) and travel as they are. ``aspects`` is the path of a brand aspect
    file; every worker must be able to read it (on a Ray cluster, the same path on each node).
    """

    brand_names: tuple[str, ...] = ()
    """Names language detection sets aside."""
    brands: tuple[BrandSpec, ...] | None = None
    """(id, name, query, hashtags) of each brand to match; ``None``: no brand matcher."""
    brand_models: Mapping[str, SentimentModel] = field(default_factory=dict)
    """Brand name -> its retrained sentiment head."""
    aspects: str | None = None
    """A brand aspect file extending the default aspects."""
    sentiment_model: str | None = None
    """A local Hugging Face model directory that scores sentiment instead of the built-in
    head (``CONFIANCE_SENTIMENT_MODEL``); every worker must be able to read it."""

    @classmethod
    def from_store(cls, engine: Engine, *, sentiment_model: str | None = None
                   ) -> PipelineSpec:
        """The recipe for this store: its brands' names set aside by language detection,
        their queries matched, their retrained sentiment heads used (unless
        ``sentiment_model`` replaces the built-in sentiment)."""
        from confiance.store import brands, corrections

        known = brands.list_brands(engine)
        return cls(brand_names=tuple(b.name for b in known),
                   brands=tuple(brands.queries(engine)) if known else None,
                   brand_models=corrections.active_models(engine),
                   sentiment_model=sentiment_model or None)

    def build(self) -> Pipeline:
        """The pipeline; a stored query that does not parse raises E407."""
        from confiance.enrich.brands import BrandMatcher

        matcher = BrandMatcher(self.brands) if self.brands is not None else None
        return Pipeline.default(brand_names=self.brand_names, matcher=matcher,
                                brand_models=self.brand_models or None, aspects=self.aspects,
                                sentiment_model=self.sentiment_model)


@dataclass
class EnrichSummary:
    """What ``enrich_store`` did; ``as_dict`` is the ``--json`` output."""

    enriched: int = 0
    errors: int = 0
    seconds: float = 0.0
    components: list[str] = field(default_factory=list)
    runner: str = "in-process"
    workers: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready object."""
        return {"enriched": self.enriched, "errors": self.errors,
                "seconds": round(self.seconds, 3), "components": self.components,
                "runner": self.runner, "workers": self.workers,
                "posts_per_second": round(self.enriched / self.seconds) if self.seconds
                else None}


def enrich_store(engine: Engine, pipeline: Pipeline | PipelineRecipe, *,
                 since: datetime | None = None, brand_id: int | None = None,
                 batch_size: int = 1000, progress: Callable[[int], None] | None = None,
                 runner: Runner | None = None,
                 enriched_before: datetime | None = None) -> EnrichSummary:
    """Enrich every post not yet enriched; each batch is committed, so a stopped run resumes.
    With ``enriched_before``, posts enriched before that time are enriched again too (an
    analyst's corrections are kept: :func:`confiance.store.enrichments.save`); a stopped
    run resumes when given the same time.

    ``runner`` (:mod:`confiance.enrich.runners`) runs the pipeline: in this process by
    default, or in a process pool or on Ray, which need a picklable recipe
    (:class:`PipelineSpec`) rather than a built ``pipeline``. Whatever the runner, this
    process alone writes: batches are committed one by one, in id order, so a stopped
    parallel run resumes exactly like a serial one. A component failing on a post is
    recorded with the post (``errors``) and the rest goes on.
    """
    from confiance.enrich.runners import InProcessRunner
    from confiance.store import enrichments

    started = time.perf_counter()
    runner = runner or InProcessRunner()
    # Built here even for workers: its names, and a broken recipe (E407) fails before any
    # worker starts. Models load on first use, so this costs little.
    built = pipeline if isinstance(pipeline, Pipeline) else pipeline.build()
    summary = EnrichSummary(components=built.names, runner=runner.name, workers=runner.workers)
    in_flight: deque[list[int]] = deque()

    def docs_of(batches: Iterable[list[tuple[int, Doc]]]) -> Iterator[list[Doc]]:
        for batch in batches:
            in_flight.append([post_id for post_id, _ in batch])
            yield [doc for _, doc in batch]

    pending = enrichments.pending(engine, since=since, brand_id=brand_id,
                                  batch_size=batch_size, enriched_before=enriched_before)
    with closing(runner.map(built if runner.in_process else pipeline, docs_of(pending))) \
            as done:
        for result in done:
            failures: dict[tuple[str, str], list[dict[str, str]]] = {}
            for error in result.errors:
                failures.setdefault(error.key, []).append(
                    {"component": error.component, "reason": error.reason})
            results = [(post_id, doc, failures.get(doc.key, []))
                       for post_id, doc in zip(in_flight.popleft(), result.docs, strict=True)]
            with engine.begin() as conn:
                enrichments.save(conn, results)
            summary.enriched += len(results)
            summary.errors += sum(1 for _, _, errors in results if errors)
            if progress:
                progress(summary.enriched)
    summary.seconds = time.perf_counter() - started
    return summary
