from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confiance.core.errors import ConfianceError
from confiance.domain import Author, Platform, Post, PostKind
from confiance.enrich.query import Query, _Target, fold, parse_query, tokenize
from confiance.enrich.query_parser import And, Near, Not, Or, Phrase, Term, Wildcard

BRAND = ('("Maison Lumière" OR @MaisonLumiere OR #MaLumiereAMoi) '
         'AND NOT (emploi OR recrutement)')


def post(text: str | None = None, **fields: Any) -> Post:
    fields.setdefault("platform", Platform.INSTAGRAM)
    return Post(platform_id=str(abs(hash((text, repr(fields))))), text=text, **fields)


def hits(query: str, *texts: str) -> list[bool]:
    return parse_query(query).match_texts(texts)


def slow(query: Query, text: str, title: str | None = None) -> bool:
    """Match on the folded text only, never through the raw-text shortcut."""
    target = _Target(text, title, None)
    target._safe = False
    return query._match(target)


# --- tokens ---------------------------------------------------------------------------------


def test_tokenize_folds_case_accents_apostrophes_and_keeps_emoji() -> None:
    assert tokenize("L'odeur de la Bougie « Figue d’Automne » 🕯️🕯 porte-clés") == [
        "l", "odeur", "de", "la", "bougie", "figue", "d", "automne", "🕯", "🕯", "porte",
        "cles"]
    assert tokenize("cœur, Straße, ﬁgue, #MaLumièreAMoi @Maison.Lumiere 👍🏽 🇫🇷") == [
        "coeur", "strasse", "figue", "malumiereamoi", "maison", "lumiere", "👍", "🏽", "🇫🇷"]
    assert fold("Élodie ÉCRIT") == "elodie ecrit"


# --- terms, phrases, wildcards ----------------------------------------------------------------


def test_a_term_is_a_whole_word_whatever_its_case_and_accents() -> None:
    texts = ["La LUMIÈRE du soir", "lumieres", "allumière", "lumière-bougie", "l'lumière"]
    assert hits("lumiere", *texts) == [True, False, False, True, True]
    assert hits("Lumière", *texts) == hits("lumiere", *texts)


def test_phrase_needs_consecutive_words() -> None:
    texts = ["Merci Maison   Lumière !", "maison, lumière", "la maison de lumière",
             "Lumière Maison", "maison\nlumière"]
    assert hits('"Maison Lumière"', *texts) == [True, True, False, False, True]
    assert hits("«\u00a0Maison Lumière\u00a0»", *texts) == hits('"maison lumiere"', *texts)


def test_apostrophes_and_hyphens_split_words_in_text_and_query() -> None:
    texts = ["J'adore l'odeur", "l’odeur est top", "odeurs", "porte-clés offert",
             "porte clés", "un porte-monnaie"]
    assert hits("odeur", *texts) == [True, True, False, False, False, False]
    assert hits("l'odeur", *texts) == [True, True, False, False, False, False]
    assert hits("porte-clés", *texts) == [False, False, False, True, True, False]
    assert hits("aujourd'hui", "Livré aujourd’hui") == [True]


def test_wildcards() -> None:
    texts = ["bougie", "Bougies parfumées", "bougeoir", "la couleur", "le color", "colour"]
    assert hits("bougie*", *texts) == [True, True, False, False, False, False]
    assert hits("col?r", *texts) == [False, False, False, False, True, False]
    assert hits("colo*r", *texts) == [False, False, False, False, True, True]
    assert hits("*ougie", *texts) == [True, False, False, False, False, False]
    assert hits("parfum*", "Parfumées") == [True]


def test_emoji_are_tokens() -> None:
    texts = ["Trop bien 🕯️🕯️", "🕯", "bougie🕯", "👍🏽 merci", "rien"]
    assert hits("🕯️", *texts) == [True, True, True, False, False]
    assert hits("👍", *texts) == [False, False, False, True, False]
    assert hits("bougie 🕯", "bougie 🕯 parfumée", "bougie") == [True, False]
    assert hits('"bougie 🕯"', "bougie 🕯 parfumée", "bougie parfumée 🕯") == [True, False]
    assert hits("🇫🇷", "Fabriqué en 🇫🇷", "🇧🇪🇷🇺") == [True, False]


