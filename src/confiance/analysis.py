"""Enrich texts without a database: ``confiance.analyze(texts)`` and ``confiance analyze``.

The same default pipeline as ``confiance enrich`` runs over plain texts: language, sentiment,
aspects, moderation flags, intent, and brand queries when some are given.

>>> from confiance import analyze
>>> [r.sentiment for r in analyze(["Livraison rapide, je recommande !"])]
['positive']

For CSV files, :func:`analyze_csv` streams the rows in batches (memory stays flat whatever the
file's size) and writes the input columns plus the results; an output column whose name the
input already uses gets a ``confiance_`` prefix.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from confiance.core.errors import ConfianceError
from confiance.enrich.component import Doc, EnrichError, batched
from confiance.enrich.pipeline import Pipeline

OUTPUT_COLUMNS = ("lang", "sentiment", "sentiment_score", "topics", "toxicity", "flags",
                  "intent")
LIST_SEPARATOR = "|"


@dataclass
class Analysis:
    """What the pipeline found in one text."""

    text: str
    lang: str
    sentiment: str | None
    sentiment_score: float | None
    topics: list[str] = field(default_factory=list)
    toxicity: float | None = None
    flags: list[str] = field(default_factory=list)
    intent: str | None = None
    brand_matches: list[str] | None = None
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def _pipeline(queries: Mapping[str, str] | None, brand_names: Sequence[str],
              sentiment_model: str | Path | None = None) -> Pipeline:
    matcher = None
    if queries:
        from confiance.enrich.brands import BrandMatcher
        from confiance.enrich.query import parse_query

        for text in queries.values():  # the query's own error (E401-E406), with its position
            parse_query(text)
        matcher = BrandMatcher([(i, name, text, ()) for i, (name, text)
                                in enumerate(queries.items(), start=1)])
    names = [*brand_names, *(queries or {})]
    return Pipeline.default(brand_names=names, matcher=matcher, sentiment_model=sentiment_model)


def _queries(query: str | Mapping[str, str] | None) -> dict[str, str] | None:
    if query is None:
        return None
    if isinstance(query, str):
        return {"query": query}
    return dict(query)


def _result(doc: Doc, errors: list[str], with_brands: bool) -> Analysis:
    values = doc.values
    return Analysis(
        text=doc.text, lang=str(values.get("language") or "unknown"),
        sentiment=values.get("sentiment"), sentiment_score=values.get("sentiment_score"),
        topics=list(values.get("topics") or []), toxicity=values.get("toxicity"),
        flags=list(values.get("flags") or []), intent=values.get("intent"),
        brand_matches=list(values.get("brand_matches") or []) if with_brands else None,
        errors=errors)


def iter_analyze(texts: Iterable[str], *, query: str | Mapping[str, str] | None = None,
                 brand_names: Sequence[str] = (), languages: Iterable[str | None] | None = None,
                 batch_size: int = 256, pipeline: Pipeline | None = None,
                 sentiment_model: str | Path | None = None) -> Iterator[Analysis]:
    """Like :func:`analyze`, lazily: results come batch by batch, in input order."""
    queries = _queries(query)
    pipeline = pipeline or _pipeline(queries, brand_names, sentiment_model)
    stated = iter(languages) if languages is not None else None
    docs = []
    for position, text in enumerate(texts):
        doc = Doc.from_text(text if isinstance(text, str) else "", position)
        if stated is not None:
            doc.language = next(stated, None)
        docs.append(doc)
        if len(docs) >= batch_size:
            yield from _run(pipeline, docs, queries is not None)
            docs = []
    if docs:
        yield from _run(pipeline, docs, queries is not None)


def _run(pipeline: Pipeline, docs: list[Doc], with_brands: bool) -> Iterator[Analysis]:
    failures: dict[tuple[str, str], list[str]] = {}

    def record(error: EnrichError) -> None:
        failures.setdefault(error.key, []).append(f"{error.component}: {error.reason}")

    for doc in pipeline.pipe(docs, batch_size=len(docs), on_error=record):
        yield _result(doc, failures.get(doc.key, []), with_brands)


def analyze(texts: Iterable[str], *, query: str | Mapping[str, str] | None = None,
            brand_names: Sequence[str] = (), languages: Iterable[str | None] | None = None,
            batch_size: int = 256, pipeline: Pipeline | None = None,
            sentiment_model: str | Path | None = None) -> list[Analysis]:
    """Enrich ``texts`` with the default pipeline; one :class:`Analysis` per text, in order.

    - ``query``: a brand query (``'"Maison Lumière" OR #MaLumiere'``) or a mapping of
      brand name -> query; ``brand_matches`` then lists the names whose query matches
      (a single query is named ``"query"``). A query that does not parse raises
      ``ConfianceError`` (E401-E406) with its position.
    - ``brand_names``: names language detection should set aside.
    - ``languages``: a language per text when the source states it (``None`` to detect).
    - ``sentiment_model``: a local Hugging Face model directory that scores sentiment
      instead of the built-in head (as ``CONFIANCE_SENTIMENT_MODEL`` does for the store).
    - ``pipeline``: a pipeline of your own (for example with a custom sentiment model).

    A component failing on a text does not stop the others: the text's ``errors`` says which.
    """
    return list(iter_analyze(texts, query=query, brand_names=brand_names, languages=languages,
                             batch_size=batch_size, pipeline=pipeline,
                             sentiment_model=sentiment_model))


# --- CSV ----------------------------------------------------------------------------------

@dataclass
class CsvSummary:
    """What :func:`analyze_csv` did."""

    rows: int = 0
    errors: int = 0
    seconds: float = 0.0
    sentiments: dict[str, int] = field(default_factory=dict)
    languages: dict[str, int] = field(default_factory=dict)
    output: str = ""
    columns: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    """The versioned names of the components that enriched the rows."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the rate."""
        return {**asdict(self), "seconds": round(self.seconds, 3),
                "rows_per_second": round(self.rows / self.seconds) if self.seconds else None}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)


