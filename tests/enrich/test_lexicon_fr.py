from __future__ import annotations

import math
from importlib import resources

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.enrich.lexicon_fr import (
    FEATURES,
    LEXICON_FILE,
    MAX_PHRASE_WORDS,
    Lexicon,
    build_lexicon,
    fold,
    lexicon,
    normalise_term,
    parse_lexicon,
    score_text,
    scores,
    tokens,
)

POSITIVE, NEGATIVE, SHARE, COMPOUND = range(4)


def compound(text: str) -> float:
    return score_text(text)[COMPOUND]


def lexicon_text() -> str:
    return resources.files("confiance.enrich").joinpath("data", LEXICON_FILE).read_text(
        encoding="utf-8")


# --- polarity of real posts ------------------------------------------------------------------

NEGATIVE_TEXTS = [
    "Horrible expérience",
    "Nul.",
    "pas terrible",
    "je ne suis pas satisfait",
    "c'est pas top",
    "joli mais fragile",
    "decu",
    "nuuuul",
    "Je n'aime pas ce parfum",
    "je ne recommande pas",
    "je recommande pas du tout",
    "Je ne le recommanderai jamais",
    "Colis jamais reçu, service client injoignable",
    "c'est claqué",
    "franchement c'est éclaté au sol",
    "Fuyez !",
    "Une arnaque, c'est honteux",
    "pas au top",
    "Je n'ai jamais été aussi déçue",  # « jamais ... aussi » is a superlative, not a negation
    "mouais, sans plus",
    "merci pour rien",
    "Plus jamais je commande chez eux",
    "Depuis la mise à jour l'appli ne marche plus",
    "pas ouf le nouveau menu",
    "vendeur peu fiable",
    "pas mal de problèmes avec la livraison",
    "trop cher pour ce que c'est",
    "jamais rien de bon chez eux",  # negations stack without cancelling
    "SAV aux abonnés absents 😡",
    "Produit génial mais livraison en retard",
    "C'est du vol",
]

POSITIVE_TEXTS = [
    "Je recommande",
    "pas mal du tout",
    "pas déçu",
    "jamais déçue",
    "genial",
    "Trop bien !",
    "au top",
    "Rien à redire",
    "rien a redire",
    "pas de souci, livraison rapide",
    "aucun problème avec ma commande",
    "j'adore",
    "Je kiffe grave",
    "C'est de ouf",
    "on s'est éclatés",
    "Vous ne le regretterez pas",
    "je ne regrette pas mon achat",
    "Produit top, par contre un peu cher",
    "pas cher et efficace",
    "10/10",
    "Merci beaucoup 😍",
    "Super service, équipe au top",
    "la nouvelle collection est chanmé",
    "Livraison rapide :)",
    "Je ne suis jamais déçue par cette marque",
    "Le plat était bon.",
    "Bon.",
]


@pytest.mark.parametrize("text", NEGATIVE_TEXTS)
def test_negative_posts_have_a_negative_compound(text: str) -> None:
    assert compound(text) < 0


@pytest.mark.parametrize("text", POSITIVE_TEXTS)
def test_positive_posts_have_a_positive_compound(text: str) -> None:
    assert compound(text) > 0


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "service client",
    "Bonjour, j'ai passé commande hier soir",
    "En recommandé avec accusé de réception",
    "lettre recommandée",
    "bien sûr",
    "s'il vous plaît",
    "mdr",
    "Le colis est parti ce matin de Lyon.",
    "https://example.com/super-top-genial",
    "@top_achat @SuperU",
    "!!!???...",
    "Bon, le colis est arrivé hier",  # « Bon, » alone in its clause is a discourse marker
    "En outre, le style change : crème à base de plantes, version pro",  # accent-less clashes
])
def test_text_with_no_polar_word_scores_all_zeros(text: str) -> None:
    assert score_text(text) == (0.0, 0.0, 0.0, 0.0)
    assert scores([text]).tolist() == [[0.0, 0.0, 0.0, 0.0]]


# --- rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("stronger", "weaker"), [
    ("trop bien", "bien"),
    ("très bien", "bien"),
    ("vraiment génial", "génial"),
    ("génial !!!", "génial"),
    ("C'est GÉNIAL", "C'est génial"),  # capitals in a text that is not all capitals
    ("trooop bien", "bien"),
    ("Je kiffe grave", "Je kiffe"),  # « grave » after a polar word boosts it
])
def test_emphasis_makes_positive_text_more_positive(stronger: str, weaker: str) -> None:
    assert compound(stronger) > compound(weaker) > 0


@pytest.mark.parametrize(("stronger", "weaker"), [
    ("très déçu", "déçu"),
    ("tres decu", "decu"),
    ("C'est NUL", "C'est nul"),
    ("nuuuul", "nul"),
    ("super nul", "nul"),  # « super » before a polar word is a booster, not praise
    ("nul !!", "nul"),
    ("cher", "un peu cher"),  # « un peu » attenuates
    ("déçu", "assez déçu"),
    ("nul", "pas génial"),  # negation flips and damps
])
def test_emphasis_makes_negative_text_more_negative(stronger: str, weaker: str) -> None:
    assert compound(stronger) < compound(weaker) < 0


