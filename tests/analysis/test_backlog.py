"""Backlog over time: hand-computed days, a brute-force reference, and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.backlog import backlog, backlog_per_replication
from tests.analysis.frames import NAN, Case, cases_frame


def runs(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (replication, t_report, t_resolved or NaN)."""
    return cases_frame([Case(rep=r, t_report=s, t_resolved=e,
                             first_solved=None if math.isnan(e) else True)
                        for r, s, e in rows])


def test_two_days_by_hand():
    # Open 0-36 h and 12 h until the run's end at 48 h.
    per_rep = backlog_per_replication(runs([(0, 0.0, 36.0), (0, 12.0, NAN)]), end_time=48.0)
    assert per_rep["day"].tolist() == [0, 1]
    assert per_rep["open"].tolist() == pytest.approx([(24 + 12) / 24, (12 + 24) / 24])


def test_a_quiet_day_shows_the_snapshot_count():
    # Three cases open all of day 1 (24-48 h), nothing else.
    frame = runs([(0, 0.0, 72.0), (0, 10.0, 60.0), (0, 20.0, 50.0), (0, 50.0, 51.0)])
    per_rep = backlog_per_replication(frame, end_time=72.0)
    assert per_rep["open"].iloc[1] == pytest.approx(3.0)


def test_never_reported_cases_are_not_in_the_backlog():
    frame = runs([(0, 0.0, 24.0), (0, NAN, NAN)])
    assert backlog_per_replication(frame, end_time=24.0)["open"].tolist() == [1.0]


def test_the_day_length_is_a_parameter():
    per_rep = backlog_per_replication(runs([(0, 0.0, 18.0)]), day=12.0, end_time=24.0)
    assert per_rep["open"].tolist() == pytest.approx([1.0, 0.5])
    with pytest.raises(ValueError, match="positive"):
        backlog_per_replication(runs([(0, 0.0, 18.0)]), day=0.0)


def test_mean_and_half_width_across_replications():
    # Rep 0 ends after one day (all solved); rep 1 runs two. Rep 0 counts 0 on day 1.
    frame = runs([(0, 0.0, 24.0), (0, 0.0, 12.0), (1, 0.0, 48.0)])
    table = backlog(frame, end_time={0: 24.0, 1: 48.0})
    assert table.columns.tolist() == ["scenario", "day", "open_mean", "open_hw"]
    assert table["day"].tolist() == [0, 1]
    day0, day1 = np.array([1.5, 1.0]), np.array([0.0, 1.0])
    assert table["open_mean"].tolist() == pytest.approx([day0.mean(), day1.mean()])
    t = stats.t.ppf(0.975, 1)
    assert table["open_hw"].tolist() == pytest.approx(
        [t * day0.std(ddof=1) / math.sqrt(2), t * day1.std(ddof=1) / math.sqrt(2)])


def test_one_replication_has_no_half_width_and_no_case_no_rows():
    table = backlog(runs([(0, 0.0, 30.0)]), end_time=48.0)
    assert table["open_hw"].isna().all() and len(table) == 2
    empty = backlog(runs([(0, NAN, NAN)]))
    assert empty.empty and "open_mean" in empty.columns


def brute_force(starts: np.ndarray, ends: np.ndarray, day: float, days: int) -> np.ndarray:
    """Per day, the overlap of every case's open interval with the day, case by case."""
    out = np.zeros(days)
    for s, e in zip(starts, ends, strict=True):
        for k in range(days):
            out[k] += max(0.0, min(e, (k + 1) * day) - max(s, k * day))
    return out / day


@st.composite
def intervals(draw) -> tuple[list[tuple], float]:
    end = draw(st.floats(1.0, 500.0))
    rows = []
    for _ in range(draw(st.integers(1, 40))):
        start = draw(st.floats(0.0, end))
        solved = draw(st.one_of(st.just(NAN), st.floats(start, end)))
        rows.append((draw(st.integers(0, 2)), start, solved))
    return rows, end


@settings(max_examples=80, deadline=None)
@given(intervals(), st.sampled_from([1.0, 7.5, 24.0]))
def test_backlog_is_the_area_under_the_open_count(data, day):
    rows, end = data
    frame = runs(rows)
    per_rep = backlog_per_replication(frame, day=day, end_time=end)
    assert (per_rep["open"] >= 0).all()
    for rep, g in per_rep.groupby("replication"):
        mine = [(s, e) for r, s, e in rows if r == rep]
        starts = np.array([s for s, _ in mine])
        ends = np.array([end if math.isnan(e) else e for _, e in mine])
        # The days' backlogs add up to the sum of the open durations ...
        assert g["open"].sum() * day == pytest.approx((ends - starts).sum(), rel=1e-9,
                                                      abs=1e-6)
        # ... and each day is the overlap of the cases with it.
        expected = brute_force(starts, ends, day, len(g))
        assert g["open"].to_numpy() == pytest.approx(expected, rel=1e-9, abs=1e-9)
    summary = backlog(frame, day=day, end_time=end)
    assert (summary["open_mean"] >= 0).all()
