"""``govsim eventlog``: a run folder's steps as XES and OCEL 2.0, opened by pm4py.

One small run exercises every step (referrals with misrouting and bounces, whistles refused and
answered, the closed loop's reopenings, fixes on the spot); its street and department names
carry XML and JSON's special characters, which must come back from pm4py unchanged.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pm4py
import pytest

from sim.cli import main
from sim.experiment.event_log import check_start, export_event_log
from sim.experiment.runner import run_scenarios
from sim.model.steps import STEPS
from sim.scenario import scenario_from_dict
from tests.model.test_steps import SCENARIOS

START = date(2025, 1, 6)
STREET = 'Dōng <a href="x">&amp; 东\'s'
DEPARTMENT = "um & <b>'co\""


def _hostile(data: dict) -> dict:
    """``data`` with street ``a`` and department ``um`` renamed to names full of markup."""
    data = {**data, "name": "hostile <&>", "streets": dict(data["streets"]),
            "departments": dict(data["departments"]), "case_types": {
                k: {**v, "departments": [DEPARTMENT if d == "um" else d
                                         for d in v["departments"]]}
                for k, v in data["case_types"].items()}}
    data["streets"][STREET] = data["streets"].pop("a")
    data["departments"][DEPARTMENT] = data["departments"].pop("um")
    return data


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("eventlog") / "run"
    run_scenarios([scenario_from_dict(_hostile(SCENARIOS["whistle"]))], reps=2, seed=3,
                  outs=[out])
    return out


def _expected_times(hours: pd.Series) -> pd.Series:
    return pd.Timestamp(START, tz="UTC") + pd.to_timedelta(hours, unit="h")


def test_the_xes_log_opens_in_pm4py_with_exactly_the_steps_as_activities(run_folder):
    path = export_event_log(run_folder, START, "xes")
    assert path == run_folder / "eventlog.xes"
    log = pm4py.read_xes(str(path))
    dfg, starts, _ = pm4py.discover_dfg(log)
    assert {a for edge in dfg for a in edge} == set(STEPS)
    assert set(starts) == {"occurred"}
    steps = pd.read_parquet(run_folder / "steps.parquet")
    cases = pd.read_parquet(run_folder / "cases.parquet")
    assert len(log) == len(steps)
    assert log["case:concept:name"].nunique() == len(cases)
    # Hour 0 is the start date at 00:00, read back without a shift (to the millisecond).
    error = (log["time:timestamp"] - _expected_times(log["hours"])).abs()
    assert error.max() <= pd.Timedelta("1ms")
    assert sorted(log["hours"]) == sorted(steps["time"])
    # Names full of markup come back as they were.
    assert DEPARTMENT in set(log["org:resource"])
    assert f"{STREET}/dispatch" in set(log["org:resource"])
    assert set(log["case:street"]) == {STREET, "b"}
    assert set(log["case:case_type"]) == set(cases["case_type"].astype(str))


def test_the_ocel_log_opens_in_pm4py_with_cases_and_units_as_objects(run_folder):
    path = export_event_log(run_folder, START, "ocel", replication=1)
    assert path == run_folder / "eventlog-rep1.ocel.json"
    ocel = pm4py.read_ocel2(str(path))
    assert set(ocel.events["ocel:activity"]) == set(STEPS)
    assert set(ocel.objects["ocel:type"]) == {"case", "unit"}
    flat = pm4py.ocel_flattening(ocel, "case")
    dfg, _, _ = pm4py.discover_dfg(flat)
    assert {a for edge in dfg for a in edge} == set(STEPS)
    cases = pd.read_parquet(run_folder / "cases.parquet")
    assert flat["case:concept:name"].nunique() == (cases["replication"] == 1).sum()
    assert flat["case:concept:name"].str.startswith("rep 1 case ").all()
    error = (ocel.events["ocel:timestamp"] - _expected_times(ocel.events["hours"])).abs()
    assert error.max() <= pd.Timedelta("1ms")
    assert f"unit {DEPARTMENT}" in set(ocel.objects["ocel:oid"])


def test_govsim_eventlog_writes_the_file_and_refuses_bad_input_in_one_line(run_folder, tmp_path,
                                                                            capsys):
    out = tmp_path / "log.xes"
    assert main(["eventlog", str(run_folder), "--start", "2025-01-06", "--out", str(out)]) == 0
    assert out.stat().st_size > 0 and str(out) in capsys.readouterr().out
    for args, reason in (
            (["--start", "2025-01-07"], "2025-01-07 is a Tuesday"),
            (["--start", "6/1/2025"], "expected a date like 2025-01-06"),
            (["--start", "2025-01-06", "--replication", "5"], "5 is not in this run"),
            (["--start", "2025-01-06", "--format", "csv"], "invalid choice")):
        assert main(["eventlog", str(run_folder), *args]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and reason in err and err.count("\n") == 1
    assert main(["eventlog", str(tmp_path), "--start", "2025-01-06"]) == 2
    assert "not a run folder" in capsys.readouterr().err


def test_sim_event_log_writes_the_same_file_as_the_command(run_folder, tmp_path):
    import sim

    cli = tmp_path / "cli.ocel.json"
    assert main(["eventlog", str(run_folder), "--start", "2025-01-06", "--format", "ocel",
                 "--out", str(cli)]) == 0
    api = sim.event_log(run_folder, "2025-01-06", "ocel", out=tmp_path / "api.ocel.json")
    assert api == tmp_path / "api.ocel.json"
    assert api.read_bytes() == cli.read_bytes()


def test_a_start_that_is_not_a_monday_is_refused_naming_the_monday_before():
    assert check_start(date(2024, 12, 30)) == date(2024, 12, 30)
    with pytest.raises(ValueError, match="a Sunday.*2025-01-06"):
        check_start(date(2025, 1, 12))
