"""Cheap terms of a post, and their counts over sliding windows and a decayed background.

**Terms.** A post's terms are its words of three characters or more that start with a
letter, its #hashtags (from the text and from the post's own hashtag list), its percentages
("+30 %" gives ``30%``) and its topics (``topic:price``), each once per post. Text is case-
folded and words are stripped of accents (``Été`` and ``ete`` count together; terms are
shown that way); links, @mentions (friends tagged in a post are not a subject) and French
and English stop words (the lists of :func:`confiance.enrich.emerging.stop_words`) are
dropped. One regular-expression pass per post, no phrases and no embeddings: the detectors
read every post, so this must stay at a few microseconds (the richer labels of
:mod:`confiance.enrich.emerging` are for the dashboard).

**Windows.** For the brand as a whole, :class:`TermWindows` counts, per bucket and per
window (10 minutes, 1 and 6 hours by default), the posts that use each term and the
negative ones among them, and keeps for each term and bucket up to ``cap`` distinct
authors: the union of those small sets over a window tells exactly whether a term was used
by at least ``cap`` distinct authors, at a bounded cost. Buckets are minutes for windows of
up to an hour and ten minutes for longer ones (:class:`TermStats`), so memory stays at
about a hundred buckets of terms whatever the windows.

**Background.** When a bucket leaves the longest term window its counts are folded into an
exponentially decayed background: ``B[t] = sum over past minutes of count * exp(-age / tau)``
and the same for all posts, ``B_posts``, with ``tau = emerging_memory_days``. The background
share of a term is ``(B[t] + prior) / (B_posts + 1)``, the ``prior`` (``emerging_prior``)
standing for the chance that an unseen word shows up. Decay is applied lazily by storing
``count * exp((minute - base) / tau)`` and rescaling when the factor gets large; terms whose
decayed background falls under 0.05 are forgotten once a simulated day, so memory follows the
vocabulary in use. Because the background only holds minutes that left the windows, the
window being tested never counts in its own baseline.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from itertools import chain
from operator import itemgetter
from typing import Any

from confiance.enrich.emerging import stop_words
from confiance.listen.alerts.model import Observation
from confiance.listen.alerts.windows import Bucket, Sliding

NEGATIVE = "negative"
MAX_TEXT = 2000
"""Characters of a post read for terms (the opening of a long review carries its subject)."""
MAX_TERMS = 64
"""Terms kept per post at most."""
MAX_TERM_LENGTH = 40
FINE_UP_TO = 60
"""Term windows up to this many minutes are counted in minute buckets..."""
COARSE_UNIT = 10
"""...longer ones in buckets of this many minutes (memory grows with buckets x terms)."""
_PRUNE_BELOW = 0.05
_RESCALE_EXPONENT = 27.0
"""The stored background is rescaled when its inflation factor passes exp(27), about 5e11."""

_TOKEN = re.compile(r"https?://\S+|@\w+|(#?[^\W\d]\w{2,39}|\d+%)")
"""A word, #hashtag or percentage (the group); links and @mentions match as empty terms."""
_NOISE = frozenset({"http", "https", "www", "com", "html", "amp"})
"""Pieces of links written without their scheme, dropped like stop words."""


