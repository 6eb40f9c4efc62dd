"""``confiance replay``: replay a recorded stream in simulated time and measure its alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json
from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.listen.replay import ReplayReport, load_episodes, replay
from confiance.sources.registry import FormatRegistry
from confiance.store import brands


def register(app: typer.Typer) -> None:
    """Add ``replay`` to ``app``."""
    app.command("replay")(replay_command)


def replay_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The recorded stream (any import format).")],
    episodes: Annotated[Path, typer.Option(
        help='A JSON list of labelled episodes: [{"name", "start", "end"}], ISO 8601.')],
    format_name: Annotated[str, typer.Option(
        "--format", help="Format name (see `confiance formats`), or auto to detect it."
    )] = "auto",
    brand: Annotated[str | None, typer.Option(
        help="Keep only the posts this stored brand's query matches (default: every post "
        "of the file is the brand's).")] = None,
    cache: Annotated[bool, typer.Option(
        help="Reuse the enrichment of an earlier replay of the same file "
        "(var/cache/replay).")] = True,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Replay FILE in simulated time through the detectors and the alert lifecycle of live
    listening, and report for each labelled episode the time from its start to the first
    alert, and the false alarms per simulated week outside the episodes.

    The posts are enriched first with the default pipeline (cached for later replays of the
    same file); the replay itself then runs minute by minute, as fast as it can.

    Example: confiance replay var/demo/stream.ndjson --format canonical --episodes
    var/demo/episodes.json --brand "Maison Lumière"
    """
    labelled = load_episodes(episodes)
    registry = FormatRegistry.from_plugins(plugin_manager())
    if not file.is_file():
        raise ConfianceError("E206", path=str(file))
    fmt = registry.detect(file) if format_name == "auto" else registry.get(format_name)
    query, names, name = None, [], "replay"
    if brand is not None:
        engine = app_context(ctx).ready_engine()
        brands.resolve(engine, brand)  # E301 for an unknown name
        known = {found.name: found for found in brands.list_brands(engine)}
        chosen = known[brand]
        query, name = chosen.query, chosen.name
        names = [chosen.name, *chosen.competitors]
    cache_dir = Path("var/cache/replay") if cache else None
    if json_output:
        report = replay(file, fmt, labelled, query=query, brand_names=names, brand=name,
                        cache_dir=cache_dir)
        print_json(report.as_dict())
        return
    columns = (TextColumn("Enriching"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console(), transient=True) as bar:
        task = bar.add_task("enrich", total=None)
        report = replay(file, fmt, labelled, query=query, brand_names=names, brand=name,
                        cache_dir=cache_dir,
                        progress=lambda done, total: bar.update(task, completed=done,
                                                                total=total))
    show(report)


def show(report: ReplayReport) -> None:
    """The report for people."""
    out = console()
    cached = " (from the cache)" if report.enrichment_cached else ""
    out.print(f"Replayed {number(report.posts)} posts over {report.weeks:,.1f} weeks in "
              f"{report.replay_s:,.2f} s ({number(int(report.posts_per_minute))} posts a "
              f"minute); enrichment {report.enrichment_s:,.1f} s{cached}; "
              f"{number(report.rejected)} items rejected.")
    for episode in report.episodes:
        if episode.detected and episode.time_to_alert_s is not None:
            out.print(f"Episode {episode.name}: alerted {episode.time_to_alert_s / 60:,.1f} "
                      "minutes after its start.")
        else:
            out.print(f"Episode {episode.name}: [bold red]not detected[/].")
    out.print(f"False alarms: {number(report.false_alarms)} "
              f"({report.false_alarms_per_week:,.2f} a week).")
    for alert in report.alerts:
        where = alert["episode"] or "outside any episode"
        out.print(f"  {alert['at']}  {alert['detector']:<15} {alert['scope']:<20} "
                  f"severity {alert['severity']}  {alert['subject'] or ''}  ({where})")
