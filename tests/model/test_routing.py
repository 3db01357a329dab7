"""Unit tests of the routing rules: triage, which unit serves a street, on-call hours, and the
report figures of whistle-and-report."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.analysis.reform_metrics import report_metrics, report_summary
from sim.model.calendar import OffHours, WorkingCalendar
from sim.model.department import Department
from sim.model.pool import Pool
from sim.model.routing import CENTRE, REFER, STREET, TEAM, WHISTLE, RoutingRule
from sim.model.staffing import staffing_plan
from sim.model.streams import Streams
from sim.model.visit import acquire
from sim.model.world import World
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict

OFFICE = WorkingCalendar(["mon", "tue", "wed", "thu", "fri"], 9, 17)


def _rule(whistle=None, sinking=None, **changes) -> RoutingRule:
    reform = {"whistle": whistle or {}, "sinking": sinking or {}}
    s = scenario_from_dict(tiny_dict(reform=reform, **changes))
    return RoutingRule(s, staffing_plan(s))


# case types of tiny_dict: 0 = parking (um), 1 = joint (um, housing); streets 0 = a, 1 = b
def test_without_the_whistle_everything_outside_the_powers_is_referred():
    rule = _rule(whistle={"enabled": False, "trigger": {"types": "all"}})
    assert rule.route(0, 0) == REFER
    assert rule.route(1, 0) == REFER
    powers = _rule(streets={"a": {"grids": 20, "powers": ["parking"]}, "b": {"grids": 10}})
    assert powers.route(0, 0) == STREET
    assert powers.route(0, 1) == REFER     # street b has no such power
    assert rule.escalation_due(5.0) == math.inf


def test_whistle_triggers_by_type_by_departments_and_after_street_failure():
    rule = _rule(whistle={"enabled": True, "trigger": {
        "types": ["parking"], "min_departments": None, "after_street_failure": False}})
    assert rule.route(0, 0) == WHISTLE
    assert rule.route(1, 0) == REFER
    rule = _rule(whistle={"enabled": True, "trigger": {"min_departments": 2}})
    assert rule.route(0, 0) == REFER
    assert rule.route(1, 0) == WHISTLE
    # The street's own attempt failed: the next round is whistled, not handled by it again.
    rule = _rule(whistle={"enabled": True, "trigger": {"min_departments": None,
                                                        "after_street_failure": True}},
                 streets={"a": {"grids": 20, "powers": ["parking"]}, "b": {"grids": 10}})
    assert rule.route(0, 0) == STREET
    assert rule.route(0, 0, failed_by_street=True) == WHISTLE


def test_the_integrated_centre_takes_multi_department_cases_of_its_members():
    rule = _rule(whistle={"enabled": True, "trigger": {"types": "all"}},
                 sinking={"enabled": True, "fraction": 1.0, "integrated_centre": True,
                          "allocation": "equal"})
    assert rule.route(1, 0) == CENTRE
    assert rule.route(0, 0) == WHISTLE   # one department: no centre
    partial = _rule(whistle={"enabled": True, "trigger": {"types": "all"}},
                    sinking={"enabled": True, "fraction": 1.0, "integrated_centre": True,
                             "allocation": "equal", "centre_departments": ["um"]})
    assert partial.route(1, 0) == WHISTLE


def test_a_small_fraction_stations_nobody_and_builds_no_centre():
    """The report once promised a centre that the model never built (issue 9)."""
    rule = _rule(sinking={"enabled": True, "fraction": 0.1, "integrated_centre": True})
    assert [rule.route(1, s) for s in (0, 1)] == [REFER, REFER]


def test_a_power_that_came_with_sinking_goes_to_the_stationed_team():
    rule = _rule(sinking={"enabled": True, "fraction": 0.5, "powers": ["parking"],
                          "allocation": "equal"})
    assert rule.route(0, 0) == TEAM
    assert rule.route(0, 1) == TEAM


def test_escalation_after_a_wait():
    rule = _rule(whistle={"enabled": True, "trigger": {"after_wait": "2d"}})
    assert rule.escalation_due(10.0) == pytest.approx(58.0)
    # In the street's hours: due Wednesday 10:00 stays; due Wednesday 20:00 waits for 09:00.
    assert rule.escalation_due(10.0, OFFICE) == pytest.approx(58.0)
    assert rule.escalation_due(20.0, OFFICE) == pytest.approx(24 * 3 + 9.0)


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
    data = tiny_dict(streets={n: {"grids": 10} for n in "abcde"},
                     departments={"um": {"staff": 2}, "housing": {"staff": 3}},
                     reform={"sinking": {"enabled": True, "fraction": {"um": 1.0},
                                         "allocation": "proportional"}})
    s = scenario_from_dict(data)
    plan = staffing_plan(s).departments["um"]
    staffed = sorted(plan.teams)
    assert plan.central.headcount == 0 and len(staffed) == 2
    empty = [x for x in range(5) if x not in staffed]
    # In turn: the k-th street without a team is covered by the k-th street with one, cycling.
    assert plan.cover == {x: staffed[k % 2] for k, x in enumerate(empty)}
    env = simpy.Environment()
    central = Pool(env, "um/central", "central", 0, OFFICE, lambda: 1.0, "um")
    dept = Department("um", 0, central, OFFICE, lambda: 1.0, lambda: 1.0, overflow="wait")
    dept.teams = {x: Pool(env, f"um/{x}", "stationed", 1, OFFICE, lambda: 0.25, "um", str(x))
                  for x in staffed}
    dept.cover = plan.cover
    for x in empty:
        team, travel = dept.unit_for(x)
        assert team is dept.teams[plan.cover[x]] and travel is central.travel  # from afar
    for _ in range(3):
        dept.teams[staffed[0]].request(1)   # the cover is fixed, however busy it gets
    env.run(until=0.1)
    assert dept.unit_for(empty[0])[0] is dept.teams[staffed[0]]
    assert dept.unit_for(staffed[0]) == (dept.teams[staffed[0]], None)  # its own team


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
