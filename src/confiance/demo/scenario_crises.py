"""The two crises of the scenarios: a slow boycott and a sudden viral post.

Both are planned after the everyday world (replies included), so the everyday replies never
land on them; each brings its own replies, brand answers and labelled episode window.
"""

from __future__ import annotations

import math
from random import Random

from confiance.demo.drafts import Draft
from confiance.demo.people import Persona
from confiance.demo.plan import weighted
from confiance.demo.replies import ANSWERED, THREADED
from confiance.demo.scenario_plan import Curve, Moment, ScenarioPlanner, rhythm
from confiance.demo.timeline import DAY, HOUR, PEAK, activity, paris_ts

BOYCOTT_PLATFORMS = (
    ("x", 40),
    ("instagram", 24),
    ("facebook", 12),
    ("reddit", 8),
    ("youtube", 2),
    ("trustpilot", 8),
    ("google", 6),
)
BOYCOTT_KEYS = (
    ("boycott:neg", 56),
    ("boycott_switch:neg", 8),
    ("boycott:neu", 21),
    ("boycott:pos", 15),
)
BOYCOTT_AFTER = (("boycott_after:neg", 50), ("boycott_after:neu", 20), ("boycott_after:pos", 30))
BOYCOTT_REPLIES = {
    "neg": (("boycott_reply:neg", 62), ("boycott_reply:neu", 20), ("boycott_reply:pos", 18)),
    "neu": (("boycott_reply:neg", 35), ("boycott_reply:neu", 35), ("boycott_reply:pos", 30)),
    "pos": (("boycott_reply:neg", 45), ("boycott_reply:neu", 15), ("boycott_reply:pos", 40)),
}
BOYCOTT_TAIL = (
    ("boycott:neg", 45),
    ("boycott_after:neg", 20),
    ("boycott:neu", 15),
    ("boycott_after:pos", 20),
)
GROWTH_HOURS, PLATEAU_HOURS, DECAY_HOURS, PEAK_RATE = 76, 14, 22.0, 12.0
"""The boycott's excess talk: exponential growth from 1 to ``PEAK_RATE`` (relative rates)
over ``GROWTH_HOURS``, a plateau, then an exponential decay; it ends below half the start."""

VIRAL_REPLIES = (("viral_reply:neg", 58), ("viral_reply:neu", 24), ("viral_defend:pos", 18))
VIRAL_THREAD = (("viral_thread:neg", 55), ("viral_thread:neu", 15), ("viral_thread:pos", 30))
VIRAL_POSTS = (("viral:neg", 62), ("viral:neu", 23), ("viral:pos", 15))
VIRAL_AFTER = (
    ("viral_after:neg", 35),
    ("viral_after:neu", 25),
    ("viral_after:pos", 30),
    ("viral_defend:pos", 10),
)
VIRAL_PARTS = (
    ("x_reply", 40),
    ("ig_comment", 18),
    ("x_post", 13),
    ("facebook", 6),
    ("reddit", 6),
    ("review", 4),
    ("after", 8),
    ("nested", 5),
)
"""How the viral burst splits: replies to the post, comments on its Instagram copy, posts
quoting it, Facebook, a Reddit thread, drive-by reviews, replies to the brand's statement,
and people answering each other under the post."""
VIRAL_HOURS = 48
BURNT_TABLE = (
    "Pot de bougie éclaté sur une table en bois brûlée",
    "Trace noire de brûlure sur une table, débris de verre",
)


