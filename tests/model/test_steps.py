"""The step log (``sim.model.steps``) against the case columns and the visit log.

The step log is written beside the case columns, by separate statements; these tests check the
two tell the same story for every case of small runs that exercise every route and step:
referral with misrouting, bounces and citizen recalls; the whistle (by type and after a wait)
with its refusals and the closed loop's reopenings; resource sinking with teams, an integrated
centre and a preemptive whistle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.model.replication import run_replication
from sim.model.steps import STEPS
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict


def _four_weeks(**changes) -> dict:
    data = tiny_dict(simulation={"horizon": "28d", "warmup": "1d", "drain_limit": "90d"},
                     **changes)
    data["case_types"]["parking"].update(bounce_prob=0.3, quality_failure=0.25,
                                         misroute_prob=0.2, on_spot_share=0.2)
    data["case_types"]["joint"].update(rate=0.05, quality_failure=0.2, bounce_prob=0.3)
    # Street vending: the street's own power in street "a"; a power that sinking brings (a
    # team's) in the reform below.
    data["case_types"]["vending"] = {"rate": 0.05, "departments": ["um"], "deadline": "24h",
                                     "quality_failure": 0.2}
    data["streets"]["a"]["powers"] = ["vending"]
    return data


SCENARIOS = {
    "referral": _four_weeks(),
    "whistle": _four_weeks(reform={"whistle": {
        "enabled": True, "trigger": {"types": ["joint"], "after_wait": "2d"},
        "bounce_factor": 0.5, "after_hours": "on_call"}}),
    "sinking_preemptive": _four_weeks(reform={
        "sinking": {"enabled": True, "fraction": {"um": 0.5, "housing": 0.5},
                    "integrated_centre": True, "powers": {"vending": "um"}},
        "whistle": {"enabled": True, "trigger": {"types": ["joint"]},
                    "priority": "preemptive"}}),
}


def _run(name: str):
    rep = run_replication(scenario_from_dict(SCENARIOS[name]), 7, 0)
    return rep.cases.set_index("case_id"), rep.steps, rep.visits, rep.end_time


def _per_case(steps: pd.DataFrame, step: str, how: str) -> pd.Series:
    return steps[steps["step"] == step].groupby("case_id")["time"].agg(how)


def _same(step_times: pd.Series, column: pd.Series) -> None:
    """``step_times`` (by case) are exactly ``column`` where it is set, and absent elsewhere."""
    expected = column.dropna()
    assert sorted(step_times.index) == sorted(expected.index)
    assert np.array_equal(step_times.sort_index().to_numpy(), expected.sort_index().to_numpy())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_step_log_agrees_with_the_case_columns(name):
    cases, steps, visits, end = _run(name)
    assert list(steps["step"].cat.categories) == list(STEPS)
    # Every case occurs once; reported, dispatched, whistled, on site, resolved and closed
    # steps fall exactly at the case's timestamps (the first or the last of them).
    _same(_per_case(steps, "occurred", "first"), cases["t_occur"])
    assert steps[steps["step"] == "occurred"].groupby("case_id").size().eq(1).all()
    _same(_per_case(steps, "reported", "first"), cases["t_report"])
    _same(_per_case(steps, "dispatched", "first"), cases["t_dispatch"])
    _same(_per_case(steps, "whistled", "min"), cases["t_whistle"])
    _same(_per_case(steps, "on site", "min"), cases["t_onsite"])
    _same(_per_case(steps, "resolved", "first"), cases["t_resolved"])
    assert steps[steps["step"] == "resolved"].groupby("case_id").size().eq(1).all()
    _same(_per_case(steps, "closed", "max"), cases["t_closed"])
    # Counts: a bounced step per bounce, a reopened step per reopening, a triage per round.
    counts = steps.groupby(["case_id", "step"], observed=False).size().unstack(fill_value=0)
    counts = counts.reindex(cases.index, fill_value=0)
    assert counts["bounced"].equals(cases["bounces"].astype(counts["bounced"].dtype))
    assert counts["reopened"].equals(cases["reopens"].astype(counts["reopened"].dtype))
    dispatched = cases["t_dispatch"].notna()
    assert (counts.loc[dispatched, "dispatched"] == cases.loc[dispatched, "reopens"] + 1).all()
    assert (counts.loc[~dispatched, ["dispatched", "referred", "whistled"]] == 0).all().all()
    closed_loop = name != "referral"   # the whistle's closed loop is on by default
    done = cases["resolved"]
    assert (counts.loc[done, "closed"]
            == (1 if closed_loop else cases.loc[done, "reopens"] + 1)).all()
    if name == "referral":   # without the whistle every hand-off is a referral
        assert counts["referred"].equals(cases["handoffs"].astype(counts["referred"].dtype))
    # Every team on site is a visit on site, case by case; at the same times, except where a
    # whistle called a team back on its way (the visit log keeps the first departure's
    # arrival, the step log the arrival after the team set out again).
    arrived = visits[visits["t_onsite"] <= end]
    on_site = steps[steps["step"] == "on site"]
    assert arrived["case_id"].value_counts().sort_index().equals(
        on_site["case_id"].value_counts().sort_index())
    if "preemptive" not in name:
        assert sorted(zip(arrived["case_id"], arrived["t_onsite"], strict=True)) == sorted(
            zip(on_site["case_id"], on_site["time"], strict=True))
    # Each case's steps are in time order.
    assert (steps.groupby("case_id")["time"].diff().dropna() >= 0).all()
    assert steps["case_id"].is_monotonic_increasing


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_units_are_those_that_took_the_steps(name):
    cases, steps, visits, _ = _run(name)
    unit = steps["unit"].astype(str)
    street = cases.loc[steps["case_id"], "street"].astype(str).to_numpy()
    step = steps["step"].astype(str)
    assert (unit[step == "occurred"] == "grid").all()
    reported = steps[step == "reported"]
    found = cases.loc[reported["case_id"], "discovered_by"].astype(str).to_numpy()
    assert (reported["unit"].astype(str).to_numpy()
            == np.where(found == "patrol", "grid worker", "citizen")).all()
    assert (unit[step == "dispatched"] == street[step == "dispatched"] + "/dispatch").all()
    assert set(unit[step == "on site"]) <= set(visits["pool"])
    departments = set(SCENARIOS[name]["departments"])
    assert set(unit[step.isin(["whistled", "bounced"])]) <= departments
    spot = cases.index[cases["handled_by"] == "grid"]
    assert len(spot) > 0
    fixed = steps[steps["case_id"].isin(spot) & step.isin(["resolved", "closed"])]
    assert (fixed["unit"] == "grid worker").all() and len(fixed) == 2 * len(spot)


def test_the_small_runs_exercise_every_step_and_route():
    """The runs above would check little if a step never happened in them."""
    seen, routes = set(), set()
    for name in SCENARIOS:
        cases, steps, _, _ = _run(name)
        seen |= set(steps["step"].astype(str))
        routes |= set(cases["route"].astype(str))
        assert cases.loc[cases["t_report"].notna(), "resolved"].all()   # drained to the end
    assert seen == set(STEPS)
    assert {"street", "team", "centre", "refer", "whistle"} <= routes
