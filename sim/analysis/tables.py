"""Per-street and per-department tables (``streets.csv``, ``departments.csv``), ranked the way
the district's assessment (考核) ranks its units.

Beijing's hotline assessment (接诉即办考评) publishes its rates per street and per department
every month and ranks the units by them. These tables give, per scenario and unit, over the
cases reported after the warm-up:

- ``n``: cases per replication (the unit's volume);
- ``response_rate``, ``resolution_rate``, ``satisfaction_rate``, ``reopen_rate``: the hotline
  measures of ``sim.analysis.measures``;
- ``mean_h``, ``p90_h``, ``deadline_met_share``: response time (report to real resolution) and
  the share within deadline, as in ``summary.csv`` (censored cases infinitely long in p90);
- ``bounces_per_case``: mean ``bounces`` of the unit's cases;
- ``utilisation``: staff-hours busy over staff-hours open in the observation window, summed over
  the unit's staff pools (pools without a headcount limit have no open hours and are left out);

each a mean over replications with its Student-t half-width ``<metric>_hw``, and ``rank``: 1 for
the highest ``rank_by`` (the resolution rate by default) within the scenario, ties sharing the
best rank. A row ``ALL`` gives the whole district (unranked). A rank says nothing about whether
two units really differ: read the half-widths before reading the order.

A case counts for its street, and for **every** department its case type needs: a joint case
of two departments is in both departments' rows (their ``n`` add up to more than the district's).
Its bounces count for each of them too, since the case table does not record which department
bounced it. A department's utilisation covers its central pool, its stationed teams and its
on-call pool; an integrated centre pools several departments and is in no department's row
(it is in its street's). A street's utilisation covers every pool located in the street: its
dispatchers, its own staff, stationed teams and centre.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sim.analysis.measures import (
    SatisfactionModel,
    case_indicators,
    counted,
    rates_by,
)
from sim.analysis.run_end import EndTime
from sim.analysis.summary import ALL, replication_metrics, summarise

UNIT_METRICS = ["n", "response_rate", "resolution_rate", "satisfaction_rate", "reopen_rate",
                "mean_h", "p90_h", "deadline_met_share", "bounces_per_case", "utilisation"]
UNIT_METRIC_LABELS = {
    "n": "cases", "response_rate": "response rate", "resolution_rate": "resolution rate",
    "satisfaction_rate": "satisfaction rate (assumed model)", "reopen_rate": "reopen rate",
    "mean_h": "mean response time (h)", "p90_h": "p90 response time (h)",
    "deadline_met_share": "share within deadline", "bounces_per_case": "bounces per case",
    "utilisation": "utilisation",
}
KEYS = ["scenario", "replication"]


def street_per_replication(cases: pd.DataFrame, pools: pd.DataFrame | None = None,
                           satisfaction: SatisfactionModel | None = None,
                           end_time: EndTime = None) -> pd.DataFrame:
    """Per (scenario, replication, street), and ``ALL``: the ``UNIT_METRICS``."""
    data = counted(cases)
    rows = _unit_rows(data, _indicators(data, satisfaction, end_time), "street")
    return _with_utilisation(rows, pools, "street", units=None)


def street_table(cases: pd.DataFrame, pools: pd.DataFrame | None = None,
                 satisfaction: SatisfactionModel | None = None, end_time: EndTime = None,
                 confidence: float = 0.95, rank_by: str = "resolution_rate") -> pd.DataFrame:
    """``streets.csv``: per scenario and street (and ``ALL``), see the module docstring."""
    per_rep = street_per_replication(cases, pools, satisfaction, end_time)
    return _ranked(summarise(per_rep, confidence, "street", UNIT_METRICS), "street", rank_by)


def department_per_replication(cases: pd.DataFrame, pools: pd.DataFrame | None,
                               departments: Mapping[str, Iterable[str]],
                               satisfaction: SatisfactionModel | None = None,
                               end_time: EndTime = None) -> pd.DataFrame:
    """Per (scenario, replication, department), and ``ALL``: the ``UNIT_METRICS``.

    ``departments`` maps each case type to the departments it needs (``{"parking": ["um"]}``);
    a type needing none counts only in ``ALL``. Every case type of ``cases`` must be a key.
    """
    data = counted(cases)
    missing = sorted(set(data["case_type"].astype(str)) - {str(k) for k in departments})
    if missing:
        raise ValueError(f"case types missing from the department mapping: {missing}")
    indicators = _indicators(data, satisfaction, end_time)
    needs: dict[str, list[str]] = {}
    for case_type, names in departments.items():
        for name in names:
            needs.setdefault(str(name), []).append(case_type)
    base = [c for c in ("scenario", "replication", "t_report", "in_warmup", "response_h",
                        "resolved", "deadline_met") if c in data.columns]
    joined = data[base].join(indicators)
    # One row per (case, department it needs): each department's cases, stacked.
    exploded = pd.concat(
        [joined[data["case_type"].isin(types).to_numpy()].assign(department=name)
         for name, types in needs.items()] or [joined.iloc[:0].assign(department="")],
        ignore_index=True)
    per_dept = _unit_rows(exploded[[*base, "department"]], exploded[indicators.columns],
                          "department")
    per_dept = per_dept[per_dept["department"] != ALL]
    # The district counts each case once.
    whole = _unit_rows(data, indicators, "case_type")
    whole = whole[whole["case_type"] == ALL].rename(columns={"case_type": "department"})
    rows = pd.concat([whole, per_dept], ignore_index=True).sort_values(KEYS, kind="stable")
    units = set(needs)
    return _with_utilisation(rows.reset_index(drop=True), pools, "department", units)


def department_table(cases: pd.DataFrame, pools: pd.DataFrame | None,
                     departments: Mapping[str, Iterable[str]],
                     satisfaction: SatisfactionModel | None = None, end_time: EndTime = None,
                     confidence: float = 0.95, rank_by: str = "resolution_rate"
                     ) -> pd.DataFrame:
    """``departments.csv``: per scenario and department (and ``ALL``), see the module
    docstring and ``department_per_replication``."""
    per_rep = department_per_replication(cases, pools, departments, satisfaction, end_time)
    return _ranked(summarise(per_rep, confidence, "department", UNIT_METRICS), "department",
                   rank_by)


def _indicators(data: pd.DataFrame, satisfaction: SatisfactionModel | None,
                end_time: EndTime) -> pd.DataFrame:
    return case_indicators(data, satisfaction, end_time).assign(
        bounces_per_case=data["bounces"].to_numpy(dtype=float))


def _unit_rows(data: pd.DataFrame, indicators: pd.DataFrame, by: str) -> pd.DataFrame:
    """Rates, bounces and response-time figures per run and ``by`` (and ALL)."""
    columns = [*KEYS, by, *[m for m in UNIT_METRICS if m != "utilisation"]]
    if data.empty:
        return pd.DataFrame(columns=columns)
    rates = rates_by(data, indicators, by)
    times = replication_metrics(data, by)[[*KEYS, by, "mean_h", "p90_h", "deadline_met_share"]]
    times = times.assign(scenario=times["scenario"].astype(str))
    return rates.merge(times, on=[*KEYS, by], how="left")[columns]


def _with_utilisation(rows: pd.DataFrame, pools: pd.DataFrame | None, by: str,
                      units: set[str] | None) -> pd.DataFrame:
    """``rows`` with the ``utilisation`` of each run's ``by`` unit (and ALL) from ``pools``;
    ``units`` restricts the pools counted (None: every pool with a non-empty ``by``)."""
    if pools is None or pools.empty or rows.empty:
        return rows.assign(utilisation=np.nan)
    unit = pools[by].fillna("").astype(str)
    keep = (unit != "") & np.isfinite(pools["open_hours"].to_numpy(dtype=float))
    if units is not None:
        keep &= unit.isin(units)
    p = pd.DataFrame({
        "scenario": pools["scenario"].astype(str) if "scenario" in pools.columns else "",
        "replication": pools["replication"], by: unit,
        "busy": pools["busy_hours"].astype(float), "open": pools["open_hours"].astype(float),
    })[keep]
    parts = [p.groupby(KEYS)[["busy", "open"]].sum().reset_index().assign(**{by: ALL}),
             p.groupby([*KEYS, by])[["busy", "open"]].sum().reset_index()]
    hours = pd.concat(parts, ignore_index=True)
    hours["utilisation"] = hours["busy"] / hours["open"].where(hours["open"] > 0)
    hours = hours.astype({"replication": rows["replication"].dtype})
    rows = rows.assign(scenario=rows["scenario"].astype(str))
    return rows.merge(hours[[*KEYS, by, "utilisation"]], on=[*KEYS, by], how="left")


def _ranked(summary: pd.DataFrame, by: str, rank_by: str) -> pd.DataFrame:
    """``summary`` with ``rank`` (1 = highest ``rank_by`` within its scenario; ALL unranked)."""
    units = summary[by] != ALL
    rank = summary[rank_by].where(units).groupby(summary["scenario"]).rank(
        ascending=False, method="min")
    return summary.assign(rank=rank.astype("Int64"))
