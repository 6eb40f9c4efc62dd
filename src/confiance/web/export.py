"""Streamed exports: CSV or NDJSON, written batch by batch, never whole in memory.

CSV has a header row, is UTF-8 with a byte-order mark (so that spreadsheet software reads
accents right) and is safe against formula injection: a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is written with a leading ``'``, so a spreadsheet
shows it as text instead of running it (OWASP's advice for CSV injection). Numbers are
written as numbers. NDJSON is one JSON object a line, the same object the API lists.

The first row is produced before the response starts, so that an error in the request (a
database error, say) is answered as a JSON error rather than as a cut-off file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import chain
from typing import Any, Literal

import orjson
from fastapi.responses import StreamingResponse

BATCH = 1000
"""Rows read from the database at a time."""
FLUSH = 200
"""Rows written to the response at a time."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula."""
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell: text that could run as a formula gets a leading ``'``;
    ``None`` is an empty cell; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = True
               ) -> Iterator[bytes]:
    """The CSV file, a few hundred rows per chunk, byte-order mark and header first."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if count % FLUSH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def ndjson_chunks(objects: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """One JSON object a line, a few hundred per chunk."""
    chunk: list[bytes] = []
    for item in objects:
        chunk.append(orjson.dumps(item) + b"\n")
        if len(chunk) == FLUSH:
            yield b"".join(chunk)
            chunk = []
    if chunk:
        yield b"".join(chunk)


def _started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` with its first chunk already produced (errors surface before streaming)."""
    first = next(chunks, None)
    return iter(()) if first is None else chain([first], chunks)


def stream(format: Literal["csv", "ndjson"], name: str, *,
           header: Sequence[str], rows: Callable[[], Iterable[Sequence[Any]]],
           objects: Callable[[], Iterable[dict[str, Any]]]) -> StreamingResponse:
    """The export response: ``rows`` as CSV or ``objects`` as NDJSON, as an attachment
    named ``NAME-YYYYMMDD-HHMMSS.EXT``."""
    chunks = csv_chunks(header, rows()) if format == "csv" else ndjson_chunks(objects())
    body = _started(chunks)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    filename = f"{name}-{stamp}.{format}"
    return StreamingResponse(body, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})
