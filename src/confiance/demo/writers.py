"""Turn drafts into files: X API v2 search pages, canonical NDJSON, labels, metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import orjson

from confiance.demo.drafts import HASHTAG, MENTION_X, Draft, tags_and_mentions
from confiance.demo.people import Persona
from confiance.demo.timeline import iso, iso_ms

PAGE_SIZE = 100
_LINE = orjson.OPT_APPEND_NEWLINE
LANGUAGE_GIVEN = frozenset({"x", "trustpilot", "googleplay", "mastodon", "bluesky"})
"""Platforms whose API or export states a post's language; elsewhere it stays unknown, as a
real import would leave it (``labels.ndjson`` keeps the true language for evaluations)."""


def canonical(draft: Draft) -> dict[str, Any]:
    """The item as a canonical ``Post`` dict, keys in ``Post.model_dump_json`` order."""
    hashtags, mentions = tags_and_mentions(draft.text, draft.platform)
    counts = draft.counts
    return {
        "platform": draft.platform, "platform_id": draft.uid, "kind": draft.kind,
        "url": draft.url, "author": draft.author.author(), "text": draft.text,
        "title": draft.title,
        "language": draft.lang if draft.platform in LANGUAGE_GIVEN else None,
        "created_at": iso(draft.ts),
        "parent_id": draft.parent.uid if draft.parent else None, "rating": draft.rating,
        "media": draft.media, "hashtags": hashtags, "mentions": mentions,
        "metrics": {"likes": counts.get("likes"), "comments": counts.get("comments"),
                    "shares": counts.get("shares"), "views": counts.get("views")},
        "raw": None,
    }


def label(draft: Draft) -> dict[str, Any]:
    """What the generator meant an item to be: the answer key for later evaluations."""
    return {"platform": draft.platform, "platform_id": draft.uid, "topic": draft.topic,
            "sentiment": draft.mood, "language": draft.lang, "mixed": draft.mixed,
            "target": draft.target, "campaign": draft.campaign, "episode": draft.episode,
            "author_role": draft.author.role}


def write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write one JSON object a line; return how many."""
    count = 0
    with path.open("wb") as stream:
        for row in rows:
            stream.write(orjson.dumps(row, option=_LINE))
            count += 1
    return count


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented JSON with a final newline."""
    path.write_bytes(orjson.dumps(value, option=orjson.OPT_INDENT_2 | _LINE))


# ---------------------------------------------------------------------------- X API v2


def write_x_pages(path: Path, tweets: list[Draft], people: Iterable[Persona], seed: int) -> int:
    """Write X drafts as search response pages (newest first, 100 a page), JSON Lines."""
    ids = {p.handle.lower(): p.uid for p in people if p.platform == "x" and p.handle}
    ordered = sorted(tweets, key=lambda d: int(d.uid), reverse=True)
    with path.open("wb") as stream:
        return _pages(stream, ordered, ids, seed)


def _pages(stream: IO[bytes], ordered: list[Draft], ids: dict[str, str], seed: int) -> int:
    pages = 0
    for first in range(0, len(ordered), PAGE_SIZE):
        chunk = ordered[first:first + PAGE_SIZE]
        more = first + PAGE_SIZE < len(ordered)
        stream.write(orjson.dumps(_page(chunk, ids, _token(seed, pages) if more else None),
                                  option=_LINE))
        pages += 1
    return pages


def _page(chunk: list[Draft], ids: dict[str, str], token: str | None) -> dict[str, Any]:
    users: dict[str, dict[str, Any]] = {}
    media: list[dict[str, Any]] = []
    data = []
    for draft in chunk:
        data.append(_tweet(draft, ids))
        users.setdefault(draft.author.uid, _user(draft.author))
        media.extend(_x_media(draft))
    meta: dict[str, Any] = {"newest_id": chunk[0].uid, "oldest_id": chunk[-1].uid,
                            "result_count": len(chunk)}
    if token:
        meta["next_token"] = token
    includes: dict[str, Any] = {"users": list(users.values())}
    if media:
        includes["media"] = media
    return {"data": data, "includes": includes, "meta": meta}


def _tweet(draft: Draft, ids: dict[str, str]) -> dict[str, Any]:
    tweet: dict[str, Any] = {
        "id": draft.uid, "text": draft.text, "author_id": draft.author.uid,
        "created_at": iso_ms(draft.ts), "lang": draft.lang,
        "conversation_id": draft.root.uid, "edit_history_tweet_ids": [draft.uid],
    }
    if draft.parent is not None:
        tweet["in_reply_to_user_id"] = draft.parent.author.uid
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": draft.parent.uid}]
    if draft.media:
        tweet["attachments"] = {"media_keys": [_media_key(draft, i, m) for i, m in
                                               enumerate(draft.media)]}
    entities = _entities(draft.text, ids)
    if entities:
        tweet["entities"] = entities
    counts = draft.counts
    retweets = counts.get("shares") or 0
    tweet["public_metrics"] = {
        "retweet_count": retweets, "reply_count": counts.get("comments") or 0,
        "like_count": counts.get("likes") or 0, "quote_count": counts.get("quotes") or 0,
        "bookmark_count": (counts.get("likes") or 0) // 12,
        "impression_count": counts.get("views") or 0,
    }
    return tweet


def _entities(text: str, ids: dict[str, str]) -> dict[str, Any]:
    entities: dict[str, Any] = {}
    tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in
            HASHTAG.finditer(text)]
    if tags:
        entities["hashtags"] = tags
    mentions = []
    for match in MENTION_X.finditer(text):
        mention: dict[str, Any] = {"start": match.start(), "end": match.end(),
                                   "username": match.group(1)}
        if match.group(1).lower() in ids:
            mention["id"] = ids[match.group(1).lower()]
        mentions.append(mention)
    if mentions:
        entities["mentions"] = mentions
    return entities


def _user(persona: Persona) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": persona.uid, "name": persona.name or persona.handle, "username": persona.handle,
        "verified": bool(persona.verified), "description": persona.bio or "",
    }
    if persona.location:
        user["location"] = persona.location
    user["created_at"] = iso_ms(persona.created)
    followers = persona.followers or 0
    user["public_metrics"] = {"followers_count": followers,
                              "following_count": persona.following or 0,
                              "tweet_count": persona.posts or 0,
                              "listed_count": followers // 250}
    return user


def _media_key(draft: Draft, index: int, media: dict[str, Any]) -> str:
    prefix = "7" if media["type"] == "video" else "3"
    return f"{prefix}_{draft.uid[:-2]}{index:02d}"


def _x_media(draft: Draft) -> Iterator[dict[str, Any]]:
    for index, item in enumerate(draft.media):
        key = _media_key(draft, index, item)
        if item["type"] == "video":
            yield {"media_key": key, "type": "video",
                   "preview_image_url": item["url"].rsplit(".", 1)[0] + ".jpg",
                   "width": item["width"], "height": item["height"],
                   "duration_ms": int((item["duration_s"] or 0) * 1000)}
            continue
        photo = {"media_key": key, "type": "photo", "url": item["url"],
                 "width": item["width"], "height": item["height"]}
        if item["alt_text"]:
            photo["alt_text"] = item["alt_text"]
        yield photo


def _token(seed: int, page: int) -> str:
    """A pagination token that looks like X's and is stable for a seed."""
    digest = hashlib.sha256(f"confiance-demo:{seed}:{page}".encode()).hexdigest()
    number = int(digest[:40], 16)
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    token = ""
    while number and len(token) < 45:
        number, rest = divmod(number, 36)
        token += alphabet[rest]
    return token
