"""Synthetic observation streams for the detector tests: seeded, with a daily rhythm, and
events (a backlash, a happy wave, a seasonal ramp, a spammer) placed where a test wants them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from random import Random

from confiance.listen.alerts.detectors import AlertEngine
from confiance.listen.alerts.model import Observation, Signal

START = datetime(2026, 9, 7, tzinfo=UTC).timestamp()
"""A Monday, 00:00 UTC."""
HOUR = 3600.0
DAY = 86400.0
WORDS = (
    "bougie parfum livraison cadeau service client boutique odeur cire meche coffret "
    "lavande figue ambre santal commande colis prix qualite promo noel automne soir "
    "maison salon ambiance douce fleur vanille jardin pluie cosy envie offrir"
).split()
PLATFORMS = ("x", "instagram")


@dataclass(frozen=True)
class Event:
    """Extra posts between ``start`` and ``end`` (seconds after :data:`START`)."""

    start: float
    end: float
    per_hour: float
    negative: float = 0.7
    positive: float = 0.1
    words: tuple[str, ...] = ()
    authors: int = 10_000
    prefix: str = "event"


def rhythm(at: float) -> float:
    """A daily cycle (quiet nights, busy evenings) around 1."""
    hour = (at / HOUR + 2) % 24
    return (
        0.35
        + 1.3 * math.exp(-((hour - 20.0) ** 2) / 18.0)
        + 0.4 * math.exp(-((hour - 12.5) ** 2) / 8.0)
    )


def stream(
    *,
    days: float,
    per_hour: float,
    seed: int = 1,
    negative: float = 0.16,
    positive: float = 0.6,
    growth: float = 1.0,
    growth_days: float = 14.0,
    events: Sequence[Event] = (),
) -> list[Observation]:
    """Everyday posts (Poisson, ``per_hour`` on average, with :func:`rhythm`; the rate grows
    by ``growth`` over the last ``growth_days``) plus the ``events``, sorted by time."""
    rng = Random(seed)
    out: list[Observation] = []
    ramp_start = days * DAY - growth_days * DAY
    for hour in range(int(days * 24)):
        at = hour * HOUR
        factor = 1.0
        if growth != 1.0 and at > ramp_start:
            factor = growth ** ((at - ramp_start) / (growth_days * DAY))
        rate = per_hour * rhythm(at) * factor
        out.extend(_posts(rng, at, rate, negative, positive, (), 3000, "p", len(out)))
        for event in events:
            if event.start <= at + HOUR and at < event.end:
                lo, hi = max(at, event.start), min(at + HOUR, event.end)
                share = (hi - lo) / HOUR
                posts = _posts(
                    rng,
                    lo,
                    event.per_hour * share,
                    event.negative,
                    event.positive,
                    event.words,
                    event.authors,
                    event.prefix,
                    len(out),
                    span=hi - lo,
                )
                out.extend(posts)
    out.sort(key=lambda o: (o.at, o.key))
    return out


def _posts(
    rng: Random,
    at: float,
    rate: float,
    negative: float,
    positive: float,
    words: tuple[str, ...],
    authors: int,
    prefix: str,
    offset: int,
    span: float = HOUR,
) -> Iterator[Observation]:
    for index in range(_poisson(rng, rate)):
        draw = rng.random()
        sentiment = (
            "negative"
            if draw < negative
            else ("positive" if draw < negative + positive else "neutral")
        )
        text = " ".join(rng.sample(WORDS, 5) + list(words))
        author = f"{prefix}{rng.randrange(authors)}"
        followers = int(rng.lognormvariate(5.0, 1.2))
        yield Observation(
            key=f"{rng.choice(PLATFORMS)}:{prefix}{offset}-{index}",
            at=START + at + rng.random() * span,
            platform=rng.choice(PLATFORMS),
            sentiment=sentiment,
            text=text,
            author=author,
            followers=followers,
            engagement=rng.randrange(0, 40),
        )


def _poisson(rng: Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def batches(observations: Iterable[Observation]) -> Iterator[tuple[float, list[Observation]]]:
    """(now, posts) for every minute that has posts, delivered at the minute's end."""
    batch: list[Observation] = []
    minute: int | None = None
    for obs in observations:
        current = int(obs.at // 60)
        if minute is not None and current != minute and batch:
            yield (minute + 1) * 60.0, batch
            batch = []
        minute = current
        batch.append(obs)
    if batch and minute is not None:
        yield (minute + 1) * 60.0, batch


def replay(engine: AlertEngine, observations: Iterable[Observation]) -> list[Signal]:
    """Every signal of a per-minute replay."""
    signals: list[Signal] = []
    for now, batch in batches(observations):
        signals.extend(engine.observe(batch, now))
    return signals
