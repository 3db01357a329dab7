"""A case log made by govsim itself: a run's cases written as a city would export them.

A synthetic log has a known truth (the scenario that made it), so it is what shows that
``govsim calibrate fit`` recovers parameters, and what ``check`` can be tested on. Each reported
case of the window becomes a row: ``created`` is its report time, ``closed`` its first closure
if that came before the export time (else NaT: open at export, censored), ``department`` the
unit a log lists as owner (``sim.calibration.period.first_departments``), ``street`` and
``case_type`` as in the run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.calibration.log import CaseLog
from sim.calibration.period import HOUR, first_departments
from sim.model.replication import run_replication
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.schema import Scenario

DEFAULT_ORIGIN = pd.Timestamp("2024-01-01")
"""A Monday at 00:00: the date a synthetic run's hour 0 is given."""


def case_log_from_run(cases: pd.DataFrame, scenario: Scenario, start_h: float, end_h: float,
                      export_h: float, origin: pd.Timestamp = DEFAULT_ORIGIN,
                      source: str = "govsim") -> CaseLog:
    """The log of the cases of ``cases`` (one replication) reported in ``[start_h, end_h)``,
    exported at ``export_h`` (hours of the run, hour 0 being ``origin``)."""
    if pd.Timestamp(origin).dayofweek != 0 or pd.Timestamp(origin) != pd.Timestamp(
            origin).normalize():
        raise ValueError(f"origin must be a Monday at 00:00 (the run's hour 0), got {origin}")
    reported = cases["t_report"].to_numpy(dtype=float)
    cut = cases.loc[(reported >= start_h) & (reported < end_h)]
    created = cut["t_report"].to_numpy(dtype=float)
    closed = cut["t_closed"].to_numpy(dtype=float)
    closed = np.where(closed <= export_h, closed, np.nan)   # later closures: not seen yet
    frame = pd.DataFrame({
        "created": origin + pd.to_timedelta(created, unit="h"),
        "closed": origin + pd.to_timedelta(closed, unit="h"),
        "case_type": cut["case_type"].astype(str).to_numpy(),
        "street": cut["street"].astype(str).to_numpy(),
        "department": cut["case_type"].map(first_departments(scenario)).astype(str).to_numpy(),
    }).sort_values("created", kind="stable").reset_index(drop=True)
    return CaseLog(frame, pd.Timestamp(origin) + export_h * HOUR, source)


def synthetic_log(scenario: Scenario, seed: int, start_h: float, end_h: float,
                  export_h: float, origin: pd.Timestamp = DEFAULT_ORIGIN) -> CaseLog:
    """Run ``scenario`` once (replication 0 of ``seed``) and export its log: cases occur until
    ``end_h`` and the run goes on to ``export_h``."""
    data = resolved_dict(scenario)
    data["simulation"] = {**data["simulation"], "horizon": end_h, "warmup": start_h,
                          "drain_limit": export_h - end_h}
    run = run_replication(scenario_from_dict(data, source=scenario.name), seed, 0)
    return case_log_from_run(run.cases, scenario, start_h, end_h, export_h, origin,
                             source=f"govsim {scenario.name!r} seed {seed}")
