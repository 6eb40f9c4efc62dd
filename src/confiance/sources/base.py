"""The contract every import format follows, and the readers they share.

A format is a pure ``parse(payload)`` that maps one payload (an API response page, a CSV row,
a feed document) to canonical records, plus a ``read(stream)`` that splits a file into payloads.
Both yield :class:`~confiance.domain.Post` or :class:`~confiance.domain.Rejected`; neither
raises on bad input: a malformed item becomes a ``Rejected`` with its reason and position,
and the rest of the file goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, Any

import orjson
from pydantic import ValidationError

from confiance.domain import Post, Rejected

Item = Post | Rejected
"""What parsers and readers yield."""

ParseFn = Callable[[Any], Iterator[Item]]
ReadFn = Callable[[IO[bytes]], Iterator[Item]]
SniffFn = Callable[[bytes], float]


@dataclass(frozen=True)
class SourceFormat:
    """An import format, registered through the ``confiance_formats`` hook.

    ``sniff`` receives the first bytes of a file (up to 64 KiB) and returns a confidence between
    0 and 1 that the file is in this format; ``--format auto`` picks the highest.
    """

    name: str
    description: str
    parse: ParseFn
    read: ReadFn
    sniff: SniffFn
    extensions: tuple[str, ...] = field(default=())
    configure: Callable[[dict[str, Any]], SourceFormat] | None = None
    """For formats driven by a column mapping (``csv``, ``ndjson``): return a copy configured
    with the parsed mapping file; ``None`` for formats whose shape is fixed."""


class MissingField(Exception):  # noqa: N818 - reads as the condition it reports
    """A field the mapping needs is absent; the item is rejected with this reason."""

    def __init__(self, path: str) -> None:
        super().__init__(f"missing required field '{path}'")
        self.path = path


# ---------------------------------------------------------------------------- field access


def need(obj: Any, *path: str | int) -> Any:
    """Return ``obj[path[0]][path[1]]...`` or raise :class:`MissingField` naming the path."""
    current = obj
    for key in path:
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            raise MissingField(".".join(str(p) for p in path)) from None
        if current is None:
            raise MissingField(".".join(str(p) for p in path))
    return current


def get(obj: Any, *path: str | int, default: Any = None) -> Any:
    """Return ``obj[path[0]][path[1]]...`` or ``default`` when any step is missing."""
    current = obj
    for key in path:
        try:
            current = current[key]
        except (KeyError, IndexError, TypeError):
            return default
        if current is None:
            return default
    return current


def as_int(value: Any) -> int | None:
    """An integer count from a number or a numeric string; ``None`` when absent or invalid."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("\u202f", "").replace(" ", "")
        if text.isdigit():
            return int(text)
    return None


