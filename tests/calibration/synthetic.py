"""Case logs written by govsim itself: a known scenario's cases.parquet as a CSV case log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.model.replication import run_replication
from sim.scenario.loader import scenario_from_dict

MONDAY = pd.Timestamp("2024-01-01")  # a Monday, as the simulated time 0 is
MAPPING = ("created: created\nclosed: closed\ncase_type: type\narea: area\nunit: unit\n"
           "date_format: ISO8601\nexport_time: latest\nexport_from: [exported]\n")


def known_scenario(rate: float, staff: int = 2, days: int = 14, work_h: float = 1.0) -> dict:
    """A district in the form ``calibrate build`` writes (labels are the log's names): one
    department working around the clock, two case types, two streets; intake at once."""
    def ctype(label: str, share: float) -> dict:
        return {"label": label, "rate": rate * share, "departments": ["roads"],
                "work": {"kind": "exponential", "mean": f"{work_h:g}h"}, "citizen_call_share": 0.0}

    return {
        "name": "known",
        "simulation": {"horizon": f"{7 + days}d", "warmup": "7d", "drain_limit": "3d"},
        "street_defaults": {"dispatchers": "unlimited", "staff": 0, "powers": [],
                            "patrol": {"mean_delay": "1min", "coverage": 1.0},
                            "report_delay": {"kind": "fixed", "value": 0}},
        "streets": {"north": {"label": "North Ward", "grids": 30},
                    "south": {"label": "South Ward", "grids": 10}},
        "departments": {"roads": {"label": "Roads Dept", "staff": staff, "calendar": "always",
                                  "travel_time": {"kind": "fixed", "value": 0}}},
        "case_types": {"pothole": ctype("Pothole", 0.75), "signs": ctype("Broken Sign", 0.25)},
        "triage": {"time": {"kind": "fixed", "value": 0}},
        "referral": {"admin_delay_working_days": {"kind": "fixed", "value": 0}},
    }


def write_log(data: dict, seed: int, path: Path) -> Path:
    """One replication of ``data`` as a case log: cases reported after the warm-up, created at
    ``MONDAY`` + t_report, closed at ``MONDAY`` + t_closed, open ones censored at the end of the
    run (written in the ``exported`` column of the last row)."""
    scenario = scenario_from_dict(data)
    rep = run_replication(scenario, seed, 0)
    c = rep.cases
    c = c[(c["t_report"] >= scenario.simulation.warmup) & np.isfinite(c["t_report"])]
    export = MONDAY + pd.to_timedelta(rep.end_time, unit="h")
    closed = MONDAY + pd.to_timedelta(c["t_closed"].to_numpy(), unit="h")
    labels = {k: v.label for k, v in scenario.case_types.items()}
    areas = {k: v.label for k, v in scenario.streets.items()}
    log = pd.DataFrame({
        "created": (MONDAY + pd.to_timedelta(c["t_report"].to_numpy(), unit="h")).round("s"),
        "closed": pd.Series(closed).where(pd.Series(closed) <= export).dt.round("s"),
        "type": c["case_type"].astype(str).map(labels).to_numpy(),
        "area": c["street"].astype(str).map(areas).to_numpy(),
        "unit": "Roads Dept",
        "exported": "",
    })
    log.loc[log.index[-1], "exported"] = str(export.round("s"))
    log.to_csv(path, index=False)
    return path


def write_mapping(path: Path) -> Path:
    path.write_text(MAPPING, encoding="utf-8")
    return path
