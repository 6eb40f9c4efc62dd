"""TikTok Research API responses: ``POST /v2/research/video/query/`` (videos) and
``POST /v2/research/video/comment/list/`` (comments of one video).

A page is ``{"data": {"videos" | "comments": [...], "cursor", "has_more", "search_id"?},
"error": {"code", "message", "log_id"}}``; page with ``cursor`` (and ``search_id`` for
videos), ``max_count=100``; a file is one response or JSON Lines of responses. TikTok returns
only the fields named in the ``fields`` query parameter, so ask for all of them:
``fields=id,video_description,create_time,region_code,share_count,view_count,like_count,
comment_count,music_id,hashtag_names,username,effect_ids,playlist_id,voice_to_text,
video_duration`` for videos and ``fields=id,video_id,text,like_count,reply_count,
parent_comment_id,create_time`` for comments.

Ids are 64-bit integers in the JSON; they are kept as decimal strings, exactly (orjson and
the standard library parse them as ``int``; a file written by a tool that turned them into
floats has lost digits, and such an id is rejected). Every video is a video: it gets one
``video`` media entry, with its duration when given and no URL (the API gives none). The
spoken transcript (``voice_to_text``) and ``region_code`` (a country, not a language) stay in
``raw``. Comments carry no author and no URL in this API. A top-level comment's
``parent_comment_id`` is its video's id: it becomes a ``comment`` of the video, any other one
a ``reply`` to its parent comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

from confiance.domain import Author, Media, MediaType, Metrics, Platform, Post, PostKind
from confiance.sources.base import (
    Item,
    SourceFormat,
    as_int,
    as_str,
    build,
    first_json,
    get,
    has_keys,
    head_text,
    need,
    parse_time,
    read_json,
    reject,
)

_VIDEO_MARKS = ("video_description", "hashtag_names", "region_code", "voice_to_text")


def parse(payload: Any) -> Iterator[Item]:
    """Map one video-query or comment-list response page to posts or comments."""
    if not isinstance(payload, dict):
        yield reject("a TikTok Research API response must be a JSON object", payload)
        return
    code = get(payload, "error", "code")
    data = payload.get("data")
    videos, comments = get(data, "videos"), get(data, "comments")
    if videos is None and comments is None:
        if code is not None and code != "ok":
            message = get(payload, "error", "message", default="")
            yield reject(f"the API answered error {code!r}: {message!s:.300}", payload)
        elif not isinstance(data, dict):
            yield reject("a TikTok Research API response needs 'data'", payload)
        return
    for items, make in ((videos, _video), (comments, _comment)):
        if items is None:
            continue
        if not isinstance(items, list):
            yield reject("'data.videos' / 'data.comments' must be a list", payload)
            continue
        for item in items:
            yield build(partial(make, item), item)


def _id(item: Any, key: str) -> str:
    value = need(item, key)
    text = as_str(value)
    if text is None or not text.isdigit():
        raise ValueError(f"'{key}' must be an integer id, got {value!r}")
    return text


def _video(item: Any) -> Post:
    video_id = _id(item, "id")
    username = as_str(item.get("username"))
    duration = item.get("video_duration")
    description = item.get("video_description")
    if description is not None and not isinstance(description, str):
        raise ValueError("'video_description' must be a string")
    return Post(
        platform=Platform.TIKTOK,
        platform_id=video_id,
        kind=PostKind.POST,
        url=f"https://www.tiktok.com/@{username}/video/{video_id}" if username else None,
        author=Author(platform=Platform.TIKTOK, platform_id=username, handle=username,
                      url=f"https://www.tiktok.com/@{username}") if username else None,
        text=description or None,
        created_at=parse_time(item.get("create_time")),
        media=[Media(type=MediaType.VIDEO,
                     duration_s=duration if isinstance(duration, int | float)
                     and not isinstance(duration, bool) and duration >= 0 else None)],
        hashtags=[h.lstrip("#") for h in item.get("hashtag_names") or []
                  if isinstance(h, str) and h.lstrip("#")],
        mentions=[m.lstrip("@") for m in item.get("video_mention_list") or []
                  if isinstance(m, str) and m.lstrip("@")],
        metrics=Metrics(
            likes=as_int(item.get("like_count")),
            comments=as_int(item.get("comment_count")),
            shares=as_int(item.get("share_count")),
            views=as_int(item.get("view_count")),
        ),
        raw=item,
    )


def _comment(item: Any) -> Post:
    comment_id = _id(item, "id")
    video_id = _id(item, "video_id")
    parent = as_str(item.get("parent_comment_id"))
    is_reply = parent is not None and parent != video_id
    text = need(item, "text")
    if not isinstance(text, str):
        raise ValueError("'text' must be a string")
    return Post(
        platform=Platform.TIKTOK,
        platform_id=comment_id,
        kind=PostKind.REPLY if is_reply else PostKind.COMMENT,
        text=text,
        created_at=parse_time(item.get("create_time")),
        parent_id=parent if is_reply else video_id,
        metrics=Metrics(likes=as_int(item.get("like_count")),
                        comments=as_int(item.get("reply_count"))),
        raw=item,
    )




def sniff(sample: bytes) -> float:
    """Confident for a ``data.videos`` / ``data.comments`` page, above all with the
    ``error: {code, message, log_id}`` envelope of TikTok's v2 APIs."""
    doc = first_json(sample)
    if not isinstance(doc, dict):
        # a page cut at 64 KiB is not valid JSON: fall back on the distinctive field names
        text = head_text(sample).lstrip()
        videos = '"videos"' in text and sum(f'"{m}"' in text for m in _VIDEO_MARKS) >= 2
        comments = all(k in text for k in ('"comments"', '"parent_comment_id"', '"video_id"'))
        return 0.75 if text.startswith("{") and (videos or comments) else 0.0
    envelope = has_keys(doc.get("error"), ("code", "log_id"))
    data = doc.get("data")
    if envelope and (data is None or data == {}):
        return 0.7  # an error page of the Research API: imported as one rejection
    if not isinstance(data, dict):
        return 0.0
    for key, marks in (("videos", _VIDEO_MARKS), ("comments", ("video_id", "parent_comment_id"))):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        if envelope:
            return 0.95
        first = items[0] if items else None
        if isinstance(first, dict) and "id" in first and any(m in first for m in marks):
            return 0.8
    return 0.0


FORMATS = (
    SourceFormat(
        name="tiktok-research",
        description="TikTok Research API video query and comment list responses",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
