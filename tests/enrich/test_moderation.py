from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.demo import generate
from confiance.domain import Post
from confiance.enrich.component import Component, Doc, EnrichError
from confiance.enrich.moderation import FLAGS, NAME, Moderator
from confiance.enrich.pii import PiiMatch, find_pii, iban_is_valid, luhn_is_valid, redact
from confiance.sources import x_v2


@pytest.fixture(scope="module")
def moderator() -> Moderator:
    return Moderator()


def _flags(moderator: Moderator, text: str, language: str | None = None) -> list[str]:
    return moderator.moderate(text, language=language).flags


# --- Clean text and the false positives of naive word lists -------------------------------

@pytest.mark.parametrize("text", [
    "Le concert était super",
    "j'habite à Lyon",
    "great class, hello everyone",
    "Le calcul est faux",
    "la culture",
    "Je suis contente de ma commande, merci pour le contact rapide",
    "Passion bougies depuis 2010, mon assistant adore",
    "Le concours est ouvert jusqu'à dimanche",
    "Ma commande est en retard",
    "Le cul-de-sac derrière la boutique",
    "Un chili con carne et une bougie, parfait",
    "Une gerbe de fleurs pour la veuve de mon voisin",
    "je vais bosser demain, il fait cailler",
    "Nude lipstick and a sexy dress, love it",
    "Maine coon kitten sleeping next to the candle",
    "summa cum laude, and this candle is perfect",
    "la râpe à fromage est arrivée cassée",
    "Dick's Sporting Goods has it cheaper",
    "Scunthorpe, Essex and Middlesex stores",
    "assassin's creed candle? cocktail hour at Hancock",
    "une marque réputée, analyse faite",
    "pros and cons: the price",
    "une tapette à souris et des ordures ménagères",
    "Samsung Galaxy A55 et A5S",
    "I'm gonna kill it at the party tonight",
    "This deal is killing me, you are dead right",
    "I could murder a pizza",
    "je te retrouve demain au café",
    "On va tuer le game avec cette collab",
    "je vais fumer une clope",
    "t'es mort de rire, avoue",
    "this cake will kill you (in a good way)",
    "watch your back posture with this chair",
    "Hello, I will end your subscription today as requested",
    "fais attention à toi, bisous",
    "Linge sale et sale temps",
    "Livraison rapide, bougie conforme. Je recommande à toutes mes copines !",
    "",
    "😍😍😍😍😍",
])
def test_clean_text_scores_zero_and_has_no_flags(moderator: Moderator, text: str) -> None:
    result = moderator.moderate(text)
    assert result.toxicity == 0.0 and result.flags == []


@pytest.mark.parametrize(("text", "language"), [
    ("Café con leche y un bocadillo con queso", "es"),
    ("Café con leche y un bocadillo con queso", None),
    ("one bite and I was hooked", "en"),
    ("one bite and I was hooked", None),
    ("the only con is the price", "en"),
    ("my order is late, what a retard of a courier", "fr"),
    ("une douche à l'italienne", "fr"),
    ("un vestido negro precioso", "es"),
])
def test_words_of_other_languages_are_not_abuse(moderator: Moderator, text: str,
                                                language: str | None) -> None:
    assert _flags(moderator, text, language) == []


def test_language_bound_words_count_in_their_language(moderator: Moderator) -> None:
    assert _flags(moderator, "c'est con", "fr") == ["profanity"]
    assert _flags(moderator, "c'est con", None) == []
    assert _flags(moderator, "t'es con", None) == ["insult", "profanity"]
    assert _flags(moderator, "ma bite", "fr") == ["profanity"]
    assert _flags(moderator, "you retard", "en") == ["insult"]
    assert _flags(moderator, "you retard", "fr") == []


# --- Profanity, insults, threats ----------------------------------------------------------

@pytest.mark.parametrize("text", [
    "putain c'est bon", "merde, encore en retard", "quel bordel ce site", "ça me fait chier",
    "this is fucking great", "shit, it broke", "holy shit this smells good", "wtf is this price",
    "sh1t happens", "f4ck this", "fuuuuuck", "PUTAIN", "ptn la livraison", "bollocks",
    "Bougie parfumée 🖕",
])
def test_profanity_without_a_target(moderator: Moderator, text: str) -> None:
    result = moderator.moderate(text)
    assert result.flags == ["profanity"]
    assert 0.4 <= result.toxicity <= 0.55


