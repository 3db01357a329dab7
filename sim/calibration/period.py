"""A log's period on the simulator's clock, and a run's cases read as that log would show them.

The simulator counts hours from a Monday at 00:00 (docs/model.md); a log has dates. A
``SimulatedPeriod`` places the log on that clock: the run starts on the Monday at 00:00 at or
before ``warm-up`` ahead of the log's first day, so that weekdays and hours of day line up and
the queues are already loaded when the log's window opens. The run's cases are then cut and
censored exactly as the log was:

- a case belongs to the log when it was reported (``t_report``, the log's ``created``) inside
  the window ``[start_h, end_h)``;
- it is closed when its first closure came before the export time, and **censored** (open at
  export) otherwise: the simulator's later closures are unknown to the log, as they were to the
  real one.

So simulated and observed close times are censored by the same export time, and their
distributions can be compared directly (``sim.calibration.distance``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calibration.log import CaseLog
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.schema import Scenario

HOUR = pd.Timedelta(hours=1)
STREET_UNIT = "street"
"""The unit a log names for a case type that needs no department: the street handles it."""

SIMULATED_COLUMNS = ("department", "close_h", "censored", "observed_h")
"""A simulated log: the first department, the close time (NaN while open at export), whether it
was open at export, and the hours known (the close time, or the hours open at export)."""


@dataclass(frozen=True)
class SimulatedPeriod:
    """A log's window and export time in hours of a run that starts at ``origin``."""

    origin: pd.Timestamp
    start_h: float
    end_h: float
    export_h: float

    @classmethod
    def of(cls, log: CaseLog, warmup_h: float) -> SimulatedPeriod:
        """The period of ``log`` with at least ``warmup_h`` hours of run before its first
        case, started on a Monday at 00:00."""
        created = log.cases["created"]
        first = created.min()
        # the window ends at the end of the day of the last case: a log covers whole days
        last_day = created.max().normalize() + pd.Timedelta(days=1)
        begin = (first - pd.Timedelta(hours=warmup_h)).normalize()
        origin = begin - pd.Timedelta(days=begin.dayofweek)   # Monday 00:00
        export = max(pd.Timestamp(log.export_time), last_day)
        return cls(origin=origin,
                   start_h=(first.normalize() - origin) / HOUR,
                   end_h=(last_day - origin) / HOUR,
                   export_h=(export - origin) / HOUR)

    def hours(self, when: pd.Series) -> np.ndarray:
        """Timestamps as hours since ``origin``."""
        return ((when - self.origin) / HOUR).to_numpy(dtype=float)

    def scenario(self, scenario: Scenario) -> Scenario:
        """``scenario`` simulating this period: cases occur until the window's end, the run
        goes on to the export time (nothing after it can be seen), and everything reported
        before the window is warm-up."""
        data = resolved_dict(scenario)
        data["simulation"] = {**data["simulation"], "horizon": self.end_h,
                              "warmup": self.start_h,
                              "drain_limit": max(self.export_h - self.end_h, 0.0)}
        return scenario_from_dict(data, source=scenario.name)


def first_departments(scenario: Scenario) -> dict[str, str]:
    """Each case type -> the unit a log lists as its owner: the first department it is
    referred to, or ``street`` for a type that needs none."""
    return {name: (ct.departments[0] if ct.departments else STREET_UNIT)
            for name, ct in scenario.case_types.items()}


def simulated_log(cases: pd.DataFrame, period: SimulatedPeriod,
                  departments: dict[str, str]) -> pd.DataFrame:
    """The ``SIMULATED_COLUMNS`` of the run's cases reported in the period's window, censored
    at its export time (all replications of ``cases`` pooled)."""
    reported = cases["t_report"].to_numpy(dtype=float)
    inside = (reported >= period.start_h) & (reported < period.end_h)
    cut = cases.loc[inside]
    created = cut["t_report"].to_numpy(dtype=float)
    closed = cut["t_closed"].to_numpy(dtype=float)
    censored = ~(closed <= period.export_h)   # NaN (never closed) counts as open
    close_h = np.where(censored, np.nan, closed - created)
    return pd.DataFrame({
        "department": cut["case_type"].map(departments).astype(str).to_numpy(),
        "close_h": close_h,
        "censored": censored,
        "observed_h": np.where(censored, period.export_h - created, close_h),
    })


def observed_log(log: CaseLog) -> pd.DataFrame:
    """The ``SIMULATED_COLUMNS`` of a real log, for comparison with a simulated one."""
    return pd.DataFrame({"department": log.cases["department"].astype(str).to_numpy(),
                         "close_h": log.close_h, "censored": log.censored,
                         "observed_h": log.observed_h})
