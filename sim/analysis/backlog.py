"""Backlog over time: how many problems are open, day by day.

A case is open from its report (``t_report``) until the problem is really solved
(``t_resolved``), or until the end of the run if it never was; a problem never reported is not
in the backlog. Warm-up cases are included: the backlog shows the warm-up's transient.

Day ``k`` covers ``[k·day, (k+1)·day)`` hours from the start of the run, and its backlog is the
**time-average** number of open cases over that day: the integral of the open count over the
day, divided by ``day``. The days' backlogs times ``day`` therefore add up exactly to the sum of
every case's open duration (the area under the backlog curve), and a day on which nothing
changes shows the same number as a snapshot would.

The integral needs no loop over cases: with ``N(t)`` the open count,
``∫₀ˣ N = Σᵢ (min(x, endᵢ) − min(x, startᵢ))``, and ``Σᵢ min(x, tᵢ)`` at every day boundary
``x`` comes from the sorted times, their cumulative sums and ``searchsorted``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.run_end import EndTime, run_ends, run_keys
from sim.analysis.stats import t_halfwidth


def backlog_per_replication(cases: pd.DataFrame, day: float = 24.0,
                            end_time: EndTime = None) -> pd.DataFrame:
    """Columns ``scenario, replication, day, open``: the time-average open cases of each day of
    each run (see the module docstring). ``end_time`` is the run's end (``sim.analysis.run_end``);
    a run's days go up to its end."""
    if day <= 0:
        raise ValueError(f"day must be a positive number of hours, got {day!r}")
    columns = ["scenario", "replication", "day", "open"]
    data = cases[cases["t_report"].notna()]
    if data.empty:
        return pd.DataFrame(columns=columns)
    run_end = run_ends(data, end_time)
    start = data["t_report"].to_numpy(dtype=float)
    # fmin: the run's end where never resolved. The maximum keeps an inconsistent record (an
    # end before its start) at zero open time rather than a negative one.
    end = np.maximum(np.fmin(data["t_resolved"].to_numpy(dtype=float), run_end), start)
    frame = pd.DataFrame({"start": start, "end": end, "run_end": run_end}, index=data.index)
    frame["scenario"] = data["scenario"].astype(str) if "scenario" in data.columns else ""
    frame["replication"] = data["replication"].to_numpy()
    parts = []
    for (scenario, replication), g in frame.groupby(run_keys(frame), sort=True):
        horizon = max(float(g["run_end"].iloc[0]), float(g["end"].max()))
        days = max(1, int(np.ceil(horizon / day)))
        area = np.diff(_area_up_to(g["end"].to_numpy(), g["start"].to_numpy(),
                                   day * np.arange(days + 1)))
        # A day with nothing open is a difference of two equal large sums: rounding may leave
        # a few ulps below zero, which are not open cases.
        area = np.maximum(area, 0.0)
        parts.append(pd.DataFrame({"scenario": scenario, "replication": replication,
                                   "day": np.arange(days), "open": area / day}))
    return pd.concat(parts, ignore_index=True)[columns]


def backlog(cases: pd.DataFrame, day: float = 24.0, end_time: EndTime = None,
            confidence: float = 0.95) -> pd.DataFrame:
    """Columns ``scenario, day, open_mean, open_hw``: the mean backlog of each day across
    replications and its Student-t half-width.

    Replications that ended earlier (every case solved) count 0 open cases on the later days of
    the longest one: nothing was open then.
    """
    per_rep = backlog_per_replication(cases, day, end_time)
    columns = ["scenario", "day", "open_mean", "open_hw"]
    if per_rep.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for scenario, g in per_rep.groupby("scenario", sort=True):
        # Runs x days, zero after a run's own end.
        table = g.pivot(index="replication", columns="day", values="open").fillna(0.0)
        values = table.to_numpy(dtype=float)
        rows.append(pd.DataFrame({
            "scenario": scenario, "day": table.columns.to_numpy(),
            "open_mean": values.mean(axis=0),
            "open_hw": [t_halfwidth(values[:, k], confidence) for k in range(values.shape[1])],
        }))
    return pd.concat(rows, ignore_index=True)[columns]


def _area_up_to(ends: np.ndarray, starts: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``∫₀ˣ N(t) dt`` at every ``x``, with N the number of intervals [start, end) open."""
    return _sum_min(ends, x) - _sum_min(starts, x)


def _sum_min(times: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``Σᵢ min(x, timesᵢ)`` at every ``x``: the times below ``x`` add up, the rest give ``x``."""
    ordered = np.sort(times)
    below = np.searchsorted(ordered, x, side="left")
    prefix = np.concatenate([[0.0], np.cumsum(ordered)])
    return prefix[below] + x * (len(ordered) - below)
