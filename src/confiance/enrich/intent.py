"""``confiance.intent.v1``: what a post wants: a question, a complaint, praise, a purchase.

The social inbox routes messages by intent, so every doc gets two values:

* ``intents``: the sorted list of every intent detected (a post can complain *and* ask:
  « Ma commande n'est jamais arrivée, vous pouvez me dire où elle est ? »), or ``["other"]``;
* ``intent``: the primary one, by a fixed priority a customer-service team can rely on:
  **complaint > question > purchase_intent > praise > other**. Complaints come first because
  they are the messages that cost a brand most when they wait; a question comes before a
  purchase intent because it needs an answer (« Combien coûte le coffret ? » is routed as a
  question, and also listed as a purchase intent).

Design
------
Rules, not a model: the cues of intent in short social text are lexical and well known, and
rules are fast, explainable and need no training data. French and English are covered,
including informal French (« jai jamais recu », « pk ca marche pas », « c koi ce delire »,
« qqn sait si », « tjrs pas »). The text is folded once (accents and case removed, curly
apostrophes straightened, hyphens between words turned into spaces, letters repeated three
times or more collapsed: « merciiii » → « merci »), then scanned once, word by word, against
precompiled regular expressions of cues (named groups, word boundaries, no overlaps). Each
match adds the weight of its group to an intent's score (strong cues 1, mild cues 0.5);
an intent is detected when its score reaches 1. Mild cues need company: « bof » (0.5) with a
service or product word (« livraison », « SAV », an ``@mention``: 0.5) makes a complaint,
and so does a mild cue with a negative ``sentiment`` from an earlier component (+0.5).
A positive sentiment adds 0.5 to praise the same way. The component works without it.

Negations are matched before the words they negate, in the same scan (the groups are
ordered, and a match consumes its words): « pas top », « je ne recommande pas », « not
happy » are complaint cues; « jamais déçue », « never disappointed », « rien à redire »,
« plus jamais sans », « problème résolu » are praise; « merci d'avance », « merci de me
répondre », « thanks in advance » are politeness and count for nothing.

Sarcasm: praise words that people use ironically (merci, bravo, génial, super, top, love,
great, 👏...) are dropped when the post also carries a complaint and no contrast marker
(« mais », « but », « par contre »...): « Bravo vraiment 👏 3 semaines de retard » and
« great, another delay » are complaints, while « Produit génial mais livraison en retard » is
both praise and complaint. Fixed ironic formulas (« merci pour rien », « thanks for
nothing », « j'adore attendre », « love waiting ») are complaints on their own, and so is an
ironic praise word when the sentiment component says the post is negative. Praise that is
never ironic (« je recommande », « délicieux », « game changer ») is kept. A bare « merci »
closing a question or purchase request is politeness, not praise.

Question marks: every clause ending in ``?`` is a question unless it is rhetorical: a lone
indignant formula (« Sérieux ? », « c'est une blague ? », « are you kidding me? ») or a
``?!`` with no interrogative word in the clause (« 3 semaines pour un remboursement ?! »).
A rhetorical question is a mild complaint cue. Unambiguous phrases make a question anywhere
(« est-ce que », « qqn sait », « je me demande », « does anyone know »), and in a text with
no ``?`` at all so do interrogative openings at the start of a clause (« comment on fait »,
« pk », « how do I », « can I »). Interrogative purchase cues (« combien coûte », « où
acheter », « where can I buy ») count as both a question and a purchase intent.

Language: ``doc.values["language"]`` selects the French or English rule set (English
loanwords common in French posts, « love », « top », « fail », « wishlist », « bug », are in
both); with ``unknown``, another language or none, both sets are used. A doc's ``title``
is read before its text, and its ``mentions`` count as an ``@mention``.

Speed: one fold, then one pass over the words in which each word only tries the cues that
can start with its first character (see :class:`_Scanner`), and a clause split only when the
text has a ``?``: about 50-90 µs for a tweet-length post on one core (``benchmarks/intent.py``
measures it), well under the language detector's share of the pipeline.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Final

from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors
from confiance.enrich.intent_cues import CAPS, GROUP_ORDER, POURQUOI, RULES, WEIGHTS

NAME: Final = "confiance.intent.v1"
QUESTION: Final = "question"
COMPLAINT: Final = "complaint"
PRAISE: Final = "praise"
PURCHASE: Final = "purchase_intent"
OTHER: Final = "other"
INTENTS: Final = (COMPLAINT, QUESTION, PURCHASE, PRAISE, OTHER)
"""Every label, in priority order: the first one detected is the primary intent."""

_THRESHOLD = 0.999
"""An intent is detected when its score reaches 1 (less a rounding margin)."""

# --------------------------------------------------------------------------------------
# Folding: once per text.

_REPLACEMENTS: Final = (
    ("\u2019", "'"), ("\u2018", "'"), ("\u02bc", "'"), ("`", "'"), ("\u00b4", "'"),
    ("\u2032", "'"), ("\u00ab", '"'), ("\u00bb", '"'), ("\u201c", '"'), ("\u201d", '"'),
    ("\u201e", '"'), ("\u0153", "oe"), ("\u00e6", "ae"), ("\u2010", "-"), ("\u2011", "-"),
    ("\u2013", "-"), ("\u2014", "-"),
)
"""Characters NFKD leaves alone that the cues need plain (after case folding)."""
_COMBINING = re.compile("[\u0300-\u036f]+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HYPHEN = re.compile(r"(?<=\w)-(?=\w)")
_REPEAT = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"[^\S\n]+")


def fold(text: str) -> str:
    """``text`` case-folded, without accents or URLs, with straight apostrophes, hyphens
    between words as spaces, runs of 3+ identical letters collapsed (« merciii » → « merci »)
    and runs of spaces squeezed. Each step runs only when the text needs it."""
    text = text.casefold()
    if not text.isascii():
        for old, new in _REPLACEMENTS:
            if old in text:
                text = text.replace(old, new)
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    if "http" in text or "www." in text:
        text = _URL.sub(" ", text)
    if "-" in text:
        text = _HYPHEN.sub(" ", text)
    if _REPEAT.search(text):
        text = _REPEAT.sub(r"\1", text)
    if "  " in text or "\t" in text or "\r" in text:
        text = _SPACES.sub(" ", text)
    return text


_ANY: Final = frozenset({"<any character>"})
"""Stands for "any character" in :func:`_first_chars` (compared by identity)."""


def _class_end(pattern: str, start: int) -> int:
    """The index of the ``]`` closing the character class opened at ``start``."""
    end = start + 1
    if pattern[end:end + 1] == "^":
        end += 1
    if pattern[end:end + 1] == "]":
        end += 1
    while pattern[end] != "]":
        end += 2 if pattern[end] == "\\" else 1
    return end


def _structure(pattern: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) for each character of ``pattern`` from
    ``start`` that is not escaped and not inside a character class."""
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        yield index, char, depth
        index += 1