def test_cœur_and_coeur_are_the_same_word() -> None:
    assert hits("coeur", "Coup de cœur", "COEUR", "cœurs") == [True, True, False]
    assert hits("cœur", "coeur") == [True]


# --- boolean operators ----------------------------------------------------------------------


def test_and_or_not_and_implicit_and() -> None:
    texts = ["bougie figue", "bougie", "figue", "bougie cèdre"]
    assert hits("bougie AND figue", *texts) == [True, False, False, False]
    assert hits("bougie figue", *texts) == [True, False, False, False]
    assert hits("figue OR cedre", *texts) == [True, False, True, True]
    assert hits("bougie NOT figue", *texts) == [False, True, False, True]
    assert hits("bougie AND NOT figue", *texts) == [False, True, False, True]
    assert hits("NOT bougie", *texts) == [False, False, True, False]


def test_precedence_is_not_then_and_then_or() -> None:
    assert str(parse_query("a OR b AND c")) == "a OR (b AND c)"
    assert str(parse_query("a b OR c")) == "(a AND b) OR c"
    assert str(parse_query("NOT a AND b")) == "NOT a AND b"
    assert str(parse_query("NOT (a AND b)")) == "NOT (a AND b)"
    assert parse_query("a OR b AND c") == parse_query("a OR (b AND c)")
    assert parse_query("NOT a b") == parse_query("(NOT a) AND b")
    texts = ["a", "b c", "b", "c"]
    assert hits("a OR b AND c", *texts) == [True, True, False, False]
    assert hits("(a OR b) AND c", *texts) == [False, True, False, False]


def test_lower_case_and_or_not_are_words() -> None:
    query = parse_query("bague or argent")
    assert query.root == And((Term("bague"), Term("or"), Term("argent")))
    assert query.match_texts(["Une bague en or et argent", "bague argent"]) == [True, False]


def test_normalised_form_and_structure() -> None:
    query = parse_query(BRAND)
    assert str(query) == BRAND
    assert parse_query("  (bougie)   figue  ") == parse_query("bougie AND figue")
    assert str(parse_query("a AND (b AND c)")) == "a AND b AND c"
    assert str(parse_query('"bougie"')) == '"bougie"'
    assert parse_query('"bougie"') == parse_query("bougie")
    assert str(parse_query("title:«Très bien» rating:>=4,5")) == \
        'title:"Très bien" AND rating:>=4.5'
    assert parse_query("LANG:FR platform:Instagram").root == parse_query(
        "lang:fr AND platform:instagram").root


# --- hashtags and mentions -------------------------------------------------------------------


def test_hashtags_from_the_field_and_from_the_text() -> None:
    query = parse_query("#MaLumiereAMoi")
    assert query.matches(post("Trop contente", hashtags=["MaLumièreAMoi"]))
    assert query.matches(post("Trop contente", hashtags=["#malumiereamoi"]))
    assert query.matches(post("Trop contente #MaLumièreAMoi 🕯️"))
    assert not query.matches(post("Trop contente #MaLumiereAMoiAussi"))
    assert not query.matches(post("malumiereamoi sans dièse"))
    assert not query.matches(post("a#MaLumiereAMoi"))
    assert hits("malumiereamoi", "#MaLumiereAMoi") == [True]


def test_mentions_from_the_field_and_from_the_text() -> None:
    query = parse_query("@MaisonLumiere")
    assert query.matches(post("Merci !", mentions=["maisonlumiere"]))
    assert query.matches(post("Merci @MaisonLumière !"))
    assert query.matches(post("Merci @maisonlumiere@mastodon.social"))
    assert query.matches(post("x", mentions=["MaisonLumiere@mastodon.social"]))
    assert not query.matches(post("Merci @MaisonLumiere_Paris"))
    assert not query.matches(post("contact@maisonlumiere.fr"))
    assert not query.matches(post("x", mentions=["maisonlumiere.paris"]))
    full = parse_query("@lea_bougies@mastodon.social")
    assert full.matches(post("x", mentions=["lea_bougies@mastodon.social"]))
    assert not full.matches(post("x", mentions=["lea_bougies@piaille.fr"]))
    assert parse_query("@maison.lumiere").match_texts(
        ["cc @Maison.Lumiere.", "cc @maison.lumiere.paris"]) == [True, False]


# --- fields ---------------------------------------------------------------------------------


