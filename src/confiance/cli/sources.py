"""``confiance source``: the platforms and push endpoints ``confiance listen`` collects from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json, rows_table
from confiance.core.errors import ConfianceError
from confiance.core.plugins import plugin_manager
from confiance.listen import sources as source_admin
from confiance.sources.clients.base import poll_clients
from confiance.store import brands, listening
from confiance.store.listening import ListenSource

source_app = typer.Typer(help="Manage the sources `confiance listen` collects from.",
                         no_args_is_help=True)

BrandOpt = Annotated[str, typer.Option(help="The brand the source collects for.")]
NameArg = Annotated[str, typer.Argument(help="The source's name (unique within the brand).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def register(app: typer.Typer) -> None:
    """Add ``source`` to ``app``."""
    app.add_typer(source_app, name="source")


def _config(value: str | None) -> dict[str, Any]:
    if value is None:
        return {}
    text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ConfianceError("E746", detail=f"--config as a JSON object ({exc})") from None
    if not isinstance(found, dict):
        raise ConfianceError("E746", detail="--config as a JSON object")
    return found


@source_app.command("add", epilog="""\b
Examples:
  confiance source add "Mastodon #MaLumiereAMoi" --brand "Maison Lumière" --format mastodon \\
    --config '{"instance": "https://mastodon.social", "hashtag": "MaLumiereAMoi"}'
  confiance source add "Avis boutique" --brand "Maison Lumière" --push --format canonical
""")
def add(
    ctx: typer.Context,
    name: NameArg,
    brand: BrandOpt,
    format_name: Annotated[str, typer.Option(
        "--format", help="The platform's format (see `confiance formats`).")],
    push: Annotated[bool, typer.Option(
        "--push", help="Receive pushed deliveries instead of polling.")] = False,
    config: Annotated[str | None, typer.Option(
        help="The client's settings as a JSON object, or @FILE (docs/listening-sources.md).")
    ] = None,
    interval: Annotated[float | None, typer.Option(
        help="Seconds between two polls (default: the platform client's).")] = None,
    secret: Annotated[str | None, typer.Option(
        help="Where the token is read at each poll: env:VARIABLE or file:PATH (never the "
        "token itself).")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Add a polled platform or a push endpoint to a brand's listening.

    A push source's secret is printed once: keep it with the sender, it signs every delivery.
    """
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand)
    manager = plugin_manager()
    with engine.begin() as conn:
        source, push_secret = source_admin.add(
            conn, brand_id=brand_id, name=name, mode="push" if push else "poll",
            format=format_name, config=_config(config), clients=poll_clients(manager),
            formats=app_context(ctx).formats, interval_s=interval, secret_ref=secret)
    if json_output:
        print_json({**source.as_dict(), "push_secret": push_secret})
        return
    out = console()
    out.print(f"Added {escape(source.name)} ({source.mode}, {source.format}) to "
              f"{escape(source.brand)}.")
    if push_secret is not None:
        out.print(f"Push to: POST /api/v1/listen/push/{source.push_key}")
        out.print(f"Push secret (shown once, sign each delivery with it): {push_secret}")
    else:
        out.print(f"Polled every {number(int(source.interval_s))} s by `confiance listen`.")


def _find(ctx: typer.Context, brand: str, name: str) -> tuple[Any, ListenSource]:
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand)
    with engine.connect() as conn:
        return engine, listening.find_source(conn, brand_id, name)


@source_app.command("list")
def list_command(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(help="Only this brand's sources.")] = None,
    json_output: JsonOpt = False,
) -> None:
    """List the sources with their health, last success and posts collected."""
    engine = app_context(ctx).ready_engine()
    brand_ids = None if brand is None else [brands.resolve(engine, brand)]
    with engine.connect() as conn:
        found = listening.list_sources(conn, brand_ids)
    if json_output:
        print_json([s.as_dict() for s in found])
        return
    rows = [{"brand": s.brand, "name": s.name, "mode": s.mode, "format": s.format,
             "state": s.health if s.enabled else "paused", "failures": s.failures,
             "last success": s.last_success_at.strftime("%Y-%m-%d %H:%M")
             if s.last_success_at else "never",
             "posts": number(s.posts), "last error": (s.last_error or "")[:80]}
            for s in found]
    console().print(rows_table("Listening sources", rows, list(rows[0]) if rows else [
        "brand", "name"]))


def _toggle(ctx: typer.Context, brand: str, name: str, enabled: bool) -> None:
    engine, source = _find(ctx, brand, name)
    with engine.begin() as conn:
        listening.set_enabled(conn, source.id, enabled)
    console().print(f"{escape(name)} {'resumed' if enabled else 'paused'}.")


@source_app.command("pause")
def pause(ctx: typer.Context, name: NameArg, brand: BrandOpt) -> None:
    """Stop polling a source (or accepting pushes for it)."""
    _toggle(ctx, brand, name, False)


@source_app.command("resume")
def resume(ctx: typer.Context, name: NameArg, brand: BrandOpt) -> None:
    """Resume a source: polled at once, past failures forgotten."""
    _toggle(ctx, brand, name, True)


@source_app.command("remove")
def remove(ctx: typer.Context, name: NameArg, brand: BrandOpt) -> None:
    """Remove a source (the posts it collected stay)."""
    engine, source = _find(ctx, brand, name)
    with engine.begin() as conn:
        listening.delete_source(conn, source.id)
    console().print(f"Removed {escape(name)}.")


@source_app.command("rotate-secret")
def rotate_secret(ctx: typer.Context, name: NameArg, brand: BrandOpt,
                  json_output: JsonOpt = False) -> None:
    """Give a push source a new secret (the old one stops working at once)."""
    engine, source = _find(ctx, brand, name)
    with engine.begin() as conn:
        secret = listening.rotate_push_secret(conn, source.id)
    if json_output:
        print_json({"push_secret": secret})
    else:
        console().print(f"New push secret (shown once): {secret}")
