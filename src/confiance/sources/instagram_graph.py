"""Instagram Graph API response pages: hashtag media, own media and comments.

Three edges share one envelope, ``{"data": [...], "paging": {"cursors": {...}, "next": ...}}``:

* hashtag search ``GET /{ig-hashtag-id}/recent_media`` and ``/top_media`` with
  ``user_id={ig-user-id}&fields=id,caption,media_type,media_url,permalink,timestamp,
  like_count,comments_count,children{media_type,media_url}``. The API does not expose who
  posted hashtag media: those posts have no author;
* the business account's own media ``GET /{ig-user-id}/media`` with the same fields plus
  ``username,owner,media_product_type`` (and optionally ``comments{...}``, mapped as comments
  of that media);
* comments ``GET /{ig-media-id}/comments`` with ``fields=id,text,timestamp,username,
  like_count,from{id,username},parent_id,replies{id,text,timestamp,username,like_count,
  from{id,username},parent_id}``. Add ``media{id}`` to link top-level comments to their media:
  the page alone does not say which media it belongs to, so without it ``parent_id`` is None.

Hashtags and mentions are read from the caption or comment text (the API gives no entities).
A comment author needs ``from{id}``: a bare ``username`` is kept in ``raw`` only.
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

_MEDIA_TYPES = {"IMAGE": MediaType.IMAGE, "VIDEO": MediaType.VIDEO}
_ALBUM = "CAROUSEL_ALBUM"
# A hashtag needs one letter (so "#2" is not one); a username is ASCII letters, digits, "_"
# and "." that neither starts nor ends with a dot.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")
_GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")
_COMMENT_KEYS = frozenset({"text", "parent_id", "replies", "from", "hidden"})
_MEDIA_KEYS = frozenset({"caption", "media_type", "media_url", "permalink", "comments_count",
                         "children", "media_product_type", "owner"})
_COMMENT_EDGES = ("/comments", "/replies")


def parse(payload: Any) -> Iterator[Item]:
    """Map one response page to posts (media) or comments and replies."""
    items = page_items(payload, "data", "an Instagram Graph API response page")
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
            yield build(partial(_media_post, item), item)
            media_id = as_str(item.get("id"))
            for comment in _edge(item.get("comments")):
                yield from _comment_tree(comment, media_id, nested=False)


def _is_comments_page(payload: dict[str, Any], items: list[Any]) -> bool:
    next_url = get(payload, "paging", "next") or get(payload, "paging", "previous")
    if isinstance(next_url, str):
        path = next_url.split("?", 1)[0]
        return path.endswith(_COMMENT_EDGES)
    dicts = [i for i in items if isinstance(i, dict)]
    return any(_COMMENT_KEYS & i.keys() and not _MEDIA_KEYS & i.keys() for i in dicts)


def _edge(value: Any) -> list[Any]:
    """The items of a nested edge: ``{"data": [...]}`` as the Graph API returns it."""
    items = value.get("data") if isinstance(value, dict) else value
    return items if isinstance(items, list) else []


def _media_post(item: dict[str, Any]) -> Post:
    media_id = _id(item)
    caption = item.get("caption") or None
    media = _media(item)
    if caption is None and not media:
        raise MissingField("caption")
    kind = PostKind.STORY if item.get("media_product_type") == "STORY" else PostKind.POST
    return Post(
        platform=Platform.INSTAGRAM,
        platform_id=media_id,
        kind=kind,
        url=as_str(item.get("permalink")),
        author=_owner(item),
        text=caption,
        created_at=parse_time(item.get("timestamp")),
        media=media,
        hashtags=hashtags_in(caption),
        mentions=mentions_in(caption),
        metrics=Metrics(likes=as_int(item.get("like_count")),
                        comments=as_int(item.get("comments_count"))),
        raw=item,
    )


def _media(item: dict[str, Any]) -> list[Media]:
    media_type = item.get("media_type")
    if media_type == _ALBUM:
        children = [c for c in _edge(item.get("children")) if isinstance(c, dict)]
        if children:
            return [m for c in children for m in _media(c)]
        url = as_str(item.get("media_url"))
        return [Media(url=url, type=MediaType.OTHER)] if url else []
    if media_type in _MEDIA_TYPES:
        return [Media(url=as_str(item.get("media_url")), type=_MEDIA_TYPES[media_type])]
    url = as_str(item.get("media_url"))
    return [Media(url=url, type=MediaType.OTHER)] if url else []


def _owner(item: dict[str, Any]) -> Author | None:
    owner_id = as_str(get(item, "owner", "id"))
    if owner_id is None:
        return None
    return _author(owner_id, item.get("username") or get(item, "owner", "username"))


def _author(user_id: str, username: Any) -> Author:
    handle = as_str(username)
    return Author(
        platform=Platform.INSTAGRAM,
        platform_id=user_id,
        handle=handle,
        url=f"https://www.instagram.com/{handle}/" if handle else None,
    )


def _comment_tree(item: Any, parent: str | None, *, nested: bool) -> Iterator[Item]:
    """A comment then its replies; a reply's parent is its ``parent_id`` or the comment."""
    if not isinstance(item, dict):
        yield reject("a comment must be a JSON object", item)
        return
    yield build(partial(_comment, item, parent, nested), item)
    for reply in _edge(item.get("replies")):
        yield from _comment_tree(reply, as_str(item.get("id")), nested=True)


