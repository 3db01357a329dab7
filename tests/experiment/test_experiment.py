"""The experiment layer: comparisons and sweeps on common random numbers, precision targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.summary import ALL
from sim.experiment.compare import distinct_names
from sim.experiment.precision import run_to_precision
from sim.experiment.sweep import (
    _short_keys,
    factorial,
    parse_vary,
    point_id,
    point_scenario,
    split_values,
)
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict


def test_the_same_scenario_under_two_names_differs_by_exactly_zero():
    # Common random numbers: same seed -> the same cases, so a scenario compared with itself
    # must show no difference at all in any replication, not just "not significant".
    per_rep = sim.compare([tiny_dict(name="a"), tiny_dict(name="b")], reps=3,
                          seed=5).per_replication
    assert set(per_rep.columns) >= {"scenario", "replication", "case_type", "p90_h", "mean_h"}
    table = sim.comparison_table(per_rep)
    b = table[table["scenario"] == "b"].dropna(subset=["diff"])
    assert len(b) > 0
    assert (b["diff"] == 0).all() and (b["diff_lo"] == 0).all() and (b["diff_hi"] == 0).all()
    assert not b["significant"].any()


def test_more_staff_is_compared_on_the_same_cases():
    more = tiny_dict(name="more", departments={"um": {"staff": 8}, "housing": {"staff": 6}})
    per_rep = sim.compare([tiny_dict(), more], reps=4, seed=2).per_replication
    n = per_rep[per_rep["case_type"] == ALL].pivot(index="replication", columns="scenario",
                                                    values="n")
    # Staffing does not change which cases occur or when they are reported.
    assert (n["tiny"] == n["more"]).all()
    table = sim.comparison_table(per_rep)
    row = table[(table["metric"] == "mean_h") & (table["case_type"] == ALL)
                & (table["scenario"] == "more")].iloc[0]
    assert row["diff"] < 0 and row["reps"] == 4


def test_distinct_names_renames_only_duplicates():
    a = scenario_from_dict(tiny_dict())
    b = scenario_from_dict(tiny_dict())
    c = scenario_from_dict(tiny_dict(name="other"))
    out = distinct_names([a, b, c], ["x", "x", "c"])
    assert [s.name for s in out] == ["x", "x-2", "other"]


def test_parse_vary_types_values_and_keeps_brackets_together():
    assert parse_vary("reform.sinking.fraction=0,0.5,1") == ("reform.sinking.fraction",
                                                             [0, 0.5, 1])
    assert parse_vary("a.b=true,false")[1] == [True, False]
    assert split_values("[a, b],c,{x: 1, y: 2}") == ["[a, b]", "c", "{x: 1, y: 2}"]
    assert factorial({"a": [1, 2], "b": ["x", "y"]}) == [
        {"a": 1, "b": "x"}, {"a": 1, "b": "y"}, {"a": 2, "b": "x"}, {"a": 2, "b": "y"}]


def test_point_names_use_the_shortest_distinguishing_key_tails():
    keys = ["departments.um.staff", "departments.housing.staff", "reform.sinking.fraction"]
    assert list(_short_keys(keys).values()) == ["um.staff", "housing.staff", "fraction"]
    assert point_id({"reform.sinking.fraction": 0.5}) == "fraction=0.5"
    # A label that is not a plain file name keeps a readable slug and gets a hash, so that it
    # cannot share a folder with another label ("b=x_y" is a plain label of its own).
    spaced = point_id({"reform.sinking.fraction": 0.5, "a.b": "x y"})
    assert spaced.startswith("fraction=0.5,b=x_y~")
    assert spaced != point_id({"reform.sinking.fraction": 0.5, "a.b": "x_y"})
    long = point_id({"reform.sinking.fraction": list(range(40))})
    assert len(long) <= 80


def test_a_bad_sweep_value_is_refused_before_anything_runs():
    base = scenario_from_dict(tiny_dict())
    with pytest.raises(sim.scenario.ScenarioError) as err:
        point_scenario(base, {"departments.um.staff": -3})
    assert "departments.um.staff" in str(err.value) and "staff=-3" in str(err.value)


def test_sweep_returns_a_column_per_key_and_shares_random_numbers():
    per_rep = sim.sweep(tiny_dict(), vary={"departments.um.staff": [4, 6],
                                           "departments.housing.staff": [3, 5]},
                        reps=2, seed=3).per_replication
    assert {"departments.um.staff", "departments.housing.staff", "point"} <= set(per_rep.columns)
    points = per_rep[["departments.um.staff", "departments.housing.staff"]].drop_duplicates()
    assert len(points) == 4
    # The point equal to the base scenario reproduces a plain run of it (same seed, same cases).
    base_point = per_rep[(per_rep["departments.um.staff"] == 4)
                         & (per_rep["departments.housing.staff"] == 3)]
    plain = sim.run(tiny_dict(), reps=2, seed=3).per_replication
    cols = ["replication", "case_type", "n", "mean_h", "p90_h", "deadline_met_share"]
    pd.testing.assert_frame_equal(base_point[cols].reset_index(drop=True),
                                  plain[cols].reset_index(drop=True))


def test_precision_target_adds_replications_until_reached():
    s = scenario_from_dict(tiny_dict(simulation={"horizon": "14d", "warmup": "1d"}))
    [res], record = run_to_precision([s], 3, seed=1, target=0.15, metric="mean_h",
                                     max_reps=40)
    values = res.per_rep.loc[res.per_rep["case_type"] == ALL, "mean_h"]
    rel = sim.analysis.stats.relative_halfwidth(values.to_numpy())
    assert record["reached"] and rel <= 0.15
    assert res.reps == record["reps"] == res.per_rep["replication"].nunique()
    assert len(record["rounds"]) >= 1
    # Each round only computes what the previous ones did not.
    assert res.computed == list(range(res.reps))


def test_precision_stops_at_the_cap():
    s = scenario_from_dict(tiny_dict())
    [res], record = run_to_precision([s], 3, seed=1, target=1e-6, metric="mean_h", max_reps=5)
    assert not record["reached"]
    assert res.reps == 5
    assert [r["reps"] for r in record["rounds"]][-1] == 5
    assert np.isfinite(record["relative_halfwidth"]["tiny"])
