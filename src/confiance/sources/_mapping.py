"""Column mappings of the ``csv`` and ``ndjson`` formats (private to ``confiance.sources``).

:func:`load` validates a parsed mapping file strictly and raises ``ConfianceError("E209")``
naming the problem; :func:`convert_row` turns one row into canonical values, raising a
``ValueError`` that names the column of a value that does not convert. The format is documented
in ``docs/formats/csv.md``.
"""

from __future__ import annotations

import codecs
import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from enum import StrEnum
from functools import lru_cache
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from confiance.core.errors import ConfianceError
from confiance.domain import MediaType, Platform, PostKind
from confiance.sources.base import MissingField, parse_time

PLATFORMS = frozenset(p.value for p in Platform)


@dataclass(frozen=True)
class Spec:
    """A validated mapping: canonical target -> source column (or key / dotted path)."""

    fields: dict[str, str]
    constants: dict[str, Any] = field(default_factory=dict)
    id_from: tuple[str, ...] = ()
    time_format: str | None = None
    timezone: tzinfo | None = None
    decimal_comma: bool = False
    delimiter: str | None = None
    encoding: str = "utf-8"

    @property
    def columns(self) -> list[str]:
        """Every source column the mapping reads."""
        return list(dict.fromkeys([*self.fields.values(), *self.id_from]))


Converter = Callable[[Any, Spec], Any]
_SPACES = re.compile(r"[ \u00a0\u202f']")
_GROUPED = {True: re.compile(r"\d{1,3}(?:\.\d{3})+"), False: re.compile(r"\d{1,3}(?:,\d{3})+")}
_TRUE = frozenset({"true", "1", "yes", "y", "oui", "o", "vrai"})
_FALSE = frozenset({"false", "0", "no", "n", "non", "faux"})


def _text(value: Any, spec: Spec) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return str(value).strip()


def _int(value: Any, spec: Spec) -> int:
    if isinstance(value, bool):
        raise TypeError("expected a whole number, found true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    digits = _SPACES.sub("", str(value).strip())
    if _GROUPED[spec.decimal_comma].fullmatch(digits):
        digits = digits.replace("." if spec.decimal_comma else ",", "")
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError(f"cannot read {value!r} as a whole number")
    return int(digits)


def _float(value: Any, spec: Spec) -> float:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TypeError(f"expected a number, found {type(value).__name__}")
    number = value
    if isinstance(value, str):
        number = _SPACES.sub("", value.strip())
        if spec.decimal_comma:
            number = (number.replace(".", "") if "," in number else number).replace(",", ".")
        elif "," in number:
            raise ValueError(f"cannot read {value!r} as a number (decimal comma? set "
                             "\"decimal_comma\": true)")
    try:
        result = float(number)
    except ValueError:
        raise ValueError(f"cannot read {value!r} as a number") from None
    if not math.isfinite(result):
        raise ValueError(f"cannot read {value!r} as a number")
    return result


def _bool(value: Any, spec: Spec) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(f"cannot read {value!r} as true/false")


def _time(value: Any, spec: Spec) -> datetime | None:
    if not isinstance(value, str):
        return parse_time(value)
    text = value.strip()
    if spec.time_format:
        parsed = datetime.strptime(text, spec.time_format)  # zone set below
    else:
        try:
            parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text[-1:] in "Zz" else text)
        except ValueError:
            return parse_time(text)  # RFC 822 or Unix time; raises on anything else
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=spec.timezone or UTC)
    return parsed.astimezone(UTC)


def _words(prefix: str) -> Converter:
    def split(value: Any, spec: Spec) -> list[str]:
        items = value if isinstance(value, list) else re.split(r"[\s,]+", _text(value, spec))
        return [w for w in (_text(i, spec).lstrip(prefix) for i in items) if w]

    return split


def _choice(enum: type[StrEnum]) -> Converter:
    def pick(value: Any, spec: Spec) -> StrEnum:
        word = _text(value, spec).lower()
        try:
            return enum(word)
        except ValueError:
            raise ValueError(f"{value!r} is not one of: {', '.join(enum)}") from None

    return pick


CONVERTERS: dict[str, Converter] = {
    "platform": _choice(Platform), "platform_id": _text, "kind": _choice(PostKind),
    "url": _text, "text": _text, "title": _text, "language": _text, "created_at": _time,
    "parent_id": _text, "rating": _float, "hashtags": _words("#"), "mentions": _words("@"),
    "author.platform_id": _text, "author.handle": _text, "author.display_name": _text,
    "author.followers": _int, "author.following": _int, "author.post_count": _int,
    "author.verified": _bool, "author.bio": _text, "author.location": _text, "author.url": _text,
    "metrics.likes": _int, "metrics.comments": _int, "metrics.shares": _int,
    "metrics.views": _int,
    "media.url": _text, "media.type": _choice(MediaType), "media.width": _int,
    "media.height": _int, "media.duration_s": _float, "media.alt_text": _text,
}
"""Every canonical target a column can fill, with the conversion of its value."""

KEYS = frozenset({"platform", "kind", "fields", "constants", "id_from", "time_format",
                  "timezone", "decimal_comma", "delimiter", "encoding", "description",
                  "__path__"})
_CONTENT = ("text", "title", "rating")


