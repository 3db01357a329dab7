"""The reform mechanisms on small controlled scenarios (issue 3), and common random numbers
across the bundled scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.reform_metrics import report_metrics
from sim.model.replication import case_table, pool_table, run_replication, visit_table
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario import load_scenario, scenario_from_dict
from tests.conftest import SCENARIOS, tiny_dict


def _run(data: dict, seed: int = 1):
    """World, cases, visits and pools of one replication of ``data``."""
    s = scenario_from_dict(data)
    world = World(s, Streams(seed, 0)).run()
    return world, case_table(world, s, 0), visit_table(world, s, 0), \
        pool_table(world, s, 0, world.end_time)


def _whistle(**block) -> dict:
    return {"whistle": {"enabled": True, **block}}


def _four_weeks(**changes) -> dict:
    """``tiny_dict`` with four weeks of cases (about 190), for counting tests."""
    return tiny_dict(simulation={"horizon": "28d", "warmup": "1d", "drain_limit": "60d"},
                     **changes)


# ---------------------------------------------------------------------------- whistle
def test_with_ample_staff_every_whistled_case_is_on_site_within_the_deadline():
    data = _four_weeks(reform=_whistle(trigger={"types": "all"}, signal_delay="10min",
                                     report_within="30min", after_hours="on_call",
                                     bounce_factor=0))
    data["departments"] = {d: {"staff": "unlimited", "travel_time": {"kind": "fixed",
                                                                      "value": "15min"}}
                           for d in ("um", "housing")}
    _, cases, visits, _ = _run(data)
    whistled = visits[visits["whistled"]]
    assert len(whistled) > 100
    report = whistled["t_onsite"] - whistled["t_request"]
    assert report.notna().all() and (report <= 0.5 + 1e-9).all()
    w = cases[cases["whistled"]]
    assert ((w["t_onsite"] - w["t_whistle"]) <= 0.5 + 1e-9).all()
    per = report_metrics(visits, cases, 0.5)
    assert (per["on_time_share"] == 1.0).all()

    # The same with one person per department and office hours only: many are late.
    data["departments"] = {"um": {"staff": 1}, "housing": {"staff": 1}}
    data["reform"]["whistle"]["after_hours"] = "office"
    _, cases, visits, _ = _run(data)
    per = report_metrics(visits, cases, 0.5).set_index("department")
    assert per.loc["ALL", "on_time_share"] < 0.5


@pytest.mark.parametrize("factor", [0.0, 1.0])
def test_bounce_factor_zero_means_no_bounces(factor: float):
    data = _four_weeks(reform=_whistle(bounce_factor=factor))
    for ct in data["case_types"].values():
        ct.update(bounce_prob=0.5, misroute_prob=0.3)
    _, cases, _, _ = _run(data)
    assert cases["whistled"].any() and not cases["whistled"].all()  # both routes are taken
    if factor == 0:
        assert cases["bounces"].sum() == 0
    else:  # the control: the same cases do bounce without the assessment power
        assert cases["bounces"].sum() > 20


@pytest.mark.parametrize("joint_work", ["max", "sum"])
def test_joint_handling_starts_only_when_the_last_team_is_on_site(joint_work: str):
    # A long wait limit: here every summoned team comes (the limit has a test of its own).
    data = _four_weeks(reform=_whistle(trigger={"min_departments": 2}, joint_work=joint_work,
                                       joint_wait_limit="60d"))
    data["case_types"]["joint"]["rate"] = 0.2
    data["departments"] = {
        "um": {"staff": 3, "travel_time": {"kind": "lognormal", "mean": "1h", "cv": 0.5}},
        "housing": {"staff": 2, "travel_time": {"kind": "fixed", "value": "15min"}}}
    world, cases, visits, _ = _run(data)
    joint = cases[(cases["case_type"] == "joint") & cases["whistled"] & (cases["reopens"] == 0)
                  & cases["resolved"]]
    # Cases where a department was absent (nobody free within the wait limit) are handled in
    # two steps; here: the cases both teams came to together.
    mine = visits[visits["case_id"].isin(joint["case_id"])]
    together = mine.groupby("case_id")["t_onsite"].agg(lambda t: len(t) == 2 and t.notna().all())
    joint = joint[joint["case_id"].isin(together.index[together])]
    assert len(joint) > 50
    arrivals = mine[mine["case_id"].isin(joint["case_id"])].groupby("case_id")["t_onsite"]
    last, first = arrivals.max(), arrivals.min()
    assert ((last - first) > 0.1).mean() > 0.3     # teams often arrive apart
    ids = joint["case_id"].to_numpy()
    work = world.cases.work[ids, :2]
    expected = work.max(axis=1) if joint_work == "max" else work.sum(axis=1)
    resolved = joint.set_index("case_id")["t_resolved"]
    # Work follows office hours (overtime: none): a job not done by 17:00 goes on at 09:00.
    office = world.calendars["office"]
    ends = [office.work_end(t, w) for t, w in zip(last.loc[ids], expected, strict=True)]
    np.testing.assert_allclose(resolved.loc[ids].to_numpy(), ends, rtol=0, atol=1e-9)
    assert (np.asarray(ends) > last.loc[ids].to_numpy() + expected + 1).any()  # some paused


def test_a_stuck_referral_is_whistled_after_the_wait():
    data = _four_weeks(reform=_whistle(trigger={"types": [], "min_departments": None,
                                              "after_street_failure": False,
                                              "after_wait": "1d"}))
    data["referral"] = {"admin_delay_working_days": {"kind": "fixed", "value": 10}}
    world, cases, _, _ = _run(data)
    flow = cases[cases["handled_by"] == "department"]
    assert len(flow) > 100 and flow["whistled"].all()
    # Whistled once it has waited a day, at the next moment the street's office is open.
    office = world.calendars["office"]
    due = [office.next_open(t + 24.0) for t in flow["t_report"]]
    np.testing.assert_allclose(flow["t_whistle"], due, atol=1e-9)
    assert (flow["t_whistle"] - flow["t_report"] > 24.0 + 1).any()   # some waited overnight


@pytest.mark.parametrize("priority", ["preemptive", "non_preemptive"])
def test_a_whistle_interrupts_a_referred_visit_only_in_a_preemptive_pool(priority: str):
    """Urgent cases are whistled to the department that also serves referred parking cases.

    A referred visit that is never interrupted ends exactly its work after its team is on
    site; one a whistle preempted ends later, by the time its person was away, part of which
    it spent queueing again (added to its wait, once). Preemptive pools must interrupt some
    visits, non-preemptive ones none; either way every case runs to its end.
    """
    data = _four_weeks(reform=_whistle(priority=priority, trigger={"types": ["urgent"]}))
    data["case_types"]["urgent"] = {"rate": 0.05, "departments": ["um"], "deadline": "4h"}
    data["departments"] = {"um": {"staff": 4}, "housing": {"staff": 1}}
    # Jobs run to their end past closing: the only pause a visit can have is a preemption.
    data["calendars"] = {"office": {"overtime": "unlimited"}}
    world, cases, visits, pools = _run(data)
    assert cases.loc[cases["t_report"].notna(), "resolved"].all()
    referred = cases[(cases["case_type"] == "parking") & cases["resolved"] & ~cases["whistled"]
                     & (cases["handled_by"] == "department") & (cases["reopens"] == 0)]
    referred = referred.set_index("case_id")
    visit = visits.set_index("case_id").loc[referred.index]   # one department, one visit
    assert visit.index.is_unique and len(visit) > 80
    work = world.cases.work[referred.index.to_numpy(), 0]
    away = referred["t_resolved"] - visit["t_onsite"] - work
    queued_again = referred["wait_h"] - (visit["t_start"] - visit["t_request"])
    assert (away > -1e-9).all()
    interrupted = away > 1e-9
    if priority == "preemptive":
        assert interrupted.sum() >= 5
        assert (queued_again[interrupted] > 0).all()
        assert (queued_again[interrupted] <= away[interrupted] + 1e-9).all()
    else:
        assert not interrupted.any()
    started = visits.dropna(subset=["t_start"])
    assert (started["t_start"] >= started["t_request"]).all()
    assert (pools["busy_hours"] >= 0).all()
    # A preempted team's time away is neither an arrival on site nor counted twice as waiting.
    done = cases[cases["resolved"] & (cases["handled_by"] == "department")]
    assert (done["t_onsite"] >= done["t_report"]).all()
    assert (done["t_onsite"] <= done["t_resolved"] + 1e-9).all()
    single = done[done["case_type"] == "parking"]
    assert (single["wait_h"] <= single["response_h"] + 1e-9).all()


# ---------------------------------------------------------------------------- sinking
@pytest.mark.parametrize("allocation", ["proportional", "equal"])
@pytest.mark.parametrize("overflow", ["central", "wait"])
def test_sinking_nothing_reproduces_the_baseline_exactly(allocation: str, overflow: str):
    base = tiny_dict()
    sunk = tiny_dict(reform={"sinking": {"enabled": True, "fraction": 0.0,
                                         "allocation": allocation, "overflow": overflow,
                                         "integrated_centre": True}})
    _, a, va, pa = _run(base, seed=3)
    _, b, vb, pb = _run(sunk, seed=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(va, vb)
    pd.testing.assert_frame_equal(pa, pb)


@pytest.mark.parametrize("whistle", [False, True])
def test_sinking_everyone_without_overflow_leaves_the_central_pools_idle(whistle: bool):
    data = tiny_dict(reform={"sinking": {"enabled": True, "fraction": 1.0,
                                         "overflow": "wait"},
                             "whistle": {"enabled": whistle}})
    data["departments"] = {"um": {"staff": 4}, "housing": {"staff": 1}}  # housing: 1 street
    world, cases, _, pools = _run(data)
    central = pools[pools["kind"] == "central"]
    assert len(central) == 2
    assert (central["staff"] == 0).all()
    assert (central["busy_hours"] == 0).all() and (central["served"] == 0).all()
    assert pools.loc[pools["kind"] == "stationed", "busy_hours"].sum() > 0
    # The street without a housing team borrows the other's: nobody is left unserved.
    assert world.plan.departments["housing"].stationed in ((1, 0), (0, 1))
    assert cases.loc[cases["t_report"].notna(), "resolved"].all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(um=st.integers(0, 60), housing=st.integers(0, 60),
       fraction=st.floats(0, 1), housing_fraction=st.floats(0, 1),
       allocation=st.sampled_from(["proportional", "equal"]), centre=st.booleans(),
       streets=st.integers(1, 6))
def test_headcount_is_preserved_under_every_allocation(um, housing, fraction, housing_fraction,
                                                       allocation, centre, streets):
    data = tiny_dict(reform={"sinking": {
        "enabled": True, "fraction": {"um": fraction, "housing": housing_fraction},
        "allocation": allocation, "integrated_centre": centre}})
    data["simulation"] = {"horizon": "1d", "drain_limit": "1d"}
    data["streets"] = {f"s{k}": {"grids": 3 + 7 * k} for k in range(streets)}
    data["departments"] = {"um": {"staff": um}, "housing": {"staff": housing}}
    world = World(scenario_from_dict(data), Streams(1, 0))
    staffed = [p for p in world.pools if p.kind in ("central", "stationed", "centre")]
    assert sum(p.capacity for p in staffed) == um + housing
    for dept, staff, f in (("um", um, fraction), ("housing", housing, housing_fraction)):
        teams = world.plan.departments[dept].stationed
        assert all(t >= 0 for t in teams)
        assert sum(teams) == round(f * staff)
        central = next(p for p in world.pools if p.name == f"{dept}/central")
        assert central.capacity + sum(teams) == staff
    for street in world.streets:
        if street.centre is not None:
            members = [world.plan.departments[world.departments[d].name].stationed[street.index]
                       for d in street.centre_departments]
            assert street.centre.capacity == sum(members)


# ---------------------------------------------------------------------------- CRN
def test_every_bundled_scenario_sees_the_same_cases():
    """Common random numbers: the reforms never shift the case streams."""
    keys = ["case_id", "case_type", "street", "grid", "t_occur"]
    frames = {name: run_replication(load_scenario(SCENARIOS / f"{name}.yaml"), 11, 0).cases
              for name in ("baseline", "whistle", "sinking", "combined")}
    base = frames["baseline"]
    assert len(base) > 1000
    for name in ("whistle", "sinking", "combined"):
        pd.testing.assert_frame_equal(base[keys], frames[name][keys], check_categorical=True)
    # Without a change of grid coverage the reports come at the same moments, too.
    pd.testing.assert_series_equal(base["t_report"], frames["whistle"]["t_report"])
    # ... and the reforms do change what happens to these cases.
    assert not np.allclose(base["response_h"], frames["combined"]["response_h"],
                           equal_nan=True)


# ---------------------------------------------------------------------------- calibration


def test_a_whistle_preempting_a_person_in_the_instant_of_the_grant_does_not_crash():
    """At 09:00 everything queued overnight asks for staff at once: in a preemptive pool a
    whistle can take back a person granted to a referred case before that case resumed. The
    case asks again (this crashed the run with an uncaught Interrupt)."""
    s = load_scenario(SCENARIOS / "combined.yaml",
                      ["reform.whistle.priority=preemptive", "simulation.horizon=28d",
                       "simulation.warmup=7d"])
    for replication in (0, 1):
        cases = run_replication(s, 1, replication).cases
        assert cases.loc[cases["t_report"].notna(), "resolved"].mean() > 0.99
