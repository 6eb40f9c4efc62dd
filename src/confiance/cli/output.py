"""Printing: tables and summaries for people, one JSON object for scripts."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

import orjson
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from confiance.core.errors import ConfianceError


def console() -> Console:
    """Output for people goes to stdout."""
    return Console(highlight=False)


def print_json(value: Any) -> None:
    """Print one JSON object on stdout (dates as ISO 8601)."""
    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
    sys.stdout.write(orjson.dumps(value, default=str, option=options).decode())
    sys.stdout.write("\n")


def number(value: int | float | None) -> str:
    """Numbers with thousands separators, as the style guide asks."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def counts_table(title: str, counts: Mapping[str, int], total: int | None = None) -> Table:
    """A two-column table of counts, with the share of ``total`` when given."""
    table = Table(title=title, title_justify="left", show_edge=False)
    table.add_column(title.split(" ")[-1].capitalize())
    table.add_column("Posts", justify="right")
    if total:
        table.add_column("Share", justify="right")
    for key, count in counts.items():
        cells = [key, number(count)]
        if total:
            cells.append(f"{100 * count / total:.1f} %")
        table.add_row(*cells)
    return table


def rows_table(title: str, rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> Table:
    """A table of ``rows`` showing ``columns``."""
    table = Table(title=title, title_justify="left", show_edge=False)
    for column in columns:
        table.add_column(column.replace("_", " ").capitalize(), overflow="fold")
    for row in rows:
        table.add_row(*[number(v) if isinstance(v, int | float) and not isinstance(v, bool)
                        else ("-" if v is None else str(v)) for v in (row[c] for c in columns)])
    return table


def fail(error: ConfianceError, *, json_output: bool) -> NoReturn:
    """Report a catalogue error and exit with status 1."""
    if json_output:
        print_json({"error": error.as_dict()})
    Console(stderr=True, highlight=False).print(
        f"[bold red]Error {error.code}[/]: {escape(error.message)}")
    sys.exit(1)
