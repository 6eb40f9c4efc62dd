"""Boolean brand queries, as brand teams write them in listening tools.

>>> q = parse_query('("Maison Lumière" OR @MaisonLumiere) AND NOT (emploi OR recrutement)')
>>> q.match_texts(["J'adore maison lumiere !", "Maison Lumière recrute : offre d'emploi"])
[True, False]

:func:`parse_query` compiles the query once into one predicate per node. Matching is defined
on folded text (:func:`fold`, :func:`tokenize`), but folding costs more than searching, so
most posts are never folded: a text whose characters all fold one-to-one (nearly every post;
see :class:`FoldTable`) is searched raw, with each letter of a pattern widened to the class of
characters that fold to it (``e`` -> ``[eEéÉèÈ...]``). Other texts (``cœur``, ``ß``, decomposed
accents, mathematical letters...) are folded and searched exactly. A test checks that both
paths agree. The language is described in ``docs/query-language.md``; errors are E401-E406.
"""

from __future__ import annotations

import functools
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from confiance.domain import Post
from confiance.enrich.query_parser import (
    EMOJI,
    SEPARATOR,
    TOKEN_RE,
    And,
    Field,
    Hashtag,
    Mention,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Rating,
    Term,
    Title,
    Wildcard,
    WordNode,
    fold,
    parse,
    tokenize,
)

__all__ = ["Query", "fold", "parse_query", "tokenize"]

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt, "<=": operator.le, "=": operator.eq, ">=": operator.ge, ">": operator.gt}
_WORD_ONLY = re.compile(r"\w+")
_TRIE_FROM = 4  # an OR of this many single words or more is searched with one regex
_TRIE_WORD_MAX = 100  # longer words are searched alone (the prefix tree recurses per letter)


# --- searching raw text as if it were folded ------------------------------------------------------


def _kind(char: str) -> str:
    """``w`` for a word character (``\\w``), ``e`` for an emoji, ``o`` for anything else."""
    return "w" if char.isalnum() or char == "_" else "e" if _EMOJI_CHAR.match(char) else "o"


_EMOJI_CHAR = re.compile(f"[{EMOJI}]")
# Blocks where every character folds to itself; skipping them keeps fold_table() fast.
_IDENTITY_BLOCKS = ((0x3400, 0x4DC0), (0x4E00, 0xA000), (0xAC00, 0xD7A4), (0xD800, 0xE000),
                    (0x20000, 0x2F800))
_HANGUL_JAMO = ((0x1100, 0x1200), (0x3130, 0x3190), (0xA960, 0xA980), (0xD7B0, 0xD800))
_CLASSED_BELOW = 0x2000  # letters folded above this (math, full-width...) take the slow path


def _charset(chars: Iterable[str]) -> str:
    """The inside of a regex character class for ``chars``, runs written as ranges."""
    points = sorted({ord(c) for c in chars})
    parts: list[str] = []
    start = prev = -2
    for point in [*points, -1]:
        if point == prev + 1:
            prev = point
            continue
        if start >= 0:
            parts.append(re.escape(chr(start)) + ("" if prev == start else
                                                  "-" + re.escape(chr(prev))))
        start = prev = point
    return "".join(parts)


@dataclass(frozen=True)
class FoldTable:
    """What :func:`fold` does to each character, to search raw text as if it were folded.

    A raw text is *safe* when :attr:`unsafe` finds nothing in it: then every character folds
    to one character of the same kind (or to punctuation only), and a pattern over
    folded text becomes a pattern over the raw text by replacing each literal character with
    :meth:`char`, the class of raw characters that fold to it.
    """

    classes: dict[str, str]
    ends: dict[str, str]
    unsafe: re.Pattern[str]
    rare_marks: dict[str, re.Pattern[str]]

    def char(self, folded: str) -> str:
        """A regex for the raw characters that fold to ``folded`` (one character)."""
        return self.classes.get(folded) or re.escape(folded)

    def ending(self, chars: str) -> str:
        """The inside of a class of raw characters whose fold ends with one of ``chars``."""
        return "".join(self.ends.get(c, re.escape(c)) for c in chars)

    def written(self, mark: str) -> Callable[[str], bool]:
        """Whether a raw text has a character whose fold holds ``mark`` (``#`` or ``@``)."""
        rare = self.rare_marks[mark].search
        return lambda text: mark in text or (not text.isascii() and rare(text) is not None)


