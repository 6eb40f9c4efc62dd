"""Emerging topics: what people talk about now much more than they used to, with a label.

Two windows of posts are compared: the *recent* one (say the last two days) and the *baseline*
(the two weeks before). The method, deterministic for a given input:

1. **Embed.** Every post gets the shared multilingual sentence vector
   (:mod:`confiance.enrich.embeddings`); vectors already known are reused.
2. **Cluster the recent window.** Spherical k-means (k-means++ seeding, then Lloyd steps on
   the L2-normalised vectors, with a seeded generator) with about one cluster per
   ``cluster_size`` recent posts (at most ``max_clusters``). Short social posts embed
   diffusely (two posts on the same subject often have a cosine under 0.5), so thresholded
   "leader" clustering leaves most posts as singletons; k-means cells cover everything and
   deliberately over-split: step 4 joins the pieces back. It is written out with numpy:
   scikit-learn's k-means++ upcasts float32 distances to float64 and took over a minute on
   20,000 posts, this takes a few seconds.
3. **Score against the baseline.** Both windows are assigned to the nearest recent centroid
   (Voronoi cells, the same rule for both), so every cell has a recent count ``r`` out of
   ``R`` posts and a baseline count ``b`` out of ``B``. With the smoothed baseline rate
   ``p = (b + 1) / (B + 1)``, the *growth* is ``(r / R) / p`` and the *score* is a
   Poisson-style z-value of the excess, ``(r - pR) / sqrt(pR + (pR)^2 / (b + 1))`` (the
   second term is the uncertainty of ``p`` itself, so a rate estimated from a handful of
   baseline posts does not make noise look significant).
4. **Merge.** Cells with ``growth >= min_growth`` are joined by average-linkage clustering of
   their centroids (cosine similarity at least ``merge_similarity``): one subject split in
   several cells becomes one topic, while unrelated subjects growing at the same time
   (centroid similarity typically 0.2-0.45 with this encoder) stay apart. Counts are summed
   and the statistics recomputed.
5. **Keep** topics with at least ``min_size`` recent posts, ``growth >= min_growth`` and
   ``score >= min_score``; the most significant first, at most ``max_topics``.
6. **Label** each topic with its most distinctive terms, by class-based TF-IDF (c-TF-IDF)
   with everything else as the reference class: a term used by a share ``p`` of the topic's
   posts and ``q`` of all other posts (other recent cells and the baseline) weighs
   ``p * log((p + a) / (q + a))``, so a term common everywhere (the brand, "bougie") ranks
   low. Terms are words, #hashtags, percentages ("30%"), neighbouring word pairs ("service
   client") and pairs joined by one connector ("hausse des prix"); URLs and @mentions are
   removed, French and English stop words (``data/stopwords_*.txt``) and the names to
   ``ignore`` dropped. A term must occur in two posts and 5 % of the topic. Three
   representative posts (closest to the topic's centroid, distinct texts) come with each
   topic.

Defaults (``min_growth=2``, ``min_score=5``, ``merge_similarity=0.5``) were chosen on
generated posts: with no burst, over 20 splits of everyday posts, no cluster scored above
4.2; injected bursts of 40-60 posts scored 8 to 37 and two unrelated simultaneous bursts
stayed two topics (``tests/enrich/test_emerging.py`` checks these cases).

Costs: embedding dominates (about 2,000 short posts/s on two idle cores, a few hundred on a
busy machine); the rest takes about 5 s for 20,000 recent and 20,000 baseline posts.
:func:`emerging_from_store` reads the two windows from the database; ``confiance topics
emerging`` prints them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, Select, func, select

from confiance.domain.records import aware_utc
from confiance.enrich.embeddings import DIMENSIONS, Encoder, Vectors, shared_encoder
from confiance.store.tables import brand_posts, enrichments, posts

Progress = Callable[[int, int], None]
"""Called with (posts embedded so far, posts to embed) while vectors are computed."""

CONNECTORS = frozenset({"de", "des", "du", "d", "en", "à", "a", "au", "aux", "pour", "sur",
                        "of", "for", "in", "on", "to"})
"""Words that may join two kept words into a label phrase ("frais de port")."""
SEEDING_SAMPLE = 5000
"""k-means++ picks its first centroids among at most this many posts (drawn with the seed)."""
EMBED_CHUNK = 256
"""Posts encoded per call, so progress can be reported and memory stays flat."""

_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)+/\S*", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")
_TOKEN = re.compile(r"#\w+|\d+(?:[.,]\d+)?\s?%|[^\W\d_]+(?:-[^\W\d_]+)*")
_SENTENCE = re.compile(r"(?:[.,](?!\d)|[!?;:…()\[\]\"«»\n])+")
_SPACE = re.compile(r"\s+")
_LETTERS = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class TopicDoc:
    """A post as topic discovery sees it.

    ``embedding`` is the post's normalised vector when already known (it is computed
    otherwise); ``key`` is whatever identifies the post for the caller (a database id), and
    comes back in :attr:`EmergingTopic.keys`.
    """

    text: str
    language: str | None = None
    created_at: datetime | None = None
    embedding: Any = None
    key: Any = None


@dataclass(frozen=True)
class EmergingTopic:
    """A subject that grew in the recent window, labelled and illustrated.

    ``posts`` are indices into the ``recent`` sequence, most central first; ``size`` is
    their number; ``recent_share`` and ``baseline_share`` are the fractions of each window
    that fall in the topic (the baseline share unsmoothed, as observed); ``growth`` is the
    ratio of the recent share to the smoothed baseline share; ``score`` the z-value used to
    rank topics.
    """

    label: str
    terms: list[str]
    size: int
    baseline_count: int
    recent_share: float
    baseline_share: float
    growth: float
    score: float
    examples: list[str]
    posts: list[int]
    keys: list[Any] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO 8601 strings)."""
        return {
            "label": self.label, "terms": self.terms, "size": self.size,
            "baseline_count": self.baseline_count,
            "recent_share": round(self.recent_share, 5),
            "baseline_share": round(self.baseline_share, 5),
            "growth": round(self.growth, 2), "score": round(self.score, 2),
            "examples": self.examples, "languages": self.languages,
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "posts": self.posts, "keys": self.keys,
        }


