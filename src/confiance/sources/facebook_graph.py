"""Facebook Graph API response pages: a Page's posts and a post's comments.

Both edges share one envelope, ``{"data": [...], "paging": {"cursors": {...}, "next": ...}}``:

* Page posts ``GET /{page-id}/feed`` (or ``/posts``, ``/published_posts``) with
  ``fields=id,message,message_tags,created_time,permalink_url,from{id,name},
  attachments{media,type,url,subattachments},reactions.summary(total_count).limit(0),
  comments.summary(total_count).limit(0),shares``. Requesting ``comments{id,message,
  created_time,from,like_count,comment_count}`` instead of ``limit(0)`` embeds comments,
  which are then mapped too, linked to their post;
* comments ``GET /{post-id}/comments`` with ``filter=stream&fields=id,message,created_time,
  from,like_count,comment_count,parent{id},attachment,permalink_url,message_tags``.
  ``parent`` marks replies; a top-level comment's post is not in the page, so its
  ``parent_id`` stays None (embed comments in the feed request to keep the link). Ask for
  ``like_count`` or ``comment_count``: a page of bare ``id,message,created_time`` items
  without a ``paging.next`` link cannot be told from a page of posts.

``from`` is only returned with a Page access token; without it posts have no author. Times
are ``2026-10-02T08:15:30+0000``; ``shares`` is absent (not zero) on a post never shared.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from confiance.domain import Author, Media, MediaType, Metrics, Platform, Post, PostKind, Rejected
from confiance.sources.base import (
    Item,
    MissingField,
    SourceFormat,
    as_int,
    as_str,
    build,
    first_json,
    get,
    hashtags_in,
    head_text,
    page_items,
    parse_time,
    read_json,
    reject,
)

_GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
_COMMENT_KEYS = frozenset({"parent", "like_count", "comment_count", "attachment", "can_reply",
                           "user_likes", "is_hidden", "can_remove", "object"})
_POST_KEYS = frozenset({"attachments", "shares", "status_type", "story", "full_picture",
                        "is_published", "reactions"})
_COMMENT_EDGES = ("/comments", "/replies")
_IMAGE_TYPES = frozenset({"photo", "album", "new_album", "cover_photo", "profile_media",
                          "sticker"})


def parse(payload: Any) -> Iterator[Item]:
    """Map one response page to posts, or to comments and replies."""
    items = page_items(payload, "data", "a Facebook Graph API response page")
    if isinstance(items, Rejected):
        yield items
        return
    comments_page = _is_comments_page(payload, items)
    for item in items:
        if not isinstance(item, dict):
            yield reject("each item of 'data' must be a JSON object", item)
        elif comments_page:
            yield from _comment_tree(item, None, nested=False)
        else:
            yield build(partial(_post, item), item)
            for comment in _edge(item.get("comments")):
                yield from _comment_tree(comment, as_str(item.get("id")), nested=False)


def _is_comments_page(payload: dict[str, Any], items: list[Any]) -> bool:
    next_url = get(payload, "paging", "next") or get(payload, "paging", "previous")
    if isinstance(next_url, str):
        return next_url.split("?", 1)[0].endswith(_COMMENT_EDGES)
    dicts = [i for i in items if isinstance(i, dict)]
    return any(_COMMENT_KEYS & i.keys() and not _POST_KEYS & i.keys() for i in dicts)


def _edge(value: Any) -> list[Any]:
    """The items of a nested edge: ``{"data": [...], "summary": ...}``."""
    items = value.get("data") if isinstance(value, dict) else None
    return items if isinstance(items, list) else []


def _post(item: dict[str, Any]) -> Post:
    post_id = _id(item)
    text = item.get("message") or None
    media = [m for a in _edge(item.get("attachments")) for m in _attachment(a)]
    if text is None and not media:
        raise MissingField("message")
    return Post(
        platform=Platform.FACEBOOK,
        platform_id=post_id,
        kind=PostKind.POST,
        url=as_str(item.get("permalink_url")),
        author=_author(item.get("from")),
        text=text,
        created_at=parse_time(item.get("created_time")),
        media=media,
        hashtags=hashtags_in(text),
        mentions=_mentions(item),
        metrics=Metrics(
            likes=_total(item, "reactions") if "reactions" in item else _total(item, "likes"),
            comments=_total(item, "comments"),
            shares=as_int(get(item, "shares", "count")),
        ),
        raw=item,
    )


def _comment_tree(item: Any, parent: str | None, *, nested: bool) -> Iterator[Item]:
    """A comment then its embedded replies (``comments{comments{...}}``)."""
    if not isinstance(item, dict):
        yield reject("a comment must be a JSON object", item)
        return
    yield build(partial(_comment, item, parent, nested), item)
    for reply in _edge(item.get("comments")):
        yield from _comment_tree(reply, as_str(item.get("id")), nested=True)


def _comment(item: dict[str, Any], parent: str | None, nested: bool) -> Post:
    comment_id = _id(item)
    text = item.get("message") or None
    attachment = item.get("attachment")
    media = _attachment(attachment) if isinstance(attachment, dict) else []
    if text is None and not media:
        raise MissingField("message")
    own_parent = as_str(get(item, "parent", "id"))
    reply = own_parent is not None or nested
    likes = _total(item, "reactions") if "reactions" in item else as_int(item.get("like_count"))
    return Post(
        platform=Platform.FACEBOOK,
        platform_id=comment_id,
        kind=PostKind.REPLY if reply else PostKind.COMMENT,
        url=as_str(item.get("permalink_url")),
        author=_author(item.get("from")),
        text=text,
        created_at=parse_time(item.get("created_time")),
        parent_id=own_parent or parent,
        media=media,
        hashtags=hashtags_in(text),
        mentions=_mentions(item),
        metrics=Metrics(likes=likes, comments=as_int(item.get("comment_count"))),
        raw=item,
    )


def _author(user: Any) -> Author | None:
    user_id = as_str(get(user, "id"))
    if user_id is None:
        return None
    return Author(
        platform=Platform.FACEBOOK,
        platform_id=user_id,
        handle=as_str(user.get("username")),
        display_name=as_str(user.get("name")),
        followers=as_int(user.get("followers_count")),
        url=as_str(user.get("link")),
    )


def _attachment(attachment: dict[str, Any]) -> list[Media]:
    """An attachment's media, or its sub-attachments' for albums and multi-shares."""
    subs = [s for s in _edge(attachment.get("subattachments")) if isinstance(s, dict)]
    if subs:
        return [m for s in subs for m in _attachment(s)]
    kind = str(attachment.get("type") or "")
    image = get(attachment, "media", "image", default={})
    if not isinstance(image, dict):
        image = {}
    if "animated" in kind:
        media_type = MediaType.GIF
    elif "video" in kind:
        url = as_str(get(attachment, "media", "source")) or as_str(attachment.get("url"))
        return [Media(url=url, type=MediaType.VIDEO)]
    else:
        media_type = MediaType.IMAGE if kind in _IMAGE_TYPES else MediaType.OTHER
    src = as_str(image.get("src"))
    if src is None:
        return []
    return [Media(url=src, type=media_type, width=as_int(image.get("width")),
                  height=as_int(image.get("height")))]


def _total(item: dict[str, Any], edge: str) -> int | None:
    return as_int(get(item, edge, "summary", "total_count"))


def _mentions(item: dict[str, Any]) -> list[str]:
    """Names of the profiles and Pages tagged in the message (``message_tags``)."""
    tags = item.get("message_tags")
    if isinstance(tags, dict):  # older versions keyed the tags by offset
        tags = [t for group in tags.values() if isinstance(group, list) for t in group]
    if not isinstance(tags, list):
        return []
    names = [as_str(t.get("name")) for t in tags if isinstance(t, dict)]
    return list(dict.fromkeys(n for n in names if n))


def _id(item: dict[str, Any]) -> str:
    value = item.get("id")
    if value is None:
        raise MissingField("id")
    item_id = as_str(value)
    if item_id is None:
        raise ValueError("'id' must be a string")
    return item_id


def sniff(sample: bytes) -> float:
    """Confident for a ``data`` page whose first item has a Graph ``created_time``
    (``+0000`` offset) with a ``message``, ``from``, ``permalink_url`` or attachments."""
    doc = first_json(sample)
    if doc is None:
        text = head_text(sample)
        if text.lstrip().startswith("{") and re.search(
                r'"created_time"\s*:\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000"', text):
            return 0.7
        return 0.0
    items = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        return 0.0
    first = items[0]
    created = first.get("created_time")
    if not isinstance(created, str) or not _GRAPH_TIME.match(created):
        return 0.0
    if not {"message", "from", "permalink_url", "attachments", "attachment", "story"} & (
            first.keys()):
        return 0.0
    item_id = as_str(first.get("id")) or ""
    return 0.9 if re.fullmatch(r"\d+_\d+", item_id) else 0.75


FORMATS = (
    SourceFormat(
        name="facebook-graph",
        description="Facebook Graph API Page feed/posts or post comments pages "
                    "(JSON or JSON Lines)",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
