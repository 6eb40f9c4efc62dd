from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.enrich.aspects import (
    DEFAULT_THRESHOLD,
    NAME,
    Aspect,
    AspectTagger,
    KeywordMatcher,
    default_aspects,
    load_aspects,
)
from confiance.enrich.component import Component, Doc, EnrichError
from confiance.enrich.embeddings import Encoder, Vectors, shared_encoder

IDS = {"price", "quality", "delivery", "customer_service", "ethics_environment",
       "product_availability", "website_app", "store_experience", "packaging", "health_safety"}
MATCHER = KeywordMatcher(default_aspects())


@pytest.fixture(scope="module")
def tagger() -> AspectTagger:
    """Keywords and similarity, as in the pipeline."""
    return AspectTagger()


@pytest.fixture(scope="module")
def keywords() -> AspectTagger:
    """Keywords only: fast, and shows what the keyword test alone decides."""
    return AspectTagger(use_embeddings=False)


def test_the_default_list_covers_the_expected_aspects() -> None:
    aspects = default_aspects()
    assert {a.id for a in aspects} == IDS
    for aspect in aspects:
        assert aspect.label_fr and aspect.label_en
        assert 3 <= len(aspect.descriptions) <= 6
        assert aspect.keywords_by_language.get("fr") and aspect.keywords_by_language.get("en")


@pytest.mark.parametrize(("text", "language", "aspect"), [
    ("Beaucoup trop chère pour une bougie", "fr", "price"),
    ("Way too expensive for what it is", "en", "price"),
    ("Produit de mauvaise qualité, déjà cassé", "fr", "quality"),
    ("Poor quality, it broke after a week", "en", "quality"),
    ("Mon colis est arrivé avec une semaine de retard", "fr", "delivery"),
    ("Shipping took forever", "en", "delivery"),
    ("Le SAV est injoignable depuis dix jours", "fr", "customer_service"),
    ("Customer service never answered my emails", "en", "customer_service"),
    ("Trop de plastique, c'est du greenwashing", "fr", "ethics_environment"),
    ("I love that the brand is so eco-friendly", "en", "ethics_environment"),
    ("Encore en rupture de stock !", "fr", "product_availability"),
    ("Sold out again, so frustrating", "en", "product_availability"),
    ("L'appli plante au moment du paiement", "fr", "website_app"),
    ("The website crashed at checkout", "en", "website_app"),
    ("La vendeuse en boutique était adorable", "fr", "store_experience"),
    ("The staff at the store were lovely", "en", "store_experience"),
    ("L'emballage est magnifique, le flacon aussi", "fr", "packaging"),
    ("Beautiful packaging, love the bottle", "en", "packaging"),
    ("J'ai fait une réaction allergique, grosses rougeurs", "fr", "health_safety"),
    ("This gave me a rash", "en", "health_safety"),
])
def test_finds_each_aspect_by_keyword(tagger: AspectTagger, keywords: AspectTagger, text: str,
                                      language: str, aspect: str) -> None:
    assert aspect in keywords.tag(text, language)
    [doc] = tagger.pipe([Doc(key=("x", "1"), text=text, language=language)])
    assert aspect in doc.values["topics"] and doc.values["aspect_scores"][aspect] == 1.0
    assert doc.made_by["topics"] == NAME


@pytest.mark.parametrize(("text", "aspect"), [
    ("Les tarifs ont explosé", "price"),
    ("Chères mais top", "price"),
    ("rapport qualité/prix imbattable", "price"),
    ("Deux livreuses adorables", "delivery"),
    ("The deliveries were late", "delivery"),
    ("LIVRAISON OFFERTE", "delivery"),
    ("#livraison rapide", "delivery"),
    ("Je me suis fait rembourser sans souci", "customer_service"),
    ("Colis reçu mais remboursée à moitié", "customer_service"),
    ("qualite nickel", "quality"),
    ("Le site bugue encore", "website_app"),
    ("Une caissière très gentille", "store_experience"),
])
def test_keywords_ignore_case_accents_and_simple_endings(keywords: AspectTagger, text: str,
                                                         aspect: str) -> None:
    assert aspect in keywords.tag(text)


def test_a_post_can_have_several_aspects_sorted(keywords: AspectTagger) -> None:
    doc = Doc(key=("x", "1"), text="Livraison en retard et service client injoignable.")
    [out] = keywords.pipe([doc])
    assert out.values["topics"] == ["customer_service", "delivery"]
    assert out.values["aspect_scores"] == {"customer_service": 1.0, "delivery": 1.0}


