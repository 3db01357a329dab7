"""Resource sinking: whole people split among streets by the largest-remainder method."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.sinking import largest_remainder, stationed_staff
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario import scenario_from_dict
from sim.scenario.schema import UNLIMITED
from tests.conftest import tiny_dict


@pytest.mark.parametrize(("total", "weights", "expected"), [
    (10, [1, 1], [5, 5]),
    (7, [1, 1, 1], [3, 2, 2]),          # the leftover goes to the earlier street on a tie
    (5, [0.5, 0.3, 0.2], [3, 1, 1]),    # quotas 2.5, 1.5, 1.0: ties to the earlier
    (3, [10, 0, 0], [3, 0, 0]),
    (4, [0, 0], [2, 2]),                # no demand anywhere: equal split
    (0, [3, 1], [0, 0]),
    (6, [], []),
])
def test_examples(total, weights, expected):
    assert largest_remainder(total, weights) == expected


def test_negative_total_is_refused():
    with pytest.raises(ValueError):
        largest_remainder(-1, [1, 2])


WEIGHTS = st.lists(st.floats(min_value=0, max_value=1e3, allow_nan=False), min_size=1,
                   max_size=30)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2000), WEIGHTS)
def test_everyone_is_placed_within_one_of_the_quota(total: int, weights: list[float]):
    shares = largest_remainder(total, weights)
    assert sum(shares) == total
    assert all(s >= 0 for s in shares)
    w = sum(weights)
    quotas = [total * x / w for x in weights] if w > 0 else [total / len(weights)] * len(weights)
    for share, quota in zip(shares, quotas, strict=True):
        assert math.floor(quota) <= share <= math.ceil(quota)


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=500), st.floats(min_value=0, max_value=1),
       WEIGHTS)
def test_stationed_total_is_the_rounded_fraction(staff: int, fraction: float,
                                                 weights: list[float]):
    teams = stationed_staff(staff, fraction, weights)
    assert sum(teams) == round(fraction * staff) <= staff


def test_unlimited_staff_gives_every_street_an_unlimited_team():
    assert stationed_staff(UNLIMITED, 0.3, [1, 2]) == [UNLIMITED, UNLIMITED]
    assert stationed_staff(UNLIMITED, 0.0, [1, 2]) == [0, 0]


@pytest.mark.parametrize("allocation", ["proportional", "equal"])
def test_the_world_preserves_headcount(allocation: str):
    """Central pool plus stationed teams is the department's staff, under both allocations."""
    data = tiny_dict(reform={"sinking": {"enabled": True, "fraction": {"um": 0.5, "housing": 0.34},
                                         "allocation": allocation}})
    data["departments"] = {"um": {"staff": 9}, "housing": {"staff": 3}}
    world = World(scenario_from_dict(data), Streams(1, 0))
    for dept, staff in (("um", 9), ("housing", 3)):
        pools = [p for p in world.pools if p.department == dept]
        assert sum(p.capacity for p in pools) == staff
        assert sum(world.plan.departments[dept].stationed) == round({"um": 0.5, "housing": 0.34}[dept] * staff)
    # round(0.5 * 9) = 4 people move. Street a has twice the grids of street b, hence twice
    # the demand: quotas 2.67 and 1.33 under proportional allocation, 2 and 2 under equal.
    assert world.plan.departments["um"].stationed == ((3, 1) if allocation == "proportional" else (2, 2))
