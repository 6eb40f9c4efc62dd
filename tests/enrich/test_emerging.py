from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from typer.testing import CliRunner

from confiance.demo import generate, iter_posts
from confiance.domain import Brand, Platform, Post
from confiance.enrich import emerging as emerging_module
from confiance.enrich.embeddings import Encoder, Vectors
from confiance.enrich.emerging import (
    EmergingTopic,
    TopicDoc,
    emerging_from_store,
    emerging_topics,
    terms_of,
)
from confiance.sources import x_v2
from confiance.store import brands, ingest

PRICE_WORDS = re.compile(r"prix|price|hausse|augment|tarif|cher|expensive|hike|30%")

BURST_FR = [
    "Les prix ont encore augmenté, {d}€ de plus qu'avant",
    "Hausse des prix de {p}% sur toute la gamme, c'est abusé",
    "Vous avez vu l'augmentation des tarifs ? {p}% d'un coup",
    "Tout coûte plus cher depuis lundi, la hausse des prix passe mal",
    "Encore une hausse de prix… je vais arrêter d'acheter",
    "Les nouveaux tarifs sont délirants, +{p}% sans prévenir",
    "Franchement cette augmentation de prix est injustifiée",
    "Le prix de ma bougie préférée est passé de {a}€ à {b}€",
    "Trop cher maintenant, la hausse des prix me dégoûte",
    "Prix en hausse partout, même les recharges ont augmenté",
]
BURST_EN = [
    "Prices went up by {p}% overnight, not cool",
    "Another price hike? I'm done",
    "The new prices are ridiculous, {p}% more for the same candle",
    "Why did everything get so expensive this week? Price increase everywhere",
    "My favourite candle went from ${a} to ${b}, what a price rise",
    "This price increase is a joke, way too expensive now",
]
STRIKE = [
    "Toujours pas reçu mon colis, la grève des livreurs bloque tout",
    "Colis bloqué au dépôt depuis une semaine à cause de la grève",
    "My parcel is stuck because of the courier strike",
    "Livraison annulée, les transporteurs sont en grève",
    "La grève de la poste retarde toutes les livraisons",
    "Courier strike again, no delivery for days",
]


