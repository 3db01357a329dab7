"""Validation against queueing theory: the reductions, the checks and ``govsim validate``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.little import littles_law
from sim.cli import main as cli
from sim.experiment.validation import (
    Reduction,
    check_reduction,
    little_identity_gap,
    reduction_dict,
    reductions,
    table_lines,
)
from sim.model.replication import case_table, run_replication, visit_table
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario.loader import scenario_from_dict
from tests.conftest import tiny_dict


def _run(d: dict, reps: int = 1, seed: int = 3) -> pd.DataFrame:
    s = scenario_from_dict(d)
    return pd.concat([run_replication(s, seed, r).cases for r in range(reps)], ignore_index=True)


def test_reduction_is_a_plain_queue():
    """Reports are the occurrences (no discovery delay), nothing bounces or reopens, and the
    time not spent queueing is exactly the work: exponential with the configured mean."""
    cases = _run(reduction_dict("mm2", 1.2, [(2, 1.0)], horizon=3000, warmup=100))
    assert cases["resolved"].all()
    assert np.allclose(cases["t_report"], cases["t_occur"])
    assert (cases[["bounces", "reopens"]].to_numpy() == 0).all()
    assert (cases["handoffs"] == 1).all()
    service = (cases["response_h"] - cases["wait_h"]).to_numpy()
    assert (service > 0).all()
    # Exponential(mean 1): the 99% CI of the mean covers 1, and a KS test does not reject.
    half = stats.t.ppf(0.995, len(service) - 1) * service.std(ddof=1) / np.sqrt(len(service))
    assert abs(service.mean() - 1.0) < half
    assert stats.kstest(service, "expon").pvalue > 0.01


def test_reports_form_a_poisson_process():
    cases = _run(reduction_dict("mm1", 0.5, [(1, 1.0)], horizon=8000, warmup=10))
    gaps = np.diff(np.sort(cases["t_report"].to_numpy()))
    assert stats.kstest(gaps, "expon", args=(0, 2.0)).pvalue > 0.01


def test_tandem_visits_every_department_in_order():
    """Each case goes to d1, then, the moment d1's work on it is done, to d2; each station
    serves in arrival order (FIFO); the waits are the two queues' and nothing else."""
    scenario = scenario_from_dict(
        reduction_dict("t", 0.3, [(1, 1.0), (2, 2.0)], horizon=500, warmup=10))
    world = World(scenario, Streams(3, 0)).run()
    cases = case_table(world, scenario, 0).set_index("case_id")
    visits = visit_table(world, scenario, 0)
    assert cases["resolved"].all() and (cases["handoffs"] == 2).all() and len(cases) > 100
    # One visit per department per case, asked in the type's order (rows are written as asked).
    order = visits.groupby("case_id")["department"].agg(tuple)
    assert order.tolist() == [("d1", "d2")] * len(cases)
    first = visits[visits["department"] == "d1"].set_index("case_id").loc[cases.index]
    second = visits[visits["department"] == "d2"].set_index("case_id").loc[cases.index]
    work = world.cases.work[cases.index.to_numpy()]
    np.testing.assert_allclose(first["t_request"], cases["t_report"])
    # d2 is asked when d1's team, on site at once (no travel), has done d1's work.
    np.testing.assert_allclose(first["t_onsite"], first["t_start"])
    np.testing.assert_allclose(second["t_request"] - first["t_onsite"], work[:, 0], atol=1e-9)
    np.testing.assert_allclose(cases["t_resolved"] - second["t_onsite"], work[:, 1], atol=1e-9)
    # FIFO at each station: service starts in the order the station was asked.
    for station in (first, second):
        by_request = station.sort_values("t_request", kind="stable")
        assert by_request["t_start"].is_monotonic_increasing
    waits = (first["t_start"] - first["t_request"]) + (second["t_start"] - second["t_request"])
    np.testing.assert_allclose(cases["wait_h"], waits, atol=1e-9)
    assert (waits > 0).mean() > 0.2      # the queues were not empty


