"""French polarity lexicon features: four numbers a text, in the spirit of VADER.

The sentiment head (``sentiment.py``) reads a sentence embedding plus a few lexicon features.
For English those come from VADER; for French there was nothing usable (the French VADER port
misses « horrible », « nul », « top », « génial », « super », and pulls in a GPL package), and
the embedding alone is weak on very short posts: « Horrible expérience » came out positive,
« Nul. » and « Je recommande » neutral. This module scores French text with a lexicon written
for Confiance (``enrich/data/lexicon_fr.tsv``, ~2,500 entries, Apache-2.0) and a handful of
rules for what French does to polarity.

:func:`scores` returns, per text, ``(positive, negative, polar_share, compound)``:

* ``positive`` / ``negative``: the summed strength of the positive (negative) words after the
  rules, squashed to [0, 1) with VADER's ``x / sqrt(x² + 15)``;
* ``polar_share``: the share of word tokens that belong to a polar entry;
* ``compound``: the signed sum, squashed the same way, in [-1, 1].

A text with no polar entry scores ``(0, 0, 0, 0)``.

Lexicon
-------
Lines are ``term<TAB>score`` (-3 to +3; ``#`` starts a comment). Terms are matched on tokens:
lower case, split at apostrophes and hyphens (« j'adore » → ``j adore``, « c'est » → ``c est``).
At load time every term is also filed under its accent-less spelling (« decu » for « déçu »,
« genial » for « génial »), unless that spelling is already an entry or two entries would
disagree on it. A word typed with accents is looked up as written first, then folded (« décu »).
Multiword terms (2 to 4 tokens, « au top », « pas terrible », « rien à redire ») are matched
longest first and win over their words; a score of 0 marks a phrase whose words must not count
(« bien sûr », « en recommandé », « pas mal de »).

Rules
-----
Windows never cross a clause boundary (``. ! ? ; : , …``, brackets, long dashes, line breaks).

* Negation (« pas », « jamais », « rien », « aucun(e) », « ni », « sans », « guère », « manque »
  (de), « plus » only after « ne / n' », « peu » unless « un peu », « non » right before the
  word) up to 3 items before a polar item flips and damps it: ``× -0.74`` as VADER does. French
  stacks negations without cancelling them (« jamais rien de bon »), so one flip at most.
  Postposed negation, the usual French order, is handled too: a polar verb right after a clitic
  (« je », « j' », « n' », « l' », « ça »...) and followed within 2 items by « pas », « plus »,
  « jamais », « rien » is flipped (« je n'aime pas », « je le recommande pas »).
  « jamais ... aussi / si / autant » is a superlative, not a negation (« jamais été aussi déçu »).
  Multiword terms that contain a negation (« pas mal », « pas terrible », « sans plus ») are
  final: a negation before them does not flip them again. Other multiword terms (« au top »,
  « de ouf ») are flipped like words (« pas au top » is its own entry anyway).
* Intensifiers (« très », « trop », « vraiment », « tellement », « hyper », « carrément »,
  « grave », « super », « bien »...) up to 2 items before a polar item add 0.3 in its direction
  (0.285 at distance 2); attenuators (« un peu », « assez », « plutôt », « légèrement »...)
  take 0.3 off (never below 30 % of the score). « super », « grave » and « bien » are polar on
  their own and intensifiers when a polar item follows: « super nul » is very bad, not mixed;
  right after a polar item they boost it (« je kiffe grave », « j'aime bien »). « Bon, » or
  « Bien. » alone in a clause, with more text after, is a discourse marker, not praise.
* Contrast: with « mais » (« cependant », « pourtant », « toutefois », « néanmoins », « par
  contre », « en revanche »), items before the first marker weigh 0.5 and items after 1.5,
  as VADER does for "but".
* Emphasis: a polar word in capitals in a text that is not all capitals, and a word stretched
  by repeating a letter three times or more (« nuuuul », « trooop » are looked up as « nul »,
  « trop »; « cooool » as « cool »), add 0.3 in its direction; each « ! » adds 0.292 (4 at most)
  to the side that wins, as in VADER.

Emoji and emoticons carry polarity too (😍, 👎, « :) », « <3 »). URLs and @mentions are skipped.

The features are meant for French text: the caller decides which texts they apply to.

Speed: one precompiled regular expression tokenises the lower-cased text; each token then costs
one dict look-up (a second for accented words the lexicon lacks; phrases are only tried when
the next word can continue one); the rules only run on the few polar items. About 17-18 µs for
a 100-character post on one core of a two-core development machine (min 17, median 18 over
60 batches of 800 posts); VADER takes about 45 µs for similar English posts there.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import numpy.typing as npt

LEXICON_FILE = "lexicon_fr.tsv"
FEATURES = ("positive", "negative", "polar_share", "compound")
"""The four columns :func:`scores` returns, in order."""

MAX_PHRASE_WORDS = 4
MIN_SCORE, MAX_SCORE = -3.0, 3.0

NEGATION_SCALAR = -0.74
NEGATION_WINDOW = 3
POSTPOSED_WINDOW = 2
BOOST = 0.3
BOOST_WINDOW = 2
BOOST_DECAY = 0.95
DAMPING_FLOOR = 0.3
EMPHASIS = 0.3
EXCLAMATION = 0.292
MAX_EXCLAMATIONS = 4
CONTRAST_BEFORE, CONTRAST_AFTER = 0.5, 1.5
ALPHA = 15.0

Matrix = npt.NDArray[np.float32]

# Roles of function words (bit flags), keyed by their accent-less spelling.
NEG = 1  # negates a polar item up to NEGATION_WINDOW items after it
NEG_NEXT = 2  # negates the very next item only (« non conforme »)
POSTPOSED = 4  # negates a polar verb before it (« j'aime pas »)
BOOSTER = 8
DAMPER = 16
CLITIC = 32
CONTRAST = 64
DUAL = 128  # polar on its own, a booster before a polar item (« super », « grave », « bien »)
NEVER = 256  # « jamais », « plus »: not a negation with a superlative in between
SUPERLATIVE = 512  # « aussi », « si », « autant »...
_CONDITIONAL = 1024  # « peu », « plus », « contre », « revanche »: decided from context

_ROLE_WORDS: tuple[tuple[int, str], ...] = (
    (NEG | POSTPOSED, "pas rien guère"),
    (NEG | POSTPOSED | NEVER, "jamais"),
    (NEG, "aucun aucune aucuns aucunes ni sans manque manques manquent manquait manquaient"),
    (NEG_NEXT, "non"),
    (BOOSTER, "très tres tré trop tro vraiment vrmt vrm tellement tellment tlm hyper ultra méga"
              " archi extrêmement absolument carrément vachement franchement totalement"
              " complètement particulièrement incroyablement terriblement énormément fortement"
              " vivement hautement profondément sérieusement"),
    (BOOSTER | SUPERLATIVE, "si"),
    (SUPERLATIVE, "aussi autant tant"),
    (BOOSTER | DUAL, "super grave bien"),
    (DAMPER, "assez plutôt légèrement moyennement relativement"),
    (CLITIC, "je j tu t il elle on nous vous ils elles ça ce c cela le la l les me m te se s"
             " lui leur y en ne n"),
    (CONTRAST, "mais cependant pourtant toutefois néanmoins"),
    (_CONDITIONAL, "peu plus contre revanche"),
)
# « tellement » is a booster and a superlative (« jamais été tellement déçu »).
_EXTRA_ROLES = {"tellement": SUPERLATIVE}

# Tokens: URLs (skipped), words (letters and digits: apostrophes and hyphens split them),
# @mentions (skipped), emoticons, and runs of other characters, sorted out in Python (emoji,
# clause boundaries, the rest skipped). Text is lower-cased first. No capture groups: they make
# ``findall`` twice as slow.
_TOKEN = re.compile(
    r"(?:https?://|www\.)\S+|[^\W_]+|@\w+|<3|[:;=]'?-?(?:[()\[\]/]|[dp]\b)"
    r"|[^\w\s'’\-/#\"«»*+&%$€@]+"
)
_BOUNDARIES = frozenset(".!?;:,…()[]—–")
_STRETCH_HINT = re.compile(r"([a-zà-ÿ])\1\1")
_STRETCH = re.compile(r"([^\W\d_])\1{2,}")
_DISCOURSE = frozenset(("bon", "bien"))
"""Words that are discourse markers, not praise, alone in a clause with more text after."""
_BREAK = "\x00"
"""Stands for a clause boundary in the token list: no phrase or window crosses it."""


def _is_emoji(char: str) -> bool:
    """Pictographs and symbols that carry sentiment (skin tones and selectors are not)."""
    return (
        "\U0001f300" <= char <= "\U0001faff" and not "\U0001f3fb" <= char <= "\U0001f3ff"
    ) or "\u2600" <= char <= "\u27bf" or "\u2b00" <= char <= "\u2bff"


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        parts = unicodedata.normalize("NFKD", char)
        base = "".join(c for c in parts if not unicodedata.combining(c))
        if base and base != char and base.isascii():
            table[code] = base
    table.update({ord("œ"): "oe", ord("Œ"): "OE", ord("æ"): "ae", ord("Æ"): "AE"})
    return table


_FOLD = _fold_table()


def fold(word: str) -> str:
    """``word`` without accents: « déçu » → « decu », « cœur » → « coeur »."""
    return word if word.isascii() else word.translate(_FOLD)


def _split(low: str) -> list[str]:
    """The tokens of ``low`` (lower-case text), ``_BREAK`` for each clause boundary."""
    if "\n" in low:
        low = low.replace("\n", " . ")
    words: list[str] = []
    append = words.append
    for tok in _TOKEN.findall(low):
        if tok.isalnum() or tok in _EMOTICONS:
            append(tok)
        elif tok[0] == "@" or tok.startswith(("http", "www.")):
            continue
        elif tok.isascii():
            if _BOUNDARIES.isdisjoint(tok):
                continue
            emoticon = tok[:3] if tok[:3] in _EMOTICONS else tok[:2]
            if emoticon in _EMOTICONS:  # « :)) », « :(... »
                append(emoticon)
                if _BOUNDARIES.isdisjoint(tok[len(emoticon):]):
                    continue
            append(_BREAK)
        else:
            # Emoji, typographic punctuation, or both: one character at a time.
            for char in tok:
                if char in _BOUNDARIES:
                    append(_BREAK)
                elif _is_emoji(char):
                    append(char)
    return words


_EMOTICONS = frozenset(
    ":) :-) =) :d :-d ;) ;-) :( :-( :'( :/ :-/ :p :-p <3 ^^ :] :[ =( =d xd".split())
"""Emoticons the tokeniser keeps whole (they are punctuation otherwise)."""


def tokens(text: str) -> list[str]:
    """The lower-case word, emoji and emoticon tokens of ``text``, boundaries left out."""
    return [word for word in _split(text.lower()) if word is not _BREAK]


def normalise_term(term: str) -> str:
    """A lexicon term as the scorer sees it: tokens joined by one space (« rien à redire »).

    Raises ``ValueError`` for a term with no token, a clause boundary inside, or more than
    ``MAX_PHRASE_WORDS`` tokens.
    """
    found = _split(term.strip().lower())
    if _BREAK in found:
        raise ValueError(f"punctuation inside lexicon term {term!r}")
    if not found or len(found) > MAX_PHRASE_WORDS:
        raise ValueError(f"lexicon term {term!r} must have 1 to {MAX_PHRASE_WORDS} tokens")
    return " ".join(found)


def parse_lexicon(text: str) -> dict[str, float]:
    """Entries of a lexicon file: normalised term → score, in file order.

    Blank lines and lines starting with ``#`` are skipped. Raises ``ValueError`` (with the line
    number) for a line that is not ``term<TAB>score``, a score outside [-3, 3], or a term that
    appears twice once normalised.
    """
    entries: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2:
            raise ValueError(f"line {number}: expected 'term<TAB>score', got {line!r}")
        try:
            score = float(parts[1])
            term = normalise_term(parts[0])
        except ValueError as exc:
            raise ValueError(f"line {number}: {exc}") from None
        if not MIN_SCORE <= score <= MAX_SCORE:  # also rejects nan
            raise ValueError(f"line {number}: score {score} outside [{MIN_SCORE}, {MAX_SCORE}]")
        if term in entries:
            raise ValueError(f"line {number}: duplicate term {term!r}")
        entries[term] = score
    return entries


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The loaded lexicon, in the shapes the scorer reads."""

    table: dict[str, tuple[float, int, int, frozenset[str]]]
    """Token (as written, and accent-less) → (score, role bits, most words of a phrase that
    starts with it, the accent-less second words of those phrases). Other words are absent."""
    phrases: dict[str, float]
    """Multiword terms, accent-less, tokens joined by a space."""
    final: frozenset[str]
    """Phrases that contain a negation: never flipped."""
    known: frozenset[str]
    """Every token the scorer knows, to undo stretched letters (« nuuuul »)."""


