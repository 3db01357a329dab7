"""Per-street and per-department tables (streets.csv, departments.csv) on hand-made runs."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.summary import ALL
from sim.analysis.tables import (
    UNIT_METRICS,
    department_per_replication,
    department_table,
    street_per_replication,
    street_table,
)
from tests.analysis.frames import NAN, Case, cases_frame, pools_frame

CASES = cases_frame([
    # rep 0
    Case(street="x", t_onsite=11, t_resolved=20, first_solved=True, bounces=1),
    Case(street="x", case_type="b", t_onsite=15, t_resolved=40, first_solved=False, reopens=1,
         bounces=2),
    Case(street="y", t_onsite=10.5, t_resolved=12, first_solved=True),
    Case(street="y", t_onsite=10.5, t_resolved=12, first_solved=False, warm=True),  # left out
    # rep 1
    Case(rep=1, street="x", t_onsite=11, t_resolved=14, first_solved=True),
    Case(rep=1, street="y", case_type="b", t_onsite=11, t_resolved=16, first_solved=False,
         reopens=1, bounces=3),
])
DEPARTMENTS = {"a": ["um"], "b": ["um", "housing"]}


def pools(x_staff_busy_rep1: float = 30.0) -> pd.DataFrame:
    rows = []
    for rep, x_busy in ((0, 10.0), (1, x_staff_busy_rep1)):
        rows += [
            (rep, "x/staff", "street", "", "x", x_busy, 40.0),
            (rep, "x/dispatch", "dispatch", "", "x", 5.0, 10.0),
            (rep, "um/x", "stationed", "um", "x", 20.0, 50.0),
            (rep, "um/central", "central", "um", "", 30.0, 100.0),
            (rep, "centre/y", "centre", "centre", "y", 8.0, 16.0),
            (rep, "y/dispatch", "dispatch", "", "y", 3.0, NAN),      # unlimited: no open hours
            (rep, "housing/central", "central", "housing", "", 10.0, 20.0),
        ]
    return pools_frame(rows)


def unit(table: pd.DataFrame, column: str, value: str, rep: int | None = None) -> pd.Series:
    sel = table[table[column] == value]
    if rep is not None:
        sel = sel[sel["replication"] == rep]
    assert len(sel) == 1
    return sel.iloc[0]


def test_street_figures_of_one_replication_by_hand():
    per_rep = street_per_replication(CASES, pools(), end_time=100.0)
    x = unit(per_rep, "street", "x", rep=0)
    assert x["n"] == 2
    assert (x["response_rate"], x["resolution_rate"], x["reopen_rate"]) == (0.5, 0.5, 0.5)
    assert x["satisfaction_rate"] == pytest.approx((1.0 + 0.2) / 2)
    assert (x["mean_h"], x["p90_h"], x["deadline_met_share"]) == (20.0, 30.0, 0.5)
    assert x["bounces_per_case"] == 1.5
    assert x["utilisation"] == pytest.approx((10 + 5 + 20) / (40 + 10 + 50))
    assert unit(per_rep, "street", "y", rep=0)["utilisation"] == pytest.approx(0.5)
    everything = unit(per_rep, "street", ALL, rep=0)
    assert everything["n"] == 3
    assert everything["utilisation"] == pytest.approx((35 + 8) / (100 + 16))


def test_street_table_means_ranks_and_half_widths():
    table = street_table(CASES, pools(), end_time=100.0)
    assert list(table["street"]) == [ALL, "x", "y"]
    assert [c for c in table.columns if c.endswith("_hw")] == [f"{m}_hw" for m in UNIT_METRICS]
    x, y = unit(table, "street", "x"), unit(table, "street", "y")
    assert x["resolution_rate"] == pytest.approx(0.75)        # reps: 1/2 and 1
    assert y["resolution_rate"] == pytest.approx(0.5)         # reps: 1 and 0
    assert x["utilisation"] == pytest.approx((0.35 + 0.55) / 2)
    assert (x["rank"], y["rank"]) == (1, 2)
    assert pd.isna(unit(table, "street", ALL)["rank"])
    assert x["reps"] == 2 and x["resolution_rate_hw"] > 0


def test_ties_share_the_best_rank():
    frame = cases_frame([Case(street=s, t_onsite=11, t_resolved=12, first_solved=solved)
                         for s, solved in (("p", True), ("q", True), ("r", False))])
    table = street_table(frame, end_time=100.0).set_index("street")
    assert table.loc[["p", "q", "r"], "rank"].tolist() == [1, 1, 3]


def test_a_case_counts_for_every_department_it_needs():
    per_rep = department_per_replication(CASES, pools(), DEPARTMENTS, end_time=100.0)
    um, housing = (unit(per_rep, "department", d, rep=0) for d in ("um", "housing"))
    assert (um["n"], housing["n"]) == (3, 1)
    assert um["resolution_rate"] == pytest.approx(2 / 3)
    assert housing["resolution_rate"] == 0.0 and housing["bounces_per_case"] == 2.0
    assert unit(per_rep, "department", ALL, rep=0)["n"] == 3   # the district counts each once
    assert um["utilisation"] == pytest.approx((20 + 30) / (50 + 100))
    assert housing["utilisation"] == pytest.approx(0.5)
    assert "centre" not in set(per_rep["department"])


def test_department_table_ranks_by_resolution():
    table = department_table(CASES, pools(), DEPARTMENTS, end_time=100.0)
    assert list(table["department"]) == [ALL, "housing", "um"]
    um, housing = unit(table, "department", "um"), unit(table, "department", "housing")
    assert um["resolution_rate"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert (um["rank"], housing["rank"]) == (1, 2)
    by_bounces = department_table(CASES, pools(), DEPARTMENTS, end_time=100.0,
                                   rank_by="bounces_per_case")
    # Ranking by another column: the higher value ranks first.
    assert unit(by_bounces, "department", "housing")["rank"] == 1


def test_department_mapping_must_cover_every_case_type():
    with pytest.raises(ValueError, match=r"\['b'\]"):
        department_table(CASES, pools(), {"a": ["um"]})


def test_a_type_needing_no_department_counts_only_in_the_district():
    frame = cases_frame([Case(t_onsite=11, t_resolved=12, first_solved=True),
                         Case(case_type="c", t_onsite=11, t_resolved=12, first_solved=False)])
    per_rep = department_per_replication(frame, None, {"a": ["um"], "c": []}, end_time=100.0)
    assert set(per_rep["department"]) == {ALL, "um"}
    assert unit(per_rep, "department", ALL)["n"] == 2
    assert per_rep["utilisation"].isna().all()               # no pools given


def test_one_replication_has_no_half_width():
    table = street_table(CASES[CASES["replication"] == 0], pools(), end_time=100.0)
    assert table["resolution_rate_hw"].isna().all()
    assert (table["reps"] == 1).all()


def test_no_counted_case_gives_empty_tables_with_their_columns():
    frame = cases_frame([Case(warm=True)])
    table = street_table(frame, pools())
    assert table.empty and {"rank", "utilisation_hw", "n"} <= set(table.columns)
    dept = department_table(frame, pools(), DEPARTMENTS)
    assert dept.empty and "rank" in dept.columns