class BoycottPlanner(ScenarioPlanner):
    """An activist account calls for a boycott over the wax; it builds up over three days
    across platforms, the brand answers on day two, the talk fades after about a week."""

    def run(self) -> list[Draft]:
        """The everyday world, then the boycott (``extra`` items, all within the span)."""
        super().run()
        self._boycott(self.extra)
        return self.drafts

    def _boycott(self, count: int) -> None:
        onset = paris_ts(self.day(55), 19, 12)
        curve = _boycott_curve(onset, self.setup.end)
        said = paris_ts(self.day(55) + 2 * DAY, 11)
        self.episode = (onset, curve.end)
        self.hashtags = ["StopBougiesToxiques"]
        special = self._boycott_cast(onset, said, curve.end)
        tail = round(count * 0.04)
        rest = count - len(special) - tail
        roots = self._boycott_roots(curve, round(rest * 0.62), said)
        answered = self._boycott_answers(roots, round(count * 0.03), curve.end)
        replies = rest - len(roots) - answered
        self._boycott_replies(curve, [*special, *roots], replies, special, said)
        self._boycott_tail(tail, curve.end)

    def _boycott_cast(self, onset: int, said: int, end: int) -> dict[Draft, float]:
        """The storyline's key items, each with how strongly it draws replies."""
        rng, brand, people = self.rng, self.accounts["brand"], self.people
        activist = self._activist("x", "AirSainCollectif", int(rng.uniform(3_000, 6_000)))
        insta = self._activist("instagram", "airsain.collectif", int(rng.uniform(1_500, 3_500)))
        call = self._add("x", activist, onset, "boycott_call:neg", episode=True, boost=2.0)
        call_ig = self._add(
            "instagram", insta, onset + 35 * 60, "boycott_call:neg", episode=True, boost=1.5
        )
        relayer = people.new(
            "instagram", lang="fr", role="creator", followers=int(rng.uniform(12_000, 30_000))
        )
        relay = self._add(
            "instagram",
            relayer,
            onset + 21 * HOUR + int(rng.random() * HOUR),
            "boycott:neg",
            episode=True,
            boost=3.0,
        )
        thread = self._add(
            "reddit", self.author("reddit", "fr"), onset + 30 * HOUR, "boycott:neu", episode=True
        )
        statement = [
            self._add(p, brand[p], said + i * 120, "brand_boycott:neu", style="brand", episode=True)
            for i, p in enumerate(("x", "instagram", "facebook"))
        ]
        followup = self._add(
            "x", activist, said + 3 * HOUR, "boycott_followup:neg", episode=True, boost=1.5
        )
        maker = people.new(
            "youtube", lang="fr", role="creator", followers=int(rng.uniform(60_000, 140_000))
        )
        video = self._add(
            "youtube", maker, onset + 71 * HOUR, "boycott:neg", episode=True, boost=2.5
        )
        self.moments = [
            Moment("appel-au-boycott", onset, call),
            Moment("relais", relay.ts, relay),
            Moment("reponse-de-la-marque", said, statement[0]),
            Moment("video", video.ts, video),
            Moment("fin", end),
        ]
        pull = {call: 25.0, call_ig: 10.0, relay: 12.0, thread: 10.0, video: 8.0, followup: 6.0}
        return {**pull, **{s: 15.0 for s in statement}}

    def _activist(self, platform: str, handle: str, followers: int) -> Persona:
        persona = self.people.special(
            platform,
            handle=handle,
            name="Air Sain · collectif",
            followers=followers,
            role="activist",
            location="Tours",
            bio="Collectif citoyen pour un air intérieur "
            "sans toxiques. Bougies, parfums d'intérieur, ménage : on lit les étiquettes 🌿",
        )
        persona.verified = False
        return persona

    def _boycott_roots(self, curve: Curve, count: int, said: int) -> list[Draft]:
        rng, found = self.rng, []
        for _ in range(count):
            ts = curve.sample(rng)
            platform = weighted(rng, BOYCOTT_PLATFORMS)
            after = ts > said and rng.random() < 0.3
            key = weighted(rng, BOYCOTT_AFTER if after else BOYCOTT_KEYS)
            boost = 1.5 if platform == "x" and key.endswith("neg") else 1.0
            found.append(
                self._add(platform, self.author(platform), ts, key, episode=True, boost=boost)
            )
        return found

    def _boycott_replies(
        self, curve: Curve, parents: list[Draft], count: int, special: dict[Draft, float], said: int
    ) -> None:
        rng = self.rng
        threaded = [d for d in parents if d.platform in THREADED]
        for _ in range(count):
            ts = max(curve.sample(rng), curve.start + 120)  # the call (first) is always earlier
            earlier = [d for d in threaded if d.ts < ts - 60]
            weights = [_pull(d, ts, special) for d in earlier]
            parent = earlier[_choice(rng, weights)]
            if parent.style == "brand":
                key = weighted(rng, BOYCOTT_AFTER)
            else:
                key = weighted(rng, BOYCOTT_REPLIES[parent.mood])
            if ts > said and key == "boycott_reply:pos" and rng.random() < 0.5:
                key = "boycott_after:pos"
            self.reply(
                parent, self.author(parent.platform, self.lang_after(parent)), ts, key, episode=True
            )

    def _boycott_answers(self, roots: list[Draft], count: int, end: int) -> int:
        """The brand answering worried or angry people; returns how many answers."""
        rng = self.rng
        asked = [
            d
            for d in roots
            if d.platform in ANSWERED
            and d.mood != "pos"
            and d.author.role == "user"
            and d.ts < end - 6 * HOUR
        ]
        count = min(count, len(asked))
        for _ in range(count):
            parent = asked.pop(int(rng.random() * len(asked)))
            ts = self.office(parent.ts + 600 + int(rng.expovariate(1 / (2 * HOUR))))
            self.brand_reply(parent, min(ts, end - 1), "brand_reply:boycott", episode=True)
        return count

    def _boycott_tail(self, count: int, end: int) -> None:
        rng = self.rng
        for _ in range(count):
            platform = weighted(rng, BOYCOTT_PLATFORMS)
            ts = self.timeline.sample(rng, end, end + 10 * DAY)
            self._add(platform, self.author(platform), ts, weighted(rng, BOYCOTT_TAIL))