@pytest.mark.parametrize(("text", "vulgar"), [
    ("t'es un connard", True), ("ta gueule", True), ("ferme ta gueule", True), ("fdp", True),
    ("ntm", True), ("sale pd", True), ("batard", True), ("bâtard va", True),
    ("espèce d'abruti", False), ("t'es débile", False), ("crétin !", False),
    ("salope", True), ("pute", True), ("enculé", True), ("connasse", True),
    ("bande de nazes", False), ("vous êtes des abrutis", False), ("t'es vraiment trop con", True),
    ("gros con", True), ("va te faire foutre", True), ("c0nnard", True),
    ("CONNNNARD !!!", True), ("t'es un idiot", False), ("tu es stupide", False),
    ("you idiot", False), ("you're a moron", False), ("you are such an idiot", False),
    ("you stupid idiot", False), ("ur dumb", False), ("bitch", True), ("asshole", True),
    ("dumbass", True), ("stfu", True), ("fuck you", True), ("what a bunch of morons", False),
    ("you fucking idiot", True),
])
def test_insults_aimed_at_someone(moderator: Moderator, text: str, vulgar: bool) -> None:
    result = moderator.moderate(text)
    assert "insult" in result.flags
    assert ("profanity" in result.flags) is vulgar
    assert 0.7 <= result.toxicity <= 0.85


@pytest.mark.parametrize("text", [
    "c'est débile", "this is stupid", "the price is stupid high", "quelle idée idiote",
])
def test_rude_words_aimed_at_no_one_are_only_slightly_toxic(moderator: Moderator,
                                                            text: str) -> None:
    result = moderator.moderate(text)
    assert result.flags == [] and result.toxicity == 0.15


@pytest.mark.parametrize("text", [
    "je vais te tuer", "j'vais t'éclater", "on va te buter", "je te défonce",
    "jte bute", "je vais te casser la gueule", "on sait où tu habites", "je sais où vous habitez",
    "t'es mort", "t'es un homme mort", "va crever", "va te pendre", "je vais brûler votre magasin",
    "je vais mettre le feu à votre boutique", "tu vas me le payer",
    "I will kill you", "i'll kill u", "i'm gonna fucking kill you", "we will hurt your family",
    "imma stab you", "watch your back", "we know where you live", "kys", "go kill yourself",
    "you're dead", "i hope you die", "I'll burn down your store",
])
def test_threats(moderator: Moderator, text: str) -> None:
    result = moderator.moderate(text)
    assert "threat" in result.flags
    assert result.toxicity >= 0.9


def test_toxicity_orders_swearing_insults_and_threats(moderator: Moderator) -> None:
    swearing = moderator.moderate("putain c'est bon").toxicity
    english_swearing = moderator.moderate("this is fucking great").toxicity
    insult = moderator.moderate("t'es un connard").toxicity
    clean_insult = moderator.moderate("you idiot").toxicity
    threat = moderator.moderate("je vais te tuer").toxicity
    assert 0 < swearing < clean_insult <= insult < threat <= 1
    assert english_swearing < clean_insult
    assert moderator.moderate("merde merde putain").toxicity > swearing
    assert moderator.moderate("je vais te tuer connard").toxicity > threat


# --- Spam and bots --------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Code promo -50% sur https://promo-bougies.example cliquez ici",
    "Get free followers now https://bit.ly/xyz",
    "Invest in bitcoin with me, contact me on WhatsApp +44 7700 900123",
    "Forex and crypto signals, DM me",
    "https://a.example https://b.example https://c.example",
    "DM pour collab 📩 https://insta.example/x",
    "Gagnez un iPhone ! https://win.example",
    "CLIQUEZ VITE SUR CE LIEN MAINTENANT https://win.example",
    "#a #b #c #d #e #f #g #h #i #j #k #l",
    "buy buy buy buy buy now",
    "Ouiiiiiiiiiiiiiiiiiiiiiiiiiiiiii",
])
def test_spam(moderator: Moderator, text: str) -> None:
    assert "spam" in _flags(moderator, text)


