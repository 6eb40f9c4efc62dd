"""``confiance.language.v1``: the language of a post, or ``unknown`` when unsure.

Social text is short and noisy: a platform's own language tag is kept when it gives one;
otherwise URLs, @mentions, #hashtags, emoji and numbers are set aside, very short texts are
decided by a small lexicon of chat words (``mdr``, ``jsp``, ``thx``...), and longer ones by
Lingua restricted to the supported languages. A guess that is not clearly ahead of the
runner-up is ``unknown``: a wrong language is worse than none for everything downstream.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors

NAME = "confiance.language.v1"
UNKNOWN = "unknown"
DEFAULT_LANGUAGES = ("fr", "en", "es", "de", "it", "pt", "nl")

_NOISE = re.compile(r"https?://\S+|www\.\S+|[@#][\w.]+", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)

CHAT_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset("""mdr ptdr jsp jpp tkt stp svp slt bjr cc bof ouf grave trop merci
        bisous wesh oklm dsl vrm bcp pk pq chui jsuis mtn jvais jveux franchement vraiment
        génial nul trop bien oui non avec sans pour très déçu déçue magnifique""".split()),
    "en": frozenset("""omg thanks thx pls plz tbh imo lmao btw idk wtf love awesome great
        the this that with really yes amazing terrible""".split()),
    "es": frozenset("gracias muy bueno vale jaja genial".split()),
    "de": frozenset("danke sehr gut nicht toll".split()),
}
"""Words that tell the language of very short messages (two words or fewer)."""


class LanguageDetector:
    """Detects the language of each doc's text (and title)."""

    name: str = NAME
    reads: tuple[str, ...] = ("text", "title", "language")
    writes: tuple[str, ...] = ("language", "language_confidence")

    def __init__(self, *, languages: Sequence[str] = DEFAULT_LANGUAGES,
                 min_confidence: float = 0.5, min_margin: float = 0.15,
                 trust_platform: bool = True, ignore: Sequence[str] = ()) -> None:
        self.languages = tuple(languages)
        self._ignore = (re.compile("|".join(re.escape(term) for term in ignore), re.IGNORECASE)
                        if ignore else None)
        self.min_confidence = min_confidence
        self.min_margin = min_margin
        self.trust_platform = trust_platform

    @cached_property
    def _detector(self) -> Any:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
                  for code in self.languages]
        return LanguageDetectorBuilder.from_languages(*chosen).build()

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Set ``language`` (ISO 639-1 or ``unknown``) and ``language_confidence`` (0..1)."""
        for batch in batched(docs, batch_size):
            pending: list[tuple[Doc, list[str]]] = []
            for doc in batch:
                try:
                    if self._keep_platform_language(doc):
                        continue
                    words = self._words(doc)
                    if len(words) > 2:
                        pending.append((doc, words))
                    else:
                        self._decide_short(doc, words)
                except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                    on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            if pending:
                self._decide_with_model(pending, on_error)
            yield from batch

    def detect(self, text: str) -> str:
        """The language of one text (``unknown`` when unsure)."""
        doc = next(self.pipe([Doc.from_text(text, 0)]))
        return str(doc.values["language"])

    def _keep_platform_language(self, doc: Doc) -> bool:
        if not (self.trust_platform and doc.language):
            return False
        code = doc.language.split("-")[0].lower()
        doc.set("language", code, "platform")
        doc.set("language_confidence", 1.0, "platform")
        return True

    def _decide_short(self, doc: Doc, words: list[str]) -> None:
        """Two words or fewer: only the chat-word lexicon may decide."""
        found = _chat_language(words, self.languages)
        doc.set("language", found or UNKNOWN, self.name)
        doc.set("language_confidence", 0.6 if found else 0.0, self.name)

    def _decide_with_model(self, pending: list[tuple[Doc, list[str]]],
                           on_error: ErrorHandler) -> None:
        texts = [" ".join(words) for _, words in pending]
        try:
            results = self._detector.compute_language_confidence_values_in_parallel(texts)
        except Exception as exc:  # noqa: BLE001 - the whole batch failed in the model
            for doc, _ in pending:
                on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
            return
        for (doc, words), values in zip(pending, results, strict=True):
            code, confidence = self._choose(values, words)
            doc.set("language", code, self.name)
            doc.set("language_confidence", round(confidence, 3), self.name)

    def _choose(self, values: list[Any], words: list[str]) -> tuple[str, float]:
        top = values[0]
        runner_up = values[1].value if len(values) > 1 else 0.0
        code = top.language.iso_code_639_1.name.lower()
        if top.value >= self.min_confidence and top.value - runner_up >= self.min_margin:
            return code, float(top.value)
        found = _chat_language(words, self.languages)
        return (found, 0.5) if found else (UNKNOWN, float(top.value))

    def to_disk(self, path: Path) -> None:
        """Nothing to save: the component has no learnt state."""

    def from_disk(self, path: Path) -> LanguageDetector:
        """Nothing to load."""
        return self


    def _words(self, doc: Doc) -> list[str]:
        """The words of title and text, without URLs, @mentions, #hashtags, the names to
        ignore (brands), emoji and numbers."""
        text = doc.text if not doc.title else f"{doc.title} {doc.text}"
        text = _NOISE.sub(" ", text)
        if self._ignore:
            text = self._ignore.sub(" ", text)
        return _WORD.findall(text)


def _chat_language(words: list[str], allowed: Sequence[str]) -> str | None:
    """The one language whose chat words the text uses, if exactly one does."""
    lowered = [w.lower() for w in words]
    hits = {code for code, vocabulary in CHAT_WORDS.items()
            if code in allowed and any(w in vocabulary for w in lowered)}
    return hits.pop() if len(hits) == 1 else None
