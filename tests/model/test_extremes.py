"""Extreme settings that pin the model's logic: each has an answer known without simulating.

The base is a district where every time is fixed and every calendar always open, so that a
case's response time can be written down by hand; each test then changes one thing.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.analysis.summary import ALL, summary_table
from sim.cli import main
from sim.model.calendar import WorkingCalendar
from sim.model.grid import BOUNCE_DRAWS
from sim.model.replication import CASE_COLUMNS, run_replication
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict

TRIAGE, ADMIN_DAYS, TRAVEL, WORK = 0.1, 0.5, 1.0, 2.0


def fixed(hours: float) -> dict:
    return {"kind": "fixed", "value": hours}


def clockwork(**changes) -> dict:
    """Unlimited staff everywhere, always open, fixed times, nothing bounced or reopened."""
    data = {
        "name": "clockwork",
        "simulation": {"horizon": "5d", "warmup": 0, "drain_limit": "30d"},
        "street_defaults": {"dispatchers": "unlimited", "staff": "unlimited",
                            "calendar": "always", "travel_time": fixed(TRAVEL),
                            "report_delay": fixed(0.25)},
        "streets": {"a": {"grids": 30}, "b": {"grids": 20}},
        "departments": {
            "um": {"staff": "unlimited", "calendar": "always", "travel_time": fixed(TRAVEL)},
            "housing": {"staff": "unlimited", "calendar": "always",
                        "travel_time": fixed(TRAVEL)}},
        "case_types": {
            "parking": {"rate": 0.3, "departments": ["um"], "work": fixed(WORK),
                        "deadline": "24h"},
            "joint": {"rate": 0.1, "departments": ["um", "housing"], "work": fixed(WORK),
                      "deadline": "7d"},
        },
        "triage": {"time": fixed(TRIAGE)},
        "referral": {"admin_delay_working_days": fixed(ADMIN_DAYS),
                     "bounce_return_working_days": fixed(1.0)},
    }
    data.update(changes)
    return data


def run(data: dict, seed: int = 1):
    return run_replication(scenario_from_dict(data), seed, 0)


def reported(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[cases["t_report"].notna()]


def test_clockwork_response_times_are_exact():
    """Referral one department after another: each costs paperwork, travel and work."""
    cases = reported(run(clockwork()).cases)
    assert len(cases) > 50 and cases["resolved"].all()
    one = TRIAGE + ADMIN_DAYS * 24 + TRAVEL + WORK     # an always-open day has 24 hours
    two = TRIAGE + 2 * (ADMIN_DAYS * 24 + TRAVEL + WORK)
    expected = np.where(cases["case_type"] == "parking", one, two)
    np.testing.assert_allclose(cases["response_h"], expected)
    np.testing.assert_allclose(cases["t_dispatch"] - cases["t_report"], TRIAGE)
    np.testing.assert_allclose(cases["t_onsite"] - cases["t_dispatch"],
                               ADMIN_DAYS * 24 + TRAVEL)
    assert (cases["handoffs"] == np.where(cases["case_type"] == "parking", 1, 2)).all()
    assert (cases["handled_by"] == "department").all()
    assert (cases["deadline_met"] == (expected <= cases["deadline_h"])).all()


def test_unlimited_staff_means_no_queueing():
    data = tiny_dict()
    data["street_defaults"] = {"dispatchers": "unlimited", "staff": "unlimited",
                               "calendar": "always"}
    data["departments"] = {"um": {"staff": "unlimited", "calendar": "always"},
                           "housing": {"staff": "unlimited", "calendar": "always"}}
    data["case_types"]["parking"]["rate"] = 2.0      # heavy demand, which nobody waits for
    rep = run(data)
    cases = reported(rep.cases)
    assert len(cases) > 300
    assert (cases["wait_h"] == 0).all()
    assert (rep.visits["t_start"] == rep.visits["t_request"]).all()
    assert cases["resolved"].all()


def test_unlimited_staff_in_office_hours_waits_only_for_the_office_to_open():
    """A case cannot start outside open hours: with unlimited staff, that is the only wait."""
    data = clockwork()
    # Streets handle everything themselves, with office hours: cases arrive at any hour.
    data["street_defaults"].update(calendar="office", powers=["parking", "joint"])
    rep = run(data)
    office = WorkingCalendar(["mon", "tue", "wed", "thu", "fri"], 9, 17)
    v = rep.visits[rep.visits["t_start"].notna()]
    assert len(v) > 50
    expected = [office.next_open(t) for t in v["t_request"]]
    np.testing.assert_allclose(v["t_start"], expected)
    assert (v["t_start"] > v["t_request"]).any()   # some requests do come after hours
    assert all(office.is_open(t) for t in v["t_start"])


def test_no_bounce_and_no_misrouting_means_no_bounces():
    data = tiny_dict()
    for ct in data["case_types"].values():
        ct["bounce_prob"] = 0
        ct["misroute_prob"] = 0
    cases = reported(run(data).cases)
    assert len(cases) > 20
    assert (cases["bounces"] == 0).all()


def test_certain_bounces_stop_after_the_drawn_ones():
    """A department that always refuses is overruled after BOUNCE_DRAWS refusals."""
    data = clockwork()
    data["case_types"]["parking"]["bounce_prob"] = 1.0
    data["case_types"].pop("joint")
    cases = reported(run(data).cases)
    assert (cases["bounces"] == BOUNCE_DRAWS).all()
    assert (cases["handoffs"] == BOUNCE_DRAWS + 1).all()
    # Each refusal costs a referral and a return, one working (= calendar) day each here.
    one = TRIAGE + ADMIN_DAYS * 24 + TRAVEL + WORK
    np.testing.assert_allclose(cases["response_h"],
                               one + BOUNCE_DRAWS * (ADMIN_DAYS * 24 + 1.0 * 24))


def test_certain_misrouting_costs_one_bounce():
    data = clockwork()
    data["case_types"]["parking"]["misroute_prob"] = 1.0
    cases = reported(run(data).cases)
    parking = cases[cases["case_type"] == "parking"]
    assert (parking["bounces"] == 1).all() and (parking["handoffs"] == 2).all()
    joint = cases[cases["case_type"] == "joint"]
    assert (joint["bounces"] == 0).all()


def test_quality_failures_and_reopenings():
    never = clockwork()
    assert (reported(run(never).cases)["reopens"] == 0).all()
    always = clockwork(reopen={"max_reopens": 2, "citizen_recall": fixed(48.0)})
    for ct in always["case_types"].values():
        ct["quality_failure"] = 1.0
    cases = reported(run(always).cases)
    assert (cases["reopens"] == 2).all()          # the last allowed round is taken as solved
    assert cases["resolved"].all()
    # A reopened case is re-triaged and referred again: the same chain three times, plus two
    # citizen recalls of 48 h; it was closed (unsolved) before it was really resolved.
    one = TRIAGE + ADMIN_DAYS * 24 + TRAVEL + WORK
    parking = cases[cases["case_type"] == "parking"]
    np.testing.assert_allclose(parking["response_h"], 3 * one + 2 * 48.0)


def test_one_case_type_only():
    data = clockwork()
    data["case_types"].pop("joint")
    cases = run(data).cases
    assert set(cases["case_type"]) == {"parking"}
    summary = summary_table(cases)
    assert list(summary["case_type"]) == [ALL, "parking"]
    metrics = ["n", "resolved_share", "mean_h", "p50_h", "p90_h"]
    pd.testing.assert_series_equal(summary.iloc[0][metrics], summary.iloc[1][metrics],
                                   check_names=False)


def test_street_powers_keep_a_case_at_the_street():
    data = clockwork()
    data["streets"]["a"]["powers"] = ["parking"]
    cases = reported(run(data).cases)
    at_a = cases[(cases["street"] == "a") & (cases["case_type"] == "parking")]
    elsewhere = cases[(cases["street"] == "b") & (cases["case_type"] == "parking")]
    assert len(at_a) and len(elsewhere)
    assert (at_a["handled_by"] == "street").all() and (at_a["handoffs"] == 0).all()
    # Street staff travel and do the whole work at once: no paperwork.
    np.testing.assert_allclose(at_a["response_h"], TRIAGE + TRAVEL + WORK)
    assert (elsewhere["handled_by"] == "department").all()


def test_on_the_spot_fixes():
    data = clockwork()
    for ct in data["case_types"].values():
        ct.update(on_spot_share=1.0, citizen_call_share=0.0, on_spot_time=fixed(0.5))
    cases = reported(run(data).cases)
    assert (cases["handled_by"] == "grid").all()
    np.testing.assert_allclose(cases["response_h"], 0.5)
    assert cases["t_dispatch"].isna().all()


def test_a_department_without_staff_leaves_its_cases_censored():
    data = clockwork(simulation={"horizon": "2d", "warmup": 0, "drain_limit": "10d"})
    data["departments"]["housing"]["staff"] = 0
    rep = run(data)
    cases = reported(rep.cases)
    joint = cases[cases["case_type"] == "joint"]
    parking = cases[cases["case_type"] == "parking"]
    assert len(joint) and not joint["resolved"].any()
    assert parking["resolved"].all()
    assert rep.end_time == pytest.approx(12 * 24)        # ran to the drain limit
    # Still open past its 7-day deadline: missed, not unknown.
    late = joint[rep.end_time - joint["t_report"] > joint["deadline_h"]]
    assert len(late) and (late["deadline_met"] == False).all()  # noqa: E712


def test_nobody_finds_anything():
    data = clockwork(street_defaults={"patrol": {"coverage": 0}})
    for ct in data["case_types"].values():
        ct["citizen_call_share"] = 0
    cases = run(data).cases
    assert len(cases) > 0 and cases["t_report"].isna().all()
    assert (cases["discovered_by"] == "never").all()
    assert summary_table(cases).empty


@pytest.mark.parametrize("how", ["rate", "grids"])
def test_zero_arrivals_give_an_empty_but_valid_result(how: str, tmp_path, capsys):
    data = clockwork()
    if how == "rate":
        for ct in data["case_types"].values():
            ct["rate"] = 0
    else:
        data["streets"] = {"a": {"grids": 0}}
    path = tmp_path / "empty.yaml"
    path.write_text(json.dumps(data))                    # JSON is YAML
    out = tmp_path / "out"
    assert main(["run", str(path), "--reps", "2", "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    cases = pd.read_parquet(out / "cases.parquet")
    assert cases.empty and list(cases.columns)[: len(CASE_COLUMNS)] == CASE_COLUMNS
    summary = pd.read_csv(out / "summary.csv")
    assert summary.empty and {"case_type", "n", "p90_h", "p90_h_hw"} <= set(summary.columns)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replications"] == 2
