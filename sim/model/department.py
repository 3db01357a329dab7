"""Departments (职能部门): district units with a central staff pool, office hours and travel.

A department accepts or bounces (推诿) each case it receives, queues it, sends a team and handles
it. After resource sinking, part of its staff is stationed at streets; ``unit_for`` says which of
its pools serves a case of a given street, and ``serve`` is one team's visit to a case.
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

from sim.model.pool import Pool

NAN = float("nan")


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
        self._cover: dict[int, Pool] = {}    # street without a team -> team covering it

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
        team = self.teams.get(street)
        return team if team is not None and team.capacity > 0 else None

    def covering_team(self, street: int) -> Pool | None:
        """The other street's team that covers ``street`` when it has none and nobody is central."""
        cover = self._cover.get(street)
        if cover is None:
            staffed = sorted(s for s, t in self.teams.items() if t.capacity > 0)
            if not staffed:
                return None
            empty = sorted(s for s in range(max(max(self.teams), street) + 1)
                           if s not in staffed)
            for k, s in enumerate(empty):
                self._cover[s] = self.teams[staffed[k % len(staffed)]]
            cover = self._cover[street]
        return cover

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


class OffHours:
    """The hours when ``office`` is closed: the on-call staff's calendar.

    On-call staff are the department's own people, on call outside office hours; their pool's
    open hours are the office's closed hours, so its utilisation is busy / on-call hours.
    """

    always_open = False

    def __init__(self, office):
        self.office = office

    def is_open(self, t: float) -> bool:
        return not self.office.is_open(t)

    def next_open(self, t: float) -> float:
        if not self.office.is_open(t):
            return t
        day = (t // 24.0) * 24.0
        return day + self.office.close_at

    def open_hours_between(self, start: float, end: float) -> float:
        if end <= start:
            return 0.0
        return (end - start) - self.office.open_hours_between(start, end)


def ask(visits, case: int, pool: Pool, whistled: bool, asked: float) -> int:
    """Log a team asked to go to ``case`` (not yet set out: NaN times); returns its row.

    A row is written when the team is asked, so that one that never sets out before the run
    ends still shows, as never on site.
    """
    row = len(visits.case_id)
    visits.add(case, pool.name, pool.department, whistled, asked, NAN, NAN)
    return row


def set_out(visits, row: int, pool: Pool, start: float, onsite: float) -> None:
    """The team of ``row``, from ``pool``, sets out at ``start`` and is on site at ``onsite``."""
    visits.pool[row] = pool.name
    visits.t_start[row] = start
    visits.t_onsite[row] = onsite


def acquire(env: simpy.Environment, pool: Pool, priority: int, on_call: Pool | None = None):
    """Get one person for a case: ``(pool it came from, granted request)``.

    With ``on_call`` (a whistle out of office hours) the case first queues for the on-call
    staff; if the office opens before one of them is free, it leaves that queue and queues for
    ``pool`` instead, so the office staff take over what the night left.
    """
    if on_call is not None:
        req = on_call.request(priority)
        opens = pool.calendar.next_open(env.now)
        yield req | env.timeout(max(0.0, opens - env.now))
        if req.triggered:
            return on_call, req
        req.cancel()
    req = pool.request(priority)
    yield req
    return pool, req


def serve(env: simpy.Environment, pool: Pool, case: int, priority: int, work: float,
          outcomes, visits, whistled: bool = False, on_call: Pool | None = None,
          asked_at: float | None = None, travel: Callable[[], float] | None = None):
    """One team of ``pool`` travels to ``case`` and does ``work`` hours of work on it.

    The case waits in the pool's queue. A case that arrives while the pool is closed joins the
    queue when it opens; one still queued at closing time and picked up after it starts when
    the pool opens again (on-call staff start at once, see ``acquire``). ``t_onsite`` records the first
    team on site. ``asked_at`` is when the team was asked (the whistle, for a whistled case;
    default now), ``travel`` a travel time to use instead of the pool's own (a team borrowed
    from another street). In a preemptive pool a whistled case may interrupt this one: the
    person leaves, the case queues again and resumes with the travel and work still left.
    """
    t_request = env.now
    row = ask(visits, case, on_call or pool, whistled,
              t_request if asked_at is None else asked_at)
    if on_call is None:   # what acquire() does then, without a generator per visit
        calendar = pool.calendar
        if not calendar.always_open and not calendar.is_open(t_request):
            # Nobody is handed a case while the pool is closed: cases that arrive at night
            # queue when it opens, so a whistle that came later still goes first.
            yield env.timeout(calendar.next_open(t_request) - t_request)
        req = pool.request(priority)
        yield req
    else:
        pool, req = yield from acquire(env, pool, priority, on_call)
    if pool is on_call:
        travel = None
    calendar = pool.calendar
    remaining = None  # travel and work left, once a person has been free for this case
    while True:
        start = None
        try:
            now = env.now
            if pool is not on_call and not calendar.always_open and not calendar.is_open(now):
                yield env.timeout(calendar.next_open(now) - now)
                now = env.now
            if remaining is None:
                hours = (travel or pool.travel)()
                onsite = now + hours
                outcomes.wait_h[case] += now - t_request
                if outcomes.t_onsite[case] != outcomes.t_onsite[case]:
                    outcomes.t_onsite[case] = onsite
                set_out(visits, row, pool, now, onsite)
                remaining = hours + work
            elif remaining > work and outcomes.t_onsite[case] != outcomes.t_onsite[case]:
                outcomes.t_onsite[case] = now + remaining - work  # resumed on the way there
            start = env.now
            yield env.timeout(remaining)
            pool.log_busy(start, env.now)
            break
        except simpy.Interrupt:  # preempted by a whistled case (preemptive pools only)
            if start is not None:
                pool.log_busy(start, env.now)
                remaining -= env.now - start
                if remaining > work and outcomes.t_onsite[case] == onsite:
                    outcomes.t_onsite[case] = NAN  # called back before reaching the site
            pool.resource.release(req)
            queued = env.now
            req = pool.request(priority)
            yield req
            if remaining is not None:  # before that, the first start counts all the waiting
                outcomes.wait_h[case] += env.now - queued
    pool.served += 1
    pool.resource.release(req)