@pytest.mark.parametrize("marker", ["mais", "par contre", "cependant", "pourtant", "en revanche"])
def test_what_follows_a_contrast_weighs_more(marker: str) -> None:
    assert compound(f"fragile {marker} joli") > 0 > compound(f"joli {marker} fragile")
    assert compound(f"joli {marker} fragile") < compound("joli fragile")


def test_exclamation_emphasis_stops_at_four() -> None:
    assert compound("génial !!!!") == compound("génial !!!!!!!!!")
    assert compound("génial !!!!") > compound("génial !!!")


def test_all_capitals_text_gets_no_capital_emphasis() -> None:
    assert compound("NUL") == compound("nul")
    assert compound("Service NUL") < compound("Service nul")


def test_negation_flips_and_damps_by_vaders_scalar() -> None:
    lex = lexicon()
    genial = lex.table["génial"][0]
    expected = genial * -0.74
    assert compound("pas génial") == pytest.approx(expected / math.sqrt(expected**2 + 15))


@pytest.mark.parametrize(("negated", "plain"), [
    ("pas déçu", "déçu"),
    ("je ne suis pas satisfait", "je suis satisfait"),
    ("je n'aime pas", "j'aime"),  # postposed: the usual French order
    ("j'aime pas", "j'aime"),
    ("je ne l'aime plus", "je l'aime"),
    ("je valide pas", "je valide"),
    ("je ne suis pas du tout satisfait", "je suis satisfait"),  # « pas » 3 items before
    ("sans problème", "problème"),
    ("aucun souci", "souci"),
    ("non conforme", "conforme"),
])
def test_negation_changes_the_sign(negated: str, plain: str) -> None:
    assert compound(negated) * compound(plain) < 0


@pytest.mark.parametrize("text", [
    "pas reçu, horrible",  # a clause boundary stops the negation
    "je ne sais pas. Horrible",
    "plus horrible",  # « plus » without « ne » means « more »
    "pas terrible du tout",  # a phrase with a negation is not flipped again
])
def test_negation_does_not_reach_past_its_scope(text: str) -> None:
    assert compound(text) < 0


@pytest.mark.parametrize(("phrase", "word"), [
    ("pas mal", "mal"),
    ("pas cher", "cher"),
    ("c'est claqué", "claqué"),
    ("on s'est éclatés", "éclatés"),
])
def test_multiword_entries_win_over_their_words(phrase: str, word: str) -> None:
    assert compound(phrase) > 0 > compound(word) or compound(phrase) < compound(word) < 0


@pytest.mark.parametrize(("blocked", "word"), [
    ("bien sûr", "bien"),
    ("lettre recommandée", "recommandée"),
    ("bonne journée", "bonne"),
])
def test_neutral_phrases_keep_their_words_from_counting(blocked: str, word: str) -> None:
    assert abs(compound(blocked)) < abs(compound(word))


def test_pas_mal_de_is_a_quantity() -> None:
    # « pas mal de » counts nothing itself, and its « pas » does not negate what follows.
    assert compound("pas mal de soucis") == compound("des soucis") < 0 < compound("pas mal")


def test_accentless_spellings_match_like_accented_ones() -> None:
    for accented, plain in [("déçu", "decu"), ("génial", "genial"), ("décevant", "decevant"),
                            ("très déçue", "tres decue"), ("rien à redire", "rien a redire"),
                            ("coup de cœur", "coup de coeur"), ("déçu", "décu")]:
        assert score_text(accented) == score_text(plain), (accented, plain)


def test_accent_folding_skips_clashes() -> None:
    lex = build_lexicon({"sale": -1.5, "salé": 0.5, "déçu": -2.0, "décu": -1.0})
    assert lex.table["sale"][0] == -1.5  # an entry keeps its own score
    assert lex.table["salé"][0] == 0.5
    assert "decu" not in lex.table  # « déçu » and « décu » disagree: no folded key
    assert score_text("decu", lex) == (0.0, 0.0, 0.0, 0.0)
    assert score_text("déçu", lex)[COMPOUND] < score_text("décu", lex)[COMPOUND] < 0


def compound_of(text: str, lex: Lexicon) -> float:
    return score_text(text, lex)[COMPOUND]


def test_a_phrase_that_does_not_match_falls_back_to_its_words() -> None:
    lex = build_lexicon({"au top": 2.5, "top": 2.0, "au taquet": 2.0})
    assert score_text("au top", lex)[COMPOUND] > score_text("top", lex)[COMPOUND]
    assert score_text("au", lex) == (0.0, 0.0, 0.0, 0.0)
    assert compound_of("au, top", lex) == compound_of("top", lex)  # no phrase across a comma


