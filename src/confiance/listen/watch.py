"""One brand under watch: the step live listening and replays share after enrichment.

Every poll cycle (live: each minute; replay: each simulated minute that has posts) hands the
brand's newly enriched posts to :meth:`BrandWatch.step`: the detectors read them
(:class:`~confiance.listen.alerts.detectors.AlertEngine`), their signals are merged into the
brand's alerts (:func:`confiance.store.alerts.record_signals`, which also queues the
notifications) and, once per simulated hour, alerts quiet for ``resolve_after_s`` are resolved.
Nothing here reads the wall clock: ``now`` is given, so a replay runs in simulated time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from confiance.domain import Post
from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.detectors import AlertEngine
from confiance.listen.alerts.model import Observation, Signal
from confiance.store import alerts as alert_store
from confiance.store.alerts import AlertChange

RESOLVE_AFTER_S = 12 * 3600.0
"""An alert with no new signal for this long is resolved by the system."""


def observation(post: Post, *, sentiment: str | None, topics: Sequence[str] = (),
                post_id: int | None = None) -> Observation | None:
    """The detectors' view of an enriched post (``None`` for a post with no creation time:
    it cannot be placed in a window)."""
    if post.created_at is None:
        return None
    metrics = post.metrics
    author = post.author
    return Observation(
        key=f"{post.platform}:{post.platform_id}", at=post.created_at.timestamp(),
        platform=str(post.platform), sentiment=sentiment,
        text=" ".join(filter(None, (post.title, post.text))),
        hashtags=tuple(post.hashtags), topics=tuple(topics),
        author=None if author is None else (author.handle or author.platform_id),
        followers=None if author is None else author.followers,
        engagement=(metrics.likes or 0) + (metrics.comments or 0) + (metrics.shares or 0),
        url=post.url, post_id=post_id)


REFRESH_S = 15 * 60.0
"""A signal that repeats an episode's severity is written at most this often (it only moves
the alert's last-seen time and figures forward)."""


class BrandWatch:
    """The detectors of one brand and the merging of their signals into its alerts.

    The detectors signal on every step while a condition holds; the alert store is written
    when a signal opens an episode, raises its severity, or repeats it ``refresh_s`` after
    the last write (a lower severity waits for that, so an alert's figures lag its signals
    by at most ``refresh_s``), and stale alerts are swept only when one this watch wrote may
    have gone quiet."""

    def __init__(self, brand_id: int, *, config: DetectorConfig | None = None,
                 state: Mapping[str, Any] | None = None,
                 resolve_after_s: float = RESOLVE_AFTER_S,
                 refresh_s: float = REFRESH_S) -> None:
        self.brand_id = brand_id
        self.engine = AlertEngine(config or DetectorConfig(),
                                  state=None if state is None else dict(state))
        self.resolve_after_s = resolve_after_s
        self.refresh_s = refresh_s
        self._written: dict[str, tuple[float, int]] = {}
        """Episode key -> (when its last signal was written, with what severity)."""
        self._swept = False
        self.signals = 0

    def step(self, conn: Connection, batch: Sequence[Observation], now: float
             ) -> tuple[list[Signal], list[AlertChange]]:
        """Evaluate the posts that arrived since the last step, at ``now`` (UTC epoch
        seconds); the signals written to the store (by window end) and, for each, what it
        changed in the brand's alerts."""
        found = self.engine.observe(batch, now, wanted=lambda signal: self._due(signal, now))
        self.signals += len(found)
        # In the order record_signals merges them, so that signals and changes pair up.
        due = sorted((signal for signal in found if self._due(signal, now)),
                     key=lambda signal: signal.window_end)
        changes = (alert_store.record_signals(conn, self.brand_id, due, now=now)
                   if due else [])
        for signal in due:
            self._written[signal.episode_key] = (now, signal.severity)
        if not self._swept or any(now - when > self.resolve_after_s
                                  for when, _ in self._written.values()):
            alert_store.auto_resolve(conn, self.brand_id, now=now,
                                     quiet_s=self.resolve_after_s)
            self._written = {key: value for key, value in self._written.items()
                             if now - value[0] <= self.resolve_after_s}
            self._swept = True
        return due, changes

    def _due(self, signal: Signal, now: float) -> bool:
        last = self._written.get(signal.episode_key)
        return (last is None or signal.severity > last[1]
                or now - last[0] >= self.refresh_s)

    def state(self) -> dict[str, Any]:
        """The detectors' state, to restore after a restart."""
        return self.engine.state()
