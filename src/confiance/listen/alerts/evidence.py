"""What comes with a signal so it can be judged at a glance: terms, posts and authors.

* **Top posts** (5): the most engaging posts of the window (likes + comments + shares, then
  followers), exact: each minute keeps its five most engaging posts and the window's five
  are among them.
* **Top authors** (5): the authors with most posts in the window, and **top terms** (10):
  the terms most over-represented in the window compared with the brand's background
  (weight ``c log(share in window / background share)``, at least two posts), both counted
  on the posts each minute keeps (its first ``evidence_posts_per_minute``; every post of a
  minute with fewer), the most recent 500 at most (200 for terms, of which the 50 most
  frequent are ranked): exact for short windows of most brands, an estimate from the
  latest posts otherwise.
* For an emerging term the same are drawn from the kept posts that use the term; its top
  terms are the term itself and the terms used with it.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from operator import itemgetter

from confiance.listen.alerts.model import Evidence, Observation
from confiance.listen.alerts.windows import TOP_POSTS, CountWindows, rank

SAMPLE_LIMIT = 500
"""Kept posts (the most recent) read at most to rank a signal's authors."""
TERM_SAMPLE_LIMIT = 200
"""Kept posts (the most recent) read at most to rank a signal's terms."""
FREQUENT = 50
"""Terms ranked by distinctiveness among the most frequent ones only."""
TOP_TERMS = 10
TOP_AUTHORS = 5
EXCERPT = 280
"""Characters of a post's text kept as its excerpt."""
MAX_COUNT = 10**15
"""Follower and engagement counts are capped here (no real account comes near)."""

Kept = tuple[Evidence, tuple[str, ...]]
Share = Callable[[str], float]
"""The background share of a term."""


def evidence_of(obs: Observation) -> Evidence:
    """The evidence record of an observation (text cut to :data:`EXCERPT` characters)."""
    text = obs.text if isinstance(obs.text, str) else ""
    excerpt = text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"
    followers = None if obs.followers is None else min(max(obs.followers, 0), MAX_COUNT)
    post_id = obs.post_id if obs.post_id is None or abs(obs.post_id) <= MAX_COUNT else None
    return Evidence(
        key=obs.key,
        at=obs.at,
        platform=obs.platform,
        sentiment=obs.sentiment,
        excerpt=excerpt,
        author=obs.author,
        followers=followers,
        engagement=min(max(obs.engagement, 0), MAX_COUNT),
        url=obs.url,
        post_id=post_id,
    )


def window_evidence(
    counts: CountWindows, window: int, share: Share
) -> tuple[tuple[tuple[str, int], ...], tuple[Evidence, ...], tuple[tuple[str, int], ...]]:
    """(top terms, top posts, top authors) of a scope's window."""
    sample = counts.sampled(window, SAMPLE_LIMIT)
    return (
        distinctive(sample[:TERM_SAMPLE_LIMIT], share),
        tuple(counts.top_posts(window)),
        top_authors([e for e, _ in sample]),
    )


def term_evidence(
    sample: Sequence[Kept], term: str, mentions: int
) -> tuple[tuple[tuple[str, int], ...], tuple[Evidence, ...], tuple[tuple[str, int], ...]]:
    """(top terms, top posts, top authors) of the kept posts that use ``term``."""
    using = [(e, t) for e, t in sample if term in t]
    together = Counter(chain.from_iterable(map(itemgetter(1), using)))
    together.pop(term, None)
    others = sorted(together.items(), key=lambda item: (-item[1], item[0]))
    terms = ((term, mentions), *others[: TOP_TERMS - 1])
    posts = heapq.nlargest(TOP_POSTS, (e for e, _ in using), key=rank)
    return terms, tuple(posts), top_authors([e for e, _ in using])


def top_authors(posts: Iterable[Evidence]) -> tuple[tuple[str, int], ...]:
    """The authors with most posts, most first (ties: the most recent first)."""
    counts = Counter([e.author for e in posts])
    counts.pop(None, None)
    counts.pop("", None)
    return tuple((str(a), n) for a, n in counts.most_common(TOP_AUTHORS))


def distinctive(sample: Sequence[Kept], share: Share) -> tuple[tuple[str, int], ...]:
    """The terms most over-represented in ``sample`` against their background share."""
    if not sample:
        return ()
    counts = Counter(chain.from_iterable(map(itemgetter(1), sample)))
    size = len(sample)
    least = 2 if size >= 10 else 1
    weighted = []
    for term, count in counts.most_common(FREQUENT):
        if count < least:
            continue
        lift = (count / size) / max(share(term), 1e-12)
        if lift > 1.0:
            weighted.append((count * math.log(lift), term, count))
    weighted.sort(key=lambda item: (-item[0], item[1]))
    return tuple((term, count) for _, term, count in weighted[:TOP_TERMS])
