"""Demo streams for the alert benchmarks: generated demo data turned into detector observations.

The demo generator (``confiance.demo.generate``) writes X API v2 pages, canonical posts and an
answer key; :func:`demo_stream` reads them back the way an import would (the ``x-v2`` format
for X, ``Post`` JSON for the rest), takes each item's sentiment from the answer key (as a
perfect sentiment model would give it), its topics from the aspect keywords (no embeddings),
and keeps the items about the brand (the competitors' items belong to their own brands'
streams). :func:`scaled` replicates a stream to make it denser for speed measurements.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from confiance.core.plugins import plugin_manager
from confiance.demo import generate
from confiance.domain.records import Post
from confiance.enrich.aspects import KeywordMatcher, default_aspects
from confiance.listen.alerts.model import Observation
from confiance.sources.registry import FormatRegistry

SENTIMENTS = {"pos": "positive", "neu": "neutral", "neg": "negative"}


@dataclass(frozen=True)
class Episode:
    """A labelled episode of the answer key (UTC epoch seconds)."""

    name: str
    start: float
    end: float


@dataclass(frozen=True)
class DemoStream:
    """A brand's observations in time order, and the labelled episodes."""

    observations: list[Observation]
    episodes: list[Episode]
    start: float
    end: float


def demo_stream(
    folder: Path, *, seed: int = 7, posts: int = 6000, targets: Sequence[str] = ("brand",)
) -> DemoStream:
    """Generate the demo into ``folder`` (unless already there) and read it as observations."""
    if not (folder / "labels.ndjson").exists():
        generate(folder, seed=seed, posts=posts)
    labels = {}
    for line in (folder / "labels.ndjson").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[(row["platform"], row["platform_id"])] = row
    matcher = KeywordMatcher(default_aspects())
    out = []
    for post in read_posts(folder):
        label = labels.get((str(post.platform), post.platform_id))
        if label is None or label["target"] not in targets:
            continue
        out.append(observation(post, SENTIMENTS[label["sentiment"]], matcher))
    out.sort(key=lambda o: (o.at, o.key))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    episodes = [
        Episode(e["name"], _ts(e["start"]), _ts(e["end"]))
        for e in json.loads((folder / "episodes.json").read_text(encoding="utf-8"))
    ]
    return DemoStream(out, episodes, _ts(manifest["start"]), _ts(manifest["end"]))


def scenario_stream(
    folder: Path, name: str, *, seed: int = 7, targets: Sequence[str] = ("brand",)
) -> DemoStream:
    """Generate crisis scenario ``name`` (``confiance.demo.scenarios``) into ``folder``
    (unless already there) and read its ``stream.ndjson`` as observations."""
    from confiance.demo.scenarios import generate_scenario

    if not (folder / "stream.ndjson").exists():
        generate_scenario(folder, name, seed=seed)
    labels = {}
    for line in (folder / "labels.ndjson").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        labels[(row["platform"], row["platform_id"])] = row
    matcher = KeywordMatcher(default_aspects())
    out = []
    with (folder / "stream.ndjson").open("rb") as stream:
        for line in stream:
            post = Post.model_validate_json(line)
            label = labels.get((str(post.platform), post.platform_id))
            if label is not None and label["target"] in targets:
                out.append(observation(post, SENTIMENTS[label["sentiment"]], matcher))
    out.sort(key=lambda o: (o.at, o.key))
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    episodes = [
        Episode(e["name"], _ts(e["start"]), _ts(e["end"]))
        for e in json.loads((folder / "episodes.json").read_text(encoding="utf-8"))
    ]
    return DemoStream(out, episodes, _ts(manifest["start"]), _ts(manifest["end"]))


def read_posts(folder: Path) -> Iterator[Post]:
    """Every item of the demo folder as a canonical ``Post``."""
    x_format = FormatRegistry.from_plugins(plugin_manager()).get("x-v2")
    with (folder / "x-v2.jsonl").open("rb") as stream:
        for item in x_format.read(stream):
            if isinstance(item, Post):
                yield item
    with (folder / "canonical.ndjson").open("rb") as stream:
        for line in stream:
            if line.strip():
                yield Post.model_validate_json(line)


def observation(post: Post, sentiment: str, matcher: KeywordMatcher) -> Observation:
    """What the detectors see of one post."""
    text = " ".join(t for t in (post.title, post.text) if t)
    topics, _ = matcher.find(text, post.language)
    metrics = post.metrics
    engagement = sum(v or 0 for v in (metrics.likes, metrics.comments, metrics.shares))
    author = post.author
    handle = (author.handle or author.platform_id) if author else None
    at = post.created_at.timestamp() if post.created_at else 0.0
    return Observation(
        key=f"{post.platform}:{post.platform_id}",
        at=at,
        platform=str(post.platform),
        sentiment=sentiment,
        text=text,
        hashtags=tuple(post.hashtags),
        topics=tuple(sorted(topics)),
        author=handle,
        followers=author.followers if author else None,
        engagement=engagement,
        url=post.url,
    )


def scaled(observations: Sequence[Observation], factor: int) -> list[Observation]:
    """``factor`` copies of every observation (distinct keys and authors, times spread within
    the same minute), in time order: the same storyline, ``factor`` times denser."""
    if factor <= 1:
        return list(observations)
    out = []
    for obs in observations:
        base = obs.at - obs.at % 60
        for copy in range(factor):
            at = base + ((obs.at % 60) + copy * 59.0 / factor) % 60
            author = f"{obs.author}~{copy}" if obs.author else None
            out.append(replace(obs, key=f"{obs.key}~{copy}", at=at, author=author))
    out.sort(key=lambda o: o.at)
    return out


def minute_batches(
    observations: Iterable[Observation],
) -> Iterator[tuple[float, list[Observation]]]:
    """(now, batch) per simulated minute that has posts: the posts created in that minute,
    delivered at its end."""
    batch: list[Observation] = []
    minute = None
    for obs in observations:
        m = int(obs.at // 60)
        if minute is not None and m != minute and batch:
            yield (minute + 1) * 60.0, batch
            batch = []
        minute = m
        batch.append(obs)
    if batch and minute is not None:
        yield (minute + 1) * 60.0, batch


def _ts(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
