"""When did each replication's run end? Needed to judge cases still open at the end.

A case with no team on site by the end of the run has either missed its response deadline (the
end came after the deadline) or could still have met it (the run stopped first). A case never
resolved stays open until the end. Both need the run's end, which the case table does not
carry: the runner records it per replication (``Replication.end_time``, and ``end_time`` in each
replication's ``rep-NNNNN.json`` of a workspace).

``run_ends`` gives one end per case row. Without a recorded end it takes the latest timestamp
in the replication: a lower bound of the true end (a run stopped at its drain limit may have
run on after its last event), so an inferred end can only make an open case look younger than
it was, never older.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

TIMESTAMPS = ["t_occur", "t_report", "t_dispatch", "t_whistle", "t_onsite", "t_resolved",
              "t_closed"]

EndTime = float | Mapping[int, float] | Mapping[tuple[str, int], float] | None
"""A run's end in hours: one for every replication, a mapping ``{replication: end}`` or
``{(scenario, replication): end}``, or None to infer it from the case table."""


def run_keys(cases: pd.DataFrame) -> list[str]:
    """The columns that identify one run: scenario (when present) and replication."""
    return ["scenario", "replication"] if "scenario" in cases.columns else ["replication"]


def run_ends(cases: pd.DataFrame, end_time: EndTime = None) -> np.ndarray:
    """The end of the run of every row of ``cases``, in hours (see the module docstring)."""
    n = len(cases)
    if n == 0:
        return np.zeros(0)
    if isinstance(end_time, int | float):
        return np.full(n, float(end_time))
    keys = run_keys(cases)
    grouped = cases.groupby(keys, observed=True, sort=True)
    code = grouped.ngroup().to_numpy()
    if end_time is None:
        present = [c for c in TIMESTAMPS if c in cases.columns]
        latest = grouped[present].max().max(axis=1).fillna(0.0)
        return latest.to_numpy(dtype=float)[code]
    per_run = []
    for key in grouped.size().index:     # one entry per run, in ngroup's order
        key = key if isinstance(key, tuple) else (key,)
        scenario, replication = (str(key[0]), int(key[1])) if len(key) == 2 else ("", int(key[0]))
        if (scenario, replication) in end_time:
            per_run.append(float(end_time[(scenario, replication)]))
        elif replication in end_time:
            per_run.append(float(end_time[replication]))
        else:
            raise ValueError(f"no run end given for scenario {scenario!r}, replication "
                             f"{replication}")
    return np.asarray(per_run, dtype=float)[code]