def _open_reader(path: Path, delimiter: str | None) -> tuple[Any, csv.DictReader[str]]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ConfianceError("E206", path=str(path)) from None
    except OSError as exc:
        raise ConfianceError("E514", path=str(path), detail=f"{type(exc).__name__}: {exc}") \
            from None
    try:
        sample = handle.read(65536)
        handle.seek(0)
    except (OSError, UnicodeDecodeError) as exc:
        handle.close()
        raise ConfianceError("E514", path=str(path),
                             detail=f"{type(exc).__name__}: {exc}; save it as UTF-8") from None
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    return handle, csv.DictReader(handle, delimiter=delimiter)


def analyze_csv(path: Path, output: Path, *, text_column: str = "text",
                query: str | Mapping[str, str] | None = None,
                language_column: str | None = None, delimiter: str | None = None,
                batch_size: int = 256,
                progress: Callable[[int, int], None] | None = None,
                sentiment_model: str | Path | None = None) -> CsvSummary:
    """Enrich every row of the CSV ``path`` and write ``output`` (input columns + results).

    ``progress(bytes_read, total_bytes)`` is called after each batch. The output is written to
    a temporary file renamed at the end: a failed run leaves no half-written ``output``.
    """
    import time

    started = time.perf_counter()
    handle, reader = _open_reader(path, delimiter)
    queries = _queries(query)
    pipeline = _pipeline(queries, (), sentiment_model)
    summary = CsvSummary(output=str(output), components=pipeline.names)
    total = max(1, path.stat().st_size)
    tmp = output.with_name(f".{output.name}.partial")
    try:
        columns = list(reader.fieldnames or [])
        if text_column not in columns:
            raise ConfianceError("E514", path=str(path), detail=(
                f"no column {text_column!r}; the columns are {', '.join(columns) or 'none'}"
                "; pass --text-column"))
        if language_column and language_column not in columns:
            raise ConfianceError("E514", path=str(path), detail=(
                f"no column {language_column!r}; the columns are {', '.join(columns)}"))
        wanted = [*OUTPUT_COLUMNS, *(("brand_matches",) if queries else ())]
        named = {c: (f"confiance_{c}" if c in columns else c) for c in wanted}
        summary.columns = [*columns, *named.values()]
        output.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=summary.columns, extrasaction="ignore")
            writer.writeheader()
            for rows in batched(reader, batch_size):
                texts = [row.get(text_column) or "" for row in rows]
                langs = ([(row.get(language_column) or None) for row in rows]
                         if language_column else None)
                results = list(iter_analyze(texts, languages=langs, batch_size=batch_size,
                                            pipeline=pipeline, query=query))
                for row, result in zip(rows, results, strict=True):
                    values = result.as_dict()
                    writer.writerow({**{c: row.get(c) or "" for c in columns},
                                     **{named[c]: _cell(values[c]) for c in wanted}})
                    summary.rows += 1
                    summary.errors += bool(result.errors)
                    sentiment = result.sentiment or "none"
                    summary.sentiments[sentiment] = summary.sentiments.get(sentiment, 0) + 1
                    summary.languages[result.lang] = summary.languages.get(result.lang, 0) + 1
                if progress is not None:
                    progress(min(total, _position(handle)), total)
        os.replace(tmp, output)
    except UnicodeDecodeError as exc:
        raise ConfianceError("E514", path=str(path),
                             detail=f"not UTF-8 ({exc.reason} at byte {exc.start}); "
                                    "save it as UTF-8") from None
    except csv.Error as exc:
        raise ConfianceError("E514", path=str(path),
                             detail=f"line {reader.line_num}: {exc}") from None
    except OSError as exc:
        raise ConfianceError("E514", path=str(output), detail=str(exc)) from None
    finally:
        handle.close()
        tmp.unlink(missing_ok=True)
    summary.seconds = time.perf_counter() - started
    return summary


def _position(handle: io.TextIOBase) -> int:
    try:
        return int(handle.buffer.tell())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return 0


__all__ = ["Analysis", "CsvSummary", "analyze", "analyze_csv", "iter_analyze"]
