"""Confidence intervals, paired comparisons, precision and MSER on synthetic data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import comparison_table
from sim.analysis.stats import (
    paired_interval,
    relative_halfwidth,
    reps_for_precision,
    t_halfwidth,
    t_interval,
    welch_interval,
)
from sim.analysis.warmup import deseasonalise, mser
from sim.cli.text import difference_sentence
from sim.experiment.runner import run_scenarios
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict


def test_t_interval_covers_known_mean_in_at_least_90_percent_of_200_repetitions():
    # 200 experiments of 10 lognormal "replications" with a known mean. A 95% t interval would
    # cover it 190 times on average (sd of the count: sqrt(200·0.95·0.05) ≈ 3.1); 180 is more
    # than 3 sd below, so a correct interval fails this with probability < 0.2% (and the seed
    # is fixed). The data are skewed on purpose, like per-replication p90s can be.
    rng = np.random.default_rng(20261128)
    sigma = 0.25
    true_mean = math.exp(sigma**2 / 2)
    covered = 0
    for _ in range(200):
        x = rng.lognormal(0.0, sigma, size=10)
        _, lo, hi = t_interval(x, 0.95)
        covered += lo <= true_mean <= hi
    assert covered >= 180
    # ...and not absurdly wide: even 199 of 200 would be 3 sd above the nominal 190.
    assert covered <= 198


def test_halfwidth_edge_cases():
    assert math.isnan(t_halfwidth([1.0]))
    assert math.isinf(t_halfwidth([1.0, math.inf, 2.0]))
    assert t_halfwidth([3.0, 3.0, 3.0]) == 0.0
    # Known value: n=4, sd=1 -> t(0.975, 3) * 1 / 2 = 3.182446 / 2.
    x = np.array([-1.5, -0.5, 0.5, 1.5]) / np.std([-1.5, -0.5, 0.5, 1.5], ddof=1)
    assert t_halfwidth(x) == pytest.approx(3.182446 / 2, rel=1e-5)


def test_relative_precision_and_the_replications_it_needs():
    assert relative_halfwidth([9.0, 10.0, 11.0]) == pytest.approx(t_halfwidth([9, 10, 11]) / 10)
    assert math.isinf(relative_halfwidth([-1.0, 1.0]))
    # Half-widths fall like 1/sqrt(n): to halve one, four times the replications.
    assert reps_for_precision(10, 0.10, 0.05) == 40
    assert reps_for_precision(10, 0.04, 0.05) == 10  # already there
    assert reps_for_precision(10, math.inf, 0.05) == 20


def _crn_metrics(reps: int = 8) -> pd.DataFrame:
    a = scenario_from_dict(tiny_dict(name="a"))
    b = scenario_from_dict(tiny_dict(name="b", departments={"um": {"staff": 5},
                                                            "housing": {"staff": 3}}))
    results = run_scenarios([a, b], reps, seed=7)
    return pd.concat([r.per_rep for r in results], ignore_index=True)


def test_paired_interval_is_narrower_than_unpaired_on_common_random_numbers():
    per_rep = _crn_metrics()
    all_ = per_rep[per_rep["case_type"] == "ALL"]
    for metric in ("mean_h", "p90_h"):
        a = all_[all_["scenario"] == "a"].sort_values("replication")[metric].to_numpy()
        b = all_[all_["scenario"] == "b"].sort_values("replication")[metric].to_numpy()
        _, plo, phi = paired_interval(a, b)
        _, wlo, whi = welch_interval(a, b)
        # Same cases in both: the replication-to-replication noise cancels in the pairs.
        assert phi - plo < whi - wlo, metric


def test_comparison_table_matches_hand_computed_paired_differences():
    per_rep = _crn_metrics(reps=5)
    table = comparison_table(per_rep, 0.9)
    assert list(table.columns[:10]) == ["metric", "case_type", "scenario", "baseline", "reps",
                                        "value", "value_hw", "diff", "diff_lo", "diff_hi"]
    row = table[(table["metric"] == "mean_h") & (table["case_type"] == "ALL")
                & (table["scenario"] == "b")].iloc[0]
    all_ = per_rep[per_rep["case_type"] == "ALL"].set_index(["scenario", "replication"])
    d = all_.loc["b", "mean_h"] - all_.loc["a", "mean_h"]
    mean, lo, hi = t_interval(d.to_numpy(), 0.9)
    assert (row["diff"], row["diff_lo"], row["diff_hi"]) == pytest.approx((mean, lo, hi))
    assert row["value"] == pytest.approx(all_.loc["b", "mean_h"].mean())
    assert row["significant"] == (lo > 0 or hi < 0)
    base = table[table["scenario"] == "a"]
    assert (base["diff"] == 0).all() and (base["baseline"] == "a").all()
    assert table["case_type"].iloc[0] == "ALL"


def test_difference_sentences():
    row = {"metric": "p90_h", "scenario": "combined", "baseline": "baseline",
           "diff": -41.2, "diff_lo": -44.5, "diff_hi": -38.0}
    assert difference_sentence(row) == ("combined lowers p90 response time by 41.2 h "
                                        "(95% CI 38.0 to 44.5)")
    row = {"metric": "deadline_met_share", "scenario": "w", "baseline": "b",
           "diff": 0.02, "diff_lo": -0.01, "diff_hi": 0.05}
    assert "no significant difference" in difference_sentence(row)
    assert "-1.0 to 5.0" in difference_sentence(row)


def test_mser_finds_the_end_of_a_known_transient():
    rng = np.random.default_rng(3)
    transient = np.linspace(50.0, 0.0, 200)           # decays over the first 200 observations
    x = np.concatenate([transient, np.zeros(800)]) + rng.normal(0, 1, 1000)
    d, stat = mser(x)
    assert len(stat) == 1000 // 5 // 2 + 1
    # The cut is where the bias has become small against the noise: near the end of the ramp.
    assert 25 <= d <= 45  # batches of 5: observations 125..225


def test_mser_on_a_stationary_series_drops_little():
    x = np.random.default_rng(4).normal(10, 1, 1000)
    d, _ = mser(x)
    assert d < 20


def test_deseasonalise_removes_a_known_cycle():
    t = np.arange(24 * 28)
    cycle = 30 * np.sin(2 * np.pi * t / 168)
    x = 100 + cycle
    out = deseasonalise(x, 168)
    assert np.allclose(out, 100)
    assert np.array_equal(deseasonalise(x, 0), x)


# ------------------------------------------------------------- several comparisons at once

def test_holm_and_bonferroni_by_hand():
    # m = 4 tests (the NaN is not one). Sorted: 0.005 x4 = 0.02, 0.01 x3 = 0.03,
    # 0.03 x2 = 0.06, 0.04 x1 = 0.04 -> raised to 0.06 (step-down: never below the one before).
    from sim.analysis.stats import bonferroni, holm

    p = [0.01, 0.04, float("nan"), 0.03, 0.005]
    np.testing.assert_allclose(holm(p), [0.03, 0.06, np.nan, 0.06, 0.02])
    np.testing.assert_allclose(bonferroni(p), [0.04, 0.16, np.nan, 0.12, 0.02])
    # at alpha 0.05 Holm rejects two (0.005 and 0.01), Bonferroni also two; unadjusted four
    assert np.sum(holm(p) < 0.05) == 2 and np.sum(bonferroni(p) < 0.05) == 2
    np.testing.assert_allclose(holm([0.9, 0.8]), [1.0, 1.0])   # 0.8 x 2 capped at 1; then >= 1
    np.testing.assert_allclose(bonferroni([0.6, 0.01]), [1.0, 0.02])


def test_holm_rejects_at_least_what_bonferroni_does():
    from sim.analysis.stats import bonferroni, holm

    rng = np.random.default_rng(3)
    for _ in range(50):
        p = rng.uniform(0, 0.1, rng.integers(1, 12))
        assert np.all(holm(p) <= bonferroni(p) + 1e-15)
        assert np.all(holm(p) >= p - 1e-15)


def test_paired_t_pvalue_is_scipys_paired_t_test():
    from scipy import stats

    from sim.analysis.stats import paired_t_pvalue

    rng = np.random.default_rng(7)
    a = rng.normal(10, 2, 12)
    b = a + rng.normal(0.8, 1, 12)
    assert paired_t_pvalue(b - a) == pytest.approx(stats.ttest_rel(b, a).pvalue, rel=1e-12)
    assert math.isnan(paired_t_pvalue([0.0, 0.0, 0.0]))     # never differ: nothing to test
    assert paired_t_pvalue([2.0, 2.0, 2.0]) == 0.0          # always the same nonzero amount
    assert math.isnan(paired_t_pvalue([1.5]))


def test_bonferroni_level():
    from sim.analysis.stats import bonferroni_level

    assert bonferroni_level(0.95, 10) == pytest.approx(0.995)
    assert bonferroni_level(0.95, 1) == pytest.approx(0.95)


def test_adjust_pvalues_refuses_an_unknown_method():
    from sim.analysis.stats import adjust_pvalues

    with pytest.raises(ValueError, match="unknown adjustment 'hochberg'"):
        adjust_pvalues([0.01], "hochberg")
