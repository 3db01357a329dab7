"""Confidence intervals across replications (Student t)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats


def t_halfwidth(values: Sequence[float], confidence: float = 0.95) -> float:
    """Half-width of the Student-t confidence interval of the mean of ``values``.

    NaN with fewer than two finite values; infinite values make it infinite.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return float("nan")
    if not np.all(np.isfinite(x)):
        return float("inf")
    sd = float(np.std(x, ddof=1))
    return float(stats.t.ppf(0.5 + confidence / 2, len(x) - 1) * sd / math.sqrt(len(x)))


def t_interval(values: Sequence[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """(mean, lower, upper) of the Student-t interval."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    mean = float(np.mean(x)) if len(x) else float("nan")
    half = t_halfwidth(x, confidence)
    return mean, mean - half, mean + half


def paired_interval(a: Sequence[float], b: Sequence[float], confidence: float = 0.95
                    ) -> tuple[float, float, float]:
    """Mean and CI of ``b - a`` over paired replications (common random numbers)."""
    d = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return t_interval(d, confidence)


def welch_interval(a: Sequence[float], b: Sequence[float], confidence: float = 0.95
                   ) -> tuple[float, float, float]:
    """Mean and CI of ``mean(b) - mean(a)`` treating the samples as independent (Welch)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1
    diff = float(b.mean() - a.mean())
    half = float(stats.t.ppf(0.5 + confidence / 2, df) * se)
    return diff, diff - half, diff + half


def relative_halfwidth(values: Sequence[float], confidence: float = 0.95) -> float:
    """CI half-width over ``|mean|``: the relative precision of the mean of ``values``.

    Infinite when the mean is 0 (no relative precision can be reached) and NaN with fewer than
    two values.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    half = t_halfwidth(x, confidence)
    if math.isnan(half):
        return float("nan")
    mean = abs(float(np.mean(x)))
    return half / mean if mean > 0 else float("inf")


def reps_for_precision(n: int, relative: float, target: float) -> int:
    """Replications needed to shrink a relative half-width ``relative`` (seen with ``n``
    replications) to ``target``.

    The half-width falls like 1/√n, so n·(relative/target)² replications are needed (the
    classic estimate of Law & Kelton; the t quantile also shrinks, so it errs on the safe side).
    """
    if not math.isfinite(relative):
        return 2 * n
    return max(n, math.ceil(n * (relative / target) ** 2))


# --------------------------------------------------------------------------- several at once

ADJUSTMENTS = ("none", "holm", "bonferroni")
"""How p-values of several comparisons made at once are adjusted (``govsim compare --adjust``)."""


def paired_t_pvalue(differences: Sequence[float]) -> float:
    """Two-sided p-value of the paired t-test that the mean of ``differences`` is 0.

    NaN when there is nothing to test: fewer than two finite differences, or every difference
    exactly 0 (two scenarios that never differ). Differences that are all the same nonzero
    number have no spread: the test's statistic is infinite and the p-value 0.
    """
    d = np.asarray(differences, dtype=float)
    d = d[~np.isnan(d)]
    if len(d) < 2 or not np.all(np.isfinite(d)):
        return float("nan")
    mean, sd = float(np.mean(d)), float(np.std(d, ddof=1))
    if sd == 0:
        return float("nan") if mean == 0 else 0.0
    t = mean / (sd / math.sqrt(len(d)))
    return float(2 * stats.t.sf(abs(t), len(d) - 1))


def bonferroni(pvalues: Sequence[float]) -> np.ndarray:
    """Bonferroni-adjusted p-values: each times the number of tests (NaNs are not tests), at
    most 1. Rejecting where the adjusted p-value is below alpha keeps the family-wise error
    (the chance of any false 'significant') at most alpha."""
    p = np.asarray(pvalues, dtype=float)
    m = int(np.sum(~np.isnan(p)))
    return np.minimum(p * m, 1.0)


def holm(pvalues: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (NaNs are not tests and stay NaN).

    Sorted ascending, the i-th smallest of m p-values (i from 0) is multiplied by m - i, and
    the adjusted values are made non-decreasing in that order (each at least the one before),
    capped at 1. It controls the family-wise error like Bonferroni and rejects at least as
    much: the smallest p-value faces alpha/m, the next alpha/(m-1), ... until one fails.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    order = tested[np.argsort(p[tested], kind="stable")]
    m = len(order)
    running = 0.0
    for i, index in enumerate(order):
        running = max(running, min(1.0, (m - i) * p[index]))
        out[index] = running
    return out


def adjust_pvalues(pvalues: Sequence[float], method: str) -> np.ndarray:
    """``pvalues`` adjusted by ``method`` (one of ``ADJUSTMENTS``)."""
    if method == "holm":
        return holm(pvalues)
    if method == "bonferroni":
        return bonferroni(pvalues)
    if method == "none":
        return np.asarray(pvalues, dtype=float)
    raise ValueError(f"unknown adjustment {method!r}; use one of {', '.join(ADJUSTMENTS)}")


def bonferroni_level(confidence: float, comparisons: int) -> float:
    """The confidence level of each of ``comparisons`` intervals so that all of them together
    cover their true values with probability at least ``confidence`` (Bonferroni)."""
    return 1 - (1 - confidence) / max(comparisons, 1)
