"""``confiance analyze``: enrich a CSV file without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from confiance.analysis import analyze_csv
from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to ``app``."""
    app.command("analyze", epilog="""\b
Examples:
  confiance analyze avis.csv --text-column avis --output avis-enrichis.csv
  confiance analyze tweets.csv --query '"Maison Lumière" OR #MaLumiereAMoi' --json
""")(analyze)


def analyze(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A UTF-8 CSV file with a header row.")],
    text_column: Annotated[str, typer.Option(help="The column holding the text.")] = "text",
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where to write (default: FILE.enriched.csv beside it).")] = None,
    query: Annotated[str | None, typer.Option(
        help="A brand query; adds a brand_matches column (\"query\" when it matches).")] = None,
    language_column: Annotated[str | None, typer.Option(
        help="A column stating each row's language (detected when empty).")] = None,
    delimiter: Annotated[str | None, typer.Option(
        help="The CSV delimiter (default: detected among , ; tab |).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per batch.")] = 256,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Enrich every row of a CSV: the input columns plus lang, sentiment, sentiment_score
    (-1..1), topics, toxicity, flags, intent (and brand_matches with --query).

    No database is needed. Lists are written with | between items; an output column whose
    name the input already has is written as confiance_NAME. CONFIANCE_SENTIMENT_MODEL, when
    set, scores the sentiment as it does for the store.
    """
    target = output or path.with_name(f"{path.stem}.enriched.csv")
    out = console()
    with Progress(TextColumn("[bold]Analysing"), BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), console=out, transient=True,
                  disable=json_output or not out.is_terminal) as bar:
        task = bar.add_task("analyze", total=None)
        summary = analyze_csv(path, target, text_column=text_column, query=query,
                              language_column=language_column, delimiter=delimiter,
                              batch_size=batch_size,
                              sentiment_model=app_context(ctx).settings.sentiment_model,
                              progress=lambda done, total: bar.update(task, completed=done,
                                                                      total=total))
    if json_output:
        print_json(summary.as_dict())
        return
    result = summary.as_dict()
    rate = f" ({number(result['rows_per_second'])} rows/s)" if result["rows_per_second"] else ""
    sentiments = ", ".join(f"{k} {number(v)}" for k, v in sorted(summary.sentiments.items()))
    out.print(f"Analysed {number(summary.rows)} rows in {summary.seconds:,.1f} s{rate}: "
              f"{sentiments or 'no rows'}.")
    if summary.errors:
        out.print(f"{number(summary.errors)} rows had a component error (see the log).")
    out.print(f"Wrote {target}")