def emerging_topics(recent: Sequence[TopicDoc], baseline: Sequence[TopicDoc], *,
                    min_size: int = 10, max_topics: int = 10, min_growth: float = 2.0,
                    min_score: float = 5.0, cluster_size: int = 25, max_clusters: int = 200,
                    merge_similarity: float = 0.5, label_terms: int = 3,
                    ignore: Sequence[str] = (), encoder: Encoder | None = None,
                    progress: Progress | None = None,
                    random_state: int = 0) -> list[EmergingTopic]:
    """The subjects of ``recent`` that grew compared with ``baseline``, most significant first.

    ``min_size``: recent posts a topic needs at least; ``min_growth``: how many times more
    frequent than in the baseline (after smoothing) it must be; ``min_score``: the z-value
    of its excess it needs (see the module docstring). ``ignore`` lists words or names
    (brands) never used in labels. With an empty baseline nothing can be said to grow, and
    the answer is an empty list.
    """
    if len(recent) < max(min_size, 2) or not baseline:
        return []
    vectors, base_vectors = _embed(recent, baseline, encoder, progress)
    k = max(2, min(max_clusters, round(len(recent) / max(cluster_size, 1)), len(recent)))
    centroids = _kmeans(vectors, k, random_state)
    labels = _nearest(vectors, centroids)
    base_labels = _nearest(base_vectors, centroids)
    n_recent, n_base = len(recent), len(base_vectors)
    recent_counts = np.bincount(labels, minlength=k)
    base_counts = np.bincount(base_labels, minlength=k)
    growing = [c for c in range(k) if recent_counts[c] and _growth(
        int(recent_counts[c]), int(base_counts[c]), n_recent, n_base) >= min_growth]
    groups = _merge(growing, centroids, merge_similarity)
    kept: list[tuple[float, list[int]]] = []
    for group in groups:
        r, b = int(recent_counts[group].sum()), int(base_counts[group].sum())
        score = _score(r, b, n_recent, n_base)
        if (r >= min_size and _growth(r, b, n_recent, n_base) >= min_growth
                and score >= min_score):
            kept.append((score, group))
    kept.sort(key=lambda item: (-item[0], min(item[1])))
    kept = kept[:max_topics]
    if not kept:
        return []
    cell_of = np.full(k, -1, dtype=np.int64)
    for index, (_, group) in enumerate(kept):
        cell_of[group] = index
    topic_of = cell_of[labels]
    terms = _topic_terms(recent, baseline, topic_of, len(kept), ignore, label_terms)
    topics = []
    for index, (score, group) in enumerate(kept):
        members = np.flatnonzero(topic_of == index)
        b = int(base_counts[group].sum())
        topics.append(_topic(recent, vectors, members, b, n_base, score, terms[index],
                             label_terms))
    return topics


