"""Staff pools: the people who serve cases, one case per person at a time.

A pool wraps a SimPy resource and keeps the accounts a researcher needs to see the trade-off
between being close and being pooled: its headcount and the staff-hours it spent busy.
A pool follows a working calendar: a person who picks up a case while the pool is closed waits
until it opens before starting (work begun may finish after closing time).
"""

from __future__ import annotations

from collections.abc import Callable

import simpy

# Queue priorities (lower is served first) where a pool distinguishes them.
WHISTLE, DIRECT, REFERRAL = 0, 1, 2


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
        self.preemptive = priority == "preemptive"
        if priority == "preemptive":
            self.resource = simpy.PreemptiveResource(env, max(self.capacity, 1))
        elif priority == "non_preemptive":
            self.resource = simpy.PriorityResource(env, max(self.capacity, 1))
        else:
            self.resource = simpy.Resource(env, max(self.capacity, 1))
        self.prioritised = priority != "none"
        if self.capacity == 0:
            # Nobody works here: requests wait for ever (and the case ends censored).
            self.resource = simpy.Resource(env, 1)
            self.resource.users.append(None)
            self.prioritised = False

    def request(self, priority: int):
        """Ask for one person; lower priority numbers are served first where that applies."""
        if self.prioritised:
            if self.preemptive:
                return self.resource.request(priority=priority, preempt=priority == WHISTLE)
            return self.resource.request(priority=priority)
        return self.resource.request()

    @property
    def idle_now(self) -> bool:
        return self.capacity > 0 and self.resource.count < self.capacity

    def __repr__(self) -> str:
        return f"Pool({self.name!r}, staff={self.capacity})"
