"""The Hugging Face sentiment backend, on tiny models built here (nothing is downloaded).

Each model is an ONNX graph made with ``onnx.helper``: embeddings of the tokens, averaged over
the attention mask, times a matrix, gives the logits. The tests compute the same forward pass
with numpy, so wrong wiring (labels, softmax, padding, mask, truncation) makes them fail.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

onnx = pytest.importorskip("onnx", reason="onnx builds the test models (dev extra)")
pytest.importorskip("onnxruntime", reason="the ONNX backend needs onnxruntime (onnx extra)")
tokenizers = pytest.importorskip("tokenizers", reason="tokenizers is in the onnx extra")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from confiance.core.errors import ConfianceError  # noqa: E402
from confiance.enrich import sentiment_hf  # noqa: E402
from confiance.enrich.component import Component, Doc, EnrichError  # noqa: E402
from confiance.enrich.sentiment_hf import NAME, HFSentiment, label_scheme  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "good", "great", "bad", "awful", "nice", "the", "film", "is",
         "really", "and", "bon", "nul", "pas", "ok"]
DIM = 8
THREE = {"0": "negative", "1": "neutral", "2": "positive"}


def crafted_table() -> np.ndarray:
    """Dimension 0 is positive evidence, 1 negative, 2 is 1 for every real token.

    ``[PAD]`` carries strong negative evidence: a backend that let padding through the mask
    would turn short positive texts negative.
    """
    table = np.zeros((len(VOCAB), DIM), dtype=np.float32)
    table[:, 2] = 1.0
    for word, pos, neg in [("good", 4, 0), ("great", 5, 0), ("bon", 4, 0), ("bad", 0, 4),
                           ("awful", 0, 5), ("nul", 0, 4), ("nice", 0.2, 0)]:
        table[VOCAB.index(word), :2] = (pos, neg)
    table[VOCAB.index("[PAD]")] = (0, 10, 0, 0, 0, 0, 0, 0)
    return table


def build_model(directory: Path, *, table: np.ndarray, weights: np.ndarray,
                id2label: dict[str, str], token_types: bool = False,
                extra_input: str | None = None) -> Path:
    """Write model.onnx, tokenizer.json and config.json for a mean-of-embeddings classifier."""
    directory.mkdir(parents=True, exist_ok=True)
    labels = weights.shape[1]
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    inputs = [ids, mask]
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", labels])
    init = [numpy_helper.from_array(table.astype(np.float32), "table"),
            numpy_helper.from_array(weights.astype(np.float32), "weights"),
            numpy_helper.from_array(np.array([2], dtype=np.int64), "axis2"),
            numpy_helper.from_array(np.array([1], dtype=np.int64), "axis1"),
            numpy_helper.from_array(np.array([1e-6], dtype=np.float32), "eps")]
    nodes = [
        helper.make_node("Gather", ["table", "input_ids"], ["emb"], axis=0),
        helper.make_node("Cast", ["attention_mask"], ["maskf"], to=TensorProto.FLOAT),
        helper.make_node("Unsqueeze", ["maskf", "axis2"], ["mask3"]),
        helper.make_node("Mul", ["emb", "mask3"], ["masked"]),
        helper.make_node("ReduceSum", ["masked", "axis1"], ["summed"], keepdims=0),
        helper.make_node("ReduceSum", ["mask3", "axis1"], ["count"], keepdims=0),
        helper.make_node("Max", ["count", "eps"], ["safe"]),
        helper.make_node("Div", ["summed", "safe"], ["mean"]),
    ]
    last = "raw"
    nodes.append(helper.make_node("MatMul", ["mean", "weights"], [last]))
    if token_types:  # used (adds the sum of type ids, 0 for one sentence), so it must be fed
        inputs.append(helper.make_tensor_value_info("token_type_ids", TensorProto.INT64,
                                                    ["batch", "seq"]))
        nodes += [helper.make_node("Cast", ["token_type_ids"], ["typef"], to=TensorProto.FLOAT),
                  helper.make_node("ReduceSum", ["typef", "axis1"], ["types"], keepdims=1),
                  helper.make_node("Add", [last, "types"], ["typed"])]
        last = "typed"
    if extra_input:
        inputs.append(helper.make_tensor_value_info(extra_input, TensorProto.INT64,
                                                    ["batch", "seq"]))
        nodes += [helper.make_node("Cast", [extra_input], ["extraf"], to=TensorProto.FLOAT),
                  helper.make_node("ReduceSum", ["extraf", "axis1"], ["extras"], keepdims=1),
                  helper.make_node("Mul", ["extras", "eps"], ["tiny"]),
                  helper.make_node("Add", [last, "tiny"], ["extra_out"])]
        last = "extra_out"
    nodes.append(helper.make_node("Identity", [last], ["logits"]))
    graph = helper.make_graph(nodes, "tiny-sentiment", inputs, [logits], init)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(directory / "model.onnx"))
    build_tokenizer(directory)
    (directory / "config.json").write_text(json.dumps({"id2label": id2label,
                                                       "pad_token_id": 0}))
    return directory


def build_tokenizer(directory: Path) -> None:
    """A WordLevel tokenizer over VOCAB, lower-cased, split on whitespace and punctuation."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

    tok = Tokenizer(models.WordLevel(vocab={w: i for i, w in enumerate(VOCAB)},
                                     unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    tok.enable_truncation(max_length=512)
    tok.save(str(directory / "tokenizer.json"))


def reference(texts: Sequence[str], table: np.ndarray, weights: np.ndarray,
              max_length: int = 128) -> np.ndarray:
    """The probabilities the model should give, computed with numpy, one text at a time."""
    rows = []
    for text in texts:
        words = re.findall(r"\w+|[^\w\s]+", text.lower())[:max_length]
        ids = [VOCAB.index(w) if w in VOCAB else VOCAB.index("[UNK]") for w in words]
        logits = table[ids].astype(np.float64).mean(axis=0) @ weights.astype(np.float64)
        exp = np.exp(logits - logits.max())
        rows.append(exp / exp.sum())
    return np.array(rows)


def three_class_weights() -> np.ndarray:
    """Logits (negative, neutral, positive) = (dim 1, dim 2, dim 0)."""
    weights = np.zeros((DIM, 3), dtype=np.float32)
    weights[1, 0] = weights[2, 1] = weights[0, 2] = 1.0
    return weights


def random_model(directory: Path, labels: int = 3, seed: int = 0,
                 id2label: dict[str, str] | None = None) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(len(VOCAB), DIM)).astype(np.float32)
    weights = rng.normal(size=(DIM, labels)).astype(np.float32)
    build_model(directory, table=table, weights=weights, id2label=id2label or THREE)
    return directory, table, weights


@pytest.fixture
def crafted(tmp_path: Path) -> Path:
    return build_model(tmp_path / "crafted-3", table=crafted_table(),
                       weights=three_class_weights(), id2label=THREE)


def run(component: HFSentiment, texts: Sequence[Any], **kwargs: Any
        ) -> tuple[list[Doc], list[EnrichError]]:
    errors: list[EnrichError] = []
    docs = [Doc(key=("text", str(i)), text=t) for i, t in enumerate(texts)]
    out = list(component.pipe(docs, on_error=errors.append, **kwargs))
    return out, errors


def results(docs: list[Doc]) -> list[tuple[str, float, float]]:
    return [(d.values["sentiment"], d.values["sentiment_score"],
             d.values["sentiment_confidence"]) for d in docs]


TEXTS = ["good", "bad", "the film is good", "the film is really bad and awful", "ok",
         "bon", "pas nul", "great great great", "the film", "nice", "zzz unknown words",
         "Good!", "BAD.", "the film is good and bad"]


def test_a_random_model_gives_values_in_range_matching_numpy(tmp_path: Path) -> None:
    path, table, weights = random_model(tmp_path / "random")
    component = HFSentiment(path, batch_size=4)
    assert isinstance(component, Component)
    docs, errors = run(component, TEXTS)
    assert not errors
    probs = reference(TEXTS, table, weights)
    for doc, p in zip(docs, probs, strict=True):
        label = doc.values["sentiment"]
        score = doc.values["sentiment_score"]
        confidence = doc.values["sentiment_confidence"]
        assert label in {"positive", "neutral", "negative"}
        assert -1.0 <= score <= 1.0 and 0.0 <= confidence <= 1.0
        assert score == pytest.approx(p[2] - p[0], abs=1e-3)
        assert confidence == pytest.approx(p.max(), abs=1e-3)
        assert label == ("negative", "neutral", "positive")[int(p.argmax())]
        assert np.sign(score) == np.sign(p[2] - p[0])
        assert set(doc.made_by.values()) == {component.name}
    # deterministic: a second run, in another batch layout, gives the same values
    again, _ = run(HFSentiment(path, batch_size=32), TEXTS)
    assert [r[0] for r in results(again)] == [r[0] for r in results(docs)]
    for (_, s1, c1), (_, s2, c2) in zip(results(again), results(docs), strict=True):
        assert s1 == pytest.approx(s2, abs=1e-4) and c1 == pytest.approx(c2, abs=1e-4)


def test_a_crafted_model_gives_the_expected_classes(crafted: Path) -> None:
    texts = ["good", "great!", "bad", "awful", "the film", "the film is great",
             "the film is really bad and awful", "bon", "nul"]
    docs, _ = run(HFSentiment(crafted), texts)
    got = [d.values["sentiment"] for d in docs]
    assert got == ["positive", "positive", "negative", "negative", "neutral", "positive",
                   "negative", "positive", "negative"]
    scores = [d.values["sentiment_score"] for d in docs]
    assert scores[0] > 0.9 and scores[2] < -0.9 and abs(scores[4]) < 1e-6
    expected = reference(texts, crafted_table(), three_class_weights())
    assert scores == pytest.approx(list(expected[:, 2] - expected[:, 0]), abs=1e-3)


def test_padding_and_mask_give_the_same_result_alone_or_in_a_batch(crafted: Path) -> None:
    component = HFSentiment(crafted, batch_size=8)
    alone, _ = run(component, ["good"])
    batch, _ = run(component, ["the film is really bad and awful and bad", "good", "nice"])
    # [PAD] is strongly negative in this model: only the mask keeps "good" positive
    assert alone[0].values["sentiment"] == batch[1].values["sentiment"] == "positive"
    assert alone[0].values["sentiment_score"] == pytest.approx(
        batch[1].values["sentiment_score"], abs=1e-5)
    nice_alone, _ = run(component, ["nice"])
    assert nice_alone[0].values["sentiment_score"] == pytest.approx(
        batch[2].values["sentiment_score"], abs=1e-5)


def test_truncation_to_max_length(crafted: Path) -> None:
    text = "bad bad good good good good"
    short, _ = run(HFSentiment(crafted, max_length=2), [text])
    full, _ = run(HFSentiment(crafted), [text])
    assert short[0].values["sentiment"] == "negative"
    assert full[0].values["sentiment"] == "positive"


def test_title_is_read_with_the_text(crafted: Path) -> None:
    docs = [Doc(key=("text", "0"), text="the film", title="Great"),
            Doc(key=("text", "1"), text="", title="Awful!"),
            Doc(key=("text", "2"), text="good", title=5)]  # type: ignore[arg-type]
    errors: list[EnrichError] = []
    out = list(HFSentiment(crafted).pipe(docs, on_error=errors.append))
    assert [d.values.get("sentiment") for d in out] == ["positive", "negative", None]
    assert [e.key for e in errors] == [("text", "2")] and "title is int" in errors[0].reason


def test_empty_text_is_neutral_without_running_the_model(crafted: Path) -> None:
    component = HFSentiment(crafted)
    docs, errors = run(component, ["", "   "])
    assert not errors
    assert results(docs) == [("neutral", 0.0, 1.0), ("neutral", 0.0, 1.0)]
    assert component._runner is None  # nothing to run: the model was not even loaded


def test_name_says_which_model_made_the_values(crafted: Path) -> None:
    component = HFSentiment(crafted)
    digest = hashlib.sha256((crafted / "model.onnx").read_bytes()).hexdigest()[:8]
    assert component.name == f"{NAME}:crafted-3@{digest}"
    (doc,) = component.pipe([Doc.from_text("good", 0)])
    assert doc.made_by == {"sentiment": component.name, "sentiment_score": component.name,
                           "sentiment_confidence": component.name}
    other, _, _ = random_model(crafted.parent / "crafted-3-bis")
    assert HFSentiment(other).name.rsplit("@", 1)[1] != digest


def test_star_ratings(tmp_path: Path) -> None:
    # logits: 1 star <- negative evidence, 3 stars <- the constant, 5 stars <- positive
    weights = np.zeros((DIM, 5), dtype=np.float32)
    weights[1, 0] = weights[2, 2] = weights[0, 4] = 1.0
    stars = {str(i): f"{i + 1} star" + ("s" if i else "") for i in range(5)}
    path = build_model(tmp_path / "stars", table=crafted_table(), weights=weights,
                       id2label=stars)
    texts = ["great", "awful", "the film", "the film is good"]
    docs, _ = run(HFSentiment(path), texts)
    assert [d.values["sentiment"] for d in docs] == ["positive", "negative", "neutral",
                                                      "positive"]
    p = reference(texts, crafted_table(), weights)
    expected_stars = p @ np.arange(1, 6)
    assert [d.values["sentiment_score"] for d in docs] == pytest.approx(
        list((expected_stars - 3) / 2), abs=1e-3)
    assert docs[0].values["sentiment_score"] > 0.9
    assert docs[2].values["sentiment_score"] == pytest.approx(0.0, abs=1e-6)
    aggregated = [p[:, :2].sum(1), p[:, 2], p[:, 3:].sum(1)]
    assert [d.values["sentiment_confidence"] for d in docs] == pytest.approx(
        list(np.max(aggregated, axis=0)), abs=1e-3)


def test_two_classes_use_the_neutral_band(tmp_path: Path) -> None:
    weights = np.zeros((DIM, 2), dtype=np.float32)
    weights[1, 0] = weights[0, 1] = 1.0
    path = build_model(tmp_path / "two", table=crafted_table(), weights=weights,
                       id2label={"0": "NEG", "1": "POS"})
    texts = ["good", "bad", "the film", "nice"]
    docs, _ = run(HFSentiment(path), texts)
    assert [d.values["sentiment"] for d in docs] == ["positive", "negative", "neutral",
                                                      "neutral"]
    nice = docs[3].values["sentiment_score"]
    assert 0.05 < nice < 0.2  # "nice" leans positive, inside the default band
    docs, _ = run(HFSentiment(path, neutral_band=0.05), texts)
    assert docs[3].values["sentiment"] == "positive"
    assert docs[2].values["sentiment"] == "neutral"  # a score of exactly 0 stays neutral


def test_generic_labels_need_a_mapping(tmp_path: Path) -> None:
    generic = {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}
    path = build_model(tmp_path / "generic", table=crafted_table(),
                       weights=three_class_weights(), id2label=generic)
    with pytest.raises(ConfianceError) as caught:
        HFSentiment(path)
    assert caught.value.code == "E503"
    assert "LABEL_0, LABEL_1, LABEL_2" in caught.value.message
    assert "labels=" in caught.value.message
    mapped = HFSentiment(path, labels={"LABEL_0": "negative", "LABEL_1": "neutral",
                                       "LABEL_2": "positive"})
    docs, _ = run(mapped, ["good", "bad", "the film"])
    assert [d.values["sentiment"] for d in docs] == ["positive", "negative", "neutral"]
    swapped = HFSentiment(path, labels={"0": "positive", "1": "neutral", "2": "NEG"})
    docs, _ = run(swapped, ["good", "bad"])
    assert [d.values["sentiment"] for d in docs] == ["negative", "positive"]


@pytest.mark.parametrize(("labels", "message"), [
    ({"LABEL_3": "positive"}, "LABEL_3"),
    ({"LABEL_0": "happy"}, "'happy'"),
])
def test_a_bad_mapping_is_a_clear_error(tmp_path: Path, labels: dict[str, str],
                                        message: str) -> None:
    generic = {"0": "LABEL_0", "1": "LABEL_1", "2": "LABEL_2"}
    path = build_model(tmp_path / "generic", table=crafted_table(),
                       weights=three_class_weights(), id2label=generic)
    with pytest.raises(ConfianceError, match=message) as caught:
        HFSentiment(path, labels=labels)
    assert caught.value.code == "E503"


@pytest.mark.parametrize(("names", "classes", "neutral"), [
    (["Negative", "NEUTRAL", "positive"], ["negative", "neutral", "positive"], True),
    (["POS", "NEG", "NEU"], ["positive", "negative", "neutral"], True),
    (["neg", "pos"], ["negative", "positive"], False),
    (["Very Negative", "Negative", "Neutral", "Positive", "Very Positive"],
     ["negative", "negative", "neutral", "positive", "positive"], True),
    (["négatif", "neutre", "positif"], ["negative", "neutral", "positive"], True),
])
def test_label_names_are_read_in_any_case(names: list[str], classes: list[str],
                                          neutral: bool) -> None:
    scheme = label_scheme(names)
    got = [("negative", "neutral", "positive")[int(row.argmax())] for row in scheme.membership]
    assert got == classes
    assert scheme.has_neutral is neutral and not scheme.stars
    assert list(scheme.weights) == [{"positive": 1, "negative": -1}.get(c, 0) for c in classes]


@pytest.mark.parametrize("names", [
    ["joy", "anger", "sadness"],
    ["1 star", "2 stars", "3 stars"],
    ["1 star", "2 stars", "3 stars", "4 stars", "positive"],
    ["neutral", "positive"],
])
def test_unknown_labels_are_a_clear_error(names: list[str]) -> None:
    with pytest.raises(ConfianceError) as caught:
        label_scheme(names)
    assert caught.value.code == "E503"
    assert ", ".join(names) in caught.value.message


def test_other_labels_can_be_mapped_many_to_one() -> None:
    scheme = label_scheme(["joy", "anger", "sadness", "surprise"],
                          {"joy": "positive", "anger": "negative", "sadness": "negative",
                           "surprise": "neutral"})
    logits = np.log(np.array([[0.5, 0.1, 0.2, 0.2]]))
    ((label, score, confidence),) = scheme.decide(logits, 0.2)
    assert label == "positive"
    assert score == pytest.approx(0.5 - 0.3) and confidence == pytest.approx(0.5)


def test_missing_files_are_e501(tmp_path: Path, crafted: Path) -> None:
    with pytest.raises(ConfianceError, match="no such directory") as caught:
        HFSentiment(tmp_path / "nowhere")
    assert caught.value.code == "E501"
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfianceError, match=r"config\.json is missing"):
        HFSentiment(tmp_path / "empty")
    (crafted / "tokenizer.json").unlink()
    with pytest.raises(ConfianceError, match=r"tokenizer\.json missing") as caught:
        HFSentiment(crafted)
    assert caught.value.code == "E501" and "model.onnx, tokenizer.json" in caught.value.message
    (crafted / "model.onnx").unlink()
    with pytest.raises(ConfianceError, match=r"neither model\.onnx nor"):
        HFSentiment(crafted)
    with pytest.raises(ConfianceError, match="no weights file"):
        HFSentiment(crafted, backend="transformers")