def _group_end(pattern: str, start: int) -> int:
    """The index of the ``)`` closing the group opened at ``start``."""
    for index, char, depth in _structure(pattern, start):
        if char == ")" and depth == 0:
            return index
    raise ValueError(f"unbalanced group at {start} in {pattern!r}")


def _alternatives(pattern: str) -> list[str]:
    """``pattern`` split on its top-level ``|``."""
    parts, begin = [], 0
    for index, char, depth in _structure(pattern):
        if char == "|" and depth == 0:
            parts.append(pattern[begin:index])
            begin = index + 1
    parts.append(pattern[begin:])
    return parts


def _escape_chars(letter: str) -> frozenset[str]:
    if letter == "d":
        return frozenset(string.digits)
    if letter == "w":
        return _ANY
    if letter == "s":
        return frozenset(" \t\n\r")
    return frozenset(letter)


def _atom_chars(pattern: str, index: int) -> tuple[frozenset[str] | None, bool, int]:
    """(first characters or ``None`` for a zero-width atom, can it be empty, next index)."""
    char = pattern[index]
    if char == "(":
        end = _group_end(pattern, index)
        inner = pattern[index + 1:end]
        if inner.startswith(("?<!", "?<=", "?!", "?=")):
            return None, True, end + 1
        if inner.startswith("?:"):
            inner = inner[2:]
        elif inner.startswith("?P<"):
            inner = inner[inner.index(">") + 1:]
        found: set[str] = set()
        empty = False
        for alternative in _alternatives(inner):
            chars, can_be_empty = _first_chars(alternative)
            if chars is _ANY:
                return _ANY, False, end + 1
            found |= chars
            empty = empty or can_be_empty
        return frozenset(found), empty, end + 1
    if char == "[":
        end = _class_end(pattern, index)
        body = pattern[index + 1:end]
        if body.startswith("^"):
            return _ANY, False, end + 1
        found, position = set(), 0
        while position < len(body):
            if body[position] == "\\":
                escaped = _escape_chars(body[position + 1])
                if escaped is _ANY:
                    return _ANY, False, end + 1
                found |= escaped
                position += 2
            elif position + 2 < len(body) and body[position + 1] == "-":
                found |= {chr(code) for code in range(ord(body[position]),
                                                      ord(body[position + 2]) + 1)}
                position += 3
            else:
                found.add(body[position])
                position += 1
        return frozenset(found), False, end + 1
    if char == "\\":
        if pattern[index + 1] in "bB":
            return None, True, index + 2
        return _escape_chars(pattern[index + 1]), False, index + 2
    if char in "^$":
        return None, True, index + 1
    if char == ".":
        return _ANY, False, index + 1
    return frozenset(char), False, index + 1


