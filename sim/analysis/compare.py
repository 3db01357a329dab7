"""Paired comparisons of scenarios run on common random numbers.

Scenarios run with the same seed see the same cases in replication ``r``, so the difference of a
metric between two scenarios *within* a replication is mostly the policy's effect, and the noise
shared by both runs cancels. The comparison therefore takes, per replication, the difference
``scenario − first scenario`` and puts a Student-t interval on the mean of those differences
(a paired interval). Each scenario's own value comes with its usual t half-width.

The result is a long table, one row per (metric, case type, scenario): the ``comparison.csv`` of
``govsim compare`` and the return value of ``sim.comparison_table``.

Several comparisons at once (scenarios x metrics) each have a 5% chance of a false
'significant' at 95%: with ``adjust="holm"`` or ``"bonferroni"`` the p-values of the paired
t-tests of one case type are adjusted together (``sim.analysis.stats``), so that the chance of
any false 'significant' among them (the family-wise error) is at most 1 - confidence.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.stats import (
    adjust_pvalues,
    bonferroni_level,
    paired_t_pvalue,
    t_halfwidth,
    t_interval,
)
from sim.analysis.summary import ALL, METRICS

COMPARED_METRICS = [m for m in METRICS if m != "n"]
"""Metrics compared between scenarios (``n``, the number of cases, is a count of inputs)."""

COLUMNS = ["metric", "case_type", "scenario", "baseline", "reps", "value", "value_hw", "diff",
           "diff_lo", "diff_hi", "significant", "p_value"]
ADJUSTED_COLUMNS = ["adjust", "family_size", "p_adjusted", "significant_adjusted"]
"""Added by an adjustment (``diff_lo_adjusted`` and ``diff_hi_adjusted`` too for Bonferroni,
whose simultaneous intervals exist; Holm's step-down has none)."""


def comparison_table(per_rep: pd.DataFrame, confidence: float = 0.95,
                     baseline: str | None = None,
                     metrics: list[str] | None = None, adjust: str = "none") -> pd.DataFrame:
    """Each scenario's value and the paired difference to ``baseline`` (default: the first).

    ``per_rep`` has one row per (scenario, replication, case_type) with metric columns, as
    ``sim.summary.replication_metrics`` returns. Replications are paired by their index; a
    replication missing from either scenario is left out of that pair's difference.

    Columns: ``metric, case_type, scenario, baseline, reps`` (paired replications),
    ``value, value_hw`` (mean over replications and CI half-width), ``diff, diff_lo, diff_hi``
    (mean paired difference ``scenario − baseline`` and its CI; exactly 0 for the baseline
    itself) and ``significant`` (the CI excludes 0). A difference involving an infinite value
    (a quantile beyond the share of resolved cases) is NaN: it cannot be estimated.
    ``p_value``: two-sided paired t-test of a zero difference (NaN where there is nothing to
    test: the baseline itself, one replication, or a difference of 0 in every replication).

    ``adjust`` (``holm`` or ``bonferroni``) adjusts the p-values of each case type's
    comparisons together (its family: every scenario but the baseline, every metric with a
    p-value) and adds ``ADJUSTED_COLUMNS``; ``significant_adjusted`` is ``p_adjusted < 1 -
    confidence``. Bonferroni also gives each interval at level ``1 - (1 - confidence) / m``
    (``diff_lo_adjusted``, ``diff_hi_adjusted``): all ``m`` cover together at ``confidence``.
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
    rows, differences = [], []
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
                same = scenario == baseline
                d = _differences(paired, same)
                diff, lo, hi = _paired(d, same, confidence)
                differences.append(d)
                rows.append({
                    "metric": metric, "case_type": case_type, "scenario": scenario,
                    "baseline": baseline, "reps": len(paired),
                    "value": float(np.mean(values)) if len(values) else math.nan,
                    "value_hw": t_halfwidth(values, confidence),
                    "diff": diff, "diff_lo": lo, "diff_hi": hi,
                    "significant": bool(lo > 0 or hi < 0) if not math.isnan(lo) else False,
                    "p_value": paired_t_pvalue(d) if d is not None else math.nan,
                })
    table = pd.DataFrame(rows, columns=COLUMNS)
    if adjust != "none":
        table = _adjusted(table, differences, adjust, confidence)
    return table


def _differences(pairs: np.ndarray, same: bool) -> np.ndarray | None:
    """The paired differences ``b - a`` of the finite pairs, or None where there is no
    difference to estimate (the baseline itself, no pairs, an infinite value)."""
    if same or len(pairs) == 0:
        return None
    a, b = pairs[:, 0], pairs[:, 1]
    ok = ~(np.isnan(a) | np.isnan(b))
    a, b = a[ok], b[ok]
    if len(a) == 0 or not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return None
    return b - a


def _paired(d: np.ndarray | None, same: bool, confidence: float
            ) -> tuple[float, float, float]:
    if same:
        return 0.0, 0.0, 0.0
    if d is None:
        return math.nan, math.nan, math.nan
    if len(d) == 1:
        return float(d[0]), math.nan, math.nan
    return t_interval(d, confidence)


def _adjusted(table: pd.DataFrame, differences: list, method: str,
              confidence: float) -> pd.DataFrame:
    """``table`` with the ``ADJUSTED_COLUMNS``, each case type's comparisons one family."""
    table = table.assign(adjust=method, family_size=0, p_adjusted=math.nan,
                         significant_adjusted=False)
    if method == "bonferroni":
        table = table.assign(diff_lo_adjusted=math.nan, diff_hi_adjusted=math.nan)
    alpha = 1 - confidence
    for _, family in table.groupby("case_type", sort=False):
        tested = family.index[family["p_value"].notna()]
        m = len(tested)
        if m == 0:
            continue
        adjusted = adjust_pvalues(table.loc[tested, "p_value"].to_numpy(), method)
        table.loc[tested, "family_size"] = m
        table.loc[tested, "p_adjusted"] = adjusted
        table.loc[tested, "significant_adjusted"] = adjusted < alpha
        if method == "bonferroni":
            level = bonferroni_level(confidence, m)
            for index in tested:
                _, lo, hi = t_interval(differences[index], level)
                table.loc[index, ["diff_lo_adjusted", "diff_hi_adjusted"]] = lo, hi
    return table
