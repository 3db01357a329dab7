"""The size estimate and its limits (issue 11, class 4): predicted from the scenario alone, close
to what a replication really draws, and the basis of every refusal and warning."""

from __future__ import annotations

import contextlib
import io
import itertools
import math

import pytest

from sim.cli import EXIT_BAD_INPUT, main
from sim.model.replication import run_replication
from sim.scenario import ScenarioError, scenario_from_dict
from sim.scenario import size as size_module
from sim.scenario.size import (
    MAX_CASES,
    assess,
    estimate,
    expected_cases,
    run_findings,
)
from tests.conftest import tiny_dict


def test_expected_cases_is_rate_times_grids_times_days_over_every_pair():
    data = tiny_dict()
    data["streets"] = {"a": {"grids": 7}, "b": {"grids": 0}, "c": {"grids": 13}}
    data["case_types"]["parking"]["rate"] = 0.37
    data["case_types"]["joint"]["rate"] = 0.05
    s = scenario_from_dict(data)
    by_pair = sum(ct.rate * st.grids * s.simulation.horizon / 24
                  for st, ct in itertools.product(s.streets.values(), s.case_types.values()))
    assert expected_cases(s) == pytest.approx(by_pair)
    assert estimate(s).largest_pair == ("c", "parking", pytest.approx(0.37 * 13 * 7))


def test_the_estimate_predicts_the_cases_a_replication_draws():
    """Occurrences are Poisson: the count lies within 4 standard deviations of the estimate."""
    data = tiny_dict()
    data["district"] = {"grid_heterogeneity_cv": 1.5,
                        "hour_profile": [0] * 6 + [3] * 12 + [1] * 6}
    s = scenario_from_dict(data)
    expected = expected_cases(s)
    for replication in range(3):
        drawn = len(run_replication(s, 7, replication).cases)
        assert abs(drawn - expected) <= 4 * math.sqrt(expected), (drawn, expected)


def test_a_scenario_over_a_limit_is_refused_unless_allowed():
    data = tiny_dict()
    data["simulation"]["horizon"] = "28d"
    data["streets"]["a"]["grids"] = 10_000_000
    with pytest.raises(ScenarioError) as refused:
        scenario_from_dict(data)
    [problem] = refused.value.problems
    assert problem.path == "streets.a.grids"
    assert f"more than the limit of {MAX_CASES:,}" in problem.message
    data["simulation"]["allow_large"] = True
    s = scenario_from_dict(data)
    assert [f.path for f in assess(s) if f.refuse] == ["streets.a.grids"]


def test_the_blamed_key_is_the_factor_out_of_proportion():
    data = tiny_dict()
    data["case_types"]["parking"]["rate"] = 1e7
    with pytest.raises(ScenarioError) as refused:
        scenario_from_dict(data)
    assert refused.value.problems[0].path == "case_types.parking.rate"


def test_a_street_value_from_street_defaults_is_blamed_there():
    data = tiny_dict()
    data["simulation"]["horizon"] = "28d"
    data["street_defaults"] = {"grids": 10_000_000}
    data["streets"] = {"a": {}, "b": {}}
    with pytest.raises(ScenarioError) as refused:
        scenario_from_dict(data, source="s.yaml")
    assert refused.value.problems[0].path == "street_defaults.grids"


def test_memory_above_the_share_of_this_machine_is_refused_below_it_warned():
    s = scenario_from_dict(tiny_dict())
    need = estimate(s).memory_bytes
    [refused] = assess(s, memory_available=need)
    assert refused.refuse and "more than 80% of this machine's" in refused.message
    [warned] = assess(s, memory_available=need * 2)
    assert not warned.refuse and "50% of this machine's" in warned.message
    assert assess(s, memory_available=need * 10) == []


def test_a_run_too_big_for_memory_names_the_flag_that_makes_it_so():
    s = scenario_from_dict(tiny_dict())
    est = estimate(s)
    kept = 1000 * est.cases * size_module.BYTES_PER_KEPT_CASE
    [finding] = run_findings(s, 1000, 1, "serial", None, memory_available=kept)
    assert finding.refuse and finding.path == "--reps"
    workers = run_findings(s, 64, 64, "processes", None,
                           memory_available=64 * size_module.WORKER_BYTES)
    assert workers[0].path == "--workers" and workers[0].refuse


def test_run_refuses_reps_that_would_not_fit_before_anything_runs(tmp_path, monkeypatch):
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nstreets: {a: {grids: 100}}\ncase_types: {t: {rate: 1}}\n")
    s = scenario_from_dict({"name": "s", "streets": {"a": {"grids": 100}},
                            "case_types": {"t": {"rate": 1}}})
    # A machine whose memory holds one replication comfortably, but not 5,000 of records.
    monkeypatch.setattr(size_module, "available_memory", lambda: 4 * estimate(s).memory_bytes)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["run", str(path), "--reps", "5000", "--out", str(tmp_path / "o"),
                     "--quiet"])
    assert code == EXIT_BAD_INPUT
    [line] = [x for x in err.getvalue().splitlines() if x.startswith("error")]
    assert line.startswith("error: --reps: 5,000 replications x ~") and "use fewer" in line
    assert not (tmp_path / "o").exists()
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        assert main(["check", str(path)]) == 0     # the scenario itself fits
