"""Cases: a problem that occurs in a grid, and the columns that record its life.

A case is just a row number ``i``. Its intrinsic attributes (type, street, grid, occurrence and
discovery times, work content per department, the uniforms that decide bounces and quality
failures) are drawn when the district's cases are generated, from the case streams, so that every
scenario of the same district and seed sees the same cases. Its outcome (the timestamps and the
counts of bounces, handoffs and reopenings) is written into plain columns as it happens.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

import numpy as np

from sim.model.steps import StepLog

NAN = float("nan")

# Who finally handled a case.
HANDLED_BY = ("none", "grid", "street", "department")
GRID, STREET, DEPARTMENT = 1, 2, 3
# How a case was discovered.
DISCOVERED_BY = ("patrol", "citizen", "never")


@dataclass
class CaseAttributes:
    """The intrinsic attributes of every case of one replication, as numpy columns.

    Rows are ordered by occurrence time, and a row's index is the case id.
    """

    case_type: np.ndarray          # int: index into the scenario's case types
    street: np.ndarray             # int: index into the scenario's streets
    grid: np.ndarray               # int: grid number within the street
    t_occur: np.ndarray
    t_report: np.ndarray           # inf when never discovered
    discovered_by: np.ndarray      # int code into DISCOVERED_BY
    on_spot: np.ndarray            # bool: fixed on the spot by the grid worker
    on_spot_time: np.ndarray
    work: np.ndarray               # (n, max departments): work content, in the type's order
    bounce_u: np.ndarray           # (n, BOUNCE_DRAWS): uniforms deciding bounces
    quality_u: np.ndarray          # (n, rounds): uniforms deciding quality failures
    misroute_u: np.ndarray         # (n, 2): is the first referral misrouted, and where to
    recall_delay: np.ndarray       # (n, rounds): time until a citizen calls again

    def __len__(self) -> int:
        return len(self.t_occur)


@dataclass
class CaseOutcomes:
    """What happened to each case, filled in during the run.

    Columns are ``array.array``: as fast to index and write from Python as lists, but 8 bytes a
    timestamp instead of 32 (a list holds a pointer to a float object), 2 a counter and 1 a
    flag; ``numpy.asarray`` reads them without a copy loop.
    """

    n: int
    t_dispatch: array = field(init=False)
    t_onsite: array = field(init=False)
    t_resolved: array = field(init=False)
    t_closed: array = field(init=False)
    t_whistle: array = field(init=False)
    wait_h: array = field(init=False)
    bounces: array = field(init=False)
    handoffs: array = field(init=False)
    reopens: array = field(init=False)
    whistled: array = field(init=False)
    handled_by: array = field(init=False)
    route: array = field(init=False)       # code into ``sim.model.routing.ROUTES``, first triage
    first_closure_solved: array = field(init=False)   # 1 yes, 0 closed unsolved, -1 not closed
    steps: StepLog = field(init=False)     # every step, in the order they happen

    def __post_init__(self) -> None:
        n = self.n
        for name in ("t_dispatch", "t_onsite", "t_resolved", "t_closed", "t_whistle"):
            setattr(self, name, array("d", [NAN]) * n)
        self.wait_h = array("d", [0.0]) * n
        for name in ("bounces", "handoffs", "reopens"):
            setattr(self, name, array("h", [0]) * n)
        self.handled_by = array("b", [0]) * n
        self.route = array("b", [0]) * n
        self.first_closure_solved = array("b", [-1]) * n
        self.whistled = array("b", [0]) * n
        self.steps = StepLog(n)


@dataclass
class VisitLog:
    """One row per department (or street) team sent to a case: who, when asked, when on site.

    Numbers go into ``array.array`` columns (8 bytes a value, not a pointer and an object);
    pool and department names stay lists of the pools' own (shared) strings.
    """

    case_id: array = field(default_factory=lambda: array("q"))
    pool: list = field(default_factory=list)
    department: list = field(default_factory=list)
    whistled: array = field(default_factory=lambda: array("b"))
    t_request: array = field(default_factory=lambda: array("d"))
    t_start: array = field(default_factory=lambda: array("d"))
    t_onsite: array = field(default_factory=lambda: array("d"))

    def add(self, case_id, pool, department, whistled, t_request, t_start, t_onsite) -> None:
        self.case_id.append(case_id)
        self.pool.append(pool)
        self.department.append(department)
        self.whistled.append(whistled)
        self.t_request.append(t_request)
        self.t_start.append(t_start)
        self.t_onsite.append(t_onsite)
