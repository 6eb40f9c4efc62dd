"""``confiance enrich``: enrich the stored posts that have not been enriched yet."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import Engine

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json
from confiance.domain.records import aware_utc
from confiance.enrich.pipeline import PipelineSpec, enrich_store
from confiance.enrich.runners import Runner, runner_for
from confiance.store import brands, enrichments
from confiance.store.runs import utcnow


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
    workers: Annotated[int, typer.Option(
        min=1, max=1024, help="Pipelines run side by side: a process pool when above 1, "
        "or the number of Ray actors with --ray.")] = 1,
    ray: Annotated[bool, typer.Option(
        "--ray", help="Run the pipeline on Ray actors (pip install 'confiance[ray]'); "
        "a local Ray unless --ray-address is given.")] = False,
    ray_address: Annotated[str | None, typer.Option(
        help="Address of a Ray cluster (ray://HOST:10001, HOST:6379 or auto); implies "
        "--ray.")] = None,
    again: Annotated[bool, typer.Option(
        "--again", help="Also enrich again the posts enriched before this run started "
        "(after changing CONFIANCE_SENTIMENT_MODEL or upgrading); analysts' corrections "
        "are kept.")] = False,
    enriched_before: Annotated[datetime | None, typer.Option(
        help="Also enrich again the posts enriched before this time (ISO 8601, UTC): how "
        "an interrupted --again run goes on.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Enrich every stored post not enriched yet: language, sentiment, aspects, moderation
    flags, intent, and the brands whose query matches.

    Each batch is committed: an interrupted run resumes where it stopped. For a large
    backfill, --workers N runs N pipelines in a process pool, --ray on Ray actors; this
    process still writes every batch, in order. --again enriches the posts already enriched
    too, keeping the values analysts corrected.

    Example: confiance enrich --since 2026-10-01 --brand "Maison Lumière" --workers 4
    """
    context = app_context(ctx)
    engine = context.ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    runner = runner_for(workers, ray=ray, address=ray_address)
    before = enriched_before or (utcnow() if again else None)
    try:
        result = run_enrichment(engine, since=since, brand_id=brand_id, batch_size=batch_size,
                                show_progress=not json_output, runner=runner,
                                sentiment_model=context.settings.sentiment_model,
                                enriched_before=before)
    except KeyboardInterrupt:
        if before is not None:
            console().print("Interrupted: every batch committed so far is kept. To go on: "
                            "confiance enrich --enriched-before "
                            f"{aware_utc(before).isoformat(timespec='seconds')}")
        raise typer.Exit(130) from None
    if before is not None:
        result["enriched_before"] = aware_utc(before).isoformat()
    if json_output:
        print_json(result)
    else:
        plural = "s" if result["workers"] > 1 else ""
        where = "" if result["runner"] == "in-process" else \
            f" ({result['runner']}, {number(result['workers'])} worker{plural})"
        console().print(f"Enriched {number(result['enriched'])} posts in "
                        f"{result['seconds']:,.1f} s{where} with "
                        f"{', '.join(result['components'])}; "
                        f"{number(result['errors'])} with a component error.")


def run_enrichment(engine: Engine, *, since: datetime | None = None,
                   brand_id: int | None = None, batch_size: int = 1000,
                   show_progress: bool = True, runner: Runner | None = None,
                   sentiment_model: str | None = None,
                   enriched_before: datetime | None = None) -> dict[str, Any]:
    """Enrich pending posts with the store's pipeline (:meth:`PipelineSpec.from_store`; a
    ``sentiment_model`` directory replaces the built-in sentiment), on ``runner`` (this
    process by default), with a progress bar for people."""
    spec = PipelineSpec.from_store(engine, sentiment_model=sentiment_model)
    total = enrichments.count_pending(engine, since=since, brand_id=brand_id,
                                      enriched_before=enriched_before)
    out = console()
    with Progress(TextColumn("[bold]Enriching"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=out, transient=True,
                  disable=not show_progress or not out.is_terminal or total == 0) as bar:
        task = bar.add_task("enrich", total=total)
        summary = enrich_store(engine, spec, since=since, brand_id=brand_id,
                               batch_size=batch_size, runner=runner,
                               enriched_before=enriched_before,
                               progress=lambda done: bar.update(task, completed=done))
    return summary.as_dict()
