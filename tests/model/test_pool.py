"""``Servers`` (model/pool.py) against SimPy's resources, and what more staff does to a pool.

``Servers`` replaces ``simpy.Resource`` / ``simpy.PriorityResource`` in the model for speed and
promises their semantics: the same grants, in the same order, at the same times. Random
workloads (``tests/model/workloads.py``) are played on ``simpy.Environment`` with each, and
the traces must be identical.
"""

from __future__ import annotations

import math

import numpy as np
import simpy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.pool import Pool, Servers
from tests.model.workloads import Backend, play, simpy_request, simpy_resource, workloads

EQUIVALENCE = settings(max_examples=200, deadline=None,
                       suppress_health_check=[HealthCheck.too_slow])

SIMPY = Backend(simpy.Environment, simpy_resource, simpy_request)


def _servers(env: simpy.Environment, kind: str, capacity: int) -> Servers:
    return Servers(env, capacity, prioritised=kind == "priority")


def _ask_servers(servers: Servers, kind: str, priority: int, preempt: bool):
    return servers.request(priority)


SERVERS = Backend(simpy.Environment, _servers, _ask_servers)


@EQUIVALENCE
@given(workloads(kinds=("fifo", "priority")))
def test_servers_grant_like_simpy_resources(work):
    """Same grants, same order, same times, same counts and queue lengths as SimPy's
    ``Resource`` (FIFO) and ``PriorityResource``, whatever processes request, hold, renege,
    leave ``with`` blocks, interrupt each other and fail."""
    assert play(SERVERS, work) == play(SIMPY, work)


def test_the_workloads_exercise_queues_ties_and_interrupts():
    """The comparison above is only as good as its workloads: this one queues, ties, reneges
    and interrupts a waiting process, and both sides see it."""
    from tests.model.workloads import Workload

    work = Workload(
        resources=(("priority", 1),),
        processes=(
            (0, (("use", 0, 1, False, 2),)),               # holds the server 0..2
            (0, (("with", 0, 2, False, 1),)),              # queues, interrupted at 1
            (0, (("renege", 0, 0, 1, 1),)),                # queues first (priority 0), leaves at 1
            (1, (("interrupt", 1), ("use", 0, 1, False, 1))),  # queues at 1
            (2, (("use", 0, 2, False, 1),)),               # arrives as the server is released
        ),
        plan=(None,))
    trace = play(SIMPY, work)
    assert play(SERVERS, work) == trace
    events = [(t, pid, what) for t, pid, what, _ in trace]
    assert (1, 2, ("reneged", 0)) in events
    assert (1, 1, ("interrupted", "by 3")) in events
    # At 2 the server goes to the priority-1 request made at 1, not to the one made at 2.
    assert (2, 3, ("granted", 0)) in events
    assert events.index((2, 3, ("granted", 0))) < events.index((3, 4, ("granted", 0)))


def _events(trace: list[tuple]) -> list[tuple]:
    return [row[:3] for row in trace]


def test_a_release_that_finds_nobody_waiting_still_hands_on_like_simpy():
    """Two servers, both released at 1 with arrivals in between: H1 releases with nobody
    waiting, N1 takes that server, N2 queues, H2 releases. SimPy's event for H1's release
    (processed after the arrivals) hands H2's server to N2, before N1's zero-hour job ends.
    A ``Servers`` that skipped that event granted N2 only at H2's release event: after N1 left.
    """
    from tests.model.workloads import Workload

    work = Workload(
        resources=(("fifo", 2),),
        processes=(
            (0, (("use", 0, 0, False, 1),)),                                # H1
            (0, (("hold", 0), ("hold", 1), ("use", 0, 0, False, 0))),      # N1
            (0, (("hold", 0), ("hold", 1), ("use", 0, 0, False, 3))),      # N2
            (0, (("use", 0, 0, False, 1),)),                                # H2
        ),
        plan=(None,))
    trace = play(SIMPY, work)
    assert play(SERVERS, work) == trace
    events = _events(trace)
    assert events.index((1, 2, ("granted", 0))) < events.index((1, 1, ("left", 0)))


def test_in_a_priority_queue_that_release_decides_who_is_served():
    """As above with priorities: after H1's release (nobody waiting) N1 takes the server, N2
    (priority 2) queues, H2 releases, and N3 (priority 0) asks in the same instant but after
    SimPy has processed H1's release event, which gave H2's server to N2. N3 waits for the
    next server. Skipping the event served N3 first: another case, other times."""
    from tests.model.workloads import Workload

    work = Workload(
        resources=(("priority", 2),),
        processes=(
            (0, (("use", 0, 1, False, 1),)),                                          # H1
            (0, (("hold", 0), ("hold", 1), ("use", 0, 1, False, 1))),                # N1
            (0, (("hold", 0), ("hold", 1), ("use", 0, 2, False, 1))),                # N2
            (0, (("hold", 0), ("hold", 1), ("hold", 0), ("use", 0, 0, False, 1))),  # N3
            (0, (("use", 0, 1, False, 1),)),                                          # H2
        ),
        plan=(None,))
    trace = play(SIMPY, work)
    assert play(SERVERS, work) == trace
    events = _events(trace)
    assert (1, 2, ("granted", 0)) in events and (2, 3, ("granted", 0)) in events