def _first_chars(pattern: str) -> tuple[frozenset[str], bool]:
    """The characters a match of ``pattern`` can start with (``_ANY`` when any can), and
    whether the pattern can match the empty string. Knows the regex syntax the cue lists use:
    literals, escapes, classes, groups, look-arounds and quantifiers."""
    found: set[str] = set()
    index = 0
    while index < len(pattern):
        chars, empty, index = _atom_chars(pattern, index)
        if chars is None:  # a look-around or an anchor: nothing consumed
            continue
        if chars is _ANY:
            return _ANY, False
        if index < len(pattern) and (pattern[index] in "?*" or pattern[index:index + 2] == "{0"):
            empty = True
        while index < len(pattern) and pattern[index] in "?*+":
            index += 1
        if index < len(pattern) and pattern[index] == "{":
            index = pattern.index("}", index) + 1
        found |= chars
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


class _Scanner:
    """The cue patterns of some languages, bucketed by the character a match can start with.

    One alternation of all the cues would be tried in full at every word (hundreds of
    branches); here each word only tries the cues that can start with its first character.
    Within a bucket, groups keep the order of ``GROUP_ORDER`` and patterns their order in
    ``RULES``, so negations and formulas still win over the words they contain. Buckets
    are compiled on first use.
    """

    _END = r")(?:(?<=')|(?![\w']))"

    def __init__(self, languages: frozenset[str]) -> None:
        self._patterns: dict[str, list[tuple[str, str]]] = {}
        anywhere: list[tuple[str, str]] = []
        chosen = [(group, pattern) for group in GROUP_ORDER for name, lang, patterns in RULES
                  if name == group and (lang == "*" or lang in languages)
                  for pattern in patterns]
        for group, pattern in chosen:
            chars, empty = _first_chars(pattern)
            if chars is _ANY or empty:
                anywhere.append((group, pattern))
                for bucket in self._patterns.values():
                    bucket.append((group, pattern))
                continue
            for char in chars:
                self._patterns.setdefault(char, list(anywhere)).append((group, pattern))
        self._anywhere = anywhere
        self._compiled: dict[str, re.Pattern[str] | None] = {}

    def _bucket(self, char: str) -> re.Pattern[str] | None:
        try:
            return self._compiled[char]
        except KeyError:
            pass
        cues = self._patterns.get(char, self._anywhere)
        compiled = None
        if cues:
            by_group: dict[str, list[str]] = {}
            for group, pattern in cues:
                by_group.setdefault(group, []).append(pattern)
            compiled = re.compile("(?:" + "|".join(
                f"(?P<{group}>{'|'.join(patterns)})" for group, patterns in by_group.items())
                + self._END)
        self._compiled[char] = compiled
        return compiled

    def groups(self, folded: str) -> list[str]:
        """The cue group of each match in ``folded``, left to right, matches not overlapping."""
        found: list[str] = []
        end = 0
        for word in _TOKEN.finditer(folded):
            start = word.start()
            if start < end:
                continue
            bucket = self._bucket(folded[start])
            if bucket is None:
                continue
            match = bucket.match(folded, start)
            if match is not None and match.lastgroup is not None:
                found.append(match.lastgroup)
                end = match.end()
        return found


