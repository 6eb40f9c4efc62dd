"""The words of ``confiance.moderation.v1``: the folded dictionary of swears, insults,
targeted words and safe phrases, and how a token is made canonical (de-leeted,
de-stretched). See :mod:`confiance.enrich.moderation` for how a post is scanned with it.

The base lists are glin-profanity's French and English dictionaries (MIT), less
:data:`GLIN_EXCLUDED`; the supplement below is written for the project.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

SWEAR, INSULT, TARGETED, SAFE = "swear", "insult", "targeted", "safe"


def _bar_list(text: str) -> list[str]:
    """The items of a ``|``-separated list written over several lines."""
    return [item.strip() for item in text.replace("\n", " ").split("|") if item.strip()]


@dataclass(frozen=True, slots=True)
class WordEntry:
    """What a word or phrase of the dictionary means."""

    kind: str
    """``swear``, ``insult``, ``targeted`` or ``safe``."""
    vulgar: bool = True
    """Counts as profanity (``connard``), or only as an insult (``idiot``)."""
    rude_alone: bool = False
    """For a targeted word: is it still rude (0.15) when it is addressed to no one."""
    languages: frozenset[str] = frozenset()
    """Languages in which it counts; empty for all."""
    when_unknown: bool = True
    """Whether it counts when the language is not known (a targeted word then counts only
    when it is addressed: ``t'es con``, not ``café con leche``)."""

    def counts_in(self, language: str | None) -> bool:
        """Whether the entry applies to a text in ``language`` (``None``: not known)."""
        if not self.languages:
            return True
        if language is None:
            return self.when_unknown
        return language in self.languages


GLIN_EXCLUDED = frozenset(_bar_list("""
    baiser|bander|bosser|bourré|bourrée|cailler|caca|chatte|déconne|déconner|drague|folle|
    grande folle|gerbe|gueule|jouir|ménage à trois|meuf|pédale|péter|pipi|ramoner|suce|tanche|
    tapette|teuf|trique|veuve|
    sexy|sex|sexo|nude|nudity|butt|escort|panties|panty|bs|mf|xx|xxx|lmfao|omfg|suck|sucks|
    hot chick|kinky|erotic|erotism|domination|dommes|hardcore|hard core|tied up|bondage|
    playboy|swinger|scat|santorum|tainted love|twinkie|twink|hoe|poof|snatch|nipple|nipples|
    grope|rape|raping|rapist|date rape|daterape|vagina|penis|vulva|rectum|anus|anal|genitals|
    semen|intercourse|orgasm|ejaculation|big black|big breasts|huge fat|girl on|girl on top|
    taste my|tongue in a|how to kill|how to murder|voyeur|topless|undressing|lovemaking|
    lolita|eunuch|fecal|tit|cum|cumming|swastika|neonazi|yaoi|boob|boobs|busty|strap on|
    jelly donut|tight white|pleasure chest|make me come|snowballing|pegging|scissoring|
    shrimping|rimming|bastinado|creampie|incest|paedophile|pedophile|coon|coons|eunuch|
    homoerotic|barenaked|bareback|lemon party|fingering|vibrator|spunk|skeet|simp|tushy|
    sultry women|suicide girls|goodpoop|testbad01|s&m|sadism|alaskan pipeline|ball kicking|
    bung hole|chocolate rosebuds|cornhole|deep throat|menage a trois|missionary position|
    octopussy|prince albert piercing|babeland|bastardized|g-spot|clitoris|pornography|
    bitte|gerber|strip club|hooker|dog style|
    retard|retarded|negro|bite|con|cul|douche
"""))
"""glin-profanity entries not used as listed: ordinary words in brand conversations
(``veuve``, ``bosser``, ``nude``, ``tit``, ``cornhole``...), clinical or news vocabulary that
is not abuse, and the ambiguous words this module lists again with a language or a target
condition (``con``, ``bite``, ``retard``)."""

# Project-written supplement (French and English), accent-free or not: entries are folded the
# same way as the text. Written for this module; not taken from any list.
_SWEARS = """
    putain|putains|ptn|merde|merdes|merdique|merdiques|bordel|chier|fait chier|fais chier|
    emmerde|emmerdes|emmerder|emmerdant|emmerdante|emmerdants|foutre|niquer|nique|
    niqué|niquée|nique sa mère|couille|couilles|enculer|chiotte|chiottes|chiasse|
    bordel de merde|putain de merde|tabarnak|tabarnac|câlisse|ostie|
    fuck|fucks|fucked|fucking|fuckin|fucken|fkn|fking|fcking|fck|fcuk|fuk|fuking|f**k|f***|
    f*cking|motherfucking|shit|shits|shitting|shitty|bullshit|holy shit|horseshit|crap|crappy|
    piss|pissed|pissing|pissed off|goddamn|goddamned|god damn|wtf|ffs|bollocks|arse|ass|cock|
    pussy|wank|wanking|apeshit|sh*t
"""
_INSULTS = """
    connard|connards|conard|conards|connasse|connasses|conasse|conasses|enculé|enculés|
    enculée|enculées|enfoiré|enfoirés|enfoirée|enfoirées|fdp|fils de pute|fille de pute|
    fils de putain|ntm|nique ta mère|nique ta race|ta gueule|ferme ta gueule|ftg|salope|
    salopes|salaud|salauds|salopard|salopards|pute|putes|pouffiasse|pétasse|pétasses|
    grognasse|bâtard|bâtards|bâtarde|bâtardes|pédé|pédés|tafiole|tarlouze|gouine|nègre|
    bougnoule|youpin|trou du cul|trouduc|sac à merde|branleur|branleuse|merdeux|merdeuse|
    emmerdeur|emmerdeuse|va te faire foutre|allez vous faire foutre|va te faire enculer|
    allez vous faire enculer|va chier|allez chier|
    fuck you|fuck u|fuck off|go fuck yourself|screw you|
    asshole|assholes|arsehole|arseholes|asshat|asswipe|assmunch|bitch|bitches|biatch|
    son of a bitch|bastard|bastards|motherfucker|motherfuckers|cunt|cunts|twat|twats|wanker|
    wankers|tosser|dickhead|dickheads|dipshit|shithead|shitheads|douchebag|douchebags|
    scumbag|scumbags|jackass|dumbass|dumbasses|dumbfuck|fuckface|fucktard|fucktards|
    piece of shit|stfu|gtfo|shut the fuck up|faggot|nigger|nigga|slut|sluts|whore|
    whores|cocksucker
"""
_TARGETED_RUDE = """
    idiot|idiots|idiote|idiotes|stupid|stupide|stupides|débile|débiles|crétin|crétins|
    crétine|crétines|abruti|abrutis|abrutie|abruties|imbécile|imbéciles|moron|morons|dumb|
    naze|nazes
"""
_TARGETED = """
    bouffon|bouffons|bouffonne|tocard|tocards|tocarde|boloss|bolosse|bolosses|cassos|teubé|
    teubés|gogol|gogols|mongol|mongols|attardé|attardés|attardée|taré|tarés|tarée|guignol|
    guignols|minable|minables|ordure|ordures|raclure|raclures|fumier|fumiers|charogne|
    charognes|blaireau|blaireaux|baltringue|baltringues|vermine|tapette|tapettes|clown|clowns|
    loser|losers|looser|loosers|jerk|jerks|fool|fools|fag|fags
"""
_TARGETED_VULGAR = "couillon|couillons|prick|pricks|dick|dicks|conne|connes"
_SAFE = """
    cul de sac|culs de sac|cul sec|con carne|con leche|con amore|pros and cons|pro and con|
    pros cons|bite size|bite sized|dick s|moby dick|food porn
"""
_LANGUAGE_BOUND: dict[str, tuple[str, tuple[str, ...], bool]] = {
    # word: (kind, languages where it is abuse, counts when the language is unknown)
    "con": (TARGETED, ("fr",), True),
    "cons": (TARGETED, ("fr",), True),
    "bite": (SWEAR, ("fr",), False),
    "cul": (SWEAR, ("fr",), True),
    "pd": (INSULT, ("fr",), True),
    "pds": (INSULT, ("fr",), True),
    "tg": (INSULT, ("fr",), True),
    "douche": (TARGETED, ("en",), False),
    "retard": (TARGETED, ("en",), False),
    "retarded": (TARGETED, ("en",), False),
    "retards": (TARGETED, ("en",), False),
    "negro": (INSULT, ("en",), False),
}

ADDRESS_MARKERS = frozenset({
    ("t", "es"), ("tu", "es"), ("vous", "etes"), ("t", "etes"), ("t", "etais"),
    ("tu", "etais"), ("espece",), ("bande",), ("sale",), ("gros",), ("grosse",), ("pauvre",),
    ("sombre",), ("you",), ("u",), ("ya",), ("you", "re"), ("you", "are"), ("u", "r"),
    ("u", "re"), ("ur",), ("bunch", "of"), ("pack", "of"), ("y", "all", "are"),
})
"""What, just before a targeted word (articles and intensifiers skipped), makes it an insult:
second person (``t'es``, ``vous êtes``, ``you're``, ``you``), ``espèce de``, ``bande de``,
``sale``, ``gros``, ``pauvre``, ``bunch of``. A message that is nothing but the word
(``Abruti !``) is addressed too."""

SKIPPABLE = frozenset("""un une des de d du vraiment trop tellement completement grave
    sacre sacree petit petite petits petites vieux vieille vieil putain fucking fuckin a an the
    total complete absolute real big little such so fkn fking bien qu que""".split())
MARKER_LENGTH = max(len(marker) for marker in ADDRESS_MARKERS)
PROFANE_EMOJI = ("\U0001f595",)  # the middle finger

TOKEN = re.compile(r"[\w@$*]+(?:!+[\w@$*]+)*")
_COMBINING = re.compile(r"[\u0300-\u036f]")
_RUN3 = re.compile(r"(.)\1{2,}")
_LEET_CHARS = frozenset("0134578@$!")


def fold(text: str) -> str:
    """``text`` in lower case without accents (NFKD, combining marks dropped)."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).lower()


def _split(line: str) -> str:
    """A list entry as it will be matched: folded tokens joined by one space."""
    return " ".join(TOKEN.findall(fold(line)))


def _entries(words: str) -> list[str]:
    return [key for key in map(_split, _bar_list(words)) if key]


class Lexicon:
    """The folded word and phrase dictionary, and the token canonicaliser."""

    def __init__(self, entries: dict[str, WordEntry]) -> None:
        self.entries = entries
        starts: dict[str, set[int]] = {}
        for key in entries:
            parts = key.split(" ")
            if len(parts) > 1:
                starts.setdefault(parts[0], set()).add(len(parts))
        self.phrase_lengths = {first: tuple(sorted(sizes, reverse=True))
                               for first, sizes in starts.items()}
        self.starters = frozenset(entries) | frozenset(self.phrase_lengths)
        """Every token a dictionary word or phrase starts with: a post none of whose tokens
        is one is not scanned at all."""
        self.cache: dict[str, str] = {}

    def known(self, token: str) -> bool:
        """Whether ``token`` is a word of the dictionary or starts one of its phrases."""
        return token in self.starters

    def canonical(self, token: str) -> str:
        """The form of ``token`` to look up: itself, or its de-leeted or de-stretched form
        when that one is known (``c0nnard`` -> ``connard``, ``fuuuck`` -> ``fuck``)."""
        found = self.cache.get(token)
        if found is None:
            found = self._canonicalise(token)
            if len(self.cache) > 200_000:
                self.cache.clear()
            self.cache[token] = found
        return found

    def _canonicalise(self, token: str) -> str:
        if self.known(token):
            return token
        candidates: list[str] = []
        leet = sum(c in _LEET_CHARS for c in token)
        letters = sum(c.isalpha() for c in token)
        # Only word-like tokens are de-leeted: "sh1t", "c0nnard", not "A55" or "A5S".
        if leet and len(token) >= 4 and letters >= max(2, leet):
            from glin_profanity import normalize_leetspeak

            candidates.append(str(normalize_leetspeak(
                token, level="moderate", collapse_repeated=False, remove_spaced_chars=False)))
        for candidate in [token, *candidates]:
            if _RUN3.search(candidate):
                candidates += [_RUN3.sub(r"\1\1", candidate), _RUN3.sub(r"\1", candidate)]
        return next((c for c in candidates if self.known(c)), token)


@cache
def lexicon() -> Lexicon:
    """The dictionary: glin-profanity's French and English lists (less
    :data:`GLIN_EXCLUDED`), then the project-written supplement, which wins on conflicts."""
    from glin_profanity.data.dictionary import dictionary

    excluded = {_split(word) for word in GLIN_EXCLUDED}
    entries: dict[str, WordEntry] = {}
    for language in ("french", "english"):
        for word in dictionary.get_words(language):
            key = _split(str(word))
            if key and key not in excluded:
                entries[key] = WordEntry(SWEAR)
    entries.update(dict.fromkeys(_entries(_SWEARS), WordEntry(SWEAR)))
    entries.update(dict.fromkeys(_entries(_INSULTS), WordEntry(INSULT)))
    entries.update(dict.fromkeys(_entries(_TARGETED_RUDE),
                                 WordEntry(TARGETED, vulgar=False, rude_alone=True)))
    entries.update(dict.fromkeys(_entries(_TARGETED), WordEntry(TARGETED, vulgar=False)))
    entries.update(dict.fromkeys(_entries(_TARGETED_VULGAR), WordEntry(TARGETED)))
    for word, (kind, languages, when_unknown) in _LANGUAGE_BOUND.items():
        entries[word] = WordEntry(kind, vulgar=word not in {"douche", "retard", "retarded",
                                                            "retards"},
                                  languages=frozenset(languages), when_unknown=when_unknown)
    entries.update(dict.fromkeys(_entries(_SAFE), WordEntry(SAFE, vulgar=False)))
    return Lexicon(entries)