# ----------------------------------------------------------------------------- vectors


def _embed(recent: Sequence[TopicDoc], baseline: Sequence[TopicDoc], encoder: Encoder | None,
           progress: Progress | None) -> tuple[Vectors, Vectors]:
    """The vectors of both windows: known ones reused, the rest encoded in chunks."""
    docs = [*recent, *baseline]
    out = np.zeros((len(docs), DIMENSIONS), dtype=np.float32)
    missing = []
    for i, doc in enumerate(docs):
        if doc.embedding is None:
            missing.append(i)
        else:
            out[i] = np.asarray(doc.embedding, dtype=np.float32)
    if missing:
        encoder = encoder or shared_encoder()
        if progress:
            progress(0, len(missing))
        for start in range(0, len(missing), EMBED_CHUNK):
            chunk = missing[start:start + EMBED_CHUNK]
            out[chunk] = encoder.encode([docs[i].text or " " for i in chunk])
            if progress:
                progress(start + len(chunk), len(missing))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    out /= np.maximum(norms, 1e-12)
    return out[:len(recent)], out[len(recent):]


def _kmeans(vectors: Vectors, k: int, random_state: int, iterations: int = 20) -> Vectors:
    """Normalised centroids of spherical k-means: k-means++ seeding (on at most
    ``SEEDING_SAMPLE`` posts), then at most ``iterations`` Lloyd steps.

    Written out with numpy (one matrix product per step, in float32) because it is several
    times faster here than a general-purpose implementation on 512 dimensions; the seeded
    generator makes it deterministic. Stops when fewer than 0.1 % of the posts move.
    """
    from scipy import sparse

    rng = np.random.default_rng(random_state)
    n = len(vectors)
    seeds = vectors if n <= SEEDING_SAMPLE else vectors[
        np.sort(rng.choice(n, size=SEEDING_SAMPLE, replace=False))]
    centroids = np.empty((k, vectors.shape[1]), dtype=np.float32)
    pick = int(rng.integers(len(seeds)))
    centroids[0] = seeds[pick]
    distance = np.maximum(1.0 - seeds @ seeds[pick], 0.0)
    for c in range(1, k):
        total = float(distance.sum())
        pick = (int(np.searchsorted(np.cumsum(distance), rng.random() * total))
                if total > 0 else int(rng.integers(len(seeds))))
        pick = min(pick, len(seeds) - 1)
        centroids[c] = seeds[pick]
        np.minimum(distance, np.maximum(1.0 - seeds @ seeds[pick], 0.0), out=distance)
    labels = np.full(n, -1, dtype=np.int64)
    for _ in range(iterations):
        previous, labels = labels, _nearest(vectors, centroids)
        if np.count_nonzero(previous != labels) <= n // 1000:
            break
        members = sparse.csr_matrix((np.ones(n, dtype=np.float32), (labels, np.arange(n))),
                                    shape=(k, n))
        sums = np.asarray(members @ vectors, dtype=np.float32)
        norms = np.linalg.norm(sums, axis=1)
        filled = norms > 1e-9
        centroids[filled] = sums[filled] / norms[filled, None]
    return centroids


def _nearest(vectors: Vectors, centroids: Vectors, chunk: int = 8192) -> npt.NDArray[np.int64]:
    """The index of the most similar centroid of each vector, in bounded memory."""
    out = np.empty(len(vectors), dtype=np.int64)
    for start in range(0, len(vectors), chunk):
        out[start:start + chunk] = np.argmax(vectors[start:start + chunk] @ centroids.T, axis=1)
    return out


def _merge(cells: list[int], centroids: Vectors, similarity: float) -> list[list[int]]:
    """Groups of ``cells`` whose centroids are alike (average linkage, cosine)."""
    if len(cells) < 2:
        return [cells] if cells else []
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(centroids[cells].astype(np.float64), method="average", metric="cosine")
    assigned = fcluster(tree, t=1.0 - similarity, criterion="distance")
    groups: dict[int, list[int]] = {}
    for cell, group in zip(cells, assigned, strict=True):
        groups.setdefault(int(group), []).append(cell)
    return sorted(groups.values())