def test_reductions_cover_the_issue_cases():
    names = [r.name for r in reductions()]
    assert any(n.startswith("M/M/1") for n in names)
    loads = [max(r.utilisations) for r in reductions() if n_stations(r) == 1]
    assert min(loads) <= 0.5 and max(loads) >= 0.95
    assert any(n_stations(r) >= 3 for r in reductions())


def n_stations(r: Reduction) -> int:
    return len(r.stations)


def test_checks_pass_on_the_right_theory_and_fail_on_a_wrong_one():
    red = Reduction("M/M/2 rho=0.6", 1.2, ((2, 1.0),))
    d = red.scenario(cases_per_rep=3000, warmup_relaxations=3)
    cases = _run(d, reps=8)
    sim_ = d["simulation"]
    rows = check_reduction(red, cases, sim_["warmup"], sim_["horizon"], confidence=0.99)
    assert [r.passed for r in rows] == [True] * 4
    # The same runs judged against M/M/1 theory at the same load: the waits cannot match.
    wrong = Reduction("wrong", 0.6, ((1, 1.0),))
    rows = check_reduction(wrong, cases, sim_["warmup"], sim_["horizon"], confidence=0.99)
    assert not rows[0].passed and not rows[1].passed


def _sweep_L(cases: pd.DataFrame, start: float, end: float) -> float:
    """Time-average number in system by an event sweep (independent of little.py's area sum)."""
    a = cases["t_report"].to_numpy()
    d = np.where(cases["resolved"], cases["t_resolved"].to_numpy(), np.inf)
    times = np.concatenate([a, d])
    steps = np.concatenate([np.ones(len(a)), -np.ones(len(d))])
    order = np.argsort(times, kind="stable")
    times, n = times[order], np.cumsum(steps[order])
    grid = np.clip(np.concatenate([[start], times, [end]]), start, end)
    level = np.concatenate([[np.sum((a < start) & (d > start))], n])
    # N(t) on [grid[i], grid[i+1]) is level[i] (events before start collapse to zero width).
    return float(np.sum(np.diff(grid) * level) / (end - start))


def test_littles_law_L_matches_an_event_sweep():
    cases = _run(tiny_dict(), reps=1)
    cases = cases[cases["t_report"].notna()]
    start, end = 24.0, 7 * 24.0
    result = littles_law(cases, start, end)
    assert result["replications"][0]["L"] == pytest.approx(_sweep_L(cases, start, end),
                                                           rel=1e-9)


def test_little_identity_holds_and_catches_broken_timestamps():
    cases = _run(tiny_dict(), reps=2)
    assert little_identity_gap(cases, 24.0, 168.0) < 1e-9
    broken = cases.copy()
    i = broken.index[(broken["t_report"] > 30) & (broken["t_report"] < 100)
                     & broken["resolved"]][0]
    broken.loc[i, "t_resolved"] = broken.loc[i, "t_report"] - 5.0  # resolved before reported
    assert little_identity_gap(broken, 24.0, 168.0) > 1e-6


def test_govsim_validate_quick_passes(capsys):
    code = cli(["validate", "--quick", "--backend", "processes", "--workers", "2"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "FAIL" not in out
    assert "M/M/4 rho=0.95" in out and "tandem" in out and "Little" in out


def test_govsim_validate_exits_non_zero_on_a_failure(monkeypatch, capsys):
    import sim.experiment.validation

    table = pd.DataFrame([{"check": "x", "quantity": "mean wait Wq (h)", "theory": 1.0,
                           "simulated": 2.0, "halfwidth": 0.1, "reps": 5, "passed": False,
                           "note": ""}])
    table.attrs.update(size="quick", reps=5, seed=1, confidence=0.99, cases_per_rep=10)
    monkeypatch.setattr(sim.experiment.validation, "run_validation", lambda *a, **k: table)
    assert cli(["validate", "--quick"]) == 1
    assert "FAIL" in capsys.readouterr().out
    assert "FAIL" in table_lines(table)[-1]
