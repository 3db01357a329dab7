"""``govsim calibrate fit``: recovery of known parameters from a log govsim wrote, resume,
backends, the calibrated scenario file and the command line.

The recovery test's tolerances come from repeated fits, not from this test passing: on twelve
synthetic logs of the district below (log seeds 100-111, each fitted exactly as in the test:
budget 60, 2 replications, from twice the staff and twice the work), ten fits found the valley
of the loss, with staff 4 or 5 (truth 4) and a mean work of 2.81-3.29 h (truth 3 h: -6% to
+10%); two (seeds 102 and 107) stopped on the plateau of "many people, longer work" (staff 9
and 15, work +29% and +22%), where nobody queues and longer work mimics the queueing. Hence the
tolerances (staff within 1 person, work within 10%) and the requirement that at least two of
the first three logs recover (10 of 12 did; two of three or more happens with probability 0.93
at that rate).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

import sim.calibration.fit as fit_module
from sim.calibration.distance import loss, to_frame, to_groups
from sim.calibration.fit import FitSettings, run_fit
from sim.calibration.space import apply, load_bounds, scaled, search_space
from sim.calibration.synthetic import synthetic_log
from sim.cli import main
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, resolved_dict, scenario_from_dict
from tests.calibration.synthetic import known_scenario, write_log, write_mapping

TRUE_STAFF, TRUE_WORK_H, TRAVEL_H = 4, 3.0, 1.0
UTILISATION = 0.75
WEEKS = 6
STAFF_TOLERANCE = 1          # people
WORK_TOLERANCE = 0.10        # relative


def district(staff: int = TRUE_STAFF, work_h: float = TRUE_WORK_H) -> dict:
    """One department working around the clock, one case type, a short referral: the close
    time is queue + travel + work, so the log says something about both staff and work."""
    rate = UTILISATION * TRUE_STAFF * 24 / (TRUE_WORK_H + TRAVEL_H) / 30
    return {
        "name": "known",
        "streets": {"a": {"grids": 20}, "b": {"grids": 10}},
        "departments": {"um": {"staff": staff, "calendar": "always"}},
        "referral": {"admin_delay_working_days": {"kind": "fixed", "value": 0.1}},
        "case_types": {"parking": {"rate": rate, "departments": ["um"],
                                   "work": {"kind": "lognormal", "mean": work_h, "cv": 0.3}}},
    }


def _log(seed: int, weeks: int = WEEKS):
    truth = scenario_from_dict(district(), source="truth")
    return synthetic_log(truth, seed, 14 * 24, (2 + weeks) * 7 * 24, (4 + weeks) * 7 * 24)


WRONG = scenario_from_dict(district(2 * TRUE_STAFF, 2 * TRUE_WORK_H), source="wrong start")
SETTINGS = FitSettings(groups=("staff", "work"), budget=60, reps=2, seed=1, sampler_seed=1,
                       warmup_weeks=2, bounds={"staff": (0.25, 2.0), "work": (0.25, 2.0)})


def test_fit_recovers_known_staff_and_work_from_a_wrong_start():
    recovered = []
    for seed in (100, 101, 102):
        res = run_fit(WRONG, _log(seed), SETTINGS)
        staff = res.best_values["staff.um"]
        work_h = res.best_values["work.um"] * 2 * TRUE_WORK_H
        assert res.best_loss < res.trace["loss"].iloc[0]   # better than where it started
        recovered.append(abs(staff - TRUE_STAFF) <= STAFF_TOLERANCE
                         and abs(work_h / TRUE_WORK_H - 1) <= WORK_TOLERANCE)
    assert sum(recovered) >= 2, recovered


def _short_settings(budget: int) -> FitSettings:
    return FitSettings(groups=("staff", "work"), budget=budget, reps=2, seed=3,
                       sampler_seed=5, warmup_weeks=1)


def test_an_interrupted_fit_resumes_to_the_result_of_an_uninterrupted_one(tmp_path,
                                                                          monkeypatch):
    log = _log(7, weeks=2)
    whole = run_fit(WRONG, log, _short_settings(8), tmp_path / "whole", figures=False)

    real = fit_module.simulate
    calls = {"n": 0}

    def dies_after_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(fit_module, "simulate", dies_after_three)
    with pytest.raises(KeyboardInterrupt):
        run_fit(WRONG, log, _short_settings(8), tmp_path / "cut", figures=False)
    assert len(list((tmp_path / "cut" / "evaluations").glob("e*.json"))) == 3
    monkeypatch.setattr(fit_module, "simulate", real)
    resumed = run_fit(WRONG, log, _short_settings(8), tmp_path / "cut", figures=False)
    assert (resumed.computed, resumed.reused) == (5, 3)
    pd.testing.assert_frame_equal(resumed.trace, whole.trace)
    assert resumed.best_values == whole.best_values
    # a larger budget continues the same search: its first 8 evaluations are these
    longer = run_fit(WRONG, log, _short_settings(10), tmp_path / "cut", figures=False)
    assert (longer.computed, longer.reused) == (2, 8)
    pd.testing.assert_frame_equal(longer.trace.iloc[:8], whole.trace)


def test_a_damaged_evaluation_is_recomputed_not_reused(tmp_path, capsys):
    log = _log(7, weeks=2)
    first = run_fit(WRONG, log, _short_settings(3), tmp_path, figures=False)
    stored = tmp_path / "evaluations" / "e00001.simulated.parquet"
    stored.write_bytes(stored.read_bytes()[:-20])
    again = run_fit(WRONG, log, _short_settings(3), tmp_path, figures=False)
    assert (again.computed, again.reused) == (1, 2)
    assert "e00001.json: evaluation 1" in capsys.readouterr().err
    pd.testing.assert_frame_equal(again.trace, first.trace)


def test_every_backend_gives_the_same_fit(dask_cluster):
    log = _log(7, weeks=1)
    serial = run_fit(WRONG, log, _short_settings(2))
    processes = run_fit(WRONG, log, _short_settings(2), backend="processes", workers=2)
    dask = run_fit(WRONG, log, _short_settings(2), backend="dask",
                   scheduler=dask_cluster.scheduler_address)
    pd.testing.assert_frame_equal(serial.trace, processes.trace)
    pd.testing.assert_frame_equal(serial.trace, dask.trace)


def test_calibrated_file_keeps_comments_and_resolves_to_the_best_candidate(tmp_path):
    source = tmp_path / "start.yaml"
    text = yaml.safe_dump(district(2 * TRUE_STAFF, 2 * TRUE_WORK_H), sort_keys=False)
    source.write_text("# ASSUMPTION: a hand-written district\n" + text)
    res = run_fit(load_scenario(source), _log(7, weeks=1), _short_settings(3), tmp_path / "out",
                  source=source)
    written = (tmp_path / "out" / "calibrated.yaml").read_text()
    assert "# ASSUMPTION: a hand-written district" in written
    assert written.count("# fitted:") == 2   # staff of um, work of parking
    assert resolved_dict(load_scenario(tmp_path / "out" / "calibrated.yaml")) == \
        resolved_dict(res.calibrated)
    for name in ("trace.csv", "distances.csv", "trace.png", "ecdf.png", "qq.png",
                 "manifest.json", "simulated.parquet"):
        assert (tmp_path / "out" / name).is_file(), name
    trace = pd.read_csv(tmp_path / "out" / "trace.csv")
    assert list(trace["best_loss"]) == list(np.minimum.accumulate(trace["loss"]))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["best_loss"] == pytest.approx(res.best_loss)


def test_work_is_scaled_per_department_and_staff_searched_around_the_scenario():
    data = district()
    data["departments"]["housing"] = {"staff": 3}
    data["case_types"]["joint"] = {"departments": ["um", "housing"],
                                   "work": {"kind": "exponential", "mean": 2.0}}
    scenario = scenario_from_dict(data)
    params = search_space(scenario, ("staff", "work"))
    by_name = {p.name: p for p in params}
    assert (by_name["staff.um"].lo, by_name["staff.um"].hi) == (1, 16)   # 0.25x to 4x
    values = {"staff.housing": 5, "staff.um": 2, "work.housing": 2.0, "work.um": 0.5}
    fitted = apply(scenario, params, values)
    assert fitted.departments["housing"].staff == 5
    assert fitted.case_types["joint"].work_for("housing").mean == pytest.approx(4.0)
    assert fitted.case_types["joint"].work_for("um").mean == pytest.approx(1.0)
    assert fitted.case_types["parking"].work_for("um").mean == pytest.approx(1.5)
    assert fitted.case_types["parking"].work_for("um").cv == pytest.approx(0.3)  # shape kept
    assert scaled({"kind": "empirical", "values": [1.0, 3.0]}, 2) == {
        "kind": "empirical", "values": [2.0, 6.0]}


def test_loss_weights_departments_by_their_observed_counts():
    table = pd.DataFrame({"department": ["ALL", "a", "b"], "n": [40, 30, 10],
                          "ks": [0.9, 0.1, 0.5]})
    assert loss(table) == pytest.approx((30 * 0.1 + 10 * 0.5) / 40)
    groups = {"ALL": (np.array([1.0, 2.0, 3.0]), np.array([False, True, False])),
              "a": (np.array([1.0, 2.0]), np.array([False, True])),
              "b": (np.array([3.0]), np.array([False]))}
    back = to_groups(to_frame(groups))
    assert set(back) == set(groups)
    np.testing.assert_array_equal(back["a"][0], groups["a"][0])
    np.testing.assert_array_equal(back["a"][1], groups["a"][1])


def test_bad_bounds_are_refused_with_the_group_named(tmp_path):
    path = tmp_path / "bounds.yaml"
    path.write_text("staff: [2, 1]\n")
    with pytest.raises(ScenarioError, match="staff"):
        load_bounds(path)
    path.write_text("bounce_prob: [0, 2]\n")
    with pytest.raises(ScenarioError, match="bounce_prob"):
        load_bounds(path)


def test_command_line_fits_and_refuses_bad_flags_in_one_line(tmp_path, capsys):
    mapping = write_mapping(tmp_path / "mapping.yaml")
    data = known_scenario(rate=0.3, staff=2, days=7)
    log = write_log(data, 1, tmp_path / "log.csv")
    scenario = tmp_path / "known.yaml"
    scenario.write_text(yaml.safe_dump(data))
    out = tmp_path / "fit"
    args = ["calibrate", "fit", str(scenario), str(log), "--mapping", str(mapping),
            "--budget", "2", "--params", "staff,work", "--warmup-weeks", "1", "--out",
            str(out), "--quiet", "--no-figures"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "best loss" in printed and "staff.roads" in printed
    assert (out / "calibrated.yaml").is_file()
    assert main(args[:-4] + ["--params", "staf", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --params") and "staf" in err[0]
