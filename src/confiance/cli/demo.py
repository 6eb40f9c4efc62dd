"""``confiance demo``: generate the bundled demo data set, import it and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy import Engine

from confiance.auth.login import demo_login
from confiance.cli.context import app_context
from confiance.cli.data import show_summary
from confiance.cli.enrich import run_enrichment
from confiance.cli.output import console, number, print_json
from confiance.core.errors import ConfianceError
from confiance.demo import DemoManifest, generate
from confiance.domain import Brand
from confiance.store import brands, ingest, migrate, stats

FILES = (("x-v2.jsonl", "x-v2"), ("canonical.ndjson", "ndjson"))
"""The demo files and the format each is imported with."""


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo)


def demo(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="Where to write the generated files.")] = Path(
        "var/demo"),
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same data.")] = 7,
    posts: Annotated[int, typer.Option(min=100, max=2_000_000,
                                       help="How many posts and reviews to generate.")] = 6000,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Generate the demo brand's 90 days of posts and reviews, import them, print a summary.

    Example: confiance demo --seed 7 --posts 6000
    """
    context = app_context(ctx)
    try:
        manifest = generate(out, seed=seed, posts=posts)
    except OSError as exc:
        raise ConfianceError("E303", path=str(out), detail=str(exc)) from None
    engine = context.engine
    migrate.upgrade(engine)
    _add_brands(engine, manifest)
    imports = []
    for name, format_name in FILES:
        fmt = context.formats.get(format_name)
        summary = ingest.import_file(engine, out / name, fmt,
                                     batch_size=context.settings.import_batch_size)
        imports.append(summary.as_dict())
    enrichment = run_enrichment(engine, show_progress=not json_output,
                                sentiment_model=context.settings.sentiment_model)
    result = stats.summary(engine)
    with engine.begin() as conn:
        email, password = demo_login(conn)
    if json_output:
        print_json({"seed": manifest.seed, "files": str(out), "imports": imports,
                    "enrichment": enrichment, "login": {"email": email, "password": password},
                    **result})
        return
    out_console = console()
    out_console.print(f"Generated the demo data set (seed {seed}) in {out} and imported "
                      f"{number(sum(i['imported'] + i['updated'] for i in imports))} posts.\n")
    show_summary(result)
    out_console.print(f"\nDemo sign-in for the web app (`confiance serve`): {email} / "
                      f"[bold]{escape(password)}[/bold] (a new password each run).")


def _add_brands(engine: Engine, manifest: DemoManifest) -> None:
    """The demo brand and its competitors, each with its suggested query and hashtags."""
    known = {b.name for b in brands.list_brands(engine)}
    specs = [manifest.brand, *manifest.competitors]
    for spec in specs:
        if spec["name"] not in known:
            brands.add(engine, Brand(name=spec["name"], query=spec.get("query"),
                                     hashtags=spec.get("hashtags", [])))
    rivals = [spec["name"] for spec in manifest.competitors]
    brands.update_brand(engine, manifest.brand["name"], competitors=rivals)