def test_a_config_without_labels_is_e501(crafted: Path) -> None:
    (crafted / "config.json").write_text(json.dumps({"model_type": "bert"}))
    with pytest.raises(ConfianceError, match="no id2label") as caught:
        HFSentiment(crafted)
    assert caught.value.code == "E501"
    (crafted / "config.json").write_text("{not json")
    with pytest.raises(ConfianceError, match="cannot be read"):
        HFSentiment(crafted)


def test_a_missing_backend_is_e502(crafted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sentiment_hf, "_installed", lambda *modules: False)
    with pytest.raises(ConfianceError) as caught:
        HFSentiment(crafted)
    assert caught.value.code == "E502"
    assert "pip install 'confiance[onnx]'" in caught.value.message
    (crafted / "model.safetensors").write_bytes(b"not really weights")
    with pytest.raises(ConfianceError) as caught:
        HFSentiment(crafted, backend="transformers")
    assert caught.value.code == "E502"
    assert "pip install 'confiance[transformers]'" in caught.value.message


def test_a_graph_needing_other_inputs_is_e501(tmp_path: Path) -> None:
    path = build_model(tmp_path / "extra", table=crafted_table(),
                       weights=three_class_weights(), id2label=THREE,
                       extra_input="position_ids")
    component = HFSentiment(path)
    with pytest.raises(ConfianceError, match="position_ids") as caught:
        run(component, ["good"])
    assert caught.value.code == "E501"


