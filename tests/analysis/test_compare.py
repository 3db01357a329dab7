"""Paired comparisons with several comparisons at once: p-values, Holm and Bonferroni."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.compare import ADJUSTED_COLUMNS, COLUMNS, comparison_table
from sim.analysis.stats import bonferroni, holm


def per_rep(reps: int = 8, seed: int = 5) -> pd.DataFrame:
    """Three scenarios on paired replications: B shifts both metrics a lot, C a little."""
    rng = np.random.default_rng(seed)
    base_mean = rng.normal(20, 3, reps)
    base_share = rng.uniform(0.5, 0.7, reps)
    rows = []
    for scenario, shift in (("A", 0.0), ("B", -4.0), ("C", -0.3)):
        mean_h = base_mean + shift + rng.normal(0, 0.5, reps) * (scenario != "A")
        share = base_share - shift / 100 + rng.normal(0, 0.01, reps) * (scenario != "A")
        for r in range(reps):
            rows.append({"scenario": scenario, "replication": r, "case_type": "ALL",
                         "mean_h": mean_h[r], "deadline_met_share": share[r]})
    return pd.DataFrame(rows)


METRICS = ["mean_h", "deadline_met_share"]


def test_p_values_are_paired_t_tests():
    data = per_rep()
    table = comparison_table(data, metrics=METRICS)
    assert list(table.columns) == COLUMNS
    row = table[(table["scenario"] == "C") & (table["metric"] == "mean_h")].iloc[0]
    a = data[data["scenario"] == "A"]["mean_h"].to_numpy()
    c = data[data["scenario"] == "C"]["mean_h"].to_numpy()
    assert row["p_value"] == pytest.approx(stats.ttest_rel(c, a).pvalue, rel=1e-12)
    assert table[table["scenario"] == "A"]["p_value"].isna().all()   # the baseline: no test


@pytest.mark.parametrize("method", ["holm", "bonferroni"])
def test_one_family_per_case_type(method: str):
    table = comparison_table(per_rep(), metrics=METRICS, adjust=method)
    assert set(ADJUSTED_COLUMNS) <= set(table.columns)
    tested = table[table["scenario"] != "A"]
    assert (tested["family_size"] == 4).all()
    expected = (holm if method == "holm" else bonferroni)(tested["p_value"].to_numpy())
    np.testing.assert_allclose(tested["p_adjusted"].to_numpy(), expected)
    assert (tested["significant_adjusted"] == (tested["p_adjusted"] < 0.05)).all()
    assert (tested["p_adjusted"] >= tested["p_value"]).all()


def test_bonferroni_intervals_are_wider_and_agree_with_its_p_values():
    data = per_rep()
    table = comparison_table(data, metrics=METRICS, adjust="bonferroni")
    tested = table[table["scenario"] != "A"]
    assert (tested["diff_lo_adjusted"] < tested["diff_lo"]).all()
    assert (tested["diff_hi_adjusted"] > tested["diff_hi"]).all()
    excludes_zero = (tested["diff_lo_adjusted"] > 0) | (tested["diff_hi_adjusted"] < 0)
    assert (excludes_zero == tested["significant_adjusted"]).all()
    # by hand: the interval at level 1 - 0.05/4 of C's paired mean_h differences
    row = tested[(tested["scenario"] == "C") & (tested["metric"] == "mean_h")].iloc[0]
    d = (data[data["scenario"] == "C"]["mean_h"].to_numpy()
         - data[data["scenario"] == "A"]["mean_h"].to_numpy())
    half = stats.t.ppf(1 - 0.05 / 8, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    assert row["diff_lo_adjusted"] == pytest.approx(d.mean() - half)
    assert row["diff_hi_adjusted"] == pytest.approx(d.mean() + half)


def test_holm_has_no_intervals_and_no_adjustment_adds_nothing():
    assert "diff_lo_adjusted" not in comparison_table(per_rep(), metrics=METRICS, adjust="holm")
    assert list(comparison_table(per_rep(), metrics=METRICS, adjust="none").columns) == COLUMNS
