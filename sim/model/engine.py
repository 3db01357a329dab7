"""The event loop: SimPy's ``Environment`` with its ``run`` loop written out.

``simpy.Environment.run`` calls ``step()`` once per event; at ten to fifteen events per case
that method call is a measurable share of a replication. ``Environment.run`` below is the same
loop with ``step`` inlined: events are processed in exactly the same order, with the same
handling of ``until``, of ``StopSimulation`` and of failed events, so results are identical.
Everything else (``timeout``, ``process``, ``now``...) is SimPy's own.
"""

from __future__ import annotations

from heapq import heappop
from typing import Any

import simpy
from simpy.core import StopSimulation
from simpy.events import URGENT, Event, EventPriority


class Environment(simpy.Environment):
    """A ``simpy.Environment`` whose ``run`` processes events without a call per event."""

    def run(self, until: Any = None) -> Any:
        if until is not None:
            if not isinstance(until, Event):
                at = until if isinstance(until, int) else float(until)
                if at <= self.now:
                    raise ValueError(
                        f"until ({at}) must be greater than the current simulation time")
                until = Event(self)
                until._ok = True
                until._value = None
                self.schedule(until, URGENT, at - self.now)
            elif until.callbacks is None:
                return until.value
            until.callbacks.append(StopSimulation.callback)
        queue = self._queue
        try:
            while queue:
                # --- simpy.Environment.step, inlined ---
                self._now, _, _, event = heappop(queue)
                callbacks, event.callbacks = event.callbacks, None
                try:
                    for callback in callbacks:
                        callback(event)
                except StopSimulation:
                    event.callbacks = callbacks[callbacks.index(callback) + 1:]
                    self.schedule(event, EventPriority(-1))
                    raise
                if not event._ok and not hasattr(event, "_defused"):
                    exc = type(event._value)(*event._value.args)
                    exc.__cause__ = event._value
                    raise exc
        except StopSimulation as exc:
            return exc.args[0]
        if until is not None:
            assert not until.triggered
            raise RuntimeError(
                f'No scheduled events left but "until" event was not triggered: {until}')
        return None
