"""YouTube Data API v3 comment responses: ``commentThreads.list`` and ``comments.list``.

``GET https://www.googleapis.com/youtube/v3/commentThreads?part=snippet,replies&videoId=...``
(or ``allThreadsRelatedToChannelId=...``) returns ``kind: youtube#commentThreadListResponse``
with ``items`` (``youtube#commentThread``), ``nextPageToken`` and ``pageInfo``. Each thread
holds ``snippet.topLevelComment`` and, when ``part`` includes ``replies``, up to five of its
replies in ``replies.comments``; ``snippet.totalReplyCount`` gives the full count, and
``comments.list?part=snippet&parentId={commentId}`` (``youtube#commentListResponse``, also
read here) fetches the rest.

Top-level comments map to ``kind=comment`` with the video id as ``parent_id``; replies to
``kind=reply`` with ``snippet.parentId``. The text is ``textOriginal``; when it is missing,
``textDisplay`` (HTML unless ``textFormat=plainText``) is used with its markup removed.
The API gives no language.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import quote

from confiance.domain import Author, Metrics, Platform, Post, PostKind
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
    need,
    parse_time,
    read_json,
    reject,
)

_RESPONSES = ("youtube#commentThreadListResponse", "youtube#commentListResponse")
_THREAD, _COMMENT = "youtube#commentThread", "youtube#comment"
# A handle is letters, digits, "_", "-" and "." (3 to 30 of them).
_MENTION = re.compile(r"(?<![\w@.])@(\w(?:[\w.\-]*\w)?)")
_HANDLE_URL = re.compile(r"youtube\.com/@([^/?#]+)")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def parse(payload: Any) -> Iterator[Item]:
    """Map one response page: each thread's top-level comment, then its replies."""
    if not isinstance(payload, dict):
        yield reject("a YouTube API response page must be a JSON object", payload)
        return
    if "items" not in payload:
        error = payload.get("error")
        yield reject(f"the response holds an error: {error!r:.300}" if error
                     else "missing required field 'items'", payload)
        return
    kind = payload.get("kind")
    if kind is not None and kind not in _RESPONSES:
        yield reject(f"not a commentThreads or comments response: kind {kind!r:.80}", payload)
        return
    items = payload["items"]
    if not isinstance(items, list):
        yield reject("'items' must be a list", payload)
        return
    for item in items:
        if not isinstance(item, dict):
            yield reject("each item of 'items' must be a JSON object", item)
        elif item.get("kind") == _THREAD or (
                item.get("kind") is None and get(item, "snippet", "topLevelComment")):
            yield from _thread(item)
        elif item.get("kind") in (_COMMENT, None):
            yield build(partial(_comment, item, None, None), item)
        else:
            yield reject(f"unexpected item kind {item.get('kind')!r:.80}", item)


def _thread(thread: dict[str, Any]) -> Iterator[Item]:
    video_id = as_str(get(thread, "snippet", "videoId"))
    reply_count = as_int(get(thread, "snippet", "totalReplyCount"))
    yield build(partial(_top_level, thread, video_id, reply_count), thread)
    replies = get(thread, "replies", "comments", default=[])
    for reply in replies if isinstance(replies, list) else []:
        if isinstance(reply, dict):
            yield build(partial(_comment, reply, video_id, None), reply)
        else:
            yield reject("a reply must be a JSON object", reply)


def _top_level(thread: dict[str, Any], video_id: str | None, replies: int | None) -> Post:
    comment = need(thread, "snippet", "topLevelComment")
    if not isinstance(comment, dict):
        raise ValueError("'snippet.topLevelComment' must be an object")
    post = _comment(comment, video_id, replies)
    post.raw = thread
    return post


def _comment(comment: dict[str, Any], video_id: str | None, replies: int | None) -> Post:
    comment_id = as_str(need(comment, "id"))
    if comment_id is None:
        raise ValueError("'id' must be a string")
    snippet = need(comment, "snippet")
    text = _text(snippet)
    parent = as_str(snippet.get("parentId"))
    video = as_str(snippet.get("videoId")) or video_id
    return Post(
        platform=Platform.YOUTUBE,
        platform_id=comment_id,
        kind=PostKind.REPLY if parent else PostKind.COMMENT,
        url=(f"https://www.youtube.com/watch?v={quote(video, safe='')}"
             f"&lc={quote(comment_id, safe='.')}") if video else None,
        author=_author(snippet),
        text=text,
        created_at=parse_time(snippet.get("publishedAt")),
        parent_id=parent or video,
        hashtags=hashtags_in(text),
        mentions=list(dict.fromkeys(_MENTION.findall(text))),
        metrics=Metrics(likes=as_int(snippet.get("likeCount")), comments=replies),
        raw=comment,
    )


def _text(snippet: dict[str, Any]) -> str:
    original = snippet.get("textOriginal")
    if isinstance(original, str) and original.strip():
        return original
    shown = snippet.get("textDisplay")
    if isinstance(shown, str) and shown.strip():
        return html.unescape(_TAG.sub("", _BREAK.sub("\n", shown)))
    raise MissingField("snippet.textOriginal")


def _author(snippet: dict[str, Any]) -> Author | None:
    channel_id = as_str(get(snippet, "authorChannelId", "value"))
    if channel_id is None:
        return None
    name = as_str(snippet.get("authorDisplayName"))
    url = as_str(snippet.get("authorChannelUrl"))
    found = _HANDLE_URL.search(url) if url else None
    if found:
        handle: str | None = found.group(1)
    else:
        handle = name[1:] if name and name.startswith("@") and len(name) > 1 else None
    return Author(platform=Platform.YOUTUBE, platform_id=channel_id, handle=handle,
                  display_name=name, url=url)


def sniff(sample: bytes) -> float:
    """Confident for a ``youtube#commentThreadListResponse`` or ``commentListResponse``."""
    doc = first_json(sample)
    if doc is None:
        text = head_text(sample)
        pattern = r'"kind"\s*:\s*"youtube#comment(Thread)?ListResponse"'
        return 0.9 if text.lstrip().startswith("{") and re.search(pattern, text) else 0.0
    if not isinstance(doc, dict):
        return 0.0
    if doc.get("kind") in _RESPONSES:
        return 0.95
    items = doc.get("items")
    if doc.get("kind") is None and isinstance(items, list) and items and isinstance(
            items[0], dict) and items[0].get("kind") in (_THREAD, _COMMENT):
        return 0.8
    return 0.0


FORMATS = (
    SourceFormat(
        name="youtube-comments",
        description="YouTube Data API v3 commentThreads.list or comments.list response pages "
                    "(JSON or JSON Lines)",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
