"""The step log: every step of a case's life, with its time and the unit that took it.

The case columns (``sim.model.case``) keep one timestamp per kind of moment (the first
dispatch, the last closure) and only counts of bounces and reopenings. The steps table
(``sim.model.replication.step_table``) keeps every step, in the order they happen, for event
logs (process mining: ``sim.experiment.event_log``). It only observes: nothing in the flow reads
it, and no random number is drawn for it.

The steps (``STEPS``; docs/model.md describes each):

- ``occurred``, ``reported``: the case's drawn ``t_occur`` and ``t_report``, by the ``grid``,
  and by the ``grid worker`` or the ``citizen`` who found it;
- ``dispatched``: the end of each triage, by the street's dispatch centre;
- ``referred``: a department is handed the case (by paperwork, or directly to its team
  stationed at the street); the unit is the department (or that team);
- ``whistled``: a department is summoned by a whistle; the unit is that department;
- ``bounced``: a department refuses the case (after a referral, or a whistle);
- ``on site``: a team arrives (the unit is its pool: street staff, a stationed team, the
  centre, a department's central or on-call staff);
- ``resolved``: the work that really solved the problem ends; the unit is the last team that
  worked on it (or the grid worker, for a fix on the spot);
- ``closed``: each closure: by the street platform after verification under the closed loop,
  otherwise on the word of the last team that worked;
- ``reopened``: a case closed unsolved comes back: caught by the street's verification, or
  when the citizen calls again.

**Cost.** The log is written on the hot path of every case, so what the other records already
hold is not logged again but read from them when the table is built: ``occurred``,
``reported``, the first ``dispatched`` (``t_dispatch``), ``resolved`` (``t_resolved``), the
last ``closed`` (``t_closed``) and every ``on site`` (the visit log's arrivals). The log keeps
the rest as they happen (later triages, referrals, whistles, bounces, earlier closures,
reopenings), a unit per case for who worked last (``handler``) and who closed last
(``closer``), and the corrections of a preemptive whistle (a team called back on its way).
"""

from __future__ import annotations

from array import array

import numpy as np

STEPS = ("occurred", "reported", "reopened", "dispatched", "referred", "whistled", "bounced",
         "on site", "resolved", "closed")
(OCCURRED, REPORTED, REOPENED, DISPATCHED, REFERRED, WHISTLED, BOUNCED, ON_SITE, RESOLVED,
 CLOSED) = range(len(STEPS))
"""In the order steps of one case at one moment are told: a reopened case is triaged again, a
triage hands the case on, a department summoned may refuse, a team on site works, the work
resolves the problem, and the case is closed. (Steps at the same moment happen only when a
delay is zero.)"""

# Units that are not pools, departments or streets: their codes are fixed.
FIXED_UNITS = ("grid", "grid worker", "citizen")
GRID_UNIT, GRID_WORKER_UNIT, CITIZEN_UNIT = range(len(FIXED_UNITS))


CASE_SHIFT, UNIT_SHIFT = 28, 4
"""A step is logged as one integer, ``case << CASE_SHIFT | unit << UNIT_SHIFT | step``, and its
time: two appends a step instead of four (the log is written on the hot path of every case),
for up to 2**35 cases and 2**24 units."""


class StepLog:
    """Steps as they happen, in two ``array.array`` columns (as ``CaseOutcomes``: 8 bytes a
    value, not a Python object): ``code`` (case, unit and step packed into one integer, see
    ``CASE_SHIFT``) and ``time``; per case, the unit that worked last (``handler``) and the one
    that closed it last (``closer``); and the names of the units the codes stand for.

    ``unit_names[code]`` is a unit's name (``register`` gives a new unit its code);
    ``dispatch_units[s]`` the code of street ``s``'s dispatch centre.
    """

    def __init__(self, n: int):
        self.code = array("q")
        self.time = array("d")
        self.handler = array("i", [GRID_WORKER_UNIT]) * n   # a fix on the spot: the grid worker
        self.closer = array("i", [GRID_WORKER_UNIT]) * n
        self.unit_names: list[str] = list(FIXED_UNITS)
        self.dispatch_units: list[int] = []
        self.withdrawn_visits: list[int] = []

    def register(self, name: str) -> int:
        """A code for the unit ``name`` (pools, departments and street platforms get one each
        when the world is built)."""
        self.unit_names.append(name)
        return len(self.unit_names) - 1

    def add(self, case: int, step: int, time: float, unit: int) -> None:
        self.code.append(case << CASE_SHIFT | unit << UNIT_SHIFT | step)
        self.time.append(time)

    def called_back(self, visit_row: int, resumed: int | None) -> None:
        """A preemptive whistle called a team back before it reached the site: its arrival
        did not happen. That arrival is the visit's (row ``visit_row`` of the visit log), or
        the one logged (row ``resumed`` here) when it had set out again after an earlier
        call-back. Rare, so kept out of the tables' way: the table leaves these out."""
        if resumed is None:
            self.withdrawn_visits.append(visit_row)
        else:
            self.time[resumed] = float("nan")

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(case, step, time, unit)`` of the logged steps as numpy arrays."""
        code = np.frombuffer(self.code, dtype=np.int64) if len(self) else np.zeros(0, np.int64)
        time = np.frombuffer(self.time, dtype=float) if len(self) else np.zeros(0)
        return (code >> CASE_SHIFT, (code & ((1 << UNIT_SHIFT) - 1)).astype(np.int8), time,
                ((code >> UNIT_SHIFT) & ((1 << (CASE_SHIFT - UNIT_SHIFT)) - 1)).astype(np.int32))

    def __len__(self) -> int:
        return len(self.time)
