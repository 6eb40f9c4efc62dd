"""Texts for the crisis scenarios: the demo's composer, taught the scenarios' phrase banks.

Items of a scenario's storyline (``boycott*``, ``viral*``, ``noel``, ``promo``) take their
sentences from :mod:`confiance.demo.phrases_scenarios`, with extra sentences of the same
storyline and sentiment, the scenario's hashtags and titles; they are roughened and decorated
exactly like the demo's everyday texts. Everything else is written by the demo's composer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from random import Random

from confiance.demo.phrases_scenarios import (
    BANKS_SCENARIOS,
    BOYCOTT_HASHTAG,
    BOYCOTT_TAG_CHANCE,
    EXTRA_TAGS,
    SIDES,
    WHOLE,
)
from confiance.demo.slots import Slots
from confiance.demo.text import TAGGING, Ask, Composer, Text


def family(key: str) -> str | None:
    """The storyline a bank key belongs to (``boycott``, ``viral``, ``noel``, ``promo``)."""
    name = key.partition(":")[0].split("_")[0]
    return name if name in SIDES else None


class ScenarioComposer(Composer):
    """The demo's composer with the scenarios' sentences, side topics, hashtags and titles.

    ``names`` fills the ``{createur}``-style slots: for each slot, a value per platform and a
    default under ``"*"``.
    """

    def __init__(self, rng: Random, *, names: Mapping[str, Mapping[str, str]]) -> None:
        super().__init__(rng)
        self.names = names

    def compose(self, ask: Ask) -> Text:
        """A text for ``ask``; scenario items never use the demo's price-backlash words."""
        ask = replace(ask, episode=False)
        slots = Slots(self.rng, ask.lang, ask.platform, ask.target, ask.prenom, ask.friend)
        for slot, values in self.names.items():
            slots[slot] = values.get(ask.platform, values["*"])
        topic = ask.key.partition(":")[0]
        if ask.style in {"brand", "brand_reply"} or topic in WHOLE:
            body = self._pick(ask.lang, self._brand_key(ask), ask.mood).format_map(slots)
        else:
            sentences = [s.format_map(slots) for s in self._sentences(ask)]
            body = self._assemble(self._roughen(sentences, ask), ask, slots)
        return Text(self._decorate(body, ask), self._title(ask, slots))

    def _pick(self, lang: str, key: str, mood: str) -> str:
        options = BANKS_SCENARIOS.get(lang, {}).get(key)
        if options is None:
            return super()._pick(lang, key, mood)
        return options[int(self.rng.random() * len(options))]

    def _brand_key(self, ask: Ask) -> str:
        topic, _, mood = ask.key.partition(":")
        if ask.platform == "x" and f"{topic}_x:{mood}" in BANKS_SCENARIOS["fr"]:
            return f"{topic}_x:{mood}"
        return super()._brand_key(ask)

    def _sentences(self, ask: Ask) -> list[str]:
        if family(ask.key) is None:
            return super()._sentences(ask)
        # The demo's English-mixed first sentences are about everyday topics: keep the
        # storyline's own first sentence (English words may still be added at the end).
        return super()._sentences(replace(ask, mixed=False))

    def _side_key(self, ask: Ask) -> str:
        name = family(ask.key)
        sides = SIDES[name].get(ask.mood) if name else None
        if not sides:
            return super()._side_key(ask)
        if ask.style == "reply":
            return ask.key
        return f"{sides[int(self.rng.random() * len(sides))]}:{ask.mood}"

    def _emoji(self, ask: Ask) -> str:
        return "" if ask.key.partition(":")[0] in WHOLE else super()._emoji(ask)

    def _hashtags(self, ask: Ask) -> list[str]:
        topic = ask.key.partition(":")[0]
        if topic in WHOLE:
            return []
        tags = super()._hashtags(ask)
        name = family(ask.key)
        if name is None or ask.platform not in TAGGING or ask.style in {"brand", "brand_reply"}:
            return tags
        rng = self.rng
        if name == "boycott":
            chance = BOYCOTT_TAG_CHANCE.get(ask.mood, 0.2)
            if rng.random() < (chance / 3 if ask.style == "reply" else chance):
                tags.insert(0, BOYCOTT_HASHTAG)
        elif name in EXTRA_TAGS and ask.style != "reply" and rng.random() < 0.45:
            pool = EXTRA_TAGS[name].get(ask.lang, EXTRA_TAGS[name]["en"])
            tag = pool[int(rng.random() * len(pool))]
            if tag not in tags:
                tags.insert(0, tag)
        return tags

    def _title(self, ask: Ask, slots: Slots) -> str | None:
        name = family(ask.key)
        prefix = None
        if ask.style == "review" and ask.platform in {"trustpilot", "appstore"}:
            prefix = "title"
        elif ask.style in {"thread", "video"}:
            prefix = "reddit_title" if ask.style == "thread" else "video_title"
        options = BANKS_SCENARIOS.get(ask.lang, {}).get(f"{prefix}:{name}_{ask.mood}")
        if name is None or prefix is None or options is None:
            return super()._title(ask, slots)
        return options[int(self.rng.random() * len(options))].format_map(slots)
