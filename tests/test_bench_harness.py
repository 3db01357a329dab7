"""The benchmark harness (benchmarks/bench.py) runs and writes its results; no speed is asserted.

It also checks that benchmark (a) really is the M/M/2 -> M/M/3 -> M/M/1 network it claims to be:
the mean time through govsim's version matches the Jackson-network value within a confidence
interval across replications.
"""

from __future__ import annotations

import importlib.util
import json
import math

import numpy as np
import pytest
from scipy import stats

from sim.model.replication import run_replication
from sim.scenario.loader import scenario_from_dict
from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("bench", ROOT / "benchmarks" / "bench.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def erlang_c_sojourn(lam: float, mu: float, c: int) -> float:
    """Mean time in an M/M/c station (wait + service)."""
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam) + 1 / mu


def test_tandem_scenario_is_the_jackson_network():
    theory = sum(erlang_c_sojourn(bench.ARRIVAL_RATE, mu, c) for _, c, mu in bench.STAGES)
    scenario = scenario_from_dict(bench.tandem_scenario(4000.0))
    means = []
    for rep in range(6):
        cases = run_replication(scenario, 11, rep).cases
        steady = cases[cases["t_report"] > 400.0]   # the first 400 h fill the queues
        assert steady["resolved"].all()
        means.append(steady["response_h"].mean())
    m, sd = np.mean(means), np.std(means, ddof=1)
    half = stats.t.ppf(0.995, len(means) - 1) * sd / math.sqrt(len(means))
    assert abs(m - theory) <= half, (m, half, theory)


def test_bare_simpy_model_serves_every_customer():
    n, seconds = bench.bare_simpy(200.0, seed=3)
    assert n > 200 and seconds > 0


def test_harness_writes_the_result_keys(tmp_path, capsys):
    out = tmp_path / "results.json"
    code = bench.main(["--sizes", "3000", "--tandem-cases", "300", "--repeats", "1",
                       "--trace-size", "0", "--out", str(out)])
    assert code == 0
    res = json.loads(out.read_text())
    for key in ("commit", "overhead_ratio", "cases_per_s", "cost_growth",
                "peak_mb_per_million"):
        assert key in res
    assert res["overhead_ratio"] > 0
    assert res["cases_per_s"]["baseline"] > 0
    assert set(res["cases_per_s"]) == {"baseline", "combined"}
    [(n, rate)] = res["cost_growth"].items()
    assert int(n) == pytest.approx(3000, rel=0.15) and rate > 0
    assert res["peak_mb_per_million"] >= 0
    printed = capsys.readouterr().out
    assert "overhead ratio" in printed and "cases" in printed
