"""YouTube Data API v3: the newest comment threads of a video or a channel,
``commentThreads.list?order=time``.

Configuration: ``video_id`` (an 11-character video id) or ``channel_id`` (a ``UC…`` channel
id: every thread on the channel's videos), exactly one; ``search_terms`` (optional: only
threads whose text holds these words). Token (required): an API key of a Google Cloud project
with the YouTube Data API v3 enabled; it is sent in the ``X-Goog-Api-Key`` header, never in
the address.

Each poll asks for ``maxResults=100`` threads (top-level comment and its first replies),
newest first, and keeps those whose top-level comment was published after the newest one
seen (threads published in the same second are told apart by id). When a whole page is new
and has a ``nextPageToken``, more threads are waiting: the next polls follow ``pageToken``
until they reach a thread already seen, then the newest time moves forward (``more``). The
first poll takes the latest page only. Cursor: ``{"newest": time, "seen": [ids], "page":
token, "pending": time, "pending_ids": [ids]}`` (the last three only during a walk). Replies
added later to an older thread are not polled. Quota: 10,000 units a day per project by
default, 1 unit per poll; ``quotaExceeded`` is a rate limit until the quota resets at midnight
Pacific time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson

from confiance.sources.clients._config import invalid, known_keys, settings_of, text_value
from confiance.sources.clients._walk import NewestFirst, changed
from confiance.sources.clients.base import (
    AuthFailed,
    BadConfig,
    Fetched,
    RateLimited,
    Reply,
    SourceError,
    Unavailable,
    parse_instant,
    refuse,
    retry_after,
    send,
    utcnow,
)

LIMIT = 100
URL = "https://www.googleapis.com/youtube/v3/commentThreads"
PLATFORM = "YouTube"
PACIFIC = ZoneInfo("America/Los_Angeles")
_VIDEO = re.compile(r"[A-Za-z0-9_-]{11}")
_CHANNEL = re.compile(r"UC[A-Za-z0-9_-]{22}")
_QUOTA = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg"}
_RATE = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
_KEY = {"keyInvalid", "keyExpired", "API_KEY_INVALID", "API_KEY_EXPIRED", "accessNotConfigured",
        "SERVICE_DISABLED", "ipRefererBlocked", "API_KEY_SERVICE_BLOCKED",
        "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "forbidden"}
_CONFIG = {"commentsDisabled", "videoNotFound", "channelNotFound", "invalidSearchFilter",
           "invalidVideoId", "invalidChannelId", "operationNotSupported"}


class YouTubeCommentsClient:
    """Polls the comment threads of one video or one channel, newest first."""

    format = "youtube-comments"
    needs_secret = True
    default_interval_s = 300.0

    def __init__(self) -> None:
        self.clock = utcnow

    def __repr__(self) -> str:
        return "YouTubeCommentsClient()"

    def check(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{"video_id": id or None, "channel_id": id or None, "search_terms": text or None}``."""
        known_keys(self.format, config, ("video_id", "channel_id", "search_terms"))
        video = text_value(self.format, config, "video_id", required=False, maximum=11,
                           pattern=_VIDEO, hint=": the 11 characters after watch?v= in the "
                           "video's address")
        channel = text_value(self.format, config, "channel_id", required=False, maximum=24,
                             pattern=_CHANNEL, hint=": the channel id starting with UC")
        if (video is None) == (channel is None):
            raise invalid(self.format, "give either a 'video_id' or a 'channel_id'")
        terms = text_value(self.format, config, "search_terms", required=False, maximum=200)
        return {"video_id": video, "channel_id": channel, "search_terms": terms}

    def fetch(self, http: httpx.Client, config: Mapping[str, Any],
              cursor: Mapping[str, Any] | None, secret: str | None) -> Fetched:
        """The threads published after the cursor's ``newest``, a page at a time."""
        settings = settings_of(self.check, config)
        if not secret:
            raise AuthFailed.about(PLATFORM, "no API key: give the source a YouTube Data API key")
        state = NewestFirst.load(cursor)
        params: dict[str, Any] = {"part": "snippet,replies", "maxResults": LIMIT, "order": "time"}
        if settings["video_id"]:
            params["videoId"] = settings["video_id"]
        else:
            params["allThreadsRelatedToChannelId"] = settings["channel_id"]
        if settings["search_terms"]:
            params["searchTerms"] = settings["search_terms"]
        if state.page:
            params["pageToken"] = state.page
        reply = send(http, URL, params=params, platform=PLATFORM, secrets=[secret],
                     headers={"Accept": "application/json", "X-Goog-Api-Key": secret})
        if reply.status != 200:
            raise self._refused(reply, secret)
        page = reply.json(PLATFORM)
        threads = _threads(page)
        fresh = state.take(threads, _published, lambda t: str(t["id"]))
        next_page = page.get("nextPageToken")
        new_cursor, more = state.advance(
            whole_page_new=bool(threads) and len(fresh) == len(threads),
            next_page=next_page if isinstance(next_page, str) else None)
        return Fetched(payloads=[{**page, "items": fresh}] if fresh else [],
                       cursor=changed(new_cursor, cursor), more=more)

    def _refused(self, reply: Reply, secret: str) -> SourceError:
        reasons, message = _google_error(reply)
        what = f"HTTP {reply.status}" + (f": {message}" if message else "")
        now = self.clock()
        if reasons & _QUOTA:
            wait = seconds_to_pacific_midnight(now)
            return RateLimited.about(PLATFORM, f"the project's daily quota is spent ({what}); "
                                     "it resets at midnight Pacific time", retry_after_s=wait,
                                     secrets=[secret])
        if reasons & _RATE:
            return RateLimited.about(PLATFORM, what, secrets=[secret],
                                     retry_after_s=retry_after(reply.headers, now) or 60.0)
        if reasons & _CONFIG or reply.status == 404:
            return BadConfig.about(PLATFORM, what, secrets=[secret])
        if reasons & _KEY:
            return AuthFailed.about(PLATFORM, f"the API key was refused ({what})",
                                    secrets=[secret])
        return refuse(reply, PLATFORM, now, secrets=[secret], detail=message)


