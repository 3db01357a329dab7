"""Paired comparisons of scenarios run on common random numbers.

Scenarios run with the same seed see the same cases in replication ``r``, so the difference of a
metric between two scenarios *within* a replication is mostly the policy's effect, and the noise
shared by both runs cancels. The comparison therefore takes, per replication, the difference
``scenario − first scenario`` and puts a Student-t interval on the mean of those differences
(a paired interval). Each scenario's own value comes with its usual t half-width.

The result is a long table, one row per (metric, case type, scenario): the ``comparison.csv`` of
``govsim compare`` and the return value of ``sim.comparison_table``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.stats import t_halfwidth, t_interval
from sim.analysis.summary import ALL, METRICS

COMPARED_METRICS = [m for m in METRICS if m != "n"]
"""Metrics compared between scenarios (``n``, the number of cases, is a count of inputs)."""

COLUMNS = ["metric", "case_type", "scenario", "baseline", "reps", "value", "value_hw", "diff",
           "diff_lo", "diff_hi", "significant"]


def comparison_table(per_rep: pd.DataFrame, confidence: float = 0.95,
                     baseline: str | None = None,
                     metrics: list[str] | None = None) -> pd.DataFrame:
    """Each scenario's value and the paired difference to ``baseline`` (default: the first).

    ``per_rep`` has one row per (scenario, replication, case_type) with metric columns, as
    ``sim.summary.replication_metrics`` returns. Replications are paired by their index; a
    replication missing from either scenario is left out of that pair's difference.

    Columns: ``metric, case_type, scenario, baseline, reps`` (paired replications),
    ``value, value_hw`` (mean over replications and CI half-width), ``diff, diff_lo, diff_hi``
    (mean paired difference ``scenario − baseline`` and its CI; exactly 0 for the baseline
    itself) and ``significant`` (the CI excludes 0). A difference involving an infinite value
    (a quantile beyond the share of resolved cases) is NaN: it cannot be estimated.
    """
    metrics = metrics or COMPARED_METRICS
    scenarios = list(dict.fromkeys(per_rep["scenario"].astype(str)))
    if not scenarios:
        return pd.DataFrame(columns=COLUMNS)
    baseline = baseline if baseline is not None else scenarios[0]
    if baseline not in scenarios:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios {scenarios}")
    data = per_rep.assign(scenario=per_rep["scenario"].astype(str),
                          case_type=per_rep["case_type"].astype(str))
    # ALL first, then alphabetical: the order of summary.csv.
    case_types = sorted(set(data["case_type"]), key=lambda c: (c != ALL, c))
    indexed = data.set_index(["scenario", "case_type", "replication"]).sort_index()
    rows = []
    for metric in metrics:
        for case_type in case_types:
            try:
                base = indexed.loc[(baseline, case_type), metric]
            except KeyError:
                base = pd.Series(dtype=float)
            for scenario in scenarios:
                try:
                    own = indexed.loc[(scenario, case_type), metric]
                except KeyError:
                    continue
                values = own.to_numpy(dtype=float)
                paired = pd.concat([base.rename("a"), own.rename("b")], axis=1,
                                   join="inner").to_numpy(dtype=float)
                diff, lo, hi = _paired(paired, confidence, same=scenario == baseline)
                rows.append({
                    "metric": metric, "case_type": case_type, "scenario": scenario,
                    "baseline": baseline, "reps": len(paired),
                    "value": float(np.mean(values)) if len(values) else math.nan,
                    "value_hw": t_halfwidth(values, confidence),
                    "diff": diff, "diff_lo": lo, "diff_hi": hi,
                    "significant": bool(lo > 0 or hi < 0) if not math.isnan(lo) else False,
                })
    return pd.DataFrame(rows, columns=COLUMNS)


def _paired(pairs: np.ndarray, confidence: float, same: bool) -> tuple[float, float, float]:
    if same:
        return 0.0, 0.0, 0.0
    if len(pairs) == 0:
        return math.nan, math.nan, math.nan
    a, b = pairs[:, 0], pairs[:, 1]
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if len(a) == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return math.nan, math.nan, math.nan
    if len(a) == 1:
        return float(b[0] - a[0]), math.nan, math.nan
    return t_interval(b - a, confidence)