def build_lexicon(entries: dict[str, float]) -> Lexicon:
    """Index parsed entries (see :func:`parse_lexicon`) for scoring."""
    roles: dict[str, int] = {}
    keys: set[str] = set()
    for role, spelled in _ROLE_WORDS:
        for word in spelled.split():
            key = fold(word)
            keys.update((word, key))
            roles[key] = roles.get(key, 0) | role | _EXTRA_ROLES.get(key, 0)
    negators = {w for w, r in roles.items() if r & (NEG | NEG_NEXT)} | {"plus", "peu"}

    words: dict[str, float] = {}
    phrases: dict[str, float] = {}
    final: set[str] = set()
    starts: dict[str, int] = {}
    seconds: dict[str, set[str]] = {}
    by_fold: dict[str, set[float]] = {}
    known: set[str] = set(keys)
    for term, score in entries.items():
        parts = term.split(" ")
        known.update(parts)
        known.update(fold(p) for p in parts)
        if len(parts) == 1:
            words[term] = score
            by_fold.setdefault(fold(term), set()).add(score)
            keys.add(term)
            continue
        key = fold(term)
        phrases.setdefault(key, score)
        first = fold(parts[0])
        keys.update((parts[0], first))
        starts[first] = max(starts.get(first, 0), len(parts))
        seconds.setdefault(first, set()).add(fold(parts[1]))
        if negators.intersection(fold(p) for p in parts):
            final.add(key)
    for key, found in by_fold.items():
        # The accent-less spelling, unless it is an entry itself or entries disagree on it.
        if key not in words and len(found) == 1:
            words[key] = next(iter(found))
            keys.add(key)
    table = {
        key: (
            words.get(key, 0.0),
            roles.get(fold(key), 0),
            starts.get(fold(key), 0),
            frozenset(seconds.get(fold(key), ())),
        )
        for key in keys
    }
    return Lexicon(table, phrases, frozenset(final), frozenset(known))


