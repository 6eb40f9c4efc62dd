"""``confiance enrich``: enrich the stored posts that have not been enriched yet."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json
from confiance.enrich.brands import BrandMatcher
from confiance.enrich.pipeline import Pipeline, enrich_store
from confiance.store import brands, corrections, enrichments


def register(app: typer.Typer) -> None:
    """Add ``enrich`` to ``app``."""
    app.command("enrich")(enrich)


def enrich(
    ctx: typer.Context,
    since: Annotated[datetime | None, typer.Option(
        help="Only posts created at or after this time (ISO 8601, UTC).")] = None,
    brand: Annotated[str | None, typer.Option(
        help="Only posts attached to this brand.")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000,
                                            help="Posts per committed batch.")] = 1000,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Enrich every stored post not enriched yet: language, sentiment, aspects, moderation
    flags, intent, and the brands whose query matches.

    Each batch is committed: an interrupted run resumes where it stopped.

    Example: confiance enrich --since 2026-10-01 --brand "Maison Lumière"
    """
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    result = run_enrichment(engine, since=since, brand_id=brand_id, batch_size=batch_size,
                            show_progress=not json_output)
    if json_output:
        print_json(result)
    else:
        console().print(f"Enriched {number(result['enriched'])} posts in "
                        f"{result['seconds']:,.1f} s with {', '.join(result['components'])}; "
                        f"{number(result['errors'])} with a component error.")


def store_pipeline(engine: Engine) -> Pipeline:
    """The default pipeline for this store: its brands' names set aside by language
    detection, their queries matched, their retrained sentiment heads used."""
    known = brands.list_brands(engine)
    return Pipeline.default(brand_names=[b.name for b in known],
                            matcher=BrandMatcher.from_store(engine) if known else None,
                            brand_models=corrections.active_models(engine))


def run_enrichment(engine: Engine, *, since: datetime | None = None,
                   brand_id: int | None = None, batch_size: int = 1000,
                   show_progress: bool = True) -> dict[str, Any]:
    """Enrich pending posts with :func:`store_pipeline`, with a progress bar for people."""
    pipeline = store_pipeline(engine)
    total = enrichments.count_pending(engine, since=since, brand_id=brand_id)
    out = console()
    with Progress(TextColumn("[bold]Enriching"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=out, transient=True,
                  disable=not show_progress or not out.is_terminal or total == 0) as bar:
        task = bar.add_task("enrich", total=total)
        summary = enrich_store(engine, pipeline, since=since, brand_id=brand_id,
                               batch_size=batch_size,
                               progress=lambda done: bar.update(task, completed=done))
    return summary.as_dict(pipeline.names)