@pytest.mark.parametrize(("text", "language", "aspect"), [
    ("Le prix Goncourt 2026 a été attribué hier soir", "fr", "price"),
    ("Chère cliente, merci pour votre message", "fr", "price"),
    ("Mes chers amis, bonne soirée", "fr", "price"),
    ("Tout est dans le lien en bio", "fr", "ethics_environment"),
    ("Une bougie, un livre, rien d'autre", "fr", "delivery"),
    ("Save the date: atelier samedi", "en", "customer_service"),
    ("Un joli support de bougie en laiton", "fr", "customer_service"),
    ("Je suis épuisée ce soir", "fr", "product_availability"),
])
def test_look_alikes_are_not_the_aspect(tagger: AspectTagger, text: str, language: str,
                                        aspect: str) -> None:
    """Exclusions, whole words and per-language lists keep these out, embeddings included."""
    [doc] = tagger.pipe([Doc(key=("x", "1"), text=text, language=language)])
    assert aspect not in doc.values["topics"]


def test_language_picks_the_keyword_lists(keywords: AspectTagger) -> None:
    """"support" is customer service in English, a stand in French; unknown: every list."""
    assert "customer_service" in keywords.tag("Support was useless", "en")
    assert "customer_service" not in keywords.tag("Support en laiton", "fr")
    assert "customer_service" in keywords.tag("Support en laiton", None)
    assert "price" in keywords.tag("Trop cher", "es")  # no Spanish lists: every list


# Written for the calibration of DEFAULT_THRESHOLD: none of these uses its aspect's keywords.
CALIBRATION_POSITIVES = [
    ("price", "Franchement ça vaut pas ce que j'ai payé"),
    ("price", "I paid way more than it's worth"),
    ("price", "49 euros pour une bougie, faut pas abuser"),
    ("price", "It costs a fortune for such a small jar"),
    ("delivery", "Ma commande a mis trois semaines à arriver"),
    ("delivery", "Still waiting for my order to arrive, it's been two weeks"),
    ("delivery", "Reçu le lendemain de ma commande, super rapide"),
    ("delivery", "The box showed up on my doorstep a day early"),
    ("customer_service", "Personne ne répond au téléphone ni aux mails depuis dix jours"),
    ("customer_service", "I emailed them four times and nobody ever got back to me"),
    ("customer_service", "La personne au téléphone a été adorable et a tout réglé"),
    ("quality", "Le verre s'est fendu dès le premier allumage"),
    ("quality", "It fell to pieces after two uses"),
    ("quality", "Très bien fini, on sent le travail soigné"),
    ("ethics_environment", "J'aime que la marque pense à la planète et aux ouvriers"),
    ("ethics_environment", "They care about the planet and pay their workers fairly"),
    ("website_app", "Impossible de finaliser ma commande, la page tourne dans le vide"),
    ("website_app", "The page keeps freezing when I try to pay"),
    ("store_experience", "Accueil glacial dans le point de vente de Lyon"),
    ("store_experience", "The girl at the counter was so sweet and gave me samples"),
    ("product_availability", "Introuvable depuis des semaines, quand est-ce que ça revient ?"),
    ("product_availability", "I can never find it anywhere, it's always gone"),
    ("packaging", "Le carton était joli et tout était protégé avec du papier de soie"),
    ("packaging", "Everything came in a gorgeous box with tissue paper"),
    ("health_safety", "Ça m'a donné des boutons sur tout le visage"),
    ("health_safety", "My eyes started watering and I couldn't breathe properly"),
]
CALIBRATION_NEGATIVES = [
    "Quelle belle journée au parc avec les enfants", "Il pleut encore sur Paris, vivement l'été",
    "Le match de ce soir était incroyable", "Happy birthday to my best friend!",
    "Cette odeur de vanille me rappelle ma grand-mère",
    "J'adore l'odeur de figue, c'est mon parfum préféré", "Can't wait for the weekend",
    "Mon chat dort sur le canapé depuis ce matin",
    "Le prix Goncourt 2026 a été attribué hier soir", "Just finished reading a great novel",
    "Bonne année à tous !", "Which scent would you recommend for a cosy evening?",
    "Je cherche une idée cadeau pour ma mère", "The sunset tonight was gorgeous",
    "On se fait un ciné ce soir ?", "Lovely candle, smells like a forest after the rain",
    "Ma bougie préférée pour les soirées d'hiver", "Trop hâte de tester le nouveau parfum",
]


