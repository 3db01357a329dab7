"""Probability distributions as scenario mappings.

A distribution is written as a mapping with a ``kind``::

    work: {kind: lognormal, mean: 2h, cv: 0.8}
    travel: {kind: uniform, low: 10min, high: 40min}
    fix: {kind: empirical, values: [5min, 10min, 1h]}

Each kind is a small pydantic model that validates its parameters and draws a numpy block with
``sample(rng, n)``. Values are durations in hours unless the field that holds the distribution
says otherwise (e.g. working days).

Every distribution must have a finite mean of at most ``MAX_DURATION_H`` and finite sampling
parameters (a lognormal with ``sigma: 40`` has a mean of e^800, a gamma with ``cv: 1e-200`` a
shape of 1e400): a distribution that passes validation can be sampled and averaged.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.numbers import MAX_DURATION_H, Number
from sim.scenario.units import Duration


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def _sampler_parameters(self) -> tuple[float, ...]:
        """The numbers ``sample`` computes from the fields (checked to be finite)."""
        return ()

    @model_validator(mode="after")
    def _representable(self):
        try:
            numbers = (self.mean, *self._sampler_parameters())
        except TypeError:
            return self  # an incomplete parametrisation, reported by the kind's own check
        except (OverflowError, ZeroDivisionError, ValueError):
            numbers = (math.inf,)
        if not all(math.isfinite(x) for x in numbers):
            raise ValueError("parameters out of range: the mean or the sampler's parameters "
                             "overflow")
        if self.mean > MAX_DURATION_H:
            raise ValueError(f"parameters give a mean of {self.mean:.3g}, more than "
                             f"{MAX_DURATION_H:,.0f} (hours or working days)")
        return self


class Exponential(_Dist):
    """Memoryless times: ``{kind: exponential, mean: 2h}``."""

    kind: Literal["exponential"]
    mean_: Duration = Field(alias="mean", gt=0)

    @property
    def mean(self) -> float:
        return self.mean_

    def sample(self, rng, n):
        return rng.exponential(self.mean_, n)


class Lognormal(_Dist):
    """Right-skewed times, by ``mean`` and ``cv`` or by ``median`` and ``sigma`` (of the log)."""

    kind: Literal["lognormal"]
    mean_: Duration | None = Field(default=None, alias="mean", gt=0)
    cv: Number | None = Field(default=None, gt=0)
    median: Duration | None = Field(default=None, gt=0)
    sigma: Number | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_parametrisation(self):
        by_mean = self.mean_ is not None and self.cv is not None
        by_median = self.median is not None and self.sigma is not None
        if by_mean == by_median:
            raise ValueError("give either 'mean' and 'cv', or 'median' and 'sigma'")
        return self

    def _mu_sigma(self) -> tuple[float, float]:
        if self.median is not None:
            return math.log(self.median), float(self.sigma)
        s2 = math.log1p(self.cv**2)
        return math.log(self.mean_) - s2 / 2, math.sqrt(s2)

    @property
    def mean(self) -> float:
        mu, s = self._mu_sigma()
        return math.exp(mu + s * s / 2)

    def _sampler_parameters(self) -> tuple[float, ...]:
        return self._mu_sigma()

    def sample(self, rng, n):
        mu, s = self._mu_sigma()
        return rng.lognormal(mu, s, n)


class Gamma(_Dist):
    """``{kind: gamma, mean: 3h, cv: 0.5}``; cv < 1 is less variable than exponential."""

    kind: Literal["gamma"]
    mean_: Duration = Field(alias="mean", gt=0)
    cv: Number = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.mean_

    def _sampler_parameters(self) -> tuple[float, ...]:
        shape = 1.0 / self.cv**2
        return shape, self.mean_ / shape

    def sample(self, rng, n):
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_ / shape, n)


class Weibull(_Dist):
    """``{kind: weibull, shape: 1.5, scale: 4h}``."""

    kind: Literal["weibull"]
    shape: Number = Field(gt=0)
    scale: Duration = Field(gt=0)

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    def sample(self, rng, n):
        return self.scale * rng.weibull(self.shape, n)


class Uniform(_Dist):
    """``{kind: uniform, low: 10min, high: 40min}``."""

    kind: Literal["uniform"]
    low: Duration = Field(ge=0)
    high: Duration

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"'low' must be < 'high', got low={self.low:g}, high={self.high:g}")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2

    def sample(self, rng, n):
        return rng.uniform(self.low, self.high, n)


class Triangular(_Dist):
    """``{kind: triangular, low: 1h, mode: 2h, high: 6h}``."""

    kind: Literal["triangular"]
    low: Duration = Field(ge=0)
    mode: Duration
    high: Duration

    @model_validator(mode="after")
    def _ordered(self):
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError("need low <= mode <= high and low < high, got "
                             f"low={self.low:g}, mode={self.mode:g}, high={self.high:g}")
        return self

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def sample(self, rng, n):
        return rng.triangular(self.low, self.mode, self.high, n)


class Fixed(_Dist):
    """A constant: ``{kind: fixed, value: 30min}``. Draws nothing from the stream."""

    kind: Literal["fixed"]
    value: Duration = Field(ge=0)

    @property
    def mean(self) -> float:
        return self.value

    def sample(self, rng, n):
        return np.full(n, self.value)


class Empirical(_Dist):
    """Resampling of observed values: ``{kind: empirical, values: [5min, 1h, 3d]}``."""

    kind: Literal["empirical"]
    values: list[Duration] = Field(min_length=1)

    @model_validator(mode="after")
    def _non_negative(self):
        if min(self.values) < 0:
            raise ValueError("empirical values must be >= 0")
        return self

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    def sample(self, rng, n):
        return rng.choice(np.asarray(self.values, dtype=float), n)


Distribution = Annotated[
    Exponential | Lognormal | Gamma | Weibull | Uniform | Triangular | Fixed | Empirical,
    Field(discriminator="kind"),
]
"""Any distribution; pydantic picks the model from ``kind``."""

DISTRIBUTION_KINDS = ("exponential", "lognormal", "gamma", "weibull", "uniform", "triangular",
                      "fixed", "empirical")


def fixed(value: float) -> Fixed:
    """A constant distribution, for defaults."""
    return Fixed(kind="fixed", value=value)
