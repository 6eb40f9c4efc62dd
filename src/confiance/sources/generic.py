"""Anything else: CSV and NDJSON files (in-store surveys, call-centre exports, own tools).

Without a mapping the files use the canonical names: an ``ndjson`` line is exactly one
canonical ``Post`` JSON object (validated by ``Post.model_validate_json``, the fast import
path), and ``csv`` columns are canonical field names with dotted paths for nested fields
(``author.platform_id``, ``metrics.likes``, ``media.url``; ``hashtags`` space- or
comma-separated). With a mapping file (``--mapping``, see ``docs/formats/csv.md``),
``configure(spec)`` returns a copy of the format that reads the file's own columns (CSV) or
keys and dotted paths (NDJSON). A row or line that does not map is rejected with its position
and the column at fault; a mapping that names columns the file lacks rejects the file once.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from functools import partial
from typing import IO, Any

import orjson
from pydantic import ValidationError

from confiance.core.errors import ConfianceError
from confiance.domain import Author, Media, Metrics, Post, Rejected
from confiance.sources import _mapping
from confiance.sources._mapping import Spec
from confiance.sources.base import (
    Item,
    SourceFormat,
    at,
    build,
    csv_header,
    first_json,
    guarded,
    head_text,
    iter_csv_rows,
    reject,
)

Lookup = Callable[[Mapping[str, Any], str], Any]


# ---------------------------------------------------------------------------- mapped rows


def _csv_value(row: Mapping[str, Any], column: str) -> Any:
    return row.get(column)


def _json_value(obj: Mapping[str, Any], path: str) -> Any:
    if path in obj:
        return obj[path]
    current: Any = obj
    for key in path.split("."):
        if not isinstance(current, Mapping):
            return None
        current = current.get(key)
    return current


def _map(spec: Spec, lookup: Lookup, row: Any) -> Post:
    if not isinstance(row, Mapping):
        raise TypeError("a row must be an object of named values")
    values = _mapping.convert_row(spec, row, lookup)
    author = {k[7:]: v for k, v in values.items() if k.startswith("author.")}
    metrics = {k[8:]: v for k, v in values.items() if k.startswith("metrics.")}
    media = {k[6:]: v for k, v in values.items() if k.startswith("media.")}
    top = {k: v for k, v in values.items() if "." not in k}
    return Post(
        **top,
        author=Author(platform=top["platform"], **author) if author.get("platform_id") else None,
        metrics=Metrics(**metrics),
        media=[Media(**media)] if media.get("url") else [],
        raw=dict(row),
    )


def _parse_rows(spec: Spec | None, lookup: Lookup, payload: Any) -> Iterator[Item]:
    """Map one row (a dict); without a spec, its keys must be canonical names."""
    if spec is None:
        try:
            spec = _mapping.canonical(tuple(payload) if isinstance(payload, Mapping) else ())
        except ConfianceError as exc:
            yield reject(_not_canonical(exc), payload, code="E210")
            return
    yield build(partial(_map, spec, lookup, payload), payload)


# ---------------------------------------------------------------------------- CSV


def _read_csv(spec: Spec | None, stream: IO[bytes]) -> Iterator[Item]:
    source: IO[bytes] = stream
    if spec is not None and spec.encoding != "utf-8":
        source = io.BufferedReader(_Recoded(stream, spec.encoding))
    checked: Spec | None = None
    for row in iter_csv_rows(source, delimiter=spec.delimiter if spec else None):
        if isinstance(row, Rejected):
            if isinstance(row.raw, dict):  # base keys a short/long row by int: not JSON
                row.raw = list(row.raw.values())
            yield row
            continue
        position, values = row
        if checked is None:
            found = _for_header(spec, list(values))
            if isinstance(found, Rejected):
                yield found
                return
            checked = found
        yield from guarded(partial(_parse_rows, checked, _csv_value), values, position)


def _for_header(spec: Spec | None, header: list[str]) -> Spec | Rejected:
    """The spec for a file's header: the mapping when the header has its columns, or the
    canonical spec of an unmapped file; a ``Rejected`` for the whole file otherwise."""
    if spec is None:
        try:
            return _mapping.canonical(tuple(header))
        except ConfianceError as exc:
            return Rejected(reason=_not_canonical(exc), code="E210", position="row 1",
                            raw=header)
    absent = [c for c in spec.columns if c not in header]
    if absent:
        return Rejected(reason=f"the mapping names columns the file lacks: {', '.join(absent)}",
                        code="E209", position="row 1", raw=header)
    return spec


def _not_canonical(exc: ConfianceError) -> str:
    return (f"not canonical field names ({exc.details.get('detail')}): pass --mapping "
            "MAPPING.json (see docs/formats/csv.md)")


class _Recoded(io.RawIOBase):
    """A binary stream in ``encoding`` read back as UTF-8 (for cp1252 / latin-1 exports)."""

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self._text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            chunk = self._text.read(8192)
            if not chunk:
                return 0
            self._pending = chunk.encode("utf-8")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self._text.detach()  # the caller's stream is the caller's to close
        super().close()


# ---------------------------------------------------------------------------- NDJSON


def _parse_line(payload: Any) -> Iterator[Item]:
    """Validate one canonical ``Post`` line (bytes, text or an already-decoded object)."""
    try:
        if isinstance(payload, bytes | str):
            yield Post.model_validate_json(payload)
        else:
            yield Post.model_validate(payload)
    except ValidationError as exc:
        yield _invalid(exc, payload)


def _invalid(exc: ValidationError, line: Any) -> Rejected:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    if first["type"] == "json_invalid":
        code, reason = "E204", f"not valid JSON: {first['msg']}"
    elif first["type"] == "missing":
        code, reason = "E201", f"missing required field '{where}'"
    else:
        code, reason = "E202", f"invalid value at '{where}': {first['msg']}"
    raw = line
    if isinstance(line, bytes | str):
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            raw = (line.decode("utf-8", "replace") if isinstance(line, bytes) else line)[:2000]
    return reject(reason, raw, code=code)


def _read_ndjson(stream: IO[bytes]) -> Iterator[Item]:
    """The import benchmark path: one ``model_validate_json`` per line, nothing else."""
    validate = Post.model_validate_json
    lines = enumerate(stream, 1)
    for number, line in lines:
        if not line.strip():
            continue
        first = _first_json(line)
        if isinstance(first, dict) and "platform" not in first and "platform_id" not in first:
            yield Rejected(reason="the lines are not canonical Post objects (no 'platform' nor "
                           "'platform_id')", code="E210", position=f"line {number}", raw=first)
            return
        yield from at(_parse_line(line), f"line {number}")
        break
    for number, line in lines:
        try:
            yield validate(line)
        except ValidationError as exc:
            if line.strip():
                rejected = _invalid(exc, line)
                rejected.position = f"line {number}"
                yield rejected


def _read_ndjson_mapped(spec: Spec, stream: IO[bytes]) -> Iterator[Item]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Rejected(reason=f"not valid JSON: {exc}", code="E204", position=f"line {number}",
                           raw=line[:2000].decode("utf-8", "replace"))
            continue
        yield from guarded(partial(_parse_rows, spec, _json_value), obj, f"line {number}")


def _first_json(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _parse_ndjson_mapped(spec: Spec, payload: Any) -> Iterator[Item]:
    if isinstance(payload, bytes | str):
        try:
            payload = orjson.loads(payload)
        except orjson.JSONDecodeError as exc:
            yield reject(f"not valid JSON: {exc}", str(payload)[:2000], code="E204")
            return
    yield from _parse_rows(spec, _json_value, payload)


# ---------------------------------------------------------------------------- formats


def sniff_ndjson(sample: bytes) -> float:
    """Confident when the first line is an object with canonical ``platform``/``platform_id``."""
    doc = first_json(sample)
    if not isinstance(doc, dict) or "platform" not in doc or "platform_id" not in doc:
        return 0.0
    return 0.9 if doc["platform"] in _mapping.PLATFORMS else 0.6


def sniff_csv(sample: bytes) -> float:
    """Confident when the header holds the canonical ``platform_id``; low for other CSV."""
    if head_text(sample).lstrip()[:1] in {"{", "[", "<", ""}:
        return 0.0
    header = csv_header(sample)
    if "platform_id" in header:
        return 0.9 if "platform" in header or "text" in header else 0.8
    return 0.1 if len(header) > 1 else 0.0


def configure_csv(mapping: dict[str, Any]) -> SourceFormat:
    """The ``csv`` format reading a file through a column mapping (raises E209 when invalid)."""
    spec = _mapping.load(mapping)
    return replace(CSV, parse=partial(_parse_rows, spec, _csv_value),
                   read=partial(_read_csv, spec))


def configure_ndjson(mapping: dict[str, Any]) -> SourceFormat:
    """The ``ndjson`` format mapping each line's keys (dotted paths reach nested values)."""
    spec = _mapping.load(mapping)
    return replace(NDJSON, parse=partial(_parse_ndjson_mapped, spec),
                   read=partial(_read_ndjson_mapped, spec))


CSV = SourceFormat(
    name="csv",
    description="CSV with canonical column names, or any CSV through --mapping "
    "(surveys, call-centre exports)",
    parse=partial(_parse_rows, None, _csv_value),
    read=partial(_read_csv, None),
    sniff=sniff_csv,
    extensions=("csv", "tsv"),
    configure=configure_csv,
)
NDJSON = SourceFormat(
    name="ndjson",
    description="NDJSON of canonical Post objects (fast path), or any JSON lines through "
    "--mapping",
    parse=_parse_line,
    read=_read_ndjson,
    sniff=sniff_ndjson,
    extensions=("ndjson", "jsonl"),
    configure=configure_ndjson,
)
FORMATS = (CSV, NDJSON)
