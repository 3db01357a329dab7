"""A scenario's prediction of a held-out period, scored against naive forecasts.

``govsim calibrate check SCENARIO LOG``: the scenario (built by ``calibrate build`` and fitted)
predicts the close times of a period it never saw. Only the arrivals are taken from the
held-out log: the grids of each street, the rate of each case type and the hour-of-week profile
are rebuilt from its own counts (``build.arrivals``, with the scenario's streets and types, read
from their labels); every other parameter, the fitted ones among them, is unchanged.

The simulation covers the held-out window on the right weekdays: the run starts on a Monday
``warmup_weeks`` before the window's week (the warm-up arrives at the held-out rates), the
window starts at the same hour of the week as in the log, and a case is open at the log's
export time is censored there, as in the log. Simulated cases created (``t_report``) in the
window are compared with the log's cases created in it.

Scores per department (the department of the case's type in the scenario, for the log's cases
as for the simulated ones, so both sides count the same cases):

- ``ks``: the Kolmogorov-Smirnov distance between the observed close times and the forecast's
  distribution, censoring-aware (``sim.analysis.calibration.ks_distance``: open cases lie
  beyond every observed time);
- ``w1``: the Wasserstein-1 distance (hours), the area between the two CDFs up to the longest
  observed time (beyond it the log says nothing).

Three forecasts: the simulation (``sim``), and two naive ones from the training log
(``--train``): its empirical close-time distribution (``empirical``) and a lognormal fitted to
it by censored maximum likelihood (``lognormal``). The naive forecasts assume the close-time
distribution does not change; the simulation earns its keep where volumes or the mix change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.analysis.summary import ALL
from sim.calibration.build import Grouping, arrivals, log_window
from sim.calibration.log import MIN_HOURS, CaseLog
from sim.scenario.errors import Problem, ScenarioError

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure

    from sim.analysis.figure_options import FigureOptions

FORECASTS = ("sim", "empirical", "lognormal")


@dataclass(frozen=True)
class HeldOut:
    """The held-out run: its scenario and where the log's window lies in simulated hours."""

    scenario: object           # sim.scenario.schema.Scenario
    window_start_h: float      # simulated time of the window's start
    window_end_h: float
    censor_h: float            # simulated time of the log's export


def held_out_scenario(scenario, log: CaseLog, warmup_weeks: int = 1) -> HeldOut:
    """``scenario`` with the arrivals of ``log`` and a run that covers its window."""
    from sim.scenario.loader import resolved_dict, scenario_from_dict

    grouping = Grouping.from_scenario(scenario.case_types, scenario.streets)
    start, end = log_window(log)
    arr = arrivals(log, grouping, (start, end))
    monday = start.normalize() - pd.Timedelta(days=start.day_of_week)
    offset = (start - monday) / pd.Timedelta(hours=1) + 168 * warmup_weeks
    length = (end - start) / pd.Timedelta(hours=1)
    censor = offset + (log.export_time - start) / pd.Timedelta(hours=1)
    data = resolved_dict(scenario)
    for name, street in data["streets"].items():
        street["grids"] = arr.grids.get(name, 0)
    for name, ctype in data["case_types"].items():
        ctype["rate"] = arr.rates.get(name, 0.0)
    data["district"]["hour_profile"] = arr.hour_profile
    data["simulation"].update(horizon=offset + length, warmup=offset,
                              drain_limit=max(censor - (offset + length), 0.0) + 1.0)
    held = scenario_from_dict(data, source=f"{scenario.name} with the arrivals of {log.source}")
    return HeldOut(held, offset, offset + length, censor)


def department_of_types(scenario) -> dict[str, str]:
    """case type -> the department a check scores it under (the first it needs)."""
    return {k: (ct.departments[0] if ct.departments else "street")
            for k, ct in scenario.case_types.items()}


def observed_by_department(log: CaseLog, scenario) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """department -> (observed hours, censored) of the log's cases, by their type's
    department in the scenario; cases of a type or area the scenario does not hold (and no
    ``other`` group takes) are left out."""
    grouping = Grouping.from_scenario(scenario.case_types, scenario.streets)
    types = grouping.type_names(log.cases["case_type"])
    streets = grouping.street_names(log.cases["street"])
    keep = ((types != "") & (streets != "")).to_numpy()
    depts = types.map(department_of_types(scenario)).to_numpy()
    hours = np.maximum(log.observed_h, MIN_HOURS)
    return _by_department(depts[keep], hours[keep], log.censored[keep])


def simulated_by_department(cases: pd.DataFrame, held: HeldOut
                            ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], int]:
    """department -> (hours, censored) of the simulated cases reported in the window, pooled
    over replications, censored at the log's export; and the number of replications."""
    t_report = cases["t_report"].to_numpy(dtype=float)
    inside = (t_report >= held.window_start_h) & (t_report < held.window_end_h)
    c = cases[inside]
    t_report = t_report[inside]
    closed = c["t_closed"].to_numpy(dtype=float)
    censored = ~np.isfinite(closed) | (closed > held.censor_h)
    hours = np.where(censored, held.censor_h - t_report, closed - t_report)
    depts = c["case_type"].astype(str).map(department_of_types(held.scenario)).to_numpy()
    reps = int(cases["replication"].nunique()) if len(cases) else 0
    return _by_department(depts, np.maximum(hours, MIN_HOURS), censored), reps


