"""Grids: occurrences, discovery and the intrinsic attributes of every case (drawn up front)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.grid import BOUNCE_DRAWS, generate_cases, grid_weights, occurrence_times
from sim.model.streams import Streams
from sim.scenario import scenario_from_dict
from tests.conftest import tiny_dict


def cases_of(data: dict, seed: int = 1, replication: int = 0):
    scenario = scenario_from_dict(data)
    return scenario, generate_cases(scenario, Streams(seed, replication))


def test_occurrences_are_sorted_inside_the_horizon():
    t = occurrence_times(np.random.default_rng(1), 2.0, np.ones(24), 100.5)
    assert np.all(np.diff(t) >= 0)
    assert t.min() >= 0 and t.max() < 100.5


def test_occurrence_count_is_poisson():
    """Count over 20 runs of rate 3/h for 200 h: within 4 sd of 600 per run on average."""
    rng = np.random.default_rng(2)
    counts = [len(occurrence_times(rng, 3.0, np.ones(24), 200.0)) for _ in range(20)]
    assert abs(np.mean(counts) - 600) <= 4 * math.sqrt(600 / 20)


def test_hour_profile_shapes_the_day():
    profile = np.zeros(24)
    profile[8:10] = 12.0  # mean 1: everything happens between 08:00 and 10:00
    t = occurrence_times(np.random.default_rng(3), 1.0, profile, 24 * 30)
    hours = t % 24
    assert len(t) > 500
    assert np.all((hours >= 8) & (hours < 10))


def test_an_hour_of_week_profile_repeats_weekly_from_monday():
    # 168 weights (Monday 00:00 first): only Tuesday 10:00-11:00 and Sunday 23:00-24:00 occur,
    # the Sunday hour three times as often.
    profile = np.zeros(168)
    profile[24 + 10], profile[6 * 24 + 23] = 1.0, 3.0
    profile = profile / profile.mean()
    t = occurrence_times(np.random.default_rng(4), 0.5, profile, 168 * 8)
    hour_of_week = np.floor(t).astype(int) % 168
    assert set(hour_of_week.tolist()) == {34, 167}
    sunday = (hour_of_week == 167).mean()
    # Binomial share 3/4 with ~ 8 weeks x 0.5 x 168 = 670 draws: 4 standard errors is 0.067.
    assert abs(sunday - 0.75) < 4 * math.sqrt(0.75 * 0.25 / len(t))


def test_grid_weights_have_mean_one_and_the_given_cv():
    w, cover = grid_weights(Streams(1, 0), "a", 20_000, 0.5)
    assert w.mean() == pytest.approx(1.0, abs=0.02)
    assert w.std() == pytest.approx(0.5, rel=0.05)
    assert np.all((cover >= 0) & (cover < 1))
    flat, _ = grid_weights(Streams(1, 0), "a", 50, 0.0)
    assert np.all(flat == 1)


def test_generated_cases_are_consistent():
    scenario, c = cases_of(tiny_dict(simulation={"horizon": "14d"}))
    n = len(c)
    assert n > 50
    assert np.all(np.diff(c.t_occur) >= 0)
    assert c.t_occur.min() >= 0 and c.t_occur.max() < scenario.simulation.horizon
    found = np.isfinite(c.t_report)
    assert np.all(c.t_report[found] >= c.t_occur[found])
    # discovered_by: 0 patrol, 1 citizen, 2 never; never means no report.
    assert np.array_equal(c.discovered_by == 2, ~found)
    assert not np.any(c.on_spot & (c.discovered_by != 0))  # only patrols fix on the spot
    assert c.work.shape == (n, 2) and c.bounce_u.shape == (n, BOUNCE_DRAWS)
    assert c.quality_u.shape == (n, scenario.reopen.max_reopens + 1)
    parking = c.case_type == 0
    assert np.all(c.work[parking, 1] == 0)  # one department: one work column used
    assert np.all(c.work[~parking] > 0)
    assert set(np.unique(c.street)) == {0, 1}
    assert np.all(c.grid[c.street == 1] < 10)


def test_nobody_looks_nobody_finds():
    data = tiny_dict(street_defaults={"patrol": {"coverage": 0}})
    for ct in data["case_types"].values():
        ct["citizen_call_share"] = 0
    _, c = cases_of(data)
    assert len(c) > 0
    assert np.all(c.discovered_by == 2) and not np.any(np.isfinite(c.t_report))


def test_citizens_only():
    data = tiny_dict(street_defaults={"patrol": {"coverage": 0}})
    for ct in data["case_types"].values():
        ct["citizen_call_share"] = 1
        ct["on_spot_share"] = 1
    _, c = cases_of(data)
    assert np.all(c.discovered_by == 1)
    assert not c.on_spot.any()


def test_on_spot_share_one_fixes_every_patrol_find():
    data = tiny_dict()
    for ct in data["case_types"].values():
        ct["on_spot_share"] = 1.0
        ct["citizen_call_share"] = 0.0
    _, c = cases_of(data)
    assert np.array_equal(c.on_spot, c.discovered_by == 0)
    assert c.on_spot.all()


def _by_identity(c, scenario, street: str) -> dict:
    """Each case of ``street``, keyed by (type, occurrence time): its intrinsic attributes."""
    s = list(scenario.streets).index(street)
    types = list(scenario.case_types)
    rows = np.flatnonzero(c.street == s)
    return {(types[c.case_type[i]], c.t_occur[i]): (c.grid[i], c.t_report[i], *c.work[i][:1],
                                                     *c.bounce_u[i]) for i in rows}


def test_adding_a_street_leaves_the_other_streets_cases_unchanged():
    """Common random numbers: every street draws from its own streams."""
    base, c0 = cases_of(tiny_dict())
    data = tiny_dict()
    data["streets"] = {"new": {"grids": 30}, **data["streets"]}
    bigger, c1 = cases_of(data)
    assert len(c1) > len(c0)
    for street in ("a", "b"):
        assert _by_identity(c0, base, street) == _by_identity(c1, bigger, street)


def test_adding_a_case_type_or_department_leaves_the_others_unchanged():
    base, c0 = cases_of(tiny_dict())
    data = tiny_dict()
    data["departments"]["water"] = {"staff": 2}
    data["case_types"]["leak"] = {"rate": 0.1, "departments": ["water"]}
    bigger, c1 = cases_of(data)
    old_types = c1.case_type < 2
    assert (~old_types).any()
    assert np.array_equal(c1.t_occur[old_types], c0.t_occur)
    assert np.array_equal(c1.t_report[old_types], c0.t_report)
    assert np.array_equal(c1.work[old_types][:, :2], c0.work)


def test_zero_rate_and_zero_grids_give_no_cases():
    data = tiny_dict()
    for ct in data["case_types"].values():
        ct["rate"] = 0
    assert len(cases_of(data)[1]) == 0
    data = tiny_dict(streets={"a": {"grids": 0}})
    _, c = cases_of(data)
    assert len(c) == 0 and c.work.shape == (0, 2)


def test_same_seed_same_cases_other_replication_other_cases():
    _, a = cases_of(tiny_dict(), 4, 0)
    _, b = cases_of(tiny_dict(), 4, 0)
    _, c = cases_of(tiny_dict(), 4, 1)
    assert np.array_equal(a.t_occur, b.t_occur) and np.array_equal(a.work, b.work)
    assert len(a.t_occur) != len(c.t_occur) or not np.array_equal(a.t_occur, c.t_occur)


def test_case_draws_do_not_depend_on_max_reopens():
    """Allowing more reopenings adds rounds of draws; it must not change the draws of the
    rounds both allow (common random numbers across a sweep over ``max_reopens``)."""
    from sim.model.grid import generate_cases
    from sim.model.streams import Streams
    from sim.scenario import scenario_from_dict
    from tests.conftest import tiny_dict

    few = generate_cases(scenario_from_dict(tiny_dict(reopen={"max_reopens": 2})), Streams(3, 0))
    many = generate_cases(scenario_from_dict(tiny_dict(reopen={"max_reopens": 6})), Streams(3, 0))
    assert few.quality_u.shape[1] == 3 and many.quality_u.shape[1] == 7
    np.testing.assert_array_equal(few.quality_u, many.quality_u[:, :3])
    np.testing.assert_array_equal(few.recall_delay, many.recall_delay[:, :3])
    np.testing.assert_array_equal(few.misroute_u, many.misroute_u)
    np.testing.assert_array_equal(few.bounce_u, many.bounce_u)