_TOKEN = re.compile(r"[\w#/]+")
_SCANNERS: Final[dict[str, _Scanner]] = {
    "fr": _Scanner(frozenset({"fr"})),
    "en": _Scanner(frozenset({"en"})),
    "both": _Scanner(frozenset({"fr", "en"})),
}

# Emoji are matched outside the word scan, in one pass, and only in non-ASCII text.
_EMOJI_KINDS: Final[dict[str, str]] = {
    **dict.fromkeys("😡🤬😤👎🤮😠💩🤢", "angry"),
    **dict.fromkeys("😞😔😩😫🙄😒💔😑🤦😖😣🙃😐", "sad"),
    **dict.fromkeys("😍🥰❤♥💖💕💗💞💘🤩💯", "love"),
    **dict.fromkeys("😊☺🥳🔥✨👍😋🤤🙌👌🙏👏💪😁😀🤗", "happy"),
}
_EMOJI = re.compile("[" + "".join(_EMOJI_KINDS) + "]")


def _emoji_kinds(folded: str) -> set[str]:
    """The kinds (angry, sad, love, happy) of the emoji in ``folded``; ``<3`` is love."""
    kinds = {"love"} if "<3" in folded else set()
    if not folded.isascii():
        kinds.update(_EMOJI_KINDS[emoji] for emoji in _EMOJI.findall(folded))
    return kinds


# Question marks: split after every run of terminators, then judge each clause with a "?".
_CLAUSES = re.compile(r"(?<=[.!?\n])(?=[^.!?\n])")
_RHETORICAL = re.compile(
    r"(?:(?:non |mais |oh |et )*(?:serieux|serieusement|vraiment|really|seriously|srsly"
    r"|sans deconner|sans rire|sans blague|allo|hello|c'est une (?:blague|plaisanterie)"
    r"|c une blague|vous etes serieux|vous rigolez|vous plaisantez|are you serious"
    r"|are you kidding(?: me)?|you kidding me|you serious|is this a joke|what the hell|wtf"
    r"|what|quoi|pardon|comment ca|how come|why me|pourquoi moi|encore|again|et alors"
    r"|vous vous (?:foutez|moquez) de (?:qui|nous|moi)|on se (?:fout|moque) de qui"
    r"|c(?:'est| est|est|) (?:quoi|koi) (?:ce|ces|cette) \w+|ah bon|for real|jpp|wow))")
_INTERROGATIVE = re.compile(
    r"\b(?:comment|pourquoi|pourkoi|pk|pq|pkoi|quand|kan|ou|combien|quel\w*|kel\w*|qui|quoi"
    r"|koi|est ce|esque|eske|puis je|peut on|pouvez vous|avez vous|vous pouvez|tu peux"
    r"|how|why|when|where|what|which|who|can|could|will|would|do|does|did|is|are|should)\b")
