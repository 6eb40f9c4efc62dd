"""``confiance.sentiment.hf.v1``: sentiment from a Hugging Face classification model on disk.

An optional, stronger alternative to the built-in sentiment component. It loads any
sequence-classification model from a **local directory** (nothing is ever downloaded) and runs
it with ONNX Runtime (light, preferred) or with transformers and torch. It writes the same
values as the built-in component: ``sentiment`` (``positive``, ``neutral`` or ``negative``),
``sentiment_score`` (-1..1, P(positive) - P(negative)) and ``sentiment_confidence`` (the
probability of the chosen class).

The model's labels come from ``config.json`` (``id2label``): positive / neutral / negative in
any case or abbreviated (``POS``, ``NEU``, ``NEG``), star ratings (``1 star`` .. ``5 stars``), or
generic ``LABEL_0``, ``LABEL_1``... which need an explicit ``labels=`` mapping. Two-class
models say ``neutral`` when the score is within ``neutral_band`` of zero.

The component's name carries the model's identity, e.g.
``confiance.sentiment.hf.v1:xlm-sentiment@3fa2c1d0`` (directory name and the first 8 hex
digits of the SHA-256 of the weights file), so stored results say which model made them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from confiance.core.errors import ConfianceError
from confiance.enrich.component import Doc, EnrichError, ErrorHandler, batched, raise_errors

NAME = "confiance.sentiment.hf.v1"
CLASSES = ("negative", "neutral", "positive")
"""The three classes, in the column order of :attr:`LabelScheme.membership`."""

ONNX_FILES = ("model.onnx", "tokenizer.json", "config.json")
"""What an ONNX model directory must hold."""
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.safetensors.index.json",
                "pytorch_model.bin.index.json")
"""Weights a transformers model directory may hold (the first found is used)."""
FEEDS = ("input_ids", "attention_mask", "token_type_ids")
"""The ONNX graph inputs this backend can supply."""

Backend = Literal["auto", "onnx", "transformers"]
Device = Literal["cpu", "cuda"]
FloatArray = npt.NDArray[np.float64]

_ALIASES = {
    "positive": "positive", "pos": "positive", "very positive": "positive",
    "positif": "positive",
    "negative": "negative", "neg": "negative", "very negative": "negative",
    "negatif": "negative", "négatif": "negative",
    "neutral": "neutral", "neu": "neutral", "neutre": "neutral",
}
_STARS = re.compile(r"^([1-5]) stars?$")
_GENERIC = re.compile(r"^label ?\d+$")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_threads() -> int:
    """The default ONNX Runtime intra-op thread count: ``min(4, os.cpu_count())``."""
    return min(4, os.cpu_count() or 1)


@dataclass(frozen=True)
class LabelScheme:
    """How a model's outputs become a class, a score and a confidence.

    ``membership`` (K x 3, columns :data:`CLASSES`) sums output probabilities into class
    probabilities; ``weights`` (K) turns them into the score (+1 positive, -1 negative, 0
    neutral; for stars, the number of stars mapped from 1..5 to -1..1).
    """

    labels: tuple[str, ...]
    membership: FloatArray
    weights: FloatArray
    has_neutral: bool
    stars: bool

    def decide(self, logits: FloatArray, neutral_band: float
               ) -> list[tuple[str, float, float]]:
        """``(sentiment, score, confidence)`` for each row of ``logits`` (N x K)."""
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        probs = exp / exp.sum(axis=1, keepdims=True)
        per_class = probs @ self.membership
        scores = np.clip(probs @ self.weights, -1.0, 1.0)
        confidence = per_class.max(axis=1)
        if self.has_neutral:
            chosen = [CLASSES[int(i)] for i in per_class.argmax(axis=1)]
        else:
            chosen = ["neutral" if abs(s) < neutral_band else
                      ("positive" if s > 0 else "negative") for s in scores]
        return [(label, round(float(score), 4), round(float(conf), 4))
                for label, score, conf in zip(chosen, scores, confidence, strict=True)]


def _normal(label: str) -> str:
    return " ".join(label.strip().lower().replace("_", " ").replace("-", " ").split())


def label_scheme(id2label: Sequence[str], labels: Mapping[str, str] | None = None
                 ) -> LabelScheme:
    """Read a model's labels (in output order) as sentiment; raise ``E503`` if they are not.

    ``labels`` maps a label name (``LABEL_0``) or its index (``"0"``) to ``positive``,
    ``neutral`` or ``negative`` (or their abbreviations); it overrides the automatic reading.
    """
    names = tuple(id2label)
    shown = ", ".join(names)
    overrides = dict(labels or {})
    stray = [key for key in overrides
             if key not in names and not (key.isdigit() and int(key) < len(names))]
    if stray:
        raise ConfianceError("E503", labels=shown,
                             detail=f"labels= names {', '.join(stray)}, which the model lacks")
    classes: list[str | None] = []
    stars: list[int | None] = []
    for index, name in enumerate(names):
        wanted = overrides.get(name, overrides.get(str(index)))
        if wanted is not None:
            target = _ALIASES.get(_normal(wanted))
            if target is None:
                raise ConfianceError(
                    "E503", labels=shown,
                    detail=f"labels= maps {name!r} to {wanted!r}; use positive, neutral or "
                    "negative")
            classes.append(target)
            stars.append(None)
            continue
        normal = _normal(name)
        star = _STARS.match(normal)
        classes.append(_ALIASES.get(normal))
        stars.append(int(star.group(1)) if star else None)
    unknown = [name for name, cls, star in zip(names, classes, stars, strict=True)
               if cls is None and star is None]
    if unknown:
        generic = all(_GENERIC.match(_normal(name)) for name in unknown)
        detail = (f"{', '.join(unknown)} say nothing about which output is which"
                  if generic else f"{', '.join(unknown)} are not positive / neutral / "
                  "negative, POS / NEU / NEG or star ratings")
        raise ConfianceError("E503", labels=shown, detail=detail)
    if any(star is not None for star in stars):
        return _star_scheme(names, stars, shown)
    return _class_scheme(names, [c for c in classes if c is not None], shown)


def _star_scheme(names: tuple[str, ...], stars: list[int | None], shown: str) -> LabelScheme:
    if any(star is None for star in stars) or sorted(s or 0 for s in stars) != [1, 2, 3, 4, 5]:
        raise ConfianceError("E503", labels=shown,
                             detail="star ratings must be exactly 1 star to 5 stars, "
                             "without other labels")
    membership = np.zeros((len(names), 3))
    weights = np.zeros(len(names))
    for row, star in enumerate(stars):
        value = star or 3
        membership[row, 0 if value <= 2 else 1 if value == 3 else 2] = 1.0
        weights[row] = (value - 3) / 2
    return LabelScheme(names, membership, weights, has_neutral=True, stars=True)


def _class_scheme(names: tuple[str, ...], classes: list[str], shown: str) -> LabelScheme:
    if "positive" not in classes or "negative" not in classes:
        raise ConfianceError("E503", labels=shown,
                             detail="a sentiment model needs at least a positive and a "
                             "negative label")
    membership = np.zeros((len(names), 3))
    weights = np.zeros(len(names))
    for row, cls in enumerate(classes):
        membership[row, CLASSES.index(cls)] = 1.0
        weights[row] = {"positive": 1.0, "negative": -1.0}.get(cls, 0.0)
    return LabelScheme(names, membership, weights, has_neutral="neutral" in classes,
                       stars=False)


class _Runner(Protocol):
    """A loaded model: texts in, logits (N x K) out."""

    device: str

    def predict(self, texts: list[str]) -> FloatArray:
        """Logits for ``texts``, one row each."""
        ...


class _OnnxRunner:
    """``model.onnx`` with ONNX Runtime, tokenised by ``tokenizer.json``."""

    def __init__(self, path: Path, *, max_length: int, device: Device, threads: int,
                 pad_token_id: int | None) -> None:
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ConfianceError("E502", backend="onnx", detail=str(exc)) from exc
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        providers: list[str] = ["CPUExecutionProvider"]
        if device == "cuda":
            if "CUDAExecutionProvider" in ort.get_available_providers():
                providers.insert(0, "CUDAExecutionProvider")
            else:
                warnings.warn("device='cuda' asked, but this onnxruntime has no "
                              "CUDAExecutionProvider (install onnxruntime-gpu): running on "
                              "CPU", RuntimeWarning, stacklevel=3)
        self.session = ort.InferenceSession(str(path / "model.onnx"), sess_options=options,
                                            providers=providers)
        self.device = ("cuda" if "CUDAExecutionProvider" in self.session.get_providers()
                       else "cpu")
        inputs = {i.name: i for i in self.session.get_inputs()}
        extra = [name for name in inputs if name not in FEEDS]
        if extra or "input_ids" not in inputs:
            raise ConfianceError(
                "E501", path=str(path),
                detail=f"model.onnx takes inputs {', '.join(inputs)}; this backend supplies "
                "input_ids, attention_mask and (if the graph has it) token_type_ids")
        self.feeds = {name: np.int32 if "int32" in inputs[name].type else np.int64
                      for name in inputs}
        outputs = [o.name for o in self.session.get_outputs()]
        self.output = "logits" if "logits" in outputs else outputs[0]
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=max_length)
        pad_id, pad_token = self._pad(pad_token_id)
        self.tokenizer.enable_padding(pad_id=pad_id, pad_token=pad_token)

    def _pad(self, configured: int | None) -> tuple[int, str]:
        current = self.tokenizer.padding
        if current:
            return int(current["pad_id"]), str(current["pad_token"])
        if configured is not None:
            token = self.tokenizer.id_to_token(configured)
            if token is not None:
                return configured, token
        for token in ("[PAD]", "<pad>", "<PAD>"):
            found = self.tokenizer.token_to_id(token)
            if found is not None:
                return int(found), token
        return 0, self.tokenizer.id_to_token(0) or "[PAD]"

    def predict(self, texts: list[str]) -> FloatArray:
        """Tokenise (padded to the longest text of the batch), run, return the logits."""
        encodings = self.tokenizer.encode_batch(texts)
        columns = {"input_ids": [e.ids for e in encodings],
                   "attention_mask": [e.attention_mask for e in encodings],
                   "token_type_ids": [e.type_ids for e in encodings]}
        feed = {name: np.asarray(columns[name], dtype=dtype)
                for name, dtype in self.feeds.items()}
        (logits,) = self.session.run([self.output], feed)
        return np.asarray(logits, dtype=np.float64)


class _TransformersRunner:
    """Whatever ``AutoModelForSequenceClassification`` loads from the directory, on torch."""

    def __init__(self, path: Path, *, max_length: int, device: Device) -> None:
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ConfianceError("E502", backend="transformers", detail=str(exc)) from exc
        self.torch = torch
        self.device = "cpu"
        if device == "cuda":
            if torch.cuda.is_available():
                self.device = "cuda"
            else:
                warnings.warn("device='cuda' asked, but torch sees no CUDA device: running "
                              "on CPU", RuntimeWarning, stacklevel=3)
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(str(path),
                                                                   local_files_only=True)
        model.eval()
        self.model = model.to(self.device)

    def predict(self, texts: list[str]) -> FloatArray:
        """Tokenise (padded to the longest text of the batch), run, return the logits."""
        encoded = self.tokenizer(texts, padding=True, truncation=True,
                                 max_length=self.max_length, return_tensors="pt")
        encoded = {name: tensor.to(self.device) for name, tensor in encoded.items()}
        with self.torch.inference_mode():
            logits = self.model(**encoded).logits
        return np.asarray(logits.float().cpu().numpy(), dtype=np.float64)


def _installed(*modules: str) -> bool:
    """Whether every module can be imported (without importing it)."""
    return all(importlib.util.find_spec(module) is not None for module in modules)


def _weights(path: Path) -> list[Path]:
    """The transformers weight files of ``path`` (shards included), or none."""
    for name in WEIGHT_FILES:
        if (path / name).is_file():
            if name.endswith(".index.json"):
                stem = name.removesuffix(".index.json").rsplit(".", 1)
                shards = sorted(path.glob(f"{stem[0]}-*.{stem[1]}"))
                return [path / name, *shards]
            return [path / name]
    return []


def _fingerprint(files: Sequence[Path]) -> str:
    """The first 8 hex digits of the SHA-256 of ``files``, read in order."""
    digest = hashlib.sha256()
    for file in files:
        with file.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:8]


def _read_config(path: Path) -> dict[str, Any]:
    config = path / "config.json"
    if not config.is_file():
        raise ConfianceError("E501", path=str(path), detail="config.json is missing")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfianceError("E501", path=str(path),
                             detail=f"config.json cannot be read ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfianceError("E501", path=str(path), detail="config.json is not a JSON object")
    return data


def _id2label(path: Path, config: Mapping[str, Any]) -> list[str]:
    """The labels of ``config.json`` in output order."""
    raw = config.get("id2label")
    if not isinstance(raw, dict) or not raw:
        raise ConfianceError("E501", path=str(path), detail="config.json has no id2label")
    try:
        ordered = {int(key): str(value) for key, value in raw.items()}
    except ValueError as exc:
        raise ConfianceError("E501", path=str(path),
                             detail=f"config.json id2label keys are not numbers ({exc})"
                             ) from exc
    if sorted(ordered) != list(range(len(ordered))):
        raise ConfianceError("E501", path=str(path),
                             detail="config.json id2label keys are not 0, 1, ... N-1")
    return [ordered[i] for i in range(len(ordered))]


class HFSentiment:
    """Sentiment of each doc's title and text from a local Hugging Face classification model.

    ``path`` is a directory with either ``model.onnx`` + ``tokenizer.json`` + ``config.json``
    (ONNX Runtime) or what ``save_pretrained()`` writes (transformers + torch). ``backend``
    ``auto`` takes ONNX when ``model.onnx`` exists, else transformers when installed.
    ``batch_size`` texts go through the model at once (sorted by length to save padding);
    ``threads`` sets ONNX Runtime's intra-op threads; ``device="cuda"`` uses a GPU when the
    runtime has one (a warning says when it does not, and the CPU is used).
    """

    reads: tuple[str, ...] = ("text", "title")
    writes: tuple[str, ...] = ("sentiment", "sentiment_score", "sentiment_confidence")

    def __init__(self, path: str | os.PathLike[str], *, backend: Backend = "auto",
                 max_length: int = 128, batch_size: int = 32,
                 labels: Mapping[str, str] | None = None, neutral_band: float = 0.2,
                 device: Device = "cpu", threads: int | None = None) -> None:
        if backend not in ("auto", "onnx", "transformers"):
            raise ValueError(f"backend must be auto, onnx or transformers, not {backend!r}")
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device must be cpu or cuda, not {device!r}")
        if max_length < 1 or batch_size < 1:
            raise ValueError("max_length and batch_size must be at least 1")
        self.path = Path(path).expanduser()
        self.max_length = max_length
        self.batch_size = batch_size
        self.neutral_band = neutral_band
        self.device: Device = device
        self.threads = threads if threads is not None else default_threads()
        if not self.path.is_dir():
            raise ConfianceError("E501", path=str(self.path), detail="no such directory")
        config = _read_config(self.path)
        self.backend: Literal["onnx", "transformers"] = self._choose(backend)
        self.scheme = label_scheme(_id2label(self.path, config), labels)
        files = ([self.path / "model.onnx"] if self.backend == "onnx"
                 else _weights(self.path))
        self._pad_token_id = (config["pad_token_id"]
                              if isinstance(config.get("pad_token_id"), int) else None)
        model_id = _SAFE.sub("-", self.path.resolve().name).strip("-") or "model"
        self.name = f"{NAME}:{model_id}@{_fingerprint(files)}"
        self._runner: _Runner | None = None

    def _choose(self, backend: Backend) -> Literal["onnx", "transformers"]:
        """The backend to use; ``E501`` if its files are missing, ``E502`` if not installed."""
        has_onnx = (self.path / "model.onnx").is_file()
        has_weights = bool(_weights(self.path))
        onnx_ready = _installed("onnxruntime", "tokenizers")
        torch_ready = _installed("transformers", "torch")
        if backend == "auto":
            if has_onnx and (onnx_ready or not (has_weights and torch_ready)):
                backend = "onnx"
            elif has_weights:
                backend = "transformers"
            else:
                raise ConfianceError("E501", path=str(self.path),
                                     detail="neither model.onnx nor transformers weights "
                                     f"({', '.join(WEIGHT_FILES[:2])}) are there")
        if backend == "onnx":
            missing = [name for name in ONNX_FILES if not (self.path / name).is_file()]
            if missing:
                raise ConfianceError("E501", path=str(self.path),
                                     detail=f"{', '.join(missing)} missing for ONNX")
            if not onnx_ready:
                raise ConfianceError("E502", backend="onnx",
                                     detail="onnxruntime and tokenizers are not both installed")
            return "onnx"
        if not has_weights:
            raise ConfianceError("E501", path=str(self.path),
                                 detail="no weights file (model.safetensors or "
                                 "pytorch_model.bin) for transformers")
        if not torch_ready:
            raise ConfianceError("E502", backend="transformers",
                                 detail="transformers and torch are not both installed")
        return "transformers"

    def load(self) -> HFSentiment:
        """Load the model now (otherwise it loads with the first batch); returns self."""
        if self._runner is None:
            if self.backend == "onnx":
                self._runner = _OnnxRunner(self.path, max_length=self.max_length,
                                           device=self.device, threads=self.threads,
                                           pad_token_id=self._pad_token_id)
            else:
                self._runner = _TransformersRunner(self.path, max_length=self.max_length,
                                                   device=self.device)
        return self

    @property
    def device_in_use(self) -> str:
        """Where the model runs (``cpu`` or ``cuda``); loads it if needed."""
        self.load()
        assert self._runner is not None
        return self._runner.device

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 256,
             on_error: ErrorHandler = raise_errors) -> Iterator[Doc]:
        """Set ``sentiment``, ``sentiment_score`` (-1..1) and ``sentiment_confidence`` (0..1).

        A doc that cannot be read (text not a string) or that fails in the model is reported
        to ``on_error`` and the others go on: a failed model batch is retried doc by doc. An
        empty text is ``neutral`` with score 0. Configuration errors (``E50x``) are raised.
        """
        for batch in batched(docs, batch_size):
            ready: list[tuple[Doc, str]] = []
            for doc in batch:
                try:
                    text = self._text(doc)
                except Exception as exc:  # noqa: BLE001 - reported, the batch goes on
                    on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
                    continue
                if text.strip():
                    ready.append((doc, text))
                else:
                    self._write(doc, ("neutral", 0.0, 1.0))
            if ready:
                self.load()
                ready.sort(key=lambda item: len(item[1]))
                for start in range(0, len(ready), self.batch_size):
                    self._run(ready[start:start + self.batch_size], on_error)
            yield from batch

    def _run(self, chunk: list[tuple[Doc, str]], on_error: ErrorHandler) -> None:
        """Run one model batch; if it fails, run its docs one by one to find the bad one."""
        assert self._runner is not None
        try:
            logits = self._runner.predict([text for _, text in chunk])
            self._check(logits, len(chunk))
        except ConfianceError:
            raise
        except Exception as exc:  # noqa: BLE001 - isolated below, the batch goes on
            if len(chunk) == 1:
                doc = chunk[0][0]
                on_error(EnrichError(doc.key, self.name, f"{type(exc).__name__}: {exc}"))
                return
            for item in chunk:
                self._run([item], on_error)
            return
        for (doc, _), result in zip(chunk, self.scheme.decide(logits, self.neutral_band),
                                    strict=True):
            self._write(doc, result)

    def _check(self, logits: FloatArray, rows: int) -> None:
        width = len(self.scheme.labels)
        if logits.ndim != 2 or logits.shape[1] != width:
            raise ConfianceError("E503", labels=", ".join(self.scheme.labels),
                                 detail=f"the model outputs shape {logits.shape}, but "
                                 f"config.json names {width} labels")
        if logits.shape[0] != rows:
            raise RuntimeError(f"the model returned {logits.shape[0]} rows for {rows} texts")
        if not np.isfinite(logits).all():
            raise FloatingPointError("the model returned NaN or infinite logits")

    def _write(self, doc: Doc, result: tuple[str, float, float]) -> None:
        label, score, confidence = result
        doc.set("sentiment", label, self.name)
        doc.set("sentiment_score", score, self.name)
        doc.set("sentiment_confidence", confidence, self.name)

    @staticmethod
    def _text(doc: Doc) -> str:
        """The title (reviews, videos) then the text, as the built-in component reads them."""
        if not isinstance(doc.text, str):
            raise TypeError(f"text is {type(doc.text).__name__}, not str")
        if doc.title is None:
            return doc.text
        if not isinstance(doc.title, str):
            raise TypeError(f"title is {type(doc.title).__name__}, not str")
        title = doc.title.strip()
        if not title:
            return doc.text
        return f"{title} {doc.text}" if title[-1] in ".!?…" else f"{title}. {doc.text}"

    def to_disk(self, path: Path) -> None:
        """Nothing to save: the model is read from its own directory, never changed."""

    def from_disk(self, path: Path) -> HFSentiment:
        """Nothing to load."""
        return self
