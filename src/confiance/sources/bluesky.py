"""Bluesky (AT Protocol) AppView responses: ``app.bsky.feed.searchPosts`` and
``app.bsky.feed.getPosts`` (``{"posts": [PostView]}``), ``app.bsky.feed.getAuthorFeed``,
``getTimeline`` and ``getFeed`` (``{"feed": [{"post": PostView, "reply"?, "reason"?}]}``).

Page with ``cursor`` (``limit=100`` for search and feeds); a file is one response or JSON Lines
of responses. ``platform_id`` is the post's ``at://`` URI (unique network-wide) and
``parent_id`` the ``record.reply.parent.uri``, so replies and parents share one id scheme.
Authors are keyed by DID (stable; a handle can change). A feed item's ``reply`` context
(root and parent posts) is not mapped on its own; a repost (``reason``) is mapped as the
reposted post, with the whole feed item in ``raw``. Post views carry no follower counts
(``ProfileViewBasic``): fetch ``app.bsky.actor.getProfiles`` for those.

Times: ``record.createdAt`` is the time the author's client declared; ``indexedAt`` (kept in
``raw``) is when the AppView saw the post.
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
    head_text,
    need,
    parse_time,
    read_json,
    reject,
)

_APP = "https://bsky.app"
_POST_TYPE = "app.bsky.feed.post"
_FACET = "app.bsky.richtext.facet#"


def parse(payload: Any) -> Iterator[Item]:
    """Map one response page (``posts`` or ``feed``) to posts; reposts map the original."""
    if not isinstance(payload, dict):
        yield reject("a Bluesky response page must be a JSON object", payload)
        return
    if isinstance(payload.get("posts"), list):
        for view in payload["posts"]:
            yield build(partial(_post, view, view), view)
    elif isinstance(payload.get("feed"), list):
        for entry in payload["feed"]:
            yield build(partial(_feed_item, entry), entry)
    elif "error" in payload:
        yield reject(f"the response is an error: {payload.get('error')!s:.100}: "
                     f"{payload.get('message')!s:.300}", payload)
    else:
        yield reject("a Bluesky response page needs a 'posts' or a 'feed' list", payload)


def _feed_item(entry: Any) -> Post:
    return _post(need(entry, "post"), entry)


def _post(view: Any, raw: Any) -> Post:
    uri = as_str(need(view, "uri"))
    if uri is None or not uri.startswith("at://"):
        raise ValueError(f"'uri' must be an at:// URI, got {uri!r}")
    record = need(view, "record")
    if record.get("$type", _POST_TYPE) != _POST_TYPE:
        raise ValueError(f"not an {_POST_TYPE} record: {record.get('$type')!r}")
    text = need(view, "record", "text")
    if not isinstance(text, str):
        raise ValueError("'record.text' must be a string")
    author = _author(need(view, "author"))
    parent = as_str(get(record, "reply", "parent", "uri"))
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) \
        and len(langs[0]) <= 16 else None
    return Post(
        platform=Platform.BLUESKY,
        platform_id=uri,
        kind=PostKind.REPLY if parent else PostKind.POST,
        url=f"{_APP}/profile/{_profile(author)}/post/{uri.rsplit('/', 1)[-1]}",
        author=author,
        text=text or None,
        language=language,
        created_at=parse_time(record.get("createdAt")),
        parent_id=parent,
        media=_media(view.get("embed")),
        hashtags=_hashtags(record),
        mentions=_mentions(record, text),
        metrics=Metrics(
            likes=as_int(view.get("likeCount")),
            comments=as_int(view.get("replyCount")),
            shares=_sum(view.get("repostCount"), view.get("quoteCount")),
        ),
        raw=raw,
    )


def _author(profile: Any) -> Author:
    did = as_str(need(profile, "did"))
    if did is None:
        raise ValueError("'author.did' must be a string")
    handle = as_str(profile.get("handle"))
    if handle == "handle.invalid":
        handle = None
    status = get(profile, "verification", "verifiedStatus")
    return Author(
        platform=Platform.BLUESKY,
        platform_id=did,
        handle=handle,
        display_name=profile.get("displayName") or None,
        verified={"valid": True, "none": False, "invalid": False}.get(status)
        if isinstance(status, str) else None,
        url=f"{_APP}/profile/{handle or did}",
    )


def _profile(author: Author) -> str:
    return author.handle or author.platform_id


def _features(record: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    for facet in record.get("facets") or []:
        if not isinstance(facet, dict):
            continue
        for feature in facet.get("features") or []:
            if isinstance(feature, dict):
                yield facet, feature


def _hashtags(record: dict[str, Any]) -> list[str]:
    tags = [f.get("tag") for _, f in _features(record) if f.get("$type") == f"{_FACET}tag"]
    tags += record.get("tags") or []  # extra tags the author set outside the text
    return list(dict.fromkeys(t.lstrip("#") for t in tags if isinstance(t, str) and t))


def _mentions(record: dict[str, Any], text: str) -> list[str]:
    """Mentioned handles, as written in the text span; the DID when the span does not say."""
    encoded = text.encode("utf-8")
    found: list[str] = []
    for facet, feature in _features(record):
        if feature.get("$type") != f"{_FACET}mention" or not as_str(feature.get("did")):
            continue
        start = as_int(get(facet, "index", "byteStart"))
        end = as_int(get(facet, "index", "byteEnd"))
        span = ""
        if start is not None and end is not None and 0 <= start < end <= len(encoded):
            span = encoded[start:end].decode("utf-8", "replace").strip()
        handle = span[1:] if span.startswith("@") and len(span) > 1 else None
        found.append(handle if handle and "\ufffd" not in handle else str(feature["did"]))
    return list(dict.fromkeys(found))


def _media(embed: Any) -> list[Media]:
    if not isinstance(embed, dict):
        return []
    kind = embed.get("$type")
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _media(embed.get("media"))
    if kind == "app.bsky.embed.images#view":
        return [Media(url=as_str(image.get("fullsize")) or as_str(image.get("thumb")),
                      type=MediaType.IMAGE,
                      width=as_int(get(image, "aspectRatio", "width")),
                      height=as_int(get(image, "aspectRatio", "height")),
                      alt_text=image.get("alt") or None)
                for image in embed.get("images") or [] if isinstance(image, dict)]
    if kind == "app.bsky.embed.video#view":
        return [Media(url=as_str(embed.get("playlist")), type=MediaType.VIDEO,
                      width=as_int(get(embed, "aspectRatio", "width")),
                      height=as_int(get(embed, "aspectRatio", "height")),
                      alt_text=embed.get("alt") or None)]
    return []  # external link cards and quoted records are not media of this post


def _sum(*values: Any) -> int | None:
    counts = [c for c in (as_int(v) for v in values) if c is not None]
    return sum(counts) if counts else None


def _is_view(doc: Any) -> bool:
    return (isinstance(doc, dict) and str(doc.get("uri", "")).startswith("at://")
            and "cid" in doc and isinstance(doc.get("author"), dict)
            and "did" in doc["author"] and isinstance(doc.get("record"), dict))




def sniff(sample: bytes) -> float:
    """Confident for ``posts`` or ``feed`` pages whose first item is an ``at://`` post view."""
    doc = first_json(sample)
    if isinstance(doc, dict):
        posts, feed = doc.get("posts"), doc.get("feed")
        if isinstance(posts, list) and posts:
            return 0.95 if _is_view(posts[0]) else 0.0
        if isinstance(feed, list) and feed:
            return 0.95 if isinstance(feed[0], dict) and _is_view(feed[0].get("post")) else 0.0
        if (posts == [] or feed == []) and "hitsTotal" in doc:
            return 0.8
        return 0.0
    # A page cut at 64 KiB is not valid JSON: fall back on AT Protocol markers.
    text = head_text(sample).lstrip()
    if text.startswith("{") and '"at://did:' in text and f'"{_POST_TYPE}"' in text and (
            '"posts"' in text or '"feed"' in text):
        return 0.8
    return 0.0


FORMATS = (
    SourceFormat(
        name="bluesky",
        description="Bluesky app.bsky.feed.searchPosts / getAuthorFeed / getTimeline pages",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
