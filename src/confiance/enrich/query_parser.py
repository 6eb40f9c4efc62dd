"""The brand query language: text folding, tokens, syntax tree and parser.

:func:`fold` and :func:`tokenize` define what a *word* is, for queries and posts alike, so a
query and the text it searches are always cut the same way. :func:`parse` turns query text
into a tree of frozen nodes that compare structurally and print back (``str``) in a
normalised form that parses to an equal tree. Matching lives in :mod:`confiance.enrich.query`.
See ``docs/query-language.md`` for the language itself.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal, NoReturn, TypeAlias, cast

from confiance.core.errors import ConfianceError
from confiance.domain import Platform, PostKind

# Accents and other combining marks, removed by fold().
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
EMOJI = "\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\u3030\u303d\U0001f000-\U0001faff"
TOKEN_RE = re.compile(f"[\U0001f1e6-\U0001f1ff]{{2}}|\\w+|[{EMOJI}]")
"""One token of folded text: a flag, a run of letters, digits and ``_``, or one emoji."""
SEPARATOR = f"[^\\w{EMOJI}]+"
"""What may stand between two consecutive tokens of a phrase."""

HASHTAG_BODY = re.compile(r"\w+")
MENTION_BODY = re.compile(r"\w+(?:\.\w+)*(?:@\w+(?:\.\w+)+)?")
_WILDCARD = re.compile(r"[\w*?]+")
_FIELD = re.compile(r"([^\W\d_]+):(.*)", re.DOTALL)
_NEAR = re.compile(r"NEAR(?:/.*)?", re.DOTALL)
_NEAR_N = re.compile(r"NEAR/([0-9]{1,4})")
_LANG = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_RATING = re.compile(r"(<=|>=|<|>|=)?([0-9]{1,2}(?:[.,][0-9]+)?)")
_WORD = re.compile(r"[^\s()\"“«]+")
_QUOTES = {'"': '"”', "“": "”\"", "«": "»"}  # opening quote: the quotes that close it
FIELDS = ("lang", "platform", "kind", "author", "title", "rating")
MAX_DEPTH = 50
NEAR_MAX = 1000


def fold(text: str) -> str:
    """``text`` lower-cased (Unicode case folding) without accents: ``Lumière`` -> ``lumiere``.

    Compatibility forms are unified too (``ﬁ`` -> ``fi``, full-width letters), ``œ``/``æ``
    become ``oe``/``ae``. Emoji are kept as they are (skin tones included).
    """
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text).casefold()
    text = unicodedata.normalize("NFC", _MARKS.sub("", text))
    if "œ" in text or "æ" in text:
        text = text.replace("œ", "oe").replace("æ", "ae")
    return text


def tokenize(text: str) -> list[str]:
    """The folded tokens of ``text``: words, numbers and emoji, in order.

    Apostrophes, hyphens and other punctuation separate words (``l'odeur`` -> ``l``,
    ``odeur``); ``#`` and ``@`` are dropped (``#Bougie`` -> ``bougie``); each emoji is a
    token of its own, a flag is one token.
    """
    return TOKEN_RE.findall(fold(text))


# --- the syntax tree ------------------------------------------------------------------------------

FieldName: TypeAlias = Literal["lang", "platform", "kind", "author"]
RatingOp: TypeAlias = Literal["<", "<=", "=", ">=", ">"]


@dataclass(frozen=True, slots=True)
class Term:
    """One word (``bougie``), compared folded; ``source`` is how it was written."""

    word: str
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.source or self.word


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words (``"Maison Lumière"``, or a bare ``porte-clés``)."""

    words: tuple[str, ...]
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.source or '"' + " ".join(self.words) + '"'


@dataclass(frozen=True, slots=True)
class Wildcard:
    """A word pattern: ``*`` any letters (or none), ``?`` exactly one letter."""

    pattern: str
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.source or self.pattern


@dataclass(frozen=True, slots=True)
class Hashtag:
    """``#tag``: a hashtag of the post (its ``hashtags`` field or ``#tag`` in its text)."""

    tag: str
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.source or f"#{self.tag}"


@dataclass(frozen=True, slots=True)
class Mention:
    """``@handle``: a mention of the post (its ``mentions`` field or ``@handle`` in text)."""

    handle: str
    source: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.source or f"@{self.handle}"


@dataclass(frozen=True, slots=True)
class Field:
    """``lang:fr``, ``platform:instagram``, ``kind:review`` or ``author:handle``."""

    name: FieldName
    value: str

    def __str__(self) -> str:
        return f"{self.name}:{self.value}"