class ViralPlanner(ScenarioPlanner):
    """A customer with a big audience posts a photo of a candle that burst and burnt her
    table; hundreds of replies within the hour, the brand answers, it fades within two days."""

    def run(self) -> list[Draft]:
        """The everyday world, then the viral burst (``extra`` items on top)."""
        super().run()
        self._viral(self.extra)
        return self.drafts

    def _viral(self, count: int) -> None:
        rng = self.rng
        onset = paris_ts(self.day(62), 20, 47)
        end = min(onset + VIRAL_HOURS * HOUR, self.setup.end)
        self.episode = (onset, end)
        parents, statement = self._viral_cast(onset, end)
        tail = round(count * 0.03)
        replies: list[Draft] = []
        for _ in range(count - 9 - tail):
            part = weighted(rng, VIRAL_PARTS)
            if part in parents or (part == "nested" and not replies):
                parent = parents.get(part, parents["x_reply"])
                ts = _burst(rng, parent.ts, end, fast=0.65)
                author = self.author(parent.platform, self.lang_after(parent))
                key = weighted(rng, VIRAL_REPLIES)
                replies.append(self.reply(parent, author, ts, key, episode=True))
            else:
                self._viral_item(part, onset, end, statement, replies)
        self._viral_tail(tail, end)

    def _viral_cast(self, onset: int, end: int) -> tuple[dict[str, Draft], list[Draft]]:
        """The storyline's nine key items; returns where the crowd replies and the
        brand's statement."""
        brand = self.accounts["brand"]
        creator, insta = self._creator()
        post = self._add("x", creator, onset, "viral_post:neg", episode=True, boost=14.0)
        reel = self._add(
            "instagram", insta, onset + 18 * 60, "viral_post:neg", episode=True, boost=9.0
        )
        self.media = {post: BURNT_TABLE, reel: ("video",)}
        answer = self.brand_reply(post, onset + 38 * 60, "brand_reply:viral", episode=True)
        self.brand_reply(reel, onset + 55 * 60, "brand_reply:viral", episode=True)
        self.reply(post, creator, onset + 160 * 60, "viral_update:neg", episode=True)
        thread = self._add(
            "reddit", self.author("reddit", "fr"), onset + 110 * 60, "viral:neg", episode=True
        )
        said = paris_ts(self.day(62) + DAY, 9, 30)
        statement = [
            self._add(p, brand[p], said + i * 120, "brand_viral:neu", style="brand", episode=True)
            for i, p in enumerate(("x", "instagram", "facebook"))
        ]
        self.moments = [
            Moment("post-viral", onset, post),
            Moment("copie-instagram", reel.ts, reel),
            Moment("reponse-de-la-marque", answer.ts, answer),
            Moment("communique", said, statement[0]),
            Moment("fin", end),
        ]
        self.names = {
            "createur": {
                "x": f"@{creator.handle}",
                "instagram": f"@{insta.handle}",
                "*": creator.name or creator.first,
            }
        }
        return {"x_reply": post, "ig_comment": reel, "reddit": thread}, statement

    def _creator(self) -> tuple[Persona, Persona]:
        rng, people = self.rng, self.people
        creator = people.new(
            "x", lang="fr", role="creator", followers=int(rng.uniform(220_000, 280_000))
        )
        creator.bio = "Déco, DIY & petits bonheurs du quotidien ✨ Collabs : DM"
        insta = people.new(
            "instagram",
            lang="fr",
            role="creator",
            followers=int((creator.followers or 0) * rng.uniform(0.6, 0.9)),
        )
        insta.first, insta.name, insta.bio = creator.first, creator.name, creator.bio
        handle = (creator.handle or "").lower()
        if handle and ("instagram", handle) not in people.handles:
            people.handles.add(("instagram", handle))
            insta.handle, insta.url = handle, f"https://www.instagram.com/{handle}/"
        return creator, insta

    def _viral_item(
        self, part: str, onset: int, end: int, statement: list[Draft], replies: list[Draft]
    ) -> None:
        rng = self.rng
        if part == "after":
            parent = statement[int(rng.random() * len(statement))]
            ts = _burst(rng, parent.ts, end, fast=0.5)
            self.reply(
                parent,
                self.author(parent.platform, self.lang_after(parent)),
                ts,
                weighted(rng, VIRAL_AFTER),
                episode=True,
            )
        elif part == "nested":
            parent = replies[int(rng.random() * len(replies))]
            ts = _burst(rng, parent.ts, end, fast=0.8)
            key = "viral_thread:neg" if parent.mood == "pos" else weighted(rng, VIRAL_THREAD)
            self.reply(
                parent, self.author(parent.platform, self.lang_after(parent)), ts, key, episode=True
            )
        elif part == "review":
            platform = "trustpilot" if rng.random() < 0.55 else "google"
            ts = _burst(rng, onset + 30 * 60, end, fast=0.2)
            key = "viral:neg" if rng.random() < 0.85 else "viral:pos"
            self._add(platform, self.author(platform), ts, key, episode=True)
        else:
            platform = "x" if part == "x_post" else "facebook"
            ts = _burst(rng, onset + 5 * 60, end, fast=0.45)
            self._add(
                platform,
                self.author(platform),
                ts,
                weighted(rng, VIRAL_POSTS),
                episode=True,
                boost=1.5,
            )

    def _viral_tail(self, count: int, end: int) -> None:
        rng = self.rng
        for _ in range(count):
            platform = weighted(
                rng, (("x", 4), ("instagram", 2), ("trustpilot", 2), ("google", 1), ("facebook", 1))
            )
            key = weighted(rng, (("viral:neg", 60), ("viral:neu", 20), ("viral:pos", 20)))
            ts = self.timeline.sample(rng, end, end + 7 * DAY)
            self._add(platform, self.author(platform), ts, key)


