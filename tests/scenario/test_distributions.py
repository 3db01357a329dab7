"""Distributions as scenario mappings: validation of parameters, means, and what they draw."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from sim.scenario.distributions import DISTRIBUTION_KINDS, Distribution, fixed

ADAPTER = TypeAdapter(Distribution)
N = 40_000


def dist(**spec):
    return ADAPTER.validate_python(spec)


VALID = [
    {"kind": "exponential", "mean": "30min"},
    {"kind": "lognormal", "mean": "2h", "cv": 0.8},
    {"kind": "lognormal", "median": 1.5, "sigma": 0.6},
    {"kind": "gamma", "mean": "3h", "cv": 0.5},
    {"kind": "weibull", "shape": 1.5, "scale": "4h"},
    {"kind": "uniform", "low": "10min", "high": "40min"},
    {"kind": "triangular", "low": 1, "mode": 2, "high": 6},
    {"kind": "fixed", "value": "45min"},
    {"kind": "empirical", "values": ["5min", "1h", "3d", 2]},
]


def test_every_kind_is_covered():
    assert sorted({spec["kind"] for spec in VALID}) == sorted(DISTRIBUTION_KINDS)


@pytest.mark.parametrize("spec", VALID, ids=lambda s: s["kind"])
def test_sample_mean_matches_the_stated_mean(spec: dict):
    """The sample mean of N draws lies within 4 standard errors of ``mean`` (fixed seed)."""
    d = dist(**spec)
    x = d.sample(np.random.default_rng(12345), N)
    assert x.shape == (N,)
    assert np.all(x >= 0)
    se = x.std(ddof=1) / math.sqrt(N)
    assert abs(x.mean() - d.mean) <= 4 * se + 1e-12


def test_units_inside_distributions():
    assert dist(kind="exponential", mean="30min").mean == 0.5
    assert dist(kind="uniform", low="10min", high="40min").mean == pytest.approx(25 / 60)
    assert dist(kind="empirical", values=["1h", "1d"]).mean == pytest.approx(12.5)


def test_lognormal_by_median_and_sigma():
    d = dist(kind="lognormal", median=2.0, sigma=0.5)
    x = d.sample(np.random.default_rng(3), N)
    assert np.median(np.log(x)) == pytest.approx(math.log(2.0), abs=0.02)
    assert np.log(x).std() == pytest.approx(0.5, rel=0.03)
    assert d.mean == pytest.approx(2.0 * math.exp(0.5**2 / 2))


def test_gamma_and_lognormal_cv():
    for kind in ("gamma", "lognormal"):
        x = dist(kind=kind, mean=2.0, cv=0.7).sample(np.random.default_rng(9), N)
        assert x.std() / x.mean() == pytest.approx(0.7, rel=0.06), kind


def test_fixed_and_empirical_draw_only_their_values():
    assert np.all(fixed(0.25).sample(np.random.default_rng(0), 10) == 0.25)
    x = dist(kind="empirical", values=[1, 2, 5]).sample(np.random.default_rng(0), 1000)
    assert set(np.unique(x)) == {1.0, 2.0, 5.0}


def test_distributions_are_frozen():
    d = dist(kind="exponential", mean=1)
    with pytest.raises(ValidationError):
        d.kind = "fixed"


@pytest.mark.parametrize(("spec", "fragment"), [
    ({"kind": "exponential", "mean": 0}, "greater than 0"),
    ({"kind": "exponential", "mean": -1}, "greater than 0"),
    ({"kind": "exponential"}, "Field required"),
    ({"kind": "gamma", "mean": 1, "cv": 0}, "greater than 0"),
    ({"kind": "lognormal", "mean": 1, "cv": -0.1}, "greater than 0"),
    ({"kind": "lognormal", "mean": 1}, "give either"),
    ({"kind": "lognormal", "sigma": 1}, "give either"),
    ({"kind": "lognormal", "mean": 1, "cv": 1, "median": 1, "sigma": 1}, "give either"),
    ({"kind": "weibull", "shape": 0, "scale": 1}, "greater than 0"),
    ({"kind": "uniform", "low": 2, "high": 2}, "'low' must be < 'high'"),
    ({"kind": "uniform", "low": -1, "high": 2}, "greater than or equal to 0"),
    ({"kind": "triangular", "low": 1, "mode": 0.5, "high": 2}, "low <= mode <= high"),
    ({"kind": "triangular", "low": 1, "mode": 1, "high": 1}, "low < high"),
    ({"kind": "fixed", "value": -1}, "greater than or equal to 0"),
    ({"kind": "empirical", "values": []}, "at least 1 item"),
    ({"kind": "empirical", "values": [1, -2]}, "must be >= 0"),
    ({"kind": "normal", "mean": 1}, "does not match any of the expected tags"),
    ({"kind": "exponential", "mean": 1, "rate": 2}, "Extra inputs are not permitted"),
])
def test_invalid_parameters_are_refused(spec: dict, fragment: str):
    with pytest.raises(ValidationError, match=fragment):
        ADAPTER.validate_python(spec)


POSITIVE = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)
CV = st.floats(min_value=0.05, max_value=3, allow_nan=False)


@settings(deadline=None)
@given(POSITIVE, CV)
def test_lognormal_mean_cv_round_trip(mean: float, cv: float):
    """The (mu, sigma) computed from a mean and cv give back that mean."""
    assert dist(kind="lognormal", mean=mean, cv=cv).mean == pytest.approx(mean, rel=1e-9)


@settings(deadline=None)
@given(st.sampled_from(VALID), st.integers(min_value=0, max_value=2**32 - 1),
       st.integers(min_value=0, max_value=50))
def test_draws_are_non_negative_and_reproducible(spec: dict, seed: int, n: int):
    d = dist(**spec)
    a = d.sample(np.random.default_rng(seed), n)
    b = d.sample(np.random.default_rng(seed), n)
    assert len(a) == n and np.all(a >= 0)
    assert np.array_equal(a, b)
