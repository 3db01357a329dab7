"""A whole replication run on SimPy's own event loop and resources gives the model's tables.

The model runs on ``engine.Environment`` and ``pool.Servers`` for speed; both promise SimPy's
behaviour exactly (tests/model/test_engine.py and test_pool.py check them on random
workloads). Here the promise is checked where it matters: the same scenario and seed, built
once as usual and once with ``simpy.Environment`` and ``simpy.Resource`` /
``simpy.PriorityResource`` in their place, must give identical case, visit and pool tables,
across the routes and reforms (queues with priorities, preemption, on-call staff, dispatch
centres, stationed teams) and with fixed durations, whose ties are where orders could differ.
"""

from __future__ import annotations

import pandas as pd
import pytest
import simpy

import sim.model.pool as pool_module
import sim.model.world as world_module
from sim.model.replication import case_table, pool_table, visit_table
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict


class SimpyServers:
    """``simpy.Resource`` / ``simpy.PriorityResource`` behind the interface of ``Servers``."""

    def __init__(self, env: simpy.Environment, capacity: int, prioritised: bool = False):
        self.capacity = int(capacity)
        self.prioritised = prioritised
        cls = simpy.PriorityResource if prioritised else simpy.Resource
        # SimPy refuses a resource of capacity 0; one whose only server is taken for ever
        # queues every request for ever, as an empty ``Servers`` does.
        self._resource = cls(env, max(self.capacity, 1))
        self._nobody = self._resource.request() if self.capacity == 0 else None

    def request(self, priority: int = 0):
        if self.prioritised:
            return self._resource.request(priority=priority)
        return self._resource.request()

    def release(self, request) -> None:
        self._resource.release(request)

    @property
    def count(self) -> int:
        return self._resource.count if self.capacity else 0

    @property
    def queue(self):
        return self._resource.queue


FIXED = {"kind": "fixed", "value": "1h"}


def month(**changes) -> dict:
    """``tiny_dict`` over four weeks (about 200 cases), with ``changes`` merged in."""
    return tiny_dict(simulation={"horizon": "28d", "warmup": "1d", "drain_limit": "60d"},
                     **changes)


VARIANTS = {
    "baseline": month(),
    "whistle": month(reform={"whistle": {"enabled": True, "trigger": {"types": ["joint"]}}}),
    "preemptive": month(reform={"whistle": {"enabled": True, "priority": "preemptive",
                                                "trigger": {"types": ["joint"]}}}),
    "on_call": month(reform={"whistle": {"enabled": True, "after_hours": "on_call",
                                             "trigger": {"types": "all"}}}),
    "sinking": month(reform={"sinking": {"enabled": True, "fraction": 0.5,
                                             "integrated_centre": True},
                                 "whistle": {"enabled": True}}),
    "dispatch": month(street_defaults={"staff": 1, "dispatchers": 1},
                          streets={"a": {"grids": 20, "powers": ["parking"]},
                                   "b": {"grids": 10}}),
    # Every duration a whole hour: many events fall at the same instant.
    "fixed_times": month(
        departments={"um": {"staff": 2, "travel_time": FIXED},
                     "housing": {"staff": 1, "travel_time": FIXED}},
        case_types={"parking": {"rate": 0.3, "departments": ["um"], "deadline": "24h",
                                "work": FIXED, "bounce_prob": 0.2},
                    "joint": {"rate": 0.05, "departments": ["um", "housing"],
                              "deadline": "7d", "work": FIXED}},
        triage={"time": {"kind": "fixed", "value": 0}},
        reform={"whistle": {"enabled": True, "trigger": {"types": ["joint"]}}}),
}


def _tables(data: dict, seed: int) -> tuple[pd.DataFrame, ...]:
    scenario = scenario_from_dict(data)
    world = World(scenario, Streams(seed, 0)).run()
    return (case_table(world, scenario, 0), visit_table(world, scenario, 0),
            pool_table(world, scenario, 0, world.end_time))


@pytest.mark.parametrize("seed", [1, 7])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_a_replication_is_the_same_on_simpys_own_loop_and_resources(variant, seed,
                                                                    monkeypatch):
    ours = _tables(VARIANTS[variant], seed)
    monkeypatch.setattr(world_module, "Environment", simpy.Environment)
    monkeypatch.setattr(pool_module, "Servers", SimpyServers)
    theirs = _tables(VARIANTS[variant], seed)
    cases, visits, pools = ours
    # A run with queues to compare: many visits, some of which waited for a person.
    assert len(visits) > 150 and (visits["t_start"] > visits["t_request"]).sum() > 10
    for a, b in zip(ours, theirs, strict=True):
        pd.testing.assert_frame_equal(a, b)
