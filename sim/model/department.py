"""Departments (职能部门): district units with a central staff pool, office hours and travel.

A department accepts or bounces (推诿) each case it receives, queues it, sends a team and handles
it. After resource sinking, part of its staff is stationed at streets; ``unit_for`` says which of
its pools serves a case of a given street (the staffing plan says who is where; the department
adds what depends on the moment: a busy team overflowing to the central pool).
"""

from __future__ import annotations

from collections.abc import Callable

from sim.model.pool import Pool


class Department:
    """A department: its central pool, on-call staff, calendar and paperwork delays."""

    def __init__(self, name: str, index: int, central: Pool, calendar, admin_delay,
                 bounce_return, on_call: Pool | None = None, overflow: str = "central"):
        self.name = name
        self.index = index
        self.central = central
        self.calendar = calendar
        self.on_call = on_call
        self.overflow = overflow
        self.unit = 0   # its code in the step log (``sim.model.steps``), given by the world
        self._admin_delay = admin_delay      # working days, per referral
        self._bounce_return = bounce_return  # working days, for a bounced case to come back
        self.teams: dict[int, Pool] = {}     # street index -> stationed team (or the centre)
        self.cover: dict[int, int] = {}      # street without a team -> street whose team covers

    def paperwork(self, now: float) -> float:
        """Hours until a referral sent now reaches this department's desk."""
        return self.calendar.add_working_hours(
            now, self._admin_delay() * self.calendar.hours_per_day) - now

    def bounce_back(self, now: float) -> float:
        """Hours until a case this department refuses is back at the street."""
        return self.calendar.add_working_hours(
            now, self._bounce_return() * self.calendar.hours_per_day) - now

    def stationed_at(self, street: int) -> Pool | None:
        """The team (or integrated centre) this department keeps at ``street``, if anyone."""
        return self.teams.get(street)

    def covering_team(self, street: int) -> Pool | None:
        """The other street's team that covers ``street`` when it has none and nobody is central
        (the staffing plan's ``cover``)."""
        other = self.cover.get(street)
        return None if other is None else self.teams[other]

    def unit_for(self, street: int) -> tuple[Pool, Callable[[], float] | None]:
        """The pool that takes a case of ``street``, and the travel to use if not the pool's own.

        The street's stationed team comes first. With ``overflow: central`` a case finding every
        member of the team busy goes to the central pool instead (if anyone stayed there); with
        ``overflow: wait`` it queues for the team. A street without a team is served by the
        central pool; when sinking has left nobody central, by the team of another street, fixed
        in turn (the k-th street without a team is covered by the k-th street with one, cycling),
        travelling as far as from headquarters: a street is never left unserved, and no
        dispatcher balances the load across streets.
        """
        team = self.stationed_at(street)
        central = self.central
        if team is None:
            if central.capacity > 0:
                return central, None
            cover = self.covering_team(street)
            return (central, None) if cover is None else (cover, central.travel)
        if self.overflow == "central" and central.capacity > 0 and not team.idle_now:
            return central, None
        return team, None