def _folds_apart(char: str, folded: str) -> bool:
    """Whether raw ``char`` breaks the raw-text shortcut: it vanishes, turns into word or
    emoji characters of another kind or several of them, or is a rare form of a letter."""
    if not folded:
        return True
    if len(folded) > 1:
        return any(_kind(c) != "o" for c in folded)
    return _kind(folded) != _kind(char) or (_kind(char) != "o" and ord(char) >= _CLASSED_BELOW)


@functools.cache
def fold_table() -> FoldTable:
    """The :class:`FoldTable` of this Python's Unicode data (built once, about 0.2 s)."""
    classes: dict[str, list[str]] = {}
    ends: dict[str, list[str]] = {c: [c] for c in "#@&."}
    marks: dict[str, list[str]] = {"#": [], "@": []}
    unsafe: set[int] = set()
    for point in range(0x20, 0x30000):
        if any(low <= point < high for low, high in _IDENTITY_BLOCKS):
            continue
        char = chr(point)
        decomposition = unicodedata.decomposition(char)
        if decomposition and not decomposition.startswith("<"):  # NFC may compose these
            unsafe.update(int(h, 16) for h in decomposition.split()[1:] if fold(chr(int(h, 16))))
        folded = fold(char)
        if folded == char:
            continue
        for mark, holders in marks.items():
            if mark in folded:
                holders.append(char)
        if _folds_apart(char, folded):
            unsafe.add(point)
            continue
        if len(folded) == 1:
            classes.setdefault(folded, [folded]).append(char)
        if folded[-1] in ends:
            ends[folded[-1]].append(char)
    for low, high in _HANGUL_JAMO:  # NFC composes runs of these into syllables
        unsafe.update(range(low, high))
    safe = _charset(chr(p) for p in range(0x20, 0x30000) if p not in unsafe
                    and not 0xD800 <= p < 0xE000)
    pattern = f"[^\\x00-\\x1f{safe}\\U00030000-\\U0010ffff]"
    return FoldTable({k: f"[{_charset(v)}]" for k, v in classes.items()},
                     {k: _charset(v) for k, v in ends.items()}, re.compile(pattern),
                     {k: re.compile(f"[{_charset(v)}]") for k, v in marks.items()})


# --- one post as predicates see it ----------------------------------------------------------------


class _Target:
    """One post (or bare text) as predicates read it: the raw text and title, and what is
    derived from them (safety, folded forms, tokens), each computed on first use. (No
    ``__slots__``: class-level defaults make creating one per post cheaper.)"""

    _safe: bool | None = None
    _folded: tuple[str, str] | None = None
    _tokens: tuple[list[str], list[str]] | None = None
    _joined: tuple[str, str] | None = None

    def __init__(self, text: str | None, title: str | None, post: Post | None) -> None:
        self.text = text or ""
        self.title = title or ""
        self.post = post

    def safe(self) -> bool:
        """Whether patterns over raw text give the same answers as over folded text."""
        if self._safe is None:
            unsafe = fold_table().unsafe.search
            text, title = self.text, self.title
            self._safe = (text.isascii() or unsafe(text) is None) and (
                title.isascii() or unsafe(title) is None)
        return self._safe

    def folded(self) -> tuple[str, str]:
        """The folded text and title."""
        if self._folded is None:
            self._folded = (fold(self.text), fold(self.title))
        return self._folded

    def tokens(self) -> tuple[list[str], list[str]]:
        """The tokens of the text and of the title."""
        if self._tokens is None:
            text, title = self.folded()
            self._tokens = (TOKEN_RE.findall(text), TOKEN_RE.findall(title))
        return self._tokens

    def joined(self) -> tuple[str, str]:
        """The tokens of the text and of the title, space-separated and padded."""
        if self._joined is None:
            text, title = self.tokens()
            self._joined = (f" {' '.join(text)} ", f" {' '.join(title)} ")
        return self._joined


@functools.lru_cache(maxsize=1 << 16)
def _tag_key(tag: str) -> str:
    """A hashtag of a post's field as queries compare it (hashtags repeat: cached)."""
    return fold(tag).lstrip("#")


