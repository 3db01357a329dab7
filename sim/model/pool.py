"""Staff pools: the people who serve cases, one case per person at a time.

A pool wraps a SimPy resource and keeps the accounts a researcher needs to see the trade-off
between being close and being pooled: its headcount and the staff-hours it spent busy.
A pool follows a working calendar: a person who picks up a case while the pool is closed waits
until it opens before starting (work begun may finish after closing time).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heapify, heappop, heappush

import simpy
from simpy.core import NORMAL
from simpy.events import PENDING, Event

# Queue priorities (lower is served first) where a pool distinguishes them. REST: a person
# taking back the hours of a night call-out goes first at opening (and preempts nobody).
REST, WHISTLE, DIRECT, REFERRAL = -1, 0, 1, 2


class Claim(Event):
    """A request for one server of a ``Servers``: succeeds when a server is granted.

    Use like a SimPy request: ``yield claim``, then ``servers.release(claim)``; or
    ``with servers.request() as claim: yield claim`` (released on leaving the block).
    """

    def __init__(self, env, resource):
        self.env = env
        self.callbacks = []
        self._value = PENDING
        self.resource = resource
        self.held = False

    def cancel(self) -> None:
        """Leave the queue if not granted yet (as SimPy's ``Request.cancel``)."""
        if self._value is PENDING:
            self.resource.cancel(self)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        # As SimPy's request: withdrawn if still waiting, then released (which, for a claim
        # never granted, still hands on a server freed meanwhile); no release when the
        # generator is being closed.
        self.cancel()
        if exc_type is not GeneratorExit:
            self.resource.release(self)
        return None


class Servers:
    """``capacity`` identical servers with a FIFO (or priority-ordered) queue: the semantics of
    ``simpy.Resource`` / ``simpy.PriorityResource`` without their bookkeeping objects.

    Why: a SimPy resource keeps ``users`` in a list it scans on release (slow with hundreds of
    staff), re-sorts its whole queue on every request, and builds ``Release`` objects. Here the
    queue is a deque (FIFO) or a heap (priority, then arrival). Event order is SimPy's: a
    request that finds a free server is granted at once (scheduled now); a release frees the
    server at once, and the head of the queue is granted when the release is processed (a
    scheduled event), as ``simpy.Resource`` does. That event is scheduled even when nobody is
    waiting: within the same instant the pool may fill up, someone queue and another server be
    released, and the earlier release's event is the one that hands that server on (skipping
    it reorders simultaneous events, and in a priority queue can change who is served).
    ``count`` and ``queue`` are as in SimPy; tests/model/test_pool.py compares the two.
    One difference on purpose: releasing a claim that was never granted withdraws it (SimPy
    leaves it queued, to be granted later to a process that no longer wants it).
    """

    __slots__ = ("_env", "capacity", "count", "queue", "_prioritised", "_seq")

    def __init__(self, env: simpy.Environment, capacity: int, prioritised: bool = False):
        self._env = env
        self.capacity = int(capacity)
        self.count = 0
        self._prioritised = prioritised
        self.queue: deque | list = [] if prioritised else deque()
        self._seq = 0

    def request(self, priority: int = 0) -> Claim:
        env = self._env
        claim = Claim(env, self)
        queue = self.queue
        if self._prioritised:
            self._seq += 1
            heappush(queue, (priority, env._now, self._seq, claim))
            if self.count < self.capacity:
                self._grant(heappop(queue)[3])
        elif self.count < self.capacity and not queue:
            self._grant(claim)
        else:
            queue.append(claim)
            if self.count < self.capacity:
                self._grant(queue.popleft())
        return claim

    def _grant(self, claim: Claim) -> None:
        self.count += 1
        claim.held = True
        claim._ok = True
        claim._value = None
        self._env.schedule(claim, NORMAL)

    def release(self, claim: Claim) -> None:
        """Give the server back (or leave the queue, for a claim not granted yet)."""
        if claim.held:
            claim.held = False
            self.count -= 1
        elif claim._value is PENDING:
            self.cancel(claim)
        env = self._env
        done = Event(env)
        done._ok = True
        done._value = None
        done.callbacks.append(self._grant_head)
        heappush(env._queue, (env._now, NORMAL, next(env._eid), done))   # env.schedule, inlined

    def _grant_head(self, _event) -> None:
        queue = self.queue
        if queue and self.count < self.capacity:
            self._grant(heappop(queue)[3] if self._prioritised else queue.popleft())

    def cancel(self, claim: Claim) -> None:
        """Withdraw a claim that is still waiting."""
        if self._prioritised:
            for k, item in enumerate(self.queue):
                if item[3] is claim:
                    self.queue.pop(k)
                    heapify(self.queue)
                    return
        elif claim in self.queue:
            self.queue.remove(claim)


class Pool:
    """``capacity`` staff of one unit (a department's central pool, a team stationed at a street,
    a street's own staff, a dispatch centre...)."""

    def __init__(self, env: simpy.Environment, name: str, kind: str, capacity: int,
                 calendar, travel: Callable[[], float], department: str = "",
                 street: str = "", priority: str = "none"):
        self.env = env
        self.name = name
        self.kind = kind
        self.department = department
        self.street = street
        self.capacity = int(capacity)
        self.calendar = calendar
        self.travel = travel
        self.busy_hours = 0.0
        self.served = 0
        # Busy time inside the observation window (after warm-up, up to the horizon), for a
        # steady-state utilisation; set by the builder.
        self.window = (0.0, float("inf"))
        self.busy_in_window = 0.0
        self.overtime_in_window = 0.0   # busy time outside the calendar's open hours
        self.rest_in_window = 0.0       # staff-hours given back as rest after night call-outs
        self.rest_pool: Pool | None = None  # on-call pools: whose people they are
        self.order = 0
        self.unit = 0   # its code in the step log (``sim.model.steps``), given by the world
        self.preemptive = priority == "preemptive"
        self.prioritised = priority != "none"
        if priority == "preemptive" and self.capacity > 0:
            self.resource = simpy.PreemptiveResource(env, self.capacity)
        else:
            # Nobody works in a pool of capacity 0: requests wait for ever (censored cases).
            self.preemptive = False
            self.prioritised = priority != "none" and self.capacity > 0
            self.resource = Servers(env, self.capacity, self.prioritised)

    def log_busy(self, start: float, end: float) -> None:
        """Count one person busy from ``start`` to ``end``."""
        self.busy_hours += end - start
        lo, hi = self.window
        if start > lo:
            lo = start
        if end < hi:
            hi = end
        if hi > lo:
            self.busy_in_window += hi - lo

    def work_end(self, start: float, hours: float) -> float:
        """When ``hours`` of work (travel included) begun at ``start`` end, by the calendar's
        overtime rule (paused overnight when overtime runs out)."""
        return self.calendar.work_end(start, hours)

    def log_work(self, start: float, end: float, calendar=None) -> float:
        """Count one person at work from ``start`` to ``end`` (without the nights a job waits
        for the next opening of ``calendar``: by default the pool's own; a joint visit's
        follows the office team's); returns the hours worked."""
        calendar = calendar or self.calendar
        if calendar.always_open:
            self.log_busy(start, end)
            return end - start
        close_at = getattr(calendar, "close_at", None)
        if (close_at is not None and end - start < 24.0 and calendar.is_open(start)
                and end <= (start // 24.0) * 24.0 + close_at):
            self.log_busy(start, end)   # the common case: begun and done in one opening
            return end - start
        worked = 0.0
        lo, hi = self.window
        for a, b in calendar.work_segments(start, end):
            self.log_busy(a, b)
            worked += b - a
            a, b = max(a, lo), min(b, hi)
            if b > a:
                self.overtime_in_window += (b - a) - calendar.open_hours_between(a, b)
        return worked

    def log_rest(self, start: float, end: float) -> None:
        """Count one person resting (off the roster's case work) from ``start`` to ``end``."""
        lo, hi = self.window
        a, b = max(start, lo), min(end, hi)
        if b > a:
            self.rest_in_window += self.calendar.open_hours_between(a, b)

    def request(self, priority: int):
        """Ask for one person; lower priority numbers are served first where that applies."""
        if self.preemptive:
            return self.resource.request(priority=priority, preempt=priority == WHISTLE)
        return self.resource.request(priority)

    @property
    def idle_now(self) -> bool:
        return self.capacity > 0 and self.resource.count < self.capacity

    def __repr__(self) -> str:
        return f"Pool({self.name!r}, staff={self.capacity})"
