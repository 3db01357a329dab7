"""The inlined event loop (model/engine.py) against ``simpy.Environment``.

``engine.Environment.run`` is SimPy's ``run`` with ``step`` written into its loop, and claims the
same events in the same order, the same ``until`` handling, the same ``StopSimulation`` and the
same crash on a failed event. Random workloads (``tests/model/workloads.py``: timeouts,
resources of every SimPy kind with preemption, reneging, interrupts, failing processes, runs
stopped at times and at processes and resumed) are played on both; traces must be identical.
"""

from __future__ import annotations

import pytest
import simpy
from hypothesis import HealthCheck, given, settings

from sim.model.engine import Environment
from tests.model.workloads import Backend, Workload, play, simpy_request, simpy_resource, workloads

SIMPY = Backend(simpy.Environment, simpy_resource, simpy_request)
ENGINE = Backend(Environment, simpy_resource, simpy_request)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workloads(kinds=("fifo", "priority", "preemptive")))
def test_engine_plays_every_workload_like_simpy(work):
    assert play(ENGINE, work) == play(SIMPY, work)


def test_the_workloads_reach_preemption_failures_and_stopped_runs():
    """A fixed workload with what the random ones are there to cover: a preempted user, a
    process failing (which ends a run), a run stopped at a time and at a process."""
    work = Workload(
        resources=(("preemptive", 1),),
        processes=(
            (0, (("use", 0, 2, False, 5),)),               # preempted at 1
            (1, (("use", 0, 0, True, 1), ("fail",))),      # fails at 2
            (0, (("hold", 3), ("signal", 0))),
            (0, (("wait", 0),)),
        ),
        plan=(1.5, None, ("process", 3), None))
    trace = play(SIMPY, work)
    assert play(ENGINE, work) == trace
    events = [row[:3] for row in trace]
    assert (1, 0, ("interrupted", ("preempted", 0, 1))) in events
    assert (1.5, "run", "returned") in events
    assert (2, "run", "Boom") in events
    assert (3, 3, ("woken", 0, 2)) in events
    assert (3, "run", "returned") in events


@pytest.mark.parametrize("cls", [Environment, simpy.Environment])
def test_run_refuses_a_time_not_ahead_of_now(cls):
    env = cls(initial_time=5)
    with pytest.raises(ValueError, match=r"until \(5\) must be greater"):
        env.run(until=5)
    with pytest.raises(ValueError, match=r"until \(4.5\) must be greater"):
        env.run(until=4.5)


def _stop_and_resume(cls) -> list:
    """``run(until=event)`` where the event has callbacks after the one that stops the run:
    they are kept, and called first thing in the next ``run`` (which, stopped by the same
    event, leaves it scheduled once more with no callbacks: SimPy's own quirk)."""
    env = cls()
    seen: list = []
    done = env.timeout(2, value="v")

    def waiter(name, delay):
        yield env.timeout(delay)
        value = yield done
        seen.append((env.now, name, value))

    env.process(waiter("early", 0))   # waits on ``done`` before run(until=done) adds its stop
    env.run(until=1)
    env.process(waiter("late", 0.5))  # waits on it from 1.5, after the stop
    seen.append(("returned", env.run(until=done), done.processed))
    seen.append(("again", env.run(until=done), done.processed))
    env.run()
    seen.append(("end", env.now))
    return seen


def test_a_stopped_event_keeps_its_callbacks_for_the_next_run():
    seen = _stop_and_resume(Environment)
    assert seen == _stop_and_resume(simpy.Environment)
    assert seen == [(2, "early", "v"), ("returned", "v", False), (2, "late", "v"),
                    ("again", "v", False), ("end", 2)]


def _crash(cls):
    env = cls()

    def failing():
        yield env.timeout(1)
        raise KeyError("gone")

    env.process(failing())
    with pytest.raises(KeyError) as info:
        env.run()
    return env.now, info.value.args, type(info.value.__cause__), info.value.__cause__.args


def test_a_failed_event_crashes_the_run_with_a_copy_of_its_exception():
    assert _crash(Environment) == _crash(simpy.Environment) == (1, ("gone",), KeyError,
                                                                  ("gone",))


@pytest.mark.parametrize("cls", [Environment, simpy.Environment])
def test_an_until_event_that_can_no_longer_happen_is_an_error(cls):
    env = cls()
    never = env.event()
    env.timeout(3)
    with pytest.raises(RuntimeError, match="No scheduled events left"):
        env.run(until=never)
    assert env.now == 3
