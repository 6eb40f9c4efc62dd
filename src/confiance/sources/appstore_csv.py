"""Apple App Store customer reviews as CSV, one review a row.

Two header families are accepted, matched case-insensitively and ignoring spaces, ``_`` and
``-`` (so ``Review ID``, ``review_id`` and ``reviewId`` are one column):

* the attribute names of the App Store Connect API ``customerReviews`` resource
  (``GET /v1/apps/{id}/customerReviews``, flattened to ``id``, ``rating``, ``title``, ``body``,
  ``reviewerNickname``, ``createdDate``, ``territory``), with the developer response from
  ``include=response`` as ``responseBody`` / ``lastModifiedDate``;
* the usual "Ratings and Reviews" export headers (``Review ID``, ``Date``, ``Rating``,
  ``Title``, ``Review``, ``Nickname``, ``Territory``, ``App Version``,
  ``Developer Response``, ``Developer Response Date``).

``territory`` (ISO 3166 alpha-3 such as ``FRA``) is a storefront, not a language: ``language``
stays ``None`` and the territory stays in ``raw``. Apple requires review nicknames to be unique
in the store, so the nickname is the author's id and handle. A developer response becomes a
``reply`` post ``"<review id>:reply"`` with no author (the row does not identify the developer).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from confiance.domain import Author, Platform, Post, PostKind
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_int,
    build,
    csv_header,
    parse_time,
    read_csv,
    reject,
)

ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "reviewid"),
    "rating": ("rating", "stars", "starrating"),
    "title": ("title", "reviewtitle"),
    "body": ("body", "review", "reviewtext", "reviewbody"),
    "nickname": ("reviewernickname", "nickname", "reviewer", "author"),
    "date": ("createddate", "date", "reviewdate", "createdat"),
    "territory": ("territory", "country", "storefront"),
    "version": ("appversion", "version"),
    "response": ("developerresponse", "responsebody", "response", "developerreply"),
    "response_date": ("developerresponsedate", "responsedate", "lastmodifieddate",
                      "developerreplydate"),
}
"""Canonical column -> accepted header spellings, normalised by :func:`normalise`."""


def normalise(header: str) -> str:
    """A header as matched against :data:`ALIASES`: lower-cased, without spaces, ``_``, ``-``."""
    return "".join(c for c in header.lower() if c not in " _-\ufeff\"")


def columns(row: dict[str, str]) -> dict[str, str]:
    """Canonical column -> the row's original header, for the columns this row has."""
    by_norm = {normalise(h): h for h in row}
    found: dict[str, str] = {}
    for name, spellings in ALIASES.items():
        for spelling in spellings:
            if spelling in by_norm:
                found[name] = by_norm[spelling]
                break
    return found


def parse(payload: Any) -> Iterator[Item]:
    """Map one CSV row (a dict keyed by header) to a review and its developer response."""
    if not isinstance(payload, dict):
        yield reject("an App Store review row must be a mapping of header to value", payload)
        return
    cols = columns(payload)
    review = build(partial(_review, payload, cols), payload)
    yield review
    if isinstance(review, Post) and _cell(payload, cols, "response"):
        yield build(partial(_reply, payload, cols, review), _reply_raw(payload, cols))


def _review(row: dict[str, Any], cols: dict[str, str]) -> Post:
    review_id = _cell(row, cols, "id")
    if review_id is None:
        raise MissingField(cols.get("id", "id"))
    title, body = _cell(row, cols, "title"), _cell(row, cols, "body")
    if title is None and body is None:
        raise MissingField(f"{cols.get('body', 'body')}' or '{cols.get('title', 'title')}")
    nickname = _cell(row, cols, "nickname")
    return Post(
        platform=Platform.APPSTORE,
        platform_id=review_id,
        kind=PostKind.REVIEW,
        author=Author(platform=Platform.APPSTORE, platform_id=nickname, handle=nickname,
                      display_name=nickname) if nickname else None,
        text=body,
        title=title,
        created_at=parse_time(_cell(row, cols, "date")),
        rating=_rating(_cell(row, cols, "rating")),
        raw=dict(row),
    )


def _reply(row: dict[str, Any], cols: dict[str, str], review: Post) -> Post:
    return Post(
        platform=Platform.APPSTORE,
        platform_id=f"{review.platform_id}:reply",
        kind=PostKind.REPLY,
        text=_cell(row, cols, "response"),
        created_at=parse_time(_cell(row, cols, "response_date")),
        parent_id=review.platform_id,
        raw=_reply_raw(row, cols),
    )


def _reply_raw(row: dict[str, Any], cols: dict[str, str]) -> dict[str, Any]:
    return {cols[k]: row[cols[k]] for k in ("response", "response_date") if k in cols}


def _cell(row: dict[str, Any], cols: dict[str, str], name: str) -> str | None:
    if name not in cols:
        return None
    value = row.get(cols[name])
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _rating(value: str | None) -> float | None:
    if value is None:
        return None
    stars = as_int(value)
    if stars is None:
        try:
            number = float(value)
        except ValueError:
            number = 0.0
        stars = int(number) if number.is_integer() else None
    if stars is None or not 1 <= stars <= 5:
        raise ValueError(f"rating must be 1 to 5, got {value!r}")
    return float(stars)


def sniff(sample: bytes) -> float:
    """Confident when the header row has an id, a rating, a review text and either the
    nickname or the territory column; Google Play's ``Package Name`` header rules it out."""
    cells = {normalise(c) for c in csv_header(sample)}
    if not cells or "packagename" in cells:
        return 0.0

    def has(name: str) -> bool:
        return any(s in cells for s in ALIASES[name])

    if not (has("id") and has("rating") and (has("body") or has("title"))):
        return 0.0
    if "reviewernickname" in cells or ("nickname" in cells and "territory" in cells):
        return 0.9
    if has("nickname") or "territory" in cells:
        return 0.7
    return 0.0


FORMATS = (
    SourceFormat(
        name="appstore-csv",
        description="Apple App Store customer reviews as CSV (App Store Connect export or "
        "customerReviews attributes)",
        parse=parse,
        read=read_csv(parse),
        sniff=sniff,
        extensions=("csv",),
    ),
)
