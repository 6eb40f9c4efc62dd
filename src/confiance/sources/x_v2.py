"""X (Twitter) API v2 search responses: ``GET /2/tweets/search/recent`` and ``/search/all``.

One response page holds ``data`` (tweets), ``includes.users``, ``includes.media`` and
``meta`` (``result_count``, ``next_token``). Expansions must have been requested with
``expansions=author_id,attachments.media_keys`` for authors and media to be present; a tweet
whose author was not expanded keeps only the author id.
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
    as_list,
    as_str,
    build,
    first_json,
    get,
    has_keys,
    need,
    parse_time,
    read_json,
    reject,
)

_MEDIA_TYPES = {"photo": MediaType.IMAGE, "video": MediaType.VIDEO, "animated_gif": MediaType.GIF}


def parse(payload: Any) -> Iterator[Item]:
    """Map one search response page to posts; a page without ``data`` yields nothing."""
    if not isinstance(payload, dict):
        yield reject("an X API v2 response page must be a JSON object", payload)
        return
    tweets = payload.get("data")
    if tweets is None:
        if payload.get("errors"):
            yield reject(f"the response holds only errors: {payload['errors']!r:.300}", payload)
        return
    if not isinstance(tweets, list):
        yield reject("'data' must be a list of tweets", payload)
        return
    # Keys as strings: an id of another type (a list, say) must not break the whole page.
    users = {as_str(u.get("id")): u for u in as_list(get(payload, "includes", "users"))
             if isinstance(u, dict)}
    media = {as_str(m.get("media_key")): m for m in as_list(get(payload, "includes", "media"))
             if isinstance(m, dict)}
    for tweet in tweets:
        yield build(partial(_post, tweet, users, media), tweet)


def _post(tweet: dict[str, Any], users: dict[Any, Any], media: dict[Any, Any]) -> Post:
    tweet_id = as_str(need(tweet, "id"))
    if tweet_id is None:
        raise ValueError("'id' must be a string")
    author_id = as_str(tweet.get("author_id"))
    user = users.get(author_id)
    author = _author(user) if user else (
        Author(platform=Platform.X, platform_id=author_id) if author_id else None)
    kind, parent = PostKind.POST, None
    for ref in tweet.get("referenced_tweets") or []:
        if ref.get("type") == "replied_to":
            kind, parent = PostKind.REPLY, as_str(ref.get("id"))
    metrics = tweet.get("public_metrics") or {}
    entities = tweet.get("entities") or {}
    handle = author.handle if author else None
    return Post(
        platform=Platform.X,
        platform_id=tweet_id,
        kind=kind,
        url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
        author=author,
        text=need(tweet, "text"),
        language=_language(tweet.get("lang")),
        created_at=parse_time(tweet.get("created_at")),
        parent_id=parent,
        media=[_media(media[k]) for k in get(tweet, "attachments", "media_keys", default=[])
               if k in media],
        hashtags=[h["tag"] for h in entities.get("hashtags") or [] if h.get("tag")],
        mentions=[m["username"] for m in entities.get("mentions") or [] if m.get("username")],
        metrics=Metrics(
            likes=as_int(metrics.get("like_count")),
            comments=as_int(metrics.get("reply_count")),
            shares=_sum(metrics.get("retweet_count"), metrics.get("quote_count")),
            views=as_int(metrics.get("impression_count")),
        ),
        raw=tweet,
    )


def _author(user: dict[str, Any]) -> Author:
    metrics = user.get("public_metrics") or {}
    handle = user.get("username")
    return Author(
        platform=Platform.X,
        platform_id=as_str(need(user, "id")) or "",
        handle=handle,
        display_name=user.get("name"),
        followers=as_int(metrics.get("followers_count")),
        following=as_int(metrics.get("following_count")),
        post_count=as_int(metrics.get("tweet_count")),
        verified=user.get("verified"),
        bio=user.get("description") or None,
        location=user.get("location") or None,
        url=f"https://x.com/{handle}" if handle else None,
    )


def _media(item: dict[str, Any]) -> Media:
    return Media(
        url=item.get("url") or item.get("preview_image_url"),
        type=_MEDIA_TYPES.get(item.get("type", ""), MediaType.OTHER),
        width=as_int(item.get("width")),
        height=as_int(item.get("height")),
        duration_s=(as_int(item.get("duration_ms")) or 0) / 1000 or None,
        alt_text=item.get("alt_text"),
    )


def _language(lang: Any) -> str | None:
    # X marks undetermined text "und" and hashtag-only text "qht" and the like: unknown to us.
    if not isinstance(lang, str) or lang in {"und", "qam", "qct", "qht", "qme", "qst", "zxx"}:
        return None
    return lang


def _sum(*values: Any) -> int | None:
    counts = [as_int(v) for v in values]
    known = [c for c in counts if c is not None]
    return sum(known) if known else None


def sniff(sample: bytes) -> float:
    """Confident when the first page has ``data`` tweets with ``text`` and ``edit_history``
    or ``author_id``, or an X-style ``meta`` with ``newest_id``."""
    doc = first_json(sample)
    if not isinstance(doc, dict):
        return 0.0
    meta = doc.get("meta") or {}
    if isinstance(meta, dict) and ("newest_id" in meta or "result_count" in meta) and (
        "data" in doc or "includes" in doc
    ):
        return 0.9
    tweets = doc.get("data")
    if isinstance(tweets, list) and tweets and has_keys(tweets[0], ("id", "text")):
        return 0.7 if "edit_history_tweet_ids" in tweets[0] or "author_id" in tweets[0] else 0.0
    return 0.0


FORMATS = (
    SourceFormat(
        name="x-v2",
        description="X API v2 search/recent or search/all response pages (JSON or JSON Lines)",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
