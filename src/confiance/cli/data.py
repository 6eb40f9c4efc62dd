"""Commands for the store: init, import, stats, quarantine, formats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from confiance.cli.context import app_context
from confiance.cli.enrich import run_enrichment
from confiance.cli.output import console, counts_table, number, print_json, rows_table
from confiance.core.db import describe
from confiance.core.errors import ConfianceError
from confiance.sources.base import SourceFormat
from confiance.store import brands, ingest, migrate, quarantined, runs, stats

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]

quarantine_app = typer.Typer(help="Inspect items that could not be imported.",
                             no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the store commands to ``app``."""
    app.command("init")(init)
    app.command("import", epilog=IMPORT_EXAMPLES)(import_)
    app.command("stats")(stats_)
    app.command("formats")(formats)
    app.command("imports")(imports_)
    app.add_typer(quarantine_app, name="quarantine")
    quarantine_app.command("list")(quarantine_list)


def init(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """Create the database, or migrate it to this version's schema.

    Example: CONFIANCE_DATABASE_URL=postgresql+psycopg://me@localhost/confiance confiance init
    """
    engine = app_context(ctx).engine
    before, after = migrate.upgrade(engine)
    result = {"database": describe(engine), "revision_before": before, "revision": after}
    if json_output:
        print_json(result)
    elif before == after:
        console().print(f"Database {result['database']} is up to date (revision {after}).")
    else:
        console().print(f"Database {result['database']} migrated from "
                        f"{before or 'empty'} to revision {after}.")


IMPORT_EXAMPLES = """\b
Examples:
  confiance import search.jsonl --format x-v2 --brand "Maison Lumière"
  confiance import avis.json --format auto
  confiance import enquete.csv --format csv --mapping enquete-mapping.json --json
"""


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to import.", show_default=False)],
    format: Annotated[str, typer.Option("--format", "-f", help=(
        "Format name (see `confiance formats`), or auto to detect it."))] = "auto",
    brand: Annotated[str | None, typer.Option(
        help="Attach every imported post to this brand.")] = None,
    mapping: Annotated[Path | None, typer.Option(
        help="Column mapping (JSON) for the csv and ndjson formats.")] = None,
    batch_size: Annotated[int | None, typer.Option(
        min=1, max=100_000, help="Posts per transaction (default from settings: 5,000).")] = None,
    enrich: Annotated[bool, typer.Option(
        "--enrich/--no-enrich", help="Enrich the new posts after the import.")] = True,
    json_output: JsonOpt = False,
) -> None:
    """Import a file of posts, comments or reviews; re-importing never duplicates.

    A malformed item is quarantined with its reason and position; the rest goes on.
    """
    context = app_context(ctx)
    if not file.is_file():
        raise ConfianceError("E206", path=str(file))
    fmt = _format(context.formats, file, format, mapping)
    engine = context.ready_engine()
    brand_id = brands.resolve(engine, brand) if brand else None
    size = file.stat().st_size
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                  TimeRemainingColumn(), TextColumn("{task.fields[posts]} items"),
                  console=console(), transient=True,
                  disable=json_output or not console().is_terminal) as bar:
        task = bar.add_task(f"Importing {file.name} ({fmt.name})", total=size, posts="0")

        def progress(done: int, position: int) -> None:
            bar.update(task, completed=position, posts=number(done))

        try:
            summary = ingest.import_file(
                engine, file, fmt, brand_id=brand_id,
                batch_size=batch_size or context.settings.import_batch_size, progress=progress)
        except KeyboardInterrupt:
            console().print("Interrupted: every batch committed so far is kept. Run the same "
                            "command again to complete the import.")
            raise typer.Exit(130) from None
    result = summary.as_dict()
    if enrich:
        result["enrichment"] = run_enrichment(
            engine, show_progress=not json_output,
            sentiment_model=context.settings.sentiment_model)
    if json_output:
        print_json(result)
        return
    out = console()
    out.print(f"Imported {number(summary.imported)} new and updated {number(summary.updated)} "
              f"posts from {file.name} ({fmt.name}) in {summary.seconds:,.1f} s; "
              f"{number(summary.quarantined)} quarantined.")
    if enrich:
        out.print(f"Enriched {number(result['enrichment']['enriched'])} posts.")
    if summary.quarantined:
        out.print("See them with: confiance quarantine list")