def test_field_filters() -> None:
    review = post("Parfait", platform=Platform.TRUSTPILOT, kind=PostKind.REVIEW,
                  language="fr-FR", rating=4.0, title="Très belle bougie",
                  author=Author(platform=Platform.TRUSTPILOT, platform_id="a",
                                handle="@Élodie"))
    tweet = post("Parfait", platform=Platform.X, language="en")
    assert [parse_query(q).matches(review) for q in (
        "lang:fr", "lang:fr-fr", "platform:trustpilot", "kind:review", "author:elodie",
        "author:@Élodie", "rating:4", "rating:>=4", "rating:<5", "title:bougie",
        'title:"belle bougie"', "title:boug*", "bougie")] == [True] * 13
    assert [parse_query(q).matches(review) for q in (
        "lang:en", "lang:fra", "platform:x", "kind:post", "author:elo", "rating:>4",
        "rating:<=3", "title:parfait", "NOT parfait")] == [False] * 9
    assert parse_query("rating:>=1").matches(tweet) is False
    assert parse_query("lang:en platform:x").matches(tweet)
    assert parse_query("lang:fr").match_texts(["bonjour"]) == [False]


def test_author_matches_the_user_part_of_a_fediverse_handle() -> None:
    toot = post("x", platform=Platform.MASTODON, author=Author(
        platform=Platform.MASTODON, platform_id="lea", handle="lea_bougies@mastodon.social"))
    assert parse_query("author:lea_bougies").matches(toot)
    assert parse_query("author:lea_bougies@mastodon.social").matches(toot)
    assert not parse_query("author:lea_bougies@piaille.fr").matches(toot)


def test_a_phrase_does_not_run_from_the_text_into_the_title() -> None:
    query = parse_query('"superbe bougie"')
    assert not query.matches(post("bougie", title="Superbe"))
    assert not query.matches(post("Superbe", title="bougie"))
    assert query.matches(post("rien", title="Superbe bougie"))


# --- NEAR -----------------------------------------------------------------------------------


def test_near_counts_the_words_between_in_either_order() -> None:
    texts = ["bougie parfumée à la figue", "la figue, quelle bougie", "bougie figue",
             "bougie un deux trois quatre figue", "bougie", "figue"]
    assert hits("bougie NEAR/3 figue", *texts) == [True, True, True, False, False, False]
    assert hits("bougie NEAR/0 figue", *texts) == [False, False, True, False, False, False]
    assert hits("bougie NEAR/4 figue", *texts)[3] is True


def test_near_with_phrases_wildcards_and_or_groups() -> None:
    query = parse_query('"Maison Lumière" NEAR/2 (livraison OR colis*)')
    assert query.match_texts(["Maison Lumière : livraison rapide",
                              "les colis de chez Maison Lumière", "Maison livraison Lumière",
                              "Maison Lumière, vraiment trop tard la livraison"]) == \
        [True, True, False, False]
    assert isinstance(query.root, Near)
    assert query.root.right == (Term("livraison"), Wildcard("colis*"))
    assert hits("a NEAR/1 a", "a", "a a", "a x a") == [False, True, True]


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "code", "position", "reason"), [
    ('"Maison Lumière" AND', "E401", 20, "expected a term after AND"),
    ("AND bougie", "E401", 0, "expected a term before AND"),
    ("bougie OR OR figue", "E401", 10, "expected a term after OR"),
    ("bougie NOT", "E401", 10, "expected a term after NOT"),
    ("(bougie OR figue", "E401", 0, "never closed"),
    ("bougie) figue", "E401", 6, "closes no ("),
    ("bougie ()", "E401", 8, "empty parentheses"),
    ('bougie "figue', "E401", 7, "quote is never closed"),
    ("   ", "E402", 0, "empty"),
    ("couleur:rouge", "E403", 0, "unknown field couleur:"),
    ("lang:français", "E404", 5, "language code"),
    ("platform:myspace", "E404", 9, "unknown platform"),
    ("kind:tweet", "E404", 5, "unknown kind"),
    ("rating:>11", "E404", 7, "rating from 0 to 10"),
    ("lang: fr", "E404", 0, "expected a value"),
    ("title:#x", "E404", 6, "title: takes"),
    ("bougie NEAR figue", "E405", 7, "NEAR/n"),
    ("bougie NEAR/x figue", "E405", 7, "NEAR/n"),
    ("bougie NEAR/3f figue", "E405", 7, "NEAR/n"),
    ("a NEAR/2 b NEAR/2 c", "E405", 11, "exactly two"),
    ("lang:fr NEAR/2 b", "E405", 0, "NEAR joins"),
    ("a NEAR/2 (b AND c)", "E405", 9, "NEAR joins"),
    ("bougie NEAR/3", "E401", 13, "expected a term after NEAR/3"),
    ("bougie -emploi", "E406", 7, "NOT emploi"),
    ("bou*-gie*", "E406", 0, "wildcard"),
    ("*", "E406", 0, "wildcard"),
    ("#", "E406", 0, "hashtag"),
    ("@", "E406", 0, "mention"),
    ('"!!"', "E406", 0, "no letters"),
    ("bougie !!!", "E406", 7, "no letters"),
])
def test_errors_point_at_the_mistake(query: str, code: str, position: int,
                                     reason: str) -> None:
    with pytest.raises(ConfianceError) as caught:
        parse_query(query)
    error = caught.value
    assert error.code == code
    assert error.details["position"] == position
    assert error.details["column"] == position + 1
    assert reason in error.details["reason"]
    if code != "E402":
        assert f"at column {position + 1}: " in error.message
        query_line, caret_line = error.message.splitlines()[-2:]
        assert query_line == f"  {query}"
        assert caret_line.index("^") == position + 2


