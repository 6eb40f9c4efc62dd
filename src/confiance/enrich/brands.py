"""``confiance.brands.v1``: which brands (own brands and competitors) a post is about.

Each brand's query (:mod:`confiance.enrich.query`) is compiled once, when the component is
built, then run over each batch of docs. A brand without a query matches its **name as a
phrase** (``"Maison Lumière"``: case, accents and punctuation between the words do not matter)
**or any of its hashtags** (``#MaLumiereAMoi`` in the post's hashtags or written in its text);
a brand with a query matches by its query only (a blank stored query counts as none). The
component writes ``brand_matches``, the sorted names of the brands that match; the store turns
them into ``brand_posts`` rows with ``via='query'`` (:func:`confiance.store.enrichments.save`).
:func:`rematch` re-runs the matching alone over every stored post, after a query changed.

``lang:`` compares the language the language component detected earlier in the pipeline
(``values["language"]``), else the language the platform stated. Docs carry no author and no
rating, so ``author:`` and ``rating:`` never match here.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from confiance.core.errors import ConfianceError
from confiance.domain import Platform, Post, PostKind
from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors
from confiance.enrich.language import UNKNOWN
from confiance.enrich.query import Query, fold, parse_query, tokenize
from confiance.enrich.query_parser import HASHTAG_BODY, Hashtag, Node, Or, Phrase, Term

if TYPE_CHECKING:
    from sqlalchemy import Engine

NAME = "confiance.brands.v1"
OUTPUT = "brand_matches"

BrandSpec = tuple[int, str, str | None, Sequence[str]]
"""(brand id, name, query text or ``None``, hashtags), as
:func:`confiance.store.brands.queries` gives them."""

_PLATFORMS = {p.value: p for p in Platform}
_KINDS = {k.value: k for k in PostKind}


def default_query(name: str, hashtags: Sequence[str] = ()) -> Query | None:
    """The query of a brand that has none: its name as a phrase OR any of its hashtags.

    ``None`` when there is nothing to search for (a name without letters or digits and no
    usable hashtag): such a brand matches no post.
    """
    parts: list[Node] = []
    words = tuple(tokenize(name))
    if words:
        shown = " ".join(name.split())
        source = f'"{shown}"' if not any(q in shown for q in '"“”«»') else ""
        parts.append(Term(words[0], source) if len(words) == 1 else Phrase(words, source))
    for written in hashtags:
        tag = fold(written.strip().lstrip("#"))
        node = Hashtag(tag, f"#{written.strip().lstrip('#')}")
        if HASHTAG_BODY.fullmatch(tag) and node not in parts:
            parts.append(node)
    if not parts:
        return None
    root = parts[0] if len(parts) == 1 else Or(tuple(parts))
    return Query(root, str(root))


class _PostView:
    """What a query reads of a post, built from a doc. ``Post.model_construct`` costs about
    a hundred times more, and a query only reads these attributes (``author`` and ``rating``
    are unknown to docs)."""

    __slots__ = ("author", "hashtags", "kind", "language", "mentions", "platform", "rating",
                 "text", "title")

    def __init__(self, doc: Doc) -> None:
        detected = doc.values.get("language")
        self.language = detected if detected and detected != UNKNOWN else doc.language
        platform, kind = _PLATFORMS.get(doc.platform), _KINDS.get(doc.kind)
        if platform is None or kind is None:
            raise ValueError(f"unknown platform {doc.platform!r} or kind {doc.kind!r}")
        self.platform = platform
        self.kind = kind
        self.text = doc.text
        self.title = doc.title
        self.hashtags = doc.hashtags
        self.mentions = doc.mentions
        self.author = None
        self.rating = None


def _as_post(doc: Doc) -> Post:
    # Query.matches reads attributes only: the view stands in for a Post.
    return cast(Post, _PostView(doc))


class BrandMatcher:
    """Sets ``brand_matches``: the sorted names of the brands whose query matches the doc."""

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title", "hashtags", "mentions", "language", "platform",
                              "kind")
    writes: tuple[str, ...] = (OUTPUT,)

    def __init__(self, brands: Iterable[BrandSpec]) -> None:
        """Compile every brand's query (or its default, see :func:`default_query`).

        Raises ``ConfianceError`` E407 naming the brand when a stored query does not parse.
        """
        self.ids: dict[str, int] = {}
        """Brand name -> brand id, for every brand given (even one that cannot match)."""
        self.queries: dict[str, Query] = {}
        """Brand name -> the compiled query it matches with, in name order."""
        for brand_id, name, text, hashtags in sorted(brands, key=lambda b: b[1]):
            if name in self.ids:
                raise ValueError(f"brand {name!r} is given twice")
            self.ids[name] = brand_id
            query = _parse(name, text) if text and text.strip() else \
                default_query(name, hashtags)
            if query is not None:
                self.queries[name] = query

    @classmethod
    def from_store(cls, engine: Engine, name: str | None = None) -> BrandMatcher:
        """A matcher of every stored brand (own brands and competitors), or of ``name`` only
        (E301 if there is no such brand)."""
        from confiance.store import brands

        return cls(brands.queries(engine, name))

    @property
    def names(self) -> list[str]:
        """The names of the brands, sorted (for example to keep them out of language
        detection)."""
        return list(self.ids)

    def match(self, docs: Sequence[Doc]) -> list[list[str]]:
        """The sorted names of the brands each doc matches; raises on a doc that fails."""
        views = [_as_post(doc) for doc in docs]
        found: list[list[str]] = [[] for _ in docs]
        for name, query in self.queries.items():  # name order: each list comes out sorted
            for names, hit in zip(found, query.match_many(views), strict=True):
                if hit:
                    names.append(name)
        return found

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Set ``brand_matches`` on each doc; a doc that fails is reported to ``on_error``,
        left without the value, and the batch goes on."""
        for batch in batched(docs, batch_size):
            try:
                results: list[list[str] | None] = list(self.match(batch))
            except Exception:  # noqa: BLE001 - some doc failed: match them one by one
                results = [self._match_one(doc, on_error) for doc in batch]
            for doc, names in zip(batch, results, strict=True):
                if names is not None:
                    doc.set(OUTPUT, names, self.name)
            yield from batch

    def _match_one(self, doc: Doc, on_error: ErrorHandler) -> list[str] | None:
        try:
            return self.match([doc])[0]
        except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
            on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            return None

    def to_disk(self, path: Path) -> None:
        """Nothing to save: queries live in the ``brands`` table."""

    def from_disk(self, path: Path) -> BrandMatcher:
        """Nothing to load."""
        return self


