from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from confiance.demo import generate
from confiance.domain import Platform, Post
from confiance.enrich.component import Component, Doc, EnrichError
from confiance.enrich.language import NAME, UNKNOWN, LanguageDetector
from confiance.sources import x_v2

BRANDS = ["Maison Lumière", "Maison Lumiere", "Bougies Céleste", "Atelier Flamme"]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(trust_platform=False, ignore=BRANDS)


@pytest.mark.parametrize(("text", "expected"), [
    ("Livraison rapide, bougie conforme. Je recommande à toutes mes copines !", "fr"),
    ("Great candle but the delivery was painfully slow", "en"),
    ("La vela huele muy bien, gracias por el envío", "es"),
    ("Die Kerze riecht toll, ich liebe es", "de"),
    ("jsp mdr", "fr"),
    ("thanks!", "en"),
    ("Maison Lumière never disappoints, honestly", "en"),
])
def test_detects_the_language(detector: LanguageDetector, text: str, expected: str) -> None:
    assert detector.detect(text) == expected


@pytest.mark.parametrize("text", ["ok", "lol ok", "super", "😍😍😍",
                                  "@MaisonLumiere #MaLumiereAMoi", "https://example.org/x", ""])
def test_says_unknown_rather_than_guessing(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) == UNKNOWN


def test_keeps_the_language_a_platform_states_and_says_so() -> None:
    doc = Doc(key=("x", "1"), text="I love this candle", language="fr-FR")
    [out] = LanguageDetector().pipe([doc])
    assert out.values["language"] == "fr" and out.made_by["language"] == "platform"
    [again] = LanguageDetector(trust_platform=False).pipe(
        [Doc(key=("x", "1"), text="I love this candle so much", language="fr")])
    assert again.values["language"] == "en" and again.made_by["language"] == NAME


def test_a_failing_doc_is_reported_and_the_batch_goes_on() -> None:
    errors: list[EnrichError] = []
    broken = Doc(key=("x", "bad"), text=None)  # type: ignore[arg-type]
    good = Doc(key=("x", "good"), text="Une bougie qui sent vraiment très bon")
    out = list(LanguageDetector().pipe([broken, good], on_error=errors.append))
    assert [d.key for d in out] == [("x", "bad"), ("x", "good")]
    assert errors and errors[0].key == ("x", "bad") and errors[0].component == NAME
    assert out[1].values["language"] == "fr" and "language" not in out[0].values


def test_follows_the_component_contract() -> None:
    component = LanguageDetector()
    assert isinstance(component, Component)
    assert component.name == "confiance.language.v1" and "language" in component.writes


def test_on_the_demo_set_it_is_right_when_it_decides(tmp_path: Path,
                                                      detector: LanguageDetector) -> None:
    """Synthetic but varied (slang, typos, mixed languages): the generator's labels are truth."""
    generate(tmp_path, posts=1500, seed=3)
    labels = {(r["platform"], r["platform_id"]): r["language"] for r in map(
        orjson.loads, (tmp_path / "labels.ndjson").read_bytes().splitlines())}
    posts = [Post.model_validate_json(line)
             for line in (tmp_path / "canonical.ndjson").read_bytes().splitlines()]
    with (tmp_path / "x-v2.jsonl").open("rb") as stream:
        posts += [p for p in x_v2.FORMATS[0].read(stream) if isinstance(p, Post)]
    docs = list(detector.pipe(Doc.from_post(p) for p in posts))
    decided = [d for d in docs if d.values["language"] != UNKNOWN]
    right = sum(d.values["language"] == labels[d.key] for d in decided)
    assert len(docs) == 1500 and len(decided) >= 0.9 * len(docs)
    assert right / len(decided) >= 0.97
    assert all(d.platform in {p.value for p in Platform} for d in docs)
