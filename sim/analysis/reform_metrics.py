"""Whistle-and-report: did the departments report on site within the deadline?

Under whistle-and-report (街乡吹哨、部门报到) every summoned department must have a team on site
within ``report_within`` of the whistle (30 minutes in the Pinggu pilot). This module turns the
``visits`` table of a run (one row per team asked to a case: ``t_request``, when it was asked,
which for a whistled case is the moment of the whistle, and ``t_onsite``, NaN if it never got
there) into ``reports.csv``:

- one row per department: ``summoned`` (whistled team visits per replication), ``on_time_share``
  (on site within the deadline; a team that never arrived is late), and the mean, p50 and p90 of
  the report time ``t_onsite - t_request`` (a team that never arrived counts as infinitely late
  in the quantiles, and is left out of the mean);
- a row ``ALL`` per whistled case: its first whistle counts as on site within the deadline when
  every department it summoned was on site in time.

Each figure is computed per replication, then averaged, with a Student-t half-width
(``<metric>_hw``) across replications. Cases reported during the warm-up are left out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.stats import t_halfwidth

ALL = "ALL"
REPORT_METRICS = ["summoned", "on_time_share", "mean_report_h", "p50_report_h", "p90_report_h"]


def _metrics(report_h: np.ndarray, within: float) -> dict:
    arrived = ~np.isnan(report_h)
    late_inf = np.where(arrived, report_h, np.inf)
    q = np.quantile(late_inf, [0.5, 0.9], method="inverted_cdf")
    return {
        "summoned": len(report_h),
        "on_time_share": float(np.mean(arrived & (report_h <= within))),
        "mean_report_h": float(report_h[arrived].mean()) if arrived.any() else np.nan,
        "p50_report_h": float(q[0]), "p90_report_h": float(q[1]),
    }


def report_metrics(visits: pd.DataFrame, cases: pd.DataFrame, report_within: float
                   ) -> pd.DataFrame:
    """Per replication and department (and ``ALL``, per case): the report figures."""
    columns = ["scenario", "replication", "department", *REPORT_METRICS]
    if visits.empty or not visits["whistled"].any():
        return pd.DataFrame(columns=columns)
    counted = cases.loc[~cases["in_warmup"].astype(bool), ["replication", "case_id"]]
    v = visits[visits["whistled"].astype(bool)].merge(counted, on=["replication", "case_id"])
    v = v.assign(report_h=v["t_onsite"] - v["t_request"])
    rows = []
    for (scenario, rep), g in v.groupby(["scenario", "replication"], observed=True, sort=True):
        # Per case: the teams of its first whistle, all on site in time.
        first = g[g["t_request"] == g.groupby("case_id")["t_request"].transform("min")]
        worst = first.assign(report_h=first["report_h"].fillna(np.inf)).groupby(
            "case_id")["report_h"].max().to_numpy()
        worst = np.where(np.isinf(worst), np.nan, worst)
        rows.append({"scenario": scenario, "replication": rep, "department": ALL}
                    | _metrics(worst, report_within))
        for dept, d in g.groupby("department", observed=True, sort=True):
            rows.append({"scenario": scenario, "replication": rep, "department": dept}
                        | _metrics(d["report_h"].to_numpy(dtype=float), report_within))
    return pd.DataFrame(rows, columns=columns)


def report_summary(visits: pd.DataFrame, cases: pd.DataFrame, report_within: float,
                   confidence: float = 0.95) -> pd.DataFrame:
    """``reports.csv``: the report figures averaged over replications, with half-widths.

    A department summoned in only some replications counts 0 summoned (and no shares) in the
    others.
    """
    per_rep = report_metrics(visits, cases, report_within)
    if per_rep.empty:
        return pd.DataFrame(columns=["scenario", "department", "reps", "report_within_h",
                                     *[c for m in REPORT_METRICS for c in (m, f"{m}_hw")]])
    reps = cases["replication"].nunique()
    rows = []
    for (scenario, dept), g in per_rep.groupby(["scenario", "department"], sort=False):
        row = {"scenario": scenario, "department": dept, "reps": reps,
               "report_within_h": report_within}
        for m in REPORT_METRICS:
            values = g[m].to_numpy(dtype=float)
            if m == "summoned":  # replications where nobody was summoned count as 0
                values = np.concatenate([values, np.zeros(max(0, reps - len(values)))])
            row[m] = float(np.mean(values))
            row[f"{m}_hw"] = t_halfwidth(values, confidence)
        rows.append(row)
    out = pd.DataFrame(rows)
    key = out["department"].map(lambda d: "" if d == ALL else d)
    return out.assign(_k=key).sort_values(["scenario", "_k"], kind="stable").drop(
        columns="_k").reset_index(drop=True)