def _tag_all(tagger: AspectTagger, texts: Sequence[str]) -> list[dict[str, float]]:
    docs = [Doc.from_text(text, i) for i, text in enumerate(texts)]
    return [dict(doc.values["aspect_scores"]) for doc in tagger.pipe(docs)]


def test_the_threshold_is_calibrated_on_hand_written_examples(tagger: AspectTagger) -> None:
    """Documented in the module: at 0.35 no negative gets an aspect, about half of the
    keyword-less positives are found, few get a wrong extra aspect; lower lets negatives in."""
    assert tagger.threshold == DEFAULT_THRESHOLD == 0.35
    keyword_only = AspectTagger(use_embeddings=False)
    for aspect, text in CALIBRATION_POSITIVES:
        assert aspect not in keyword_only.tag(text), text  # similarity must do the work
    positives = _tag_all(tagger, [text for _, text in CALIBRATION_POSITIVES])
    found = sum(aspect in scores for (aspect, _), scores in zip(
        CALIBRATION_POSITIVES, positives, strict=True))
    wrong = sum(any(other != aspect for other in scores) for (aspect, _), scores in zip(
        CALIBRATION_POSITIVES, positives, strict=True))
    assert found >= 0.4 * len(CALIBRATION_POSITIVES)
    assert wrong <= 3
    assert all(0.35 <= s < 1.0 for scores in positives for s in scores.values())
    assert _tag_all(tagger, CALIBRATION_NEGATIVES) == [{}] * len(CALIBRATION_NEGATIVES)
    looser = AspectTagger(threshold=0.25)
    assert any(_tag_all(looser, CALIBRATION_NEGATIVES))


def test_reuses_the_embedding_set_earlier_in_the_pipeline() -> None:
    class Counting(Encoder):
        def __init__(self) -> None:
            super().__init__()
            self.texts = 0

        def encode(self, texts: Sequence[str]) -> Vectors:
            self.texts += len(texts)
            return shared_encoder().encode(texts)

    encoder = Counting()
    tagger = AspectTagger(encoder=encoder)
    centroids = tagger.centroids()
    before = encoder.texts
    delivery = centroids[tagger.ids.index("delivery")]
    doc = Doc(key=("x", "1"), text="rien à voir", values={"embedding": delivery})
    [out] = tagger.pipe([doc])
    assert encoder.texts == before  # nothing encoded: the doc's own vector was used
    scores = out.values["aspect_scores"]
    assert scores["delivery"] == pytest.approx(1.0, abs=1e-3)
    assert max(scores, key=scores.__getitem__) == "delivery"


CUSTOM = """
[[aspect]]
id = "scent"
label_fr = "Parfum"
label_en = "Scent"
keywords_fr = ["odeur", "parfum", "senteur"]
keywords_en = ["smell*", "scent"]
descriptions = ["Cette bougie sent très bon.", "The scent fills the whole room."]

[[aspect]]
id = "price"
label_fr = "Tarifs"
label_en = "Pricing"
keywords = ["tarif"]
descriptions = ["Les tarifs sont trop élevés.", "Prices are too high."]
threshold = 0.9
"""


@pytest.fixture
def custom_file(tmp_path: Path) -> Path:
    path = tmp_path / "aspects.toml"
    path.write_text(CUSTOM, encoding="utf-8")
    return path


def test_a_brand_file_extends_the_defaults(custom_file: Path) -> None:
    tagger = AspectTagger(custom_file, use_embeddings=False)
    assert tagger.ids[-2:] == ["scent", "price"] and "delivery" in tagger.ids
    assert len(tagger.ids) == len(IDS) + 1
    assert tagger.tag("Une odeur incroyable, livraison rapide") == ["delivery", "scent"]
    assert tagger.tag("It smells amazing", "en") == ["scent"]
    # the brand's "price" replaced the default one: "prix" is no longer a keyword
    assert tagger.tag("Le prix a doublé") == []
    assert tagger.tag("Les tarifs ont doublé") == ["price"]


def test_a_brand_file_can_replace_the_defaults(custom_file: Path) -> None:
    tagger = AspectTagger(custom_file, extend_default=False, use_embeddings=False)
    assert tagger.ids == ["scent", "price"]
    assert tagger.tag("Une odeur incroyable, livraison rapide") == ["scent"]