@functools.lru_cache(maxsize=1 << 16)
def _handle_key(handle: str) -> str:
    """A handle as queries compare it: folded, without ``@``."""
    return fold(handle).lstrip("@")


def _local_key(handle: str) -> str:
    """The user part of a ``user@domain`` handle (the whole handle without a domain)."""
    return _handle_key(handle).split("@", 1)[0]


_Pred = Callable[[_Target], bool]
_Search = Callable[[str], "re.Match[str] | None"]


# --- compiling the tree to predicates -------------------------------------------------------------


def _compile(node: Node) -> tuple[_Pred, int]:
    """A predicate for ``node`` and its cost rank (cheap checks run first in AND and OR)."""
    if isinstance(node, Or):
        return _or(node)
    if isinstance(node, And):
        parts = sorted((_compile(child) for child in node.children), key=lambda p: p[1])
        return _all([pred for pred, _ in parts]), parts[-1][1]
    if isinstance(node, Not):
        pred, cost = _compile(node.child)
        return (lambda t: not pred(t)), cost
    if isinstance(node, Term | Phrase | Wildcard):
        return _words(node, title_only=False), 2
    if isinstance(node, Title):
        return _words(node.inner, title_only=True), 2
    if isinstance(node, Near):
        return _near(node), 4
    if isinstance(node, Hashtag | Mention):
        return _tagged(node), 1
    return _field(node), 0


