"""``confiance.moderation.v1``: toxicity, abuse, spam, bot and personal-data flags of a post.

Each doc gets two values:

* ``toxicity``, a float in 0..1 (0: clean). The score is banded by the worst thing found, so
  the bands never overlap: rude words used loosely (``c'est débile``) 0.15; profanity
  0.40-0.55; an insult aimed at someone 0.70-0.85; a threat 0.90-1.00. Inside a band each
  further hit adds a little (0.05, 0.03 for threats).
* ``flags``, a sorted list drawn from :data:`FLAGS` (empty when clean).

Design, chosen for precision and speed (well under 0.3 ms for a tweet-length post):

* **Words.** One dictionary maps every known word or phrase, accent- and case-folded, to its
  entry: a *swear* (profanity, aimed at no one), an *insult* (inherently aimed at a person:
  ``connard``, ``asshole``, ``ta gueule``, ``stfu``), a *targeted* word that insults only when
  it is addressed (``idiot``, ``débile``, ``con``: see :data:`ADDRESS_MARKERS`), or a *safe*
  phrase that shields the words inside it (``cul-de-sac``, ``chili con carne``). The base lists
  are glin-profanity's French and English dictionaries (MIT), minus the entries that are
  ordinary words in a brand's mentions (``veuve``, ``bosser``, ``nude``, ``nipple``, ``retard``
  in French...: ``GLIN_EXCLUDED``), plus a project-written supplement for French and English
  social-media abuse that the base lists lack (``fdp``, ``ntm``, ``batard``, ``abruti``,
  ``moron``, ``dumbass``...), all in :mod:`confiance.enrich.moderation_words`. A text is
  folded once (NFKD, accents dropped, lower case), URLs, e-mail addresses and @mentions are
  removed, and it is split into tokens;
  each token is looked up in the dictionary (phrases from the tokens that start one), so
  matching is on whole words only: ``con`` never fires inside ``concert``, ``bite`` inside
  ``habite``, ``cul`` inside ``calcul``, ``ass`` inside ``class``. A token that is not found
  is retried de-leeted (``c0nnard``, ``sh!t``, with glin-profanity's own table) and with
  letter runs collapsed (``fuuuuck``, ``connnnard``); results are cached per token.
* **Languages.** A few words are ordinary words in another supported language (``con`` in
  Spanish and Italian, ``bite`` in English, ``retard`` and ``douche`` in French, ``negro`` in
  Spanish): they count only in the languages where they are abuse. When the language is not
  known, ``con``/``cons`` count only when addressed (``t'es con``), ``cul``, ``pd`` and
  ``tg`` count, and ``bite``, ``douche``, ``retard`` and ``negro`` do not. The language is the
  ``language`` value an earlier component wrote, else the platform's.
* **Threats** are a short list of documented regular expressions over the token stream
  (``je vais te tuer``, ``on sait où tu habites``, ``I will kill you``, ``watch your back``,
  ``kys``...); they are kept narrow so that ``je te retrouve demain`` or ``this cake will
  kill you`` do not fire.
* **Spam**: several links, or a link with promotional words (``code promo``, ``gagnez``,
  ``cliquez ici``, ``crypto``, ``free followers``...), two different promotional signals,
  a messaging app with a phone number (``WhatsApp +44...``), long runs of one character or
  one word, all-caps shouting with a link, more than ten hashtags with less text than tags.
  An ordinary post with one link (a customer sharing a product page) is not spam.
* **Bot**: the phrases of automated accounts (``follow back``, ``check my bio``, ``link in
  bio``, ``lien en bio``), text that is mostly hashtags, and, across a batch given to
  :meth:`Moderator.pipe`, the same normalised text (ten words or more) three times or more.
* **Personal data** (``enrich/pii.py``: :func:`find_pii`, :func:`redact`): e-mail
  addresses; phone numbers in French (``06 12 34 56 78``, ``06.12.34.56.78``, ``+33 6...``,
  ``0033...``), international E.164 (``+44 20 7946 0958``) and North-American
  (``(555) 123-4567``, ``555-123-4567``) forms; IBANs whose length fits the country and whose
  mod-97 check holds; card numbers with a known issuer prefix, a valid length and a valid Luhn
  digit. Prices, order numbers, dates, years and postal codes are not phone numbers: a French
  number starts with 0 and has five pairs, an international one starts with ``+``, and a
  number with fewer than three different digits (``+10 000 000``) is not one.

Toxicity does not count spam, bot or personal data: those are separate flags.

Speed: every costly step is gated by a cheap test: the word scan runs only when a token is a
dictionary word or the first word of a phrase (one set intersection), the threat, promotion
and bot patterns only when one of their trigger tokens is present, the personal-data
patterns only when the text holds seven digits close together.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from confiance.enrich.component import (
    Doc,
    EnrichError,
    ErrorHandler,
    batched,
    primary_subtag,
    raise_errors,
)
from confiance.enrich.moderation_words import (
    ADDRESS_MARKERS,
    INSULT,
    MARKER_LENGTH,
    PROFANE_EMOJI,
    SAFE,
    SKIPPABLE,
    SWEAR,
    TARGETED,
    TOKEN,
    Lexicon,
    WordEntry,
    fold,
    lexicon,
)
from confiance.enrich.pii import EMAIL, find_pii

NAME = "confiance.moderation.v1"

FLAGS = ("bot", "insult", "pii_card", "pii_email", "pii_iban", "pii_phone", "profanity",
         "spam", "threat")
"""Every flag this component can set."""

# --- Tokens ---------------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:bit\.ly|t\.co|tinyurl\.com|goo\.gl|ow\.ly|"
                  r"is\.gd|cutt\.ly|linktr\.ee|shorturl\.at|rb\.gy|tiny\.cc)/\S*",
                  re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"(?<![\w&#])#[^\W_]\w*")
_CHAR_FLOOD = re.compile(r"([^\s.\-_=*~#])\1{19,}")
_PAIR = re.compile(r"(.)\1", re.DOTALL)


# --- Threats, spam, bots -------------------------------------------------------------------

_FR_HARM = ("tuer|tue|buter|bute|defoncer|defonce|crever|creve|egorger|egorge|planter|plante|"
            "fumer|fume|flinguer|flingue|massacrer|massacre|saigner|saigne|bruler|brule|"
            "eclater|eclate|niquer|nique|tabasser|tabasse|frapper|frappe|cogner|cogne|violer|"
            "viole|etrangler|etrangle|casser la gueule|casse la gueule|peter la gueule|"
            "pete la gueule|exploser la gueule|defoncer la gueule|faire la peau|fais la peau|"
            "regler ton compte|regler votre compte")
_EN_HARM = "kill|murder|hurt|stab|shoot|strangle|choke|slap|punch|rape|end|behead|slit"
_EN_TARGET = (r"you|u|ya|yall|y all|you all|(?:your|ur)\s(?:family|kids|children|wife|husband|"
              r"mom|mother|dad|dog|house|home|store|shop|office|business)")
_THREAT = re.compile("|".join(rf"(?:{p})" for p in (
    # je vais te tuer, on va te buter, j'vais t'éclater, je te défonce, jte bute
    rf"\b(?:je|j|on|nous)\s(?:(?:vais|va|vas|allons|veux|voudrais|compte|peux|devrais|aller)"
    rf"\s){{0,2}}(?:te|t|vous)\s(?:{_FR_HARM})\b",
    rf"\b(?:jvais|jvai|vais)\s(?:te|t|vous)\s(?:{_FR_HARM})\b|\bjte\s(?:{_FR_HARM})\b",
    # t'es mort, vous êtes morts, t'es un homme mort (not "mort de rire")
    r"\b(?:t es|tu es|vous etes|t etes)\s(?:(?:un|une)\s(?:homme|femme)\s)?morte?s?\b"
    r"(?!\sde\s(?:rire|faim|fatigue|honte|peur))",
    # on sait où tu habites, je connais ton adresse
    r"\b(?:je|j|on|nous)\s(?:sais|sait|savons|connais|connait)\sou\s(?:tu|vous)\s"
    r"(?:habites|habitez|vis|vivez|bosses|bossez|travailles|travaillez|dors|dormez)\b",
    r"\b(?:je|j|on)\s(?:connais|connait)\s(?:ton|ta|votre)\sadresse\b",
    # va crever, va te pendre, suicide-toi
    r"(?:^|\b(?:toi|vous|et|mais)\s)(?:va|allez)\s(?:crever|mourir)\b",
    r"\b(?:va|allez)\s(?:crever|mourir)\s(?:sale|connard|connasse|salope|enfoire|batard|fdp|"
    r"bande)\b",
    r"\b(?:va|allez)\s(?:te|vous)\s(?:pendre|suicider|tuer)\b|\b(?:suicide|pends|tue)\s"
    r"(?:toi|vous)\b",
    # je vais brûler votre magasin, poser une bombe
    r"\b(?:bruler|cramer|incendier|faire sauter|mettre le feu a|foutre le feu a)\s"
    r"(?:ton|ta|tes|votre|vos)\s(?:magasin|magasins|boutique|boutiques|maison|bureau|bureaux|"
    r"local|locaux|usine|entrepot|voiture|agence|siege|restaurant|resto)\b",
    r"\b(?:poser|mettre|placer)\s(?:une\s)?bombe\b",
    r"\b(?:tu vas|vous allez)\sme\sle\spayer\b|\bfais gaffe a (?:tes fesses|ta gueule)\b",
    # I will kill you, i'm gonna hurt u, we'll kill your family, imma stab you
    rf"\b(?:i|we|ima|imma)\s(?:(?:ll|will|m|am|are|re|gonna|going|to|wanna|want|shall|d|would|"
    rf"can|could|finna|gon|fucking|literally|really|actually|just|definitely|totally)\s){{0,4}}"
    rf"(?:{_EN_HARM})\s(?:{_EN_TARGET})\b",
    r"\b(?:i|we)\s(?:ll|will|m gonna|re gonna|am gonna|are gonna|gonna)\s(?:beat|kick)\s"
    r"(?:you|u)\sup\b|\bkick\s(?:your|ur)\s(?:ass|butt)\b|\bbeat\sthe\s(?:shit|crap)\sout\sof"
    r"\s(?:you|u)\b",
    r"\b(?:you|u)\s(?:re|are|r)\s(?:so\s|a\s)?dead(?:\s(?:man|meat))?\b"
    r"(?!\s(?:right|wrong|on|serious|set|tired|sexy|cute|to|inside|center|centre|last))"
    r"|\bur\s(?:so\s)?dead\b(?!\s(?:right|wrong|on|serious|to))",
    r"\b(?:i|we)\s(?:know|knows)\swhere\s(?:you|u)\s(?:live|work|sleep)\b",
    r"\bwatch\s(?:your|ur|yo)\sback\b(?!\s(?:posture|pain|muscles|health))|\bkys\b|\bkill\s(?:yourself|urself|yourselves)\b"
    r"|\bgo\sdie\b|\b(?:hope|wish)\s(?:you|u)\s(?:die|get\scancer|burn)\b"
    r"|\bdie\sin\sa\s(?:fire|hole|ditch)\b",
    r"\b(?:burn\sdown|blow\sup|bomb)\s(?:your|ur)\s(?:store|shop|office|house|building|factory|"
    r"warehouse|restaurant|business|hq)\b",
)))
"""Threat patterns, matched on the folded token stream (apostrophes and punctuation are
spaces there: ``j'vais t'éclater`` reads ``j vais t eclater``)."""

_THREAT_TRIGGERS = frozenset("""
    tuer tue buter bute defoncer defonce crever creve egorger egorge planter plante fumer fume
    flinguer flingue massacrer massacre saigner saigne bruler brule eclater eclate niquer nique
    tabasser tabasse frapper frappe cogner cogne violer viole etrangler etrangle gueule peau
    compte mort morte morts mortes habites habitez vis vivez bosses bossez travailles
    travaillez dors dormez adresse mourir pendre suicider suicide pends cramer incendier
    sauter feu bombe payer gaffe
    kill murder hurt stab shoot strangle choke slap punch rape end behead slit beat kick dead
    where watch kys yourself urself yourselves die burn blow bomb""".split())
"""Every threat pattern needs one of these tokens; a text without any is not searched."""

_PROMO = re.compile(
    r"\b(?:codes?\spromo|promo\scodes?|discount\scodes?|coupon\scodes?|code\sde\sreduction|"
    r"gagnez|gagner\sde\sl\sargent|cliquez\sici|cliquez\ssur\sle\slien|click\shere|"
    r"click\sthe\slink|click\slink|dm\s(?:pour|for|me\sfor)\s(?:collabs?|collaboration|promo|"
    r"promotion|partenariat|partnership)|dm\sme|send\sme\sa\sdm|free\sfollowers|"
    r"followers\sgratuits|abonnes\sgratuits|buy\sfollowers|acheter\sdes\sfollowers|"
    r"gain\sfollowers|crypto|cryptos|cryptocurrency|bitcoins?|btc|forex|binary\soptions?|"
    r"passive\sincome|revenus\spassifs|make\smoney|earn\smoney|earn\s\$?\d+|work\sfrom\shome|"
    r"whatsapp|telegram|onlyfans|airdrop|guaranteed\sprofit|profit\sgaranti|invest\snow|"
    r"investissez)\b")
_MESSENGERS = frozenset({"whatsapp", "telegram"})
_PROMO_TRIGGERS = frozenset("""code codes promo discount coupon gagnez gagner cliquez click dm
    send free followers abonnes buy acheter gain crypto cryptos cryptocurrency bitcoin bitcoins
    btc forex binary passive revenus make earn work whatsapp telegram onlyfans airdrop
    guaranteed profit invest investissez""".split())
"""A text with none of these tokens cannot match :data:`_PROMO`, which is then skipped."""
_BOT = re.compile(
    r"\b(?:follow\s?back|follow\s(?:for|4)\sfollow|follow4follow|f4f|l4l|like\s(?:for|4)\slike|"
    r"like4like|sub4sub|sub\sfor\ssub|check\s(?:out\s)?my\s(?:bio|profile|page|profil)|"
    r"link\sin\s(?:my\s)?bio|lien\s(?:en|dans\s(?:ma|la))\sbio|va\svoir\sma\sbio|"
    r"allez\svoir\s(?:ma\sbio|mon\sprofil)|visit\smy\s(?:profile|page)|promote\sit\son)\b")
_BOT_TRIGGERS = frozenset("""follow followback follow4follow f4f l4l like4like sub4sub bio
    profile profil page promote""".split())
"""Every bot phrase holds one of these tokens, or ``like``/``sub`` with ``for``/``4``."""


# --- The component -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Moderation:
    """The moderation values of one text."""

    toxicity: float
    flags: list[str]


@dataclass(slots=True)
class _Words:
    """What the word scan found."""

    profane: int = 0
    insults: int = 0
    rude: int = 0


class Moderator:
    """Scores toxicity and flags abuse, threats, spam, bots and personal data.

    ``duplicates``: how many copies of one text in a batch make them ``bot``;
    ``duplicate_min_words``: texts shorter than this (in words) are never counted as copies,
    since short replies (``merci !``, ``trop beau``) are naturally repeated.
    """

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title", "language")
    writes: tuple[str, ...] = ("toxicity", "flags")

    def __init__(self, *, duplicates: int = 3, duplicate_min_words: int = 10) -> None:
        self.duplicates = duplicates
        self.duplicate_min_words = duplicate_min_words

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Set ``toxicity`` (0..1) and ``flags`` on each doc; the same text three times in a
        batch flags those docs ``bot``."""
        for batch in batched(docs, batch_size):
            done: list[tuple[Doc, float, set[str], str | None]] = []
            for doc in batch:
                try:
                    text = doc.text if not doc.title else f"{doc.title}\n{doc.text}"
                    toxicity, flags, key = self._analyse(text, doc.primary_language())
                    done.append((doc, toxicity, flags, key))
                except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                    on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            counts = Counter(key for *_, key in done if key is not None)
            for doc, toxicity, flags, key in done:
                if key is not None and counts[key] >= self.duplicates:
                    flags.add("bot")
                doc.set("toxicity", toxicity, self.name)
                doc.set("flags", sorted(flags), self.name)
            yield from batch

    def moderate(self, text: str, *, language: str | None = None) -> Moderation:
        """The toxicity and flags of one text (no batch, so no duplicate detection)."""
        toxicity, flags, _ = self._analyse(text, primary_subtag(language))
        return Moderation(toxicity, sorted(flags))

    def to_disk(self, path: Path) -> None:
        """Nothing to save: the component has no learnt state."""

    def from_disk(self, path: Path) -> Moderator:
        """Nothing to load."""
        return self

    def _analyse(self, text: str, language: str | None) -> tuple[float, set[str], str | None]:
        """Toxicity, flags, and the key under which duplicates are counted (or ``None``)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        pii = find_pii(text)
        flags = {f"pii_{match.kind}" for match in pii}
        stripped, links = text, 0
        if "/" in text or "www." in text.lower():
            stripped, links = _URL.subn(" ", text)
        if "@" in stripped:
            stripped = _MENTION.sub(" ", EMAIL.sub(" ", stripped))
        words = lexicon()
        cache, canonical = words.cache, words.canonical
        tokens = [cache.get(raw) or canonical(raw) for raw in TOKEN.findall(fold(stripped))]
        present = set(tokens)
        stream = " ".join(tokens)
        found = _Words()
        if not present.isdisjoint(words.starters):
            found = _scan(words, tokens, language)
        found.profane += sum(text.count(emoji) for emoji in PROFANE_EMOJI)
        threats = 0
        if not present.isdisjoint(_THREAT_TRIGGERS):
            threats = len(_THREAT.findall(stream))
        if threats:
            flags.add("threat")
        if found.insults:
            flags.add("insult")
        if found.profane:
            flags.add("profanity")
        flags |= _spam_and_bots(text, stripped, tokens, present, stream, links,
                                any(m.kind == "phone" for m in pii))
        key = None
        content = [t for t in tokens if not t.isdigit()]
        if len(content) >= self.duplicate_min_words:
            key = " ".join(content)
        return _toxicity(threats, found), flags, key


def _scan(words: Lexicon, tokens: list[str], language: str | None) -> _Words:
    """Look every token (and phrase) up once, left to right, longest phrase first."""
    found = _Words()
    entries, phrases = words.entries, words.phrase_lengths
    count, position = len(tokens), 0
    while position < count:
        token = tokens[position]
        entry, size = None, 1
        for length in phrases.get(token, ()):
            if position + length <= count:
                entry = entries.get(" ".join(tokens[position:position + length]))
                if entry is not None:
                    size = length
                    break
        if entry is None:
            entry = entries.get(token)
        if entry is not None and entry.counts_in(language):
            loose = not (entry.languages and language is None)
            _count(found, entry, tokens, position, size, words, loose=loose)
        position += size
    return found


def _count(found: _Words, entry: WordEntry, tokens: list[str], position: int, size: int,
           words: Lexicon, *, loose: bool) -> None:
    """Add one hit; ``loose``: whether a targeted word counts when it is not addressed."""
    if entry.kind == SWEAR:
        found.profane += 1
    elif entry.kind == INSULT:
        found.insults += 1
        found.profane += entry.vulgar
    elif entry.kind == TARGETED:
        if _addressed(tokens, position, size, words):
            found.insults += 1
            found.profane += entry.vulgar
        elif not loose:
            return
        elif entry.vulgar:
            found.profane += 1
        elif entry.rude_alone:
            found.rude += 1


def _addressed(tokens: list[str], position: int, size: int, words: Lexicon) -> bool:
    """Whether the word at ``position`` is aimed at someone (see :data:`ADDRESS_MARKERS`):
    a marker ends just before it, up to four articles, intensifiers or other abusive words
    in between, or the message holds nothing else."""
    def filler(token: str) -> bool:
        entry = words.entries.get(token)
        return token in SKIPPABLE or (entry is not None and entry.kind != SAFE)

    end, skipped = position - 1, 0
    while end >= 0:
        if any(tuple(tokens[end - n + 1:end + 1]) in ADDRESS_MARKERS
               for n in range(1, min(MARKER_LENGTH, end + 1) + 1)):
            return True
        if skipped >= 4 or not filler(tokens[end]):
            break
        end, skipped = end - 1, skipped + 1
    return all(filler(token) for token in tokens[:position] + tokens[position + size:])


def _toxicity(threats: int, found: _Words) -> float:
    """Banded score: threat 0.90-1, insult 0.70-0.85, profanity 0.40-0.55, rude 0.15."""
    if threats:
        score = min(1.0, 0.9 + 0.03 * (threats - 1 + found.insults + found.profane))
    elif found.insults:
        score = min(0.85, 0.7 + 0.05 * (found.insults - 1 + found.profane))
    elif found.profane:
        score = min(0.55, 0.4 + 0.05 * (found.profane - 1))
    elif found.rude:
        score = 0.15
    else:
        score = 0.0
    return round(score, 3)


def _spam_and_bots(text: str, stripped: str, tokens: list[str], present: set[str],
                   stream: str, links: int, has_phone: bool) -> set[str]:
    """The ``spam`` and ``bot`` flags that one text shows on its own."""
    flags: set[str] = set()
    promo: set[str] = set()
    if not present.isdisjoint(_PROMO_TRIGGERS):
        promo = {match.group() for match in _PROMO.finditer(stream)}
    if (links >= 3 or (links and promo) or len(promo) >= 2
            or (has_phone and promo & _MESSENGERS)):
        flags.add("spam")
    if links and _shouting(stripped):
        flags.add("spam")
    if _char_flood(text) or (len(tokens) - len(present) >= 4 and _word_flood(tokens)):
        flags.add("spam")
    if ((not present.isdisjoint(_BOT_TRIGGERS)
         or ({"like", "sub"} & present and {"for", "4"} & present))
            and _BOT.search(stream)):
        flags.add("bot")
    if "#" in text:
        tags = len(_HASHTAG.findall(stripped))
        if tags >= 5:
            other = len(TOKEN.findall(_HASHTAG.sub(" ", stripped)))
            if tags > 10 and other < tags:
                flags.add("spam")
            if tags / (tags + other) >= 0.8:
                flags.add("bot")
    return flags


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 15 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _char_flood(text: str) -> bool:
    """One character (not a space or a separator like ``-``) twenty times in a row.

    Such a run holds two characters ten apart at multiples of ten, so the regular expression
    only runs on texts where the one-in-ten sample repeats.
    """
    return (_PAIR.search(text[::10]) is not None
            and _CHAR_FLOOD.search(text) is not None)


def _word_flood(tokens: list[str], run: int = 5) -> bool:
    """The same word (two letters or more) five times in a row."""
    streak = 1
    for previous, token in pairwise(tokens):
        streak = streak + 1 if token == previous and len(token) > 1 else 1
        if streak >= run:
            return True
    return False
