"""Mastodon: a hashtag's public timeline, ``GET /api/v1/timelines/tag/{hashtag}``.

Configuration: ``instance`` (required, the server to ask, such as ``mastodon.social`` or
``https://piaille.fr``), ``hashtag`` (required, with or without ``#``), ``local`` (optional,
true for statuses written on that server only). Token: optional, an access token with the
``read:statuses`` scope, needed only by servers that show timelines to signed-in users only.

Each poll asks for ``limit=40`` statuses with ``min_id`` set to the newest status id seen:
Mastodon then returns the 40 statuses immediately newer than it, so polling walks forward
without gaps; a full page means more are waiting (``more``). The first poll takes the latest
page only, never the hashtag's history. The cursor is ``{"min_id": ...}``: the newest id,
which only grows. ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (300 requests per
5 minutes per account or address) give ``wait_s`` when 5 requests or fewer are left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx

from confiance.sources.clients._config import (
    bool_value,
    invalid,
    known_keys,
    settings_of,
    text_value,
    web_address,
)
from confiance.sources.clients.base import (
    AuthFailed,
    Fetched,
    Reply,
    SourceError,
    Unavailable,
    bearer,
    budget_wait,
    cursor_text,
    id_key,
    newer_id,
    platform_message,
    refuse,
    send,
    utcnow,
)

LIMIT = 40
RESERVE = 5
_HASHTAG = re.compile(r"(?=[\w\u00b7\u200c]*[^\W\d_])[\w\u00b7\u200c]+")
_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";,]+)"?')


class MastodonClient:
    """Polls one hashtag timeline of one Mastodon server."""

    format = "mastodon"
    needs_secret = False
    default_interval_s = 60.0

    def __init__(self) -> None:
        self.clock = utcnow

    def __repr__(self) -> str:
        return "MastodonClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"instance": "https://host", "hashtag": "name", "local": bool}``."""
        known_keys(self.format, config, ("instance", "hashtag", "local"))
        instance = web_address(self.format, config, "instance", origin_only=True,
                               default_scheme="https")
        if instance is None:
            raise invalid(self.format, "'instance' is required: the server to ask, such as "
                          "mastodon.social")
        tag = config.get("hashtag")
        tag = tag.strip().lstrip("#") if isinstance(tag, str) else tag
        hashtag = text_value(self.format, {"hashtag": tag}, "hashtag", maximum=100,
                             pattern=_HASHTAG, hint=": write the hashtag's letters, digits "
                             "and underscores, such as MaisonLumiere")
        return {"instance": instance, "hashtag": hashtag,
                "local": bool_value(self.format, config, "local", False)}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The statuses newer than the cursor's ``min_id`` (the latest 40 the first time)."""
        platform = _platform(config)
        settings = settings_of(self.check, config)
        params: dict[str, Any] = {"limit": LIMIT}
        if settings["local"]:
            params["local"] = "true"
        min_id = cursor_text(cursor, "min_id")
        if min_id:
            params["min_id"] = min_id
        url = f"{settings['instance']}/api/v1/timelines/tag/{quote(settings['hashtag'], safe='')}"
        reply = send(http, url, platform=platform, params=params, secrets=[secret],
                     headers={"Accept": "application/json", **bearer(secret)})
        if reply.status != 200:
            raise self._refused(reply, platform, secret)
        statuses = reply.json(platform)
        if not isinstance(statuses, list) or not all(
                isinstance(s, dict) and isinstance(s.get("id"), str) for s in statuses):
            raise Unavailable.about(platform, "the response is not an array of statuses")
        if min_id:
            statuses = [s for s in statuses if _after(s["id"], min_id)]
        newest = _newest(reply, statuses, min_id)
        return Fetched(
            payloads=[statuses] if statuses else [],
            cursor={"min_id": newest} if newest and newest != min_id else None,
            more=bool(min_id) and len(statuses) >= LIMIT,
            wait_s=budget_wait(reply.headers, self.clock(), reserve=RESERVE),
        )

    def _refused(self, reply: Reply, platform: str, secret: str | None) -> SourceError:
        said = platform_message(reply)
        if reply.status in (401, 422) and not secret and "authenticated" in said.lower():
            return AuthFailed.about(platform, "the server shows hashtag timelines to signed-in "
                                    "users only: give the source an access token with the "
                                    "read:statuses scope")
        if reply.status == 404:
            return refuse(reply, platform, self.clock(), secrets=[secret],
                          detail="no such API: is the address a Mastodon server?")
        return refuse(reply, platform, self.clock(), secrets=[secret])


def _platform(config: Mapping[str, Any]) -> str:
    instance = config.get("instance") if isinstance(config, Mapping) else None
    if isinstance(instance, str) and instance.strip():
        text = instance.strip()
        try:
            host = urlsplit(text if "://" in text else f"https://{text}").hostname
        except ValueError:
            host = None
        if host:
            return f"Mastodon ({host})"
    return "Mastodon"


def _after(status_id: str, min_id: str) -> bool:
    """Whether ``status_id`` is newer than ``min_id`` (numeric ids; others are kept)."""
    if status_id.isdigit() and min_id.isdigit():
        return id_key(status_id) > id_key(min_id)
    return status_id != min_id


def _newest(reply: Reply, statuses: list[dict[str, Any]], min_id: str | None) -> str | None:
    """The newest status id: the greatest of numeric ids (Mastodon's); for other servers'
    ids, the ``min_id`` of the ``prev`` link, else the first status (pages are newest first)."""
    ids = [str(s["id"]) for s in statuses]
    if all(i.isdigit() for i in [*ids, *([min_id] if min_id else [])]):
        return newer_id(min_id, *ids)
    for target, rel in _LINK.findall(reply.headers.get("link", "")):
        if rel.strip() == "prev":
            found = parse_qs(urlsplit(target).query).get("min_id")
            if found and found[0]:
                return str(found[0])
    return ids[0] if ids else min_id


CLIENTS = (MastodonClient(),)