def _comment(item: dict[str, Any], parent: str | None, nested: bool) -> Post:
    comment_id = _id(item)
    text = item.get("text")
    if not isinstance(text, str) or not text.strip():
        raise MissingField("text")
    own_parent = as_str(item.get("parent_id"))
    if own_parent or nested:
        kind, parent_id = PostKind.REPLY, own_parent or parent
    else:
        kind, parent_id = PostKind.COMMENT, as_str(get(item, "media", "id")) or parent
    user_id = as_str(get(item, "from", "id"))
    username = item.get("username") or get(item, "from", "username")
    return Post(
        platform=Platform.INSTAGRAM,
        platform_id=comment_id,
        kind=kind,
        author=_author(user_id, username) if user_id else None,
        text=text,
        created_at=parse_time(item.get("timestamp")),
        parent_id=parent_id,
        hashtags=hashtags_in(text),
        mentions=mentions_in(text),
        metrics=Metrics(likes=as_int(item.get("like_count"))),
        raw=item,
    )


def _id(item: dict[str, Any]) -> str:
    value = item.get("id")
    if value is None:
        raise MissingField("id")
    item_id = as_str(value)
    if item_id is None:
        raise ValueError("'id' must be a string")
    return item_id



def mentions_in(text: str | None) -> list[str]:
    """Usernames mentioned in a caption or comment, without '@', in order, each once."""
    return list(dict.fromkeys(_MENTION.findall(text))) if text else []


def sniff(sample: bytes) -> float:
    """Confident for a ``data`` page whose first item is Instagram media (``media_type``
    IMAGE/VIDEO/CAROUSEL_ALBUM) or a comment (``text`` with a Graph ``timestamp``)."""
    doc = first_json(sample)
    if doc is None:
        return _sniff_text(head_text(sample))
    items = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        return 0.0
    first = items[0]
    permalink = first.get("permalink")
    if isinstance(permalink, str) and "instagram.com/" not in permalink:
        return 0.0  # Threads and other Meta apps share the field names
    if "created_time" in first or "message" in first or "created_at" in first:
        return 0.0
    graph_time = isinstance(first.get("timestamp"), str) and bool(
        _GRAPH_TIME.match(first["timestamp"]))
    if first.get("media_type") in ("IMAGE", "VIDEO", _ALBUM):
        return 0.9 if graph_time or "permalink" in first else 0.7
    if "text" in first and graph_time:
        return 0.85 if "paging" in doc or _COMMENT_KEYS & first.keys() - {"text"} else 0.7
    return 0.0


def _sniff_text(text: str) -> float:
    """A sample cut before its end: look for the distinctive fields in the raw text."""
    if '"created_time"' in text or not text.lstrip().startswith("{"):
        return 0.0
    if re.search(r'"media_type"\s*:\s*"(IMAGE|VIDEO|CAROUSEL_ALBUM)"', text) and (
        '"permalink"' not in text or "instagram.com" in text
    ):
        return 0.7
    if re.search(r'"timestamp"\s*:\s*"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000"', text) and (
        '"text"' in text
    ):
        return 0.6
    return 0.0


FORMATS = (
    SourceFormat(
        name="instagram-graph",
        description="Instagram Graph API hashtag media, own media or comments pages "
                    "(JSON or JSON Lines)",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