def price_burst(n: int, seed: int = 0) -> list[str]:
    """``n`` posts about a price rise, in varied wording, French and English."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        bank = BURST_FR if rng.random() < 0.65 else BURST_EN
        a = rng.randint(25, 60)
        text = rng.choice(bank).format(p=rng.choice([15, 20, 25, 30]), d=rng.randint(5, 15),
                                       a=a, b=a + rng.randint(6, 18))
        out.append(rng.choice(["", "", "Sérieux, ", "Bon. ", "@amie_23 ", "Wow. "]) + text
                   + rng.choice(["", "", " 😡", " #prix", " Déçue.", " 🙄🙄"]))
    return out


def strike_burst(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(["", "Bon. ", "Sérieux "]) + rng.choice(STRIKE)
            + rng.choice(["", " 😤", " #greve"]) for _ in range(n)]


class CachedEncoder(Encoder):
    """An encoder remembering vectors: every test embeds each text once.

    One BLAS thread: on a busy shared machine two threads are several times slower.
    """

    def __init__(self) -> None:
        super().__init__(threads=1)
        self.vectors: dict[str, Vectors] = {}

    def encode(self, texts: Sequence[str]) -> Vectors:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, super().encode(missing), strict=True))
        return np.stack([self.vectors[t] for t in texts])


ENCODER = CachedEncoder()
START = datetime(2026, 10, 1, tzinfo=UTC)


def docs(texts: Sequence[str], *, start: datetime = START, hours: float = 1.0,
         language: str | None = None) -> list[TopicDoc]:
    return [TopicDoc(text=t, language=language, key=i,
                     created_at=start + timedelta(hours=hours * i)) for i, t in enumerate(texts)]


@pytest.fixture(scope="module")
def ordinary() -> list[str]:
    """600 everyday demo posts (scents, gifts, reviews, questions...), in time order."""
    return [p["text"] for p in iter_posts(600, seed=303)]


def _share(topic: EmergingTopic, wanted: range) -> float:
    return sum(i in wanted for i in topic.posts) / topic.size


def test_a_burst_about_prices_is_the_top_emerging_topic(ordinary: list[str]) -> None:
    baseline = docs(ordinary[:400])
    burst = price_burst(60)
    recent = docs(ordinary[400:] + burst, language="fr")
    topics = emerging_topics(recent, baseline, encoder=ENCODER)
    assert topics
    top = topics[0]
    injected = range(200, 260)
    assert _share(top, injected) >= 0.7  # mostly the burst (0.81 here)
    assert sum(i in top.posts for i in injected) >= 0.5 * len(injected)  # and most of it
    assert any(PRICE_WORDS.search(term) for term in top.label.split(" · "))
    assert top.growth >= 2 and top.score >= 5 and top.size >= 10
    assert top.recent_share == pytest.approx(top.size / len(recent))
    assert top.baseline_share == pytest.approx(top.baseline_count / len(baseline))
    assert len(top.examples) == 3 and len(set(top.examples)) == 3
    assert all(ex in [recent[i].text for i in top.posts] for ex in top.examples)
    assert top.keys == [recent[i].key for i in top.posts]
    assert top.languages == {"fr": top.size}
    assert top.first_seen is not None and top.last_seen is not None
    assert top.first_seen <= top.last_seen
    assert json.dumps(top.as_dict())  # JSON-ready


def test_nothing_emerges_when_recent_looks_like_baseline(ordinary: list[str]) -> None:
    assert emerging_topics(docs(ordinary[400:]), docs(ordinary[:400]), encoder=ENCODER) == []


def test_two_unrelated_bursts_stay_two_topics(ordinary: list[str]) -> None:
    recent = docs(ordinary[400:] + price_burst(60) + strike_burst(40))
    topics = emerging_topics(recent, docs(ordinary[:400]), encoder=ENCODER)
    prices, strikes = range(200, 260), range(260, 300)
    assert len(topics) >= 2
    found = {("price" if _share(t, prices) >= 0.7 else "strike" if _share(t, strikes) >= 0.7
              else "other") for t in topics[:2]}
    assert found == {"price", "strike"}
    strike = next(t for t in topics if _share(t, strikes) >= 0.7)
    assert any(re.search(r"grève|greve|strike", term) for term in strike.terms[:3])


def test_the_result_is_deterministic(ordinary: list[str]) -> None:
    recent = docs(ordinary[400:] + price_burst(60))
    first = emerging_topics(recent, docs(ordinary[:400]), encoder=ENCODER)
    again = emerging_topics(recent, docs(ordinary[:400]), encoder=ENCODER)
    assert [t.as_dict() for t in first] == [t.as_dict() for t in again]


def test_without_baseline_or_enough_posts_nothing_is_said() -> None:
    assert emerging_topics(docs(price_burst(60)), [], encoder=ENCODER) == []
    assert emerging_topics(docs(price_burst(5)), docs(price_burst(50)), encoder=ENCODER) == []


def test_known_embeddings_are_reused_and_progress_is_reported(ordinary: list[str]) -> None:
    texts = ordinary[:40]
    vectors = ENCODER.encode(texts[:20])
    known = [TopicDoc(text=t, embedding=v) for t, v in zip(texts[:20], vectors, strict=True)]
    unknown = [TopicDoc(text=t) for t in texts[20:]]

    class Counting(Encoder):
        texts = 0

        def encode(self, batch: Sequence[str]) -> Vectors:
            Counting.texts += len(batch)
            return ENCODER.encode(batch)

    seen: list[tuple[int, int]] = []
    emerging_topics(known, unknown, encoder=Counting(),
                    progress=lambda done, total: seen.append((done, total)))
    assert Counting.texts == 20
    assert seen[0] == (0, 20) and seen[-1] == (20, 20)


def test_label_terms() -> None:
    terms = terms_of("Hausse des prix de 30% chez @MaisonLumiere !! https://t.co/abc "
                     "#Boycott, le service client ne répond pas")
    assert {"hausse", "prix", "30%", "#boycott", "hausse des prix", "service client"} <= set(
        terms)
    assert not [t for t in terms if "http" in t or "@" in t or t in {"des", "de", "chez"}]
    assert "pouvoir d'achat" in terms_of("en pleine crise du pouvoir d'achat")
    assert "value for money" in terms_of("Great value for money")
    assert "prix client" not in terms_of("le prix. Le client")  # not across sentences
    ignored = emerging_module._ignored(["Maison Lumière"])
    assert terms_of("Maison Lumiere augmente #MaisonLumiere", ignored) == ["augmente"]


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_label_terms_never_raise(text: str) -> None:
    terms = terms_of(text)
    assert len(terms) == len(set(terms)) and all(terms)
    assert not [t for t in terms if t.startswith("@") or "://" in t]


# ----------------------------------------------------------------------------- demo data


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, posts=2000, seed=7)
    return out


def _demo_posts(folder: Path) -> list[Post]:
    posts = [Post.model_validate_json(line)
             for line in (folder / "canonical.ndjson").read_bytes().splitlines()]
    with (folder / "x-v2.jsonl").open("rb") as stream:
        posts += [p for p in x_v2.FORMATS[0].read(stream) if isinstance(p, Post)]
    return posts


def test_on_the_demo_set_the_top_topic_is_the_price_episode(demo: Path) -> None:
    [episode] = json.loads((demo / "episodes.json").read_text())
    assert episode["name"] == "hausse-des-prix"
    start = datetime.fromisoformat(episode["start"])
    end = datetime.fromisoformat(episode["end"])
    labels = {(r["platform"], r["platform_id"]): r["episode"] for r in map(
        orjson.loads, (demo / "labels.ndjson").read_bytes().splitlines())}

    def as_doc(post: Post) -> TopicDoc:
        text = f"{post.title}. {post.text}" if post.title else post.text or ""
        return TopicDoc(text=text, language=post.language, created_at=post.created_at,
                        key=(post.platform.value, post.platform_id))

    posts = sorted(_demo_posts(demo), key=lambda p: (p.created_at, p.platform_id))
    recent = [as_doc(p) for p in posts if p.created_at and start <= p.created_at < end]
    baseline = [as_doc(p) for p in posts
                if p.created_at and start - timedelta(days=14) <= p.created_at < start]
    topics = emerging_topics(recent, baseline, ignore=["Maison Lumière"], encoder=ENCODER)
    assert topics
    top = topics[0]
    in_episode = sum(labels[key] for key in top.keys) / top.size
    assert in_episode >= 0.6
    assert any(PRICE_WORDS.search(term) for term in top.terms[:4])
    brand = {"maison", "lumière", "lumiere", "#maisonlumiere", "maison lumière"}
    assert not brand & set(top.terms)  # ignored (a hashtag like #boycottmaisonlumiere stays)


# ----------------------------------------------------------------------------- store and CLI


def _store(engine: Engine, ordinary: list[str], *, burst: bool,
           brand_id: int | None = None) -> datetime:
    """Baseline posts over 14 days, recent ones over the last 2 (with the burst); the end."""
    end = datetime(2026, 11, 1, tzinfo=UTC)
    base_texts, recent_texts = ordinary[:400], ordinary[400:] + (price_burst(60) if burst
                                                                  else [])
    items = []
    for i, text in enumerate(base_texts):
        when = end - timedelta(days=16) + timedelta(days=14) * i / len(base_texts)
        items.append(Post(platform=Platform.X, platform_id=f"b{i}", text=text, created_at=when,
                          language="fr"))
    for i, text in enumerate(recent_texts):
        when = end - timedelta(days=2) + timedelta(days=2) * i / len(recent_texts)
        items.append(Post(platform=Platform.X, platform_id=f"r{i}", text=text, created_at=when,
                          language="fr"))
    ingest.ingest(engine, items, source="test", format="ndjson", brand_id=brand_id)
    return end


def test_emerging_from_store_reads_the_two_windows(sqlite_engine: Engine,
                                                   ordinary: list[str]) -> None:
    _store(sqlite_engine, ordinary, burst=True)
    report = emerging_from_store(sqlite_engine, encoder=ENCODER)
    assert report.recent_posts == 260 and report.baseline_posts == 400
    assert report.until is not None and report.since is not None
    assert report.until - report.since == timedelta(days=2)
    top = report.topics[0]
    assert any(PRICE_WORDS.search(term) for term in top.terms[:3])
    from sqlalchemy import select

    from confiance.store.tables import posts

    with sqlite_engine.connect() as conn:
        ids = dict(conn.execute(select(posts.c.id, posts.c.platform_id)).all())
    assert sum(ids[key].startswith("r") and int(ids[key][1:]) >= 200 for key in top.keys) >= (
        0.8 * top.size)
    earlier = emerging_from_store(sqlite_engine, now=report.since, encoder=ENCODER)
    assert earlier.topics == [] and 50 <= earlier.recent_posts <= 65  # 2 days of baseline
    thin = emerging_from_store(sqlite_engine, max_posts=100, encoder=ENCODER)
    assert (thin.recent_posts, thin.baseline_posts) == (100, 100)


def test_emerging_from_store_can_keep_to_one_brand(sqlite_engine: Engine,
                                                   ordinary: list[str]) -> None:
    brand_id = brands.add(sqlite_engine, Brand(name="Maison Test"))
    end = _store(sqlite_engine, ordinary, burst=True, brand_id=brand_id)
    others = [Post(platform=Platform.INSTAGRAM, platform_id=f"o{i}", text=f"Autre sujet {i}",
                   created_at=end + timedelta(days=i)) for i in range(5)]
    ingest.ingest(sqlite_engine, others, source="other", format="ndjson")
    everything = emerging_from_store(sqlite_engine, max_posts=1, encoder=ENCODER)
    assert everything.until is not None and everything.until > end + timedelta(days=4)
    mine = emerging_from_store(sqlite_engine, brand_id=brand_id, encoder=ENCODER)
    assert mine.until is not None and mine.until < end
    assert (mine.recent_posts, mine.baseline_posts) == (260, 400)
    assert mine.topics and any(PRICE_WORDS.search(term) for term in mine.topics[0].terms[:3])


def test_an_empty_store_has_nothing_to_compare(sqlite_engine: Engine) -> None:
    report = emerging_from_store(sqlite_engine, encoder=ENCODER)
    assert report.topics == [] and report.until is None and report.recent_posts == 0


def test_the_cli_prints_a_table_and_json(sqlite_engine: Engine, ordinary: list[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from confiance.cli import topics as topics_cli
    from confiance.cli.context import AppContext

    _store(sqlite_engine, ordinary, burst=True)
    monkeypatch.setattr(emerging_module, "shared_encoder", lambda: ENCODER)
    app = typer.Typer()

    @app.callback()
    def root(ctx: typer.Context) -> None:
        ctx.obj = AppContext(database_url=str(sqlite_engine.url))

    topics_cli.register(app)
    runner = CliRunner()
    result = runner.invoke(app, ["topics", "emerging", "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["recent_posts"] == 260 and data["days"] == 2
    assert PRICE_WORDS.search(data["topics"][0]["label"])
    text = runner.invoke(app, ["topics", "emerging", "--days", "2"], env={"COLUMNS": "200"})
    assert text.exit_code == 0, text.output
    assert "Emerging topics" in text.output and "Growth" in text.output and "×" in text.output
    quiet = runner.invoke(app, ["topics", "emerging", "--at", "2026-10-20T00:00:00"],
                          env={"COLUMNS": "200"})
    assert quiet.exit_code == 0 and "No emerging topic" in quiet.output
