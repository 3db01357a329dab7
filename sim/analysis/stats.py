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