WordNode: TypeAlias = Term | Phrase | Wildcard


@dataclass(frozen=True, slots=True)
class Title:
    """``title:word``, ``title:"phrase"`` or ``title:wild*``: searched in the title only."""

    inner: WordNode

    def __str__(self) -> str:
        return f"title:{self.inner}"


@dataclass(frozen=True, slots=True)
class Rating:
    """``rating:>=4``: the post's rating compared with a number (posts without one fail)."""

    op: RatingOp
    value: float

    def __str__(self) -> str:
        return f"rating:{'' if self.op == '=' else self.op}{self.value:g}"


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/n right``: at most ``n`` words between them, in either order."""

    left: tuple[WordNode, ...]
    right: tuple[WordNode, ...]
    distance: int

    def __str__(self) -> str:
        return f"{_side(self.left)} NEAR/{self.distance} {_side(self.right)}"


@dataclass(frozen=True, slots=True)
class Not:
    """``NOT child``."""

    child: Node

    def __str__(self) -> str:
        inner = str(self.child)
        return f"NOT ({inner})" if isinstance(self.child, And | Or) else f"NOT {inner}"


@dataclass(frozen=True, slots=True)
class And:
    """All children match (``a AND b``, or ``a b``)."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(f"({c})" if isinstance(c, Or) else str(c) for c in self.children)


@dataclass(frozen=True, slots=True)
class Or:
    """At least one child matches."""

    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(f"({c})" if isinstance(c, And) else str(c) for c in self.children)


Node: TypeAlias = Term | Phrase | Wildcard | Hashtag | Mention | Field | Title | Rating | Near \
    | Not | And | Or


def _side(items: tuple[WordNode, ...]) -> str:
    return str(items[0]) if len(items) == 1 else "(" + " OR ".join(map(str, items)) + ")"


def _join(kind: type[And] | type[Or], items: list[Node]) -> Node:
    """``items`` joined by AND or OR, nested groups of the same kind flattened."""
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, kind) else (item,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


# --- errors ---------------------------------------------------------------------------------------


def query_error(code: str, query: str, position: int, reason: str,
                length: int = 1) -> ConfianceError:
    """A :class:`ConfianceError` pointing at ``position`` (0-based) of ``query``.

    Its details hold ``position`` (0-based offset), ``line`` and ``column`` (1-based),
    ``length`` (characters to underline), ``reason`` and ``query``; its message ends with
    the query line and a caret under the mistake.
    """
    start = query.rfind("\n", 0, position) + 1
    end = query.find("\n", position)
    text = query[start:] if end < 0 else query[start:end]
    line = query.count("\n", 0, position) + 1
    column = position - start + 1
    where = f"column {column}" if "\n" not in query else f"line {line}, column {column}"
    carets = "^" * max(1, min(length, len(text) - column + 1))
    excerpt = f"  {text.replace(chr(9), ' ')}\n  {' ' * (column - 1)}{carets}"
    return ConfianceError(code, where=where, reason=reason, excerpt=excerpt, query=query,
                          position=position, line=line, column=column, length=length)


# --- lexer ----------------------------------------------------------------------------------------

TokKind = Literal["(", ")", "AND", "OR", "NOT", "NEAR", "WORD", "PHRASE"]
OPERATORS = ("AND", "OR", "NOT", "NEAR")
_BOOLEAN: dict[str, TokKind] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}


@dataclass(frozen=True, slots=True)
class Tok:
    """A lexical token: ``text`` is the word, the operator or a phrase's inner text."""

    kind: TokKind
    text: str
    pos: int
    end: int


def lex(query: str) -> list[Tok]:
    """Cut ``query`` into parentheses, quoted phrases, operators and bare words."""
    tokens: list[Tok] = []
    i, size = 0, len(query)
    while i < size:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            tokens.append(Tok("(" if char == "(" else ")", char, i, i + 1))
            i += 1
        elif char in _QUOTES:
            close = min((j for j in (query.find(c, i + 1) for c in _QUOTES[char]) if j >= 0),
                        default=-1)
            if close < 0:
                raise query_error("E401", query, i, "this quote is never closed: add the "
                                  "closing quote", size - i)
            tokens.append(Tok("PHRASE", query[i + 1:close], i, close + 1))
            i = close + 1
        else:
            match = _WORD.match(query, i)
            end = match.end() if match else i + 1  # any other character starts a word
            word = query[i:end]
            kind = "NEAR" if _NEAR.fullmatch(word) else _BOOLEAN.get(word, "WORD")
            tokens.append(Tok(kind, word, i, end))
            i = end
    return tokens


