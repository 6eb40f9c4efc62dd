"""``confiance brand``: brands, their listening query, hashtags and competitors."""

from __future__ import annotations

from typing import Annotated

import typer

from confiance.cli.context import app_context
from confiance.cli.output import console, print_json, rows_table
from confiance.domain import Brand
from confiance.store import brands

brand_app = typer.Typer(help="Manage brands, their queries, hashtags and competitors.",
                        no_args_is_help=True)

Query = Annotated[str | None, typer.Option(
    help='Listening query, e.g. \'"Maison Lumière" OR #MaisonLumiere\'.')]
Hashtags = Annotated[list[str] | None, typer.Option(
    "--hashtag", help="A campaign or brand hashtag (repeat for several).")]
Competitors = Annotated[list[str] | None, typer.Option(
    "--competitor", help="A competitor's name (repeat for several).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


def register(app: typer.Typer) -> None:
    """Add ``brand`` to ``app``."""
    app.add_typer(brand_app, name="brand")


@brand_app.command("add", epilog="""\b
Example:
  confiance brand add "Maison Lumière" --query '"Maison Lumière" OR @MaisonLumiere' \\
    --hashtag MaLumiereAMoi --competitor "Bougies Céleste" --competitor "Atelier Flamme"
""")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The brand's name.")],
    query: Query = None,
    hashtag: Hashtags = None,
    competitor: Competitors = None,
    json_output: JsonOpt = False,
) -> None:
    """Add a brand with its listening query, hashtags and competitors."""
    brand = Brand(name=name, query=query, hashtags=hashtag or [], competitors=competitor or [])
    brand_id = brands.add(app_context(ctx).ready_engine(), brand)
    if json_output:
        print_json({"id": brand_id, **brand.model_dump()})
    else:
        rivals = f" and {len(brand.competitors)} competitor(s)" if brand.competitors else ""
        console().print(f"Added brand {name}{rivals}.")


@brand_app.command("update")
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The brand's name.")],
    query: Query = None,
    hashtag: Hashtags = None,
    competitor: Competitors = None,
    json_output: JsonOpt = False,
) -> None:
    """Change a brand's query or hashtags, or add competitors."""
    engine = app_context(ctx).ready_engine()
    brand_id = brands.update_brand(engine, name, query=query, hashtags=hashtag,
                                   competitors=competitor or [])
    if json_output:
        updated = next(b for b in brands.list_brands(engine) if b.name == name)
        print_json({"id": brand_id, **updated.model_dump()})
    else:
        console().print(f"Updated brand {name}.")


@brand_app.command("list")
def list_(ctx: typer.Context, json_output: JsonOpt = False) -> None:
    """List brands with their queries and competitors."""
    found = brands.list_brands(app_context(ctx).ready_engine())
    rivals = brands.competitor_of(app_context(ctx).engine)
    rows = [{**b.model_dump(), "competitor_of": rivals.get(b.name)} for b in found]
    if json_output:
        print_json({"brands": rows})
        return
    for row in rows:
        row["hashtags"] = " ".join(f"#{h}" for h in row["hashtags"])
        row["competitors"] = ", ".join(row["competitors"])
    console().print(rows_table("Brands", rows,
                               ["name", "query", "hashtags", "competitors", "competitor_of"]))
