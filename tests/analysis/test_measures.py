"""The hotline measures (response, resolution, satisfaction, reopen rates) on hand-made case
tables whose every rate is known, their edge cases, and properties over random tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.measures import (
    MEASURES,
    SatisfactionModel,
    case_indicators,
    measures,
    measures_summary,
)
from sim.analysis.summary import ALL, replication_metrics
from tests.analysis.frames import NAN, Case, cases_frame

CLOCKWORK = [
    # rep 0, type a (respond within 2 h, solve within 24 h); the run ends at 100 h.
    Case(t_onsite=11, t_resolved=20, first_solved=True),            # on time, solved: sat 1
    Case(t_onsite=13, t_resolved=40, first_solved=True),            # late contact, late fix
    Case(t_onsite=11.5, t_resolved=50, first_solved=False, reopens=1),  # closed unsolved
    Case(t_resolved=10.5, first_solved=True),                       # fixed on the spot
    Case(),                                                         # nobody came: late at end
    Case(t_report=99),                                              # could still be reached
    Case(t_onsite=10.1, t_resolved=11, first_solved=False, warm=True),  # warm-up: left out
    Case(t_report=NAN),                                             # never reported
    # rep 0, type b (respond within 4 h): on site exactly at the deadline, solved third time.
    Case(case_type="b", t_report=0, t_onsite=4, t_resolved=30, first_solved=False, reopens=2,
         within=4),
    # rep 1, type a: everything right.
    Case(rep=1, t_onsite=10.5, t_resolved=12, first_solved=True),
]


def row(table: pd.DataFrame, rep: int, case_type: str) -> pd.Series:
    sel = table[(table["replication"] == rep) & (table["case_type"] == case_type)]
    assert len(sel) == 1
    return sel.iloc[0]


def test_every_rate_of_one_replication_by_hand():
    per_rep = measures(cases_frame(CLOCKWORK), end_time=100.0)
    a = row(per_rep, 0, "a")
    assert a["response_rate"] == pytest.approx(3 / 5)       # 1, 0, 1, 1 (on the spot), 0
    assert a["resolution_rate"] == pytest.approx(3 / 4)     # of the four closed
    assert a["satisfaction_rate"] == pytest.approx((1 + 0.5 + 0.2 + 1) / 4)
    assert a["reopen_rate"] == pytest.approx(1 / 4)
    b = row(per_rep, 0, "b")
    assert (b["response_rate"], b["resolution_rate"], b["reopen_rate"]) == (1.0, 0.0, 1.0)
    assert b["satisfaction_rate"] == pytest.approx(0.2)


def test_all_pools_the_case_types_of_a_replication():
    total = row(measures(cases_frame(CLOCKWORK), end_time=100.0), 0, ALL)
    assert total["response_rate"] == pytest.approx(4 / 6)
    assert total["resolution_rate"] == pytest.approx(3 / 5)
    assert total["satisfaction_rate"] == pytest.approx(2.9 / 5)
    assert total["reopen_rate"] == pytest.approx(2 / 5)


def test_satisfaction_follows_the_given_model():
    model = SatisfactionModel(solved_on_time=0.9, solved_late=0.3, unsolved=0.0)
    a = row(measures(cases_frame(CLOCKWORK), model, end_time=100.0), 0, "a")
    assert a["satisfaction_rate"] == pytest.approx((0.9 + 0.3 + 0.0 + 0.9) / 4)


@pytest.mark.parametrize("field", ["solved_on_time", "solved_late", "unsolved"])
@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_satisfaction_chances_must_be_probabilities(field, value):
    with pytest.raises(ValueError, match=field):
        SatisfactionModel(**{field: value})


def test_response_deadline_is_inclusive_and_the_run_end_decides_the_unreached():
    frame = cases_frame([Case(t_onsite=12.0), Case(t_onsite=12.0 + 1e-9), Case()])
    # Without contact at 10 h, an end at 12 h leaves the case within its 2 h: unknown.
    early = case_indicators(frame, end_time=12.0)["responded"].to_numpy()
    assert early[:2].tolist() == [1.0, 0.0] and math.isnan(early[2])
    assert case_indicators(frame, end_time=12.5)["responded"].iloc[2] == 0.0


def test_an_inferred_run_end_is_the_last_timestamp_of_the_replication():
    frame = cases_frame([Case(t_report=10.0), Case(t_report=0.0, t_resolved=11.0,
                                                   first_solved=True),
                         Case(rep=1, t_report=10.0), Case(rep=1, t_report=0, t_onsite=50.0)])
    responded = case_indicators(frame)["responded"].to_numpy()
    assert math.isnan(responded[0])          # rep 0 ends at 11 h: 1 h after the report
    assert responded[2] == 0.0               # rep 1 ends at 50 h: 40 h after the report


def test_run_ends_by_replication_and_by_scenario_and_replication():
    frame = cases_frame([Case(t_report=10.0), Case(rep=1, t_report=10.0)])
    by_rep = case_indicators(frame, end_time={0: 11.0, 1: 13.0})["responded"].to_numpy()
    assert math.isnan(by_rep[0]) and by_rep[1] == 0.0
    keyed = case_indicators(frame, end_time={("s", 0): 13.0, ("s", 1): 11.0})["responded"]
    assert keyed.iloc[0] == 0.0 and math.isnan(keyed.iloc[1])
    with pytest.raises(ValueError, match="replication 1"):
        case_indicators(frame, end_time={0: 11.0})


def test_no_closed_case_leaves_the_closure_rates_undefined():
    frame = cases_frame([Case(t_onsite=11.0), Case(t_onsite=15.0)])
    a = row(measures(frame, end_time=100.0), 0, "a")
    assert a["response_rate"] == 0.5
    assert all(math.isnan(a[m]) for m in ("resolution_rate", "satisfaction_rate",
                                          "reopen_rate"))


def test_all_censored_within_their_deadline_leave_every_rate_undefined():
    frame = cases_frame([Case(t_report=99.0), Case(t_report=99.5)])
    a = row(measures(frame, end_time=100.0), 0, "a")
    assert all(math.isnan(a[m]) for m in MEASURES)
    summary = measures_summary(frame, end_time=100.0)
    assert summary["response_rate"].isna().all() and summary["response_rate_hw"].isna().all()


def test_all_censored_past_their_deadline_were_not_responded():
    frame = cases_frame([Case(), Case(t_report=50.0)])
    assert row(measures(frame, end_time=100.0), 0, "a")["response_rate"] == 0.0


def test_summary_means_and_t_half_widths_across_replications():
    summary = measures_summary(cases_frame(CLOCKWORK), end_time=100.0)
    assert list(summary["case_type"]) == [ALL, "a", "b"]
    assert list(summary.columns[:3]) == ["scenario", "case_type", "reps"]
    assert [c for c in summary.columns[3:]] == [c for m in MEASURES for c in (m, f"{m}_hw")]
    a = summary[summary["case_type"] == "a"].iloc[0]
    values = np.array([3 / 5, 1.0])                          # reps 0 and 1
    assert a["reps"] == 2
    assert a["response_rate"] == pytest.approx(values.mean())
    expected_hw = stats.t.ppf(0.975, 1) * values.std(ddof=1) / math.sqrt(2)
    assert a["response_rate_hw"] == pytest.approx(expected_hw)
    b = summary[summary["case_type"] == "b"].iloc[0]          # rep 0 only
    assert b["reps"] == 1 and math.isnan(b["resolution_rate_hw"])


def test_per_replication_rows_line_up_with_the_summary_metrics():
    frame = cases_frame(CLOCKWORK)
    keys = ["scenario", "replication", "case_type"]
    ours = measures(frame, end_time=100.0)[keys].astype(str)
    theirs = replication_metrics(frame)[keys].astype(str)
    assert ours.values.tolist() == theirs.values.tolist()


def test_no_counted_case_gives_empty_tables_with_their_columns():
    frame = cases_frame([Case(warm=True)])
    assert measures(frame).empty and "response_rate" in measures(frame).columns
    assert measures_summary(frame).empty and "reopen_rate_hw" in measures_summary(frame).columns


@st.composite
def random_cases(draw) -> list[Case]:
    out = []
    for _ in range(draw(st.integers(1, 30))):
        report = draw(st.floats(0, 90))
        onsite = draw(st.one_of(st.just(NAN), st.floats(0, 20).map(lambda d, r=report: r + d)))
        closed = draw(st.booleans())
        resolved = report + draw(st.floats(0, 60)) if closed else NAN
        out.append(Case(rep=draw(st.integers(0, 2)), case_type=draw(st.sampled_from("ab")),
                        t_report=report, t_onsite=onsite, t_resolved=resolved,
                        first_solved=draw(st.booleans()) if closed else None,
                        reopens=draw(st.integers(0, 3)), within=draw(st.floats(0.1, 10)),
                        warm=draw(st.booleans())))
    return out


@settings(max_examples=60, deadline=None)
@given(random_cases(), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_rates_are_shares(cases, on_time, late, unsolved):
    model = SatisfactionModel(on_time, late, unsolved)
    per_rep = measures(cases_frame(cases, end=200.0), model, end_time=200.0)
    for m in MEASURES:
        values = per_rep[m].dropna().to_numpy(dtype=float)
        assert ((values >= 0) & (values <= 1)).all()
    # Satisfaction lies between the least and the most generous chance.
    sat = per_rep["satisfaction_rate"].dropna().to_numpy(dtype=float)
    lo, hi = min(on_time, late, unsolved), max(on_time, late, unsolved)
    assert ((sat >= lo - 1e-12) & (sat <= hi + 1e-12)).all()


def test_paired_comparison_of_scenarios_on_the_rates():
    from sim.analysis.compare import comparison_table

    base = [Case(rep=r, t_onsite=11, t_resolved=12, first_solved=r != k)
            for r in range(3) for k in range(3)]            # rep r: 2 of 3 solved first time
    better = [Case(rep=c.rep, t_onsite=11, t_resolved=12, first_solved=True, scenario="t")
              for c in base]
    frame = pd.concat([cases_frame(base), cases_frame(better)], ignore_index=True)
    per_rep = measures(frame, end_time=100.0)
    table = comparison_table(per_rep, metrics=MEASURES)
    resolution = table[(table["metric"] == "resolution_rate") & (table["case_type"] == ALL)
                       & (table["scenario"] == "t")].iloc[0]
    assert resolution["baseline"] == "s" and resolution["diff"] == pytest.approx(1 / 3)
    assert resolution["reps"] == 3
