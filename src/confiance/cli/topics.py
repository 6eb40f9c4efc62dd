"""``confiance topics``: what the stored posts talk about.

``confiance topics emerging`` compares the last days of posts with the weeks before them and
lists the subjects that grew, each with a readable label, its size, its growth and an example
post (the method is described in :mod:`confiance.enrich.emerging`). Embedding the posts is
the slow part, so a progress bar with a spinner runs meanwhile (only on a terminal, and never
with ``--json``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json
from confiance.domain import Brand
from confiance.enrich.emerging import EmergingReport, emerging_from_store
from confiance.store import brands

topics_app = typer.Typer(help="What the stored posts talk about.", no_args_is_help=True)

EXAMPLE_WIDTH = 70


def register(app: typer.Typer) -> None:
    """Add ``topics`` to ``app``."""
    app.add_typer(topics_app, name="topics")


@topics_app.command("emerging", epilog="""\b
Examples:
  confiance topics emerging
  confiance topics emerging --brand "Maison Lumière" --days 3 --baseline-days 21
  confiance topics emerging --at 2026-11-12T06:00:00 --json
""")
def emerging(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(
        help="Only posts attached to this brand.")] = None,
    days: Annotated[float, typer.Option(
        min=0.01, max=365, help="Length of the recent window, in days.")] = 2,
    baseline_days: Annotated[float, typer.Option(
        min=0.01, max=3650, help="Length of the baseline window before it, in days.")] = 14,
    at: Annotated[datetime | None, typer.Option(
        help="End of the recent window (ISO 8601, UTC); default: the newest stored post.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Topics to show at most.")] = 10,
    min_size: Annotated[int, typer.Option(
        min=2, help="Recent posts a topic needs at least.")] = 10,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """List the subjects that grew in the last DAYS compared with the BASELINE-DAYS before.

    Posts are embedded, the recent ones clustered, each cluster compared with its share of
    the baseline; topics at least twice as frequent as before, with enough posts and a
    significant excess, are listed with their distinctive terms and an example.
    """
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    known = brands.list_brands(engine)
    names = [b.name for b in known] if brand is None else [brand, *_rivals(known, brand)]
    out = console()
    with Progress(SpinnerColumn(), TextColumn("[bold]Embedding posts"), BarColumn(),
                  MofNCompleteColumn(), TimeRemainingColumn(), console=out, transient=True,
                  disable=json_output or not out.is_terminal) as bar:
        task = bar.add_task("embed", total=None)
        report = emerging_from_store(
            engine, brand_id=brand_id, days=days, baseline_days=baseline_days, now=at,
            ignore=names, max_topics=limit, min_size=min_size,
            progress=lambda done, total: bar.update(task, completed=done, total=total))
    if json_output:
        print_json({"brand": brand, "days": days, "baseline_days": baseline_days,
                    **report.as_dict()})
        return
    show(report, days=days, baseline_days=baseline_days)


def _rivals(known: list[Brand], brand: str) -> list[str]:
    """The competitors of ``brand``."""
    return next((list(b.competitors) for b in known if b.name == brand), [])


def show(report: EmergingReport, *, days: float, baseline_days: float) -> None:
    """Print the windows, then the topics as a table (or why there are none)."""
    out = console()
    if report.until is None or report.since is None:
        out.print("No posts stored yet: nothing to compare.")
        return
    out.print(f"Recent window: {_when(report.since)} to {_when(report.until)} "
              f"({number(report.recent_posts)} posts), compared with the {_days(baseline_days)}"
              f" before ({number(report.baseline_posts)} posts).")
    if not report.topics:
        reason = ("no baseline posts to compare with" if not report.baseline_posts
                  else "no subject grew at least twice as frequent with enough posts")
        out.print(f"No emerging topic: {reason}.")
        return
    table = Table(title=f"Emerging topics, last {_days(days)}", title_justify="left",
                  show_edge=False)
    table.add_column("#", justify="right")
    table.add_column("Topic", overflow="fold")
    table.add_column("Posts", justify="right")
    table.add_column("Growth", justify="right")
    table.add_column("Example", overflow="fold")
    for rank, topic in enumerate(report.topics, 1):
        example = topic.examples[0] if topic.examples else ""
        table.add_row(str(rank), escape(topic.label), number(topic.size),
                      f"×{topic.growth:,.1f}", escape(_short(example)))
    out.print(table)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _days(value: float) -> str:
    return f"{value:g} day" + ("" if value == 1 else "s")


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXAMPLE_WIDTH else flat[:EXAMPLE_WIDTH - 1].rstrip() + "…"