def test_aspects_can_be_given_as_objects() -> None:
    mine = Aspect(id="gift", label_fr="Cadeau", label_en="Gift",
                  keywords_by_language={"fr": ("cadeau", "offert"), "en": ("gift",)})
    tagger = AspectTagger([mine], extend_default=False, use_embeddings=False)
    assert tagger.tag("Offerte à ma mère, un beau cadeau") == ["gift"]
    assert tagger.tag("A lovely gift", "en") == ["gift"]
    assert tagger.tag("Un cadeau", "en") == []


def test_per_aspect_threshold_overrides_the_default(custom_file: Path) -> None:
    assert {a.id: a.threshold for a in load_aspects(custom_file)} == {"scent": None, "price": 0.9}
    always = Aspect(id="always", label_fr="a", label_en="a", descriptions=("Bonjour",),
                    threshold=-1.0)
    never = Aspect(id="never", label_fr="n", label_en="n", descriptions=("Bonjour",))
    tagger = AspectTagger([always, never], extend_default=False, threshold=1.01)
    [doc] = tagger.pipe([Doc.from_text("Bonjour", 0)])
    assert doc.values["topics"] == ["always"]


def test_bad_aspect_files_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[aspect]]\nid = "x"\nkeyword = ["typo"]\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        load_aspects(path)
    path.write_text('[[aspect]]\nid = "x"\n[[aspect]]\nid = "x"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate"):
        load_aspects(path)
    path.write_text('[[aspect]]\nid = "x"\nkeywords = "prix"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="list of non-empty strings"):
        load_aspects(path)


def test_a_failing_doc_is_reported_and_the_batch_goes_on(tagger: AspectTagger) -> None:
    errors: list[EnrichError] = []
    broken = Doc(key=("x", "bad"), text=None)  # type: ignore[arg-type]
    good = Doc(key=("x", "good"), text="Livraison rapide, merci")
    out = list(tagger.pipe([broken, good], on_error=errors.append))
    assert [d.key for d in out] == [("x", "bad"), ("x", "good")]
    assert len(errors) == 1 and errors[0].key == ("x", "bad") and errors[0].component == NAME
    assert "TypeError" in errors[0].reason
    assert "topics" not in out[0].values and "delivery" in out[1].values["topics"]


def test_empty_text_gets_no_aspect(tagger: AspectTagger) -> None:
    [doc] = tagger.pipe([Doc.from_text("", 0)])
    assert doc.values["topics"] == [] and doc.values["aspect_scores"] == {}


def test_follows_the_component_contract(tmp_path: Path, custom_file: Path) -> None:
    tagger = AspectTagger(custom_file, threshold=0.5)
    assert isinstance(tagger, Component)
    assert tagger.name == "confiance.aspects.v1"
    assert set(tagger.writes) == {"topics", "aspect_scores"}
    tagger.to_disk(tmp_path / "state")
    loaded = AspectTagger(use_embeddings=False).from_disk(tmp_path / "state")
    assert loaded.ids == tagger.ids and loaded.threshold == 0.5
    assert loaded.aspects == tagger.aspects
    assert loaded.tag("Une odeur incroyable") == ["scent"]


def test_keyword_matching_is_one_pass(keywords: AspectTagger) -> None:
    matcher = keywords.matcher
    assert len(matcher._compiled) == len(matcher.languages) + 1  # one regex per language
    texts = [f"Post {i}: la livraison était rapide mais le prix est élevé, merci le SAV !"
             for i in range(10_000)]
    hits = sum(len(matcher.find(text, "fr")[0]) for text in texts)
    assert hits == 30_000


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), language=st.sampled_from([None, "fr", "en", "es", "xx"]))
def test_the_keyword_matcher_never_raises(text: str, language: str | None) -> None:
    found, excluded = MATCHER.find(text, language)
    assert found <= IDS and excluded <= IDS and not found & excluded


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.sampled_from(["prix", "cher", "goncourt", "colis", "bio", "lien",
                                       "en", "SAV", "é", "-", "/", "'", "#", " ", "😡"]),
                      max_size=12))
def test_the_matcher_never_raises_on_keyword_soup(words: list[str]) -> None:
    found, _ = MATCHER.find(" ".join(words))
    assert found <= IDS


def test_centroids_are_normalised(tagger: AspectTagger) -> None:
    norms = np.linalg.norm(tagger.centroids(), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-5)