def as_list(value: Any) -> list[Any]:
    """``value`` if it is a list, else an empty list (for optional arrays of a payload)."""
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    """A string id from a string or an integer; ``None`` for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int):
        return str(value)
    return None


def parse_time(value: Any) -> datetime | None:
    """Parse ISO 8601, RFC 822 (feeds) or a Unix timestamp into an aware UTC datetime.

    Raises ``ValueError`` for a value that is present but unreadable, so the caller can reject
    the item rather than silently dropping its date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"unreadable time {value!r}")
    if isinstance(value, int | float):
        seconds = float(value) / 1000 if value > 10_000_000_000 else float(value)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"time {value!r} is out of range") from None
    if not isinstance(value, str):
        raise ValueError(f"unreadable time {value!r}")
    text = value.strip()
    if text.isdigit():
        return parse_time(int(text))
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            raise ValueError(f"unreadable time {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_HASHTAG = re.compile(r"(?<![\w&#])#(\w*[^\W\d_]\w*)")


def hashtags_in(text: str | None) -> list[str]:
    """Hashtags written in ``text`` (without '#', first occurrence order, no duplicates).

    A hashtag needs one letter: ``#2`` or ``#45872`` (numbers, HTML entities) are not tags.
    """
    return list(dict.fromkeys(_HASHTAG.findall(text))) if text else []


def build(make: Callable[[], Post], raw: Any) -> Item:
    """Run a mapping; turn a missing field, bad value or validation error into ``Rejected``."""
    try:
        return make()
    except MissingField as exc:
        return Rejected(reason=str(exc), code="E201", raw=_jsonable(raw))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return Rejected(reason=f"invalid value at '{where}': {first['msg']}", code="E202",
                        raw=_jsonable(raw))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        return Rejected(reason=f"unreadable item: {exc}", code="E202", raw=_jsonable(raw))


def reject(reason: str, raw: Any, *, code: str = "E201") -> Rejected:
    """A ``Rejected`` with a JSON-safe copy of the offending payload."""
    return Rejected(reason=reason, code=code, raw=_jsonable(raw))


def page_items(payload: Any, key: str, what: str) -> list[Any] | Rejected:
    """The list under ``key`` of an API response page, or the rejection that says why not:
    the page is not an object, holds only an ``error``, or lacks the list."""
    if not isinstance(payload, dict):
        return reject(f"{what} must be a JSON object", payload)
    if key not in payload:
        error = payload.get("error")
        return reject(f"the response holds an error: {error!r:.300}" if error
                      else f"missing required field '{key}'", payload)
    items = payload[key]
    if not isinstance(items, list):
        return reject(f"'{key}' must be a list", payload)
    return items


def _jsonable(raw: Any) -> Any:
    try:
        orjson.dumps(raw)
    except (TypeError, orjson.JSONEncodeError):
        return repr(raw)[:10_000]
    return raw


def at(items: Iterable[Item], position: str) -> Iterator[Item]:
    """Stamp ``position`` on every rejection that has none yet (``"line 3"``, ``"row 12"``)."""
    for item in items:
        if isinstance(item, Rejected) and item.position is None:
            item.position = position
        yield item


def guarded(parse: ParseFn, payload: Any, position: str) -> Iterator[Item]:
    """Run ``parse`` on one payload so that even an unexpected error rejects only that payload."""
    try:
        yield from at(parse(payload), position)
    except Exception as exc:  # noqa: BLE001 - a parser bug must not abort the import
        yield Rejected(reason=f"parser error: {type(exc).__name__}: {exc}", code="E203",
                       position=position, raw=_jsonable(payload))


# ---------------------------------------------------------------------------- file readers


def iter_json_pages(stream: IO[bytes]) -> Iterator[tuple[str, Any] | Rejected]:
    """Split a file into JSON payloads: one whole document, or JSON Lines (one page a line).

    Collectors such as twarc2 write one API response page per line. A file whose first
    non-empty line is a complete JSON value is read as JSON Lines, streamed line by line;
    anything else is read as one document. A malformed line is rejected, the next one goes on.
    """
    first = b""
    for line in stream:
        if line.strip():
            first = line
            break
    if not first:
        return
    try:
        first_value = orjson.loads(first)
    except orjson.JSONDecodeError:
        rest = first + stream.read()
        try:
            yield "document", orjson.loads(rest)
        except orjson.JSONDecodeError as exc:
            yield Rejected(reason=f"not valid JSON: {exc}", code="E204", position="document",
                           raw=rest[:2000].decode("utf-8", "replace"))
        return
    yield "line 1", first_value
    number = 1
    for line in stream:
        number += 1
        if not line.strip():
            continue
        try:
            yield f"line {number}", orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield Rejected(reason=f"not valid JSON: {exc}", code="E204",
                           position=f"line {number}",
                           raw=line[:2000].decode("utf-8", "replace"))


def read_json(parse: ParseFn) -> ReadFn:
    """A reader for JSON formats: every page of :func:`iter_json_pages` goes through ``parse``."""

    def read(stream: IO[bytes]) -> Iterator[Item]:
        for page in iter_json_pages(stream):
            if isinstance(page, Rejected):
                yield page
            else:
                yield from guarded(parse, page[1], page[0])

    return read


def iter_csv_rows(stream: IO[bytes], *, delimiter: str | None = None
                  ) -> Iterator[tuple[str, dict[str, str]] | Rejected]:
    """Stream CSV rows as dicts keyed by header; detects ``,`` ``;`` or tab and a UTF-8 BOM."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")
    sample = text.readline()
    if not sample.strip():
        return
    if delimiter is None:
        counts = {d: sample.count(d) for d in (",", ";", "\t")}
        delimiter = max(counts, key=lambda d: counts[d])
    header = next(csv.reader([sample], delimiter=delimiter))
    header = [h.strip() for h in header]
    reader = csv.reader(text, delimiter=delimiter)
    row_number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            text.detach()  # leave the caller's file open (progress reads its position)
            return
        except csv.Error as exc:
            row_number += 1
            yield Rejected(reason=f"unreadable CSV row: {exc}", code="E204",
                           position=f"row {row_number}")
            continue
        row_number += 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield Rejected(reason=f"expected {len(header)} columns, found {len(values)}",
                           code="E205", position=f"row {row_number}", raw=values)
            continue
        yield f"row {row_number}", dict(zip(header, values, strict=True))


def read_csv(parse: ParseFn) -> ReadFn:
    """A reader for CSV formats: every row goes through ``parse`` as a dict."""

    def read(stream: IO[bytes]) -> Iterator[Item]:
        for row in iter_csv_rows(stream):
            if isinstance(row, Rejected):
                yield row
            else:
                yield from guarded(parse, row[1], row[0])

    return read


# ---------------------------------------------------------------------------- sniffing helpers


def head_text(sample: bytes) -> str:
    """Decode the first bytes of a file leniently (a cut multi-byte character is ignored)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="ignore")
    return decoder.decode(sample).lstrip("\ufeff")


def first_json(sample: bytes) -> Any:
    """The first JSON value of a sample (a whole document or the first JSON line), or None."""
    text = head_text(sample).strip()
    if not text:
        return None
    for candidate in (text, text.split("\n", 1)[0]):
        try:
            return orjson.loads(candidate)
        except orjson.JSONDecodeError:
            continue
    return None


def has_keys(obj: Any, keys: Iterable[str]) -> bool:
    """Whether ``obj`` is a mapping holding every key of ``keys``."""
    return isinstance(obj, Mapping) and all(k in obj for k in keys)


def csv_header(sample: bytes) -> list[str]:
    """The header cells of a CSV sample, lower-cased and stripped."""
    line = head_text(sample).split("\n", 1)[0].strip("\r")
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d])
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    return [c.strip().strip('"').lower() for c in cells]