# ----------------------------------------------------------------------------- statistics


def _baseline_rate(baseline_count: int, baseline_total: int) -> float:
    """The smoothed share of the baseline in a topic: one pseudo-post in and one added."""
    return (baseline_count + 1) / (baseline_total + 1)


def _growth(count: int, baseline_count: int, total: int, baseline_total: int) -> float:
    """How many times larger the recent share is than the smoothed baseline share."""
    return (count / total) / _baseline_rate(baseline_count, baseline_total)


def _score(count: int, baseline_count: int, total: int, baseline_total: int) -> float:
    """The z-value of the recent excess over what the baseline rate predicts."""
    expected = _baseline_rate(baseline_count, baseline_total) * total
    variance = expected + expected * expected / (baseline_count + 1)
    return (count - expected) / math.sqrt(variance)


def _topic(recent: Sequence[TopicDoc], vectors: Vectors, members: npt.NDArray[np.int64],
           baseline_count: int, baseline_total: int, score: float, terms: list[str],
           label_terms: int) -> EmergingTopic:
    centroid = vectors[members].mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
    order = members[np.argsort(-(vectors[members] @ centroid), kind="stable")]
    posts = [int(i) for i in order]
    times = [t for t in (recent[i].created_at for i in posts) if t is not None]
    size, total = len(posts), len(recent)
    return EmergingTopic(
        label=" · ".join(terms[:label_terms]) or _short(recent[posts[0]].text, 40),
        terms=terms, size=size, baseline_count=baseline_count,
        recent_share=size / total, baseline_share=baseline_count / baseline_total,
        growth=_growth(size, baseline_count, total, baseline_total), score=score,
        examples=_examples(recent, posts, 3), posts=posts,
        keys=[recent[i].key for i in posts],
        languages=dict(Counter(recent[i].language or "unknown" for i in posts).most_common()),
        first_seen=min(times) if times else None, last_seen=max(times) if times else None)


def _examples(recent: Sequence[TopicDoc], posts: list[int], count: int) -> list[str]:
    """The first ``count`` distinct texts (case, accents and punctuation aside)."""
    seen: set[str] = set()
    out: list[str] = []
    for i in posts:
        text = _SPACE.sub(" ", recent[i].text).strip()
        fingerprint = _LETTERS.sub(" ", _fold(_MENTION.sub("", text))).strip()
        if text and fingerprint not in seen:
            seen.add(fingerprint)
            out.append(text)
            if len(out) == count:
                break
    return out


def _short(text: str, width: int) -> str:
    text = _SPACE.sub(" ", text).strip()
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


# ----------------------------------------------------------------------------- labels


@cache
def stop_words() -> frozenset[str]:
    """The French and English stop words of ``data/stopwords_fr.txt`` and ``_en.txt``."""
    words: set[str] = set()
    folder = resources.files("confiance.enrich").joinpath("data")
    for name in ("stopwords_fr.txt", "stopwords_en.txt"):
        for line in folder.joinpath(name).read_text(encoding="utf-8").splitlines():
            word = line.strip()
            if word and not word.startswith("#"):
                words.add(word)
                words.add(_fold(word))
    return frozenset(words)


def _fold(text: str) -> str:
    """Lower case without accents (for comparisons only; labels keep the accents)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _ignored(names: Iterable[str]) -> frozenset[str]:
    """Folded words, joined names and their hashtags, for brands kept out of labels."""
    out: set[str] = set()
    for name in names:
        words = [_fold(w) for w in _TOKEN.findall(name)]
        joined = "".join(w.lstrip("#") for w in words)
        out.update(words)
        out.update({joined, f"#{joined}"})
    return frozenset(out)


def terms_of(text: str, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The label terms of one post, each once.

    Words, #hashtags and percentages ("30%") that are not stop words (nor in ``ignore``,
    compared folded), plus phrases of neighbours within a sentence: two kept words side by
    side ("service client") or joined by one connector ("hausse des prix", "pouvoir d'achat",
    "value for money"; not after a percentage). URLs and @mentions are removed first.
    """
    text = _MENTION.sub(" ", _URL.sub(" ", text))
    stops = stop_words()
    kept: list[str] = []
    phrases: list[str] = []
    for sentence in _SENTENCE.split(text):
        tokens = [raw.casefold().replace(" ", "") for raw in _TOKEN.findall(sentence)]
        useful = [_useful(token, stops, ignore) for token in tokens]
        for i, token in enumerate(tokens):
            if not useful[i]:
                continue
            kept.append(token)
            if token.startswith("#"):
                continue
            if i + 1 < len(tokens) and useful[i + 1] and _pairable(tokens[i + 1], token):
                phrases.append(f"{token} {tokens[i + 1]}")
            if (i + 2 < len(tokens) and tokens[i + 1] in CONNECTORS and useful[i + 2]
                    and _pairable(tokens[i + 2], token) and not token[0].isdigit()):
                link, after = tokens[i + 1], tokens[i + 2]
                phrases.append(f"{token} {link}'{after}" if link in {"d", "l"}
                               else f"{token} {link} {after}")
    return list(dict.fromkeys([*kept, *phrases]))


