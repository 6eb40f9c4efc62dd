"""``confiance rollups``: the dashboard's rollup tables, rebuilt from the stored posts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json
from confiance.store import brands, rollups

rollups_app = typer.Typer(help="Repair the rollups that dashboards read.",
                          no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add ``rollups`` to ``app``."""
    app.add_typer(rollups_app, name="rollups")


@rollups_app.command("rebuild")
def rebuild(
    ctx: typer.Context,
    brand: Annotated[str | None, typer.Option(
        "--brand", help="Rebuild only this brand's rollups (default: every brand).")] = None,
    json_output: Annotated[bool, typer.Option("--json",
                                              help="Print one JSON object on stdout.")] = False,
) -> None:
    """Recompute the dashboard rollups from the stored posts, enrichments and brand
    attachments, in one transaction.

    Imports, enrichment, corrections and re-matching keep the rollups current on their own:
    run this only after changing the database by hand, or if a dashboard looks wrong.

    Example: confiance rollups rebuild --brand "Maison Lumière"
    """
    engine = app_context(ctx).ready_engine()
    brand_id = brands.resolve(engine, brand) if brand is not None else None
    summary = rollups.rebuild_store(engine, brand_id)
    if json_output:
        print_json(summary.as_dict())
        return
    which = escape(brand) if brand is not None else f"{number(summary.brands)} brand(s)"
    console().print(f"Rebuilt the rollups of {which} from {number(summary.attachments)} "
                    f"brand attachment(s) in {summary.seconds:,.1f} s.")
