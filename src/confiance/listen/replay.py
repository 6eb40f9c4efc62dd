"""Replay a recorded stream in simulated time and measure the alerts it raises.

``confiance replay FILE --format FORMAT --episodes EPISODES.json`` reads a recorded stream
(any import format), enriches it with the default pipeline (once: the results are cached
under ``var/cache/replay`` by the file's digest, the brand query and the pipeline's
versioned component names), then plays it minute by minute through
:meth:`confiance.listen.watch.BrandWatch.step`, the step live listening runs after each poll:
detectors, alert merging, notification outbox, auto-resolution, in a scratch SQLite database.

For each labelled episode it reports the time from the episode's start to the first alert
raised or updated inside it (``time_to_alert_s``), and counts as false alarms the alerts
opened outside every episode, per simulated week. ``posts_per_minute`` is the speed of the
replay loop (detection and alert store); enrichment, which the live path runs on import at
the pipeline's speed, is timed apart (``enrichment_s``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from confiance.core.collector import fewer_gc_pauses
from confiance.core.db import make_engine
from confiance.core.errors import ConfianceError
from confiance.core.settings import Settings
from confiance.domain import Brand, Post
from confiance.enrich.pipeline import Pipeline
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.model import Observation
from confiance.listen.watch import BrandWatch, observation
from confiance.sources.base import SourceFormat

STEP_S = 60.0
"""Simulated seconds between two steps (a live listener polls every minute)."""
WEEK_S = 7 * 86400.0

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Episode:
    """A labelled episode: a crisis that really happened between ``start`` and ``end``."""

    name: str
    start: datetime
    end: datetime


_EPISODES = TypeAdapter(list[Episode])


def load_episodes(path: Path) -> list[Episode]:
    """The episodes of an EPISODES.json file (``[{"name", "start", "end"}]``, ISO 8601);
    E740 when it cannot be read."""
    try:
        found = _EPISODES.validate_json(path.read_bytes())
    except OSError as error:
        raise ConfianceError("E740", path=str(path), detail=error.strerror or str(error)
                             ) from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfianceError("E740", path=str(path), detail=f"{where}: {first['msg']}"
                             ) from None
    for episode in found:
        if episode.start.tzinfo is None or episode.end.tzinfo is None:
            raise ConfianceError("E740", path=str(path),
                                 detail=f"{episode.name}: give times with a zone (Z or +01:00)")
        if episode.end <= episode.start:
            raise ConfianceError("E740", path=str(path),
                                 detail=f"{episode.name}: ends before it starts")
    return found


@dataclass
class EpisodeResult:
    """How one labelled episode was detected."""

    name: str
    detected: bool
    time_to_alert_s: float | None
    first_alert: dict[str, Any] | None = None


@dataclass
class ReplayReport:
    """What a replay measured."""

    episodes: list[EpisodeResult]
    false_alarms: int
    false_alarms_per_week: float
    weeks: float
    posts: int
    rejected: int
    steps: int
    signals: int
    replay_s: float
    posts_per_minute: float
    enrichment_s: float
    enrichment_cached: bool
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the keys ``--json`` documents first."""
        return asdict(self)


# --- reading and enriching -------------------------------------------------------------------


def read_stream(path: Path, fmt: SourceFormat) -> tuple[list[Post], int]:
    """The posts of ``path`` in time order (posts with no creation time are dropped) and the
    number of items the format rejected."""
    found: list[Post] = []
    rejected = 0
    try:
        handle = path.open("rb")
    except OSError:
        raise ConfianceError("E206", path=str(path)) from None
    with handle:
        for item in fmt.read(handle):
            if isinstance(item, Post):
                if item.created_at is not None:
                    found.append(item)
            else:
                rejected += 1
    found.sort(key=lambda post: post.created_at or datetime.min)
    return found, rejected


def enrich(posts: Sequence[Post], *, digest: str, query: str | None,
           brand_names: Sequence[str], cache_dir: Path | None,
           progress: Progress | None = None) -> tuple[list[Observation], float, bool]:
    """The posts as observations (only those the query matches, when one is given), the
    seconds the enrichment took and whether it came from the cache."""
    from confiance.analysis import _pipeline, _queries, iter_analyze

    queries = _queries(query)
    pipeline: Pipeline = _pipeline(queries, brand_names)
    key = hashlib.sha256(orjson.dumps([digest, query, list(brand_names), pipeline.names])
                         ).hexdigest()[:32]
    cached = None if cache_dir is None else cache_dir / f"{key}.json"
    started = time.perf_counter()
    results: list[Any] | None = None
    if cached is not None and cached.exists():
        results = orjson.loads(cached.read_bytes())
        if len(results) != len(posts):
            results = None
    hit = results is not None
    if results is None:
        results = []
        texts = (" ".join(filter(None, (post.title, post.text))) for post in posts)
        for analysis in iter_analyze(texts, query=query, brand_names=brand_names,
                                     languages=(post.language for post in posts),
                                     pipeline=pipeline):
            results.append([analysis.sentiment, analysis.topics,
                            analysis.brand_matches is None or bool(analysis.brand_matches)])
            if progress is not None and len(results) % 256 == 0:
                progress(len(results), len(posts))
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True)
            scratch = cached.with_suffix(".part")
            scratch.write_bytes(orjson.dumps(results))
            scratch.replace(cached)
    if progress is not None:
        progress(len(posts), len(posts))
    seconds = time.perf_counter() - started
    kept = []
    for post, (sentiment, topics, matched) in zip(posts, results, strict=True):
        if matched:
            seen = observation(post, sentiment=sentiment, topics=topics)
            if seen is not None:
                kept.append(seen)
    return kept, seconds, hit


