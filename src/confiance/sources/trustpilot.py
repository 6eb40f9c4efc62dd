"""Trustpilot reviews of a business unit: ``GET /v1/business-units/{businessUnitId}/reviews``.

One response page is ``{"reviews": [...], "links": [...]}``; ``links`` holds the paging links
(``rel`` ``next-page`` / ``prev-page``). The Private API variant
``GET /v1/private/business-units/{businessUnitId}/reviews`` has the same envelope with extra
fields per review (``referralEmail``, ``referenceId``, ``tags``...), all optional here and kept
in ``raw``. Request ``perPage=100`` and follow ``next-page`` until it is absent; add
``language=all`` (public API) so reviews in every language come back, not only the
business unit's default one.

Each review becomes a ``review`` post (``stars`` 1-5 as the rating); its ``companyReply``, when
present, becomes a second post of kind ``reply`` with ``platform_id`` ``"<review id>:reply"``,
``parent_id`` the review id, and as author the review's ``businessUnit`` (the company answers as
the business, not as a person).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from confiance.domain import Author, Metrics, Platform, Post, PostKind
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_int,
    as_str,
    build,
    first_json,
    has_keys,
    need,
    parse_time,
    read_json,
    reject,
)

SITE = "https://www.trustpilot.com"


def parse(payload: Any) -> Iterator[Item]:
    """Map one reviews response page to review posts and company-reply posts."""
    if not isinstance(payload, dict):
        yield reject("a Trustpilot reviews response must be a JSON object", payload)
        return
    reviews = payload.get("reviews")
    if reviews is None:
        detail = {k: payload[k] for k in ("message", "fault", "error", "errorCode") if k in payload}
        yield reject(f"the response holds no 'reviews' {detail or ''}".rstrip(), payload)
        return
    if not isinstance(reviews, list):
        yield reject("'reviews' must be a list of reviews", payload)
        return
    for item in reviews:
        review = build(partial(_review, item), item)
        yield review
        reply = item.get("companyReply") if isinstance(item, dict) else None
        if isinstance(review, Post) and reply:
            yield build(partial(_reply, reply, item, review), reply)


def _review(item: dict[str, Any]) -> Post:
    review_id = _id(need(item, "id"), "id")
    text, title = as_str(item.get("text")), as_str(item.get("title"))
    if text is None and title is None:
        raise MissingField("text' or 'title")
    consumer = item.get("consumer")
    return Post(
        platform=Platform.TRUSTPILOT,
        platform_id=review_id,
        kind=PostKind.REVIEW,
        url=f"{SITE}/reviews/{review_id}",
        author=_consumer(consumer) if isinstance(consumer, dict) else None,
        text=text,
        title=title,
        language=as_str(item.get("language")),
        created_at=parse_time(item.get("createdAt")),
        rating=_stars(item.get("stars")),
        metrics=Metrics(likes=as_int(item.get("numberOfLikes"))),
        raw=item,
    )


def _reply(reply: Any, item: dict[str, Any], review: Post) -> Post:
    if not isinstance(reply, dict):
        raise ValueError("'companyReply' must be an object")
    unit = item.get("businessUnit")
    return Post(
        platform=Platform.TRUSTPILOT,
        platform_id=f"{review.platform_id}:reply",
        kind=PostKind.REPLY,
        url=review.url,
        author=_business(unit) if isinstance(unit, dict) and as_str(unit.get("id")) else None,
        text=need(reply, "text"),
        created_at=parse_time(reply.get("createdAt")),
        parent_id=review.platform_id,
        raw=reply,
    )


def _consumer(consumer: dict[str, Any]) -> Author | None:
    consumer_id = as_str(consumer.get("id"))
    if consumer_id is None:
        return None
    return Author(
        platform=Platform.TRUSTPILOT,
        platform_id=consumer_id,
        display_name=as_str(consumer.get("displayName")),
        post_count=as_int(consumer.get("numberOfReviews")),
        location=as_str(consumer.get("displayLocation")) or as_str(consumer.get("countryCode")),
        url=f"{SITE}/users/{consumer_id}",
    )


def _business(unit: dict[str, Any]) -> Author:
    domain = as_str(unit.get("identifyingName"))
    return Author(
        platform=Platform.TRUSTPILOT,
        platform_id=as_str(unit.get("id")) or "",
        handle=domain,
        display_name=as_str(unit.get("displayName")),
        url=f"{SITE}/review/{domain}" if domain else None,
    )


def _id(value: Any, name: str) -> str:
    text = as_str(value)
    if text is None:
        raise ValueError(f"'{name}' must be a string")
    return text


def _stars(value: Any) -> float | None:
    if value is None:
        return None
    stars = as_int(value)
    if stars is None or not 1 <= stars <= 5:
        raise ValueError(f"'stars' must be 1 to 5, got {value!r}")
    return float(stars)


def sniff(sample: bytes) -> float:
    """Confident when the first page has ``reviews`` carrying ``stars`` with a ``consumer``
    or a ``businessUnit``; an empty page with Trustpilot paging links is a weak match."""
    doc = first_json(sample)
    if not isinstance(doc, dict) or not isinstance(doc.get("reviews"), list):
        return 0.0
    reviews = doc["reviews"]
    if reviews:
        first = reviews[0]
        if has_keys(first, ("id", "stars")) and ("consumer" in first or "businessUnit" in first):
            return 0.9
        return 0.0
    links = doc.get("links")
    if isinstance(links, list) and links and has_keys(links[0], ("href", "method", "rel")):
        return 0.55
    return 0.0


FORMATS = (
    SourceFormat(
        name="trustpilot",
        description="Trustpilot business-unit reviews API response pages (JSON or JSON Lines)",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
