"""Conversations: the brand answering, the backlash piling on, people replying to people."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from random import Random
from typing import TYPE_CHECKING

from confiance.demo.drafts import Draft
from confiance.demo.people import People, Persona
from confiance.demo.timeline import HOUR, after, paris_hour

if TYPE_CHECKING:
    from confiance.demo.plan import Setup

THREADED = frozenset({"x", "instagram", "facebook", "youtube", "reddit"})
ANSWERED = frozenset({"x", "instagram", "facebook"})
EPISODE_REPLIES = (("backlash_reply:neg", 35), ("backlash:neg", 30), ("switch:neg", 7),
                   ("backlash_reply:neu", 10), ("backlash:neu", 5), ("reply:defend", 8),
                   ("backlash:pos", 5))
AFTER_RESPONSE = (("reply:pos", 30), ("backlash_reply:neg", 30), ("backlash:neg", 15),
                  ("backlash_reply:neu", 15), ("reply:defend", 10))
BY_MOOD = {
    "pos": (("reply:pos", 58), ("reply:neu", 20), ("reply:tag", 15), ("reply:doubt", 7)),
    "neg": (("reply:neg", 55), ("reply:neu", 20), ("reply:defend", 15), ("reply:pos", 10)),
    "neu": (("reply:pos", 25), ("reply:neu", 20), ("reply:neg", 10), ("reply:tag", 10),
            ("scent:pos", 15), ("quality:neg", 8), ("delivery:neg", 6), ("gift:pos", 6)),
}
REPLY_MOOD = {"reply:tag": "pos", "reply:defend": "pos", "reply:doubt": "neg"}


def _weighted(rng: Random, table: tuple[tuple[str, float], ...]) -> str:
    total = sum(w for _, w in table)
    roll = rng.random() * total
    for key, weight in table:
        roll -= weight
        if roll < 0:
            return key
    return table[-1][0]


def _mood(key: str) -> str:
    if key in REPLY_MOOD:
        return REPLY_MOOD[key]
    mood = key.partition(":")[2]
    return mood if mood in {"pos", "neu", "neg"} else "neu"


class Replier:
    """Adds replies to planned roots; :meth:`run` returns the new drafts."""

    def __init__(self, rng: Random, people: People, setup: Setup,
                 brand: dict[str, Persona], critic: Persona) -> None:
        self.rng, self.people, self.setup = rng, people, setup
        self.brand, self.critic = brand, critic
        self.out: list[Draft] = []

    def run(self, roots: list[Draft], budget: dict[str, int]) -> list[Draft]:
        """Brand replies, then backlash replies, then everyday replies: ``sum`` of budgets."""
        total = budget["brand_reply"] + budget["episode_reply"] + budget["reply"]
        self._brand_replies(roots, budget["brand_reply"])
        self._episode_replies(roots, budget["episode_reply"])
        self._user_replies(roots, total - len(self.out))
        return self.out

    def _reply(self, parent: Draft, author: Persona, ts: int, key: str, **extra: object) -> Draft:
        draft = Draft(platform=parent.platform, kind="reply" if parent.platform == "x" else
                      "comment", ts=ts, author=author, key=key, mood=_mood(key),
                      lang=author.lang, target=parent.target, style="reply", parent=parent)
        for name, value in extra.items():
            setattr(draft, name, value)
        parent.replies += 1
        self.out.append(draft)
        return draft

    # ------------------------------------------------------------------ the brand answers

    def _brand_replies(self, roots: list[Draft], count: int) -> None:
        rng = self.rng
        ranked = []
        for draft in roots:
            if draft.platform not in ANSWERED or draft.target != "brand" or \
                    draft.author.role not in {"user", "advocate"}:
                continue
            weight = 3.0 if draft.mood == "neg" or draft.topic == "question" else 0.6
            weight = 1.2 if draft.campaign else weight
            weight = 0.5 if draft.episode else weight
            ranked.append((rng.random() ** (1.0 / weight), draft))
        ranked.sort(key=lambda pair: pair[0], reverse=True)
        for _, parent in ranked[:count]:
            mood = "episode" if parent.episode else parent.mood
            key = f"brand_reply:{mood}"
            ts = self._office(after(rng, parent.ts, mean=2.5 * HOUR, end=self.setup.end,
                                    awake=False))
            author = self.brand[parent.platform]
            reply = self._reply(parent, author, ts, key, style="brand_reply")
            reply.mood = "pos" if parent.mood == "pos" and not parent.episode else "neu"
            reply.lang = "fr" if parent.lang == "fr" else "en"

    def _office(self, ts: int) -> int:
        """Move a brand reply into the team's working hours (8h-21h, Paris)."""
        hour = paris_hour(ts)
        if 8 <= hour < 21:
            return ts
        shift = ((24 - hour + 9) % 24) * HOUR + int(self.rng.random() * 2 * HOUR)
        return min(ts + shift, self.setup.end - 1)

    # ------------------------------------------------------------------ the backlash

    def _episode_replies(self, roots: list[Draft], count: int) -> None:
        rng, setup = self.rng, self.setup
        table: list[tuple[Draft, float]] = []
        for draft in roots:
            if not draft.episode or draft.platform not in THREADED:
                continue
            weight = {"announce": 40.0, "critic": 50.0, "response": 15.0}.get(draft.topic, 1.0)
            table.append((draft, weight))
        if not table:
            return
        pick = _picker(rng, table)
        for _ in range(count):
            parent = pick()
            answers = AFTER_RESPONSE if parent.topic == "response" else EPISODE_REPLIES
            key = _weighted(rng, answers)
            ts = after(rng, max(parent.ts, setup.episode_start), mean=2 * HOUR,
                       end=setup.episode_end)
            author = self.people.pick(parent.platform, lang=self._lang(parent))
            self._reply(parent, author, ts, key, episode=True)

    def _lang(self, parent: Draft) -> str | None:
        return parent.lang if self.rng.random() < 0.85 else None

    # ------------------------------------------------------------------ everyday replies

    def _user_replies(self, roots: list[Draft], count: int) -> None:
        rng, setup = self.rng, self.setup
        table = [(d, _pull(d)) for d in roots if d.platform in THREADED]
        pick = _picker(rng, table)
        chain: list[Draft] = []
        for _ in range(count):
            parent = pick()
            if chain and rng.random() < 0.12:
                parent = chain[int(rng.random() * len(chain))]
            key = self._answer(parent)
            author = self.people.pick(parent.platform, lang=self._lang(parent))
            friend = self.people.friend(parent.platform) if key == "reply:tag" else None
            if key == "reply:tag" and (friend is None or parent.platform not in {
                    "x", "instagram"}):
                key, friend = "reply:pos", None
            mean = HOUR * (3 if parent.platform in {"youtube", "reddit"} else 1.2)
            ts = after(rng, parent.ts, mean=mean, end=setup.end)
            reply = self._reply(parent, author, ts, key, friend=friend,
                                episode=parent.episode and ts < setup.episode_end)
            if parent.platform in {"x", "reddit", "youtube", "facebook"}:
                chain.append(reply)

    def _answer(self, parent: Draft) -> str:
        if parent.episode and parent.ts < self.setup.episode_end:
            return _weighted(self.rng, EPISODE_REPLIES)
        mood = parent.mood if parent.author.role not in {"brand"} else "pos"
        return _weighted(self.rng, BY_MOOD.get(mood, BY_MOOD["neu"]))


def _pull(draft: Draft) -> float:
    """How many replies an item tends to attract, relative to others."""
    audience = draft.author.followers if draft.author.followers is not None else 80
    weight = 1.0 + math.sqrt(audience) / 8.0
    factor = {"brand": 4.0, "advocate": 2.0, "creator": 5.0, "critic": 3.0}.get(
        draft.author.role, 1.0)
    if draft.platform == "reddit":
        factor *= 3.0
    if draft.campaign:
        factor *= 1.5
    return weight * factor


def _picker(rng: Random, table: list[tuple[Draft, float]]) -> Callable[[], Draft]:
    cumulative, total = [], 0.0
    for _, weight in table:
        total += weight
        cumulative.append(total)

    def pick() -> Draft:
        index = bisect_right(cumulative, rng.random() * total)
        return table[min(index, len(table) - 1)][0]

    return pick