# --- parser ---------------------------------------------------------------------------------------


def parse(query: str) -> Node:
    """The syntax tree of ``query``; raises :class:`ConfianceError` (E401-E406) on a mistake."""
    tokens = lex(query)
    if not tokens:
        raise query_error("E402", query, 0, "the query is empty")
    return _Parser(query, tokens).parse()


class _Parser:
    """Recursive descent: OR < AND (explicit or implicit) < NOT < NEAR < primary."""

    def __init__(self, query: str, tokens: list[Tok]) -> None:
        self.query = query
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def parse(self) -> Node:
        node = self.parse_or()
        tok = self.peek()
        if tok is not None:  # only a ")" stops parse_or before the end
            self.fail("E401", tok.pos, "this ) closes no (: remove it or add the (")
        return node

    def peek(self) -> Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def fail(self, code: str, pos: int, reason: str, length: int = 1) -> NoReturn:
        raise query_error(code, self.query, pos, reason, length)

    def enter(self, tok: Tok) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail("E401", tok.pos, f"more than {MAX_DEPTH} nested parentheses or NOT")

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            items.append(self.parse_and())
        return _join(Or, items)

    def parse_and(self) -> Node:
        items = [self.parse_unary()]
        while (tok := self.peek()) is not None and tok.kind not in (")", "OR"):
            if tok.kind == "AND":
                self.take()
            items.append(self.parse_unary())
        return _join(And, items)

    def parse_unary(self) -> Node:
        tok = self.peek()
        if tok is None or tok.kind != "NOT":
            return self.parse_near()
        self.take()
        self.enter(tok)
        child = self.parse_unary()
        self.depth -= 1
        return Not(child)

    def parse_near(self) -> Node:
        start = self.peek()
        left = self.parse_primary()
        op = self.peek()
        if op is None or op.kind != "NEAR":
            return left
        self.take()
        distance = self.near_distance(op)
        right_tok = self.peek()
        right = self.parse_primary()
        assert start is not None and right_tok is not None  # parse_primary took both
        nxt = self.peek()
        if nxt is not None and nxt.kind == "NEAR":
            self.fail("E405", nxt.pos, "NEAR joins exactly two terms: combine several NEAR "
                      "with AND", len(nxt.text))
        return Near(self.near_side(left, start), self.near_side(right, right_tok), distance)

    def near_distance(self, op: Tok) -> int:
        match = _NEAR_N.fullmatch(op.text)
        if match is None or int(match.group(1)) > NEAR_MAX:
            self.fail("E405", op.pos, f"write NEAR/n with a number of words n from 0 to "
                      f"{NEAR_MAX}, like NEAR/5", len(op.text))
        return int(match.group(1))

    def near_side(self, node: Node, tok: Tok) -> tuple[WordNode, ...]:
        if isinstance(node, Term | Phrase | Wildcard):
            return (node,)
        if isinstance(node, Or) and all(isinstance(c, Term | Phrase | Wildcard)
                                        for c in node.children):
            return tuple(c for c in node.children if isinstance(c, Term | Phrase | Wildcard))
        self.fail("E405", tok.pos, "NEAR joins words, phrases, wildcards or an (a OR b) group "
                  "of them, not fields, hashtags, mentions, AND or NOT")

    def parse_primary(self) -> Node:
        tok = self.peek()
        if tok is None or tok.kind in (")", *OPERATORS):
            self.expected_term(tok)
        self.take()
        if tok.kind == "(":
            self.enter(tok)
            node = self.parse_or()
            close = self.peek()
            if close is None or close.kind != ")":
                self.fail("E401", tok.pos, "this ( is never closed: add a )")
            self.take()
            self.depth -= 1
            return node
        if tok.kind == "PHRASE":
            return self.phrase(tok)
        return self.word(tok)

    def expected_term(self, tok: Tok | None) -> NoReturn:
        prev = self.tokens[self.i - 1] if self.i > 0 else None
        pos = len(self.query.rstrip()) if tok is None else tok.pos
        if prev is not None and prev.kind in OPERATORS:
            reason = f"expected a term after {prev.text}"
        elif tok is not None and tok.kind in OPERATORS:
            reason = f"expected a term before {tok.text}"
        elif tok is not None and prev is not None and prev.kind == "(":
            reason = "empty parentheses: put a term inside"
        elif tok is not None:
            reason = "this ) closes no (: remove it or add the ("
        else:
            reason = "expected a term after ("
        self.fail("E401", pos, reason)

    def phrase(self, tok: Tok) -> WordNode:
        words = tuple(tokenize(tok.text))
        if not words:
            self.fail("E406", tok.pos, "this phrase has no letters, digits or emoji to search "
                      "for", tok.end - tok.pos)
        inner = tok.text if not any(q in tok.text for q in '"“”«»') else " ".join(words)
        source = '"' + " ".join(inner.split()) + '"'
        return Term(words[0], source) if len(words) == 1 else Phrase(words, source)

    def word(self, tok: Tok) -> Node:
        text = tok.text
        field_match = _FIELD.fullmatch(text)
        if field_match is not None:
            return self.field(tok, field_match.group(1).lower(), field_match.group(2))
        if text[0] == "#":
            return self.tagged(tok, Hashtag, HASHTAG_BODY, "a hashtag is # followed by "
                               "letters or digits, like #MaisonLumiere")
        if text[0] == "@":
            return self.tagged(tok, Mention, MENTION_BODY, "a mention is @ followed by a "
                               "handle, like @MaisonLumiere")
        if text[0] == "-" and len(text) > 1:
            self.fail("E406", tok.pos, f"to exclude a word write NOT {text[1:]}, not {text}",
                      len(text))
        return self.word_node(tok, text)

    def word_node(self, tok: Tok, text: str) -> WordNode:
        if "*" in text or "?" in text:
            pattern = re.sub(r"\*+", "*", fold(text))
            if not _WILDCARD.fullmatch(pattern) or not pattern.strip("*?"):
                self.fail("E406", tok.pos, "a wildcard (* or ?) goes inside one word with "
                          "at least one letter, like bougie* or col?r", tok.end - tok.pos)
            return Wildcard(pattern, text)
        words = tuple(tokenize(text))
        if not words:
            self.fail("E406", tok.pos, f"{text} has no letters, digits or emoji to search for: "
                      "quote it or remove it", len(text))
        return Term(words[0], text) if len(words) == 1 else Phrase(words, text)

    def tagged(self, tok: Tok, kind: type[Hashtag] | type[Mention], body: re.Pattern[str],
               reason: str) -> Node:
        value = fold(tok.text[1:])
        if not body.fullmatch(value):
            self.fail("E406", tok.pos, reason, len(tok.text))
        return kind(value, tok.text)

    def field(self, tok: Tok, name: str, value: str) -> Node:
        if name not in FIELDS:
            self.fail("E403", tok.pos, f"unknown field {name}: (known fields: "
                      f"{', '.join(FIELDS)}); to search this text, put it in quotes",
                      len(name) + 1)
        nxt = self.peek()
        if name == "title" and not value and nxt is not None and nxt.kind == "PHRASE" \
                and nxt.pos == tok.end:
            inner = self.phrase(self.take())
            return Title(inner)
        if not value:
            self.fail("E404", tok.pos, f"expected a value right after {name}: (no space)",
                      len(name) + 1)
        at = tok.pos + len(name) + 1
        if name == "title":
            if value[0] in "#@-":
                self.fail("E404", at, "title: takes a word, a \"phrase\" or a wildcard",
                          len(value))
            return Title(self.word_node(Tok("WORD", value, at, tok.end), value))
        if name == "rating":
            return self.rating(value, at)
        return Field(cast(FieldName, name), self.field_value(name, value, at))

    def field_value(self, name: str, value: str, at: int) -> str:
        folded = fold(value)
        if name == "author":
            handle = "".join(folded.split()).lstrip("@")
            if not handle:
                self.fail("E404", at, "expected a handle after author:", len(value))
            return handle
        if name == "lang":
            code = folded.replace("_", "-")
            if not _LANG.fullmatch(code):
                self.fail("E404", at, "expected a language code such as fr, en or fr-CA "
                          "after lang:", len(value))
            return code
        known = [p.value for p in (Platform if name == "platform" else PostKind)]
        if folded not in known:
            self.fail("E404", at, f"unknown {name} {value} (known: {', '.join(known)})",
                      len(value))
        return folded

    def rating(self, value: str, at: int) -> Rating:
        match = _RATING.fullmatch(value)
        number = float(match.group(2).replace(",", ".")) if match else -1.0
        if match is None or number > 10:
            self.fail("E404", at, "expected a rating from 0 to 10 such as rating:5, "
                      "rating:<3 or rating:>=4", len(value))
        return Rating(cast(RatingOp, match.group(1) or "="), number)