@pytest.mark.parametrize("text", [
    "Super bougie, je l'ai trouvée ici https://maisonlumiere.example/bougie-ambre",
    "Loved it! https://shop.example.com/p/123",
    "Le code promo ne marche pas, vous pouvez m'aider ?",
    "Do you accept bitcoin?",
    "Ouiiiiiii trop bien !!!!!!",
    "J'adore #bougie #maisonlumiere",
    "Mon numéro de commande est 123456789, merci de vérifier",
    "Check out the review I wrote on my blog https://blog.example/bougies",
])
def test_ordinary_posts_are_not_spam(moderator: Moderator, text: str) -> None:
    flags = _flags(moderator, text)
    assert "spam" not in flags and "bot" not in flags


@pytest.mark.parametrize("text", [
    "Follow back please 🙏", "check my bio 🔥🔥🔥", "link in bio 🔥", "lien en bio ✨",
    "f4f l4l", "like for like", "#bougie #cadeau #noel #deco #maison",
    "Nice pics! Promote it on our page",
])
def test_bots(moderator: Moderator, text: str) -> None:
    assert "bot" in _flags(moderator, text)


def test_the_same_text_three_times_in_a_batch_is_a_bot() -> None:
    copy = "Wow amazing content, you should really check our new collection"
    near = "Wow AMAZING content!! you should really check our new collection 😍 @someone"
    docs = [Doc(key=("x", str(n)), text=text)
            for n, text in enumerate([copy, "Une bougie magnifique", copy, near,
                                      "Short text", "Short text", "Short text"])]
    out = list(Moderator().pipe(docs))
    assert ["bot" in d.values["flags"] for d in out] == [True, False, True, True,
                                                         False, False, False]
    twice = [Doc(key=("x", str(n)), text=copy) for n in range(2)]
    assert all("bot" not in d.values["flags"] for d in Moderator().pipe(twice))


# --- Personal data --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kind", "found"), [
    ("écrivez à jean.dupont@example.fr merci", "email", "jean.dupont@example.fr"),
    ("Appelez-moi au 06 12 34 56 78 svp", "phone", "06 12 34 56 78"),
    ("mon tel 06.12.34.56.78", "phone", "06.12.34.56.78"),
    ("mon tel 0612345678", "phone", "0612345678"),
    ("Mon numéro: 07-12-34-56-78", "phone", "07-12-34-56-78"),
    ("joignable au +33 6 12 34 56 78", "phone", "+33 6 12 34 56 78"),
    ("joignable au 0033 6 12 34 56 78", "phone", "0033 6 12 34 56 78"),
    ("London office +44 20 7946 0958", "phone", "+44 20 7946 0958"),
    ("call (555) 123-4567 now", "phone", "(555) 123-4567"),
    ("call 555-123-4567 now", "phone", "555-123-4567"),
    ("IBAN FR76 3000 6000 0112 3456 7890 189 merci", "iban", "FR76 3000 6000 0112 3456 7890 189"),
    ("pay to GB82WEST12345698765432", "iban", "GB82WEST12345698765432"),
    ("DE89 3704 0044 0532 0130 00", "iban", "DE89 3704 0044 0532 0130 00"),
    ("carte 4111 1111 1111 1111 exp 12/27", "card", "4111 1111 1111 1111"),
    ("card 5555-5555-5555-4444", "card", "5555-5555-5555-4444"),
    ("amex 3782 822463 10005", "card", "3782 822463 10005"),
    ("4111111111111111", "card", "4111111111111111"),
])
def test_finds_personal_data(moderator: Moderator, text: str, kind: str, found: str) -> None:
    [match] = find_pii(text)
    assert match.kind == kind and text[match.start:match.end] == found
    assert f"pii_{kind}" in _flags(moderator, text)


