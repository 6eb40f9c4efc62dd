from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.enrich.component import Component, Doc, EnrichError
from confiance.enrich.intent import (
    COMPLAINT,
    INTENTS,
    NAME,
    OTHER,
    PRAISE,
    PURCHASE,
    QUESTION,
    IntentClassifier,
    _first_chars,
    classify,
    fold,
)

# (text, language hint, expected primary intent, expected full set of intents)
FRENCH = [
    # complaints, standard and informal
    ("Ma commande n'est jamais arrivée, vous pouvez me dire où elle est ?", "fr", COMPLAINT,
     {COMPLAINT, QUESTION}),
    ("jai jamais recu ma commande", "fr", COMPLAINT, {COMPLAINT}),
    ("c koi ce delire", "fr", COMPLAINT, {COMPLAINT}),
    ("pk ca marche pas", "fr", COMPLAINT, {COMPLAINT, QUESTION}),
    ("Colis toujours pas livré après 12 jours, super le suivi Colissimo", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Rouge à lèvres reçu cassé en deux, emballage inexistant", "fr", COMPLAINT, {COMPLAINT}),
    ("Remboursez-moi, ça fait un mois que j'ai renvoyé le manteau", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Le SAV de Mobilix est injoignable depuis lundi", "fr", COMPLAINT, {COMPLAINT}),
    ("3h d'attente au téléphone et on me raccroche au nez", "fr", COMPLAINT, {COMPLAINT}),
    ("Inadmissible : prélevée deux fois pour le même abonnement", "fr", COMPLAINT, {COMPLAINT}),
    ("ptn l'appli de la banque bug encore, impossible de faire un virement", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Plus jamais je commande chez vous", "fr", COMPLAINT, {COMPLAINT}),
    ("La crème m'a provoqué une réaction allergique, je suis dégoûtée", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Burger arrivé froid et frites molles, Livrago c'est de pire en pire", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Très déçue de la qualité du pull, il a bouloché au premier lavage", "fr", COMPLAINT,
     {COMPLAINT}),
    ("personne ne répond aux mails, c'est une arnaque ou quoi", "fr", COMPLAINT, {COMPLAINT}),
    ("Box en panne depuis samedi, et le technicien ne vient que jeudi", "fr", COMPLAINT,
     {COMPLAINT}),
    ("tjrs pas de nouvelles de mon remboursement", "fr", COMPLAINT, {COMPLAINT}),
    ("Pas top le service client, 20 min pour une réponse à côté", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Je ne recommande pas du tout cet hôtel", "fr", COMPLAINT, {COMPLAINT}),
    ("j'en ai marre de vos coupures de réseau", "fr", COMPLAINT, {COMPLAINT}),
    ("Sérieux ?! Encore un vol annulé sans prévenir", "fr", COMPLAINT, {COMPLAINT}),
    ("Vous vous foutez de qui ? 15€ de frais pour un retour", "fr", COMPLAINT, {COMPLAINT}),
    # sarcasm
    ("Bravo vraiment 👏 3 semaines de retard", "fr", COMPLAINT, {COMPLAINT}),
    ("merci pour rien", "fr", COMPLAINT, {COMPLAINT}),
    ("Génial, encore une panne de fibre ce soir", "fr", COMPLAINT, {COMPLAINT}),
    ("Super la livraison express : 10 jours 🙃", "fr", COMPLAINT, {COMPLAINT}),
    ("J'adore attendre 45 minutes que quelqu'un décroche", "fr", COMPLAINT, {COMPLAINT}),
    ("Merci BanqueAzur, carte bloquée un samedi soir, c'est top", "fr", COMPLAINT,
     {COMPLAINT}),
    # politeness inside a complaint is not praise
    ("Merci de me répondre, mon colis est perdu depuis 10 jours", "fr", COMPLAINT,
     {COMPLAINT}),
    ("Merci de rembourser ma commande annulée au plus vite", "fr", COMPLAINT, {COMPLAINT}),
    # questions
    ("Est-ce que la livraison est offerte à partir de 50€ ?", "fr", QUESTION, {QUESTION}),
    ("Comment on fait pour modifier son RIB dans l'appli", "fr", QUESTION, {QUESTION}),
    ("Bonjour, quand est-ce que la boutique de Lille rouvre", "fr", QUESTION, {QUESTION}),
    ("qqn sait si le magasin de Bordeaux est ouvert le dimanche", "fr", QUESTION, {QUESTION}),
    ("Vous savez si le forfait inclut l'Espagne en roaming ?", "fr", QUESTION, {QUESTION}),
    ("Quelqu'un sait comment activer la carte virtuelle", "fr", QUESTION, {QUESTION}),
    ("Je me demande si le sérum convient aux peaux sensibles", "fr", QUESTION, {QUESTION}),
    ("Des infos sur les horaires d'été de l'agence ?", "fr", QUESTION, {QUESTION}),
    ("Pourquoi l'appli me demande de me reconnecter tous les jours", "fr", QUESTION,
     {QUESTION}),
    ("Qu'est-ce qui est inclus dans la formule tout compris de l'hôtel", "fr", QUESTION,
     {QUESTION}),
    ("Le train de 8h est maintenu demain ?", "fr", QUESTION, {QUESTION}),
    ("Où est-ce que je trouve mon numéro client", "fr", QUESTION, {QUESTION}),
    ("Quel est le délai de rétractation pour une assurance ?", "fr", QUESTION, {QUESTION}),
    # purchase intent
    ("Je vais acheter le coffret pour Noël", "fr", PURCHASE, {PURCHASE}),
    ("J'hésite entre la palette Nude et la Smoky", "fr", PURCHASE, {PURCHASE}),
    ("Je compte prendre l'abonnement fibre le mois prochain", "fr", PURCHASE, {PURCHASE}),
    ("Je cherche un sac de voyage cabine léger", "fr", PURCHASE, {PURCHASE}),
    ("je veux commander le menu famille ce soir", "fr", PURCHASE, {PURCHASE}),
    ("Le parfum est dans ma wishlist depuis des mois", "fr", PURCHASE, {PURCHASE}),
    ("Je craque pour la nouvelle robe fleurie 😍", "fr", PURCHASE, {PRAISE, PURCHASE}),
    ("Bon, je vais craquer pour les baskets blanches", "fr", PURCHASE, {PURCHASE}),
    ("Besoin d'un conseil pour choisir entre deux forfaits", "fr", PURCHASE, {PURCHASE}),
    ("Combien coûte le coffret découverte ?", "fr", QUESTION, {QUESTION, PURCHASE}),
    ("Vous le faites en 38 ce modèle ?", "fr", QUESTION, {QUESTION, PURCHASE}),
    ("Dispo en noir le pull col V ?", "fr", QUESTION, {QUESTION, PURCHASE}),
    ("Où acheter vos bougies en Belgique ?", "fr", QUESTION, {QUESTION, PURCHASE}),
    ("Prix ?", "fr", QUESTION, {QUESTION, PURCHASE}),
    ("Il reste des chambres pour le 14 juillet ? Merci d'avance", "fr", QUESTION,
     {QUESTION, PURCHASE}),
    # praise
    ("Merci pour la livraison ultra rapide, colis parfait !", "fr", PRAISE, {PRAISE}),
    ("Bravo à l'équipe du SAV, problème réglé en 10 minutes", "fr", PRAISE, {PRAISE}),
    ("Ce mascara est top, je recommande", "fr", PRAISE, {PRAISE}),
    ("Trop bien ce nouveau resto, au top 👌", "fr", PRAISE, {PRAISE}),
    ("Génial le nouveau forfait, merci Mobilix", "fr", PRAISE, {PRAISE}),
    ("Jamais déçue par vos crèmes", "fr", PRAISE, {PRAISE}),
    ("Service parfait du début à la fin", "fr", PRAISE, {PRAISE}),
    ("merciii 😍😍", "fr", PRAISE, {PRAISE}),
    ("Rien à redire, livraison à l'heure et pizza délicieuse", "fr", PRAISE, {PRAISE}),
    # mixed: genuine praise next to a complaint, with a contrast marker
    ("Produit génial mais livraison en retard", "fr", COMPLAINT, {COMPLAINT, PRAISE}),
    ("La robe est magnifique, par contre le colis est arrivé abîmé", "fr", COMPLAINT,
     {COMPLAINT, PRAISE}),
    # other
    ("Nouvelle collection en boutique demain", "fr", OTHER, {OTHER}),
    ("Photo du jour #paris", "fr", OTHER, {OTHER}),
    ("Atelier maquillage samedi à 15h dans notre boutique de Nantes", "fr", OTHER, {OTHER}),
    ("Au pire on ira au cinéma ce soir", "fr", OTHER, {OTHER}),
]

ENGLISH = [
    ("My parcel never arrived and nobody answers the chat", "en", COMPLAINT, {COMPLAINT}),
    ("Still waiting for my refund after three weeks", "en", COMPLAINT, {COMPLAINT}),
    ("The blender arrived broken, the box was soaked", "en", COMPLAINT, {COMPLAINT}),
    ("Worst customer service I have ever dealt with", "en", COMPLAINT, {COMPLAINT}),
    ("This is a scam, they charged me twice", "en", COMPLAINT, {COMPLAINT}),
    ("The app doesn't work since the last update", "en", COMPLAINT, {COMPLAINT}),
    ("Really disappointed with the new formula, it smells awful", "en", COMPLAINT,
     {COMPLAINT}),
    ("Terrible service at the airport desk, two hours for nothing", "en", COMPLAINT,
     {COMPLAINT}),
    ("Why is my card blocked again?", "en", COMPLAINT, {COMPLAINT, QUESTION}),
    ("Are you kidding me?! Third delay this week", "en", COMPLAINT, {COMPLAINT}),
    # sarcasm
    ("great, another delay", "en", COMPLAINT, {COMPLAINT}),
    ("thanks for nothing", "en", COMPLAINT, {COMPLAINT}),
    ("Love waiting on hold for an hour, great job", "en", COMPLAINT, {COMPLAINT}),
    ("Amazing, my order got cancelled again 🙄", "en", COMPLAINT, {COMPLAINT}),
    # questions
    ("Does anyone know if the store opens on Sunday?", "en", QUESTION, {QUESTION}),
    ("How do I update my billing address", "en", QUESTION, {QUESTION}),
    ("Is it possible to change the flight date online", "en", QUESTION, {QUESTION}),
    ("Can I pay with Apple Pay in your shop", "en", QUESTION, {QUESTION}),
    ("When does the summer menu start?", "en", QUESTION, {QUESTION}),
    ("Do you know if the serum is fragrance free", "en", QUESTION, {QUESTION}),
    # purchase intent
    ("I want to buy the blue one for my daughter", "en", PURCHASE, {PURCHASE}),
    ("Thinking of buying the new phone next month", "en", PURCHASE, {PURCHASE}),
    ("Where can I buy your hot sauce in London?", "en", QUESTION, {QUESTION, PURCHASE}),
    ("Is it in stock in size 10?", "en", QUESTION, {QUESTION, PURCHASE}),
    ("Planning to order the family bundle this weekend", "en", PURCHASE, {PURCHASE}),
    ("Should I get the 12 or the 24 month plan?", "en", QUESTION, {QUESTION, PURCHASE}),
    ("That jacket is going on my wishlist", "en", PURCHASE, {PURCHASE}),
    # praise
    ("Thank you for the quick reply, problem solved", "en", PRAISE, {PRAISE}),
    ("Amazing food and super friendly staff, highly recommend", "en", PRAISE, {PRAISE}),
    ("Best hotel we have stayed in, thank you!", "en", PRAISE, {PRAISE}),
    ("I love this lipstick so much", "en", PRAISE, {PRAISE}),
    ("Never disappointed by this bakery", "en", PRAISE, {PRAISE}),
    ("Great phone but the battery could be better", "en", PRAISE, {PRAISE}),
    # mixed
    ("The staff were lovely but the room was dirty and the wifi never worked", "en",
     COMPLAINT, {COMPLAINT, PRAISE}),
    # other
    ("New post on the blog about autumn recipes", "en", OTHER, {OTHER}),
    ("Sunset over the bay tonight", "en", OTHER, {OTHER}),
]

CASES = FRENCH + ENGLISH


@pytest.mark.parametrize(("text", "language", "primary", "intents"), CASES,
                         ids=[case[0][:40] for case in CASES])
def test_classifies_realistic_posts(text: str, language: str, primary: str,
                                    intents: set[str]) -> None:
    assert classify(text, language) == (primary, sorted(intents))


@pytest.mark.parametrize(("text", "language", "primary", "intents"), CASES,
                         ids=[case[0][:40] for case in CASES])
def test_without_a_language_hint_both_rule_sets_apply(text: str, language: str, primary: str,
                                                      intents: set[str]) -> None:
    assert classify(text, None)[0] == primary
    assert classify(text, "unknown")[0] == primary


@pytest.mark.parametrize(("text", "language", "sentiment", "primary"), [
    # a problem or service word, or an @mention, with a negative sentiment is a complaint
    ("Livraison prévue mardi, on verra", "fr", "negative", COMPLAINT),
    ("@Fibrelia 😢", "fr", "negative", COMPLAINT),
    ("@Mobilix ...", "fr", "negative", COMPLAINT),
    ("Customer service, again.", "en", "negative", COMPLAINT),
    # an ironic praise word in a negative post
    ("Bravo. Vraiment.", "fr", "negative", COMPLAINT),
    # positive sentiment with mild praise words
    ("Livraison rapide", "fr", "positive", PRAISE),
    # a mild cue with a service word needs no sentiment
    ("Livraison bof", "fr", None, COMPLAINT),
    ("Nice one", "en", "positive", PRAISE),
    # neutral or missing sentiment does not invent a complaint
    ("@Mobilix ...", "fr", "neutral", OTHER),
    ("Livraison prévue mardi, on verra", "fr", "neutral", OTHER),
])
def test_sentiment_is_a_supporting_signal(text: str, language: str, sentiment: str | None,
                                          primary: str) -> None:
    assert classify(text, language, sentiment)[0] == primary


@pytest.mark.parametrize(("text", "without"), [
    ("Livraison prévue mardi, on verra", OTHER),
    ("@Mobilix ...", OTHER),
    ("Bravo. Vraiment.", PRAISE),
])
def test_the_same_text_without_sentiment(text: str, without: str) -> None:
    assert classify(text, "fr")[0] == without


@pytest.mark.parametrize(("text", "primary", "intents"), [
    ("Colis cassé, vous pouvez me rembourser ? Merci, je recommande quand même la marque",
     COMPLAINT, [COMPLAINT, PRAISE, QUESTION]),
    ("Je vais commander le coffret, il est dispo en rose ?", QUESTION, [PURCHASE, QUESTION]),
    ("Je vais acheter la crème, elle est géniale", PURCHASE, [PRAISE, PURCHASE]),
    ("La vendeuse était top, je vais prendre la veste", PURCHASE, [PRAISE, PURCHASE]),
])
def test_priority_complaint_question_purchase_praise(text: str, primary: str,
                                                      intents: list[str]) -> None:
    assert classify(text, "fr") == (primary, intents)
    assert list(INTENTS) == [COMPLAINT, QUESTION, PURCHASE, PRAISE, OTHER]


@pytest.mark.parametrize(("text", "language"), [
    ("Merci de me répondre rapidement", "fr"),
    ("Merci d'avance pour votre retour", "fr"),
    ("Thanks in advance", "en"),
])
def test_politeness_is_not_praise(text: str, language: str) -> None:
    assert PRAISE not in classify(text, language)[1]


@pytest.mark.parametrize(("text", "language"), [
    ("Sérieux ?!", "fr"),
    ("C'est une blague ?", "fr"),
    ("3 semaines pour un remboursement ?!", "fr"),
    ("Seriously?! My order is still missing", "en"),
])
def test_rhetorical_question_marks_are_not_questions(text: str, language: str) -> None:
    assert classify(text, language) == (COMPLAINT, [COMPLAINT])


def test_bare_thanks_closing_a_question_is_politeness_but_explicit_thanks_is_praise() -> None:
    assert classify("Vous livrez en Belgique ? Merci !", "fr")[1] == [PURCHASE, QUESTION]
    assert PRAISE in classify("Merci pour votre aide ! Vous ouvrez dimanche ?", "fr")[1]


def test_fold_removes_accents_case_and_elongation() -> None:
    assert fold("ÉNORME Déçue’ MERCIIII  à-vous https://t.co/x") == "enorme decue' merci a vous "
    assert fold("Cœur") == "coeur"


def test_first_chars_sees_through_groups_lookbehinds_and_optional_atoms() -> None:
    assert _first_chars(r"(?<!au )pire")[0] == frozenset("p")
    assert _first_chars(r"#?fail")[0] == frozenset("#f")
    assert _first_chars(r"(?:je |j'|j ?)hesite")[0] == frozenset("j")
    assert _first_chars(r"\d+ ?h")[0] == frozenset("0123456789")


def test_pipe_sets_intent_and_intents_on_a_batch() -> None:
    docs = [Doc(key=("x", "1"), text="Mon colis n'est jamais arrivé"),
            Doc(key=("x", "2"), text="Est-ce que vous livrez en Suisse ?", values={
                "language": "fr"}),
            Doc(key=("x", "3"), text="Thank you, amazing service", values={
                "language": "en", "sentiment": "positive"}),
            Doc(key=("x", "4"), text="Compte rendu de la réunion", title="Lundi"),
            Doc(key=("x", "5"), text="franchement bof", mentions=["mobilix"],
                values={"sentiment": "negative"})]
    out = list(IntentClassifier().pipe(docs, batch_size=2))
    assert [d.values["intent"] for d in out] == [COMPLAINT, QUESTION, PRAISE, OTHER, COMPLAINT]
    assert out[1].values["intents"] == [PURCHASE, QUESTION]
    assert all(d.made_by["intent"] == NAME == d.made_by["intents"] for d in out)
    assert all(len(d.values["intent"]) <= 20 for d in out)


def test_title_is_read_with_the_text() -> None:
    [doc] = IntentClassifier().pipe([Doc(key=("r", "1"), title="Où acheter la crème ?",
                                         text="Je la trouve plus en pharmacie")])
    assert doc.values["intent"] == QUESTION


def test_a_failing_doc_is_reported_and_the_batch_goes_on() -> None:
    errors: list[EnrichError] = []
    broken = Doc(key=("x", "bad"), text=42)  # type: ignore[arg-type]
    good = Doc(key=("x", "good"), text="Livraison jamais reçue, remboursez-moi")
    out = list(IntentClassifier().pipe([broken, good], on_error=errors.append))
    assert [d.key for d in out] == [("x", "bad"), ("x", "good")]
    assert len(errors) == 1 and errors[0].key == ("x", "bad") and errors[0].component == NAME
    assert "TypeError" in errors[0].reason
    assert "intent" not in out[0].values and out[1].values["intent"] == COMPLAINT


def test_the_strict_handler_stops_at_the_first_failure() -> None:
    with pytest.raises(RuntimeError, match=NAME):
        list(IntentClassifier().pipe([Doc(key=("x", "bad"), text=None)]))  # type: ignore[arg-type]


def test_follows_the_component_contract() -> None:
    component = IntentClassifier()
    assert isinstance(component, Component)
    assert component.name == "confiance.intent.v1"
    assert set(component.writes) == {"intent", "intents"}
    assert component.classify("merci pour rien") == (COMPLAINT, [COMPLAINT])


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300),
       language=st.sampled_from([None, "fr", "en", "unknown", "es", "fr-FR", ""]),
       sentiment=st.sampled_from([None, "positive", "neutral", "negative", "weird"]))
def test_classify_never_raises_and_stays_in_the_vocabulary(text: str, language: str | None,
                                                           sentiment: str | None) -> None:
    primary, intents = classify(text, language, sentiment)
    assert primary in INTENTS and len(primary) <= 20
    assert intents == sorted(set(intents)) and primary in intents
    assert set(intents) <= set(INTENTS)
    assert (primary == OTHER) == (intents == [OTHER])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["merci", "pas", "jamais", "reçu", "?", "!", "@x", "😍",
                                 "top", "mais", "ça", "marche", "je", "vais", "acheter",
                                 "thanks", "for", "nothing", "qu'", "l'", "-", "…"]),
                max_size=25))
def test_classify_is_total_on_cue_soup(words: list[str]) -> None:
    primary, intents = classify(" ".join(words))
    assert primary in INTENTS and set(intents) <= set(INTENTS)
