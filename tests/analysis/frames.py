"""Hand-made case and pool tables with the columns the hotline measures read."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

NAN = float("nan")


@dataclass
class Case:
    """One case, by its timeline. ``first_solved`` is None for a case never closed."""

    rep: int = 0
    case_type: str = "a"
    street: str = "x"
    t_report: float = 10.0
    t_onsite: float = NAN
    t_resolved: float = NAN
    first_solved: bool | None = None
    reopens: int = 0
    bounces: int = 0
    within: float = 2.0          # response deadline (h)
    deadline: float = 24.0       # resolution deadline (h)
    warm: bool = False
    scenario: str = "s"


def cases_frame(cases: list[Case], end: float = 100.0) -> pd.DataFrame:
    """A case table in the columns of ``cases.parquet`` (plus the new ``respond_within_h`` and
    ``first_closure_solved``); ``deadline_met`` is derived as the model does, with ``end`` the
    run's end."""
    rows = []
    for c in cases:
        response = c.t_resolved - c.t_report
        resolved = not math.isnan(c.t_resolved)
        if resolved:
            met = response <= c.deadline
        elif end - c.t_report > c.deadline:
            met = False
        else:
            met = pd.NA
        rows.append({
            "scenario": c.scenario, "replication": c.rep, "case_type": c.case_type,
            "street": c.street, "t_report": c.t_report, "t_onsite": c.t_onsite,
            "t_resolved": c.t_resolved,
            "t_closed": c.t_resolved if c.first_solved is not None else NAN,
            "response_h": response, "resolved": resolved, "deadline_h": c.deadline,
            "deadline_met": met, "bounces": c.bounces, "reopens": c.reopens,
            "respond_within_h": c.within,
            "first_closure_solved": pd.NA if c.first_solved is None else c.first_solved,
            "in_warmup": c.warm,
        })
    frame = pd.DataFrame(rows)
    frame["deadline_met"] = frame["deadline_met"].astype("boolean")
    frame["first_closure_solved"] = frame["first_closure_solved"].astype("boolean")
    frame["scenario"] = frame["scenario"].astype("category")
    frame["case_type"] = frame["case_type"].astype("category")
    frame["street"] = frame["street"].astype("category")
    return frame


def pools_frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (replication, pool, kind, department, street, busy_hours, open_hours)."""
    out = []
    for rep, pool, kind, department, street, busy, open_ in rows:
        out.append({"scenario": "s", "replication": rep, "pool": pool, "kind": kind,
                    "department": department, "street": street, "staff": 1, "served": 0,
                    "busy_hours": busy, "open_hours": open_,
                    "utilisation": busy / open_ if open_ else NAN})
    return pd.DataFrame(out)
