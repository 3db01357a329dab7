"""Declared uncertainty, global sensitivity (Morris, Sobol) and robustness with PRIM boxes.

The test scenario is the tiny district with short runs. Its share within deadline depends on
the urban-management staff (1 to 3 people for 0.2 parking cases an hour: queues from long to
none) far more than on the paperwork delay over [0.3, 0.6] working days, and not at all on
``case_types.parking.respond_within``, which only the response measures read: with common random
numbers every point that differs only by it runs the same cases, so its indices are exactly 0.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.experiment.design import point_values, with_values
from sim.experiment.robustness import failure_boxes, run_robustness, summary_lines
from sim.experiment.sensitivity import design, run_sensitivity
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, resolved_dict, scenario_from_dict
from sim.scenario.uncertainty import (
    declared_parameters,
    read_declaration,
    uncertainty_file,
)
from tests.conftest import tiny_dict

STAFF = "departments.um.staff"
PAPERWORK = "referral.admin_delay_working_days.mean"
IGNORED = "case_types.parking.respond_within"
DECLARED = {STAFF: [1, 3], PAPERWORK: [0.3, 0.6], IGNORED: [2, 48]}
SHORT = {"horizon": "5d", "warmup": "1d", "drain_limit": "30d"}


def _tiny(**changes) -> dict:
    return tiny_dict(simulation=SHORT, **changes)


@pytest.fixture(scope="module")
def tiny():
    return scenario_from_dict(_tiny())


@pytest.fixture(scope="module")
def params(tiny):
    return declared_parameters(DECLARED, resolved_dict(tiny))


@pytest.fixture(scope="module")
def morris(tiny, params):
    return run_sensitivity(tiny, None, params, "morris", "deadline_met_share", size=6, reps=2,
                           seed=3)


# ------------------------------------------------------------------------ declarations

def test_a_wildcard_gives_one_parameter_per_name_and_a_percentage_is_of_the_own_value(tiny):
    params = declared_parameters({"departments.*.staff": "±25%"}, resolved_dict(tiny))
    assert [(p.key, p.lo, p.hi, p.integer) for p in params] == [
        ("departments.um.staff", 3.0, 5.0, True), ("departments.housing.staff", 2.25, 3.75, True)]
    assert params[0].draw(0.0) == 3 and params[0].draw(1.0) == 5


def test_together_moves_every_match_by_one_factor(tiny):
    [p] = declared_parameters({"departments.*.staff": {"range": "±50%", "together": True}},
                              resolved_dict(tiny))
    assert p.settings(1.0) == {"departments.um.staff": 6, "departments.housing.staff": 4}
    assert p.settings(0.0) == {"departments.um.staff": 2, "departments.housing.staff": 2}


@pytest.mark.parametrize("declaration, where", [
    ({"departments.nowhere.staff": [1, 2]}, "departments.nowhere.staff"),
    ({"departments.um.staff": [2, 2]}, "departments.um.staff"),
    ({"departments.um.staff": "about 3"}, "departments.um.staff"),
    ({"case_types.parking.label": [0, 1]}, "case_types.parking.label"),
])
def test_a_bad_declaration_names_its_key(tiny, declaration, where):
    with pytest.raises(ScenarioError) as exc:
        declared_parameters(declaration, resolved_dict(tiny), "u.yaml")
    assert exc.value.problems[0].path == where


@pytest.mark.parametrize("name", ["baseline", "whistle", "sinking", "combined"])
def test_bundled_declarations_give_valid_scenarios_at_every_corner(name):
    scenario = load_scenario(f"scenarios/{name}.yaml")
    baseline = load_scenario("scenarios/baseline.yaml")
    path = uncertainty_file(f"scenarios/{name}.yaml")
    assert path is not None and path.name == f"{name}.uncertainty.yaml"
    params = declared_parameters(read_declaration(path), resolved_dict(scenario), str(path))
    assert {"referral.admin_delay_working_days.mean", "departments.housing.staff",
            "case_types.*.bounce_prob"} <= {p.key for p in params}
    for unit in (0.0, 1.0):
        values = point_values(params, np.full(len(params), unit))
        for base in (scenario, baseline):
            changed = resolved_dict(with_values(base, values, "corner"))
            assert changed["referral"]["admin_delay_working_days"]["mean"] == (
                0.5 if unit == 0 else 3.0)
    if name == "combined":
        keys = {p.key for p in params}
        assert {"reform.whistle.bounce_factor", "reform.sinking.fraction.*"} <= keys


def test_a_reform_setting_is_left_alone_in_a_scenario_without_that_reform():
    baseline = load_scenario("scenarios/baseline.yaml")
    changed = with_values(baseline, {"reform.whistle.bounce_factor": 0.5,
                                     "reform.sinking.fraction.water": 0.1}, "b")
    assert resolved_dict(changed)["reform"] == resolved_dict(baseline)["reform"]


# ------------------------------------------------------------------------ sensitivity

def test_designs_are_reproducible_from_the_seed(params):
    assert np.array_equal(design(params, "morris", 4, 7), design(params, "morris", 4, 7))
    assert not np.array_equal(design(params, "morris", 4, 7), design(params, "morris", 4, 8))
    assert np.array_equal(design(params, "sobol", 8, 7), design(params, "sobol", 8, 7))


def test_morris_ranks_staff_then_paperwork_and_gives_the_ignored_parameter_zero(morris):
    t = morris.table.set_index("parameter")
    assert list(morris.table["parameter"]) == [STAFF, PAPERWORK, IGNORED]
    # the ranking is not a matter of luck: the CIs are apart
    assert t.loc[STAFF, "mu_star_lo"] > t.loc[PAPERWORK, "mu_star"]
    assert t.loc[PAPERWORK, "mu_star_lo"] > 0
    assert t.loc[IGNORED, "mu_star_lo"] <= 0 <= t.loc[IGNORED, "mu_star_hi"]
    assert t.loc[IGNORED, "mu_star"] == 0 and t.loc[IGNORED, "sigma"] == 0


def test_sobol_gives_the_ignored_parameter_indices_of_zero(tiny, params):
    res = run_sensitivity(tiny, None, params, "sobol", "deadline_met_share", size=32, reps=2,
                          seed=3)
    t = res.table.set_index("parameter")
    assert len(res.run.values) == 32 * (3 + 2)
    assert list(res.table["parameter"]) == [STAFF, PAPERWORK, IGNORED]
    assert t.loc[STAFF, "S1_lo"] > t.loc[PAPERWORK, "ST"]
    for index in ("S1", "ST"):
        assert t.loc[IGNORED, f"{index}_lo"] <= 0 <= t.loc[IGNORED, f"{index}_hi"]
        assert t.loc[IGNORED, index] == 0


def test_with_against_the_metric_is_the_paired_difference(tiny, params):
    reform = scenario_from_dict(_tiny(name="more_staff", departments={
        "um": {"staff": 6}, "housing": {"staff": 3}}))
    few = params[1:]   # paperwork and the ignored one: staff is what differs
    paired = run_sensitivity(reform, tiny, few, "morris", "deadline_met_share", 2, 2, 5)
    alone = run_sensitivity(reform, None, few, "morris", "deadline_met_share", 2, 2, 5)
    base = run_sensitivity(tiny, None, few, "morris", "deadline_met_share", 2, 2, 5)
    assert np.allclose(paired.run.values["value"],
                       alone.run.values["value"] - base.run.values["value"])


# ------------------------------------------------------------------------ robustness

def test_the_rule_search_finds_the_corner_where_failures_are():
    rng = np.random.default_rng(0)
    x = pd.DataFrame({"a": rng.uniform(0, 1, 200), "b": rng.uniform(0, 1, 200),
                      "c": rng.uniform(0, 1, 200)})
    fails = ((x["a"] > 0.7) & (x["b"] < 0.4)).to_numpy()
    box = failure_boxes(x, fails)[0]
    assert set(box.limits) == {"a", "b"}
    assert 0.6 < box.limits["a"][0] < 0.8 and box.limits["a"][1] is None
    assert box.limits["b"][0] is None and 0.3 < box.limits["b"][1] < 0.5
    assert box.density > 0.8 and box.coverage > 0.8
    assert box.text().startswith("a >= 0.")
    assert failure_boxes(x, np.zeros(200, dtype=bool)) == []


def test_robustness_reports_the_range_and_a_box(tiny, params, tmp_path):
    reform = scenario_from_dict(_tiny(name="reform", reform={"whistle": {
        "enabled": True, "trigger": {"types": ["parking"]}, "bounce_factor": 0.3}}))
    declared = declared_parameters({STAFF: [1, 6], PAPERWORK: [0.3, 3]}, resolved_dict(tiny))
    res = run_robustness(reform, tiny, declared, "deadline_met_share", points=16, reps=2,
                         seed=4, out=tmp_path / "r", threshold=0.45, figures=False)
    effect = res.values["value"]
    lines = summary_lines(res)
    assert lines[0].startswith(f"effect on deadline_met_share ranges from {effect.min():.4g} "
                               f"to {effect.max():.4g}")
    held = int((effect > 0.45).sum())
    assert f"at {held} of 16 points" in lines[1]
    assert 0 < held < 16   # the threshold splits the points: there is a failure region
    assert res.boxes and res.boxes[0].failures > 0
    assert any(line.startswith("failure box 1: ") for line in lines)
    table = pd.read_csv(tmp_path / "r" / "robustness.csv")
    assert list(table["fails"]) == list(effect <= 0.45)
    assert pd.read_csv(tmp_path / "r" / "boxes.csv")["rule"][0] == res.boxes[0].text()
    from sim.report import build_report

    page = build_report(tmp_path / "r").read_text()
    assert "Failure boxes" in page and res.boxes[0].text().split(" ")[0] in page


# ------------------------------------------------------------------------ command line

@pytest.fixture
def files(tmp_path):
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(_tiny()))
    (tmp_path / "tiny.uncertainty.yaml").write_text(yaml.safe_dump({"parameters": DECLARED}))
    return tmp_path


def test_sensitivity_command_writes_its_outputs_and_resumes(files, capsys):
    out = files / "s"
    args = ["sensitivity", str(files / "tiny.yaml"), "--method", "morris", "--size", "2",
            "--reps", "2", "--seed", "3", "--out", str(out), "--quiet"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "16 computed, 0 reused" in first and IGNORED in first
    for name in ("sensitivity.csv", "design.csv", "sensitivity.png", "manifest.json"):
        assert (out / name).is_file()
    table = (out / "sensitivity.csv").read_bytes()
    assert main(args) == 0
    assert "0 computed, 16 reused" in capsys.readouterr().out
    assert (out / "sensitivity.csv").read_bytes() == table
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sensitivity" and manifest["points"] == 8
    # The report of the folder: its parameters, the indices table, the figure, escaped.
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "Declared uncertainty" in page and "Indices, most influential first" in page
    assert IGNORED in page and "data:image/png;base64," in page
    assert "<script" not in page


def test_a_bad_uncertainty_file_is_one_line_and_exit_2(files, capsys):
    (files / "tiny.uncertainty.yaml").write_text("parameters:\n  departments.um.staff: lots\n")
    code = main(["sensitivity", str(files / "tiny.yaml"), "--out", str(files / "s")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: ") and "departments.um.staff: expected a range" in err[0]
    assert not (files / "s").exists()


def test_no_declaration_is_refused(tmp_path, capsys):
    (tmp_path / "t.yaml").write_text(yaml.safe_dump(_tiny()))
    assert main(["robustness", str(tmp_path / "t.yaml"), "--against",
                 str(tmp_path / "t.yaml")]) == 2
    assert "no uncertainty declared" in capsys.readouterr().err


def test_dask_gives_the_same_design_values_as_serial(files, capsys):
    distributed = pytest.importorskip("distributed")
    common = ["sensitivity", str(files / "tiny.yaml"), "--method", "morris", "--size", "2",
              "--reps", "2", "--seed", "3", "--quiet", "--no-figures"]
    assert main([*common, "--out", str(files / "serial")]) == 0
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        assert main([*common, "--out", str(files / "dask"), "--backend", "dask",
                     "--scheduler", cluster.scheduler_address]) == 0
    for name in ("design.csv", "sensitivity.csv"):
        assert (files / "dask" / name).read_bytes() == (files / "serial" / name).read_bytes()
