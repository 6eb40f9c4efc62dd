"""``confiance.aspects.v1``: which aspects of a brand a post talks about (price, delivery...).

Each doc gets ``topics``, the sorted ids of the aspects found, and ``aspect_scores``, the
evidence for each: ``1.0`` for a keyword hit, otherwise the cosine similarity that made it.

Two tests, cheapest first:

* **Keywords.** Every aspect lists bilingual keywords (``data/aspects.toml``). All of them
  are compiled into *one* regular expression per language (a trie of the keywords' literal
  starts, each keyword ending in its own named group, the longest tried first), run once over
  the folded text (lower case, no accents, typographic apostrophes made plain): about 30,000
  posts a second, and little slower with more aspects. Words
  match whole, with simple French and English plural and feminine endings. *Exclusions*
  ("prix Goncourt", "cher client", "link in bio") are alternatives of the same expression;
  being longer they win over the keyword they contain, so "le prix Goncourt" is not about
  price, and an aspect whose only evidence is an exclusion is not looked for by similarity
  either.
* **Similarity.** Every aspect also has a few bilingual description sentences; their mean
  embedding (normalised) is the aspect's centroid, computed once. A doc's vector (the one the
  ``Embedder`` set earlier, or computed here) is compared with every centroid; above
  ``threshold`` (default :data:`DEFAULT_THRESHOLD`) the aspect is found. This catches posts
  that say "it took three weeks to arrive" without any delivery keyword.

:data:`DEFAULT_THRESHOLD` (0.35) was chosen on the hand-written examples of
``tests/enrich/test_aspects.py``: 26 posts about an aspect that use none of its keywords, and
18 posts about nothing in the list (weather, scents, gifts, "le prix Goncourt"). Between 0.275
and 0.55 no negative gets an aspect (at 0.25 one does); within that range, 0.35 finds 12 of
the 26 positives (0.30: 16, 0.40: 7) while only 2 of them also get a wrong extra aspect
(0.30: 6). Precision matters more than recall here: a missed post can be caught by
adding a keyword, a wrong topic misleads every chart built on it. Long posts mixing several
subjects score lower against each centroid, so similarity mostly helps short posts; keywords
do most of the work.

A brand's own aspects come from a TOML file of the same format (see ``data/aspects.toml``) or
a list of :class:`Aspect`; they extend the defaults (an aspect with a default's id replaces
it) or, with ``extend_default=False``, replace them.
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors
from confiance.enrich.embeddings import Encoder, Vectors, embeddings_of, shared_encoder

NAME = "confiance.aspects.v1"
DEFAULT_THRESHOLD = 0.35
"""Cosine similarity between a doc and an aspect's centroid above which the aspect is found
(see the module docstring for how it was chosen)."""
ANY_LANGUAGE = "*"

_MARKS = re.compile(r"[\u0300-\u036f]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'", "´": "'"})
_SEPARATOR = re.compile(r"[\s/-]+")
_JOIN = r"[\s/-]+"


def fold(text: str) -> str:
    """``text`` as keywords are matched: lower case, no accents, plain apostrophes."""
    return _MARKS.sub("", unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))).casefold()


@dataclass(frozen=True)
class Aspect:
    """One aspect: an id, labels, keywords (per language or for all) and descriptions."""

    id: str
    label_fr: str
    label_en: str
    keywords: tuple[str, ...] = ()
    keywords_by_language: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    threshold: float | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Aspect:
        """An aspect from one ``[[aspect]]`` table (or the dict :meth:`to_dict` made)."""
        known = {"id", "label_fr", "label_en", "keywords", "exclude", "descriptions",
                 "threshold"}
        unknown = [k for k in data if k not in known and not k.startswith("keywords_")]
        if unknown:
            raise ValueError(f"aspect {data.get('id')!r}: unknown keys {sorted(unknown)}")
        aspect_id = data.get("id")
        if not isinstance(aspect_id, str) or not aspect_id:
            raise ValueError("every aspect needs a non-empty string id")
        by_language = {key.removeprefix("keywords_").lower(): _strings(data[key], key)
                       for key in data if key.startswith("keywords_")}
        threshold = data.get("threshold")
        if threshold is not None and not isinstance(threshold, int | float):
            raise ValueError(f"aspect {aspect_id!r}: threshold must be a number")
        return cls(id=aspect_id, label_fr=str(data.get("label_fr", aspect_id)),
                   label_en=str(data.get("label_en", data.get("label_fr", aspect_id))),
                   keywords=_strings(data.get("keywords", []), "keywords"),
                   keywords_by_language=by_language,
                   exclude=_strings(data.get("exclude", []), "exclude"),
                   descriptions=_strings(data.get("descriptions", []), "descriptions"),
                   threshold=None if threshold is None else float(threshold))

    def to_dict(self) -> dict[str, Any]:
        """The aspect as a ``[[aspect]]`` table would hold it."""
        out: dict[str, Any] = {"id": self.id, "label_fr": self.label_fr,
                               "label_en": self.label_en, "keywords": list(self.keywords)}
        for language, words in sorted(self.keywords_by_language.items()):
            out[f"keywords_{language}"] = list(words)
        out["exclude"] = list(self.exclude)
        out["descriptions"] = list(self.descriptions)
        if self.threshold is not None:
            out["threshold"] = self.threshold
        return out


def _strings(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{key} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def load_aspects(source: Path | str | None = None) -> list[Aspect]:
    """The aspects of a TOML file (``[[aspect]]`` tables), or the defaults when ``None``."""
    if source is None:
        text = resources.files("confiance.enrich").joinpath("data/aspects.toml").read_text(
            encoding="utf-8")
    else:
        text = Path(source).read_text(encoding="utf-8")
    tables = tomllib.loads(text).get("aspect", [])
    if not isinstance(tables, list):
        raise ValueError("aspects are [[aspect]] tables")
    aspects = [Aspect.from_dict(table) for table in tables]
    ids = [a.id for a in aspects]
    if len(set(ids)) != len(ids):
        raise ValueError(f"duplicate aspect ids in {source or 'the defaults'}")
    return aspects


def default_aspects() -> list[Aspect]:
    """The aspects shipped in ``confiance/enrich/data/aspects.toml``."""
    return load_aspects(None)


# ----------------------------------------------------------------------------- keywords


def keyword_pattern(keyword: str) -> str:
    """The regular expression of one keyword (see the syntax in ``data/aspects.toml``)."""
    literal, rest = _keyword_parts(keyword)
    return re.escape(literal) + rest


def _keyword_parts(keyword: str) -> tuple[str, str]:
    """(literal start, regex of the rest) of a keyword: the literal part goes in the trie."""
    exact = keyword.startswith("=")
    text = fold(keyword.removeprefix("=").strip())
    prefix = text.endswith("*")
    words = [w for w in _SEPARATOR.split(text.rstrip("*")) if w]
    if not words:
        raise ValueError(f"empty keyword {keyword!r}")
    parts: list[tuple[str, str]] = []
    for i, word in enumerate(words):
        if prefix and i == len(words) - 1:
            parts.append((word, r"\w*"))
        elif exact:
            parts.append((word, ""))
        else:
            parts.append(_inflected(word))
    literal, rest = parts[0]
    tail = "".join(_JOIN + re.escape(stem) + ending for stem, ending in parts[1:])
    return literal, rest + tail


def _inflected(word: str) -> tuple[str, str]:
    """(stem, endings) of ``word`` with simple plural and feminine endings (words of three
    letters or more)."""
    if len(word) < 3 or not word[-1].isalpha():
        return word, ""
    if word.endswith("y") and len(word) >= 4:
        return word[:-1], "(?:y|ies)"
    if word.endswith("eur"):
        return word[:-1], "(?:rs?|ses?)"
    return word, "(?:e?s|x|e)?"


def _trie(entries: list[tuple[str, str]]) -> str:
    """One alternation of (literal, rest) entries, factored on the literals' common prefixes.

    At a position the regex engine then tries a handful of branches instead of every
    keyword. Longer literals are tried first, then the entries ending at the same node in the
    order given (longest keyword first), so "prix goncourt" wins over "prix".
    """
    root: dict[str, Any] = {}
    for literal, rest in entries:
        node = root
        for char in literal:
            node = node.setdefault(char, {})
        node.setdefault("", []).append(rest)

    def render(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + render(child)
                    for char, child in sorted(node.items()) if char]
        branches.extend(node.get("", []))
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(root)


class KeywordMatcher:
    """Finds the aspects whose keywords a text contains: one regex pass per text.

    One expression is compiled per language that has keyword lists of its own, plus one with
    every list (``*``) for texts of unknown or other languages. The keywords are factored
    into a trie of their literal starts, and each ends with an empty named group
    (``k0``, ``k1``...): ``match.lastgroup`` says which keyword matched, and so which aspects
    it proves (or excludes).
    """

    def __init__(self, aspects: Sequence[Aspect]) -> None:
        languages = sorted({lang for a in aspects for lang in a.keywords_by_language})
        self.languages = tuple(languages)
        self._compiled: dict[str, tuple[re.Pattern[str], list[tuple[frozenset[str],
                                                                     frozenset[str]]]]] = {}
        for language in [*languages, ANY_LANGUAGE]:
            self._compiled[language] = self._build(aspects, language)

    @staticmethod
    def _build(aspects: Sequence[Aspect], language: str) -> tuple[
            re.Pattern[str], list[tuple[frozenset[str], frozenset[str]]]]:
        hits: dict[str, set[str]] = {}
        vetoes: dict[str, set[str]] = {}
        lengths: dict[str, int] = {}
        parts: dict[str, tuple[str, str]] = {}
        for aspect in aspects:
            words = list(aspect.keywords)
            for lang, listed in aspect.keywords_by_language.items():
                if language in (ANY_LANGUAGE, lang):
                    words.extend(listed)
            for kind, terms in ((hits, words), (vetoes, list(aspect.exclude))):
                for term in terms:
                    literal, rest = _keyword_parts(term)
                    pattern = re.escape(literal) + rest
                    parts[pattern] = (literal, rest)
                    kind.setdefault(pattern, set()).add(aspect.id)
                    lengths[pattern] = max(lengths.get(pattern, 0), len(fold(term)))
        patterns = sorted(lengths, key=lambda p: (-lengths[p], p))
        if not patterns:
            return re.compile(r"(?!x)x"), []
        entries = [(parts[p][0], rf"{parts[p][1]}(?!\w)(?P<k{i}>)") for i, p in enumerate(patterns)]
        regex = re.compile(rf"(?<!\w){_trie(entries)}")
        meaning = [(frozenset(hits.get(p, ())), frozenset(vetoes.get(p, ()))) for p in patterns]
        return regex, meaning

    def find(self, text: str, language: str | None = None) -> tuple[set[str], set[str]]:
        """(aspects found, aspects excluded) in ``text``; ``language`` picks the lists."""
        regex, meaning = self._compiled[language if language in self._compiled
                                        else ANY_LANGUAGE]
        found: set[str] = set()
        excluded: set[str] = set()
        for match in regex.finditer(fold(text)):
            name = match.lastgroup
            if name is not None:
                proven, vetoed = meaning[int(name[1:])]
                found |= proven
                excluded |= vetoed
        return found, excluded - found


# ----------------------------------------------------------------------------- component


class AspectTagger:
    """Sets ``topics`` (sorted aspect ids) and ``aspect_scores`` on every doc."""

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title", "language", "embedding")
    writes: tuple[str, ...] = ("topics", "aspect_scores")

    def __init__(self, aspects: Path | str | Sequence[Aspect] | None = None, *,
                 extend_default: bool = True, threshold: float = DEFAULT_THRESHOLD,
                 use_embeddings: bool = True, encoder: Encoder | None = None) -> None:
        self.threshold = threshold
        self.use_embeddings = use_embeddings
        self._encoder = encoder
        self.aspects = self._combine(aspects, extend_default)
        self._setup()

    @staticmethod
    def _combine(aspects: Path | str | Sequence[Aspect] | None,
                 extend_default: bool) -> list[Aspect]:
        if aspects is None:
            return default_aspects()
        own = load_aspects(aspects) if isinstance(aspects, str | Path) else list(aspects)
        if not extend_default:
            return own
        replaced = {a.id for a in own}
        return [*(a for a in default_aspects() if a.id not in replaced), *own]

    def _setup(self) -> None:
        self.matcher = KeywordMatcher(self.aspects)
        self._centroids: Vectors | None = None

    @property
    def ids(self) -> list[str]:
        """The ids of the aspects looked for, in order."""
        return [a.id for a in self.aspects]

    def centroids(self) -> Vectors:
        """The normalised mean description embedding of each aspect (zeros if none)."""
        if self._centroids is None:
            encoder = self._encoder or shared_encoder()
            out = np.zeros((len(self.aspects), 512), dtype=np.float32)
            for i, aspect in enumerate(self.aspects):
                if aspect.descriptions:
                    mean = encoder.encode(list(aspect.descriptions)).mean(axis=0)
                    out[i] = mean / max(float(np.linalg.norm(mean)), 1e-12)
            self._centroids = out
        return self._centroids

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Tag each batch: keywords per doc, then one similarity product for the batch."""
        for batch in batched(docs, batch_size):
            matched: list[tuple[Doc, set[str], set[str]]] = []
            for doc in batch:
                try:
                    found, excluded = self.matcher.find(_text(doc), doc.primary_language())
                    matched.append((doc, found, excluded))
                except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                    on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            similarities = self._similarities([m[0] for m in matched], on_error)
            for (doc, found, excluded), row in zip(matched, similarities, strict=True):
                if row is not False:
                    self._decide(doc, found, excluded, row)
            yield from batch

    def _similarities(self, docs: list[Doc], on_error: ErrorHandler) -> list[Any]:
        """Each doc's similarity to every centroid; ``None`` when not computed (no text,
        embeddings off), ``False`` when embedding it failed (reported)."""
        rows: list[Any] = [None] * len(docs)
        wanted = [i for i, doc in enumerate(docs)
                  if self.use_embeddings and ("embedding" in doc.values or _text(doc).strip())]
        if not wanted:
            return rows
        centroids = self.centroids()
        try:
            vectors = embeddings_of([docs[i] for i in wanted], self._encoder)
        except Exception:  # noqa: BLE001 - find the doc that fails, keep the others
            vectors = None
        for position, i in enumerate(wanted):
            try:
                vector = (vectors[position] if vectors is not None
                          else embeddings_of([docs[i]], self._encoder)[0])
                rows[i] = centroids @ vector
            except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                on_error(EnrichError(docs[i].key, self.name, f"{type(exc).__name__}: {exc}"))
                rows[i] = False
        return rows

    def _decide(self, doc: Doc, found: set[str], excluded: set[str], row: Any) -> None:
        scores = {aspect_id: 1.0 for aspect_id in found}
        if row is not None:
            for aspect, similarity in zip(self.aspects, row, strict=True):
                limit = aspect.threshold if aspect.threshold is not None else self.threshold
                if (aspect.id not in scores and aspect.id not in excluded
                        and aspect.descriptions and similarity >= limit):
                    scores[aspect.id] = round(float(similarity), 3)
        doc.set("topics", sorted(scores), self.name)
        doc.set("aspect_scores", dict(sorted(scores.items())), self.name)

    def tag(self, text: str, language: str | None = None) -> list[str]:
        """The aspect ids of one text."""
        doc = Doc(key=("text", "0"), text=text, language=language)
        return list(next(self.pipe([doc])).values["topics"])

    def to_disk(self, path: Path) -> None:
        """Save the aspects and threshold as ``aspects.json`` in the folder ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        state = {"name": self.name, "threshold": self.threshold,
                 "aspects": [a.to_dict() for a in self.aspects]}
        (path / "aspects.json").write_text(json.dumps(state, ensure_ascii=False, indent=2),
                                           encoding="utf-8")

    def from_disk(self, path: Path) -> AspectTagger:
        """Load what :meth:`to_disk` saved; returns this tagger."""
        state = json.loads((path / "aspects.json").read_text(encoding="utf-8"))
        self.threshold = float(state["threshold"])
        self.aspects = [Aspect.from_dict(a) for a in state["aspects"]]
        self._setup()
        return self


def _text(doc: Doc) -> str:
    """Title then text; a non-string text is an error for the caller to report."""
    if not isinstance(doc.text, str):
        raise TypeError(f"text is {type(doc.text).__name__}, not str")
    return f"{doc.title}. {doc.text}" if doc.title else doc.text


