"""Sliding windows over minute buckets: the counts of the last 10 minutes ... 24 hours.

Posts are counted in buckets of one UTC minute; only minutes that have posts get a bucket,
kept in time order. Each window (of ``W`` minutes, ending at the engine's current minute)
keeps the index of its oldest bucket and running sums: a new post adds to every window that
contains its minute, and when time moves on each window drops the buckets that left it. Each
bucket is added and dropped once per window, so the cost is O(1) per post and window whatever
the gaps between posts, with no per-minute ticking. A late post lands in its own minute's
bucket (inserted in order) and in the windows that still contain it.

:class:`Sliding` holds that mechanism; :class:`CountWindows` counts posts, posts with a
sentiment, negative and positive posts per scope and keeps the evidence of every minute
(its five most engaging posts, and its first ``evidence_posts_per_minute`` posts with their
terms, from which top authors and terms are drawn).
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from confiance.listen.alerts.model import Evidence

TOP_POSTS = 5
"""Most engaging posts kept per bucket (and shown per signal)."""
COMPACT_AT = 256
"""Dropped buckets are removed from the front of the list in chunks of at least this many."""

B = TypeVar("B", bound="Bucket")


class Bucket:
    """The posts of one minute."""

    __slots__ = ("minute",)

    def __init__(self, minute: int) -> None:
        self.minute = minute


class Sliding(Generic[B]):
    """Minute buckets and, per window, the index of its oldest bucket (subclasses keep the
    sums: :meth:`_enter` adds a delta, :meth:`_leave` removes a bucket)."""

    def __init__(self, lengths: Sequence[int]) -> None:
        self.lengths = tuple(lengths)
        self.buckets: list[B] = []
        self.minutes: list[int] = []
        self.first = [0] * len(self.lengths)
        self.end = -(2**62)
        """The current end minute (exclusive) of every window."""

    def _new(self, minute: int) -> B:
        raise NotImplementedError

    def _enter(self, window: int, delta: Any) -> None:
        raise NotImplementedError

    def _leave(self, window: int, bucket: B) -> None:
        raise NotImplementedError

    def bucket_for(self, minute: int) -> B | None:
        """The bucket of ``minute`` (created when needed), or None when every window has
        already left that minute."""
        if self.buckets and minute == self.minutes[-1]:
            return self.buckets[-1]
        if minute < self.end - self.lengths[-1]:
            return None
        index = bisect.bisect_left(self.minutes, minute, lo=self.first[-1])
        if index < len(self.minutes) and self.minutes[index] == minute:
            return self.buckets[index]
        self.buckets.insert(index, self._new(minute))
        self.minutes.insert(index, minute)
        for w, first in enumerate(self.first):
            # A bucket before the window's first one, or a first one outside the window.
            if first > index or (first == index and minute < self.end - self.lengths[w]):
                self.first[w] = first + 1
        return self.buckets[index]

    def credit(self, minute: int, delta: Any) -> None:
        """Add ``delta`` (already merged into its bucket) to the windows holding ``minute``."""
        for w, length in enumerate(self.lengths):
            if minute >= self.end - length:
                self._enter(w, delta)

    def advance(self, end: int) -> None:
        """Move every window's end to minute ``end`` (exclusive); time never goes back."""
        if end <= self.end:
            return
        self.end = end
        buckets, minutes = self.buckets, self.minutes
        for w, length in enumerate(self.lengths):
            start, i = end - length, self.first[w]
            while i < len(buckets) and minutes[i] < start:
                self._leave(w, buckets[i])
                i += 1
            self.first[w] = i
        drop = self.first[-1]
        if drop >= COMPACT_AT and drop * 2 >= len(buckets):
            del buckets[:drop], minutes[:drop]
            self.first = [i - drop for i in self.first]

    def window_buckets(self, window: int) -> list[B]:
        """The buckets inside window number ``window``, oldest first."""
        return self.buckets[self.first[window] :]


class CountBucket(Bucket):
    """Counts and evidence of one minute of one scope."""

    __slots__ = ("known", "n", "neg", "pos", "sample", "top")

    def __init__(self, minute: int) -> None:
        super().__init__(minute)
        self.n = self.known = self.neg = self.pos = 0
        self.top: list[Evidence] = []
        self.sample: list[tuple[Evidence, tuple[str, ...]]] = []


