"""One planned item (a ``Draft``) and what it gets once planned: ids, URLs, media, metrics."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from random import Random
from typing import Any

from confiance.demo import vocab as v
from confiance.demo.people import Persona, rand_chars

SOCIAL = ("x", "instagram", "facebook", "youtube", "reddit")
REVIEWS = ("trustpilot", "google", "appstore", "googleplay")
ROOT_KIND = {"trustpilot": "review", "google": "review", "appstore": "review",
             "googleplay": "review"}
TWITTER_EPOCH_MS = 1_288_834_974_657
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_HEX = "0123456789abcdef"
HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)")
MENTION_X = re.compile(r"(?<![A-Za-z0-9_@])@([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_])")
SIZES = ((1080, 1350), (1080, 1080), (1200, 1600), (1600, 1200), (1080, 1350))
ALT_TEXTS = ("Bougie allumée sur une table en bois", "Pot de bougie sur un rebord de fenêtre",
             "Trois bougies et un plaid", "Bougie à côté d'une pile de livres",
             "Bougie allumée dans une salle de bain", "Coffret de bougies ouvert")


@dataclass(slots=True, eq=False)
class Draft:
    """An item being planned: who, where, when, about what; filled in step by step."""

    platform: str
    kind: str
    ts: int
    author: Persona
    key: str
    mood: str
    lang: str
    target: str = "brand"
    style: str = "post"
    campaign: bool = False
    episode: bool = False
    mixed: bool = False
    parent: Draft | None = None
    boost: float = 1.0
    uid: str = ""
    url: str | None = None
    text: str = ""
    title: str | None = None
    rating: float | None = None
    media: list[dict[str, Any]] = field(default_factory=list)
    replies: int = 0
    friend: str | None = None
    counts: dict[str, int | None] = field(default_factory=dict)

    @property
    def root(self) -> Draft:
        """The first item of this item's thread."""
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    @property
    def topic(self) -> str:
        """The bank topic (``scent``, ``backlash``...) without the mood."""
        return self.key.partition(":")[0]


def assign_id(rng: Random, draft: Draft, sequence: int) -> None:
    """Give ``draft`` a platform-shaped id and URL; parents must have theirs already."""
    platform, root = draft.platform, draft.root
    if platform == "x":
        ms = draft.ts * 1000 + int(rng.random() * 1000) - TWITTER_EPOCH_MS
        draft.uid = str((ms << 22) | (int(rng.random() * 1024) << 12) | (sequence & 0xFFF))
        draft.url = f"https://x.com/{draft.author.handle}/status/{draft.uid}"
    elif platform == "instagram":
        _instagram(rng, draft, root)
    elif platform == "facebook":
        draft.uid = f"{root.author.uid if draft is root else root.uid.split('_')[-1]}_" + \
            str(10**15 + sequence * 7919 + int(rng.random() * 7000))
        draft.url = (f"https://www.facebook.com/{draft.uid}" if draft is root else
                     f"https://www.facebook.com/{root.uid}?comment_id={draft.uid}")
    elif platform == "youtube":
        _youtube(rng, draft, root)
    elif platform == "reddit":
        _reddit(rng, draft, root, sequence)
    else:
        _review(rng, draft, sequence)


def _instagram(rng: Random, draft: Draft, root: Draft) -> None:
    if draft is root:
        number = 3_400_000_000_000_000_000 + draft.ts * 1_000_000 + (draft.ts % 997) * 911
        draft.uid = str(number + int(rng.random() * 1_000))
        draft.url = f"https://www.instagram.com/p/{rand_chars(rng, _B64, 11)}/"
    else:
        draft.uid = "17" + rand_chars(rng, "0123456789", 15)
        draft.url = f"{root.url}c/{draft.uid}/"


def _youtube(rng: Random, draft: Draft, root: Draft) -> None:
    if draft is root:
        draft.uid = rand_chars(rng, _B64, 11)
        draft.url = f"https://www.youtube.com/watch?v={draft.uid}"
    else:
        draft.uid = "Ugx" + rand_chars(rng, _B64, 19) + "4AaABAg"
        draft.url = f"{root.url}&lc={draft.uid}"


def _reddit(rng: Random, draft: Draft, root: Draft, sequence: int) -> None:
    base36 = rand_chars(rng, _B36, 4) + _base36(sequence).rjust(3, "0")[-3:]
    if draft is root:
        draft.uid = f"t3_{base36}"
        slug = re.sub(r"[^a-z0-9]+", "_", (draft.title or "post").lower()).strip("_")[:50]
        subreddit = v.SUBREDDITS[int(rng.random() * len(v.SUBREDDITS))]
        draft.url = f"https://www.reddit.com/r/{subreddit}/comments/{base36}/{slug}/"
    else:
        draft.uid = f"t1_{base36}"
        draft.url = f"{root.url}{base36}/"


def _review(rng: Random, draft: Draft, sequence: int) -> None:
    if draft.platform == "trustpilot":
        draft.uid = f"{draft.ts:08x}" + rand_chars(rng, _HEX, 16)
        draft.url = f"https://fr.trustpilot.com/reviews/{draft.uid}"
    elif draft.platform == "google":
        draft.uid = "ChdDSUhNMG9nS0VJQ0FnSU" + rand_chars(rng, _B64, 12)
    elif draft.platform == "appstore":
        draft.uid = str(11_000_000_000 + sequence * 131 + int(rng.random() * 100))
    else:
        hexa = rand_chars(rng, _HEX, 32)
        draft.uid = f"{hexa[:8]}-{hexa[8:12]}-4{hexa[13:16]}-a{hexa[17:20]}-{hexa[20:]}"


