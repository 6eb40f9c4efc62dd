"""RISK_TERM: negative posts with crisis words, signalled from the first loud one."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from confiance.core.errors import ConfianceError
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.detectors import AlertEngine
from confiance.listen.alerts.model import Detector, Observation, Signal
from confiance.listen.alerts.risk import RiskTerms

T = 1_780_000_000.0


def post(key: str, at: float, text: str, *, followers: int = 50, sentiment: str = "negative",
         author: str | None = None, hashtags: tuple[str, ...] = (),
         engagement: int = 0) -> Observation:
    return Observation(key=key, at=at, platform="x", sentiment=sentiment, text=text,
                       hashtags=hashtags, author=author or key, followers=followers,
                       engagement=engagement)


def risk(signals: list[Signal]) -> list[Signal]:
    return [s for s in signals if s.detector == Detector.RISK_TERM]


def test_one_loud_negative_post_with_a_crisis_word_is_signalled_at_once() -> None:
    engine = AlertEngine()
    [signal] = risk(engine.observe([post("x:1", T, "On boycotte Maison Lumière",
                                         followers=4_000)], T + 30))
    assert signal.subject == "boycott*" and signal.scope == "all"
    assert signal.severity == 2 and signal.top_posts[0].key == "x:1"
    assert signal.details["followers"] == 4_000


def test_quiet_posts_signal_once_enough_authors_use_the_word() -> None:
    engine = AlertEngine()
    for n in range(2):
        assert risk(engine.observe([post(f"x:{n}", T + n * 60, "quelle arnaque ces bougies")],
                                   T + n * 60 + 30)) == []
    # The same author again does not count twice.
    assert risk(engine.observe([post("x:9", T + 150, "arnaque", author="x:1")], T + 170)) == []
    [signal] = risk(engine.observe([post("x:3", T + 200, "une ARNAQUE totale")], T + 230))
    assert signal.subject == "arnaque*" and signal.details["authors"] == 3
    assert {a for a, _ in signal.top_authors} == {"x:0", "x:1", "x:3"}


def test_the_window_forgets_old_posts() -> None:
    engine = AlertEngine()
    engine.observe([post("x:0", T, "arnaque")], T + 10)
    engine.observe([post("x:1", T + 60, "arnaque")], T + 70)
    later = T + 2 * 3600
    assert risk(engine.observe([post("x:2", later, "arnaque")], later + 10)) == []


def test_positive_posts_words_without_the_stem_and_topics_do_not_count() -> None:
    engine = AlertEngine()
    quiet = [
        post("x:1", T, "Rien à voir avec un boycott, j'adore", followers=90_000,
             sentiment="positive"),
        post("x:2", T, "Le processus de commande est lent", followers=90_000),  # exact "proces"
        post("x:3", T, "un avocat m'a conseillé cette bougie", followers=90_000),
    ]
    assert risk(engine.observe(quiet, T + 30)) == []


def test_hashtags_that_contain_a_term_and_accents_match() -> None:
    engine = AlertEngine()
    found = risk(engine.observe([
        post("x:1", T, "Lisez ça", hashtags=("StopBougiesToxiques",), followers=2_000),
        post("x:2", T, "Grosse brûlure à la main", followers=2_000),
    ], T + 30))
    assert {s.subject for s in found} == {"toxi*", "brulure*"}


def test_severity_grows_with_audience_and_authors() -> None:
    engine = AlertEngine()
    [big] = risk(engine.observe([post("x:1", T, "scandale", followers=20_000)], T + 10))
    assert big.severity == 3
    crowd = [post(f"x:{n}", T + 60, "scandale") for n in range(2, 14)]
    [many] = risk(engine.observe(crowd, T + 70))
    assert many.severity == 4 and many.details["authors"] == 13


def test_the_terms_and_thresholds_are_settings_and_survive_a_restart() -> None:
    config = DetectorConfig().with_overrides({"risk_terms": ["mèche*"],
                                              "risk_min_authors": 2})
    engine = AlertEngine(config)
    engine.observe([post("x:1", T, "la mèche a pris feu")], T + 10)
    state = orjson.loads(orjson.dumps(engine.state()))
    restored = AlertEngine(config, state=state)
    [signal] = risk(restored.observe([post("x:2", T + 60, "mèches défectueuses")], T + 70))
    assert signal.subject == "mèche*" and signal.details["authors"] == 2
    for bad in (["a"], ["deux mots"], ["mi*lieu"], "boycott", [3]):
        with pytest.raises(ConfianceError) as error:
            DetectorConfig().with_overrides({"risk_terms": bad})
        assert error.value.code == "E701"


def test_a_brand_adds_its_own_words_and_ignores_defaults_whatever_their_accents() -> None:
    config = DetectorConfig().with_overrides({"extra_risk_terms": ["fuite*", "Mèche*"],
                                              "ignored_risk_terms": ["Toxi*", "scandal*"]})
    watched = config.watched_risk_terms()
    assert watched[-2:] == ("fuite*", "Mèche*") and "boycott*" in watched
    assert "toxi*" not in watched and "scandal*" not in watched
    engine = AlertEngine(config)
    loud = {"followers": 5_000}
    [leak] = risk(engine.observe([post("x:1", T, "la bougie fuit, une fuite de cire", **loud)],
                                 T + 10))
    assert leak.subject == "fuite*"
    assert risk(engine.observe([post("x:2", T + 60, "parfum toxique, quel scandale", **loud)],
                               T + 70)) == []
    assert config.unknown_ignored_terms() == []
    assert DetectorConfig(ignored_risk_terms=("toxic", "recall*")).unknown_ignored_terms() \
        == ["toxic"]  # the list has toxic*, not toxic
    # A word of the brand's that is already listed is watched once.
    assert DetectorConfig(extra_risk_terms=("Boycott*",)).watched_risk_terms().count(
        "boycott*") == 1
    for name in ("extra_risk_terms", "ignored_risk_terms"):
        for bad in (["a"], ["deux mots"], "fuite*", [3], ["x" * 61]):
            with pytest.raises(ConfianceError) as error:
                DetectorConfig().with_overrides({name: bad})
            assert error.value.code == "E701" and error.value.details["key"] == name


_LETTERS = st.text(alphabet="abcéèçoœsß", min_size=3, max_size=7)


@settings(max_examples=200, deadline=None, database=None)
@given(listed=st.lists(st.tuples(_LETTERS, st.booleans()), min_size=1, max_size=12),
       words=st.lists(st.tuples(_LETTERS | st.text(alphabet="abcos", max_size=3),
                                st.booleans()), max_size=6))
def test_the_stem_index_finds_what_trying_every_entry_finds(
        listed: list[tuple[str, bool]], words: list[tuple[str, bool]]) -> None:
    terms = tuple(dict.fromkeys(word + ("*" if stem else "") for word, stem in listed))
    detector = RiskTerms(DetectorConfig(risk_terms=terms))
    post_terms = [("#" if tag else "") + word for word, tag in words]

    def every_entry() -> str | None:  # the rule as the module states it, entry by entry
        for term in post_terms:
            tag = term.startswith("#")
            word = term[1:] if tag else term
            if not tag and word in detector.exact:
                return detector.exact[word]
            for stem, entry in detector.stems:
                if (stem in word) if tag else word.startswith(stem):
                    return entry
            if tag:
                for exact, entry in detector.exact.items():
                    if exact in word:
                        return entry
        return None

    assert detector.match(post_terms) == every_entry()