@cache
def lexicon() -> Lexicon:
    """The shipped lexicon (``confiance/enrich/data/lexicon_fr.tsv``), loaded once."""
    text = resources.files("confiance.enrich").joinpath("data", LEXICON_FILE).read_text(
        encoding="utf-8")
    return build_lexicon(parse_lexicon(text))


@cache
def sentiment_words() -> frozenset[str]:
    """The words that carry a polarity in the shipped lexicon (as written and accent-less),
    and the first words of its phrases: what says a text is French to the sentiment head."""
    found = lexicon()
    return frozenset({key for key, (score, *_) in found.table.items() if score != 0}
                     | {phrase.split(" ")[0] for phrase in found.phrases})


def _unstretch(word: str, known: frozenset[str]) -> str | None:
    """``word`` with letters repeated 3+ times collapsed, if that gives a known token."""
    once = _STRETCH.sub(r"\1", word)
    if once in known:
        return once
    twice = _STRETCH.sub(r"\1\1", word)
    return twice if twice in known else None


_ZERO = (0.0, 0.0, 0.0, 0.0)


def score_text(text: str, lex: Lexicon | None = None) -> tuple[float, float, float, float]:
    """``(positive, negative, polar_share, compound)`` for one text (see the module docs)."""
    lex = lex or lexicon()
    table = lex.table
    get = table.get
    low = text.lower()
    words = _split(low)
    n = len(words)
    if not n:
        return _ZERO

    stretched: set[int] = set()
    if _STRETCH_HINT.search(low):
        for i, word in enumerate(words):
            if _STRETCH.search(word):
                plain = _unstretch(word, lex.known)
                if plain is not None:
                    words[i] = plain
                    stretched.add(i)

    # Pass 1: items (a phrase or a word); only those with a score or a role are kept, as
    # marks: (item position, clause, score, role, tokens, final, first token index).
    marks: list[tuple[int, int, float, int, int, bool, int]] = []
    contrast_at = -1
    breaks = clause = i = pos = 0
    phrases = lex.phrases
    while i < n:
        word = words[i]
        if word is _BREAK:
            breaks += 1
            clause += 1
            i += 1
            continue
        entry = get(word)
        if entry is None and not word.isascii():
            entry = get(word.translate(_FOLD))  # « décu », « tres » typed « trés »
        if entry is None:
            i += 1
            pos += 1
            continue
        s, role, longest, second = entry
        if longest and i + 1 < n and fold(words[i + 1]) in second:
            m = min(longest, n - i)
            while m > 1:
                key = " ".join([fold(w) for w in words[i:i + m]])
                found = phrases.get(key)
                if found is not None:
                    if found:
                        marks.append((pos, clause, found, 0, m, key in lex.final, i))
                    break
                m -= 1
            if m > 1:
                i += m
                pos += 1
                continue
        if role & _CONDITIONAL:
            role = _resolve(word, i, words)
        if (
            s and word in _DISCOURSE and i + 2 < n and words[i + 1] is _BREAK
            and (i == 0 or words[i - 1] is _BREAK)
        ):
            s = 0.0  # « Bon, je n'ai rien reçu »: a discourse marker alone in its clause
        if s or role:
            marks.append((pos, clause, s, role, 1, False, i))
            if role & CONTRAST and contrast_at < 0:
                contrast_at = pos
        i += 1
        pos += 1

    if not marks:
        return _ZERO

    # Pass 2: the rules, on polar items only.
    positive = negative = 0.0
    polar_tokens = 0
    boosting = [False] * len(marks)
    all_caps: bool | None = None
    last = len(marks) - 1
    for k, (pos, c, s, role, m, final, ti) in enumerate(marks):
        if not s or boosting[k]:
            continue
        if role & DUAL and k < last:
            nxt = marks[k + 1]
            if nxt[0] == pos + 1 and nxt[1] == c and nxt[2]:
                boosting[k] = True
                continue
        sign = 1.0 if s > 0 else -1.0
        v = s
        if k < last:
            # A dual word right after a polar item boosts it (« je kiffe grave », « aime bien »)
            # unless it boosts a polar item after it.
            nxt = marks[k + 1]
            if nxt[3] & DUAL and nxt[0] == pos + 1 and nxt[1] == c and not (
                k + 1 < last and marks[k + 2][0] == pos + 2 and marks[k + 2][1] == c
                and marks[k + 2][2]
            ):
                boosting[k + 1] = True
                v += BOOST * sign
        # A word in capitals, unless the whole text is (then capitals say nothing).
        upper = words[ti].upper()
        if upper != words[ti] and upper in text:
            if all_caps is None:
                all_caps = text.isupper()
            if not all_caps:
                v += EMPHASIS * sign
        if ti in stretched:
            v += EMPHASIS * sign

        negated = superlative = False
        j = k - 1
        while j >= 0:
            pj, cj, sj, rj, _, _, _ = marks[j]
            d = pos - pj
            if cj != c or d > NEGATION_WINDOW:
                break
            if d <= BOOST_WINDOW:
                scale = 1.0 if d == 1 else BOOST_DECAY
                if rj & BOOSTER and (not sj or boosting[j]):
                    v += BOOST * scale * sign
                elif rj & DAMPER:
                    v = sign * max(abs(v) - BOOST * scale, DAMPING_FLOOR * abs(v))
            if rj & SUPERLATIVE:
                superlative = True
            if (rj & NEG or (rj & NEG_NEXT and d == 1)) and not (rj & NEVER and superlative):
                negated = True
            j -= 1

        if not negated and not final:
            # Postposed negation: a clitic right before (« j'aime pas », « je ne l'aime plus »),
            # or a phrase that starts with one (« je valide pas »).
            if k:
                before = marks[k - 1]
                clitic = before[0] == pos - 1 and before[1] == c and bool(before[3] & CLITIC)
            else:
                clitic = False
            if not clitic and m > 1:
                clitic = bool(table.get(words[ti], _NOTHING)[1] & CLITIC)
            if clitic:
                for pj, cj, _, rj, _, _, _ in marks[k + 1:]:
                    if cj != c or pj - pos > POSTPOSED_WINDOW:
                        break
                    if rj & POSTPOSED:
                        negated = True
                        break
        if negated and not final:
            v *= NEGATION_SCALAR

        if contrast_at >= 0:
            if pos < contrast_at:
                v *= CONTRAST_BEFORE
            elif pos > contrast_at:
                v *= CONTRAST_AFTER
        if v > 0:
            positive += v
        else:
            negative -= v
        polar_tokens += m

    if not polar_tokens:
        return _ZERO
    total = positive - negative
    if total:
        bangs = text.count("!")
        if bangs:
            amplifier = min(bangs, MAX_EXCLAMATIONS) * EXCLAMATION
            if total > 0:
                positive += amplifier
                total += amplifier
            else:
                negative += amplifier
                total -= amplifier
    return (
        positive / math.sqrt(positive * positive + ALPHA),
        negative / math.sqrt(negative * negative + ALPHA),
        polar_tokens / (n - breaks),
        total / math.sqrt(total * total + ALPHA),
    )


_NOTHING: tuple[float, int, int, frozenset[str]] = (0.0, 0, 0, frozenset())


def _resolve(word: str, i: int, words: list[str]) -> int:
    """The role of a context-dependent word at token ``i`` (never across a boundary)."""
    previous = words[i - 1] if i else _BREAK
    if word == "peu":
        return DAMPER if previous in ("un", "quelque") else NEG
    if word == "plus":
        # « plus » negates only after « ne / n' » (« ne ... plus »), else it means « more ».
        for j in range(i - 1, max(-1, i - 1 - NEGATION_WINDOW), -1):
            if words[j] is _BREAK:
                break
            if words[j] in ("ne", "n"):
                return NEG | POSTPOSED | NEVER
        return 0
    if word == "contre":
        return CONTRAST if previous == "par" else 0
    if word == "revanche":
        return CONTRAST if previous == "en" else 0
    return 0


def scores(texts: Sequence[str]) -> Matrix:
    """``(len(texts), 4)`` float32 array: positive, negative, polar share, compound per text.

    See the module documentation for the rules. Texts with no polar word score all zeros.
    """
    lex = lexicon()
    if not texts:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    return np.array([score_text(text, lex) for text in texts], dtype=np.float32)
