"""Compose believable texts from the phrase banks: slots, slang, typos, emoji, hashtags.

A text is one to a few sentences drawn from the bank of its topic and mood, with an optional
opener and closer, then roughened the way people write online (slang, dropped accents, a typo
or two, lower-case starts), then decorated (emoji, hashtags, a mention). Reviews and brand
messages stay cleaner than tweets. Every choice goes through the one ``random.Random`` given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from random import Random

from confiance.demo import vocab as v
from confiance.demo.phrases_events import EVENTS_FR
from confiance.demo.phrases_fr import CLOSERS_FR, FR, OPENERS_FR
from confiance.demo.phrases_intl import (
    CLOSERS_EN,
    DE,
    EN,
    ENGLISH_IN_FRENCH,
    ES,
    MIXED_SENTENCES,
    OPENERS_EN,
    OPENERS_OTHER,
)
from confiance.demo.slots import Slots

BANKS: dict[str, dict[str, tuple[str, ...]]] = {
    "fr": {**FR, **EVENTS_FR}, "en": EN, "es": ES, "de": DE,
}
SIDE_TOPICS = {
    "pos": ("scent", "quality", "delivery", "service", "eco", "gift", "general", "scent"),
    "neg": ("quality", "delivery", "service", "price", "scent", "general"),
    "neu": ("question", "intent", "general"),
}
ENDINGS = {
    "pos": ("!", " !", ".", "", "!!", " !!!", ".", "."),
    "neg": (".", "…", "...", "!", "", " !", ".."),
    "neu": (".", "", "…", "."),
}
SOCIAL = frozenset({"x", "instagram", "facebook", "youtube", "reddit"})
INFORMAL = {"x": 0.75, "instagram": 0.6, "facebook": 0.5, "youtube": 0.6, "reddit": 0.45,
            "trustpilot": 0.2, "google": 0.3, "appstore": 0.3, "googleplay": 0.35}
SENTENCES = {"post": (1, 1, 1, 2, 2, 3), "reply": (1, 1, 1, 1, 2), "review": (1, 2, 2, 3, 3, 4),
             "thread": (2, 3, 3, 4), "video": (2, 3), "brand": (1,)}
X_LIMIT = 280
TAGGING = frozenset({"x", "instagram", "facebook", "youtube"})
EXTRA_TAGS = {"instagram": (0, 2, 3, 4, 6, 8), "x": (0, 0, 0, 1, 2), "youtube": (0, 2, 3)}

_FR_ACCENTS = str.maketrans("éèêëàâäîïôöùûüçÉÈÊÀÇ", "eeeeaaaiioouuucEEEAC")
_SLANG: dict[str, tuple[tuple[re.Pattern[str], tuple[str, ...], float], ...]] = {
    "fr": tuple((re.compile(p), r, q) for p, r, q in (
        (r"\bje (?:ne )?sais pas\b", ("jsp", "j'sais pas", "chais pas"), 0.6),
        (r"\bvraiment\b", ("grave", "vrmt", "trop"), 0.35),
        (r"\bbeaucoup\b", ("bcp",), 0.4),
        (r"\bpourquoi\b", ("pk", "pq"), 0.35),
        (r"\bquelqu'un\b", ("qqn", "quelqu'1"), 0.3),
        (r"\baujourd'hui\b", ("ajd", "auj"), 0.4),
        (r"\btoujours\b", ("tjrs", "tjs"), 0.3),
        (r"\btout de suite\b", ("tt de suite", "direct"), 0.35),
        (r"\bje suis\b", ("jsuis", "chui", "j'suis"), 0.25),
        (r"\bparce que\b", ("pcq", "parce k"), 0.35),
        (r"\bc'est\b", ("c", "cest"), 0.12),
        (r"\bil y a\b", ("y a", "ya"), 0.35),
        (r"\bquand même\b", ("qd même", "quand meme"), 0.3),
        (r"\bmessage privé\b", ("mp", "dm"), 0.5),
        (r"\btrès\b", ("trop", "hyper", "super"), 0.3),
        (r"\bavec\b", ("avc",), 0.1),
        (r"\bje l'ai\b", ("jl'ai", "je l'ai"), 0.1),
    )),
    "en": tuple((re.compile(p), r, q) for p, r, q in (
        (r"\byou\b", ("u",), 0.15), (r"\byour\b", ("ur",), 0.15),
        (r"\bdefinitely\b", ("definately", "def"), 0.4), (r"\bhonestly\b", ("tbh",), 0.3),
        (r"\bbecause\b", ("cause", "bc"), 0.3), (r"\bthough\b", ("tho",), 0.4),
        (r"\bI'm\b", ("im", "Im"), 0.2), (r"\bcan't\b", ("cant",), 0.3),
    )),
}
_NEIGHBOURS = {"a": "zqs", "e": "zrd", "i": "uok", "o": "ipl", "u": "yij", "r": "etf",
               "t": "ryg", "s": "qdz", "n": "bm", "m": "nl", "l": "kmo", "c": "xv"}


@dataclass(frozen=True, slots=True)
class Ask:
    """What a text should say, where, and in which voice.

    ``key`` is a bank key (``"scent:pos"``, ``"reply:tag"``), ``mood`` the sentiment that
    drives openers, closers, punctuation and emoji (``pos``, ``neu`` or ``neg``); ``style`` is
    one of ``post``, ``reply``, ``review``, ``thread`` (Reddit), ``video`` or ``brand``.
    """

    platform: str
    key: str
    mood: str
    lang: str = "fr"
    target: str = "brand"
    style: str = "post"
    mixed: bool = False
    reply_to: str | None = None
    prenom: str | None = None
    friend: str | None = None
    campaign: bool = False
    episode: bool = False


@dataclass(frozen=True, slots=True)
class Text:
    """A composed text and, for reviews, Reddit threads and videos, its title."""

    text: str
    title: str | None = None


class Composer:
    """Draws texts; one instance per generation run, fed by that run's ``Random``."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng

    def compose(self, ask: Ask) -> Text:
        """A text for ``ask``, roughened and decorated for its platform and style."""
        slots = Slots(self.rng, ask.lang, ask.platform, ask.target, ask.prenom, ask.friend)
        if ask.style in {"brand", "brand_reply"}:
            body = self._pick(ask.lang, self._brand_key(ask), ask.mood).format_map(slots)
        else:
            sentences = [s.format_map(slots) for s in self._sentences(ask)]
            body = self._assemble(self._roughen(sentences, ask), ask, slots)
        return Text(self._decorate(body, ask), self._title(ask, slots))

    # ------------------------------------------------------------------ sentences

    def _pick(self, lang: str, key: str, mood: str) -> str:
        bank = BANKS.get(lang, EN)
        options = bank.get(key) or bank.get(f"general:{mood}") or BANKS["fr"][f"general:{mood}"]
        return options[int(self.rng.random() * len(options))]

    def _brand_key(self, ask: Ask) -> str:
        if ask.platform == "x":
            topic, _, mood = ask.key.partition(":")
            if f"{topic}_x:{mood}" in BANKS["fr"]:
                return f"{topic}_x:{mood}"
        return ask.key

    def _sentences(self, ask: Ask) -> list[str]:
        rng = self.rng
        counts = SENTENCES.get(ask.style, (1,))
        wanted = counts[int(rng.random() * len(counts))]
        first = self._pick(ask.lang, ask.key, ask.mood)
        if ask.mixed and rng.random() < 0.5:
            mixed = MIXED_SENTENCES.get(ask.mood, MIXED_SENTENCES["neu"])
            first = mixed[int(rng.random() * len(mixed))]
        chosen = [first]
        for _ in range(wanted - 1):
            side = self._side_key(ask)
            sentence = self._pick(ask.lang, side, ask.mood)
            if sentence not in chosen:
                chosen.append(sentence)
        return chosen

    def _side_key(self, ask: Ask) -> str:
        topic = ask.key.partition(":")[0]
        sides: tuple[str, ...]
        if ask.episode:
            sides = {"neg": ("backlash", "backlash", "price", "switch", "backlash_reply")}.get(
                ask.mood, ("backlash",))
            return f"{sides[int(self.rng.random() * len(sides))]}:{ask.mood}"
        if ask.style == "reply":
            return f"reply:{ask.mood}"
        if topic == "app":
            return ask.key if self.rng.random() < 0.7 else f"delivery:{ask.mood}"
        if self.rng.random() < 0.4 and topic not in {"critic", "general"}:
            return ask.key
        sides = SIDE_TOPICS.get(ask.mood, SIDE_TOPICS["neu"])
        return f"{sides[int(self.rng.random() * len(sides))]}:{ask.mood}"

    # ------------------------------------------------------------------ roughening

    def _roughen(self, sentences: list[str], ask: Ask) -> list[str]:
        rng = self.rng
        informal = INFORMAL.get(ask.platform, 0.3)
        out = [self._slang(sentence, ask.lang, informal) for sentence in sentences]
        for _ in range(2 if rng.random() < 0.15 else 1):
            if rng.random() < informal * 0.4:
                index = int(rng.random() * len(out))
                out[index] = _typo(rng, out[index])
        if ask.lang == "fr" and rng.random() < informal * 0.18:
            out = [s.translate(_FR_ACCENTS) for s in out]
        return out

    def _slang(self, sentence: str, lang: str, informal: float) -> str:
        rules = _SLANG.get(lang)
        if not rules or self.rng.random() > informal:
            return sentence
        rng = self.rng
        for pattern, replacements, chance in rules:
            if pattern.search(sentence) and rng.random() < chance:
                pick = replacements[int(rng.random() * len(replacements))]
                sentence = pattern.sub(pick, sentence, count=1)
        return sentence

    def _assemble(self, sentences: list[str], ask: Ask, slots: Slots) -> str:
        rng = self.rng
        informal = INFORMAL.get(ask.platform, 0.3)
        lower = rng.random() < informal * 0.4
        parts = [_finish(rng, s, ask, lower and i == 0) for i, s in enumerate(sentences)]
        opener = self._edge(ask, openers=True)
        if opener:
            parts[0] = f"{opener} {parts[0][:1].lower()}{parts[0][1:]}"
        closer = self._edge(ask, openers=False)
        if closer:
            parts.append(_finish(rng, closer.format_map(slots), ask, False))
        if ask.mixed and rng.random() < 0.5:
            words = ENGLISH_IN_FRENCH.get(ask.mood, ENGLISH_IN_FRENCH["neu"])
            parts.append(words[int(rng.random() * len(words))])
        glue = " " if ask.style != "thread" or rng.random() < 0.5 else "\n\n"
        text = glue.join(parts)
        if ask.mood == "neg" and ask.platform in SOCIAL and rng.random() < 0.04:
            text = text.upper()
        if ask.lang == "fr" and ask.platform in SOCIAL and ask.mood != "neg" and \
                rng.random() < 0.05:
            text += " mdr" if rng.random() < 0.7 else " ptdr"
        return text

    def _edge(self, ask: Ask, *, openers: bool) -> str | None:
        chance = (0.28 if openers else 0.3) if ask.style != "review" else (0.2 if openers else 0.5)
        if ask.style == "reply":
            chance /= 3
        if self.rng.random() >= chance:
            return None
        options: tuple[str, ...]
        if ask.lang == "fr":
            table = OPENERS_FR if openers else CLOSERS_FR
        elif ask.lang == "en":
            table = OPENERS_EN if openers else CLOSERS_EN
        else:
            options = OPENERS_OTHER.get(ask.lang, ()) if openers else ()
            return options[int(self.rng.random() * len(options))] if options else None
        options = table.get(ask.mood, table["neu"])
        return options[int(self.rng.random() * len(options))]

    # ------------------------------------------------------------------ decoration

    def _decorate(self, body: str, ask: Ask) -> str:
        rng = self.rng
        emoji = self._emoji(ask)
        if emoji:
            body = f"{body}{' ' if rng.random() < 0.85 else ''}{emoji}"
        tags = " ".join(f"#{t}" for t in self._hashtags(ask))
        mention = self._mention(ask, body)
        tail = " ".join(p for p in (mention, tags) if p)
        prefix = f"@{ask.reply_to} " if ask.reply_to and ask.platform == "x" else ""
        if ask.platform == "x":
            body = _fit(body, X_LIMIT - len(prefix) - len(tail) - 1)
        if tail and ask.platform == "instagram" and rng.random() < 0.6:
            return f"{prefix}{body}\n\n{tail}"
        return f"{prefix}{body} {tail}" if tail else f"{prefix}{body}"

    def _emoji(self, ask: Ask) -> str:
        rng = self.rng
        if ask.style in {"brand", "brand_reply"}:
            return ""
        social = ask.platform in SOCIAL
        count = (0, 0, 1, 1, 1, 2, 2, 3)[int(rng.random() * 8)] if social else int(
            rng.random() < 0.15)
        pool = v.EMOJI.get(ask.mood, v.EMOJI["neu"])
        picks = [pool[int(rng.random() * len(pool))] for _ in range(count)]
        if picks and rng.random() < 0.15:
            picks = [picks[0]] * 3
        return "".join(picks)

    def _hashtags(self, ask: Ask) -> list[str]:
        rng = self.rng
        if ask.platform not in TAGGING:
            return []
        if ask.style == "brand_reply":
            return []
        if ask.style == "brand":
            return [v.BRAND_TAG] if ask.platform != "facebook" and rng.random() < 0.5 else []
        if ask.style == "reply":
            boycott = ask.episode and ask.mood == "neg" and rng.random() < 0.15
            return [v.BOYCOTT_TAG] if boycott else []
        tags: list[str] = [v.CAMPAIGN_TAG] if ask.campaign else []
        if ask.target == "brand" and rng.random() < (0.7 if ask.campaign else 0.2):
            tags.append(v.BRAND_TAG)
        elif ask.target in v.COMPETITORS and rng.random() < 0.25:
            tags.append(v.COMPETITORS[ask.target][1])
        if ask.episode and ask.mood == "neg" and rng.random() < 0.4:
            tags.append(v.BOYCOTT_TAG)
            if rng.random() < 0.3:
                tags.append(v.HASHTAGS_BACKLASH[int(rng.random() * len(v.HASHTAGS_BACKLASH))])
        generic = v.HASHTAGS_FR if ask.lang == "fr" else v.HASHTAGS_EN
        extra = EXTRA_TAGS.get(ask.platform, (0,))
        for _ in range(extra[int(rng.random() * len(extra))]):
            tag = generic[int(rng.random() * len(generic))]
            if tag not in tags:
                tags.append(tag)
        return tags

    def _mention(self, ask: Ask, body: str) -> str:
        if ask.style in {"brand", "brand_reply", "reply"} or ask.platform not in {"x", "instagram"}:
            return ""
        handle = v.BRAND_HANDLE if ask.platform == "x" else v.BRAND_HANDLE.lower()
        if ask.target != "brand" or f"@{handle}" in body:
            return ""
        return f"@{handle}" if self.rng.random() < (0.6 if ask.campaign else 0.15) else ""

    def _title(self, ask: Ask, slots: Slots) -> str | None:
        if ask.style == "review" and ask.platform in {"trustpilot", "appstore"}:
            prefix = "app_title" if ask.platform == "appstore" and ask.lang == "fr" else "title"
            title = self._pick(ask.lang, f"{prefix}:{ask.mood}", ask.mood)
            return title.upper() if self.rng.random() < 0.05 else title
        if ask.style in {"thread", "video"}:
            prefix = "reddit_title" if ask.style == "thread" else "video_title"
            key = f"{prefix}:{ask.mood}"
            if ask.episode and ask.mood == "neg" and f"{prefix}:episode" in BANKS.get(
                    ask.lang, EN):
                key = f"{prefix}:episode"
            return self._pick(ask.lang, key, ask.mood).format_map(slots)
        return None


