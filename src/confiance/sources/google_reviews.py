"""Google Business Profile reviews: ``accounts.locations.reviews.list``.

``GET https://mybusiness.googleapis.com/v4/accounts/{accountId}/locations/{locationId}/reviews``
returns ``{"reviews": [...], "averageRating", "totalReviewCount", "nextPageToken"}``. Request
``pageSize=50`` (the maximum) and repeat with ``pageToken=<nextPageToken>`` until it is absent;
every field of a review comes back without a field mask. The API gives no public link to a
review and no reviewer id, so ``url`` stays ``None`` and the author id is derived (see below).

Mapping choices, all documented in ``docs/formats/google-reviews.md``:

* ``starRating`` ``ONE``..``FIVE`` -> 1..5; ``STAR_RATING_UNSPECIFIED`` or absent -> ``None``.
  A review needs a rating or a comment; one with neither is rejected.
* A comment Google translated holds ``(Translated by Google)`` and ``(Original)`` blocks; the
  text kept is the original-language part (the whole comment stays in ``raw``).
* Google allows one review per account and place, and gives no reviewer id: the author's
  ``platform_id`` is derived as ``"<reviewId>:reviewer"``; an anonymous reviewer has no author.
* ``reviewReply`` becomes a ``reply`` post ``"<reviewId>:reply"`` whose author is the location
  (``accounts/{a}/locations/{l}``, taken from the review ``name``) and whose time is the reply's
  ``updateTime``, the only time Google gives for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from confiance.domain import Author, Platform, Post, PostKind
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_str,
    build,
    first_json,
    need,
    parse_time,
    read_json,
    reject,
)

_STARS = {"ONE": 1.0, "TWO": 2.0, "THREE": 3.0, "FOUR": 4.0, "FIVE": 5.0}
_UNSPECIFIED = "STAR_RATING_UNSPECIFIED"
_TRANSLATED = "(Translated by Google)"
_ORIGINAL = "(Original)"
_LOCATION = re.compile(r"^(accounts/[^/]+/locations/[^/]+)/reviews/([^/]+)$")


def parse(payload: Any) -> Iterator[Item]:
    """Map one ``reviews.list`` response to review posts and owner-reply posts.

    Google omits empty fields, so a page of a location without reviews has no ``reviews``
    key at all and yields nothing.
    """
    if not isinstance(payload, dict):
        yield reject("a Google reviews.list response must be a JSON object", payload)
        return
    if "error" in payload and "reviews" not in payload:
        yield reject(f"the response holds an error: {payload['error']!r:.300}", payload)
        return
    reviews = payload.get("reviews", [])
    if not isinstance(reviews, list):
        yield reject("'reviews' must be a list of reviews", payload)
        return
    for item in reviews:
        review = build(partial(_review, item), item)
        yield review
        reply = item.get("reviewReply") if isinstance(item, dict) else None
        if isinstance(review, Post) and reply:
            yield build(partial(_reply, reply, item, review), reply)


def _review(item: dict[str, Any]) -> Post:
    review_id = _review_id(item)
    text = original_text(as_str(item.get("comment")))
    rating = _rating(item.get("starRating"))
    if rating is None and text is None:
        raise MissingField("starRating' or 'comment")
    return Post(
        platform=Platform.GOOGLE,
        platform_id=review_id,
        kind=PostKind.REVIEW,
        author=_reviewer(item.get("reviewer"), review_id),
        text=text,
        created_at=parse_time(item.get("createTime")),
        rating=rating,
        raw=item,
    )


def _reply(reply: Any, item: dict[str, Any], review: Post) -> Post:
    if not isinstance(reply, dict):
        raise ValueError("'reviewReply' must be an object")
    match = _LOCATION.match(as_str(item.get("name")) or "")
    return Post(
        platform=Platform.GOOGLE,
        platform_id=f"{review.platform_id}:reply",
        kind=PostKind.REPLY,
        author=Author(platform=Platform.GOOGLE, platform_id=match.group(1)) if match else None,
        text=need(reply, "comment"),
        created_at=parse_time(reply.get("updateTime")),
        parent_id=review.platform_id,
        raw=reply,
    )


def _review_id(item: dict[str, Any]) -> str:
    review_id = as_str(item.get("reviewId"))
    if review_id is None:
        match = _LOCATION.match(as_str(item.get("name")) or "")
        if match is None:
            raise MissingField("reviewId")
        review_id = match.group(2)
    return review_id


def _reviewer(reviewer: Any, review_id: str) -> Author | None:
    if not isinstance(reviewer, dict) or reviewer.get("isAnonymous") is True:
        return None
    return Author(
        platform=Platform.GOOGLE,
        platform_id=f"{review_id}:reviewer",
        display_name=as_str(reviewer.get("displayName")),
    )


def _rating(value: Any) -> float | None:
    if value is None or value == _UNSPECIFIED:
        return None
    if value not in _STARS:
        raise ValueError(f"unknown starRating {value!r}")
    return _STARS[value]


def original_text(comment: str | None) -> str | None:
    """The original-language part of a comment Google may have translated.

    Two layouts occur: ``"(Translated by Google) <translation>\\n\\n(Original)\\n<original>"``
    and ``"<original>\\n\\n(Translated by Google)\\n<translation>"``. A comment that holds only
    a translation (no original block, nothing before the marker) is kept whole.
    """
    if comment is None:
        return None
    if _ORIGINAL in comment:
        after = comment.split(_ORIGINAL, 1)[1]
        original = after.split(_TRANSLATED, 1)[0].strip()
        return original or None
    if _TRANSLATED in comment:
        before = comment.split(_TRANSLATED, 1)[0].strip()
        return before or comment
    return comment


def sniff(sample: bytes) -> float:
    """Confident when the reviews carry ``starRating`` / ``reviewId`` with a ``reviewer``, or
    the page has Google's ``totalReviewCount`` / ``averageRating`` summary."""
    doc = first_json(sample)
    if not isinstance(doc, dict):
        return 0.0
    reviews = doc.get("reviews")
    if isinstance(reviews, list) and reviews:
        first = reviews[0]
        if isinstance(first, dict) and ("starRating" in first or "reviewId" in first) and (
            "reviewer" in first or "createTime" in first
        ):
            return 0.9
        return 0.0
    if "totalReviewCount" in doc or "averageRating" in doc:
        return 0.7
    return 0.0


FORMATS = (
    SourceFormat(
        name="google-reviews",
        description="Google Business Profile accounts.locations.reviews.list responses "
        "(JSON or JSON Lines)",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
