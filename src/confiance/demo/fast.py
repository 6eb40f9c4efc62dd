"""Stream any number of canonical posts, fast and in bounded memory, for benchmarks.

A kit of a few thousand authors and texts is composed once (with the demo's own people and
phrase banks), then each post only draws an author, a text, a time and counters. Times follow
the demo's daily and weekly rhythm over the window and come out in (nearly) increasing
order. There is no storyline here (no campaign, no backlash): use :func:`generate` for that.

The dicts have exactly the keys and order of ``Post.model_dump_json`` and validate as
``Post``; nested values (author, media, hashtag lists) are shared between posts: treat them
as read-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import orjson

from confiance.demo.drafts import REVIEWS, ROOT_KIND, Draft, add_media, rating_for
from confiance.demo.drafts import tags_and_mentions as find_tags
from confiance.demo.generator import DEFAULT_END
from confiance.demo.people import People, Persona
from confiance.demo.plan import STYLE, mood_of, topics_for, weighted
from confiance.demo.replies import BY_MOOD
from confiance.demo.text import Ask, Composer
from confiance.demo.timeline import DAY, HOUR, Timeline, to_ts

PLATFORMS = (("x", 30), ("instagram", 20), ("facebook", 9), ("youtube", 4), ("reddit", 5),
             ("trustpilot", 14), ("google", 13), ("appstore", 2.5), ("googleplay", 2.5))
TEXTS = 2048
AUTHORS = 2500
RING = 64
ID_PREFIX = {"x": "187", "instagram": "340", "facebook": "100064712345678_", "youtube": "yt",
             "reddit": "t3_", "trustpilot": "66b", "google": "ChdDSUhN", "appstore": "11",
             "googleplay": "gp:"}
URLS = {"instagram": ("https://www.instagram.com/p/", "/"),
        "facebook": ("https://www.facebook.com/", ""),
        "youtube": ("https://www.youtube.com/watch?v=", ""),
        "reddit": ("https://www.reddit.com/comments/", "/"),
        "trustpilot": ("https://fr.trustpilot.com/reviews/", "")}
RATE = {"x": 0.012, "instagram": 0.035, "facebook": 0.01, "youtube": 0.04, "reddit": 0.02}
_NO_METRICS: dict[str, int | None] = {"likes": None, "comments": None, "shares": None,
                                       "views": None}
_MINUTES = [f"{s // 60:02d}:{s % 60:02d}Z" for s in range(HOUR)]

Entry = tuple[str, str, str, bool, str, str | None, str, float | None, list[dict[str, Any]],
              list[str], list[str], float, bool, bool, str, str]
"""platform, kind, root kind, is_reply, text, title, language, rating, media, hashtags,
mentions, engagement rate (0: no counters), has shares, has views, id prefix, URL suffix."""
Author = tuple[dict[str, Any], float, str]
"""The author dict, its reach, and the URL prefix of its posts ("" where posts have none)."""


class _Kit:
    """The authors and texts posts are drawn from, composed once per seed."""

    def __init__(self, seed: int, start: int, texts: int) -> None:
        rng = Random(f"{seed}/fast")
        self.people = People(rng, start=start)
        total = sum(w for _, w in PLATFORMS)
        self.authors: dict[str, list[Author]] = {}
        self.sample: dict[str, Persona] = {}
        for platform, weight in PLATFORMS:
            pool = []
            for _ in range(max(8, int(AUTHORS * weight / total))):
                persona = self.people.new(platform)
                reach = float(persona.followers if persona.followers is not None else 60)
                prefix = URLS.get(platform, ("", ""))[0]
                if platform == "x":
                    prefix = f"https://x.com/{persona.handle}/status/"
                pool.append((persona.author(), reach, prefix))
            self.authors[platform] = pool
            self.sample[platform] = persona
        composer = Composer(rng)
        self.entries = [self._entry(rng, composer) for _ in range(texts)]

    def _entry(self, rng: Random, composer: Composer) -> Entry:
        platform = weighted(rng, PLATFORMS)
        reply = platform not in REVIEWS and rng.random() < 0.2
        key = weighted(rng, BY_MOOD["pos"] if reply else topics_for(platform))
        mood = "pos" if key == "reply:tag" else mood_of(key)
        lang = self.people.draw_lang()
        style = "reply" if reply else STYLE.get(platform, "post")
        friend = self.people.friend(platform) if key == "reply:tag" else None
        if key == "reply:tag" and (friend is None or platform not in {"x", "instagram"}):
            key = "reply:pos"
        text = composer.compose(Ask(platform=platform, key=key, mood=mood, lang=lang,
                                    style=style, friend=friend))
        root_kind = ROOT_KIND.get(platform, "post")
        kind = ("reply" if platform == "x" else "comment") if reply else root_kind
        draft = Draft(platform=platform, kind=kind, ts=0, author=self.sample[platform],
                      key=key, mood=mood, lang=lang, style=style)
        add_media(rng, draft)
        rating = rating_for(rng, mood) if platform in REVIEWS else None
        tags, mentions = find_tags(text.text, platform)
        return (platform, kind, root_kind, reply, text.text, text.title, lang, rating,
                draft.media, tags, mentions, RATE.get(platform, 0.0),
                platform in {"x", "facebook"}, platform in {"x", "youtube"},
                ID_PREFIX[platform], URLS.get(platform, ("", ""))[1])


def iter_posts(n: int, *, seed: int = 7, days: int = 90,
               end: datetime = DEFAULT_END) -> Iterator[dict[str, Any]]:
    """Yield ``n`` canonical posts (JSON-ready dicts) over the ``days`` before ``end``.

    Same arguments, same posts. Memory stays bounded whatever ``n``: only the kit (a few
    thousand authors and texts) and a few recent ids per platform (reply parents) are kept.
    """
    if n <= 0:
        return
    end_ts = to_ts(end)
    start = end_ts - days * DAY
    kit = _Kit(seed, start, min(TEXTS, max(64, n)))
    yield from _stream(n, Random(seed), kit, Timeline(start, end_ts))


def _stream(n: int, rng: Random, kit: _Kit, timeline: Timeline) -> Iterator[dict[str, Any]]:
    rand, entries, authors, minutes = rng.random, kit.entries, kit.authors, _MINUTES
    cumulative, start, scale = timeline.cumulative, timeline.start, timeline.total / n
    last_hour, size = len(cumulative) - 1, len(entries)
    rings: dict[str, list[str]] = {platform: [] for platform, _ in PLATFORMS}
    hour, shown, prefix = 0, -1, ""
    for index in range(n):
        target = (index + rand()) * scale
        while hour < last_hour and cumulative[hour] < target:
            hour += 1
        ts = start + hour * HOUR + int(rand() * HOUR)
        if ts // HOUR != shown:
            shown = ts // HOUR
            prefix = datetime.fromtimestamp(shown * HOUR, UTC).strftime("%Y-%m-%dT%H:")
        (platform, kind, root_kind, reply, text, title, lang, rating, media, tags, mentions,
         rate, shares, views, id_prefix, suffix) = entries[int(rand() * size)]
        pool = authors[platform]
        author, reach, url = pool[int(rand() * len(pool))]
        uid = id_prefix + str(1_000_000_000_000 + index)
        ring = rings[platform]
        parent = ring[int(rand() * len(ring))] if reply and ring else None
        if parent is None:
            kind = root_kind
            if len(ring) < RING:
                ring.append(uid)
            else:
                ring[index % RING] = uid
        metrics: dict[str, int | None]
        if rate:
            roll = rand()
            seen = int(reach * (0.08 + 0.4 * roll)) + 5
            likes = int(seen * rate * (0.4 + 1.4 * roll))
            metrics = {"likes": likes, "comments": likes // 20,
                       "shares": likes // 8 if shares else None,
                       "views": seen if views else None}
        else:
            metrics = _NO_METRICS
        yield {
            "platform": platform, "platform_id": uid, "kind": kind,
            "url": url + uid + suffix if url else None, "author": author, "text": text,
            "title": title, "language": lang, "created_at": prefix + minutes[ts % HOUR],
            "parent_id": parent, "rating": rating, "media": media, "hashtags": tags,
            "mentions": mentions, "metrics": metrics, "raw": None,
        }


def write_canonical_ndjson(path: Path, *, n: int, seed: int = 7, days: int = 90,
                           end: datetime = DEFAULT_END) -> int:
    """Write ``n`` canonical posts to ``path`` as NDJSON (one ``Post`` JSON a line).

    Returns the number written. Streams: memory does not grow with ``n``.
    """
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    written = 0
    with path.open("wb", buffering=1 << 20) as stream:
        write = stream.write
        for post in iter_posts(n, seed=seed, days=days, end=end):
            write(dumps(post, option=option))
            written += 1
    return written
