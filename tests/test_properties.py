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

from sim.model.grid import generate_cases
from sim.model.replication import CASE_COLUMNS, run_replication
from sim.model.streams import Streams
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


@PROPERTY_SETTINGS
@given(scenarios(), SEEDS)
def test_conservation(data: dict, seed: int):
    """Every case that occurred is in the table once: resolved, censored, or never found."""
    scenario = scenario_from_dict(data)
    rep = run_replication(scenario, seed, 0)
    cases = rep.cases
    generated = generate_cases(scenario, Streams(seed, 0))
    assert list(cases.columns) == CASE_COLUMNS
    assert len(cases) == len(generated)
    assert np.array_equal(cases["case_id"], np.arange(len(cases)))
    assert np.array_equal(cases["t_occur"], generated.t_occur)
    reported = cases["t_report"].notna()
    resolved = cases["resolved"]
    censored = reported & ~resolved
    never = ~reported
    assert (resolved.astype(int) + censored.astype(int) + never.astype(int) == 1).all()
    assert not (never & cases["t_resolved"].notna()).any()
    assert (resolved == cases["response_h"].notna()).all()
    assert cases.loc[cases["discovered_by"] == "never", "t_report"].isna().all()
    limit = scenario.simulation.horizon + scenario.simulation.drain_limit
    if rep.end_time < limit - 1e-9:
        # The run stopped before its drain limit: only because every case was finished.
        assert not censored.any()
    # Nothing is recorded after the run ended.
    assert rep.end_time <= limit + 1e-9
    assert np.nanmax(cases[TIMESTAMPS].to_numpy(), initial=0) <= rep.end_time + 1e-9


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