def _boycott_curve(onset: int, limit: int) -> Curve:
    """Hourly weights of the boycott's excess talk, with the daily rhythm on top."""
    growth = GROWTH_HOURS / math.log(PEAK_RATE)
    weights: list[float] = []
    hour = 0
    while onset + hour * HOUR < limit:
        if hour < GROWTH_HOURS:
            rate = math.exp(hour / growth)
        elif hour < GROWTH_HOURS + PLATEAU_HOURS:
            rate = PEAK_RATE
        else:
            rate = PEAK_RATE * math.exp(-(hour - GROWTH_HOURS - PLATEAU_HOURS) / DECAY_HOURS)
        if rate < 0.5:
            break
        weights.append(rate * rhythm(onset + hour * HOUR))
        hour += 1
    return Curve(onset, weights)


def _pull(draft: Draft, ts: int, special: dict[Draft, float]) -> float:
    """How likely a boycott item is to be answered at ``ts``: the call and the brand's
    statement keep drawing replies for days, other items for a few hours."""
    if draft in special:
        return special[draft] * math.exp(-(ts - draft.ts) / (72 * HOUR))
    audience = draft.author.followers if draft.author.followers is not None else 80
    return (1.0 + math.sqrt(audience) / 8.0) * math.exp(-(ts - draft.ts) / (8 * HOUR))


def _choice(rng: Random, weights: list[float]) -> int:
    roll = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        roll -= weight
        if roll < 0:
            return index
    return len(weights) - 1


def _burst(rng: Random, ts: int, end: int, *, fast: float) -> int:
    """A time after ``ts`` in a viral burst: minutes for the quick (``fast`` share), hours
    for the others, thinned at night except in the first hour and a half."""
    for _ in range(30):
        mean = 40 * 60 if rng.random() < fast else 7 * HOUR
        candidate = ts + 20 + int(rng.expovariate(1.0 / mean))
        if candidate >= end:
            continue
        if candidate - ts < 90 * 60 or rng.random() < max(0.3, activity(candidate) / PEAK):
            return candidate
    return min(ts + 20 + int(rng.random() * HOUR), end - 1)
