"""``confiance brand``: brands, their listening query, hashtags and competitors."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from confiance.cli.context import app_context
from confiance.cli.output import console, number, print_json, rows_table
from confiance.domain import Brand
from confiance.enrich.brands import BrandMatcher, rematch
from confiance.store import brands, enrichments, workspaces

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
    workspace: Annotated[str | None, typer.Option(
        help="The workspace it belongs to (default: the first one).")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Add a brand with its listening query, hashtags and competitors.

    The query is checked first: a mistake is refused with its position (E401-E406). Without
    a query, posts match the brand's name as a phrase or one of its hashtags.
    """
    brand = Brand(name=name, query=query, hashtags=hashtag or [], competitors=competitor or [])
    engine = app_context(ctx).ready_engine()
    workspace_id = None
    if workspace is not None:
        with engine.connect() as conn:
            workspace_id = workspaces.resolve(conn, workspace)
    brand_id = brands.add(engine, brand, workspace_id=workspace_id)
    if json_output:
        print_json({"id": brand_id, **brand.model_dump()})
    else:
        rivals = f" and {len(brand.competitors)} competitor(s)" if brand.competitors else ""
        out = console()
        out.print(f"Added brand {escape(name)}{rivals}.")
        out.print(_rematch_hint(None if brand.competitors else name, "attach the posts "
                                "already stored"))


@brand_app.command("update")
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The brand's name.")],
    query: Query = None,
    hashtag: Hashtags = None,
    competitor: Competitors = None,
    json_output: JsonOpt = False,
) -> None:
    """Change a brand's query or hashtags, or add competitors.

    A new query is checked first (E401-E406). Posts already stored keep their brands until
    `confiance brand rematch NAME`.
    """
    engine = app_context(ctx).ready_engine()
    brand_id = brands.update_brand(engine, name, query=query, hashtags=hashtag,
                                   competitors=competitor or [])
    if json_output:
        updated = next(b for b in brands.list_brands(engine) if b.name == name)
        print_json({"id": brand_id, **updated.model_dump()})
        return
    out = console()
    out.print(f"Updated brand {escape(name)}.")
    if query is not None or hashtag is not None or competitor:
        out.print(_rematch_hint(None if competitor else name, "re-match the posts already "
                                "stored"))


def _rematch_hint(name: str | None, what: str) -> str:
    """``Run `confiance brand rematch NAME` to ...`` (every brand when ``name`` is None)."""
    command = "confiance brand rematch" + ("" if name is None else f" {shlex.quote(name)}")
    return escape(f"Run `{command}` to {what}.")


@brand_app.command("rematch")
def rematch_(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(
        help="The brand to re-match (default: every brand and competitor).")] = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000,
                                            help="Posts per committed batch.")] = 1000,
    json_output: JsonOpt = False,
) -> None:
    """Match every stored post again with a brand's current query (or every brand's).

    Run it after changing a query or hashtags: posts that match now are attached to the
    brand (via query), those that no longer match are detached; posts attached by
    `confiance import --brand` stay attached. Other enrichments are not re-run.

    Example: confiance brand rematch "Maison Lumière" --json
    """
    engine = app_context(ctx).ready_engine()
    matcher = BrandMatcher.from_store(engine, name)
    total = enrichments.count_stored(engine)
    out = console()
    with Progress(TextColumn("[bold]Re-matching"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=out, transient=True,
                  disable=json_output or not out.is_terminal or total == 0) as bar:
        task = bar.add_task("rematch", total=total)
        summary = rematch(engine, matcher, batch_size=batch_size,
                          progress=lambda done: bar.update(task, completed=done))
    if json_output:
        print_json(summary.as_dict())
        return
    rows = [{"brand": brand, **counts} for brand, counts in summary.brands.items()]
    out.print(rows_table("Query attachments", rows, ["brand", "added", "removed"]))
    out.print(f"Re-matched {number(summary.posts)} posts against {number(len(rows))} "
              f"brand(s) in {summary.seconds:,.1f} s; {number(summary.errors)} failed.")


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