def test_error_message_matches_the_documented_example() -> None:
    with pytest.raises(ConfianceError) as caught:
        parse_query('"Maison Lumière" AND')
    assert str(caught.value) == (
        "E401: Query error at column 21: expected a term after AND.\n"
        '  "Maison Lumière" AND\n'
        "                      ^")
    assert caught.value.details["length"] == 1


def test_errors_in_a_multi_line_query_give_line_and_column() -> None:
    with pytest.raises(ConfianceError) as caught:
        parse_query("bougie\nOR figue\nAND (x")
    details = caught.value.details
    assert (details["line"], details["column"], details["position"]) == (3, 5, 20)
    assert "at line 3, column 5" in caught.value.message
    assert caught.value.message.endswith("  AND (x\n      ^")


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ConfianceError) as caught:
        parse_query("(" * 500 + "a" + ")" * 500)
    assert caught.value.code == "E401"
    with pytest.raises(ConfianceError):
        parse_query("NOT " * 500 + "a")
    assert parse_query("(" * 40 + "a" + ")" * 40).root == Term("a")


# --- API ------------------------------------------------------------------------------------


def test_terms_are_the_positive_words_as_written() -> None:
    assert parse_query(BRAND).terms() == ["Maison Lumière", "@MaisonLumiere", "#MaLumiereAMoi"]
    assert parse_query('bougie* NEAR/2 "figue douce" title:Top lang:fr NOT (x OR NOT y) '
                       "bougie*").terms() == ["bougie*", "figue douce", "Top", "y"]


def test_match_many_agrees_with_matches() -> None:
    query = parse_query(BRAND)
    posts = [post("Merci Maison Lumière"), post("Maison Lumière recrute : emploi"),
             post("rien", hashtags=["MaLumiereAMoi"]), post(None), post("Ma lumière")]
    assert query.match_many(posts) == [query.matches(p) for p in posts] == \
        [True, False, True, False, False]
    assert query.match_texts([p.text for p in posts]) == [True, False, False, False, False]


def test_a_long_or_list_is_one_prefix_tree_with_the_same_answers() -> None:
    words = [f"mot{i}" for i in range(30)] + ["lumière", "🕯"]
    big = parse_query(" OR ".join(words))
    texts = ["MOT7 ici", "lumiere", "mot", "mot30", "🕯️", "rien", "Mot29, mot1"]
    assert big.match_texts(texts) == [True, True, False, False, True, False, True]
    assert parse_query(" OR ".join(["x"] * 2000)).match_texts(["x", "y"]) == [True, False]
    prefixes = parse_query("bou OR bougie OR bougies OR parfum OR title:bougeoir")
    assert prefixes.match_texts(["bou", "Bougiés", "bougiesx", "parfums", "bougeoir"]) == [
        True, True, False, False, False]
    long_word = "a" * 150
    assert parse_query(f"b OR c OR d OR e OR {long_word}").match_texts([long_word]) == [True]