def test_token_type_ids_are_fed_when_the_graph_takes_them(tmp_path: Path,
                                                          crafted: Path) -> None:
    typed = build_model(tmp_path / "typed", table=crafted_table(),
                        weights=three_class_weights(), id2label=THREE, token_types=True)
    texts = ["good", "the film is really bad", "the film"]
    with_types, errors = run(HFSentiment(typed), texts)
    assert not errors
    plain, _ = run(HFSentiment(crafted), texts)
    assert results(with_types) == results(plain)


def test_more_outputs_than_labels_is_e503(tmp_path: Path) -> None:
    path = build_model(tmp_path / "mismatch", table=crafted_table(),
                       weights=three_class_weights(), id2label={"0": "neg", "1": "pos"})
    with pytest.raises(ConfianceError, match="names 2 labels") as caught:
        run(HFSentiment(path), ["good"])
    assert caught.value.code == "E503"


def test_a_bad_doc_is_reported_and_the_batch_goes_on(crafted: Path) -> None:
    component = HFSentiment(crafted)
    docs, errors = run(component, ["good", 42, "bad", None])
    assert [e.key for e in errors] == [("text", "1"), ("text", "3")]
    assert all(e.component == component.name and "TypeError" in e.reason for e in errors)
    assert docs[0].values["sentiment"] == "positive"
    assert docs[2].values["sentiment"] == "negative"
    assert docs[1].values == {} and docs[3].values == {}
    with pytest.raises(RuntimeError, match="TypeError"):
        list(component.pipe([Doc(key=("text", "0"), text=42)]))  # type: ignore[arg-type]


