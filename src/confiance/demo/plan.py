"""Who posts what, where and when: the demo's storyline as a list of drafts.

The budget of items is split between the brand's own posts, its advocates, the photo campaign,
the price backlash, competitor talk, everyday posts and reviews, and replies. Everything is
drawn from one ``random.Random``, in a fixed order, so one seed gives one storyline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from random import Random

from confiance.demo import vocab as v
from confiance.demo.drafts import REVIEWS, ROOT_KIND, Draft
from confiance.demo.people import People, Persona
from confiance.demo.replies import Replier
from confiance.demo.timeline import DAY, HOUR, PEAK, Timeline, activity, after, paris_ts

SHARES = (("brand", 0.012), ("advocate", 0.04), ("campaign", 0.06), ("episode", 0.055),
          ("competitor", 0.09), ("brand_reply", 0.035), ("episode_reply", 0.045),
          ("reply", 0.12))
BASE_PLATFORMS = (("x", 27), ("instagram", 13), ("facebook", 9), ("youtube", 1), ("reddit", 4),
                  ("trustpilot", 22), ("google", 20), ("appstore", 1.5), ("googleplay", 1.5))
COMPETITOR_PLATFORMS = (("x", 32), ("instagram", 26), ("facebook", 5), ("reddit", 5),
                        ("trustpilot", 18), ("google", 14))
EPISODE_PLATFORMS = (("x", 52), ("instagram", 10), ("facebook", 14), ("reddit", 7),
                     ("trustpilot", 9), ("google", 6), ("youtube", 2))
EPISODE_KEYS = (("backlash:neg", 66), ("switch:neg", 10), ("price:neg", 4), ("backlash:neu", 13),
                ("backlash:pos", 7))
SOCIAL_TOPICS = (
    ("scent:pos", 16), ("quality:pos", 7), ("quality:neg", 3), ("delivery:neg", 4),
    ("delivery:pos", 2), ("service:neg", 2), ("service:pos", 2), ("price:neg", 3),
    ("price:pos", 2), ("eco:pos", 4), ("eco:neg", 1), ("gift:pos", 7), ("gift:neu", 5),
    ("question:neu", 12), ("intent:neu", 8), ("intent:pos", 4), ("shop:pos", 2),
    ("general:pos", 4), ("general:neu", 5), ("general:neg", 1), ("compare:pos", 1),
    ("compare:neu", 2), ("compare:neg", 1), ("scent:neg", 1),
)
REVIEW_TOPICS = (
    ("scent:pos", 16), ("quality:pos", 12), ("quality:neg", 4), ("delivery:pos", 9),
    ("delivery:neg", 6), ("service:pos", 5), ("service:neg", 3), ("price:neg", 2),
    ("price:pos", 3), ("gift:pos", 8), ("eco:pos", 3), ("scent:neg", 2), ("general:pos", 4),
    ("general:neg", 1),
)
THREAD_TOPICS = (("question:neu", 8), ("compare:neu", 3), ("delivery:neg", 3), ("scent:pos", 3),
                 ("service:neg", 2), ("price:neg", 2), ("gift:neu", 3))
VIDEO_TOPICS = (("scent:pos", 5), ("gift:pos", 2), ("compare:neu", 2), ("general:neg", 1))
APP_TOPICS = (("app:pos", 5), ("app:neg", 4), ("app:neu", 1))
ADVOCATE_KEYS = (("scent:pos", 4), ("gift:pos", 2), ("quality:pos", 2), ("intent:pos", 1),
                 ("eco:pos", 1))
STYLE = {"youtube": "video", "reddit": "thread", "trustpilot": "review", "google": "review",
         "appstore": "review", "googleplay": "review"}


@dataclass(frozen=True, slots=True)
class Setup:
    """The fixed facts of one run: size and the storyline's key moments (Unix seconds).

    ``backlash`` and ``campaign`` switch the price backlash and the photo campaign on (the
    demo) or off (the crisis scenarios' everyday world); when off, their budget goes to
    everyday items and replies.
    """

    posts: int
    start: int
    end: int
    launch: int
    episode_start: int
    episode_end: int
    backlash: bool = True
    campaign: bool = True


def weighted(rng: Random, table: tuple[tuple[str, float], ...]) -> str:
    """A key of ``table`` drawn with its weight."""
    total = sum(w for _, w in table)
    roll = rng.random() * total
    for key, weight in table:
        roll -= weight
        if roll < 0:
            return key
    return table[-1][0]


def mood_of(key: str) -> str:
    """The sentiment part of a bank key (``pos``, ``neu`` or ``neg``)."""
    mood = key.partition(":")[2]
    return mood if mood in {"pos", "neu", "neg"} else "neu"


class Planner:
    """Lays out every item of a run; :meth:`run` returns them, replies included."""

    def __init__(self, rng: Random, people: People, timeline: Timeline, setup: Setup) -> None:
        self.rng, self.people, self.timeline, self.setup = rng, people, timeline, setup
        self.drafts: list[Draft] = []
        self.accounts = _accounts(people)
        self.critic = people.special(
            "x", handle="DecrypteurConso", name="Le Décrypteur Conso", followers=184_300,
            role="critic", bio="Je décortique vos achats : prix, arnaques, bons plans. "
            "Enquêtes conso 🔎")
        self.advocates = self._make_advocates()

    def run(self) -> list[Draft]:
        """Plan roots then replies so that exactly ``setup.posts`` items come out."""
        budget = {name: round(self.setup.posts * share) for name, share in SHARES}
        budget["brand"] = max(budget["brand"], 9)
        budget["episode"] = max(budget["episode"], 3)
        if not self.setup.backlash:
            budget["reply"] += budget["episode_reply"]
            budget["episode"] = budget["episode_reply"] = 0
        if not self.setup.campaign:
            budget["campaign"] = 0
        roots_budget = self.setup.posts - sum(budget[k] for k in (
            "brand_reply", "episode_reply", "reply"))
        self._brand_posts(budget["brand"])
        self._advocate_posts(budget["advocate"])
        self._campaign(budget["campaign"])
        if self.setup.backlash:
            self._episode(budget["episode"])
        self._competitors(budget["competitor"])
        self.extra_roots(roots_budget - len(self.drafts))
        self._baseline(roots_budget - len(self.drafts))
        replier = Replier(self.rng, self.people, self.setup, self.accounts["brand"],
                          self.critic)
        self.drafts.extend(replier.run(list(self.drafts), budget))
        return self.drafts

    def extra_roots(self, room: int) -> None:
        """Hook for variants of the storyline: add root drafts (at most ``room``) before the
        everyday baseline fills what is left; replies then spread over them too. The demo
        adds none."""

    # ------------------------------------------------------------------ helpers

    def _add(self, platform: str, author: Persona, ts: int, key: str, **extra: object) -> Draft:
        style = STYLE.get(platform, "post")
        draft = Draft(platform=platform, kind=ROOT_KIND.get(platform, "post"), ts=ts,
                      author=author, key=key, mood=mood_of(key), lang=author.lang,
                      style=style)
        for name, value in extra.items():
            setattr(draft, name, value)
        if draft.lang == "fr" and draft.style != "brand" and self.rng.random() < 0.04:
            draft.mixed = True
        self.drafts.append(draft)
        return draft

    def _make_advocates(self) -> list[Persona]:
        rng, people = self.rng, self.people
        found = []
        for index in range(rng.randint(5, 8)):
            platform = "x" if index % 3 == 2 else "instagram"
            followers = int(math.exp(rng.uniform(math.log(2_000), math.log(35_000))))
            persona = people.new(platform, lang="fr", role="advocate", followers=followers)
            persona.bio = f"Bougies, {persona.bio or 'déco'} & cocooning 🕯️"
            found.append(persona)
        return found

    def _in_episode(self, ts: int) -> bool:
        return self.setup.backlash and self.setup.episode_start <= ts < self.setup.episode_end

    # ------------------------------------------------------------------ storyline

    def _brand_posts(self, count: int) -> None:
        setup, brand = self.setup, self.accounts["brand"]
        moments = [("launch:pos", setup.launch, {"campaign": True})] if setup.campaign else []
        if setup.backlash:
            moments += [("announce:neu", setup.episode_start, {"episode": True}),
                        ("response:neu", setup.episode_start + 22 * HOUR, {"episode": True})]
        for key, ts, extra in moments:
            for offset, platform in enumerate(("x", "instagram", "facebook")):
                self._add(platform, brand[platform], ts + offset * 120, key, style="brand",
                          **extra)
        for _ in range(count - 3 * len(moments)):
            platform = weighted(self.rng, (("x", 4), ("instagram", 4), ("facebook", 2)))
            self._add(platform, brand[platform], self._office_hours(), "brand:pos",
                      style="brand")

    def _office_hours(self) -> int:
        rng, setup = self.rng, self.setup
        for _ in range(20):
            day = setup.start + int(rng.random() * (setup.end - setup.start) / DAY) * DAY
            ts = paris_ts(day, 9 + int(rng.random() * 10), int(rng.random() * 60))
            if setup.start <= ts < setup.end and not self._in_episode(ts):
                return ts
        return setup.start + HOUR

    def _advocate_posts(self, count: int) -> None:
        rng = self.rng
        weights = [rng.uniform(0.6, 1.4) for _ in self.advocates]
        shares = [int(count * w / sum(weights)) for w in weights]
        shares[0] += count - sum(shares)
        for persona, share in zip(self.advocates, shares, strict=True):
            for _ in range(share):
                ts = self.timeline.sample(rng)
                campaign = self.setup.campaign and ts >= self.setup.launch and \
                    rng.random() < 0.8
                key = "campaign:pos" if campaign else weighted(rng, ADVOCATE_KEYS)
                episode = self._in_episode(ts) and rng.random() < 0.6
                key = "backlash:pos" if episode else key
                self._add(persona.platform, persona, ts, key, campaign=campaign,
                          episode=episode, boost=2.5)

    def _campaign(self, count: int) -> None:
        rng, setup = self.rng, self.setup
        for _ in range(count):
            platform = "instagram" if rng.random() < 0.75 else "x"
            ts = after(rng, setup.launch, mean=10 * DAY, end=setup.end)
            self._add(platform, self.people.pick(platform), ts, "campaign:pos", campaign=True,
                      boost=1.4)

    def _episode(self, count: int) -> None:
        rng, setup, people = self.rng, self.setup, self.people
        self._add("x", self.critic, setup.episode_start + 100 * 60, "critic:neg", episode=True,
                  boost=8.0)
        creator = people.new("youtube", lang="fr", role="creator",
                             followers=int(rng.uniform(120_000, 400_000)))
        self._add("youtube", creator, setup.episode_start + 28 * HOUR, "backlash:neg",
                  episode=True, boost=3.0)
        for _ in range(count - 2):
            platform = weighted(rng, EPISODE_PLATFORMS)
            author = self._author(platform)
            key = weighted(rng, EPISODE_KEYS)
            boost = 2.0 if platform == "x" and key.endswith("neg") else 1.0
            self._add(platform, author, self._episode_ts(), key, episode=True, boost=boost)

    def _episode_ts(self) -> int:
        rng, setup = self.rng, self.setup
        for _ in range(50):
            mean = 2.5 * HOUR if rng.random() < 0.4 else 22 * HOUR
            ts = setup.episode_start + int(rng.expovariate(1.0 / mean))
            if ts < setup.episode_end and rng.random() < max(0.2, activity(ts) / PEAK):
                return ts
        return setup.episode_start + int(rng.random() * (setup.episode_end - setup.episode_start))

    def _author(self, platform: str) -> Persona:
        if platform == "youtube":
            followers = int(math.exp(self.rng.uniform(math.log(800), math.log(150_000))))
            return self.people.new("youtube", role="creator", followers=followers)
        return self.people.pick(platform)

    def _competitors(self, count: int) -> None:
        rng = self.rng
        for _ in range(count):
            platform = weighted(rng, COMPETITOR_PLATFORMS)
            target = "celeste" if rng.random() < 0.6 else "flamme"
            key = weighted(rng, topics_for(platform))
            self._add(platform, self._author(platform), self.timeline.sample(rng), key,
                      target=target)

    def _baseline(self, count: int) -> None:
        rng, setup = self.rng, self.setup
        for _ in range(count):
            platform = weighted(rng, BASE_PLATFORMS)
            ts = self.timeline.sample(rng)
            key = weighted(rng, topics_for(platform))
            lingering = setup.backlash and setup.episode_end <= ts < setup.episode_end + 10 * DAY
            if lingering and platform not in {"appstore", "googleplay"} and rng.random() < 0.12:
                key = "price:neg" if rng.random() < 0.7 else "backlash:neu"
            self._add(platform, self._author(platform), ts, key)


def topics_for(platform: str) -> tuple[tuple[str, float], ...]:
    """The topic table everyday items on ``platform`` are drawn from."""
    if platform in {"appstore", "googleplay"}:
        return APP_TOPICS
    if platform in REVIEWS:
        return REVIEW_TOPICS
    return {"reddit": THREAD_TOPICS, "youtube": VIDEO_TOPICS}.get(platform, SOCIAL_TOPICS)


def _accounts(people: People) -> dict[str, dict[str, Persona]]:
    """The brands' own accounts on X, Instagram and Facebook."""
    bios = {
        "brand": ("Bougies et parfums d'intérieur coulés à la main en Touraine 🕯️ Fabriqué en "
                  "France depuis 2011", (48_200, 126_400, 38_900), "Tours, France"),
        "celeste": ("Bougies parfumées & douceurs pour la maison ✨", (21_300, 64_800, 12_100),
                    "Lyon"),
        "flamme": ("Atelier de bougies artisanales, cire de soja 🔥", (9_100, 31_500, 6_400),
                   "Nantes"),
    }
    names = {"brand": (v.BRAND, v.BRAND_HANDLE), **v.COMPETITORS}
    accounts: dict[str, dict[str, Persona]] = {}
    for key, (bio, audience, city) in bios.items():
        name, handle = names[key]
        accounts[key] = {
            platform: people.special(platform, handle=handle.lower() if platform ==
                                     "instagram" else handle, name=name, followers=followers,
                                     role="brand" if key == "brand" else "competitor",
                                     bio=bio, location=city)
            for platform, followers in zip(("x", "instagram", "facebook"), audience,
                                           strict=True)
        }
    return accounts