def test_repr_and_equality() -> None:
    query = parse_query("bougie OR figue")
    assert query == parse_query("(bougie) OR (figue)")
    assert query != parse_query("figue OR bougie")
    assert isinstance(query.root, Or)
    assert isinstance(parse_query("NOT a").root, Not)
    assert parse_query('"porte clés"').root == Phrase(("porte", "cles"))


# --- properties -----------------------------------------------------------------------------

QUERY_CHARS = st.sampled_from([*'abé "()*?:#@-/\'«»“”\n\t',
    "AND", "OR", "NOT", "NEAR/2", "NEAR", "lang:", "title:", "rating:", "fr", "🕯️", "0"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(QUERY_CHARS, max_size=25).map("".join) | st.text(max_size=40))
def test_random_text_parses_or_raises_a_confiance_error(text: str) -> None:
    try:
        query = parse_query(text)
    except ConfianceError as error:
        assert error.code.startswith("E4")
        assert 0 <= error.details["position"] <= len(text)
        return
    assert parse_query(str(query)) == query
    query.match_texts([text, "a b é"])


WORDS = st.sampled_from(["bougie", "Lumière", "cœur", "porte-clés", "l'odeur", "🕯️", "or",
                         "and", "x_1", "Été"])
LEAVES = st.one_of(
    WORDS,
    st.lists(WORDS, min_size=1, max_size=3).map(lambda w: '"' + " ".join(w) + '"'),
    st.sampled_from(["bou*", "col?r", "*gie", "#MaLumière", "@Maison.Lumiere", "lang:fr",
                     "platform:x", "kind:review", "author:@Léa", "title:bougie",
                     'title:"très bien"', "rating:>=4", "rating:2.5", "@a@b.fr"]),
)
NEAR_SIDES = st.one_of(WORDS.filter(lambda w: w not in ("or", "and")), st.lists(
    st.sampled_from(["bougie", '"ma lumière"', "parf*"]), min_size=2, max_size=3).map(
    lambda w: "(" + " OR ".join(w) + ")"))


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, st.sampled_from([" AND ", " OR ", " ", "  AND NOT "]), children)
        .map("".join),
        children.map(lambda c: f"NOT {c}"),
        children.map(lambda c: f"({c})"),
    )


VALID = st.recursive(st.one_of(LEAVES, st.tuples(NEAR_SIDES, st.integers(0, 9), NEAR_SIDES)
                               .map(lambda t: f"{t[0]} NEAR/{t[1]} {t[2]}")),
                     _combine, max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALID)
def test_normalised_form_round_trips(text: str) -> None:
    query = parse_query(text)
    again = parse_query(str(query))
    assert again == query
    assert str(again) == str(query)


NASTY = st.sampled_from([*"abcelmorsuxzAELMOU éÉèÈêëœŒæßſıİ ’'-.…#@&＃＠．_\n",
    "\u0301", "\ufe0f", "🏽", "🕯", "👍", "🇫", "🇷", "ﬁ", "Ⓛ", "𝐋", "²", "ª", "ǅ", "\u3131",
    "\u1100", "\u1161", "ｌ", "\u00a0", "\u200d", "😀"])
NASTY_QUERIES = [parse_query(q) for q in (
    "lumiere", "el", "e", "coeur", "strasse", '"la lumiere"', "l* OR *e", "lu?e", "#lumiere",
    "#el", "@el", "@el.ou", "@a@b.fr", "fi", "a NEAR/1 b", "🕯", "👍", "title:el", "2", "s",
    "ss", "i", "l", "le OR la OR el OR ou OR au OR me OR mu OR se OR su OR xa OR za",
    "l OR le OR lu OR lumiere OR ss")]
SINGLE_WORDS = [parse_query(w) for w in ("l", "le", "lu", "lumiere", "ss")]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NASTY, max_size=30).map("".join), st.lists(NASTY, max_size=6).map("".join))
def test_raw_text_shortcut_agrees_with_folded_matching(text: str, title: str) -> None:
    for query in NASTY_QUERIES:
        fast = query._match(_Target(text, title, None))
        assert fast == slow(query, text, title), (str(query), text, title)
    one_by_one = any(q._match(_Target(text, title, None)) for q in SINGLE_WORDS)
    assert NASTY_QUERIES[-1]._match(_Target(text, title, None)) == one_by_one
