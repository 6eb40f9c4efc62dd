"""``confiance listen`` (the continuous loop) and ``confiance replay`` (a recorded stream
in simulated time, measured)."""

from __future__ import annotations

import logging
import signal
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import orjson
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json
from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.notify import load_notifiers
from confiance.listen.replay import ReplayReport, load_episodes, replay
from confiance.listen.service import CycleReport, Listener, ListenerOptions, rule_settings
from confiance.sources.clients.base import poll_clients
from confiance.sources.registry import FormatRegistry
from confiance.store import brands
from confiance.store.alert_rules import Param, check_params


def register(app: typer.Typer) -> None:
    """Add ``listen`` and ``replay`` to ``app``."""
    app.command("listen")(listen_command)
    app.command("replay")(replay_command)


def listen_command(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option(
        "--once", help="Run one cycle and exit (for cron or a first check).")] = False,
    name: Annotated[str | None, typer.Option(
        help="This listener's name in heartbeats and leases (default: host:pid).")] = None,
    deliver: Annotated[bool, typer.Option(
        help="Deliver alert notifications too (turn off where another process does).")
    ] = True,
    json_output: Annotated[bool, typer.Option("--json", help="With --once: print what "
                                              "the cycle did as one JSON object.")] = False,
) -> None:
    """Listen continuously: poll each source on its schedule, import pushed deliveries,
    enrich, run the alert detectors and send notifications, until stopped (Ctrl-C or
    SIGTERM; leases are given back and nothing is lost).

    Several listeners may run against one PostgreSQL database: they share the work. Add
    sources with `confiance source add`.

    Example: CONFIANCE_DATABASE_URL=postgresql+psycopg://confiance@db/confiance confiance listen
    """
    context = app_context(ctx)
    engine = context.ready_engine()
    settings = context.settings
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs may carry a key
    manager = plugin_manager()
    options = ListenerOptions(deliver=deliver, sentiment_model=settings.sentiment_model)
    if name:
        options.name = name
    with httpx.Client(timeout=30.0) as http:
        listener = Listener(engine, clients=poll_clients(manager), formats=context.formats,
                            notifiers=load_notifiers(settings, manager=manager), http=http,
                            options=options, digest_hour=settings.alert_digest_hour)
        if once:
            try:
                report = listener.run_once()
            finally:
                listener.release()
            if json_output:
                print_json(report.__dict__)
            else:
                _cycle_line(report)
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        console().print(f"Listening as {options.name}; Ctrl-C to stop.")
        last = [time.monotonic()]

        def every_minute(_: CycleReport) -> None:
            if time.monotonic() - last[0] >= 60:
                last[0] = time.monotonic()
                _cycle_line(listener.totals, prefix="So far: ")

        totals = listener.run(stop, on_cycle=every_minute)
        _cycle_line(totals, prefix="Stopped. In all: ")


def _cycle_line(report: CycleReport, *, prefix: str = "") -> None:
    console().print(
        f"{prefix}{number(report.polled)} polls ({number(report.poll_failures)} failed), "
        f"{number(report.pushes)} pushed deliveries, {number(report.collected)} new posts, "
        f"{number(report.enriched)} enriched, {number(report.observed)} read by the "
        f"detectors, {number(report.signals)} signals, {number(report.notifications)} "
        "notifications sent.")


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
    params: Annotated[str | None, typer.Option(
        help='Detector settings to try, as an alert rule\'s params take them (JSON: '
        '{"volume_min_score": 8, "extra_risk_terms": ["fuite*"]}); over the brand\'s.'
    )] = None,
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
    settings: dict[str, Param] = {}
    if brand is not None:
        engine = app_context(ctx).ready_engine()
        brand_id = brands.resolve(engine, brand)  # E301 for an unknown name
        with engine.connect() as conn:  # the brand's rules tune its detectors, as live
            settings = rule_settings(conn, brand_id)
        known = {found.name: found for found in brands.list_brands(engine)}
        chosen = known[brand]
        query, name = chosen.query, chosen.name
        names = [chosen.name, *chosen.competitors]
    if params is not None:
        settings = {**settings, **check_params(_json_object(params))}
    config = DetectorConfig().with_overrides(settings) if settings else None
    cache_dir = Path("var/cache/replay") if cache else None
    if json_output:
        report = replay(file, fmt, labelled, query=query, brand_names=names, brand=name,
                        config=config, cache_dir=cache_dir)
        print_json(report.as_dict())
        return
    columns = (TextColumn("Enriching"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console(), transient=True) as bar:
        task = bar.add_task("enrich", total=None)
        report = replay(file, fmt, labelled, query=query, brand_names=names, brand=name,
                        config=config, cache_dir=cache_dir,
                        progress=lambda done, total: bar.update(task, completed=done,
                                                                total=total))
    show(report)


def _json_object(text: str) -> Any:
    """``--params`` read as JSON (E722 when it is not)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ConfianceError("E722", reason="it is not JSON") from None


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
