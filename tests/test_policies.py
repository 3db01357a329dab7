"""Unit tests of the routing rules: triage, which unit serves a street, on-call hours, and the
report figures of whistle-and-report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.analysis.reform_metrics import report_metrics, report_summary
from sim.model.calendar import WorkingCalendar
from sim.model.department import Department, OffHours, acquire
from sim.model.policies import (
    ROUTE_CENTRE,
    ROUTE_REFER,
    ROUTE_STREET,
    ROUTE_WHISTLE,
    TriagePolicy,
)
from sim.model.pool import Pool
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict

OFFICE = WorkingCalendar(["mon", "tue", "wed", "thu", "fri"], 9, 17)


class _Street:
    """What the triage policy looks at on a street."""

    def __init__(self, powers=(), centre=None, centre_departments=()):
        self.index = 0
        self.powers = frozenset(powers)
        self.centre = centre
        self.centre_departments = frozenset(centre_departments)


class _Centre:
    capacity = 3


def _policy(**whistle) -> TriagePolicy:
    data = tiny_dict(reform={"whistle": whistle})
    s = scenario_from_dict(data)
    return TriagePolicy(s, list(s.case_types), [])


# case types of tiny_dict: 0 = parking (um), 1 = joint (um, housing)
def test_without_the_whistle_everything_outside_the_powers_is_referred():
    p = _policy(enabled=False, trigger={"types": "all"})
    assert p.route(0, _Street(), False, 1, (0,)) == ROUTE_REFER
    assert p.route(1, _Street(), False, 2, (0, 1)) == ROUTE_REFER
    assert p.route(0, _Street(powers=[0]), False, 1, (0,)) == ROUTE_STREET
    assert p.escalation_due(5.0) == math.inf


def test_whistle_triggers_by_type_by_departments_and_after_street_failure():
    p = _policy(enabled=True, trigger={"types": ["parking"], "min_departments": None,
                                       "after_street_failure": False})
    assert p.route(0, _Street(), False, 1, (0,)) == ROUTE_WHISTLE
    assert p.route(1, _Street(), False, 2, (0, 1)) == ROUTE_REFER
    p = _policy(enabled=True, trigger={"min_departments": 2})
    assert p.route(0, _Street(), False, 1, (0,)) == ROUTE_REFER
    assert p.route(1, _Street(), False, 2, (0, 1)) == ROUTE_WHISTLE
    # The street's own attempt failed: the next round is whistled, not handled by it again.
    p = _policy(enabled=True, trigger={"min_departments": None, "after_street_failure": True})
    street = _Street(powers=[0])
    assert p.route(0, street, False, 1, (0,)) == ROUTE_STREET
    assert p.route(0, street, True, 1, (0,)) == ROUTE_WHISTLE


def test_the_integrated_centre_takes_multi_department_cases_of_its_members():
    p = _policy(enabled=True, trigger={"types": "all"})
    street = _Street(centre=_Centre(), centre_departments=[0, 1])
    assert p.route(1, street, False, 2, (0, 1)) == ROUTE_CENTRE
    assert p.route(0, street, False, 1, (0,)) == ROUTE_WHISTLE  # one department: no centre
    partial = _Street(centre=_Centre(), centre_departments=[0])
    assert p.route(1, partial, False, 2, (0, 1)) == ROUTE_WHISTLE


def test_escalation_after_a_wait():
    p = _policy(enabled=True, trigger={"after_wait": "2d"})
    assert p.escalation_due(10.0) == pytest.approx(58.0)
    assert not p.escalates(47.9)
    assert p.escalates(48.0)


# ---------------------------------------------------------------------------- unit_for
def _department(env, central_staff, teams, overflow):
    central = Pool(env, "d/central", "central", central_staff, OFFICE, lambda: 1.0, "d")
    dept = Department("d", 0, central, OFFICE, lambda: 1.0, lambda: 1.0, overflow=overflow)
    for street, people in teams.items():
        dept.teams[street] = Pool(env, f"d/{street}", "stationed", people, OFFICE,
                                  lambda: 0.25, "d", str(street))
    return dept


def test_the_stationed_team_comes_first_and_overflows_only_when_busy():
    env = simpy.Environment()
    dept = _department(env, 2, {0: 1}, "central")
    team = dept.teams[0]
    assert dept.unit_for(0) == (team, None)
    assert dept.unit_for(1) == (dept.central, None)    # no team there
    held = team.request(1)                             # the one team member is busy
    env.run(until=0.1)
    assert held.triggered
    assert dept.unit_for(0) == (dept.central, None)
    waiting = _department(env, 2, {0: 1}, "wait")
    waiting.teams[0].request(1)
    env.run(until=0.2)
    assert waiting.unit_for(0) == (waiting.teams[0], None)


def test_a_street_without_a_team_is_covered_by_another_when_nobody_stayed_central():
    env = simpy.Environment()
    dept = _department(env, 0, {1: 1, 3: 2}, "wait")   # streets 0, 2, 4 have no team
    covers = {s: dept.unit_for(s) for s in (0, 2, 4)}
    assert covers[0][0] is dept.teams[1]    # in turn: 0 -> street 1's team, 2 -> 3's, 4 -> 1's
    assert covers[2][0] is dept.teams[3]
    assert covers[4][0] is dept.teams[1]
    assert all(travel is dept.central.travel for _, travel in covers.values())  # from afar
    for _ in range(3):
        dept.teams[1].request(1)            # the cover is fixed, however busy it gets
    env.run(until=0.1)
    assert dept.unit_for(0)[0] is dept.teams[1]
    assert dept.unit_for(1) == (dept.teams[1], None)   # a street with a team keeps its own
    with_central = _department(env, 1, {1: 1}, "wait")
    assert with_central.unit_for(0) == (with_central.central, None)


# ---------------------------------------------------------------------------- on call
def test_off_hours_are_the_complement_of_the_office():
    off = OffHours(OFFICE)
    week = 7 * 24.0
    assert off.open_hours_between(0, week) == pytest.approx(week - 40)
    assert off.is_open(3.0) and not off.is_open(10.0)          # Monday 03:00 / 10:00
    assert off.next_open(10.0) == pytest.approx(17.0)
    assert off.next_open(20.0) == 20.0


def test_a_case_waiting_for_on_call_staff_moves_to_the_office_when_it_opens():
    env = simpy.Environment()
    office = Pool(env, "d/central", "central", 2, OFFICE, lambda: 1.0, "d")
    on_call = Pool(env, "d/on_call", "on_call", 1, OffHours(OFFICE), lambda: 1.0, "d")
    on_call.request(0)                      # the only on-call person is busy all night
    got = {}

    def case():
        pool, _req = yield from acquire(env, office, 0, on_call)
        got["pool"], got["t"] = pool, env.now

    env.run(until=2.0)                      # Monday 02:00
    env.process(case())
    env.run(until=30.0)
    assert got == {"pool": office, "t": 9.0}
    assert len(on_call.resource.queue) == 0  # it left the on-call queue


# ---------------------------------------------------------------------------- report figures
def _visits(rows):
    v = pd.DataFrame(rows, columns=["replication", "case_id", "department", "whistled",
                                    "t_request", "t_onsite"])
    v.insert(0, "scenario", "s")
    return v


def test_report_figures_per_department_and_per_case():
    visits = _visits([
        (0, 1, "um", True, 10.0, 10.4),     # case 1: both in time
        (0, 1, "housing", True, 10.0, 10.5),
        (0, 2, "um", True, 20.0, 20.2),     # case 2: housing late
        (0, 2, "housing", True, 20.0, 21.0),
        (0, 3, "um", True, 30.0, np.nan),   # case 3: never on site
        (0, 3, "um", True, 50.0, 50.1),     # ... its second whistle does not count per case
        (0, 4, "um", False, 0.0, 5.0),      # referred: not a report
        (0, 5, "um", True, 1.0, 1.1),       # a warm-up case
    ])
    cases = pd.DataFrame({"replication": 0, "case_id": [1, 2, 3, 4, 5],
                          "in_warmup": [False, False, False, False, True]})
    per = report_metrics(visits, cases, 0.5).set_index("department")
    assert per.loc["ALL", "summoned"] == 3
    assert per.loc["ALL", "on_time_share"] == pytest.approx(1 / 3)
    assert per.loc["um", "summoned"] == 4
    assert per.loc["um", "on_time_share"] == pytest.approx(3 / 4)
    assert per.loc["um", "mean_report_h"] == pytest.approx((0.4 + 0.2 + 0.1) / 3)
    assert per.loc["um", "p90_report_h"] == math.inf        # one in four never came
    assert per.loc["housing", "on_time_share"] == pytest.approx(1 / 2)
    summary = report_summary(visits, cases, 0.5)
    assert list(summary["department"]) == ["ALL", "housing", "um"]


def test_no_whistle_gives_an_empty_report_table():
    visits = _visits([(0, 1, "um", False, 0.0, 1.0)])
    cases = pd.DataFrame({"replication": [0], "case_id": [1], "in_warmup": [False]})
    assert report_summary(visits, cases, 0.5).empty


def test_on_call_staff_are_not_extra_headcount_and_dispatch_counts_its_cases():
    data = tiny_dict(reform={"whistle": {"enabled": True, "after_hours": "on_call",
                                         "on_call_share": 0.5}})
    world = World(scenario_from_dict(data), Streams(1, 0)).run()
    on_call = {p.department: p for p in world.pools if p.kind == "on_call"}
    assert {d: p.capacity for d, p in on_call.items()} == {"um": 2, "housing": 2}
    assert isinstance(on_call["um"].calendar, OffHours)
    assert sum(p.served for p in world.pools if p.kind == "dispatch") > 0


def test_joint_whistles_never_deadlock():
    """Two joint cases must never each hold a person the other waits for. With one person per
    department, bounces that delay one department's signal and a load well below capacity,
    every case is resolved (fetching all teams at once used to lock up most replications)."""
    from sim.model.replication import run_replication
    from sim.scenario import scenario_from_dict
    from tests.conftest import tiny_dict

    always = {"calendar": "always", "travel_time": {"kind": "fixed", "value": 0.1}}
    scenario = scenario_from_dict(tiny_dict(
        simulation={"horizon": "7d", "warmup": 0, "drain_limit": "30d"},
        departments={"um": {"staff": 1, **always}, "housing": {"staff": 1, **always}},
        case_types={"joint": {"rate": 0.2, "departments": ["um", "housing"], "deadline": "7d",
                              "bounce_prob": 0.5, "work": {"kind": "fixed", "value": 0.5}}},
        reform={"whistle": {"enabled": True, "signal_delay": "1h",
                            "verification": {"enabled": False}}},
    ))
    for replication in range(6):
        cases = run_replication(scenario, 7, replication).cases
        reported = cases[cases["t_report"].notna()]
        assert len(reported) > 20
        assert reported["resolved"].all(), f"replication {replication}: cases left unresolved"