def test_a_with_block_left_while_queued_hands_on_a_server_like_simpy():
    """Leaving a ``with`` block before the request is granted (here: interrupted) withdraws the
    request and, in SimPy, still releases it: that release event hands on a server freed in the
    same instant. P0 and P1 free both servers at 1; P2, interrupted by P0 in between, leaves the
    queue; SimPy grants P3 and P4 before P2's next zero-hour step ends."""
    from tests.model.workloads import Workload

    work = Workload(
        resources=(("fifo", 2),),
        processes=(
            (0, (("use", 0, 0, False, 1), ("interrupt", 2))),
            (0, (("use", 0, 0, False, 1),)),
            (0, (("with", 0, 0, False, 1), ("hold", 0), ("hold", 0))),
            (0, (("use", 0, 0, False, 5),)),
            (0, (("use", 0, 0, False, 5),)),
        ),
        plan=(None,))
    trace = play(SIMPY, work)
    assert play(SERVERS, work) == trace
    events = _events(trace)
    assert (1, 2, ("interrupted", "by 0")) in events
    assert events.index((1, 4, ("granted", 0))) < events.index((1, 2, "end"))


# ---------------------------------------------------------------------------- more staff
def _departures(arrivals: list[float], work: list[float], capacity: int) -> list[float]:
    """Each customer's departure from a FIFO pool of ``capacity`` (inf: never served)."""
    env = simpy.Environment()
    servers = Servers(env, capacity)
    out = [math.inf] * len(arrivals)

    def customer(i: int):
        yield env.timeout(arrivals[i])
        claim = servers.request()
        yield claim
        yield env.timeout(work[i])
        servers.release(claim)
        out[i] = env.now

    for i in range(len(arrivals)):
        env.process(customer(i))
    env.run()
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]),
                          st.sampled_from([0.1, 1.0, 2.0, 4.0, 7.5])), min_size=1, max_size=25),
       st.integers(0, 4), st.integers(1, 3), st.floats(0.5, 40.0))
def test_more_staff_never_serves_fewer_by_any_time(jobs, capacity, extra, horizon):
    """A FIFO pool, the same arrivals and the same work per customer: with more servers every
    customer leaves no later, so no fewer are served by any horizon.

    Why it holds: under FIFO, customer n starts at max(its arrival, the previous start, the
    (n - c)-th departure among the earlier customers); every term is no later with c + 1
    servers (by induction on n). It is a property of FIFO with work tied to the customer:
    with priorities, or where a customer's order changes between stages (a tandem after a
    multi-server station), one customer's earlier arrival can delay another's.
    """
    gaps, work = zip(*jobs, strict=True)
    arrivals = np.cumsum(gaps).tolist()
    fewer = _departures(arrivals, list(work), capacity)
    more = _departures(arrivals, list(work), capacity + extra)
    assert all(b <= a for a, b in zip(fewer, more, strict=True)), (fewer, more)
    assert sum(t <= horizon for t in more) >= sum(t <= horizon for t in fewer)
    if capacity == 0:
        assert fewer == [math.inf] * len(arrivals)     # nobody works in an empty pool
    if capacity + extra >= len(arrivals):              # nobody waits
        np.testing.assert_allclose(more, np.add(arrivals, work))


def test_pool_queues_by_priority_only_when_asked_to():
    """``Pool``: a priority pool serves the whistle (0) before an earlier referral (2); a plain
    pool serves them in arrival order; a preemptive pool interrupts the referral."""
    order: dict[str, list[int]] = {}
    for priority in ("none", "non_preemptive", "preemptive"):
        env = simpy.Environment()
        pool = Pool(env, "p", "central", 1, None, lambda: 0.0, priority=priority)
        served: list[int] = []

        def case(i: int, prio: int, at: float, pool=pool, env=env, served=served):
            yield env.timeout(at)
            req = pool.request(prio)
            try:
                yield req
                yield env.timeout(1.0)
                served.append(i)
            except simpy.Interrupt:
                served.append(-i)
            pool.resource.release(req)

        env.process(case(1, 2, 0.0))   # the first referral, holding the person
        env.process(case(2, 2, 0.1))   # a second referral, queued
        env.process(case(3, 0, 0.2))   # a whistle, queued behind it
        env.run()
        order[priority] = served
    assert order["none"] == [1, 2, 3]
    assert order["non_preemptive"] == [1, 3, 2]
    assert order["preemptive"] == [-1, 3, 2]
