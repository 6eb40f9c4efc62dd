"""The ``confiance`` command line; its sub-commands mirror the capabilities."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from confiance import __version__
from confiance.cli import (
    analyze,
    brands,
    data,
    demo,
    enrich,
    listen,
    rollups,
    sentiment,
    serve,
    sources,
    topics,
    users,
)
from confiance.cli.context import AppContext
from confiance.cli.output import fail
from confiance.core.errors import ConfianceError

HELP = """Confiance: listen, engage, elevate ambassadors, curate UGC and measure trust.

\b
Examples:
  confiance demo                   generate the demo data set and import it
  confiance init                   create or migrate the database
  confiance brand add "Maison Lumière" --competitor "Atelier Flamme"
  confiance import tweets.jsonl --format auto --brand "Maison Lumière"
  confiance stats --json

The database is a SQLite file (var/confiance.db) unless CONFIANCE_DATABASE_URL says otherwise,
for example postgresql+psycopg://confiance@localhost/confiance.
"""

app = typer.Typer(help=HELP, no_args_is_help=True, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})


def _version(value: bool) -> None:
    if value:
        typer.echo(f"confiance {__version__}")
        raise typer.Exit


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", envvar="CONFIANCE_DATABASE_URL", show_envvar=True,
        help="SQLAlchemy URL of the database (default: sqlite:///var/confiance.db).")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Confiance command line."""
    ctx.obj = AppContext(database_url=database_url)


data.register(app)
brands.register(app)
demo.register(app)
enrich.register(app)
sentiment.register(app)
analyze.register(app)
topics.register(app)
rollups.register(app)
users.register(app)
serve.register(app)
listen.register(app)
sources.register(app)


def main() -> None:
    """Entry point: runs the app and turns catalogue errors into a clear message and exit 1."""
    try:
        app()
    except ConfianceError as exc:
        fail(exc, json_output="--json" in sys.argv)
