"""Tail probabilities of the detectors' tests, as scores: ``-log10 P``, larger is stronger.

* :func:`poisson_score` ``(k, mu)`` is ``-log10 P(X >= k)`` for ``X ~ Poisson(mu)``: the
  chance of seeing ``k`` posts or more in a window where ``mu`` are expected.
* :func:`binomial_score` ``(k, n, p)`` is ``-log10 P(X >= k)`` for ``X ~ Binomial(n, p)``:
  the chance of ``k`` negative posts or more among ``n`` when the usual share is ``p``.
* :func:`binomial_low_score` is the lower tail ``-log10 P(X <= k)`` (a share clearly
  *below* usual).

Counts may be fractional: a count divided by an overdispersion factor ``phi`` (see
:mod:`~confiance.listen.alerts.baseline`) gives the quasi-Poisson and quasi-binomial tests
``poisson_score(n / phi, mu / phi)``; with ``lgamma`` the sums below are the regularised
incomplete gamma and beta functions, which interpolate the tails between whole counts.

Upper tails are summed exactly from the probability at ``k`` (computed in log space with
``lgamma``, so counts of millions do not overflow): successive terms shrink by the factor
``mu / (k + j)`` (Poisson) or ``(n - k - j) / (k + j + 1) * p / (1 - p)`` (binomial), and
the sum stops when a term no longer changes it. When that factor is close to 1 (``k`` barely
above the mean of a huge count) the normal approximation with continuity correction is used
instead; such tails are far from any threshold. A count at or below its mean scores 0.
Scores are capped at :data:`MAX_SCORE`.
"""

from __future__ import annotations

import math

MAX_SCORE = 300.0
"""Scores are capped here (a p-value of 1e-300 is as certain as it gets in floats)."""
_LN10 = math.log(10.0)
_HUGE = 1e15
"""Counts above this are scored with the normal approximation (``lgamma`` overflows)."""
_SLOW = 0.97
"""Above this term ratio the exact series would need too many terms: normal approximation."""


def poisson_score(k: float, mu: float) -> float:
    """``-log10 P(X >= k)`` for ``X ~ Poisson(mu)``; 0 when ``k <= mu``."""
    if not (math.isfinite(mu) and math.isfinite(k) and k > 0) or k <= mu:
        return 0.0
    if mu <= 0.0:
        return MAX_SCORE
    if mu / (k + 1) > _SLOW or k > _HUGE:
        return _normal_score((k - 0.5 - mu) / math.sqrt(mu))
    log_pmf = k * math.log(mu) - mu - math.lgamma(k + 1)
    total, term, j = 1.0, 1.0, 1
    while j < 2000:
        term *= mu / (k + j)
        total += term
        if term < 1e-12 * total:
            break
        j += 1
    return _clamp(-(log_pmf + math.log(total)) / _LN10)


def binomial_score(k: float, n: float, p: float) -> float:
    """``-log10 P(X >= k)`` for ``X ~ Binomial(n, p)``; 0 when ``k <= n p``."""
    if not (math.isfinite(p) and math.isfinite(k) and math.isfinite(n)) or (
        k <= 0 or n <= 0 or k <= n * p
    ):
        return 0.0
    if k > n or p <= 0.0:
        return MAX_SCORE
    if p >= 1.0:
        return 0.0
    odds = p / (1.0 - p)
    if (n - k) / (k + 1) * odds > _SLOW or n > _HUGE:
        sigma = math.sqrt(n * p * (1.0 - p))
        return _normal_score((k - 0.5 - n * p) / sigma)
    log_pmf = (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )
    total, term, j = 1.0, 1.0, 0
    while k + j < n and j < 4000:
        term *= (n - k - j) / (k + j + 1) * odds
        total += term
        if term < 1e-12 * total:
            break
        j += 1
    return _clamp(-(log_pmf + math.log(total)) / _LN10)


def binomial_low_score(k: float, n: float, p: float) -> float:
    """``-log10 P(X <= k)`` for ``X ~ Binomial(n, p)``; 0 when ``k >= n p``."""
    if not (math.isfinite(p) and math.isfinite(k) and math.isfinite(n)):
        return 0.0
    return binomial_score(n - k, n, 1.0 - min(max(p, 0.0), 1.0))


def _normal_score(z: float) -> float:
    """``-log10`` of the standard normal upper tail at ``z``."""
    if z <= 0.0:
        return 0.0
    tail = 0.5 * math.erfc(z / math.sqrt(2.0))
    if tail > 0.0:
        return _clamp(-math.log10(tail))
    # Far in the tail: log of the asymptotic expansion phi(z) / z.
    return _clamp((z * z / 2.0 + math.log(z * math.sqrt(2.0 * math.pi))) / _LN10)


def _clamp(score: float) -> float:
    if not math.isfinite(score):
        return MAX_SCORE if score > 0 else 0.0
    return min(max(score, 0.0), MAX_SCORE)
