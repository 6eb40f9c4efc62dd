"""Free-text search over posts (the ``q`` filter): user input to a safe full-text match.

``q`` is "all these words", not the Boolean brand-query language (that is the ``query``
filter): words, ``"quoted phrases"`` and prefixes (``lumi*``) that must all occur in the
post's text or title, in any case, with or without accents.

User input never reaches the full-text engine as syntax. :func:`parse_search` keeps only
runs of letters and digits (everything else separates words, as the engines' tokenizers
do), and the expressions are rebuilt from those words alone, each one quoted: an FTS5 string
(``"bougie" AND "maison lumiere"``) on SQLite, a ``tsquery`` (``'bougie' & 'maison' <->
'lumiere'``) on PostgreSQL, both sent as bound parameters.

Engines: SQLite's FTS5 table ``posts_fts`` (``unicode61 remove_diacritics 2``) and, on
PostgreSQL, the GIN index ``ix_posts_search`` over :func:`~confiance.store.tables.search_vector`
(accents of the Latin alphabets folded by ``translate()``; no stemming on either side).

On SQLite, triggers note the posts whose words changed in ``posts_fts_pending``; the index
takes them in when an import batch ends (migration 0005 explains why) and, for any other
change, when a search runs: :func:`sync`, in the searching transaction.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, column, func, literal_column, select, table

from confiance.core.errors import ConfianceError
from confiance.store.tables import FOLD_FROM, FOLD_TO, FTS_TABLE, posts, search_vector

MAX_TERMS = 20
"""At most this many words (phrase words included) in one search."""
MAX_WORD = 100
"""Longer words are cut to this many characters (no real word is longer)."""
_QUOTES = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"'})
_PIECE = re.compile(r'"([^"]*)"?|([^"\s]+)')
_WORD = re.compile(r"[^\W_]+(\*?)")
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)
_FTS = table(FTS_TABLE, column("rowid"))


@dataclass(frozen=True)
class Term:
    """One thing to find: a word, or a phrase (words in a row); the last word may be a
    prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Search:
    """A parsed ``q``: every term must occur."""

    terms: tuple[Term, ...]

    def fts5(self) -> str:
        """The FTS5 match expression (each term a quoted string; ``*`` after a prefix)."""
        return " AND ".join(
            '"' + " ".join(term.words) + '"' + (" *" if term.prefix else "")
            for term in self.terms)

    def tsquery(self) -> str:
        """The PostgreSQL ``tsquery`` text (each word a quoted lexeme, accents folded the way
        ``ix_posts_search`` folds them; ``<->`` inside a phrase, ``:*`` after a prefix)."""
        parts = []
        for term in self.terms:
            lexemes = [_lexeme(word) for word in term.words]
            if term.prefix:
                lexemes[-1] += ":*"
            parts.append(" <-> ".join(lexemes) if len(lexemes) > 1 else lexemes[0])
        return " & ".join(f"({part})" if "<->" in part else part for part in parts)


def _lexeme(word: str) -> str:
    folded = word.translate(_FOLD).lower().replace("\\", "\\\\").replace("'", "''")
    return f"'{folded}'"


def parse_search(q: str) -> Search:
    """The terms of ``q``: quoted phrases, words, and prefixes (a word ending with ``*``).
    Raises E630 when nothing is left to search for, or when there are too many words."""
    text = unicodedata.normalize("NFC", q).translate(_QUOTES)
    terms: list[Term] = []
    count = 0
    for match in _PIECE.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        found = [(w.group(0).rstrip("*")[:MAX_WORD], bool(w.group(1)))
                 for w in _WORD.finditer(phrase if phrase is not None else bare)]
        if not found:
            continue
        count += len(found)
        if phrase is not None:  # "a b*": one phrase; only a final * is a prefix
            terms.append(Term(tuple(w for w, _ in found), prefix=found[-1][1]))
        else:  # bare text: l'odeur, porte-clés are several words, each a term
            terms.extend(Term((w,), prefix=p) for w, p in found)
    if not terms:
        raise ConfianceError("E630", q=q, reason="it has no word of letters or digits")
    if count > MAX_TERMS:
        raise ConfianceError("E630", q=q, reason=f"it has more than {MAX_TERMS} words")
    unique = tuple(dict.fromkeys(terms))
    return Search(unique)


SYNC = (
    "INSERT INTO posts_fts(posts_fts, rowid, text, title) "
    "SELECT 'delete', post_id, old_text, old_title FROM posts_fts_pending WHERE indexed = 1",
    "INSERT INTO posts_fts(rowid, text, title) SELECT posts.id, posts.text, posts.title "
    "FROM posts_fts_pending JOIN posts ON posts.id = posts_fts_pending.post_id",
    "DELETE FROM posts_fts_pending",
)
"""What the trigger ``posts_fts_sync`` of migration 0005 runs: the index forgets what it
held of the pending posts, then takes in their current words (fixed SQL, no parameter)."""


def sync(conn: Connection) -> int:
    """Bring SQLite's full-text index up to date with the posts changed since it last was
    (in ``conn``'s transaction); how many posts it took in. Nothing to do on PostgreSQL."""
    if conn.dialect.name != "sqlite":
        return 0
    pending = conn.exec_driver_sql("SELECT count(*) FROM posts_fts_pending").scalar_one()
    if pending:
        for statement in SYNC:
            conn.exec_driver_sql(statement)
    return int(pending)


def search_count(conn: Connection, search: Search, cap: int) -> int:
    """How many posts ``search`` finds, counted up to ``cap`` (cheap: the index alone)."""
    if conn.dialect.name == "sqlite":
        found = select(_FTS.c.rowid).where(
            literal_column(FTS_TABLE).op("MATCH")(search.fts5())).limit(cap)
    else:
        found = select(posts.c.id).where(matching(conn.dialect.name, search)).limit(cap)
    return int(conn.execute(select(func.count()).select_from(found.subquery())).scalar_one())


def matching(dialect: str, search: Search, id_column: ColumnElement[Any] | None = None,
             text: ColumnElement[Any] | None = None, title: ColumnElement[Any] | None = None
             ) -> ColumnElement[bool]:
    """A condition on ``posts`` (or on its columns given) true for the posts that
    ``search`` finds: ``posts.id IN (FTS5 match)`` on SQLite, ``search_vector @@ tsquery``
    (served by ``ix_posts_search``) on PostgreSQL. The expression is a bound parameter."""
    if dialect == "sqlite":
        ids = id_column if id_column is not None else posts.c.id
        found = select(_FTS.c.rowid).where(literal_column(FTS_TABLE).op("MATCH")(search.fts5()))
        return ids.in_(found)
    vector = search_vector(text if text is not None else posts.c.text,
                           title if title is not None else posts.c.title)
    query = func.to_tsquery(literal_column("'simple'"), search.tsquery())
    condition: ColumnElement[bool] = vector.op("@@")(query)
    return condition
