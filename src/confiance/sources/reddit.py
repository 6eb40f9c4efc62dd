"""Reddit listing JSON: ``/r/{sub}/new.json``, ``/search.json`` and a post's comments page.

A listing is ``{"kind": "Listing", "data": {"after", "before", "dist", "children"}}`` whose
children are things: ``t3`` (a post, "link") and ``t1`` (a comment). A comments page
(``/r/{sub}/comments/{id}.json`` or ``/comments/{id}.json``) is a JSON array of two listings:
the post, then its comment tree, where each comment's ``replies`` is ``""`` or a nested
listing; the tree is flattened depth first. ``more`` children are pagination stubs (load them
with ``/api/morechildren``) and are skipped, not rejected.

Ids: ``platform_id`` is the bare base-36 id (``abc``, not the fullname ``t3_abc``), the one in
public URLs; ``parent_id`` strips the ``t3_`` / ``t1_`` prefix the same way. The fullname stays
in ``raw["name"]``. The author's ``platform_id`` is the username (permanent on Reddit and present
in every listing, unlike ``author_fullname``). Request with ``raw_json=1`` so text and URLs
are not HTML-escaped; legacy-escaped ``&amp;`` ``&lt;`` ``&gt;`` are decoded either way. Pass
``limit=100`` and page with ``after``; listings carry no follower counts, language or views.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from confiance.domain import Author, Media, MediaType, Metrics, Platform, Post, PostKind
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_int,
    as_str,
    build,
    first_json,
    get,
    head_text,
    need,
    parse_time,
    read_json,
    reject,
)

_BASE = "https://www.reddit.com"
_DELETED = {"[deleted]", "[removed]"}
_END = object()
_USER_MENTION = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")


def parse(payload: Any) -> Iterator[Item]:
    """Map a listing, or a comments page (an array of listings), to posts and comments."""
    listings = payload if isinstance(payload, list) else [payload]
    for listing in listings:
        if not _is_listing(listing):
            yield reject("a Reddit page must be a Listing or an array of Listings", listing)
            continue
        yield from _walk(listing)


def _is_listing(doc: Any) -> bool:
    return (isinstance(doc, dict) and doc.get("kind") == "Listing"
            and isinstance(get(doc, "data", "children"), list))


def _walk(listing: dict[str, Any]) -> Iterator[Item]:
    """Flatten a listing and its nested ``replies`` listings, depth first, without recursion."""
    stack: list[Iterator[Any]] = [iter(listing["data"]["children"])]
    while stack:
        child: Any = next(stack[-1], _END)
        if child is _END:
            stack.pop()
            continue
        kind = child.get("kind") if isinstance(child, dict) else None
        if kind == "more":
            continue
        data = child.get("data") if isinstance(child, dict) else None
        if kind not in ("t3", "t1") or not isinstance(data, dict):
            yield reject(f"not a post (t3) or comment (t1) thing: kind {kind!r}", child)
            continue
        if kind == "t3":
            yield build(partial(_post, data), child)
            continue
        # the nested replies are walked as items of their own, not kept in this one's raw
        replies: Any = data.get("replies")
        flat = {k: v for k, v in data.items() if k != "replies"}
        yield build(partial(_comment, flat), {**child, "data": flat})
        if _is_listing(replies):
            stack.append(iter(replies["data"]["children"]))


def _post(data: dict[str, Any]) -> Post:
    score = as_int(data.get("score"))
    if score is None:
        score = as_int(data.get("ups"))
    return Post(
        platform=Platform.REDDIT,
        platform_id=_bare(need(data, "id")),
        kind=PostKind.POST,
        url=_permalink(data),
        author=_author(data),
        title=_title(data),
        text=_text(None if data.get("selftext") in _DELETED else data.get("selftext")),
        created_at=parse_time(data.get("created_utc")),
        media=_media(data),
        mentions=_mentions(data.get("selftext")),
        metrics=Metrics(
            likes=score if score is not None and score >= 0 else None,
            comments=as_int(data.get("num_comments")),
            shares=as_int(data.get("num_crossposts")),
        ),
        raw=data,
    )


def _comment(data: dict[str, Any]) -> Post:
    parent = as_str(data.get("parent_id"))
    kind = PostKind.REPLY if parent and parent.startswith("t1_") else PostKind.COMMENT
    score = as_int(data.get("score"))
    return Post(
        platform=Platform.REDDIT,
        platform_id=_bare(need(data, "id")),
        kind=kind,
        url=_permalink(data),
        author=_author(data),
        text=_text(_body(data)),
        created_at=parse_time(data.get("created_utc")),
        parent_id=_bare(parent) if parent else None,
        mentions=_mentions(data.get("body")),
        metrics=Metrics(likes=score if score is not None and score >= 0 else None),
        raw=data,
    )


def _title(data: dict[str, Any]) -> str:
    title = _text(need(data, "title"))
    if title is None:
        raise MissingField("title")
    return title


def _body(data: dict[str, Any]) -> Any:
    """The comment body; a deleted or removed one stays (its replies need it) with no text."""
    body = need(data, "body")
    return None if body in _DELETED else body


def _bare(value: Any) -> str:
    """``t3_abc`` or ``abc`` -> ``abc``."""
    text = as_str(value)
    if text is None:
        raise ValueError(f"an id must be a string, got {value!r}")
    prefix, sep, rest = text.partition("_")
    return rest if sep and len(prefix) == 2 and prefix.startswith("t") and rest else text


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        if value is None:
            return None
        raise ValueError(f"text must be a string, got {type(value).__name__}")
    return html.unescape(value) if value else None


def _permalink(data: dict[str, Any]) -> str | None:
    permalink = data.get("permalink")
    return f"{_BASE}{permalink}" if isinstance(permalink, str) and permalink.startswith("/") \
        else None


def _author(data: dict[str, Any]) -> Author | None:
    name = data.get("author")
    if not isinstance(name, str) or not name or name in _DELETED:
        return None
    return Author(platform=Platform.REDDIT, platform_id=name, handle=name,
                  url=f"{_BASE}/user/{name}/")


def _mentions(text: Any) -> list[str]:
    if not isinstance(text, str):
        return []
    return list(dict.fromkeys(_USER_MENTION.findall(text)))


def _media(data: dict[str, Any]) -> list[Media]:
    video = get(data, "secure_media", "reddit_video") or get(data, "media", "reddit_video")
    if isinstance(video, dict):
        return [Media(url=_url(video.get("fallback_url")), type=MediaType.VIDEO,
                      width=as_int(video.get("width")), height=as_int(video.get("height")),
                      duration_s=as_int(video.get("duration")))]
    if data.get("is_gallery") and isinstance(data.get("media_metadata"), dict):
        return _gallery(data)
    return [Media(url=_url(get(image, "source", "url")), type=MediaType.IMAGE,
                  width=as_int(get(image, "source", "width")),
                  height=as_int(get(image, "source", "height")))
            for image in get(data, "preview", "images", default=[]) if isinstance(image, dict)]


def _gallery(data: dict[str, Any]) -> list[Media]:
    meta: dict[str, Any] = data["media_metadata"]
    items = [i for i in get(data, "gallery_data", "items", default=[]) if isinstance(i, dict)]
    captions = {i.get("media_id"): i.get("caption") for i in items}
    found = []
    for key in [i.get("media_id") for i in items] or list(meta):
        item = meta.get(key) if isinstance(key, str) else None
        if not isinstance(item, dict) or item.get("status") not in (None, "valid"):
            continue
        source = item.get("s") or {}
        animated = item.get("e") == "AnimatedImage"
        found.append(Media(
            url=_url(source.get("gif") if animated else source.get("u")),
            type=MediaType.GIF if animated else MediaType.IMAGE,
            width=as_int(source.get("x")), height=as_int(source.get("y")),
            alt_text=captions.get(key) or None,
        ))
    return found


def _url(value: Any) -> str | None:
    return html.unescape(value) if isinstance(value, str) and value else None




def sniff(sample: bytes) -> float:
    """Confident for a Listing (or an array of Listings) of ``t3`` / ``t1`` / ``more`` things."""
    doc = first_json(sample)
    if isinstance(doc, list) and doc:
        doc = doc[0]
    if isinstance(doc, dict):
        if not _is_listing(doc):
            return 0.0
        children = doc["data"]["children"]
        if not children:
            return 0.8 if {"after", "before", "dist"} & set(doc["data"]) else 0.0
        first = children[0]
        return 0.95 if isinstance(first, dict) and first.get("kind") in ("t3", "t1", "more") \
            else 0.0
    # A big comments page cut at 64 KiB is not valid JSON: fall back on its distinctive keys.
    text = head_text(sample)
    if re.match(r'\s*\[?\s*\{\s*"kind"\s*:\s*"Listing"', text) and re.search(
            r'"kind"\s*:\s*"t[13]"', text):
        return 0.8
    return 0.0


FORMATS = (
    SourceFormat(
        name="reddit",
        description="Reddit listing JSON: subreddit/search listings and post comments pages",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