def _format(registry: Any, file: Path, name: str, mapping: Path | None) -> SourceFormat:
    fmt: SourceFormat = registry.detect(file) if name == "auto" else registry.get(name)
    if mapping is None:
        return fmt
    if fmt.configure is None:
        raise ConfianceError("E209", path=str(mapping),
                             detail=f"the {fmt.name} format takes no mapping")
    try:
        spec = orjson.loads(mapping.read_bytes())
    except OSError:
        raise ConfianceError("E206", path=str(mapping)) from None
    except orjson.JSONDecodeError as exc:
        raise ConfianceError("E209", path=str(mapping), detail=f"not valid JSON ({exc})") from None
    if not isinstance(spec, dict):
        raise ConfianceError("E209", path=str(mapping), detail="it must be a JSON object")
    spec["__path__"] = str(mapping)
    return fmt.configure(spec)


def stats_(
    ctx: typer.Context,
    top: Annotated[int, typer.Option(min=1, max=1000, help="How many top authors.")] = 10,
    json_output: JsonOpt = False,
) -> None:
    """Show what is stored: posts by platform, language and kind, date range, top authors."""
    result = stats.summary(app_context(ctx).ready_engine(), top=top)
    if json_output:
        print_json(result)
    else:
        show_summary(result)


def show_summary(result: dict[str, Any]) -> None:
    """Print a ``stats.summary`` for people."""
    out = console()
    out.print(f"[bold]{number(result['posts'])}[/] posts by {number(result['authors'])} authors,"
              f" from {result['first_post_at'] or '-'} to {result['last_post_at'] or '-'};"
              f" {number(result['quarantined'])} items in quarantine.\n")
    total = result["posts"]
    out.print(counts_table("Posts by platform", result["by_platform"], total))
    out.print(counts_table("Posts by language", result["by_language"], total))
    out.print(counts_table("Posts by kind", result["by_kind"], total))
    if any(result["by_brand"].values()):
        out.print(counts_table("Posts attached to each brand", result["by_brand"]))
    elif result["by_brand"]:
        out.print(f"Brands: {', '.join(result['by_brand'])} (no post attached to a brand yet: "
                  "import with --brand NAME to attach a file's posts).")
    if result["top_authors"]:
        out.print(rows_table("Top authors", result["top_authors"],
                             ["handle", "platform", "posts", "followers"]))


def quarantine_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many items, newest first.")] = 50,
    source: Annotated[str | None, typer.Option(
        help="Only items from source files whose path contains this text.")] = None,
    raw: Annotated[bool, typer.Option("--raw", help="Include the rejected payload.")] = False,
    json_output: JsonOpt = False,
) -> None:
    """List quarantined items with their source file, position, error code and reason.

    Example: confiance quarantine list --source avis.json --raw
    """
    rows = quarantined.list_quarantined(app_context(ctx).ready_engine(), limit=limit,
                                        source=source, with_raw=raw)
    if json_output:
        print_json({"quarantined": rows, "count": len(rows)})
        return
    if not rows:
        console().print("The quarantine is empty: every imported item was readable.")
        return
    columns = ["id", "source", "format", "position", "code", "reason"] + (["raw"] if raw else [])
    console().print(rows_table("Quarantined items (newest first)", rows, columns))


def formats(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """List the import formats, built-in and from plugins."""
    registry = app_context(ctx).formats
    rows = [{"name": f.name, "description": f.description,
             "mapping": "yes" if f.configure else "no"} for f in registry]
    rows.sort(key=lambda r: r["name"])
    if json_output:
        print_json({"formats": rows})
    else:
        console().print(rows_table("Import formats", rows, ["name", "description", "mapping"]))


def imports_(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    json_output: JsonOpt = False,
) -> None:
    """List recent imports: source, format, status and counts.

    A run shown as interrupted stopped half-way (Ctrl-C, a crash, kill -9): what it committed
    is kept; import the same file again to complete it.
    """
    rows = runs.recent(app_context(ctx).ready_engine(), limit=limit)
    if json_output:
        print_json({"imports": rows})
        return
    if not rows:
        console().print("No import yet: see `confiance import --help`.")
        return
    for row in rows:
        row["file"] = Path(row["source"]).name
        row["started"] = row["started_at"].strftime("%Y-%m-%d %H:%M")
    console().print(rows_table("Imports (newest first; --json gives full paths)", rows, [
        "id", "started", "file", "format", "status", "imported", "updated", "quarantined"]))