_NON_LETTERS = re.compile(r"@\w+|[^a-z' ]+")

# Interrogative openings at the start of a clause, for questions without a "?".
_Q_START = re.compile(
    r"(?:^|[.!;:\n,]) *(?:(?:@\w+|bonjour|bonsoir|salut|hello|hi|hey|coucou|slt|bjr|cc|svp"
    r"|stp|please|dites moi|dis moi|alors|du coup|sinon|et|mais|ok|au fait|btw|so|also)"
    r"[ ,!:]*)*(?:comment(?! dire| vous dire)|" + POURQUOI + r"(?! pas\b)|combien|"
    r"(?:quand|kan) (?:est ce|sera|seront|allez|vas|va|vont|arrive\w*|sort\w*|ouvre\w*"
    r"|revien\w*|est|recevr\w*|pourr\w*|aur\w*|commence\w*|reouvr\w*|livr\w*)|"
    r"ou (?:est|sont|en est|en sont|trouver|acheter|puis je|peut on|je peux|on peut"
    r"|se trouve|avez|est ce)|"
    r"(?:quel|quelle|quels|quelles|kel|kelle) (?:est|sont|taille|prix|pointure|difference"
    r"|delai|delais|couleur|modele|forfait|offre|heure|jour|date|produit|creme|teinte"
    r"|parfum|horaire\w*)|"
    r"(?:do|does|did|is|are|can|could|will|would|should|has|have|am|was|were) (?:you|u|i"
    r"|it|this|that|they|there|anyone|anybody|someone|we|the|my|your|these|those)|"
    r"(?:how|why|when|where|what|which|who) (?:do|does|did|is|are|can|could|will|would"
    r"|should|to|much|many|long|come|has|have))\b")


# --------------------------------------------------------------------------------------


def _language_key(language: str | None) -> str:
    if not language:
        return "both"
    code = language.split("-")[0].split("_")[0].lower()
    return code if code in ("fr", "en") else "both"


def _question_marks(folded: str) -> tuple[bool, bool]:
    """(a genuine question mark, a rhetorical one) in ``folded``."""
    genuine = rhetorical = False
    for clause in _CLAUSES.split(folded):
        if "?" not in clause:
            continue
        body = clause.rstrip(" .!?\n")
        ending = clause[len(body):]
        words = " ".join(_NON_LETTERS.sub(" ", body).split())
        if (_RHETORICAL.fullmatch(words)
                or ("!" in ending and words and not _INTERROGATIVE.search(words))):
            rhetorical = True
        else:
            genuine = True
    return genuine, rhetorical


def classify(text: str, language: str | None = None,
             sentiment: str | None = None) -> tuple[str, list[str]]:
    """The primary intent of ``text`` and the sorted list of all intents detected.

    ``language`` (``fr``, ``en``, anything else or ``None`` for both rule sets) and
    ``sentiment`` (``positive``, ``neutral``, ``negative`` or ``None``) are optional hints.
    Returns e.g. ``("complaint", ["complaint", "question"])``, or ``("other", ["other"])``.
    """
    return _classify(text, language, sentiment, mentioned=False)