@cache
def _fold_table() -> dict[int, str]:
    """Accented Latin letters to their base letters (for ``str.translate``)."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        if base != char and base.isascii():
            table[code] = base
    table.update({ord("œ"): "oe", ord("æ"): "ae", ord("’"): "'", 0xA0: " "})
    return table


@cache
def _stops() -> frozenset[str]:
    return stop_words() | _NOISE | {""}


def post_terms(
    text: str, hashtags: Iterable[str] = (), topics: Iterable[str] = ()
) -> tuple[str, ...]:
    """The terms of one post, each once, in the order they appear (see the docstring)."""
    low = text[:MAX_TEXT].casefold().replace(" %", "%")
    stops, table = _stops(), _fold_table()
    if low.isascii():
        terms = dict.fromkeys([w for w in _TOKEN.findall(low) if w not in stops])
    else:
        terms = dict.fromkeys(
            [
                w if w.isascii() else w.translate(table)
                for w in _TOKEN.findall(low)
                if w not in stops
            ]
        )
    for tag in hashtags:
        tag = str(tag).casefold().lstrip("#")
        if tag:
            terms[f"#{tag if tag.isascii() else tag.translate(table)}"[:MAX_TERM_LENGTH]] = None
    for topic in topics:
        if topic:
            terms[f"topic:{str(topic)[:MAX_TERM_LENGTH]}"] = None
    return tuple(terms)[:MAX_TERMS]


class TermBucket(Bucket):
    """One bucket (a minute, or ``unit`` minutes) of term counts for the brand."""

    __slots__ = ("authors", "counts", "negs", "posts")

    def __init__(self, minute: int) -> None:
        super().__init__(minute)
        self.posts = 0
        self.counts: dict[str, int] = {}
        self.negs: dict[str, int] = {}
        self.authors: dict[str, set[str]] = {}


Prepared = tuple[int, Counter[str], Counter[str], dict[str, set[str]]]
"""The posts of one minute, counted: posts, posts per term, negative posts per term, and up
to ``cap`` authors per term."""
Item = tuple[Observation, tuple[str, ...]]
"""A post and its terms."""


def prepare(posts: Sequence[Item], cap: int) -> Prepared:
    """Count the posts of one minute (each with its terms)."""
    counts = Counter(chain.from_iterable(map(itemgetter(1), posts)))
    negs = Counter(chain.from_iterable([t for o, t in posts if o.sentiment == NEGATIVE]))
    authors: dict[str, set[str]] = {}
    get = authors.get
    for obs, terms in posts:
        author = obs.author or obs.key
        for term in terms:
            known = get(term)
            if known is None:
                authors[term] = {author}
            elif len(known) < cap:
                known.add(author)
    return len(posts), counts, negs, authors


class Background:
    """The decayed background of every term (see the module docstring)."""

    def __init__(self, *, memory_days: float, prior: float) -> None:
        self.tau = memory_days * 1440.0
        self.prior = prior
        self.counts: dict[str, float] = {}
        self.posts = 0.0
        self.base = 0
        self.pruned_day = 0

    def share(self, term: str, minute: int) -> float:
        """The background share of ``term`` at ``minute`` (with the prior)."""
        return self.shares(minute)(term)

    def shares(self, minute: int) -> Callable[[str], float]:
        """:meth:`share` at ``minute`` as a function of the term (decay computed once)."""
        decay = _exp(-(minute - self.base) / self.tau)
        get, prior = self.counts.get, self.prior
        posts = self.posts * decay + 1.0
        return lambda term: min((get(term, 0.0) * decay + prior) / posts, 1.0)

    def fold(self, bucket: TermBucket, minute: int) -> None:
        """Add a bucket (of ``minute``) that left every window."""
        exponent = (minute - self.base) / self.tau
        if not -_RESCALE_EXPONENT <= exponent <= _RESCALE_EXPONENT:
            self._rescale(minute)
            exponent = 0.0
        factor = math.exp(exponent)
        counts, get = self.counts, self.counts.get
        for term, count in bucket.counts.items():
            counts[term] = get(term, 0.0) + count * factor
        self.posts += bucket.posts * factor
        day = minute // 1440
        if day > self.pruned_day:
            self.pruned_day = day
            floor = _PRUNE_BELOW * _exp((minute - self.base) / self.tau)
            self.counts = {t: v for t, v in self.counts.items() if v >= floor}

    def _rescale(self, minute: int) -> None:
        scale = _exp((self.base - minute) / self.tau)
        self.counts = {t: v * scale for t, v in self.counts.items()}
        self.posts *= scale
        self.base = minute

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "base": self.base,
            "pruned_day": self.pruned_day,
            "posts": self.posts,
            "counts": self.counts,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Load what :meth:`to_state` wrote."""
        self.base = int(state["base"])
        self.pruned_day = int(state["pruned_day"])
        self.posts = float(state["posts"])
        self.counts = {str(t): float(v) for t, v in state["counts"].items()}