@pytest.mark.parametrize("text", [
    "Prix 49,90 €", "1 299,00 €", "commande 123456789", "commande n° 2024-000123",
    "le 12/03/2024", "du 06/12/2024 au 12.03.2025", "2024-03-12 à 12:30", "en 2024",
    "75011 Paris", "+10 000 000 de vues", "SIRET 123 456 789 00012", "192.168.1.10",
    "ISBN 978-2-07-036822-8", "réf 0612345678901", "https://shop.example/p/0612345678",
    "FR76 3000 6000 0112 3456 7890 188",  # mod-97 check fails
    "4111 1111 1111 1112",  # Luhn check fails
    "1234 5678 9012 3452",  # Luhn-valid, but no card brand starts with 1
    "@maisonlumiere merci !",
])
def test_ordinary_numbers_are_not_personal_data(moderator: Moderator, text: str) -> None:
    assert find_pii(text) == []
    assert redact(text) == text
    assert not any(flag.startswith("pii_") for flag in _flags(moderator, text))


def test_redact_replaces_each_kind_with_its_placeholder() -> None:
    text = ("Contact: anna@example.org, 06 12 34 56 78 ou +44 20 7946 0958; "
            "IBAN FR76 3000 6000 0112 3456 7890 189, carte 4111 1111 1111 1111. Merci !")
    assert redact(text) == ("Contact: [email], [phone] ou [phone]; IBAN [iban], carte [card]. "
                            "Merci !")
    assert [m.kind for m in find_pii(text)] == ["email", "phone", "phone", "iban", "card"]
    assert redact("rien à cacher") == "rien à cacher"


def test_find_pii_returns_ordered_non_overlapping_matches() -> None:
    text = "a@b.fr 06 12 34 56 78 c@d.com"
    matches = find_pii(text)
    assert matches == sorted(matches, key=lambda m: m.start)
    assert all(a.end <= b.start for a, b in pairwise(matches))
    assert matches[0] == PiiMatch("email", 0, 6)


@pytest.mark.parametrize("text", [
    "FR76 3000 6000 0112 3456 7890 1890@0.A0",  # an IBAN running into an address
    "0@0.AA.0@0.AA",  # an address right after another
    "0@0.A0\u00b9@0.A0",  # a superscript digit starts the second one
    "-a@b.co and a@b.co",
])
def test_redaction_leaves_nothing_that_reads_as_an_address(text: str) -> None:
    redacted = redact(text)
    assert "[email]" in redacted
    assert not any(m.kind == "email" for m in find_pii(redacted))
    assert all(text[m.start:m.end] not in redacted for m in find_pii(text))


def test_checksums() -> None:
    assert iban_is_valid("FR7630006000011234567890189")
    assert not iban_is_valid("FR7630006000011234567890188")
    assert not iban_is_valid("XX7630006000011234567890189")
    assert luhn_is_valid("4111111111111111") and not luhn_is_valid("4111111111111112")


# --- The component ----------------------------------------------------------------------------

def test_pipe_sets_both_values_on_each_doc_and_says_who_made_them() -> None:
    texts = ["t'es un connard", "Super bougie !", "Appelle au 06 12 34 56 78",
             "je vais te tuer", "link in bio 🔥"]
    docs = [Doc(key=("x", str(n)), text=text) for n, text in enumerate(texts)]
    out = list(Moderator().pipe(docs, batch_size=2))
    assert [d.key for d in out] == [d.key for d in docs]
    assert [d.values["flags"] for d in out] == [["insult", "profanity"], [], ["pii_phone"],
                                                ["threat"], ["bot"]]
    for doc in out:
        assert 0.0 <= doc.values["toxicity"] <= 1.0
        assert doc.made_by == {"toxicity": NAME, "flags": NAME}


def test_pipe_reads_the_title_and_the_language() -> None:
    titled = Doc(key=("youtube", "1"), text="Review of the candle", title="Bande de nazes")
    spanish = Doc(key=("x", "2"), text="Café con leche", language="es")
    detected = Doc(key=("x", "3"), text="c'est con", values={"language": "fr"})
    out = list(Moderator().pipe([titled, spanish, detected]))
    assert out[0].values["flags"] == ["insult"]
    assert out[1].values["flags"] == []
    assert out[2].values["flags"] == ["profanity"]


