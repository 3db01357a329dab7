"""Streets (街道): the dispatch centre that triages reported cases, and the street's own staff.

Before the reforms a street handles only the minor types on its power list; after resource
sinking it also commands the teams that departments station there (``teams``), possibly pooled
into an integrated enforcement centre (综合执法中心, ``centre``).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model.pool import Pool


class Street:
    """A street committee: dispatchers, its own staff, stationed teams and its power list."""

    def __init__(self, name: str, index: int, dispatch: Pool | None,
                 triage_time: Callable[[], float], staff: Pool, powers: frozenset[int],
                 verify_time: Callable[[], float]):
        self.name = name
        self.index = index
        self.dispatch = dispatch          # None: unlimited dispatchers (no queue)
        self.triage_time = triage_time
        self.staff = staff
        self.powers = powers              # case-type indices the street handles itself
        # Of those, the ones that came with resource sinking: handled by the stationed team of
        # the type's department where the street has one (the powers came with the people).
        self.sunk_powers: frozenset[int] = frozenset()
        self.verify_time = verify_time
        self.teams: dict[int, Pool] = {}  # department index -> stationed team
        self.centre: Pool | None = None
        self.centre_departments: frozenset[int] = frozenset()
        # Codes in the step log (``sim.model.steps``), given by the world: the street's
        # platform, and its dispatch centre.
        self.unit = 0
        self.dispatch_unit = 0
