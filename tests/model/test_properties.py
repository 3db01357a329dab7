"""Properties of every run (hypothesis): conservation, time order, determinism.

Scenarios are small variations of a two-street district: seeds, staff, rates, bounce and
quality-failure probabilities, calendars and the reform switches vary; each property must hold for
all of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.experiment.validation import reduction_dict
from sim.model.replication import CASE_COLUMNS, case_table, run_replication
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario import scenario_from_dict

PROPERTY_SETTINGS = settings(max_examples=20, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])
TIMESTAMPS = ["t_occur", "t_report", "t_dispatch", "t_onsite", "t_resolved", "t_closed"]


@st.composite
def scenarios(draw) -> dict:
    share = st.floats(min_value=0, max_value=0.6)
    calendar = draw(st.sampled_from(["office", "always"]))
    data = {
        "name": "prop",
        "simulation": {"horizon": f"{draw(st.integers(1, 4))}d",
                       "warmup": "6h", "drain_limit": f"{draw(st.integers(5, 40))}d"},
        "street_defaults": {"staff": draw(st.integers(0, 4)),
                            "dispatchers": draw(st.sampled_from([1, 2, "unlimited"])),
                            "calendar": calendar,
                            "patrol": {"coverage": draw(st.floats(0, 1))}},
        "streets": {"a": {"grids": draw(st.integers(0, 25)), "powers": ["minor"]},
                    "b": {"grids": draw(st.integers(1, 15))}},
        "departments": {"um": {"staff": draw(st.integers(1, 5)), "calendar": calendar},
                        "housing": {"staff": draw(st.integers(1, 3))}},
        "case_types": {
            "parking": {"rate": draw(st.floats(0, 0.4)), "departments": ["um"],
                        "deadline": "24h", "bounce_prob": draw(share),
                        "misroute_prob": draw(share), "quality_failure": draw(share)},
            "joint": {"rate": draw(st.floats(0, 0.1)), "departments": ["um", "housing"],
                      "deadline": "7d", "bounce_prob": draw(share),
                      "quality_failure": draw(share)},
            "minor": {"rate": draw(st.floats(0, 0.3)), "departments": ["um"],
                      "on_spot_share": draw(share), "deadline": "2h"},
        },
        "reopen": {"max_reopens": draw(st.integers(0, 3)),
                   "citizen_recall": {"kind": "exponential", "mean": "2d"}},
        "reform": {"whistle": {"enabled": draw(st.booleans())},
                   "sinking": {"enabled": draw(st.booleans()), "fraction": draw(share),
                               "integrated_centre": draw(st.booleans())}},
    }
    return data


SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


class CountingWorld(World):
    """A ``World`` that counts the case processes that run to their end (each calls
    ``case_finished`` once, last thing): a count kept by the flow, not read from the table."""

    finished = 0

    def case_finished(self) -> None:
        self.finished += 1
        super().case_finished()


@PROPERTY_SETTINGS
@given(scenarios(), SEEDS)
def test_conservation(data: dict, seed: int):
    """Every case drawn is accounted for once: never reported, fixed on the spot, or carried
    by one case process, which, if it ran to its end, left the case resolved.

    Three independent counts must agree: the cases the world drew (their report times and
    on-spot flags), the case processes that finished (counted as they finish), and the rows
    of the case table. A case the flow drops, runs twice or leaves unresolved, or a row the
    table loses or doubles, breaks one of the equalities.
    """
    assert hasattr(World, "case_finished"), "World.case_finished: the count below hooks it"
    scenario = scenario_from_dict(data)
    world = CountingWorld(scenario, Streams(seed, 0)).run()
    cases = case_table(world, scenario, 0)
    drawn = world.cases
    limit = scenario.simulation.horizon + scenario.simulation.drain_limit
    reported = np.isfinite(drawn.t_report) & (drawn.t_report <= limit)
    on_spot = drawn.on_spot & reported
    carried = reported & ~drawn.on_spot          # each needs one case process

    assert list(cases.columns) == CASE_COLUMNS
    assert len(cases) == len(drawn) and cases["case_id"].is_unique
    assert np.array_equal(cases["t_occur"], drawn.t_occur)
    assert (cases["t_report"].isna() == ~reported).all()
    assert cases.loc[cases["discovered_by"] == "never", "t_report"].isna().all()
    by_grid = (cases["handled_by"] == "grid").to_numpy()
    assert np.array_equal(by_grid, on_spot)
    fixed = on_spot & (drawn.t_report + drawn.on_spot_time <= limit)
    assert np.array_equal(cases["resolved"].to_numpy() & by_grid, fixed)
    # Case processes: one finished per case resolved through the flow; all of them when the
    # run stopped before its drain limit (it stops early only once every process is done).
    resolved_by_flow = int((cases["resolved"].to_numpy() & ~by_grid).sum())
    assert world.finished == resolved_by_flow
    assert not (cases["resolved"].to_numpy() & ~reported).any()
    if world.end_time < limit - 1e-9:
        assert world.finished == int(carried.sum())
    else:
        assert world.finished <= int(carried.sum())
    # Nothing is recorded after the run ended.
    assert world.end_time <= limit + 1e-9
    end = max(world.end_time, float(cases["t_resolved"].fillna(0.0).max()))
    assert np.nanmax(cases[TIMESTAMPS].to_numpy(), initial=0) <= end + 1e-9


@PROPERTY_SETTINGS
@given(scenarios(), SEEDS)
def test_time_runs_forwards(data: dict, seed: int):
    """Within each case t_occur <= t_report <= t_dispatch <= t_onsite <= t_resolved <= t_closed,
    wherever both ends were reached; durations are never negative."""
    rep = run_replication(scenario_from_dict(data), seed, 0)
    cases = rep.cases
    times = cases[TIMESTAMPS].to_numpy()
    for i in range(len(TIMESTAMPS)):
        for j in range(i + 1, len(TIMESTAMPS)):
            both = ~np.isnan(times[:, i]) & ~np.isnan(times[:, j])
            bad = both & (times[:, i] > times[:, j] + 1e-9)
            assert not bad.any(), (TIMESTAMPS[i], TIMESTAMPS[j], cases[bad].head(3).T)
    assert (cases["response_h"].dropna() >= 0).all()
    assert (cases["wait_h"].dropna() >= -1e-9).all()
    assert (cases[["bounces", "handoffs", "reopens"]] >= 0).all().all()
    assert (cases["bounces"] <= cases["handoffs"]).all()
    met = cases["deadline_met"]
    assert (met[cases["resolved"]] == (cases["response_h"] <= cases["deadline_h"])[
        cases["resolved"]]).all()
    visits = rep.visits  # t_start is NaN for a team asked for but never started
    started = visits["t_start"].notna()
    assert (visits["t_request"][started] <= visits["t_start"][started] + 1e-9).all()
    assert (visits["t_start"][started] <= visits["t_onsite"][started] + 1e-9).all()


@PROPERTY_SETTINGS
@given(scenarios(), SEEDS, st.integers(min_value=0, max_value=50))
def test_determinism(data: dict, seed: int, replication: int):
    """The same scenario, seed and replication give identical tables."""
    scenario = scenario_from_dict(data)
    a = run_replication(scenario, seed, replication)
    b = run_replication(scenario_from_dict(data), seed, replication)
    pd.testing.assert_frame_equal(a.cases, b.cases)
    pd.testing.assert_frame_equal(a.visits, b.visits)
    pd.testing.assert_frame_equal(a.pools, b.pools)
    assert a.end_time == b.end_time


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3), st.integers(1, 3), st.floats(0.3, 2.0), st.floats(0.5, 4.0), SEEDS)
def test_more_staff_never_resolves_a_case_later(staff: int, extra: int, lam: float,
                                                mean_work: float, seed: int):
    """One department serving reports first come, first served (a validation reduction: no
    travel, paperwork, bounces or reopening): with more staff and the same cases (common random
    numbers) no case is resolved later, so no fewer are resolved by any time.

    This holds for a FIFO queue whose work is tied to the case (see
    tests/model/test_pool.py); it is not claimed of whole districts, where priorities,
    reopening, tandem stations that reorder cases, or a team's idleness deciding the route can
    let one case's earlier service delay another's.
    """
    horizon = 150.0
    data = reduction_dict("more", lam, [(staff, mean_work)], horizon=horizon, warmup=1.0)
    fewer = run_replication(scenario_from_dict(data), seed, 0).cases
    data["departments"]["d1"]["staff"] = staff + extra
    more = run_replication(scenario_from_dict(data), seed, 0).cases
    assert np.array_equal(fewer["t_report"], more["t_report"], equal_nan=True)
    late_fewer = fewer["t_resolved"].fillna(np.inf).to_numpy()
    late_more = more["t_resolved"].fillna(np.inf).to_numpy()
    assert (late_more <= late_fewer + 1e-9).all()
    for t in (horizon / 2, horizon, 2 * horizon):
        assert (late_more <= t).sum() >= (late_fewer <= t).sum()
    if staff == 0:
        assert not fewer["resolved"].any()