def test_a_failing_doc_is_reported_and_the_batch_goes_on() -> None:
    errors: list[EnrichError] = []
    broken = Doc(key=("x", "bad"), text=12345)  # type: ignore[arg-type]
    good = Doc(key=("x", "good"), text="Espèce d'abruti")
    out = list(Moderator().pipe([broken, good], on_error=errors.append))
    assert [d.key for d in out] == [("x", "bad"), ("x", "good")]
    assert len(errors) == 1 and errors[0].key == ("x", "bad") and errors[0].component == NAME
    assert "TypeError" in errors[0].reason
    assert out[0].values == {} and out[1].values["flags"] == ["insult"]


def test_the_strict_handler_stops_at_the_first_failure() -> None:
    broken = Doc(key=("x", "bad"), text=None)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=NAME):
        list(Moderator().pipe([broken]))


def test_follows_the_component_contract(tmp_path: Path) -> None:
    component = Moderator()
    assert isinstance(component, Component)
    assert component.name == "confiance.moderation.v1"
    assert component.writes == ("toxicity", "flags")
    component.to_disk(tmp_path)
    assert component.from_disk(tmp_path) is component


def test_two_thousand_typical_posts(tmp_path: Path) -> None:
    """The demo set (synthetic customer posts in several languages, with the language the
    detector would give): mostly clean, every value well formed, no threats or insults."""
    generate(tmp_path, posts=2600, seed=11)
    labels = {(r["platform"], r["platform_id"]): r["language"] for r in map(
        orjson.loads, (tmp_path / "labels.ndjson").read_bytes().splitlines())}
    posts = [Post.model_validate_json(line)
             for line in (tmp_path / "canonical.ndjson").read_bytes().splitlines()]
    with (tmp_path / "x-v2.jsonl").open("rb") as stream:
        posts += [p for p in x_v2.FORMATS[0].read(stream) if isinstance(p, Post)]
    docs = [Doc.from_post(post) for post in posts[:2000]]
    for doc in docs:
        doc.values["language"] = labels[doc.key]
    out = list(Moderator().pipe(docs))
    assert len(out) == 2000
    flagged = 0
    for doc in out:
        toxicity, flags = doc.values["toxicity"], doc.values["flags"]
        assert isinstance(toxicity, float) and 0.0 <= toxicity <= 1.0
        assert flags == sorted(set(flags)) and set(flags) <= set(FLAGS)
        assert "threat" not in flags and "insult" not in flags
        if "pii_email" in flags:
            assert "[email]" in redact(f"{doc.title or ''} {doc.text}")
        flagged += bool(set(flags) - {"pii_email"})
    assert flagged <= 0.02 * len(out)


# --- Fuzzing ----------------------------------------------------------------------------------

_pieces = st.one_of(st.text(max_size=30), st.emails(), st.sampled_from(
    [" ", "\n", ", ", "@", ".", "06 12 34 56 78", "+33 6 12 34 56 78", "4111 1111 1111 1111",
     "FR76 3000 6000 0112 3456 7890 189", "connard", "https://x.example/a", "#tag", "é"]))
_texts = st.lists(_pieces, max_size=12).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_fuzz_never_raises_and_redact_leaves_no_email(text: str) -> None:
    matches = find_pii(text)
    redacted = redact(text)
    for match in matches:
        assert 0 <= match.start < match.end <= len(text)
        if match.kind == "email":
            assert text[match.start:match.end] not in redacted
    assert not any(m.kind == "email" for m in find_pii(redacted))
    result = Moderator().moderate(text)
    assert 0.0 <= result.toxicity <= 1.0 and set(result.flags) <= set(FLAGS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=8))
def test_fuzz_pipe_sets_values_on_every_doc(texts: list[str]) -> None:
    errors: list[EnrichError] = []
    docs = [Doc(key=("x", str(n)), text=text) for n, text in enumerate(texts)]
    out = list(Moderator().pipe(docs, batch_size=3, on_error=errors.append))
    assert not errors
    assert all(set(d.values) == {"toxicity", "flags"} for d in out)


def test_long_adversarial_texts_finish() -> None:
    for text in ["1 " * 3000, "a" * 5000 + "@", "+1" + " 1" * 1500, "06 " * 2000,
                 "a@b." * 1500, "4111 1111 1111 1111 " * 100, "sh1t " * 1000]:
        assert isinstance(redact(text), str)
        assert 0.0 <= Moderator().moderate(text).toxicity <= 1.0