def _all(preds: list[_Pred]) -> _Pred:
    """All of ``preds``, left to right (a balanced tree of ``and``: no deep recursion)."""
    if len(preds) == 1:
        return preds[0]
    first, second = _all(preds[:len(preds) // 2]), _all(preds[len(preds) // 2:])
    return lambda t: first(t) and second(t)


def _any(preds: list[_Pred]) -> _Pred:
    """Any of ``preds``, left to right (a balanced tree of ``or``)."""
    if len(preds) == 1:
        return preds[0]
    first, second = _any(preds[:len(preds) // 2]), _any(preds[len(preds) // 2:])
    return lambda t: first(t) or second(t)


def _or(node: Or) -> tuple[_Pred, int]:
    """OR; its single words (four or more) are searched with one regex, a prefix tree."""
    words = sorted({c.word for c in node.children if isinstance(c, Term)
                    and _WORD_ONLY.fullmatch(c.word) and len(c.word) <= _TRIE_WORD_MAX})
    if len(words) < _TRIE_FROM:
        words = []
    parts = [_compile(c) for c in node.children
             if not (isinstance(c, Term) and c.word in words)]
    if words:
        table = fold_table()
        folded, raw = (rf"(?<!\w){_trie(words, lit)}(?!\w)" for lit in (re.escape, table.char))
        parts.append((_in_text(re.compile(folded).search, re.compile(raw).search,
                               title_only=False), 2))
    parts.sort(key=lambda p: p[1])
    return _any([pred for pred, _ in parts]), parts[-1][1]


def _trie(words: list[str], lit: Callable[[str], str]) -> str:
    """A regex for any of ``words`` (sorted, distinct), sharing their prefixes."""
    branches: dict[str, list[str]] = {}
    for word in words:
        if word:
            branches.setdefault(word[0], []).append(word[1:])
    alternatives = [lit(char) + _trie(rest, lit) for char, rest in branches.items()]
    if not alternatives:
        return ""
    body = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
    return f"(?:{body})?" if "" in words else body


def _start(first: str, before: str) -> str:
    """``first`` not preceded by a character of class ``before``; a class or literal goes
    first so that the regex engine can skip quickly to the places where it occurs."""
    if first.startswith("\\w"):
        return f"(?<![{before}]){first}"
    return f"{first}(?<![{before}].)"


def _pattern(node: WordNode | Hashtag | Mention, lit: Callable[[str], str],
             ending: Callable[[str], str]) -> str | None:
    """The regex of ``node`` over folded text (``lit`` = ``re.escape``) or over safe raw text
    (``lit`` = :meth:`FoldTable.char`); ``None`` for words with emoji, matched by tokens."""
    if isinstance(node, Hashtag):
        tag = "".join(map(lit, node.tag))
        return _start(lit("#"), "\\w" + ending("#@&")) + tag + "(?!\\w)"
    if isinstance(node, Mention):
        handle = "".join(map(lit, node.handle))
        return _start(lit("@"), "\\w" + ending("@.")) + handle + f"(?!\\w|{lit('.')}\\w)"
    if isinstance(node, Wildcard):
        parts = ["\\w*" if c == "*" else "\\w" if c == "?" else lit(c) for c in node.pattern]
    else:
        words = (node.word,) if isinstance(node, Term) else node.words
        if not all(_WORD_ONLY.fullmatch(word) for word in words):
            return None
        parts = [*map(lit, words[0])]
        for word in words[1:]:
            parts.extend([SEPARATOR, *map(lit, word)])
    return _start(parts[0], "\\w") + "".join(parts[1:]) + "(?!\\w)"


def _searches(node: WordNode | Hashtag | Mention) -> tuple[_Search, _Search] | None:
    """Compiled searches of ``node`` over folded text and over safe raw text."""
    folded = _pattern(node, re.escape, re.escape)
    if folded is None:
        return None
    table = fold_table()
    raw = _pattern(node, table.char, table.ending)
    assert raw is not None
    return re.compile(folded, re.DOTALL).search, re.compile(raw, re.DOTALL).search


def _words(node: WordNode, *, title_only: bool) -> _Pred:
    """A word, phrase or wildcard in the text or title (or in the title only)."""
    searches = _searches(node)
    if searches is None:
        return _emoji_words(node, title_only=title_only)
    return _in_text(*searches, title_only=title_only)


def _in_text(folded_search: _Search, raw_search: _Search, *, title_only: bool) -> _Pred:
    """A search in the text or title (or the title only): raw when safe, else folded."""
    if title_only:
        return lambda t: bool(t.title) and (
            raw_search(t.title) if t.safe() else folded_search(t.folded()[1])) is not None

    def anywhere(t: _Target) -> bool:
        if t.safe():
            return raw_search(t.text) is not None or (
                bool(t.title) and raw_search(t.title) is not None)
        text, title = t.folded()
        return folded_search(text) is not None or (
            bool(title) and folded_search(title) is not None)
    return anywhere


def _emoji_words(node: WordNode, *, title_only: bool) -> _Pred:
    """A word or phrase with emoji: found among the tokens, after a raw-text pre-check."""
    words: tuple[str, ...] = (node.word,) if isinstance(node, Term) else \
        node.words if isinstance(node, Phrase) else (node.pattern,)
    needle = f" {' '.join(words)} "
    longest = sorted(words, key=len)[-1]
    pre = re.compile("".join(fold_table().char(c) for c in longest)).search

    def match(t: _Target) -> bool:
        if t.safe() and pre(t.title) is None and (title_only or pre(t.text) is None):
            return False
        text, title = t.joined()
        return needle in title or (not title_only and needle in text)
    return match


def _tagged(node: Hashtag | Mention) -> _Pred:
    """A hashtag or mention: in the post's field, or written in its text or title."""
    searches = _searches(node)
    assert searches is not None
    folded_search, raw_search = searches
    listed = _listed(node)
    written = fold_table().written("#" if isinstance(node, Hashtag) else "@")

    def match(t: _Target) -> bool:
        if t.post is not None and listed(t.post):
            return True
        if not written(t.text) and not written(t.title):
            return False
        if t.safe():
            return raw_search(t.text) is not None or raw_search(t.title) is not None
        text, title = t.folded()
        return folded_search(text) is not None or folded_search(title) is not None
    return match


def _listed(node: Hashtag | Mention) -> Callable[[Post], bool]:
    """Whether a post's ``hashtags`` (or ``mentions``) field has the node's value."""
    if isinstance(node, Hashtag):
        tag = node.tag
        return lambda post: bool(post.hashtags) and tag in map(_tag_key, post.hashtags)
    handle = node.handle
    key = _handle_key if "@" in handle else _local_key
    return lambda post: bool(post.mentions) and handle in map(key, post.mentions)


def _field(node: Node) -> _Pred:
    """``lang:``, ``platform:``, ``kind:``, ``author:`` and ``rating:`` filters."""
    if isinstance(node, Rating):
        compare, number = _COMPARE[node.op], node.value
        return lambda t: t.post is not None and t.post.rating is not None \
            and compare(t.post.rating, number)
    assert isinstance(node, Field)
    value, name = node.value, node.name
    if name == "lang":
        def lang(t: _Target) -> bool:
            code = t.post.language if t.post is not None else None
            code = code.lower().replace("_", "-") if code else ""
            return code == value or code.startswith(f"{value}-")
        return lang
    if name == "author":
        def author(t: _Target) -> bool:
            who = t.post.author if t.post is not None else None
            if who is None or not who.handle:
                return False
            return (_handle_key if "@" in value else _local_key)(who.handle) == value
        return author
    return lambda t: t.post is not None and getattr(t.post, name).value == value


def _spans(node: WordNode) -> Callable[[list[str]], list[tuple[int, int]]]:
    """Where ``node`` occurs in a list of tokens, as (start, end) index pairs."""
    if isinstance(node, Wildcard):
        full = re.compile("".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c)
                                  for c in node.pattern)).fullmatch
        return lambda words: [(i, i + 1) for i, w in enumerate(words) if full(w)]
    seq = [node.word] if isinstance(node, Term) else list(node.words)
    size = len(seq)
    return lambda words: [(i, i + size) for i, w in enumerate(words)
                          if w == seq[0] and words[i:i + size] == seq]


def _near(node: Near) -> _Pred:
    """Both sides occur with at most ``distance`` tokens between them, in the text or title."""
    left_any = _any([_words(n, title_only=False) for n in node.left])
    right_any = _any([_words(n, title_only=False) for n in node.right])
    left, right, gap = [_spans(n) for n in node.left], [_spans(n) for n in node.right], \
        node.distance

    def close(words: list[str]) -> bool:
        found_left = [s for spans in left for s in spans(words)]
        found_right = [s for spans in right for s in spans(words)] if found_left else []
        for ls, le in found_left:
            for rs, re_ in found_right:
                between = rs - le if le <= rs else ls - re_ if re_ <= ls else -1
                if 0 <= between <= gap:
                    return True
        return False

    return lambda t: left_any(t) and right_any(t) and any(map(close, t.tokens()))

# --- the public API -------------------------------------------------------------------------------


def _positive(node: Node, negated: bool, out: dict[str, None]) -> None:
    """Collect the written form of every word-like leaf outside a NOT, in order."""
    if isinstance(node, Not):
        _positive(node.child, not negated, out)
    elif isinstance(node, And | Or):
        for child in node.children:
            _positive(child, negated, out)
    elif negated:
        return
    elif isinstance(node, Near):
        for item in (*node.left, *node.right):
            _positive(item, negated, out)
    elif isinstance(node, Title):
        _positive(node.inner, negated, out)
    elif isinstance(node, Term | Phrase | Wildcard | Hashtag | Mention):
        out[str(node).strip('"')] = None


@dataclass(frozen=True)
class Query:
    """A parsed brand query. Two queries are equal when their trees are equal.

    ``str(query)`` is the normalised form: upper-case operators, explicit AND, only the
    parentheses needed (plus those around an AND inside an OR), words as written.
    """

    root: Node
    source: str = field(default="", compare=False, repr=False)
    _match: _Pred = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_match", _compile(self.root)[0])

    def __str__(self) -> str:
        return str(self.root)

    def matches(self, post: Post) -> bool:
        """Whether ``post`` (its text, title, hashtags, mentions and fields) matches."""
        return self._match(_Target(post.text, post.title, post))

    def match_many(self, posts: Iterable[Post]) -> list[bool]:
        """:meth:`matches` for each post, in order; the fast path for batches."""
        match = self._match
        return [match(_Target(p.text, p.title, p)) for p in posts]

    def match_texts(self, texts: Iterable[str | None]) -> list[bool]:
        """Match bare texts, as posts with only a text: field filters never match them,
        ``#tag`` and ``@handle`` are looked for in the text."""
        match = self._match
        return [match(_Target(text, None, None)) for text in texts]

    def terms(self) -> list[str]:
        """The words, phrases, wildcards, hashtags and mentions a match can contain (none
        from under a NOT), as written and without quotes, each once: for highlighting."""
        found: dict[str, None] = {}
        _positive(self.root, False, found)
        return list(found)


def parse_query(text: str) -> Query:
    """Parse and compile a brand query.

    Raises :class:`~confiance.core.errors.ConfianceError` E401-E406 with ``details``
    ``position`` (0-based), ``line``, ``column`` (1-based), ``length`` and ``reason``.
    """
    return Query(parse(text), text)