def seconds_to_pacific_midnight(now: datetime) -> float:
    """Seconds from ``now`` to the next midnight in Pacific time (when YouTube quotas reset)."""
    local = now.astimezone(PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)
    # subtract in UTC: two times of the same zone subtract as wall clocks, ignoring DST
    return max((midnight.astimezone(UTC) - now.astimezone(UTC)).total_seconds(), 0.0)


def _threads(page: Any) -> list[dict[str, Any]]:
    """The page's threads; Unavailable when the body is not a commentThreads response."""
    if not isinstance(page, dict) or not isinstance(page.get("items"), list):
        raise Unavailable.about(PLATFORM, "the response is not a commentThreads page (no "
                                "'items' list)")
    return [t for t in page["items"] if isinstance(t, dict) and isinstance(t.get("id"), str)]


def _published(thread: dict[str, Any]) -> datetime | None:
    snippet = thread.get("snippet")
    top = snippet.get("topLevelComment") if isinstance(snippet, dict) else None
    inner = top.get("snippet") if isinstance(top, dict) else None
    return parse_instant(inner.get("publishedAt")) if isinstance(inner, dict) else None


def _google_error(reply: Reply) -> tuple[set[str], str]:
    """The ``reason`` values and the message of a Google API error body."""
    try:
        body = orjson.loads(reply.body)
    except orjson.JSONDecodeError:
        return set(), ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return set(), ""
    entries = [*_list(error.get("errors")), *_list(error.get("details"))]
    reasons = {e.get("reason") for e in entries if isinstance(e, dict)}
    message = error.get("message")
    return ({r for r in reasons if isinstance(r, str)},
            message.strip() if isinstance(message, str) else "")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


CLIENTS = (YouTubeCommentsClient(),)
