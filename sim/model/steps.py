"""The step log: one row per step of a case's life, with its time and the unit that took it.

The case columns (``sim.model.case``) keep one timestamp per kind of moment (the first
dispatch, the last closure) and only counts of bounces and reopenings. The step log keeps them
all, in the order they happen, for an event log (process mining: ``sim.experiment.event_log``).
It only observes: nothing in the flow reads it, and no random number is drawn for it.

The steps (``STEPS``; docs/model.md describes each):

- ``occurred``, ``reported``: from the case's drawn attributes (written with the table, not
  during the run: ``occurred`` by the ``grid``, ``reported`` by the ``grid worker`` or the
  ``citizen`` who found it);
- ``dispatched``: the end of each triage, by the street's dispatch centre;
- ``referred``: a department is handed the case (by paperwork, or directly to its team
  stationed at the street); the unit is the department (or that team);
- ``bounced``: a department refuses the case (after a referral, or a whistle);
- ``whistled``: a department is summoned by a whistle; the unit is that department;
- ``on site``: a team arrives (the unit is its pool: street staff, a stationed team, the
  centre, a department's central or on-call staff);
- ``resolved``: the work that really solved the problem ends; the unit is the last team that
  worked on it (or the grid worker, for a fix on the spot);
- ``closed``: each closure: by the street platform after verification under the closed loop,
  otherwise on the word of the last team that worked;
- ``reopened``: a case closed unsolved comes back: caught by the street's verification, or
  when the citizen calls again.
"""

from __future__ import annotations

from array import array

STEPS = ("occurred", "reported", "dispatched", "referred", "bounced", "whistled", "on site",
         "resolved", "closed", "reopened")
(OCCURRED, REPORTED, DISPATCHED, REFERRED, BOUNCED, WHISTLED, ON_SITE, RESOLVED, CLOSED,
 REOPENED) = range(len(STEPS))

# Units that are not pools, departments or streets: their codes are fixed.
FIXED_UNITS = ("grid", "grid worker", "citizen")
GRID_UNIT, GRID_WORKER_UNIT, CITIZEN_UNIT = range(len(FIXED_UNITS))


class StepLog:
    """Steps as they happen, in ``array.array`` columns (as ``CaseOutcomes``: 8 bytes a time,
    not a float object), and the names of the units their codes stand for.

    ``unit_names[code]`` is the unit's name; ``register`` gives a new unit its code.
    ``handler[i]`` is the unit of the last team that finished work on case ``i`` (who closes
    it on its own word, and whose work resolved it).
    """

    def __init__(self, n: int):
        self.case_id = array("q")
        self.step = array("b")
        self.time = array("d")
        self.unit = array("i")
        self.handler = array("i", [GRID_WORKER_UNIT]) * n
        self.unit_names: list[str] = list(FIXED_UNITS)

    def register(self, name: str) -> int:
        """A code for the unit ``name`` (pools, departments and street platforms get one each
        when the world is built)."""
        self.unit_names.append(name)
        return len(self.unit_names) - 1

    def add(self, case: int, step: int, time: float, unit: int) -> None:
        self.case_id.append(case)
        self.step.append(step)
        self.time.append(time)
        self.unit.append(unit)

    def withdraw(self, case: int, step: int, unit: int) -> None:
        """Take back the last ``step`` of ``case`` by ``unit`` (its time becomes NaN, and the
        table leaves it out): a team called back before it reached the site never arrived.

        Rare (preemptive pools only), so a scan from the end is cheap enough."""
        for row in range(len(self.time) - 1, -1, -1):
            if (self.case_id[row] == case and self.step[row] == step
                    and self.unit[row] == unit and self.time[row] == self.time[row]):
                self.time[row] = float("nan")
                return

    def __len__(self) -> int:
        return len(self.time)