def _finish(rng: Random, sentence: str, ask: Ask, lower: bool) -> str:
    """Capitalise (or not) and end a sentence the way this person would."""
    if not sentence:
        return sentence
    head = sentence[:1].lower() if lower else sentence[:1].upper()
    sentence = head + sentence[1:]
    if sentence[-1] in "?!.…)":
        return sentence
    endings = ENDINGS.get(ask.mood, ENDINGS["neu"])
    ending = endings[int(rng.random() * len(endings))]
    return sentence + (ending if ask.lang == "fr" else ending.lstrip())


def _typo(rng: Random, text: str) -> str:
    """One slip of the finger: two letters swapped, one dropped, doubled or a neighbour key."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    index = candidates[int(rng.random() * len(candidates))]
    word = words[index]
    at = 1 + int(rng.random() * (len(word) - 2))
    roll = rng.random()
    if roll < 0.35:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    elif roll < 0.6:
        word = word[:at] + word[at + 1:]
    elif roll < 0.8:
        word = word[:at] + word[at] + word[at:]
    else:
        near = _NEIGHBOURS.get(word[at].lower(), word[at])
        word = word[:at] + near[int(rng.random() * len(near))] + word[at + 1:]
    words[index] = word
    return " ".join(words)


def _fit(body: str, budget: int) -> str:
    """Shorten ``body`` at a word boundary to fit ``budget`` characters, with an ellipsis."""
    if len(body) <= budget:
        return body
    cut = body[: max(budget - 1, 1)].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
