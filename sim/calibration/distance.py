"""How far a simulated log is from an observed one, department by department.

Both logs are censored by the same export time (``sim.calibration.period``), so the fair
comparison keeps the censoring in: for each department, ``F(t)`` is the share of **all** its
cases of the window that were closed within ``t`` hours; a case open at export never counts as
closed, whatever ``t``. (Dropping the open cases would keep the quick closures and lose the
slow ones; a Kaplan-Meier estimate would extrapolate past what the log saw.) Then:

- ``ks``: the Kolmogorov-Smirnov distance, ``max_t |F_obs(t) - F_sim(t)|``, in [0, 1]. It
  counts a different share of open cases as much as a different shape.
- ``wasserstein``: the Wasserstein-1 distance between the log10 of the hours each case is
  known for (its close time, or for an open case the hours it had been open at export), in
  decades: a median off by a factor of 10 is 1. Reported, not optimised.

The **loss** of a candidate is the mean of the departments' KS distances weighted by the
observed number of cases (``loss``): a department with many cases weighs more, since its
distance is known more precisely, and the loss is the KS distance a case picked at random sees.
A department the simulation has no case for is at KS = its observed share of closed cases.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

MIN_HOURS = 1 / 60
"""Times under a minute count as one minute on the log scale (logs have minute resolution)."""

DISTANCE_COLUMNS = ("department", "n_obs", "n_sim", "open_obs", "open_sim", "median_obs_h",
                    "median_sim_h", "ks", "wasserstein")


def closed_share(close_h: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``F(t)`` at each ``t`` of ``at``: the share of the cases closed within ``t`` hours; a
    NaN close time (open at export) is never closed."""
    close_h = np.asarray(close_h, dtype=float)
    if len(close_h) == 0:
        return np.zeros(len(at))
    done = np.sort(close_h[~np.isnan(close_h)])
    return np.searchsorted(done, at, side="right") / len(close_h)


def censored_ks(obs_close_h: np.ndarray, sim_close_h: np.ndarray) -> float:
    """KS distance of the two closed-share curves (NaN = open at export, see the module)."""
    points = np.concatenate([obs_close_h, sim_close_h])
    points = np.unique(points[~np.isnan(points)])
    if len(points) == 0:
        return 0.0
    # the curves are steps that jump at the points: the largest gap is at one of them
    return float(np.max(np.abs(closed_share(obs_close_h, points)
                               - closed_share(sim_close_h, points))))


def log_wasserstein(obs_h: np.ndarray, sim_h: np.ndarray) -> float:
    """Wasserstein-1 distance of log10 hours (NaN when either side has no case)."""
    if len(obs_h) == 0 or len(sim_h) == 0:
        return float("nan")
    return float(stats.wasserstein_distance(np.log10(np.maximum(obs_h, MIN_HOURS)),
                                            np.log10(np.maximum(sim_h, MIN_HOURS))))


def _median(close_h: np.ndarray) -> float:
    """The median close time counting open cases as longest (NaN if half are open)."""
    if len(close_h) == 0:
        return float("nan")
    filled = np.where(np.isnan(close_h), np.inf, close_h)
    value = float(np.quantile(filled, 0.5, method="inverted_cdf"))
    return value if np.isfinite(value) else float("nan")


def department_distances(observed: pd.DataFrame, simulated: pd.DataFrame) -> pd.DataFrame:
    """One row per department of the observed log (``DISTANCE_COLUMNS``); both frames have the
    columns of ``sim.calibration.period.SIMULATED_COLUMNS``."""
    rows = []
    sim_groups = dict(tuple(simulated.groupby("department", sort=False)))
    for department, obs in observed.groupby("department", sort=True):
        sim = sim_groups.get(department, simulated.iloc[:0])
        o, s = obs["close_h"].to_numpy(dtype=float), sim["close_h"].to_numpy(dtype=float)
        rows.append({
            "department": department, "n_obs": len(obs), "n_sim": len(sim),
            "open_obs": float(obs["censored"].mean()),
            "open_sim": float(sim["censored"].mean()) if len(sim) else float("nan"),
            "median_obs_h": _median(o), "median_sim_h": _median(s),
            "ks": censored_ks(o, s),
            "wasserstein": log_wasserstein(obs["observed_h"].to_numpy(dtype=float),
                                           sim["observed_h"].to_numpy(dtype=float)),
        })
    return pd.DataFrame(rows, columns=list(DISTANCE_COLUMNS))


def loss(distances: pd.DataFrame) -> float:
    """The departments' KS distances, weighted by their observed number of cases."""
    weights = distances["n_obs"].to_numpy(dtype=float)
    return float(np.sum(weights * distances["ks"].to_numpy(dtype=float)) / np.sum(weights))