def _classify(text: str, language: str | None, sentiment: str | None,
              *, mentioned: bool) -> tuple[str, list[str]]:
    folded = fold(text)
    raw: dict[str, float] = {}
    for group in _SCANNERS[_language_key(language)].groups(folded):
        raw[group] = raw.get(group, 0.0) + WEIGHTS[group]
    cue = {group: min(score, CAPS.get(group, 1.0)) for group, score in raw.items()}.get
    emoji = _emoji_kinds(folded)
    contrast = "contrast" in raw
    formula = "c_formula" in raw

    complaint = (cue("c_formula", 0.0) + cue("c_strong", 0.0) + cue("neg_praise", 0.0)
                 + cue("c_mild", 0.0)
                 + (0.75 if "angry" in emoji else 0.5 if "sad" in emoji else 0.0))

    asked = cue("p_ask", 0.0)  # « combien coûte... », « where can I buy... »
    question = cue("q_any", 0.0) + asked
    genuine_mark = rhetorical_mark = False
    if "?" in folded:
        genuine_mark, rhetorical_mark = _question_marks(folded)
    if genuine_mark:
        question += 1.0
    if rhetorical_mark:
        complaint += 0.5
    if question < _THRESHOLD and "?" not in folded and _Q_START.search(folded):
        question += 1.0

    purchase = cue("p_strong", 0.0) + cue("p_weak", 0.0) + asked
    if purchase and genuine_mark:
        purchase += 0.5

    love = 1.0 if "love" in emoji else 0.0
    prone = cue("pr_prone", 0.0) + love  # praise people also use ironically
    thanks = cue("pr_thanks", 0.0)  # a bare « merci »: praise, or politeness
    steady = cue("pr_strong", 0.0) + cue("pos_neg", 0.0)  # never ironic
    weak = cue("pr_weak", 0.0) + cue("ok_neg", 0.0) + (0.5 if "happy" in emoji else 0.0)

    if sentiment == "negative":
        complaint += 0.5
    elif sentiment == "positive":
        weak += 0.5
    if complaint > 0 and ("ctx" in raw or mentioned or "@" in folded):
        complaint += 0.5  # about the brand: a service or product word, or an @mention
    if (sentiment == "negative" and (prone or thanks) and not contrast
            and complaint < _THRESHOLD):
        complaint += 0.5  # an ironic praise word in a negative post: « Bravo. Vraiment. »

    if complaint >= _THRESHOLD and (formula or not contrast):
        praise = steady  # sarcasm, or thanks that only close a complaint
    elif question >= _THRESHOLD or purchase >= _THRESHOLD:
        # « Vous livrez en Belgique ? Merci ! »: a bare thank-you closing a request.
        praise = steady + prone + (weak if weak >= _THRESHOLD else 0.0)
    else:
        praise = steady + prone + thanks + weak

    found = [intent for intent, score in ((COMPLAINT, complaint), (QUESTION, question),
                                          (PURCHASE, purchase), (PRAISE, praise))
             if score >= _THRESHOLD]
    if not found:
        return OTHER, [OTHER]
    return found[0], sorted(found)


class IntentClassifier:
    """Sets ``intent`` (the primary intent) and ``intents`` (all of them) on each doc."""

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title", "mentions", "language", "sentiment")
    writes: tuple[str, ...] = ("intent", "intents")

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Classify ``docs`` batch by batch; a doc that fails is reported and left unchanged."""
        for batch in batched(docs, batch_size):
            for doc in batch:
                try:
                    self._process(doc)
                except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                    on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            yield from batch

    def _process(self, doc: Doc) -> None:
        if not isinstance(doc.text, str):
            raise TypeError(f"text is {type(doc.text).__name__}, not str")
        text = f"{doc.title}.\n{doc.text}" if doc.title else doc.text
        language: Any = doc.values.get("language")
        sentiment: Any = doc.values.get("sentiment")
        intent, intents = _classify(
            text, language if isinstance(language, str) else None,
            sentiment if isinstance(sentiment, str) else None, mentioned=bool(doc.mentions))
        doc.set("intent", intent, self.name)
        doc.set("intents", intents, self.name)

    def classify(self, text: str, language: str | None = None,
                 sentiment: str | None = None) -> tuple[str, list[str]]:
        """Same as the module's :func:`classify`."""
        return classify(text, language, sentiment)

    def to_disk(self, path: Path) -> None:
        """Nothing to save: the component has no learnt state."""

    def from_disk(self, path: Path) -> IntentClassifier:
        """Nothing to load."""
        return self