def test_a_failing_model_batch_is_retried_doc_by_doc(crafted: Path) -> None:
    component = HFSentiment(crafted, batch_size=8).load()
    runner = component._runner
    assert runner is not None
    calls: list[list[str]] = []
    real = runner.predict

    def flaky(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        if any("boom" in t for t in texts):
            raise RuntimeError("kernel exploded")
        return real(texts)

    runner.predict = flaky  # type: ignore[method-assign]
    docs, errors = run(component, ["good", "boom bad", "bad", "the film"])
    assert [e.key for e in errors] == [("text", "1")]
    assert "kernel exploded" in errors[0].reason
    assert [d.values.get("sentiment") for d in docs] == ["positive", None, "negative",
                                                         "neutral"]
    assert len(calls[0]) == 4 and all(len(c) == 1 for c in calls[1:])
    assert len(calls) == 5


def test_threads_and_device(crafted: Path) -> None:
    component = HFSentiment(crafted, threads=2).load()
    assert component._runner is not None
    session = component._runner.session  # type: ignore[attr-defined]
    assert session.get_session_options().intra_op_num_threads == 2
    assert component.device_in_use == "cpu"
    assert HFSentiment(crafted).threads == sentiment_hf.default_threads() <= 4
    import onnxruntime

    gpu = HFSentiment(crafted, device="cuda")
    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        assert gpu.device_in_use == "cuda"
    else:
        with pytest.warns(RuntimeWarning, match="CUDAExecutionProvider"):
            assert gpu.device_in_use == "cpu"
    docs, _ = run(gpu, ["good", "bad"])
    assert [d.values["sentiment"] for d in docs] == ["positive", "negative"]


def test_bad_arguments_are_rejected(crafted: Path) -> None:
    with pytest.raises(ValueError, match="backend"):
        HFSentiment(crafted, backend="tensorflow")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="device"):
        HFSentiment(crafted, device="tpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        HFSentiment(crafted, batch_size=0)


def test_the_transformers_backend(tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the transformers backend needs torch")
    transformers = pytest.importorskip("transformers",
                                       reason="the transformers backend needs transformers")
    import torch

    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=len(VOCAB), hidden_size=8,
                                     num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=16, max_position_embeddings=64,
                                     id2label={0: "negative", 1: "neutral", 2: "positive"},
                                     label2id={"negative": 0, "neutral": 1, "positive": 2},
                                     pad_token_id=0, initializer_range=1.0)
    model = transformers.BertForSequenceClassification(config).eval()
    path = tmp_path / "tiny-bert"
    model.save_pretrained(path)
    build_tokenizer(path)
    from tokenizers import Tokenizer

    fast = transformers.PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer.from_file(str(path / "tokenizer.json")),
        pad_token="[PAD]", unk_token="[UNK]")
    fast.save_pretrained(path)
    component = HFSentiment(path)
    assert component.backend == "transformers"
    docs, errors = run(component, TEXTS)
    assert not errors
    with torch.inference_mode():
        for doc, text in zip(docs, TEXTS, strict=True):
            encoded = fast([text], return_tensors="pt")
            p = torch.softmax(model(**encoded).logits, -1)[0].numpy()
            assert doc.values["sentiment_score"] == pytest.approx(p[2] - p[0], abs=1e-3)
            assert doc.values["sentiment"] == ("negative", "neutral", "positive")[p.argmax()]
    assert max(abs(d.values["sentiment_score"]) for d in docs) > 0.05  # not a flat model


