"""Mastodon REST API statuses: ``GET /api/v1/timelines/tag/:hashtag``,
``GET /api/v1/accounts/:id/statuses``, ``GET /api/v2/search?type=statuses`` (its ``statuses``
key) and ``GET /api/v1/statuses/:id/context`` (``ancestors`` then ``descendants``).

A page is a JSON array of Status entities. Mastodon pages through ``Link`` response headers
(``max_id`` / ``min_id``), not through the body, so a file is one page or JSON Lines of pages
(one array a line). Pass ``limit=40`` (the maximum) and keep following ``rel="next"``.

Ids: a status ``id`` is local to the instance that was queried (the same status has another
id on another instance), so ``platform_id`` is the status ``uri``, its ActivityPub id, the
same everywhere. ``in_reply_to_id`` is a local id too: ``parent_id`` is the parent's ``uri``
when the parent is in the same page (always so for a ``context`` response), else ``None``;
the kind stays ``reply`` and ``raw`` keeps ``in_reply_to_id``. An author's ``platform_id``
and ``handle`` are the full ``user@domain`` address (``acct`` of a local account lacks the
domain: it is taken from the account ``url``); mentions are written the same way.

A boost (``reblog``) is mapped as the boosted status (the booster wrote nothing); ``raw``
keeps the whole boost, booster included. HTML ``content`` and ``note`` become plain text.
``spoiler_text`` (the content warning) is the ``title``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

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
    has_keys,
    head_text,
    need,
    parse_time,
    read_json,
    reject,
)

_MEDIA_TYPES = {"image": MediaType.IMAGE, "video": MediaType.VIDEO, "gifv": MediaType.GIF,
                "audio": MediaType.AUDIO}
_STATUS_KEYS = ("id", "uri", "account", "content")
_STATUS_ONLY = ("favourites_count", "reblogs_count", "visibility", "spoiler_text")


class _PlainText(HTMLParser):
    """Mastodon's sanitised HTML to text: ``<br>`` is a line break, ``</p>`` a blank line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(value: Any) -> str | None:
    """Plain text of an HTML fragment (tags dropped, entities decoded); ``None`` when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"HTML content must be a string, got {type(value).__name__}")
    parser = _PlainText()
    parser.feed(value)
    parser.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(parser.parts))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


def parse(payload: Any) -> Iterator[Item]:
    """Map one page of statuses (array, search result, context or one status) to posts."""
    statuses = _statuses(payload)
    if statuses is None:
        yield reject("a Mastodon page must be an array of statuses, a search result with "
                     "'statuses' or a context with 'ancestors' and 'descendants'", payload)
        return
    uris: dict[str, str] = {}
    for status in statuses:
        for entity in (status, get(status, "reblog")):
            if isinstance(entity, dict) and as_str(entity.get("id")) and as_str(entity.get("uri")):
                uris[str(entity["id"])] = str(entity["uri"])
    for status in statuses:
        yield build(partial(_post, status, uris), status)


def _statuses(payload: Any) -> list[Any] | None:
    if isinstance(payload, list):
        return payload
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("statuses"), list):
        return list(payload["statuses"])
    if "ancestors" in payload or "descendants" in payload:
        parts = [payload.get("ancestors") or [], payload.get("descendants") or []]
        if not all(isinstance(part, list) for part in parts):
            return None
        return [*parts[0], *parts[1]]
    return [payload] if has_keys(payload, _STATUS_KEYS) else None


def _post(item: Any, uris: dict[str, str]) -> Post:
    status = item.get("reblog") if isinstance(item.get("reblog"), dict) else item
    uri = as_str(need(status, "uri"))
    if uri is None:
        raise ValueError("'uri' must be a string")
    text = html_to_text(need(status, "content"))
    title = status.get("spoiler_text") or None
    media = [_media(m) for m in status.get("media_attachments") or [] if isinstance(m, dict)]
    if text is None and title is None and not media:
        raise MissingField("content")
    reply_to = as_str(status.get("in_reply_to_id"))
    language = status.get("language")
    return Post(
        platform=Platform.MASTODON,
        platform_id=uri,
        kind=PostKind.REPLY if reply_to else PostKind.POST,
        url=as_str(status.get("url")),
        author=_author(need(status, "account")),
        text=text,
        title=title,
        language=language if isinstance(language, str) and len(language) <= 16 else None,
        created_at=parse_time(status.get("created_at")),
        parent_id=uris.get(reply_to) if reply_to else None,
        media=media,
        hashtags=[t["name"] for t in status.get("tags") or [] if get(t, "name")],
        mentions=[a for a in (_acct(m) for m in status.get("mentions") or []) if a],
        metrics=Metrics(
            likes=as_int(status.get("favourites_count")),
            comments=as_int(status.get("replies_count")),
            shares=as_int(status.get("reblogs_count")),
        ),
        raw=item,
    )


def _acct(entity: Any) -> str | None:
    """``user@domain`` for an account or a mention; a local ``acct`` gets its ``url``'s host."""
    acct = as_str(get(entity, "acct"))
    if acct is None:
        return None
    acct = acct.lstrip("@")
    if "@" in acct:
        return acct
    host = urlsplit(str(get(entity, "url", default=""))).hostname
    return f"{acct}@{host}" if host else acct


def _author(account: Any) -> Author:
    acct = _acct(account)
    if acct is None:
        raise MissingField("account.acct")
    return Author(
        platform=Platform.MASTODON,
        platform_id=acct,
        handle=acct,
        display_name=account.get("display_name") or None,
        followers=as_int(account.get("followers_count")),
        following=as_int(account.get("following_count")),
        post_count=as_int(account.get("statuses_count")),
        bio=html_to_text(account.get("note")),
        url=as_str(account.get("url")),
    )


def _media(item: dict[str, Any]) -> Media:
    original = get(item, "meta", "original", default={})
    duration = original.get("duration") if isinstance(original, dict) else None
    return Media(
        url=as_str(item.get("url")) or as_str(item.get("remote_url")),
        type=_MEDIA_TYPES.get(item.get("type", ""), MediaType.OTHER),
        width=as_int(get(original, "width")),
        height=as_int(get(original, "height")),
        duration_s=float(duration) if isinstance(duration, int | float) and duration >= 0
        else None,
        alt_text=item.get("description") or None,
    )




def sniff(sample: bytes) -> float:
    """Confident for arrays of Status entities, a v2 search result or a context response."""
    doc = first_json(sample)
    if isinstance(doc, list):
        if not doc:
            return 0.0
        return 0.95 if _is_status(doc[0]) else 0.0
    if isinstance(doc, dict):
        if has_keys(doc, ("accounts", "statuses", "hashtags")):
            return 0.9
        if has_keys(doc, ("ancestors", "descendants")):
            return 0.9
        return 0.9 if _is_status(doc) else 0.0
    # A page cut at 64 KiB is not valid JSON: fall back on keys only a Status has together.
    text = head_text(sample)
    keys = ('"favourites_count"', '"reblogs_count"', '"spoiler_text"', '"in_reply_to_account_id"')
    return 0.75 if text.lstrip().startswith(("[", "{")) and all(k in text for k in keys) else 0.0


def _is_status(doc: Any) -> bool:
    return has_keys(doc, _STATUS_KEYS) and any(k in doc for k in _STATUS_ONLY)


FORMATS = (
    SourceFormat(
        name="mastodon",
        description="Mastodon API statuses: tag/account timelines, v2 search, status context",
        parse=parse,
        read=read_json(parse),
        sniff=sniff,
        extensions=("json", "jsonl"),
    ),
)