def _parse(name: str, text: str) -> Query:
    """A stored query, compiled; E407 naming the brand if it does not parse."""
    try:
        return parse_query(text)
    except ConfianceError as exc:
        raise ConfianceError("E407", name=name, error=exc.message, query_code=exc.code,
                             **{k: v for k, v in exc.details.items()
                                if k in ("position", "line", "column", "length", "reason",
                                         "query")}) from None


# --- re-matching stored posts ---------------------------------------------------------------------


@dataclass
class RematchSummary:
    """What :func:`rematch` did; ``as_dict`` is the ``--json`` output."""

    posts: int = 0
    errors: int = 0
    seconds: float = 0.0
    brands: dict[str, dict[str, int]] = field(default_factory=dict)
    """Brand name -> ``{"added": n, "removed": n}`` query attachments."""

    def as_dict(self) -> dict[str, Any]:
        """The summary as a JSON-ready object."""
        return {"posts": self.posts, "errors": self.errors, "seconds": round(self.seconds, 3),
                "component": NAME, "brands": self.brands,
                "posts_per_second": round(self.posts / self.seconds) if self.seconds
                else None}


def rematch(engine: Engine, matcher: BrandMatcher, *, batch_size: int = 1000,
            progress: Callable[[int], None] | None = None) -> RematchSummary:
    """Match every stored post again with ``matcher`` alone and replace the ``via='query'``
    attachments of its brands (other brands' are left alone, ``via='import'`` ones stay).

    Posts are read by keyset paging on ``posts.id``, ``batch_size`` at a time, each batch in
    one transaction; ``lang:`` uses the language enrichment stored. A post the matcher fails
    on keeps its attachments and counts in ``errors``.
    """
    from confiance.store import brands, enrichments

    started = time.perf_counter()
    summary = RematchSummary(brands={n: {"added": 0, "removed": 0} for n in matcher.names})
    names = {brand_id: name for name, brand_id in matcher.ids.items()}
    last = 0
    while True:
        with engine.begin() as conn:
            batch = enrichments.stored(conn, after=last, limit=batch_size)
            if not batch:
                break
            failed: list[EnrichError] = []
            docs = list(matcher.pipe((doc for _, doc in batch), batch_size=batch_size,
                                     on_error=failed.append))
            matches = {post_id: {matcher.ids[n] for n in doc.values[OUTPUT]}
                       for (post_id, _), doc in zip(batch, docs, strict=True)
                       if OUTPUT in doc.values}
            changes = brands.replace_query_matches(conn, matches, scope=matcher.ids.values())
        for brand_id, change in changes.items():
            counts = summary.brands[names[brand_id]]
            counts["added"] += change.added
            counts["removed"] += change.removed
        summary.posts += len(batch)
        summary.errors += len(failed)
        last = batch[-1][0]
        if progress:
            progress(summary.posts)
    summary.seconds = time.perf_counter() - started
    return summary
