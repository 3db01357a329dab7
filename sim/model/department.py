"""Departments (职能部门): district units with a central staff pool, office hours and travel.

A department accepts or bounces (推诿) each case it receives, queues it, sends a team and handles
it. After resource sinking, part of its staff is stationed at streets; ``unit_for`` says which of
its pools serves a case of a given street.
"""

from __future__ import annotations

import simpy

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
        self._admin_delay = admin_delay      # working days, per referral
        self._bounce_return = bounce_return  # working days, for a bounced case to come back
        self.teams: dict[int, Pool] = {}     # street index -> stationed team (or the centre)

    def paperwork(self, now: float) -> float:
        """Hours until a referral sent now reaches this department's desk."""
        return self.calendar.add_working_hours(
            now, self._admin_delay() * self.calendar.hours_per_day) - now

    def bounce_back(self, now: float) -> float:
        """Hours until a case this department refuses is back at the street."""
        return self.calendar.add_working_hours(
            now, self._bounce_return() * self.calendar.hours_per_day) - now

    def unit_for(self, street: int) -> Pool:
        """The pool that takes a case of ``street``: its stationed team first, if it has one."""
        team = self.teams.get(street)
        if team is None or team.capacity == 0:
            return self.central
        if self.overflow == "central" and not team.idle_now and self.central.capacity > 0:
            return self.central
        return team


def serve(env: simpy.Environment, pool: Pool, case: int, priority: int, work: float,
          outcomes, visits, whistled: bool = False, on_call_ok: bool = False):
    """One team of ``pool`` travels to ``case`` and does ``work`` hours of work on it.

    The case waits in the pool's queue; a person picked up while the pool is closed starts when
    it opens (unless ``on_call_ok``). ``t_onsite`` records the first team on site.
    """
    t_request = env.now
    req = pool.request(priority)
    yield req
    now = env.now
    calendar = pool.calendar
    if not on_call_ok and not calendar.always_open and not calendar.is_open(now):
        yield env.timeout(calendar.next_open(now) - now)
        now = env.now
    travel = pool.travel()
    onsite = now + travel
    outcomes.wait_h[case] += now - t_request
    if outcomes.t_onsite[case] != outcomes.t_onsite[case]:
        outcomes.t_onsite[case] = onsite
    visits.add(case, pool.name, pool.department, whistled, t_request, now, onsite)
    remaining = travel + work
    if pool.preemptive:
        while True:
            start = env.now
            try:
                yield env.timeout(remaining)
                pool.busy_hours += env.now - start
                break
            except simpy.Interrupt:
                pool.busy_hours += env.now - start
                remaining -= env.now - start
                pool.resource.release(req)
                req = pool.request(priority)
                yield req
    else:
        yield env.timeout(remaining)
        pool.busy_hours += remaining
    pool.served += 1
    pool.resource.release(req)