# --- the store's pipeline with CONFIANCE_SENTIMENT_MODEL ---------------------------------


def test_a_model_directory_replaces_the_built_in_sentiment_in_the_pipeline(crafted: Path
                                                                          ) -> None:
    from confiance.enrich.pipeline import PipelineSpec

    pipeline = PipelineSpec(sentiment_model=str(crafted)).build()
    hf = HFSentiment(crafted).name
    assert hf in pipeline.names and "confiance.sentiment.v1" not in pipeline.names
    docs = list(pipeline.pipe([Doc.from_text("the film is great", 0),
                               Doc.from_text("awful", 1)]))
    assert [d.values["sentiment"] for d in docs] == ["positive", "negative"]
    assert {d.made_by["sentiment"] for d in docs} == {hf}
    assert all("intent" in d.values for d in docs)  # the rest of the pipeline still runs


def test_the_setting_applies_to_imports_and_a_missing_model_is_e501(
        crafted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.cli.test_cli import run, run_json

    url = f"sqlite:///{tmp_path / 'c.db'}"
    stream = tmp_path / "posts.ndjson"
    stream.write_text("".join(json.dumps({
        "platform": "x", "platform_id": f"p{i}", "text": text, "language": "en",
        "created_at": "2026-10-01T10:00:00+00:00"}) + "\n"
        for i, text in enumerate(["the film is great", "awful"])), encoding="utf-8")
    run(["init"], url, tmp_path)
    monkeypatch.setenv("CONFIANCE_SENTIMENT_MODEL", str(crafted))
    result = run_json(["import", str(stream), "--format", "ndjson"], url, tmp_path)
    assert HFSentiment(crafted).name in result["enrichment"]["components"]
    assert result["enrichment"]["enriched"] == 2

    later = tmp_path / "later.ndjson"
    later.write_text(stream.read_text(encoding="utf-8").replace('"p0"', '"q0"')
                     .replace('"p1"', '"q1"'), encoding="utf-8")
    run(["import", str(later), "--format", "ndjson", "--no-enrich"], url, tmp_path)
    monkeypatch.setenv("CONFIANCE_SENTIMENT_MODEL", str(tmp_path / "no-such-model"))
    failed = run(["enrich", "--json"], url, tmp_path, check=False)
    assert failed.returncode == 1 and json.loads(failed.stdout)["error"]["code"] == "E501"
    assert "no-such-model" in json.loads(failed.stdout)["error"]["message"]
    monkeypatch.setenv("CONFIANCE_SENTIMENT_MODEL", str(crafted))
    assert run_json(["enrich"], url, tmp_path)["enriched"] == 2  # nothing was written before


def test_a_listener_scores_with_the_model_directory_too(crafted: Path, tmp_path: Path) -> None:
    from confiance.core.db import make_engine
    from confiance.core.plugins import plugin_manager
    from confiance.core.settings import Settings
    from confiance.listen.service import Listener, ListenerOptions
    from confiance.sources.registry import FormatRegistry
    from confiance.store import migrate

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'l.db'}"))
    migrate.upgrade(engine)
    listener = Listener(engine, clients={}, formats=FormatRegistry.from_plugins(plugin_manager()),
                        options=ListenerOptions(sentiment_model=str(crafted)))
    assert HFSentiment(crafted).name in listener.pipeline().names
    engine.dispose()


def test_analyze_and_its_csv_command_take_the_model_directory(
        crafted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from confiance.analysis import analyze
    from tests.cli.test_cli import run_json

    found = analyze(["the film is great", "awful"], sentiment_model=crafted)
    assert [a.sentiment for a in found] == ["positive", "negative"]
    expected = reference(["the film is great"], crafted_table(), three_class_weights())
    assert found[0].sentiment_score == pytest.approx(
        float(expected[0, 2] - expected[0, 0]), abs=1e-3)  # the model's, not the head's
    source = tmp_path / "avis.csv"
    source.write_text("id,text\n1,the film is great\n2,awful\n", encoding="utf-8")
    monkeypatch.setenv("CONFIANCE_SENTIMENT_MODEL", str(crafted))
    summary = run_json(["analyze", str(source)], "sqlite:///unused.db", tmp_path)
    assert HFSentiment(crafted).name in summary["components"]
    assert summary["sentiments"] == {"positive": 1, "negative": 1}