def load(mapping: Mapping[str, Any]) -> Spec:
    """Validate a parsed mapping file; raise ``ConfianceError("E209")`` naming the problem."""
    path = str(mapping.get("__path__", "(mapping)"))

    def fail(detail: str) -> NoReturn:
        raise ConfianceError("E209", path=path, detail=detail)

    unknown = sorted(set(mapping) - KEYS)
    if unknown:
        known = ", ".join(sorted(KEYS - {"__path__"}))
        fail(f"unknown key(s) {', '.join(unknown)}; known: {known}")
    fields = mapping.get("fields")
    if not isinstance(fields, dict) or not all(
            isinstance(v, str) and v.strip() for v in fields.values()):
        fail("'fields' must be an object of canonical target -> source column name")
    spec = Spec(fields=dict(fields), **_options(mapping, fail))
    constants = mapping.get("constants", {})
    if not isinstance(constants, dict):
        fail("'constants' must be an object of canonical target -> value")
    defaults = {"platform": mapping.get("platform", "other"), "kind": mapping.get("kind", "post")}
    for target in ("platform", "kind"):
        if target in constants:
            fail(f"set {target!r} at the top level, not in 'constants'")
    for target in [*fields, *constants]:
        if target not in CONVERTERS:
            fail(f"unknown canonical target {target!r}; known: {', '.join(CONVERTERS)}")
        if target in fields and target in constants:
            fail(f"{target!r} is both a field and a constant")
    if "platform_id" in constants:
        fail("'platform_id' cannot be a constant: map a column or use 'id_from'")
    converted: dict[str, Any] = {}
    for target, value in {**defaults, **constants}.items():
        try:
            converted[target] = CONVERTERS[target](value, spec)
        except (TypeError, ValueError) as exc:
            fail(f"constant {target!r}: {exc}")
    spec = replace(spec, constants=converted)
    _check_required(spec, fail)
    return spec


def _options(mapping: Mapping[str, Any], fail: Callable[[str], NoReturn]) -> dict[str, Any]:
    id_from = mapping.get("id_from", [])
    if not isinstance(id_from, list) or not all(isinstance(c, str) and c for c in id_from):
        fail("'id_from' must be a list of column names")
    time_format = mapping.get("time_format")
    if time_format is not None and (not isinstance(time_format, str) or "%" not in time_format):
        fail("'time_format' must be a strptime format such as \"%d/%m/%Y %H:%M\"")
    zone = mapping.get("timezone")
    timezone = None
    if zone is not None:
        try:
            timezone = ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            fail(f"unknown time zone {zone!r} (use an IANA name such as \"Europe/Paris\")")
    decimal_comma = mapping.get("decimal_comma", False)
    if not isinstance(decimal_comma, bool):
        fail("'decimal_comma' must be true or false")
    delimiter = mapping.get("delimiter")
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1
                                  or delimiter in "\"\r\n"):
        fail("'delimiter' must be one character such as \";\" or \"\\t\"")
    encoding = mapping.get("encoding", "utf-8")
    try:
        encoding = codecs.lookup(encoding).name if isinstance(encoding, str) else None
    except LookupError:
        encoding = None
    if encoding is None:
        fail("'encoding' must be a known text encoding such as \"utf-8\" or \"cp1252\"")
    return {"id_from": tuple(id_from), "time_format": time_format, "timezone": timezone,
            "decimal_comma": decimal_comma, "delimiter": delimiter, "encoding": encoding}


def _check_required(spec: Spec, fail: Callable[[str], NoReturn]) -> None:
    targets = {*spec.fields, *spec.constants}
    if "platform_id" not in targets and not spec.id_from:
        fail("nothing maps to 'platform_id' (map an id column, or list columns in 'id_from')")
    if not targets.intersection(_CONTENT):
        fail("nothing maps to 'text', 'title' or 'rating'")
    for group, key in (("author.", "author.platform_id"), ("media.", "media.url")):
        if any(t.startswith(group) for t in targets) and key not in targets:
            fail(f"{group}* targets need {key!r} too")


@lru_cache(maxsize=64)
def canonical(columns: Sequence[str]) -> Spec:
    """The spec of a file whose columns are canonical names (raises E209 for others)."""
    names = [c for c in columns if c]
    unknown = [c for c in names if c not in CONVERTERS]
    if unknown:
        raise ConfianceError("E209", path="(header)",
                             detail=f"unknown column(s) {', '.join(unknown)}")
    return load({"fields": {c: c for c in names}, "__path__": "(header)"})


def convert_row(spec: Spec, row: Mapping[str, Any], lookup: Callable[..., Any]
                ) -> dict[str, Any]:
    """Canonical values of one row; a value that does not convert names its column."""
    values = dict(spec.constants)
    for target, column in spec.fields.items():
        value = lookup(row, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            values[target] = CONVERTERS[target](value, spec)
        except (TypeError, ValueError, OverflowError) as exc:
            raise ValueError(f"column '{column}' ({target}): {exc}") from None
    if "platform_id" not in values:
        values["platform_id"] = _derived_id(spec, row, lookup)
    if not any(values.get(t) not in (None, "") for t in _CONTENT):
        raise MissingField(next((spec.fields[t] for t in _CONTENT if t in spec.fields), "text"))
    return values


def _derived_id(spec: Spec, row: Mapping[str, Any], lookup: Callable[..., Any]) -> str:
    """``sha256:`` + 32 hex digits of the ``id_from`` values joined by U+001F."""
    if not spec.id_from:
        raise MissingField(spec.fields.get("platform_id", "platform_id"))
    parts = ["" if (v := lookup(row, c)) is None else str(v).strip() for c in spec.id_from]
    if not any(parts):
        raise MissingField(", ".join(spec.id_from))
    return "sha256:" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
