"""RISK_TERM: negative posts that use the words of a crisis, seen from the first one.

A slow boycott starts with one call ("on n'achète plus", ``#StopBougiesToxiques``) and a
handful of posts an hour: too few for a volume, share or emerging-term test to prove anything
for hours. What brand teams watch for instead is a list of *risk terms*: boycott, toxique,
arnaque, plainte, recall, lawsuit... A negative post that uses one (a word starting with a
``word*`` stem, equal to a plain word, or a hashtag containing the stem) is a signal when its
author has an audience (``risk_min_followers``) or the post engagement
(``risk_min_engagement``), or when ``risk_min_authors`` distinct authors used the same term
within ``risk_window_minutes``. Severity: 2, plus 1 for an author with ten times the follower
floor or twice the author count, plus 1 for four times the author count; within 1..5. Scope
``all``; subject: the risk term as listed. Work per post: one set lookup per word.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from confiance.listen.alerts.config import DetectorConfig
from confiance.listen.alerts.evidence import evidence_of
from confiance.listen.alerts.model import ALL_SCOPE, Detector, Evidence, Observation, Signal
from confiance.listen.alerts.signals import clamp
from confiance.listen.alerts.terms import Item

NEGATIVE = "negative"
MAX_RECENT = 200
"""Posts kept per risk term inside the window (the oldest are dropped beyond this)."""


class RiskTerms:
    """The risk-term detector of one brand (see the module doc)."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config
        self.exact: dict[str, str] = {}
        self.stems: list[tuple[str, str]] = []
        for listed in config.watched_risk_terms():
            word = _fold(listed.rstrip("*"))
            if listed.endswith("*"):
                self.stems.append((word, listed))
            else:
                self.exact[word] = listed
        self.by_first: dict[str, list[tuple[str, str]]] = {}
        """The stems by their first letter, in list order: a word can only start with a
        stem that starts as it does (a folded stem is never empty)."""
        for stem, listed in self.stems:
            self.by_first.setdefault(stem[:1], []).append((stem, listed))
        self.recent: dict[str, list[tuple[float, str, Evidence]]] = {}
        """Risk term -> (time, author, post) of its negative posts inside the window."""

    def match(self, terms: Iterable[str]) -> str | None:
        """The first risk term that one of a post's terms (words and ``#hashtags``) uses."""
        for term in terms:
            if term.startswith("topic:"):
                continue
            tag = term.startswith("#")
            word = term[1:] if tag else term
            if not tag:
                if word in self.exact:
                    return self.exact[word]
                for stem, listed in self.by_first.get(word[:1], ()):
                    if word.startswith(stem):
                        return listed
                continue
            for stem, listed in self.stems:
                if stem in word:
                    return listed
            for exact, listed in self.exact.items():
                if exact in word:
                    return listed
        return None

    def observe(self, items: Sequence[Item], now: float) -> list[Signal]:
        """The signals of the batch's negative posts that use a risk term."""
        c = self.config
        span = c.risk_window_minutes * 60.0
        fired: dict[str, tuple[Observation, int]] = {}
        for obs, terms in items:
            if obs.sentiment != NEGATIVE:
                continue
            listed = self.match(terms)
            if listed is None:
                continue
            kept = [entry for entry in self.recent.get(listed, ()) if now - entry[0] < span]
            kept.append((obs.at, obs.author or obs.key, evidence_of(obs)))
            self.recent[listed] = kept[-MAX_RECENT:]
            authors = len({author for _, author, _ in kept})
            loud = ((obs.followers or 0) >= c.risk_min_followers
                    or obs.engagement >= c.risk_min_engagement)
            if loud or authors >= c.risk_min_authors:
                fired[listed] = (obs, authors)
        for listed in [t for t, kept in self.recent.items() if now - kept[-1][0] >= span]:
            del self.recent[listed]
        return [self._signal(listed, obs, authors, now) for listed, (obs, authors)
                in fired.items()]

    def _signal(self, listed: str, obs: Observation, authors: int, now: float) -> Signal:
        c = self.config
        kept = self.recent.get(listed, [])
        severity = 2
        if (obs.followers or 0) >= 10 * c.risk_min_followers or authors >= 2 * c.risk_min_authors:
            severity += 1
        if authors >= 4 * c.risk_min_authors:
            severity += 1
        counts: dict[str, int] = {}
        for _, author, _ in kept:
            counts[author] = counts.get(author, 0) + 1
        posts = sorted((e for _, _, e in kept), key=lambda e: (-e.engagement, -e.at))
        start = min((at for at, _, _ in kept), default=obs.at)
        return Signal(
            detector=Detector.RISK_TERM, scope=ALL_SCOPE, subject=listed,
            severity=clamp(severity), window_start=min(start, now), window_end=now,
            observed=float(len(kept)), expected=0.0, unit="mentions",
            score=round(math.log2(1 + authors) + math.log10(1 + (obs.followers or 0)), 3),
            top_terms=((listed, len(kept)),),
            top_posts=tuple(posts[:5]),
            top_authors=tuple(sorted(counts.items(), key=lambda kv: -kv[1])[:5]),
            details={"authors": float(authors), "followers": float(obs.followers or 0),
                     "engagement": float(obs.engagement)})

    def to_state(self) -> dict[str, Any]:
        """The posts inside the window, JSON-ready."""
        return {term: [[at, author, _evidence_state(e)] for at, author, e in kept]
                for term, kept in self.recent.items()}

    def restore(self, state: dict[str, Any]) -> None:
        """Load :meth:`to_state`'s output."""
        self.recent = {str(term): [(float(at), str(author), Evidence(**evidence))
                                   for at, author, evidence in kept]
                       for term, kept in state.items()}


def _evidence_state(evidence: Evidence) -> dict[str, Any]:
    return {name: getattr(evidence, name) for name in Evidence.__slots__}


def _fold(word: str) -> str:
    from confiance.listen.alerts.terms import post_terms

    found = post_terms(word)
    return found[0] if found else word.casefold()