def file_digest(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


# --- the replay loop -----------------------------------------------------------------------


def play(observations: Sequence[Observation], episodes: Sequence[Episode], *,
         brand: str = "replay", config: DetectorConfig | None = None,
         step_s: float = STEP_S) -> ReplayReport:
    """Play ``observations`` (time order) step by step through a :class:`BrandWatch` over a
    scratch in-memory database, and measure detection against ``episodes``."""
    from confiance.store import brands, migrate

    engine = make_engine(Settings(database_url="sqlite://"))
    migrate.upgrade(engine)
    brand_id = brands.add(engine, Brand(name=brand))
    watch = BrandWatch(brand_id, config=config)
    windows = [(e.start.timestamp(), e.end.timestamp()) for e in episodes]
    firsts: dict[int, tuple[float, dict[str, Any]]] = {}
    opened: list[dict[str, Any]] = []
    steps = 0
    started = time.perf_counter()
    # The detectors' windows hold many small live objects: the cyclic collector walking them
    # every 700 allocations cost an eighth of a replay (it still runs, less often).
    with fewer_gc_pauses(), engine.begin() as conn:
        index, total = 0, len(observations)
        while index < total:
            # The step whose end is the first minute boundary after the next post.
            end = (observations[index].at // step_s + 1) * step_s
            stop = index
            while stop < total and observations[stop].at < end:
                stop += 1
            signals, changes = watch.step(conn, observations[index:stop], end)
            steps += 1
            index = stop
            for signal, change in zip(signals, changes, strict=True):
                inside = [i for i, (a, b) in enumerate(windows) if a <= end <= b]
                summary = {"alert_id": change.alert_id, "change": change.change,
                           "at": datetime.fromtimestamp(end, UTC).isoformat(),
                           "detector": str(signal.detector), "scope": signal.scope,
                           "subject": signal.subject, "severity": signal.severity,
                           "observed": signal.observed, "expected": signal.expected,
                           "episode": episodes[inside[0]].name if inside else None}
                for position in inside:
                    firsts.setdefault(position, (end - windows[position][0], summary))
                if change.change == "created":
                    opened.append(summary)
    replay_s = time.perf_counter() - started
    engine.dispose()
    span = (observations[-1].at - observations[0].at) if observations else 0.0
    weeks = span / WEEK_S
    false_alarms = sum(1 for alert in opened if alert["episode"] is None)
    return ReplayReport(
        episodes=[EpisodeResult(name=e.name, detected=i in firsts,
                                time_to_alert_s=firsts[i][0] if i in firsts else None,
                                first_alert=firsts[i][1] if i in firsts else None)
                  for i, e in enumerate(episodes)],
        false_alarms=false_alarms,
        false_alarms_per_week=round(false_alarms / weeks, 3) if weeks > 0 else 0.0,
        weeks=round(weeks, 2), posts=len(observations), rejected=0, steps=steps,
        signals=watch.signals, replay_s=round(replay_s, 3),
        posts_per_minute=round(60 * len(observations) / replay_s) if replay_s > 0 else 0.0,
        enrichment_s=0.0, enrichment_cached=False, alerts=opened)


def replay(path: Path, fmt: SourceFormat, episodes: Sequence[Episode], *,
           query: str | None = None, brand_names: Sequence[str] = (),
           brand: str = "replay", config: DetectorConfig | None = None,
           cache_dir: Path | None = Path("var/cache/replay"),
           progress: Progress | None = None) -> ReplayReport:
    """Read, enrich (or take from the cache) and play ``path``; see the module doc."""
    posts, rejected = read_stream(path, fmt)
    observations, seconds, hit = enrich(posts, digest=file_digest(path), query=query,
                                        brand_names=brand_names, cache_dir=cache_dir,
                                        progress=progress)
    report = play(observations, episodes, brand=brand, config=config)
    report.rejected = rejected
    report.enrichment_s = round(seconds, 2)
    report.enrichment_cached = hit
    return report
