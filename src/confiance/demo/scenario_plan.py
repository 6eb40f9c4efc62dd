"""The crisis scenarios' world: the demo's everyday talk without its price backlash.

:class:`ScenarioPlanner` plans the demo's everyday items (same people, platforms, rhythm and
phrase banks, with or without the photo campaign) and gives subclasses what they need to add
one storyline on top: a :class:`Curve` of times, authors, replies, the brand's working hours,
and a record of the key moments and of the labelled episode. :class:`SeasonPlanner` is the
Christmas peak that is not a crisis; the crises are in :mod:`confiance.demo.scenario_crises`.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise
from random import Random

from confiance.demo.drafts import Draft
from confiance.demo.people import People, Persona
from confiance.demo.plan import Planner, Setup, weighted
from confiance.demo.timeline import DAY, HOUR, PEAK, Timeline, activity, paris_hour

SCENARIO_LANGS = (("fr", 0.84), ("en", 1.0))
"""Languages of the people who join a scenario's storyline (its banks are French and English)."""
SEASON_PLATFORMS = (
    ("instagram", 26),
    ("x", 18),
    ("facebook", 12),
    ("trustpilot", 17),
    ("google", 15),
    ("reddit", 4),
    ("youtube", 2),
)
SEASON_SOCIAL = (
    ("noel:pos", 26),
    ("gift:pos", 16),
    ("noel:neu", 14),
    ("gift:neu", 9),
    ("intent:pos", 7),
    ("promo:pos", 6),
    ("promo:neu", 3),
    ("shop:pos", 3),
    ("noel:neg", 9),
    ("delivery:neg", 5),
    ("price:neg", 2),
)
SEASON_REVIEWS = (
    ("noel:pos", 30),
    ("gift:pos", 24),
    ("delivery:pos", 10),
    ("quality:pos", 8),
    ("scent:pos", 6),
    ("noel:neg", 10),
    ("delivery:neg", 8),
    ("quality:neg", 3),
)
SEASON_THREADS = (("noel:neu", 6), ("gift:neu", 3), ("noel:pos", 3), ("noel:neg", 1))
SEASON_VIDEOS = (("noel:pos", 4), ("noel:neu", 1))
SEASON_RAMP = (48, 62, 76, 82)
"""Days (of 90) where the season starts rising, reaches about three times the usual volume,
starts easing off and is back to normal; scaled to other spans."""


@dataclass(frozen=True, slots=True)
class Moment:
    """A key moment of a scenario, for its manifest: a time and, when an item, which one."""

    name: str
    ts: int
    draft: Draft | None = None


class Curve:
    """Draws times over consecutive hours from ``start``, each hour with its own weight."""

    def __init__(self, start: int, weights: list[float]) -> None:
        self.start = start
        total = 0.0
        self.cumulative: list[float] = []
        for weight in weights:
            total += max(weight, 0.0)
            self.cumulative.append(total)
        self.total = total
        self.end = start + len(weights) * HOUR

    def sample(self, rng: Random) -> int:
        """A time in ``[start, end)``; heavier hours more likely, uniform within an hour."""
        index = bisect_right(self.cumulative, rng.random() * self.total)
        index = min(index, len(self.cumulative) - 1)
        return self.start + index * HOUR + int(rng.random() * HOUR)


def rhythm(ts: int) -> float:
    """The daily rhythm as a factor (quiet nights never fall to zero during a storyline)."""
    return max(0.25, activity(ts) / PEAK)


