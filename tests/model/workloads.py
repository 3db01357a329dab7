"""Random process workloads, played on any event loop and any resource, traced event by event.

The model's event loop (``sim.model.engine.Environment``) and its staff queues
(``sim.model.pool.Servers``) claim to behave exactly like ``simpy.Environment`` and
``simpy.Resource`` / ``simpy.PriorityResource``. A claim like that is checked by playing the
same workload on both and comparing what happened, when, and in which order: ``play`` runs a
``Workload`` and returns its trace, one ``(time, process, what, queue state)`` row per thing a
process did. Two implementations that order events differently give different traces.

A workload is a handful of processes, each a start delay and a list of steps:

``("hold", d)``
    wait ``d`` hours;
``("use", r, priority, preempt, d)``
    request a server of resource ``r``, hold it ``d`` hours, release it (an explicit release;
    on an interrupt, release if granted, else cancel: what ``department.serve`` does);
``("with", r, priority, preempt, d)``
    the same in a ``with`` block (released, or cancelled, on leaving the block);
``("renege", r, priority, patience, d)``
    wait at most ``patience`` for a server (``yield request | timeout``), then cancel; what
    ``department.acquire`` does with on-call staff;
``("interrupt", p)``
    interrupt process ``p`` if it is running;
``("signal", k)`` / ``("wait", k)``
    trigger / wait for the shared event ``k``;
``("spawn", d, fails)``
    start a child process that waits ``d`` (and then raises if ``fails``) and wait for it;
``("fail",)``
    raise an exception (which ends the run it happens in, as SimPy does).

Durations come from a small set with many zeros and repeats so that events often happen at
the same time: ties are where an event loop or a queue can differ.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import simpy
from hypothesis import strategies as st
from simpy.resources.resource import Preempted

DURATIONS = st.sampled_from([0, 0, 0, 1, 1, 2, 3, 0.5, 1.5])


@dataclass(frozen=True)
class Workload:
    resources: tuple[tuple[str, int], ...]
    """(kind, capacity) per resource; kind is ``fifo``, ``priority`` or ``preemptive``"""
    processes: tuple[tuple[float, tuple[tuple, ...]], ...]
    """(start delay, steps) per process"""
    plan: tuple[Any, ...]
    """successive ``env.run`` calls: None (run to the end), a time, or ("process", p)"""


@dataclass(frozen=True)
class Backend:
    """An event loop and a way to make and ask a resource of each kind."""

    environment: Callable[[], simpy.Environment]
    resource: Callable[[simpy.Environment, str, int], Any]
    request: Callable[[Any, str, int, bool], Any]


def simpy_resource(env: simpy.Environment, kind: str, capacity: int):
    cls = {"fifo": simpy.Resource, "priority": simpy.PriorityResource,
           "preemptive": simpy.PreemptiveResource}[kind]
    return cls(env, capacity)


def simpy_request(resource, kind: str, priority: int, preempt: bool):
    if kind == "fifo":
        return resource.request()
    if kind == "priority":
        return resource.request(priority=priority)
    return resource.request(priority=priority, preempt=preempt)


@st.composite
def workloads(draw, kinds: tuple[str, ...], max_processes: int = 7, max_steps: int = 5,
              durations: st.SearchStrategy = DURATIONS) -> Workload:
    """A random ``Workload`` whose resources are of the given kinds."""
    n_res = draw(st.integers(1, 2))
    resources = tuple((draw(st.sampled_from(kinds)), draw(st.integers(1, 3)))
                      for _ in range(n_res))
    n = draw(st.integers(1, max_processes))
    res = st.integers(0, n_res - 1)
    priority = st.integers(0, 2)
    step = st.one_of(
        st.tuples(st.just("hold"), durations),
        st.tuples(st.just("use"), res, priority, st.booleans(), durations),
        st.tuples(st.just("use"), res, priority, st.booleans(), durations),
        st.tuples(st.just("with"), res, priority, st.booleans(), durations),
        st.tuples(st.just("renege"), res, priority, durations, durations),
        st.tuples(st.just("interrupt"), st.integers(0, n - 1)),
        st.tuples(st.just("signal"), st.integers(0, 1)),
        st.tuples(st.just("wait"), st.integers(0, 1)),
        st.tuples(st.just("spawn"), durations, st.booleans()),
        st.tuples(st.just("fail")),
    )
    processes = tuple((draw(durations), tuple(draw(st.lists(step, min_size=1,
                                                            max_size=max_steps))))
                      for _ in range(n))
    until = st.one_of(st.none(), st.integers(1, 12).map(float), st.integers(1, 12),
                      st.tuples(st.just("process"), st.integers(0, n - 1)))
    plan = tuple(draw(st.lists(until, min_size=1, max_size=3)))
    return Workload(resources, processes, plan)


class Boom(Exception):
    """The exception a ``fail`` step raises."""


def play(backend: Backend, work: Workload) -> list[tuple]:
    """Run ``work`` on ``backend``; the trace of what each process did, and how runs ended."""
    env = backend.environment()
    kinds = [kind for kind, _ in work.resources]
    resources = [backend.resource(env, kind, cap) for kind, cap in work.resources]
    signals = [env.event(), env.event()]
    processes: list = []
    trace: list[tuple] = []
    finished = False

    def log(pid: Any, what: Any) -> None:
        if finished:   # a generator closed when collected runs its ``finally``: not an event
            return
        state = tuple((r.count, len(r.queue)) for r in resources)
        trace.append((env.now, pid, what, state))

    def cause_of(interrupt: simpy.Interrupt) -> Any:
        cause = interrupt.cause
        if isinstance(cause, Preempted):
            return ("preempted", cause.usage_since, processes.index(cause.by))
        return cause

    def child(pid, d, fails):
        yield env.timeout(d)
        log(pid, "child done")
        if fails:
            raise Boom(f"child of {pid}")
        return d

    def step(pid, s):
        kind = s[0]
        if kind == "hold":
            yield env.timeout(s[1])
        elif kind == "use":
            _, r, prio, preempt, d = s
            req = backend.request(resources[r], kinds[r], prio, preempt)
            try:
                yield req
                log(pid, ("granted", r))
                yield env.timeout(d)
            finally:
                if req.triggered:
                    resources[r].release(req)
                else:
                    req.cancel()
                log(pid, ("left", r))
        elif kind == "with":
            _, r, prio, preempt, d = s
            with backend.request(resources[r], kinds[r], prio, preempt) as req:
                yield req
                log(pid, ("granted", r))
                yield env.timeout(d)
            log(pid, ("left", r))
        elif kind == "renege":
            _, r, prio, patience, d = s
            req = backend.request(resources[r], kinds[r], prio, False)
            try:
                yield req | env.timeout(patience)
            except simpy.Interrupt:
                req.cancel() if not req.triggered else resources[r].release(req)
                raise
            if not req.triggered:
                req.cancel()
                log(pid, ("reneged", r))
                return
            log(pid, ("granted", r))
            try:
                yield env.timeout(d)
            finally:
                resources[r].release(req)
                log(pid, ("left", r))
        elif kind == "interrupt":
            target = processes[s[1]]
            if target.is_alive and target is not env.active_process:
                target.interrupt(f"by {pid}")
                log(pid, ("interrupt", s[1]))
        elif kind == "signal":
            if not signals[s[1]].triggered:
                signals[s[1]].succeed(pid)
                log(pid, ("signal", s[1]))
        elif kind == "wait":
            value = yield signals[s[1]]
            log(pid, ("woken", s[1], value))
        elif kind == "spawn":
            try:
                value = yield env.process(child(pid, s[1], s[2]))
                log(pid, ("joined", value))
            except Boom as exc:
                log(pid, ("child failed", str(exc)))
        elif kind == "fail":
            raise Boom(f"process {pid}")

    def process(pid, start, steps):
        try:
            if start:
                yield env.timeout(start)
        except simpy.Interrupt as interrupt:
            log(pid, ("interrupted", cause_of(interrupt)))
        log(pid, "start")
        for s in steps:
            try:
                yield from step(pid, s)
            except simpy.Interrupt as interrupt:
                log(pid, ("interrupted", cause_of(interrupt)))
        log(pid, "end")
        return pid

    for pid, (start, steps) in enumerate(work.processes):
        processes.append(env.process(process(pid, start, steps)))

    for until in work.plan:
        if isinstance(until, tuple):
            until = processes[until[1]]
        try:
            value = env.run(until=until)
            if isinstance(value, BaseException):   # a failed process given as ``until``
                value = (type(value).__name__, value.args)
            trace.append((env.now, "run", "returned", value))
        except (Boom, ValueError, simpy.Interrupt) as exc:
            trace.append((env.now, "run", type(exc).__name__, str(exc)))
        except RuntimeError as exc:
            # The message names the ``until`` event by its address: keep the type only.
            trace.append((env.now, "run", type(exc).__name__, "no events left"))
    finished = True
    return trace