def test_columns() -> None:
    pos, neg, share, comp = score_text("Le colis est génial mais cher")
    assert pos > 0 and neg > 0
    assert share == pytest.approx(2 / 6)
    assert comp > 0  # génial ×0.5 = 1.25 beats cher ×1.5 = 0.75
    assert score_text("nul")[SHARE] == 1.0
    assert score_text("le colis est nul")[SHARE] == 0.25
    assert score_text("pas terrible")[SHARE] == 1.0  # a phrase counts all its words


def test_emoji_and_emoticons() -> None:
    assert compound("😍😍") > compound("😍") > 0
    assert compound("👍🏻") == compound("👍") > 0  # skin tone ignored
    assert compound("❤️") > 0
    assert compound(":(") < 0 < compound(":-)")
    assert compound(":D") > 0
    assert compound("<3") > 0
    assert compound("10:30") == 0.0


def test_tokens() -> None:
    assert tokens("J'adore, c’est top-moumoute !") == ["j", "adore", "c", "est", "top",
                                                       "moumoute"]
    assert tokens("voir https://t.co/x @marque #fail :) 😍👍🏻") == ["voir", "fail", ":)", "😍",
                                                                  "👍"]
    assert tokens("") == []


def test_scores_returns_a_float32_matrix() -> None:
    out = scores(["génial", "nul", "", "service client"])
    assert out.shape == (4, len(FEATURES)) and out.dtype == np.float32
    assert out[0, COMPOUND] > 0 > out[1, COMPOUND]
    assert not out[2:].any()
    empty = scores([])
    assert empty.shape == (0, 4) and empty.dtype == np.float32


# --- the lexicon file ------------------------------------------------------------------------

def test_every_lexicon_line_parses() -> None:
    text = lexicon_text()
    header = text.split("\n\n")[0]
    assert "Apache-2.0" in header and "Written from scratch for Confiance" in header
    terms: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line or line.startswith("#"):
            continue
        term, score = line.split("\t")  # exactly one tab
        assert term == term.strip().lower() and term, number
        assert -3.0 <= float(score) <= 3.0, number
        assert len(normalise_term(term).split()) <= MAX_PHRASE_WORDS, number
        terms.append(term)
    assert len(terms) == len(set(terms)), "duplicate terms"
    entries = parse_lexicon(text)  # raises on duplicates once normalised
    assert len(entries) == len(terms)
    assert 1200 <= len(entries) <= 3000


def test_no_two_phrases_differ_only_by_accents() -> None:
    phrases = [term for term in parse_lexicon(lexicon_text()) if " " in term]
    assert len({fold(p) for p in phrases}) == len(phrases)


def test_lexicon_covers_what_consumers_write() -> None:
    table = lexicon().table
    for word in ["horrible", "nul", "nulle", "top", "génial", "géniaux", "super", "déçu",
                 "déçues", "recommande", "kiffe", "kiffé", "arnaque", "escroc", "bof",
                 "injoignable", "nickel", "impeccable", "decevant", "tres"]:
        assert word in table, word
    assert table["moyen"][0] < 0 < table["merci"][0]
    assert table["mdr"][0] == 0.0
    assert "service client" not in lexicon().phrases
    assert lexicon().phrases["pas mal"] > 0 > lexicon().phrases["pas terrible"]


@pytest.mark.parametrize(("text", "message"), [
    ("génial 2.5", "term<TAB>score"),
    ("génial\tlots", "line 1"),
    ("génial\t3.5", "outside"),
    ("génial\tnan", "outside"),
    ("peut-être\t1\npeut être\t1", "duplicate"),
    ("un deux trois quatre cinq\t1", "1 to 4 tokens"),
    ("bien, sûr\t1", "punctuation"),
    ("...\t1", "line 1"),
])
def test_parse_lexicon_rejects_bad_lines(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_lexicon(text)


def test_parse_lexicon_skips_comments_and_blank_lines() -> None:
    assert parse_lexicon("# note\n\n  # indented note\nAu Top\t2.5\n") == {"au top": 2.5}


# --- robustness and speed --------------------------------------------------------------------

_VOCABULARY = ["pas", "ne", "n", "jamais", "plus", "rien", "sans", "très", "trop", "super",
               "bien", "grave", "un", "peu", "mais", "par", "contre", "je", "aime", "nul",
               "génial", "top", "au", "mal", "déçu", "si", "aussi", "NUL", "nuuul", "!", ",",
               ".", ":)", "😍", "👍🏻", "de", "ouf", "c'est", "l'", "é", "\n", " "]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(_VOCABULARY), max_size=30).map(" ".join),
), max_size=8))
def test_scores_never_raises_and_stays_in_range(texts: list[str]) -> None:
    out = scores(texts)
    assert out.shape == (len(texts), 4) and out.dtype == np.float32
    assert np.isfinite(out).all()
    assert ((out[:, COMPOUND] >= -1) & (out[:, COMPOUND] <= 1)).all()
    assert ((out[:, :3] >= 0) & (out[:, :3] <= 1)).all()
    for row in out:
        if not row[SHARE]:
            assert not row.any()  # no polar word, no score
