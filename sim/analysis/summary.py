"""Per-replication metrics of response time, and their summary across replications.

Statistics are computed per replication first, then across replications with Student-t
intervals, so each replication is one independent observation. Cases reported during the warm-up
are left out. A case still open at the end (censored) counts as an infinitely long response in
the quantiles (so a p90 is honest as long as fewer than 10% are censored, and infinite
otherwise); the mean is over resolved cases and comes with the censored count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.metric_names import METRICS
from sim.analysis.stats import t_halfwidth

METRIC_LABELS = {
    "n": "cases", "resolved_share": "share resolved", "deadline_met_share": "share within deadline",
    "mean_h": "mean response time (h)", "p50_h": "median response time (h)",
    "p90_h": "p90 response time (h)", "p95_h": "p95 response time (h)",
    "censored": "censored cases",
}
ALL = "ALL"


def _metrics(group: pd.DataFrame) -> dict:
    response = group["response_h"].to_numpy(dtype=float)
    resolved = group["resolved"].to_numpy(dtype=bool)
    n = len(group)
    if n == 0:
        return dict.fromkeys(METRICS, np.nan) | {"n": 0, "censored": 0}
    with_inf = np.where(resolved, response, np.inf)
    q = np.quantile(with_inf, [0.5, 0.9, 0.95], method="inverted_cdf")
    met = group["deadline_met"]
    known = met.notna()
    return {
        "n": n,
        "resolved_share": resolved.mean(),
        "deadline_met_share": float(met[known].astype(bool).mean()) if known.any() else np.nan,
        "mean_h": float(response[resolved].mean()) if resolved.any() else np.nan,
        "p50_h": float(q[0]), "p90_h": float(q[1]), "p95_h": float(q[2]),
        "censored": int(n - resolved.sum()),
    }


def replication_metrics(cases: pd.DataFrame, by: str = "case_type") -> pd.DataFrame:
    """One row per (scenario, replication, group), ``ALL`` included, with the METRICS."""
    data = cases[cases["t_report"].notna() & ~cases["in_warmup"].astype(bool)]
    has_scenario = "scenario" in data.columns
    rows = []
    keys = ["scenario", "replication"] if has_scenario else ["replication"]
    for key, group in data.groupby(keys, observed=True, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        base = dict(zip(keys, key, strict=True))
        rows.append(base | {by: ALL} | _metrics(group))
        for value, sub in group.groupby(by, observed=True, sort=True):
            rows.append(base | {by: value} | _metrics(sub))
    out = pd.DataFrame(rows, columns=[*keys, by, *METRICS])
    if not has_scenario:
        out.insert(0, "scenario", "")
    out[by] = out[by].astype(str)
    return out


def summarise(per_rep: pd.DataFrame, confidence: float = 0.95, by: str = "case_type",
              metrics: list[str] | None = None) -> pd.DataFrame:
    """Mean and CI half-width (``<metric>_hw``) of every metric across replications.

    ``metrics`` defaults to ``METRICS``; other per-replication tables (the hotline measures,
    the street and department tables) name their own.
    """
    metrics = METRICS if metrics is None else metrics
    rows = []
    for (scenario, group_value), g in per_rep.groupby(["scenario", by], sort=False):
        row = {"scenario": scenario, by: group_value, "reps": g["replication"].nunique()}
        for m in metrics:
            values = g[m].to_numpy(dtype=float)
            row[m] = float(np.mean(values)) if len(values) else np.nan
            row[f"{m}_hw"] = t_halfwidth(values, confidence)
        rows.append(row)
    columns = ["scenario", by, "reps", *[c for m in metrics for c in (m, f"{m}_hw")]]
    if not rows:  # no case at all (zero arrivals): an empty table that still has its columns
        return pd.DataFrame(columns=columns)
    out = pd.DataFrame(rows)
    order = {ALL: ""}
    out["_k"] = out[by].map(lambda v: order.get(v, v))
    return out.sort_values(["scenario", "_k"], kind="stable").drop(columns="_k").reset_index(
        drop=True)


def summary_table(cases: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """The ``summary.csv`` of a run: per scenario and case type (and ALL)."""
    return summarise(replication_metrics(cases), confidence)