class TermWindows(Sliding[TermBucket]):
    """Term counts over sliding windows of buckets of ``unit`` minutes; buckets leaving the
    longest window go to ``background`` when one is given."""

    def __init__(
        self, lengths: Sequence[int], *, unit: int, cap: int, background: Background | None
    ) -> None:
        super().__init__([max(1, -(-length // unit)) for length in lengths])
        self.unit = unit
        self.cap = cap
        self.background = background
        self.posts = [0] * len(self.lengths)
        self.counts: list[dict[str, int]] = [{} for _ in self.lengths]
        self.negs: list[dict[str, int]] = [{} for _ in self.lengths]

    def _new(self, minute: int) -> TermBucket:
        return TermBucket(minute)

    def _enter(self, window: int, delta: Any) -> None:
        posts, counts, negs = delta
        self.posts[window] += posts
        for table, source in ((self.counts[window], counts), (self.negs[window], negs)):
            get = table.get
            for term, count in source.items():
                table[term] = get(term, 0) + count

    def _leave(self, window: int, bucket: TermBucket) -> None:
        self.posts[window] -= bucket.posts
        for table, source in (
            (self.counts[window], bucket.counts),
            (self.negs[window], bucket.negs),
        ):
            for term, count in source.items():
                left = table.get(term, 0) - count
                if left > 0:
                    table[term] = left
                else:
                    table.pop(term, None)
        if window == len(self.lengths) - 1 and self.background is not None:
            self.background.fold(bucket, bucket.minute * self.unit)

    def advance_to(self, minute: int) -> None:
        """Move the windows' end to ``minute`` (exclusive, in minutes)."""
        self.advance(-(-minute // self.unit))

    def merge(self, minute: int, prepared: Prepared) -> None:
        """Count a minute's prepared posts in its bucket and windows."""
        bucket = self.bucket_for(minute // self.unit)
        if bucket is None:
            return
        posts, counts, negs, authors = prepared
        bucket.posts += posts
        _add(bucket.counts, counts)
        _add(bucket.negs, negs)
        known, cap = bucket.authors, self.cap
        for term, names in authors.items():
            found = known.get(term)
            if found is None:
                known[term] = set(names)
            elif len(found) < cap:
                found |= names
        self.credit(bucket.minute, (posts, counts, negs))

    def authors(self, term: str, window: int) -> int:
        """Distinct authors of ``term`` in the window, counted up to ``cap``."""
        seen: set[str] = set()
        for bucket in reversed(self.window_buckets(window)):
            found = bucket.authors.get(term)
            if found:
                seen |= found
                if len(seen) >= self.cap:
                    return len(seen)
        return len(seen)

    def to_state(self) -> dict[str, Any]:
        """The buckets still inside a window, JSON-ready."""
        live = self.buckets[self.first[-1] :]
        return {
            "end": self.end,
            "buckets": [
                [
                    b.minute,
                    b.posts,
                    dict(b.counts),
                    dict(b.negs),
                    {t: sorted(a) for t, a in b.authors.items()},
                ]
                for b in live
            ],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Load what :meth:`to_state` wrote into this (empty) instance."""
        for minute, posts, counts, negs, authors in state["buckets"]:
            bucket = TermBucket(int(minute))
            bucket.posts = int(posts)
            bucket.counts = {str(t): int(c) for t, c in counts.items()}
            bucket.negs = {str(t): int(c) for t, c in negs.items()}
            bucket.authors = {str(t): {str(a) for a in names} for t, names in authors.items()}
            self.buckets.append(bucket)
            self.minutes.append(bucket.minute)
        if self.minutes != sorted(set(self.minutes)):
            raise ValueError("buckets out of order")
        for bucket in self.buckets:
            for w in range(len(self.lengths)):
                self._enter(w, (bucket.posts, bucket.counts, bucket.negs))
        self.advance(int(state["end"]))


class TermStats:
    """The brand's term windows: those up to an hour in minute buckets, longer ones in
    buckets of :data:`COARSE_UNIT` minutes (their edges move by that step), and the
    background, fed by the buckets that leave the longest window."""

    def __init__(
        self, lengths: Sequence[int], *, cap: int, memory_days: float, prior: float
    ) -> None:
        self.lengths = tuple(lengths)
        self.cap = cap
        self.background = Background(memory_days=memory_days, prior=prior)
        fine = [w for w in self.lengths if w <= FINE_UP_TO]
        coarse = [w for w in self.lengths if w > FINE_UP_TO]
        self.parts: list[TermWindows] = []
        if fine:
            self.parts.append(
                TermWindows(fine, unit=1, cap=cap, background=None if coarse else self.background)
            )
        if coarse:
            self.parts.append(
                TermWindows(coarse, unit=COARSE_UNIT, cap=cap, background=self.background)
            )
        self.where = [(part, index) for part in self.parts for index in range(len(part.lengths))]
        """(windows, index there) of each window, in the order of ``lengths``."""

    def advance(self, minute: int) -> None:
        """Move every window's end to ``minute`` (exclusive)."""
        for part in self.parts:
            part.advance_to(minute)

    def add(self, minute: int, posts: Sequence[Item]) -> Counter[str]:
        """Count the posts of one minute (each with its terms); the minute's term counts."""
        prepared = prepare(posts, self.cap)
        for part in self.parts:
            part.merge(minute, prepared)
        return prepared[1]

    def count(self, term: str, window: int) -> int:
        """Posts using ``term`` in window number ``window``."""
        part, index = self.where[window]
        return part.counts[index].get(term, 0)

    def negative(self, term: str, window: int) -> int:
        """Negative posts using ``term`` in the window."""
        part, index = self.where[window]
        return part.negs[index].get(term, 0)

    def posts(self, window: int) -> int:
        """Posts in the window."""
        part, index = self.where[window]
        return part.posts[index]

    def authors(self, term: str, window: int) -> int:
        """Distinct authors of ``term`` in the window, up to ``cap``."""
        part, index = self.where[window]
        return part.authors(term, index)

    def start(self, window: int, end: int) -> int:
        """The first minute of the window when the windows end at minute ``end``
        (exclusive): whole buckets, so a coarse window starts up to a bucket earlier."""
        part, index = self.where[window]
        return (-(-end // part.unit) - part.lengths[index]) * part.unit

    def to_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "background": self.background.to_state(),
            "parts": [part.to_state() for part in self.parts],
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Load what :meth:`to_state` wrote."""
        self.background.restore(state["background"])
        if len(state["parts"]) != len(self.parts):
            raise ValueError("term windows of another shape")
        for part, saved in zip(self.parts, state["parts"], strict=True):
            part.restore(saved)


def _add(table: dict[str, int], counts: dict[str, int]) -> None:
    """Add ``counts`` into ``table`` (as ``Counter.update`` does, without its checks)."""
    if not table:
        table.update(counts)
        return
    get = table.get
    for term, count in counts.items():
        table[term] = get(term, 0) + count


def _exp(exponent: float) -> float:
    """``exp`` kept within floats (0 far below, 1e300 far above)."""
    return math.exp(min(max(exponent, -745.0), 690.0))