def _useful(token: str, stops: frozenset[str], ignore: frozenset[str]) -> bool:
    if token[0].isdigit():
        return True
    return len(token) > 1 and token not in stops and _fold(token) not in ignore


def _pairable(token: str, previous: str) -> bool:
    return not token.startswith("#") and token != previous


def _topic_terms(recent: Sequence[TopicDoc], baseline: Sequence[TopicDoc],
                 topic_of: npt.NDArray[np.int64], topics: int, ignore: Sequence[str],
                 label_terms: int) -> list[list[str]]:
    """The ranked distinctive terms of each topic (c-TF-IDF, the rest as reference).

    For a term, ``p`` is the share of the topic's posts that use it and ``q`` the share of
    all other posts (the other recent cells and the baseline) that do; its weight is
    ``p * log((p + a) / (q + a))`` with ``a = 1 / (other posts + 1)``: frequent in the topic
    and rarer elsewhere. Terms used by fewer than two posts, or 5 % of the topic, are skipped.
    """
    from scipy import sparse

    ignored = _ignored(ignore)
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    classes = [*(int(t) for t in topic_of), *([-1] * len(baseline))]
    for row, doc in enumerate([*recent, *baseline]):
        ids = [vocabulary.setdefault(term, len(vocabulary)) for term in terms_of(doc.text, ignored)]
        rows.extend([row] * len(ids))
        cols.extend(ids)
    names = list(vocabulary)
    membership = sparse.csr_matrix(
        (np.ones(len(classes)), (np.where(np.asarray(classes) >= 0, classes, topics),
                                 np.arange(len(classes)))), shape=(topics + 1, len(classes)))
    posts = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)),
                              shape=(len(classes), max(len(names), 1)))
    per_class = (membership @ posts).tocsr()
    everywhere = np.asarray(posts.sum(axis=0)).ravel()
    sizes = np.asarray(membership.sum(axis=1)).ravel()
    out = []
    for topic in range(topics):
        row = per_class.getrow(topic)
        size, others = sizes[topic], len(classes) - sizes[topic]
        usable = row.data >= max(2, math.ceil(0.05 * size))
        ids, counts = row.indices[usable], row.data[usable]
        smoothing = 1.0 / (others + 1)
        p = counts / size
        q = (everywhere[ids] - counts) / max(others, 1)
        weights = p * np.log((p + smoothing) / (q + smoothing))
        good = weights > 0
        ranked = ids[good][np.lexsort((ids[good], -weights[good]))]
        out.append(_distinct([names[t] for t in ranked[:200]], max(8, label_terms)))
    return out


def _distinct(ranked: list[str], count: int) -> list[str]:
    """The best ``count`` terms without repeats.

    A phrase takes the place of the words it contains, a word already in a chosen phrase is
    skipped, and so is a phrase sharing a word with a chosen phrase ("coûte cher" after
    "française coûte").
    """
    chosen: list[tuple[str, frozenset[str]]] = []
    for term in ranked:
        words = _content(term)
        if len(words) < 2:
            if any(words <= other for _, other in chosen):
                continue
            chosen.append((term, words))
        else:
            if any(len(other) > 1 and words & other for _, other in chosen):
                continue
            place = next((i for i, (_, other) in enumerate(chosen) if other <= words),
                         len(chosen))
            chosen = [c for c in chosen if not c[1] <= words]
            chosen.insert(min(place, len(chosen)), (term, words))
        if len(chosen) == count:
            break
    return [term for term, _ in chosen]


