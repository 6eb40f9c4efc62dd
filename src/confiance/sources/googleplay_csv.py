"""Google Play Console review exports: the monthly ``reviews_reviews_<package>_<YYYYMM>.csv``.

Play Console -> Download reports -> Reviews, or ``gsutil cp
gs://pubsite_prod_rev_<developer id>/reviews/reviews_<package>_<YYYYMM>.csv``. Google ships them
as UTF-16 LE with a byte-order mark; UTF-16 (either byte order, BOM or not) and UTF-8 are read,
streamed and re-encoded on the fly. Header (matched case-insensitively): Package Name, App
Version Code, App Version Name, Reviewer Language, Device, Review Submit Date and Time, Review
Submit Millis Since Epoch, Review Last Update Date and Time, Review Last Update Millis Since
Epoch, Star Rating, Review Title, Review Text, Developer Reply Date and Time, Developer Reply
Millis Since Epoch, Developer Reply Text, Review Link.

Mapping choices (see ``docs/formats/googleplay-csv.md``):

* The export has no review id column. The id is the ``reviewId`` parameter of the Review Link
  (the id the Play Developer API uses); a link without one gives ``"link-sha256:<40 hex>"`` of
  the link; a row without a link gives ``"sha256:<40 hex>"`` of package, submit millis and text.
* ``Reviewer Language`` becomes a BCP-47 tag: ``_`` -> ``-``, language lower-case, script
  title-case, region upper-case (``fr`` -> ``fr``, ``fr_FR`` -> ``fr-FR``); an unreadable value
  leaves ``language`` ``None`` (it stays in ``raw``).
* ``url`` is the Review Link, a Play Console page (it needs console access; Play has no public
  link to one review).
* The reviewer is not in the export: no author. A Developer Reply Text becomes a ``reply`` post
  ``"<review id>:reply"`` authored by the app (its package name), with the review's link.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Iterator
from functools import partial
from typing import IO, Any
from urllib.parse import unquote

from confiance.domain import Author, Platform, Post, PostKind
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_int,
    build,
    csv_header,
    guarded,
    iter_csv_rows,
    parse_time,
    reject,
)

PACKAGE = "package name"
LANGUAGE = "reviewer language"
SUBMITTED = ("review submit millis since epoch", "review submit date and time")
RATING = "star rating"
TITLE = "review title"
TEXT = "review text"
REPLY_TEXT = "developer reply text"
REPLIED = ("developer reply millis since epoch", "developer reply date and time")
LINK = "review link"

_REVIEW_ID = re.compile(r"review_?id=([^&#\s]+)", re.IGNORECASE)
_BCP47 = re.compile(r"^([a-z]{2,3})(?:[-_]([a-z]{4}))?(?:[-_]([a-z]{2}|\d{3}))?$", re.IGNORECASE)
_CHUNK = 64 * 1024


def parse(payload: Any) -> Iterator[Item]:
    """Map one export row (a dict keyed by header) to a review and its developer reply."""
    if not isinstance(payload, dict):
        yield reject("a Google Play review row must be a mapping of header to value", payload)
        return
    row = {k.strip().lower(): v.strip() if isinstance(v, str) else v for k, v in payload.items()}
    review = build(partial(_review, row, payload), payload)
    yield review
    if isinstance(review, Post) and _cell(row, REPLY_TEXT):
        reply_raw = {k: v for k, v in payload.items() if k.lower().startswith("developer reply")}
        yield build(partial(_reply, row, review, reply_raw), reply_raw)


def _review(row: dict[str, Any], raw: dict[str, Any]) -> Post:
    text, rating = _cell(row, TEXT), _rating(_cell(row, RATING))
    if text is None and rating is None:
        raise MissingField("Star Rating' or 'Review Text")
    link = _cell(row, LINK)
    return Post(
        platform=Platform.GOOGLEPLAY,
        platform_id=review_id(row),
        kind=PostKind.REVIEW,
        url=link,
        text=text,
        title=_cell(row, TITLE),
        language=language_tag(_cell(row, LANGUAGE)),
        created_at=parse_time(_first(row, SUBMITTED)),
        rating=rating,
        raw=dict(raw),
    )


def _reply(row: dict[str, Any], review: Post, raw: dict[str, Any]) -> Post:
    package = _cell(row, PACKAGE)
    return Post(
        platform=Platform.GOOGLEPLAY,
        platform_id=f"{review.platform_id}:reply",
        kind=PostKind.REPLY,
        url=review.url,
        author=Author(platform=Platform.GOOGLEPLAY, platform_id=package, handle=package,
                      url=f"https://play.google.com/store/apps/details?id={package}")
        if package else None,
        text=_cell(row, REPLY_TEXT),
        created_at=parse_time(_first(row, REPLIED)),
        parent_id=review.platform_id,
        raw=raw,
    )


def review_id(row: dict[str, Any]) -> str:
    """The review's id: from the Review Link, else a documented hash of the row's identity."""
    link = _cell(row, LINK)
    if link:
        match = _REVIEW_ID.search(link)
        if match:
            return unquote(match.group(1))
        return "link-sha256:" + hashlib.sha256(link.encode()).hexdigest()[:40]
    package, submitted = _cell(row, PACKAGE), _first(row, SUBMITTED)
    if package is None or submitted is None:
        raise MissingField("Review Link' or 'Package Name' and 'Review Submit Millis Since Epoch")
    key = "\x1f".join((package, submitted, _cell(row, TEXT) or ""))
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def language_tag(value: str | None) -> str | None:
    """``fr`` -> ``fr``, ``fr_FR`` -> ``fr-FR``, ``zh_hant_tw`` -> ``zh-Hant-TW``, junk -> None."""
    match = _BCP47.match(value or "")
    if match is None:
        return None
    lang, script, region = match.groups()
    parts = [lang.lower(), script.title() if script else None, region.upper() if region else None]
    return "-".join(p for p in parts if p)


def _cell(row: dict[str, Any], name: str) -> str | None:
    value = row.get(name)
    return value if isinstance(value, str) and value else None


def _first(row: dict[str, Any], names: tuple[str, ...]) -> str | None:
    return next((v for v in (_cell(row, n) for n in names) if v), None)


def _rating(value: str | None) -> float | None:
    if value is None:
        return None
    stars = as_int(value)
    if stars is None or not 1 <= stars <= 5:
        raise ValueError(f"'Star Rating' must be 1 to 5, got {value!r}")
    return float(stars)


# ---------------------------------------------------------------------------- reading


def _encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # reads the BOM, picks the byte order and drops the mark
    if len(head) >= 2 and head[0] != 0 and head[1] == 0:
        return "utf-16-le"
    if len(head) >= 2 and head[0] == 0 and head[1] != 0:
        return "utf-16-be"
    return "utf-8"  # a UTF-8 BOM is left for iter_csv_rows, which drops it


class _Utf8(io.RawIOBase):
    """A byte stream re-encoded to UTF-8 chunk by chunk, whatever its encoding."""

    def __init__(self, stream: IO[bytes], head: bytes, encoding: str) -> None:
        super().__init__()
        self._stream, self._head = stream, head
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending, self._done = b"", False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            chunk, self._head = self._head or self._stream.read(_CHUNK), b""
            self._done = not chunk
            self._pending = self._decoder.decode(chunk, final=self._done).encode("utf-8")
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def utf8_stream(stream: IO[bytes]) -> IO[bytes]:
    """``stream`` as UTF-8 bytes: UTF-16 (by its BOM or its zero bytes) is re-encoded."""
    head = stream.read(4)
    return io.BufferedReader(_Utf8(stream, head, _encoding(head)))


def read(stream: IO[bytes]) -> Iterator[Item]:
    """Stream the rows of an export in UTF-16 or UTF-8 through :func:`parse`."""
    for row in iter_csv_rows(utf8_stream(stream)):
        if isinstance(row, tuple):
            yield from guarded(parse, row[1], row[0])
        else:
            yield row


def sniff(sample: bytes) -> float:
    """Confident when the header row (decoded as UTF-16 or UTF-8) has Play's ``Package Name``,
    ``Star Rating`` and ``Review Submit ...`` / ``Review Text`` columns."""
    encoding = _encoding(sample[:4])
    if encoding != "utf-8":
        text = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(sample)
        sample = text.encode("utf-8")
    cells = set(csv_header(sample))
    if {PACKAGE, RATING} <= cells and (TEXT in cells or SUBMITTED[0] in cells):
        return 0.95
    return 0.0


FORMATS = (
    SourceFormat(
        name="googleplay-csv",
        description="Google Play Console monthly review export CSV (UTF-16 or UTF-8)",
        parse=parse,
        read=read,
        sniff=sniff,
        extensions=("csv",),
    ),
)