class ScenarioPlanner(Planner):
    """Plans a scenario's everyday world; subclasses add their storyline.

    After :meth:`run`, ``episode`` holds the labelled window (Unix seconds) or ``None``,
    ``moments`` the key moments, ``names`` the values of slots such as ``{createur}`` and
    ``hashtags`` the hashtags the storyline introduces and ``media`` the items whose media are
    set by the storyline (photo descriptions, or ``("video",)``).
    """

    def __init__(
        self, rng: Random, people: People, timeline: Timeline, setup: Setup, *, extra: int = 0
    ) -> None:
        super().__init__(rng, people, timeline, setup)
        self.extra = extra
        self.days = (setup.end - setup.start) // DAY
        self.episode: tuple[int, int] | None = None
        self.moments: list[Moment] = []
        self.names: dict[str, dict[str, str]] = {}
        self.hashtags: list[str] = []
        self.media: dict[Draft, tuple[str, ...]] = {}

    def day(self, of_90: int) -> int:
        """The UTC start of day ``of_90`` of a 90-day span, scaled to this span."""
        return self.setup.start + (self.days * of_90 // 90) * DAY

    def lang(self) -> str:
        """A language for someone joining the storyline."""
        roll = self.rng.random()
        return next(lang for lang, upto in SCENARIO_LANGS if roll < upto)

    def lang_after(self, parent: Draft) -> str:
        """The language of someone answering ``parent``: mostly the parent's."""
        if parent.lang in {"fr", "en"} and self.rng.random() < 0.85:
            return parent.lang
        return self.lang()

    def author(self, platform: str, lang: str | None = None) -> Persona:
        """Someone (new or already seen) writing a storyline item on ``platform``."""
        lang = lang or self.lang()
        if platform == "youtube":
            followers = int(math.exp(self.rng.uniform(math.log(800), math.log(150_000))))
            return self.people.new("youtube", lang=lang, role="creator", followers=followers)
        return self.people.pick(platform, lang=lang)

    def reply(self, parent: Draft, author: Persona, ts: int, key: str, **extra: object) -> Draft:
        """A reply (X) or comment (elsewhere) to ``parent``."""
        draft = Draft(
            platform=parent.platform,
            kind="reply" if parent.platform == "x" else "comment",
            ts=ts,
            author=author,
            key=key,
            mood=_mood(key),
            lang=author.lang,
            target=parent.target,
            style="reply",
            parent=parent,
        )
        for name, value in extra.items():
            setattr(draft, name, value)
        parent.replies += 1
        self.drafts.append(draft)
        return draft

    def brand_reply(self, parent: Draft, ts: int, key: str, **extra: object) -> Draft:
        """The brand answering ``parent`` on its platform (neutral, in the parent's language)."""
        draft = self.reply(
            parent, self.accounts["brand"][parent.platform], ts, key, style="brand_reply", **extra
        )
        draft.mood = "neu"
        draft.lang = "fr" if parent.lang == "fr" else "en"
        return draft

    def office(self, ts: int) -> int:
        """``ts`` moved into the brand team's working hours (8h-21h, Paris)."""
        hour = paris_hour(ts)
        if 8 <= hour < 21:
            return ts
        shift = ((24 - hour + 9) % 24) * HOUR + int(self.rng.random() * 2 * HOUR)
        return ts + shift

    def hourly(self) -> list[float]:
        """The everyday talk's weight of each hour of the span (rhythm and growth)."""
        cumulative = self.timeline.cumulative
        return [cumulative[0], *(b - a for a, b in pairwise(cumulative))]


class SeasonPlanner(ScenarioPlanner):
    """Christmas shopping: volume rises smoothly to about three times the usual over two
    weeks, gift talk, mostly positive, a normal share of complaints; no episode."""

    def extra_roots(self, room: int) -> None:
        """Seasonal items on top of the everyday rhythm, taken from the everyday budget."""
        base = self.hourly()
        bumps = [2.0 * self._profile(self.setup.start + i * HOUR) * w for i, w in enumerate(base)]
        share = sum(bumps) / (sum(base) + sum(bumps))
        count = min(room, round((room + len(self.drafts)) * share))
        curve = Curve(self.setup.start, bumps)
        rng, brand = self.rng, self.accounts["brand"]
        posts = max(3, count // 70)
        for _ in range(posts):
            platform = weighted(rng, (("x", 4), ("instagram", 4), ("facebook", 2)))
            ts = min(self.office(curve.sample(rng)), self.setup.end - 1)
            self._add(platform, brand[platform], ts, "brand_noel:pos", style="brand")
        sales_end = self.day(SEASON_RAMP[0]) + 9 * DAY
        for _ in range(count - posts):
            platform = weighted(rng, SEASON_PLATFORMS)
            key, ts = weighted(rng, _season_topics(platform)), curve.sample(rng)
            if key.startswith("promo:") and ts >= sales_end:  # Black Friday talk ends early
                key = "noel:pos" if key.endswith("pos") else "noel:neu"
            self._add(platform, self.author(platform), ts, key)
        self.hashtags = ["Noël", "idéecadeau", "BlackFriday"]
        self.moments = [
            Moment(name, self.day(of_90))
            for name, of_90 in zip(
                ("hausse-saisonniere", "pic-atteint", "fin-du-pic", "retour-a-la-normale"),
                SEASON_RAMP,
                strict=True,
            )
        ]

    def _profile(self, ts: int) -> float:
        """0 before the season, rising smoothly to 1, a plateau, easing back to 0."""
        rise, top, ease, back = (self.day(d) for d in SEASON_RAMP)
        if ts < rise or ts >= back:
            return 0.0
        if ts < top:
            return _smooth((ts - rise) / (top - rise))
        if ts < ease:
            return 1.0
        return 1.0 - _smooth((ts - ease) / (back - ease))


def _smooth(x: float) -> float:
    return x * x * (3.0 - 2.0 * x)


def _season_topics(platform: str) -> tuple[tuple[str, float], ...]:
    if platform in {"trustpilot", "google"}:
        return SEASON_REVIEWS
    return {"reddit": SEASON_THREADS, "youtube": SEASON_VIDEOS}.get(platform, SEASON_SOCIAL)


def _mood(key: str) -> str:
    mood = key.partition(":")[2]
    return mood if mood in {"pos", "neu", "neg"} else "neu"
