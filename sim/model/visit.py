"""A team's visit to a case: asked, queued for a person, travelling, working, released.

Every visit of a team to a case, whether one department's (``serve``) or several at once under a
whistle (joint handling, in ``sim.model.case_flow``), is written in the visit log through the same
steps: ``ask`` (the row, when the team was asked), ``acquire`` (a person, from the on-call staff
first where that applies), ``set_out`` (the person leaves: waiting time, on-site time) and
``release`` (busy time logged, the person back in the pool).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import simpy

from sim.model.pool import REST, Pool
from sim.model.steps import ON_SITE

NAN = float("nan")


def ask(visits, case: int, pool: Pool, whistled: bool, asked: float) -> int:
    """Log a team asked to go to ``case`` (not yet set out: NaN times); returns its row.

    A row is written when the team is asked, so that one that never sets out before the run
    ends still shows, as never on site.
    """
    row = len(visits.case_id)
    visits.add(case, pool.name, pool.department, whistled, asked, NAN, NAN)
    return row


def set_out(outcomes, visits, row: int, case: int, pool: Pool, now: float, t_request: float,
            travel: Callable[[], float] | None = None) -> float:
    """A person of ``pool`` leaves for ``case`` at ``now``; returns the hours of travel.

    The case's time waiting for staff grows by the time since ``t_request``, and the visit's
    row gets the pool that went, when it left and when it is on site. ``travel`` replaces the
    pool's own travel time (a team borrowed from another street).
    """
    hours = (travel or pool.travel)()
    outcomes.wait_h[case] += now - t_request
    visits.pool[row] = pool.name
    visits.t_start[row] = now
    visits.t_onsite[row] = now + hours   # a team on its way arrives (travel never pauses)
    return hours


def finish(pool: Pool, request, start: float, end: float, calendar=None) -> float:
    """The person of ``request`` is done: at work from ``start`` to ``end`` (nights waiting
    for the next opening of ``calendar``, default the pool's own, left out), back in ``pool``;
    returns the hours worked."""
    worked = pool.log_work(start, end, calendar)
    pool.served += 1
    pool.resource.release(request)
    return worked


def granted(env: simpy.Environment, pool: Pool, priority: int):
    """Ask ``pool`` for a person and wait until one is granted; returns the request.

    In a preemptive pool a whistle may take the person back in the very instant of the grant,
    before this process has resumed: it then simply asks again.
    """
    while True:
        req = pool.request(priority)
        try:
            yield req
            return req
        except simpy.Interrupt:
            pool.resource.release(req)


def acquire(env: simpy.Environment, pool: Pool, priority: int, on_call: Pool | None = None,
            give_up_at: float = math.inf):
    """Get one person for a case: ``(pool it came from, granted request)``, or ``(None, None)``
    if nobody was free by ``give_up_at``.

    With ``on_call`` (a whistle out of office hours) the case first queues for the on-call
    staff, as long as the office is closed; if the office opens before one of them is free, it
    leaves that queue and queues for ``pool`` instead, so the office staff take over what the
    night left.
    """
    if on_call is not None and not pool.calendar.is_open(env.now):
        req = on_call.request(priority)
        until = min(pool.calendar.next_open(env.now), give_up_at)
        try:
            yield req | env.timeout(max(0.0, until - env.now))
        except simpy.Interrupt:   # granted, and taken back by a whistle in the same instant
            on_call.resource.release(req)
        else:
            if req.triggered:
                return on_call, req
            req.cancel()
        if env.now >= give_up_at:
            return None, None
    if give_up_at == math.inf:
        req = yield from granted(env, pool, priority)
        return pool, req
    while True:
        req = pool.request(priority)
        try:
            yield req | env.timeout(max(0.0, give_up_at - env.now))
        except simpy.Interrupt:
            pool.resource.release(req)
            if env.now >= give_up_at:
                return None, None
            continue
        if req.triggered:
            return pool, req
        req.cancel()
        return None, None


def rest(env: simpy.Environment, pool: Pool, hours: float):
    """Time off in lieu of a night call-out: one person of ``pool`` (the central staff the
    on-call people belong to) is off for ``hours`` of working time from the next opening.

    The rest claims its person at once, ahead of every case (the person is free at night, or
    after the job in hand), so the office opens a person short: what the night took, the next
    day gives back, and on-call duty adds no hours to the roster.
    """
    if hours <= 0 or pool.capacity <= 0:
        return
    req = pool.request(REST)
    yield req
    start = env.now
    end = pool.calendar.add_working_hours(start, hours)
    yield env.timeout(end - start)
    pool.log_rest(start, end)
    pool.resource.release(req)


def finish_call_out(env: simpy.Environment, pool: Pool, hours: float) -> None:
    """An on-call person's job is done: the hours worked come back as rest (see ``rest``)."""
    if pool.rest_pool is not None:
        env.process(rest(env, pool.rest_pool, hours))


def serve(env: simpy.Environment, pool: Pool, case: int, priority: int, work: float,
          outcomes, visits, whistled: bool = False, on_call: Pool | None = None,
          asked_at: float | None = None, travel: Callable[[], float] | None = None):
    """One team of ``pool`` travels to ``case`` and does ``work`` hours of work on it.

    The case waits in the pool's queue. A case that arrives while the pool is closed joins the
    queue when it opens; one still queued at closing time and picked up after it starts when
    the pool opens again (on-call staff start at once, see ``acquire``). A team on its way
    arrives; the work then follows the pool's calendar: past closing time the person goes on
    for the calendar's ``overtime`` at most, and the rest waits for the next opening. ``t_onsite`` records the first team on
    site. ``asked_at`` is when the team was asked (the whistle, for a whistled case; default
    now), ``travel`` a travel time to use instead of the pool's own (a team borrowed from
    another street). In a preemptive pool a whistled case may interrupt this one: the person
    leaves, the case queues again and resumes with the travel and work still left.
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
        req = yield from granted(env, pool, priority)
    else:
        pool, req = yield from acquire(env, pool, priority, on_call)
    if pool is on_call:
        travel = None
    calendar = pool.calendar
    remaining = None  # travel and work left, once a person has been free for this case
    resumed = None    # the step-log row of the arrival after a preemption on the way
    worked = 0.0
    while True:
        start = None
        try:
            now = env.now
            if pool is not on_call and not calendar.always_open and not calendar.is_open(now):
                yield env.timeout(calendar.next_open(now) - now)
                now = env.now
            if remaining is None:
                hours = set_out(outcomes, visits, row, case, pool, now, t_request, travel)
                onsite = now + hours
                if math.isnan(outcomes.t_onsite[case]):
                    outcomes.t_onsite[case] = onsite
                remaining = hours + work
                # A team on its way arrives; the work then follows the calendar's hours.
                start = env.now
                yield env.timeout(pool.work_end(onsite, work) - start)
                break
            elif remaining > work:   # resumed on the way there
                outcomes.steps.add(case, ON_SITE, now + remaining - work, pool.unit)
                resumed = len(outcomes.steps) - 1
                if math.isnan(outcomes.t_onsite[case]):
                    outcomes.t_onsite[case] = now + remaining - work
            start = env.now
            yield env.timeout(pool.work_end(start, remaining) - start)
            break
        except simpy.Interrupt:  # preempted by a whistled case (preemptive pools only)
            if start is not None:
                done = pool.log_work(start, env.now)
                worked += done
                remaining -= done
                if remaining > work:   # called back before reaching the site
                    outcomes.steps.called_back(row, resumed)
                    if outcomes.t_onsite[case] == onsite:
                        outcomes.t_onsite[case] = NAN
            pool.resource.release(req)
            queued = env.now
            req = yield from granted(env, pool, priority)
            if remaining is not None:  # before that, the first start counts all the waiting
                outcomes.wait_h[case] += env.now - queued
    worked += finish(pool, req, start, env.now)
    outcomes.steps.handler[case] = pool.unit
    if pool is on_call:
        finish_call_out(env, pool, worked)
