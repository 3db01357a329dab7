"""A case log made by govsim itself: a run's cases written as a city would export them.

A synthetic log has a known truth (the scenario that made it), so it is what shows that
``govsim calibrate fit`` recovers parameters. Each case reported in the window becomes a row:
``created`` is its report time, ``closed`` its first closure if that came before the export time
(else NaT: open at export, censored), and ``case_type``, ``street`` and ``department`` are the
labels of its type, street and first department (the name where there is no label), as a log
built into a scenario by ``calibrate build`` would name them (``Grouping.from_scenario``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.check import department_of_types
from sim.calibration.log import CaseLog
from sim.model.replication import run_replication
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.schema import Scenario

MONDAY = pd.Timestamp("2024-01-01")
"""A Monday at 00:00: the date a synthetic run's hour 0 is given (the model's hour 0 is a
Monday at 00:00)."""
HOUR = pd.Timedelta(hours=1)


def _labels(block) -> dict[str, str]:
    return {k: (getattr(v, "label", "") or k) for k, v in block.items()}


def case_log_from_run(cases: pd.DataFrame, scenario: Scenario, start_h: float, end_h: float,
                      export_h: float, source: str = "govsim") -> CaseLog:
    """The log of the cases of ``cases`` (one replication) reported in ``[start_h, end_h)``,
    exported at ``export_h`` (hours of the run; hour 0 is ``MONDAY``)."""
    reported = cases["t_report"].to_numpy(dtype=float)
    cut = cases.loc[(reported >= start_h) & (reported < end_h)]
    created = cut["t_report"].to_numpy(dtype=float)
    closed = cut["t_closed"].to_numpy(dtype=float)
    closed = np.where(closed <= export_h, closed, np.nan)   # later closures: not seen yet
    types = cut["case_type"].astype(str)
    units = _labels(scenario.departments) | {"street": "street"}
    frame = pd.DataFrame({
        "created": MONDAY + pd.to_timedelta(created, unit="h"),
        "closed": MONDAY + pd.to_timedelta(closed, unit="h"),
        "case_type": types.map(_labels(scenario.case_types)).to_numpy(),
        "street": cut["street"].astype(str).map(_labels(scenario.streets)).to_numpy(),
        "department": types.map(department_of_types(scenario)).map(units).to_numpy(),
    }).sort_values("created", kind="stable").reset_index(drop=True)
    return CaseLog(frame, MONDAY + export_h * HOUR, source)


def synthetic_log(scenario: Scenario, seed: int, start_h: float, end_h: float,
                  export_h: float) -> CaseLog:
    """Run ``scenario`` once (replication 0 of ``seed``): cases occur until ``end_h``, the run
    goes on to ``export_h``; the log of the cases reported from ``start_h``."""
    data = resolved_dict(scenario)
    data["simulation"] = {**data["simulation"], "horizon": end_h, "warmup": start_h,
                          "drain_limit": export_h - end_h}
    run = run_replication(scenario_from_dict(data, source=scenario.name), seed, 0)
    return case_log_from_run(run.cases, scenario, start_h, end_h, export_h,
                             source=f"govsim {scenario.name!r} seed {seed}")