def _by_department(depts: np.ndarray, hours: np.ndarray, censored: np.ndarray
                   ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = {ALL: (hours, censored)}
    for d in sorted(set(depts.tolist())):
        mine = depts == d
        out[str(d)] = (hours[mine], censored[mine])
    return out


def ecdf(hours: np.ndarray, censored: np.ndarray):
    """The CDF of close times with open cases beyond every value: F(x) = closed <= x / n."""
    closed = np.sort(hours[~censored])
    n = max(len(hours), 1)
    return lambda x: np.searchsorted(closed, np.asarray(x, dtype=float), side="right") / n


def lognormal_cdf(hours: np.ndarray, censored: np.ndarray):
    """The CDF of a lognormal fitted to (hours, censored) by censored maximum likelihood."""
    from scipy import stats

    from sim.analysis.calibration import lognormal_mle

    mu, sigma = lognormal_mle(np.maximum(hours, MIN_HOURS), censored)
    return lambda x: stats.lognorm.cdf(np.asarray(x, dtype=float), sigma, scale=math.exp(mu))


def wasserstein(hours: np.ndarray, censored: np.ndarray, cdf, points: int = 4000) -> float:
    """Area between the observed CDF and ``cdf`` on [0, longest observed time], hours."""
    if len(hours) == 0:
        return float("nan")
    top = float(hours.max())
    x = np.linspace(0.0, top, points)
    gap = np.abs(ecdf(hours, censored)(x) - cdf(x))
    return float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(x)))


def score(observed: dict, simulated: dict, training: dict | None) -> pd.DataFrame:
    """One row per department: n, the simulated n, KS and W1 of each forecast."""
    from sim.analysis.calibration import ks_distance

    rows = []
    for dept, (hours, censored) in observed.items():
        forecasts = {}
        if dept in simulated and len(simulated[dept][0]):
            forecasts["sim"] = ecdf(*simulated[dept])
        if training and dept in training and (~training[dept][1]).sum() >= 3:
            forecasts["empirical"] = ecdf(*training[dept])
            forecasts["lognormal"] = lognormal_cdf(*training[dept])
        row = {"department": dept, "n": len(hours), "open": int(censored.sum()),
               "n_sim": len(simulated.get(dept, ((),))[0])}
        for name in FORECASTS:
            cdf = forecasts.get(name)
            row[f"ks_{name}"] = ks_distance(hours, censored, cdf) if cdf else float("nan")
        for name in FORECASTS:
            cdf = forecasts.get(name)
            row[f"w1_{name}"] = wasserstein(hours, censored, cdf) if cdf else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def training_by_department(train: CaseLog, scenario) -> dict:
    """The training log's close times, by the scenario department of each case's type."""
    return observed_by_department(train, scenario)


def check_figure(observed: dict, simulated: dict, training: dict | None, path: Path,
                 options: FigureOptions | None = None) -> Path:
    """Write ``draw_check``'s figure as ``path`` (suffix replaced by each format of
    ``options``); returns the first file written."""
    from sim.analysis.canvas import PNG, save_with

    fig = draw_check(observed, simulated, training)
    return save_with(fig, Path(path).with_suffix(""), options or PNG)[0]


def draw_check(observed: dict, simulated: dict, training: dict | None) -> Figure:
    """Observed vs simulated ECDF (and the training log's) per department, log time axis.
    Department names come from the log (they may hold '$'): drawn as written."""
    from sim.analysis.canvas import new_figure, plain_log_labels, text_style

    depts = list(observed)
    cols = min(3, len(depts))
    rows = math.ceil(len(depts) / cols)
    with text_style():
        fig, axes = new_figure(4.2 * cols, 3.4 * rows, rows, cols)
        for ax in axes.flat[len(depts):]:
            ax.set_visible(False)
        for ax, dept in zip(axes.flat, depts, strict=False):
            hours, _ = observed[dept]
            x = np.geomspace(MIN_HOURS, max(float(hours.max()), 1.0), 300)
            ax.step(x, ecdf(*observed[dept])(x), where="post", label="observed", color="k")
            if dept in simulated:
                ax.step(x, ecdf(*simulated[dept])(x), where="post", label="simulated")
            if training and dept in training:
                ax.step(x, ecdf(*training[dept])(x), where="post", ls="--", label="training log")
            ax.set_xscale("log")
            plain_log_labels(ax.xaxis)
            ax.set_ylim(0, 1.02)
            ax.set_title(f"{dept} (n {len(hours)})", fontsize=9)
            ax.set_xlabel("close time (h)")
            ax.set_ylabel("share closed")
        axes.flat[0].legend(fontsize=8)
        fig.suptitle("Held-out period: observed vs predicted close times")
        fig.tight_layout()
    return fig


def refuse_empty(observed: dict, source: str) -> None:
    if len(observed[ALL][0]) == 0:
        raise ScenarioError([Problem(source, "", "no case of the log matches the scenario's "
                                                 "case types and streets (by their labels)")])