class CountWindows(Sliding[CountBucket]):
    """Per window: posts, posts with a sentiment, negative and positive posts
    (``sums[w]``)."""

    def __init__(self, lengths: Sequence[int], sample_size: int) -> None:
        super().__init__(lengths)
        self.sample_size = sample_size
        self.sums = [[0, 0, 0, 0] for _ in self.lengths]
        self._tops: dict[int, tuple[int, int, list[Evidence]]] = {}
        """The top posts of each hour: (first bucket's minute, posts, top posts)."""

    def _new(self, minute: int) -> CountBucket:
        return CountBucket(minute)

    def _enter(self, window: int, delta: Any) -> None:
        total = self.sums[window]
        total[0] += delta[0]
        total[1] += delta[1]
        total[2] += delta[2]
        total[3] += delta[3]

    def _leave(self, window: int, bucket: CountBucket) -> None:
        total = self.sums[window]
        total[0] -= bucket.n
        total[1] -= bucket.known
        total[2] -= bucket.neg
        total[3] -= bucket.pos

    def add(
        self,
        minute: int,
        counts: tuple[int, int, int, int],
        kept: Sequence[tuple[Evidence, tuple[str, ...]]],
        ranked: Sequence[Evidence],
    ) -> None:
        """Count posts of ``minute`` (posts, with a sentiment, negative, positive) and keep
        their evidence (``kept``: the first posts with their terms; ``ranked``: candidates
        for the most engaging)."""
        bucket = self.bucket_for(minute)
        if bucket is None:
            return
        bucket.n += counts[0]
        bucket.known += counts[1]
        bucket.neg += counts[2]
        bucket.pos += counts[3]
        room = self.sample_size - len(bucket.sample)
        if room > 0:
            bucket.sample.extend(kept[:room])
        if ranked:
            merged = bucket.top + list(ranked)  # a few: sorted is heapq.nlargest, faster
            bucket.top = sorted(merged, key=rank, reverse=True)[:TOP_POSTS]
        self.credit(minute, counts)

    def top_posts(self, window: int, count: int = TOP_POSTS) -> list[Evidence]:
        """The most engaging posts of a window (most followed first among equals).

        The five of each hour are remembered (keyed by the hour's first bucket and post
        count, so a late post or a window starting mid-hour recomputes them): a day's window
        merges about 24 short lists instead of 1,440."""
        candidates: list[Evidence] = []
        buckets = self.window_buckets(window)
        start = 0
        cache: dict[int, tuple[int, int, list[Evidence]]] = {}
        while start < len(buckets):
            hour = buckets[start].minute // 60
            stop, total = start, 0
            while stop < len(buckets) and buckets[stop].minute // 60 == hour:
                total += buckets[stop].n
                stop += 1
            known = self._tops.get(hour)
            if known is not None and known[:2] == (buckets[start].minute, total):
                tops = known[2]
            else:
                tops = heapq.nlargest(
                    TOP_POSTS, (e for b in buckets[start:stop] for e in b.top), key=rank
                )
            cache[hour] = (buckets[start].minute, total, tops)
            candidates.extend(tops)
            start = stop
        if window == len(self.lengths) - 1:
            self._tops = cache
        else:
            self._tops.update(cache)
        return heapq.nlargest(count, candidates, key=rank)

    def sampled(self, window: int, limit: int) -> list[tuple[Evidence, tuple[str, ...]]]:
        """The kept posts of a window, newest ``limit`` at most."""
        out: list[tuple[Evidence, tuple[str, ...]]] = []
        for bucket in reversed(self.window_buckets(window)):
            out.extend(bucket.sample)
            if len(out) >= limit:
                break
        return out[:limit]

    def to_state(self) -> dict[str, Any]:
        """The buckets still inside a window, JSON-ready."""
        live = self.buckets[self.first[-1] :]
        return {
            "end": self.end,
            "buckets": [
                [
                    b.minute,
                    b.n,
                    b.known,
                    b.neg,
                    b.pos,
                    [evidence_state(e) for e in b.top],
                    [[evidence_state(e), list(t)] for e, t in b.sample],
                ]
                for b in live
            ],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Load what :meth:`to_state` wrote into this (empty) instance."""
        for minute, n, known, neg, pos, top, sample in state["buckets"]:
            bucket = CountBucket(int(minute))
            bucket.n, bucket.known, bucket.neg, bucket.pos = int(n), int(known), int(neg), int(pos)
            bucket.top = [evidence_from(e) for e in top]
            bucket.sample = [
                (evidence_from(e), tuple(str(t) for t in terms)) for e, terms in sample
            ]
            self.buckets.append(bucket)
            self.minutes.append(bucket.minute)
        if self.minutes != sorted(set(self.minutes)):
            raise ValueError("buckets out of order")
        for bucket in self.buckets:
            for w in range(len(self.lengths)):
                self._enter(w, (bucket.n, bucket.known, bucket.neg, bucket.pos))
        self.advance(int(state["end"]))


def rank(evidence: Evidence) -> tuple[int, int]:
    """Most engaging first, then most followed."""
    return (evidence.engagement, evidence.followers or 0)


def evidence_state(evidence: Evidence) -> list[Any]:
    """An :class:`Evidence` as a JSON-ready list."""
    e = evidence
    return [
        e.key,
        e.at,
        e.platform,
        e.sentiment,
        e.excerpt,
        e.author,
        e.followers,
        e.engagement,
        e.url,
        e.post_id,
    ]


def evidence_from(row: Sequence[Any]) -> Evidence:
    """The :class:`Evidence` :func:`evidence_state` wrote."""
    key, at, platform, sentiment, excerpt, author, followers, engagement, url, post_id = row
    return Evidence(
        key=str(key),
        at=float(at),
        platform=str(platform),
        sentiment=None if sentiment is None else str(sentiment),
        excerpt=str(excerpt),
        author=None if author is None else str(author),
        followers=None if followers is None else int(followers),
        engagement=int(engagement),
        url=None if url is None else str(url),
        post_id=None if post_id is None else int(post_id),
    )