def _base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = _B36[rest] + digits
        if not number:
            return digits


def add_media(rng: Random, draft: Draft) -> None:
    """Photos (or a video) where this item would carry them."""
    platform, count = draft.platform, 0
    if draft.kind in {"comment", "reply"}:
        return
    if platform == "instagram":
        count = (1, 1, 1, 1, 2, 3, 4)[int(rng.random() * 7)]
    elif platform == "x" and (draft.campaign or draft.author.role == "advocate"):
        count = 1 if rng.random() < 0.9 else 2
    elif rng.random() < {"x": 0.12, "facebook": 0.12, "reddit": 0.12, "trustpilot": 0.07,
                         "google": 0.07}.get(platform, 0.0):
        count = 1
    video = platform == "youtube" or (platform == "instagram" and rng.random() < 0.1)
    if video:
        draft.media.append(_video(rng, draft))
        return
    for _ in range(count):
        width, height = SIZES[int(rng.random() * len(SIZES))]
        alt = ALT_TEXTS[int(rng.random() * len(ALT_TEXTS))] if rng.random() < 0.3 else None
        draft.media.append({"url": _media_url(rng, platform, "jpg"), "type": "image",
                            "width": width, "height": height, "duration_s": None,
                            "alt_text": alt})


def _video(rng: Random, draft: Draft) -> dict[str, Any]:
    long = draft.platform == "youtube"
    seconds = float(int(rng.uniform(240, 1_500) if long else rng.uniform(8, 60)))
    width, height = (1920, 1080) if long else (1080, 1920)
    return {"url": _media_url(rng, draft.platform, "mp4"), "type": "video", "width": width,
            "height": height, "duration_s": seconds, "alt_text": None}


def _media_url(rng: Random, platform: str, ext: str) -> str:
    key = rand_chars(rng, _B64, 15)
    host = {"x": "https://pbs.twimg.com/media/", "instagram":
            "https://scontent.cdninstagram.com/v/t51.2885-15/",
            "youtube": "https://i.ytimg.com/vi/"}.get(platform, "https://media.example/")
    return f"{host}{key}.{ext}"


def engagement(rng: Random, draft: Draft) -> None:
    """Counters correlated with the author's audience, the item's boost and its replies."""
    persona = draft.author
    reach = float(persona.followers or rng.lognormvariate(math.log(60), 1.0))
    boost, platform = draft.boost, draft.platform
    if draft.kind in {"comment", "reply"}:
        likes = int(rng.lognormvariate(0.3, 1.2) * (1 + reach ** 0.3 / 3) * boost)
        views = likes * int(rng.uniform(20, 80)) + int(reach * 0.05) if platform == "x" else None
        draft.counts = {"likes": likes, "comments": draft.replies, "shares": 0 if platform in {
            "x", "facebook"} else None, "views": views, "quotes": 0}
        return
    if platform in REVIEWS:
        useful = int(rng.lognormvariate(0.0, 1.0)) if platform != "appstore" else None
        draft.counts = {"likes": useful, "comments": None, "shares": None, "views": None}
        return
    rate = {"x": 0.012, "instagram": 0.035, "facebook": 0.01, "youtube": 0.02,
            "reddit": 0.0}[platform]
    seen = reach * rng.uniform(0.08, 0.45) * boost + rng.lognormvariate(3.0, 1.0)
    if platform == "youtube":
        seen = reach * rng.uniform(0.2, 1.6) * boost + rng.lognormvariate(5.0, 1.0)
    likes = int(seen * rate * rng.uniform(0.4, 1.8) * (0.5 + min(boost, 3.0) / 2))
    if platform == "reddit":
        likes = int(rng.lognormvariate(math.log(12), 1.1) * boost)
    shares = int(likes * rng.uniform(0.05, 0.25)) if platform in {"x", "facebook"} else None
    views = int(seen) if platform in {"x", "youtube"} or _is_video(draft) else None
    extra = int(likes * rng.uniform(0.0, 0.05))
    draft.counts = {"likes": likes, "comments": draft.replies + extra, "shares": shares,
                    "views": views, "quotes": int((shares or 0) * rng.uniform(0.05, 0.3))}


def _is_video(draft: Draft) -> bool:
    return any(m["type"] == "video" for m in draft.media)


def rating_for(rng: Random, mood: str) -> float:
    """A 1-5 star rating that goes with the mood of a review."""
    roll = rng.random()
    if mood == "pos":
        return 5.0 if roll < 0.7 else 4.0
    if mood == "neg":
        return 1.0 if roll < 0.6 else (2.0 if roll < 0.9 else 3.0)
    return 3.0 if roll < 0.6 else (4.0 if roll < 0.8 else 2.0)


def tags_and_mentions(text: str, platform: str) -> tuple[list[str], list[str]]:
    """Hashtags (without ``#``) and mentions (without ``@``) in the order they appear."""
    mention = MENTION_X if platform == "x" else MENTION
    return HASHTAG.findall(text), mention.findall(text)