def _content(term: str) -> frozenset[str]:
    """The words of a term, connectors aside."""
    return frozenset(w for w in re.split(r"[ ']", term) if w and w not in CONNECTORS)


# ----------------------------------------------------------------------------- store


@dataclass(frozen=True)
class EmergingReport:
    """What :func:`emerging_from_store` found, and over which windows."""

    topics: list[EmergingTopic]
    recent_posts: int
    baseline_posts: int
    since: datetime | None
    until: datetime | None
    baseline_since: datetime | None

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` output."""
        def iso(moment: datetime | None) -> str | None:
            return moment.isoformat() if moment else None

        return {"until": iso(self.until), "since": iso(self.since),
                "baseline_since": iso(self.baseline_since), "recent_posts": self.recent_posts,
                "baseline_posts": self.baseline_posts,
                "topics": [topic.as_dict() for topic in self.topics]}


def emerging_from_store(engine: Engine, *, brand_id: int | None = None, days: float = 2,
                        baseline_days: float = 14, now: datetime | None = None,
                        max_posts: int = 20_000, ignore: Sequence[str] = (),
                        progress: Progress | None = None,
                        **options: Any) -> EmergingReport:
    """Emerging topics among stored posts: the ``days`` before ``now`` against the
    ``baseline_days`` before those.

    ``now`` defaults to the time of the newest stored post (of the brand, when given), so an
    imported archive or the demo works as live data would. Windows holding more than
    ``max_posts`` posts are thinned evenly in time (every n-th post), which keeps shares
    unbiased and time bounded. ``options`` go to :func:`emerging_topics`; post keys in the
    topics are ``posts.id``.
    """
    until = aware_utc(now) if now is not None else _newest(engine, brand_id)
    if until is None:
        return EmergingReport([], 0, 0, None, None, None)
    since = until - timedelta(days=days)
    baseline_since = since - timedelta(days=baseline_days)
    recent = _thin(_read(engine, brand_id, since, until), max_posts)
    baseline = _thin(_read(engine, brand_id, baseline_since, since), max_posts)
    topics = emerging_topics(recent, baseline, ignore=ignore, progress=progress, **options)
    return EmergingReport(topics, len(recent), len(baseline), since, until, baseline_since)


def _scope(query: Select[Any], brand_id: int | None) -> Select[Any]:
    if brand_id is None:
        return query
    return query.where(posts.c.id.in_(
        select(brand_posts.c.post_id).where(brand_posts.c.brand_id == brand_id)))


def _newest(engine: Engine, brand_id: int | None) -> datetime | None:
    """Just after the newest post's time, so that post is in the recent window."""
    with engine.connect() as conn:
        newest = conn.execute(_scope(select(func.max(posts.c.created_at)), brand_id)).scalar()
    if newest is None:
        return None
    return aware_utc(newest) + timedelta(seconds=1)


def _read(engine: Engine, brand_id: int | None, start: datetime,
          end: datetime) -> list[TopicDoc]:
    """The posts created in [start, end), oldest first, with their best-known language (the
    one enrichment detected, else the platform's)."""
    query = (select(posts.c.id, posts.c.text, posts.c.title, posts.c.created_at,
                    posts.c.language, enrichments.c.language.label("detected"))
             .outerjoin(enrichments, enrichments.c.post_id == posts.c.id)
             .where(posts.c.created_at >= start, posts.c.created_at < end)
             .order_by(posts.c.created_at, posts.c.id))
    with engine.connect() as conn:
        rows = conn.execute(_scope(query, brand_id)).all()
    docs = []
    for row in rows:
        text = f"{row.title}. {row.text or ''}" if row.title else (row.text or "")
        language = row.detected if row.detected not in (None, "unknown") else row.language
        if text.strip():
            docs.append(TopicDoc(text=text, language=language,
                                 created_at=aware_utc(row.created_at), key=row.id))
    return docs


def _thin(docs: list[TopicDoc], limit: int) -> list[TopicDoc]:
    """At most ``limit`` docs, taken evenly through the (time-ordered) list."""
    if limit <= 0 or len(docs) <= limit:
        return docs
    step = len(docs) / limit
    return [docs[int(i * step)] for i in range(limit)]
