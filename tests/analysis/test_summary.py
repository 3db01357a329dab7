"""Per-replication metrics and their summary, on hand-made case tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.summary import ALL, METRICS, replication_metrics, summarise, summary_table

NAN = float("nan")


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (replication, case_type, response_h or NaN if open, deadline_h, in_warmup)."""
    out = []
    for rep, kind, response, deadline, warm in rows:
        resolved = not math.isnan(response)
        out.append({"scenario": "s", "replication": rep, "case_type": kind, "t_report": 10.0,
                    "response_h": response, "resolved": resolved, "deadline_h": deadline,
                    "deadline_met": (response <= deadline) if resolved else pd.NA,
                    "in_warmup": warm})
    data = pd.DataFrame(out)
    data["deadline_met"] = data["deadline_met"].astype("boolean")
    return data


def row(per_rep: pd.DataFrame, rep: int, kind: str) -> pd.Series:
    sel = per_rep[(per_rep["replication"] == rep) & (per_rep["case_type"] == kind)]
    assert len(sel) == 1
    return sel.iloc[0]


CASES = frame([
    (0, "a", 1.0, 2.0, False), (0, "a", 2.0, 2.0, False), (0, "a", 3.0, 2.0, False),
    (0, "a", NAN, 2.0, False),                      # open at the end: censored
    (0, "b", 10.0, 24.0, False), (0, "b", 30.0, 24.0, False),
    (0, "b", 500.0, 24.0, True),                    # in the warm-up: left out
    (1, "a", 4.0, 2.0, False), (1, "b", 20.0, 24.0, False),
])


def test_metrics_of_one_replication():
    per_rep = replication_metrics(CASES)
    a = row(per_rep, 0, "a")
    assert a["n"] == 4 and a["censored"] == 1
    assert a["resolved_share"] == 0.75
    assert a["mean_h"] == 2.0                      # over resolved cases only
    assert a["p50_h"] == 2.0                       # inverted CDF: 2 of 4 at or below 2
    assert a["p90_h"] == math.inf                  # the censored case counts as endless
    assert a["deadline_met_share"] == pytest.approx(2 / 3)   # the open case is not yet known
    b = row(per_rep, 0, "b")
    assert (b["n"], b["mean_h"], b["p50_h"], b["p95_h"]) == (2, 20.0, 10.0, 30.0)
    assert b["deadline_met_share"] == 0.5


def test_all_pools_the_types_of_a_replication():
    per_rep = replication_metrics(CASES)
    total = row(per_rep, 0, ALL)
    assert total["n"] == 6 and total["censored"] == 1
    assert total["mean_h"] == pytest.approx((1 + 2 + 3 + 10 + 30) / 5)
    assert total["p50_h"] == 3.0
    assert set(per_rep["case_type"]) == {ALL, "a", "b"}
    assert len(per_rep) == 6                        # 2 replications x (ALL, a, b)


def test_cases_never_reported_are_left_out():
    data = CASES.copy()
    data.loc[0, "t_report"] = NAN
    assert row(replication_metrics(data), 0, "a")["n"] == 3


def test_summary_means_and_t_half_widths():
    per_rep = replication_metrics(CASES)
    summary = summarise(per_rep)
    assert list(summary["case_type"]) == [ALL, "a", "b"]
    assert (summary["reps"] == 2).all()
    b = summary[summary["case_type"] == "b"].iloc[0]
    assert b["mean_h"] == pytest.approx((20.0 + 20.0) / 2)
    assert b["mean_h_hw"] == 0.0                     # identical replications
    a = summary[summary["case_type"] == "a"].iloc[0]
    # rep 0: resolved 0.75, rep 1: 1.0; hw = t(0.975, 1) * sd / sqrt(2).
    sd = np.std([0.75, 1.0], ddof=1)
    assert a["resolved_share"] == pytest.approx(0.875)
    assert a["resolved_share_hw"] == pytest.approx(stats.t.ppf(0.975, 1) * sd / math.sqrt(2))
    assert a["p90_h"] == math.inf and a["p90_h_hw"] == math.inf
    for m in METRICS:
        assert f"{m}_hw" in summary.columns


def test_confidence_level_widens_the_interval():
    per_rep = replication_metrics(CASES)
    narrow = summarise(per_rep, 0.80)
    wide = summarise(per_rep, 0.99)
    assert (wide["resolved_share_hw"] >= narrow["resolved_share_hw"]).all()
    assert (wide["resolved_share_hw"] > narrow["resolved_share_hw"]).any()


def test_one_replication_has_no_interval():
    summary = summary_table(CASES[CASES["replication"] == 1])
    assert summary["mean_h_hw"].isna().all()
    assert list(summary["n"]) == [2, 1, 1]


def test_zero_cases_give_an_empty_table_with_its_columns():
    summary = summary_table(CASES.iloc[:0])
    assert summary.empty
    assert {"scenario", "case_type", "reps", "n", "n_hw", "p90_h_hw"} <= set(summary.columns)


def test_without_a_scenario_column():
    per_rep = replication_metrics(CASES.drop(columns="scenario"))
    assert (per_rep["scenario"] == "").all()
    assert row(per_rep, 1, ALL)["n"] == 2
