"""The demo's people: ordinary customers, advocates, the brands' own accounts, a critic.

Follower counts are heavy-tailed: most people have a few hundred followers (log-normal), about
one in twelve is a micro-influencer (1k-50k, log-uniform) and a handful are big accounts
(Pareto above 50k). Platforms that show no follower count (Facebook users, Reddit, review
sites, app stores) leave it ``None``, as their importers would.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from random import Random
from typing import Any

from confiance.demo import vocab as v

FOLLOWED = frozenset({"x", "instagram"})
LANGS = (("fr", 0.76), ("en", 0.92), ("es", 0.965), ("de", 1.0))
NEW_AUTHOR = {"x": 0.24, "instagram": 0.26, "facebook": 0.38, "youtube": 0.45, "reddit": 0.35,
              "trustpilot": 0.88, "google": 0.9, "appstore": 0.95, "googleplay": 0.95}
"""Chance that an item comes from someone new rather than from someone already seen."""
CAP = 12
"""The most items one ordinary persona writes in a run (advocates write more)."""
_ASCII = str.maketrans("éèêëàâäîïôöùûüçÉÈÊÀÇñí", "eeeeaaaiioouuucEEEACni")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(slots=True, eq=False)
class Persona:
    """Someone who posts, as seen on one platform."""

    platform: str
    uid: str
    handle: str | None
    name: str | None
    first: str
    lang: str
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    verified: bool | None = None
    bio: str | None = None
    location: str | None = None
    created: int = 0
    role: str = "user"
    url: str | None = None
    _author: dict[str, Any] | None = field(default=None, repr=False)

    def author(self) -> dict[str, Any]:
        """The canonical ``Author`` as a JSON-ready dict (shared: do not modify)."""
        if self._author is None:
            self._author = {
                "platform": self.platform, "platform_id": self.uid, "handle": self.handle,
                "display_name": self.name, "followers": self.followers,
                "following": self.following, "post_count": self.posts,
                "verified": self.verified, "bio": self.bio, "location": self.location,
                "url": self.url,
            }
        return self._author


def rand_chars(rng: Random, alphabet: str, size: int) -> str:
    """``size`` characters drawn from ``alphabet``."""
    n = len(alphabet)
    return "".join(alphabet[int(rng.random() * n)] for _ in range(size))


def draw_followers(rng: Random) -> int:
    """A heavy-tailed follower count: log-normal body, log-uniform middle, Pareto tail."""
    roll = rng.random()
    if roll < 0.003:
        return min(int(50_000 * (1.0 - rng.random()) ** (-1 / 1.2)), 2_400_000)
    if roll < 0.085:
        return int(math.exp(rng.uniform(math.log(1_000), math.log(50_000))))
    return int(rng.lognormvariate(math.log(120), 1.15))


class People:
    """Creates personas on demand and decides who posts next (rich get richer)."""

    def __init__(self, rng: Random, *, start: int) -> None:
        self.rng = rng
        self.start = start
        self.uids: set[str] = set()
        self.handles: set[tuple[str, str]] = set()
        self.seen: dict[str, list[Persona]] = {}
        self.written: Counter[str] = Counter()
        self.everyone: list[Persona] = []

    # ------------------------------------------------------------------ picking

    def pick(self, platform: str, lang: str | None = None) -> Persona:
        """Someone to write the next item: someone new, or a regular (at most ``CAP`` items)."""
        rng = self.rng
        seen = self.seen.setdefault(platform, [])
        if seen and rng.random() >= NEW_AUTHOR.get(platform, 0.5):
            for _ in range(4):
                persona = seen[int(rng.random() * len(seen))]
                if (lang is None or persona.lang == lang) and self.written[persona.uid] < CAP:
                    self.written[persona.uid] += 1
                    return persona
        persona = self.new(platform, lang=lang)
        seen.append(persona)
        self.written[persona.uid] = 1
        return persona

    def friend(self, platform: str) -> str | None:
        """The handle of someone already seen on ``platform``, to be tagged."""
        seen = [p for p in self.seen.get(platform, ())[-200:] if p.handle and p.role == "user"]
        return seen[int(self.rng.random() * len(seen))].handle if seen else None

    # ------------------------------------------------------------------ creating

    def new(self, platform: str, *, lang: str | None = None, role: str = "user",
            followers: int | None = None) -> Persona:
        """A fresh persona on ``platform``; ``followers`` overrides the drawn count."""
        rng = self.rng
        lang = lang or self.draw_lang()
        firsts, lasts = v.NAMES[lang]
        first = firsts[int(rng.random() * len(firsts))]
        last = lasts[int(rng.random() * len(lasts))]
        persona = Persona(platform=platform, uid=self._uid(platform), handle=None, name=None,
                          first=first, lang=lang, role=role,
                          created=self.start - int(rng.uniform(30, 5_000) * 86_400))
        self._naming(persona, first, last)
        self._audience(persona, followers)
        if platform in {"x", "instagram", "youtube", "reddit"}:
            persona.bio = self._bio(lang) if rng.random() < 0.65 else None
        if platform in {"x", "instagram"} and rng.random() < 0.55:
            persona.location = self._location(lang)
        persona.url = _profile_url(persona)
        self.everyone.append(persona)
        return persona

    def special(self, platform: str, *, handle: str, name: str, followers: int,
                role: str, bio: str, location: str | None = "Paris") -> Persona:
        """A named account: the brands' own, the critic."""
        persona = Persona(platform=platform, uid=self._uid(platform), handle=handle, name=name,
                          first=name, lang="fr", followers=followers,
                          following=int(followers * 0.004) + 50,
                          posts=int(followers * 0.05) + 800, verified=True, bio=bio,
                          location=location, created=self.start - 3_900 * 86_400, role=role)
        if platform not in FOLLOWED and platform != "youtube":
            persona.handle = handle if platform == "facebook" else None
        persona.url = _profile_url(persona)
        self.handles.add((platform, handle.lower()))
        self.everyone.append(persona)
        return persona

    def draw_lang(self) -> str:
        """A language for a new persona: mostly French, some English, a little else."""
        roll = self.rng.random()
        return next(lang for lang, upto in LANGS if roll < upto)

    def _uid(self, platform: str) -> str:
        rng = self.rng
        while True:
            if platform == "youtube":
                uid = "UC" + rand_chars(rng, _B64, 22)
            elif platform == "reddit":
                uid = "t2_" + rand_chars(rng, _B36, 8)
            elif platform == "trustpilot":
                uid = rand_chars(rng, "0123456789abcdef", 24)
            else:
                digits = {"x": (8, 19), "instagram": (9, 11), "facebook": (15, 17),
                          "google": (21, 21)}.get(platform, (9, 10))
                size = digits[0] + int(rng.random() * (digits[1] - digits[0] + 1))
                uid = str(1 + int(rng.random() * 9)) + rand_chars(rng, "0123456789", size - 1)
            if uid not in self.uids:
                self.uids.add(uid)
                return uid

    def _naming(self, persona: Persona, first: str, last: str) -> None:
        platform = persona.platform
        if platform in {"x", "instagram", "reddit", "youtube"}:
            persona.handle = self._handle(platform, first, last)
        if platform == "appstore":
            persona.name = self._handle("appstore", first, last)
        elif platform != "reddit":
            persona.name = self._display(platform, first, last)

    def _display(self, platform: str, first: str, last: str) -> str:
        rng = self.rng
        if platform in {"google", "googleplay", "facebook"}:
            return f"{first} {last}" if rng.random() < 0.85 else f"{first} {last[0]}."
        if platform == "trustpilot":
            styles: tuple[str, ...] = (f"{first} {last[0]}.", f"{first} {last}", first,
                                       first.upper(),
                      f"{first[0]}. {last}")
            return styles[int(rng.random() * len(styles))]
        emoji = v.BIO_EMOJI[int(rng.random() * len(v.BIO_EMOJI))]
        interest = v.INTERESTS_FR[int(rng.random() * len(v.INTERESTS_FR))]
        styles = (f"{first} {last}", f"{first} {last}", f"{first} {last[0]}.", f"{first} {emoji}",
                  f"{first.lower()} {emoji}", f"{first} | {interest}", first, first.upper(),
                  f"{first} {last} {emoji}")
        return styles[int(rng.random() * len(styles))]

    def _handle(self, platform: str, first: str, last: str) -> str:
        rng = self.rng
        f, lname = first.lower().translate(_ASCII), last.lower().translate(_ASCII)
        lname = lname.replace(" ", "")
        word = v.HANDLE_WORDS[int(rng.random() * len(v.HANDLE_WORDS))]
        num = str(int(rng.random() * 99) + 1)
        city = v.CITIES["fr"][int(rng.random() * 20)].lower().translate(_ASCII)[:6]
        styles = (f"{f}_{lname[:3]}", f"{f}{lname}", f"{f}.{lname}", f"{f}{num}", f"{f}_{word}",
                  f"{word}_{f}", f"{f}{lname[0]}{num}", f"la{word}de{f}", f"{f}_{city}",
                  f"{f}{lname}_", f"_{f}.{lname}_", f"{word}{num}", f"{f}.{word}")
        handle = styles[int(rng.random() * len(styles))].replace("-", "").replace("'", "")
        if platform == "x":
            handle = handle.replace(".", "_")[:15]
        elif platform == "reddit":
            handle = handle.replace(".", "_").title() if rng.random() < 0.4 else handle
            handle = handle.replace(".", "_")
        base = handle
        while (platform, handle.lower()) in self.handles:
            handle = f"{base[:12]}{int(rng.random() * 999)}"
        self.handles.add((platform, handle.lower()))
        return handle

    def _audience(self, persona: Persona, followers: int | None) -> None:
        rng = self.rng
        platform = persona.platform
        if platform in FOLLOWED or followers is not None:
            count = followers if followers is not None else draw_followers(rng)
            persona.followers = count
            persona.following = min(int(rng.lognormvariate(math.log(280), 0.9)), 7_500)
            base = 1_400 if platform == "x" else 110
            persona.posts = int(rng.lognormvariate(math.log(base), 1.1) * (1 + count ** 0.25 / 4))
            persona.verified = count > 50_000 and rng.random() < 0.6
        elif platform in {"trustpilot", "google"}:
            persona.posts = 1 + int(rng.lognormvariate(math.log(4), 1.0))

    def _bio(self, lang: str) -> str:
        rng = self.rng
        english = lang != "fr"
        interests = v.INTERESTS_EN if english else v.INTERESTS_FR
        jobs = v.JOBS_EN if english else v.JOBS_FR
        styles = v.BIO_STYLES_EN if english else v.BIO_STYLES
        picks = [interests[int(rng.random() * len(interests))] for _ in range(3)]
        emoji = v.BIO_EMOJI
        return styles[int(rng.random() * len(styles))].format(
            i1=picks[0], i2=picks[1], i3=picks[2], job=jobs[int(rng.random() * len(jobs))],
            e=emoji[int(rng.random() * len(emoji))], e2=emoji[int(rng.random() * len(emoji))],
            city=self._city(lang))

    def _city(self, lang: str) -> str:
        cities = v.CITIES.get(lang, v.CITIES["en"])
        return cities[int(self.rng.random() * len(cities))]

    def _location(self, lang: str) -> str:
        styles = v.LOCATION_STYLES if lang == "fr" else v.LOCATION_STYLES_INTL
        style = styles[int(self.rng.random() * len(styles))]
        return style.format(city=self._city(lang), city2=self._city(lang))


def _profile_url(persona: Persona) -> str | None:
    handle, uid = persona.handle, persona.uid
    return {
        "x": f"https://x.com/{handle}",
        "instagram": f"https://www.instagram.com/{handle}/",
        "facebook": f"https://www.facebook.com/{uid}",
        "youtube": f"https://www.youtube.com/channel/{uid}",
        "reddit": f"https://www.reddit.com/user/{handle}",
        "trustpilot": f"https://fr.trustpilot.com/users/{uid}",
    }.get(persona.platform)
