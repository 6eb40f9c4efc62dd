"""Training the sentiment head: metrics, the shipped data, and retraining from corrections."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confiance.core.errors import ConfianceError
from confiance.enrich.sentiment import CLASSES, SentimentModel, text_features
from confiance.enrich.sentiment_train import (
    MIN_CORRECTIONS,
    TRAINING_FILES,
    Example,
    _data_dir,
    retrain,
    scores,
    slug,
)


def test_scores_counts_accuracy_macro_f1_and_confusion() -> None:
    gold = ["positive", "positive", "negative", "neutral"]
    found = ["positive", "negative", "negative", "positive"]
    result = scores(gold, found)
    assert result["accuracy"] == 0.5
    assert result["confusion"]["positive"] == {"negative": 1, "neutral": 0, "positive": 1}
    # F1: positive 2*1/(2+1+1)=0.5, negative 2*1/(2+1+0)=0.667, neutral 0
    assert result["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 0) / 3, abs=1e-4)


def test_the_training_files_are_well_formed_and_balanced() -> None:
    for name in TRAINING_FILES:
        rows = [json.loads(line) for line in
                (_data_dir() / name).read_text(encoding="utf-8").splitlines() if line.strip()]
        assert len(rows) >= 900
        assert {row["label"] for row in rows} == set(CLASSES)
        assert len({row["text"] for row in rows}) == len(rows), f"duplicates in {name}"
        shares = {c: sum(r["label"] == c for r in rows) / len(rows) for c in CLASSES}
        assert all(0.2 <= share <= 0.5 for share in shares.values()), shares


def test_retrain_needs_a_few_corrections() -> None:
    with pytest.raises(ConfianceError) as caught:
        retrain("Maison Lumière", [Example("Top", "positive", "fr")] * (MIN_CORRECTIONS - 1),
                base=SentimentModel.default(), revision=1)
    assert caught.value.code == "E511"


# A brand whose analysts read delivery-tracking chatter as good news (their customers only
# write when the parcel finally came): the shipped model calls these texts neutral.
TRACKING = [
    "Colis {n} livré ce matin en point relais",
    "Commande n°{n} expédiée, suivi reçu par mail",
    "Mon paquet {n} est arrivé au dépôt de Lyon",
    "Livraison du colis {n} prévue demain avant 13h",
    "Le livreur a déposé le colis {n} chez le gardien",
]


def test_retraining_learns_a_brand_convention_and_measures_it_on_held_out_corrections(
) -> None:
    corrections = [Example(t.format(n=1000 + i * 7), "positive", "fr")
                   for i in range(8) for t in TRACKING]
    base = SentimentModel.default()
    report = retrain("Colivra", corrections, base=base, revision=2)
    assert report.method == "held-out fifth" and 0 < report.held_out < len(corrections)
    assert report.before["accuracy"] < 0.5  # the shipped model disagrees with the brand
    assert report.after["accuracy"] >= 0.9  # texts the new head never saw
    assert report.improved
    model = report.model
    assert model.manifest["brand"] == "Colivra" and model.manifest["revision"] == 2
    assert model.manifest["corrections"] == len(corrections)
    assert model.name == f"confiance.sentiment.v1+brand:{slug('Colivra')}.r2"
    as_dict = report.as_dict()
    assert as_dict["before"]["n"] == as_dict["after"]["n"] == report.held_out


def test_few_corrections_are_measured_by_cross_validation() -> None:
    corrections = [Example(t.format(n=42), "positive", "fr") for t in TRACKING]
    report = retrain("Colivra", corrections, base=SentimentModel.default(), revision=1)
    assert report.method == "5-fold cross-validation"
    assert report.held_out == len(corrections)


def test_slugs_are_file_safe_and_distinct() -> None:
    assert slug("Maison Lumière").startswith("maison-lumiere-")
    assert slug("Maison Lumière") != slug("Maison-Lumière")
    assert slug("!!!").startswith("brand-")


def test_no_training_text_is_a_near_copy_of_an_evaluation_text() -> None:
    # never evaluate on what was trained on: training lines within 0.85 cosine similarity of
    # an evaluation text were removed, and must stay out
    import numpy as np

    from confiance.enrich.embeddings import DIMENSIONS, shared_encoder
    from confiance.enrich.sentiment_train import shipped_features

    evaluation = Path(__file__).parents[2] / "benchmarks" / "data" / "sentiment_fr_eval.jsonl"
    texts = [json.loads(line)["text"] for line in
             evaluation.read_text(encoding="utf-8").splitlines() if line.strip()]
    _, features = shipped_features()
    similarity = shared_encoder().encode(texts) @ features[:, :DIMENSIONS].T
    assert float(np.max(similarity)) <= 0.85


# A brand whose analysts count a post as positive only when it says why: they mark short
# praise neutral. Corrections are all the model's errors; the brand's other posts, which no
# analyst corrected, keep their labels as anchors.
PRAISE = ["Love the new {p}, it works perfectly", "Great {p}, very happy with it",
          "The {p} is excellent, highly recommend", "Really pleased with my {p}",
          "Best {p} I have bought this year"]
PRODUCTS = ["lamp", "candle", "diffuser", "vase", "mirror", "rug", "clock", "kettle",
            "blanket", "pillow", "speaker", "teapot"]
REASONED = ["Thank you so much, the delivery was fast and the {p} is beautiful",
            "Wonderful service, my {p} arrived early and well packed",
            "So glad I ordered this {p}, my friends all want one"]
COMPLAINTS = ["My {p} broke after two days, very disappointed",
              "Terrible quality, the {p} arrived damaged and nobody answers"]
PROBES = ["Absolutely delighted with the customer service team, they solved everything",
          "What a fantastic experience, I will order again",
          "The staff were lovely and so helpful", "I'm thrilled with the result, thank you!",
          "Such a beautiful design, well done", "Amazing quality for the price"]


def _positives(model: SentimentModel, texts: list[str]) -> int:
    x = text_features(texts, ["en"] * len(texts))
    return sum(label == "positive" for label, _, _ in model.predict(x, ["en"] * len(texts)))


def test_anchors_keep_a_retrain_from_drifting_where_nobody_corrected() -> None:
    base = SentimentModel.default()
    corrections = [Example(t.format(p=p), "neutral", "en") for t in PRAISE for p in PRODUCTS[:6]]
    anchors = ([Example(t.format(p=p), "positive", "en") for t in REASONED for p in PRODUCTS]
               + [Example(t.format(p=p), "negative", "en") for t in COMPLAINTS
                  for p in PRODUCTS])
    assert _positives(base, PROBES) == len(PROBES)
    plain = retrain("Brand", corrections, base=base, revision=1)
    held = retrain("Brand", corrections, base=base, revision=1, anchors=anchors)
    # both learn the brand's convention on corrections they did not see...
    assert plain.after["accuracy"] >= 0.9 and held.after["accuracy"] >= 0.9
    # ...but without anchors it spreads to praise nobody corrected
    assert _positives(held.model, PROBES) > _positives(plain.model, PROBES)
    assert (plain.anchors, plain.anchors_changed) == (0, None)
    assert held.anchors == len(anchors) and held.anchors_changed is not None
    assert held.anchors_changed <= 0.05
    assert held.model.manifest["anchors"] == len(anchors)
    assert held.as_dict()["anchors_changed"] == held.anchors_changed


def test_anchors_close_to_a_correction_are_left_out() -> None:
    # the brand's other tracking posts, still labelled neutral by the model: near copies
    # of the corrections, so the analysts' word wins there
    corrections = [Example(t.format(n=1000 + i * 7), "positive", "fr")
                   for i in range(8) for t in TRACKING]
    same_kind = [Example(t.format(n=5000 + i), "neutral", "fr")
                 for i in range(20) for t in TRACKING]
    other = [Example("Bougie reçue cassée, service client aux abonnés absents", "negative",
                     "fr")] * 3
    report = retrain("Colivra", corrections, base=SentimentModel.default(), revision=1,
                     anchors=same_kind + other)
    assert report.anchors == len(other)
    assert report.after["accuracy"] >= 0.9
