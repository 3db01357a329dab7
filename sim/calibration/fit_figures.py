"""The figures of a fit: the optimiser's trace, and per department the observed and simulated
close times of the best candidate (closed-share curves and a Q-Q plot).

The closed-share curve is the one the loss compares (``sim.calibration.distance``): the share of
all the department's cases closed within ``t`` hours, open cases never counted, so a curve ends
below 1 by the share still open at export. The Q-Q plot pairs the quantiles of the closed cases
of each side (log-log): points on the diagonal mean the same shape.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.canvas import PNG, drawn_in_style, new_figure, plain_log_labels, save_with
from sim.analysis.figure_options import FigureOptions
from sim.analysis.summary import ALL
from sim.calibration.check import ecdf
from sim.calibration.log import MIN_HOURS

if TYPE_CHECKING:
    from sim.calibration.fit import FitResult

QUANTILES = np.linspace(0.02, 0.98, 49)
def fit_figures(res: FitResult, folder: Path, options: FigureOptions | None = None
                ) -> list[Path]:
    """``trace``, ``ecdf`` and ``qq`` in ``folder``, in each format of ``options`` (PNG by
    default); returns the files written."""
    return [path for name, draw in (("trace", draw_trace), ("ecdf", draw_ecdf),
                                    ("qq", draw_qq))
            for path in save_with(draw(res), folder / name, options or PNG)]


@drawn_in_style
def draw_trace(res: FitResult) -> Figure:
    """Loss of every evaluation and the best so far."""
    fig, axes = new_figure(7, 4)
    ax = axes[0, 0]
    ax.plot(res.trace["evaluation"], res.trace["loss"], "o", ms=3, alpha=0.6,
            label="evaluation")
    ax.step(res.trace["evaluation"], res.trace["best_loss"], where="post", color="C3",
            label="best so far")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("loss (count-weighted KS)")
    ax.set_title(f"calibration fit: best loss {res.best_loss:.4f}")
    ax.legend()
    fig.tight_layout()
    return fig


def _grid(n: int):
    cols = max(1, min(3, n))
    rows = max(1, math.ceil(n / cols))
    fig, axes = new_figure(4.2 * cols, 3.4 * rows, rows, cols)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _rows(res: FitResult) -> list:
    return [r for r in res.distances.itertuples() if r.department != ALL]


def _closed(groups, department: str) -> np.ndarray:
    """The close times of the department's closed cases (open ones left out)."""
    hours, censored = groups.get(department, (np.array([]), np.array([], dtype=bool)))
    return np.maximum(hours[~censored], MIN_HOURS)


def _curve(groups, department: str, x: np.ndarray) -> np.ndarray:
    if department not in groups:
        return np.zeros(len(x))
    return ecdf(*groups[department])(x)


@drawn_in_style
def draw_ecdf(res: FitResult) -> Figure:
    """Per department: observed and simulated closed-share curves, with the KS distance."""
    rows = _rows(res)
    fig, axes = _grid(len(rows))
    for ax, row in zip(axes, rows, strict=False):
        values = np.concatenate([_closed(res.observed, row.department),
                                 _closed(res.simulated, row.department)])
        top = max(float(values.max()) if len(values) else 1.0, 1.0)
        grid = np.geomspace(MIN_HOURS, top, 400)
        ax.step(grid, _curve(res.observed, row.department, grid), where="post",
                label=f"observed ({row.n})", color="k")
        ax.step(grid, _curve(res.simulated, row.department, grid), where="post",
                label=f"simulated ({row.n_sim})")
        ax.set_xscale("log")
        plain_log_labels(ax.xaxis)
        ax.set_ylim(0, 1)
        ax.set_title(f"{row.department}: KS {row.ks:.3f}", fontsize=9)
        ax.set_xlabel("hours from created to closed")
        ax.set_ylabel("share closed")
        ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


@drawn_in_style
def draw_qq(res: FitResult) -> Figure:
    """Per department: quantiles of simulated against observed close times (closed cases)."""
    rows = _rows(res)
    fig, axes = _grid(len(rows))
    for ax, row in zip(axes, rows, strict=False):
        obs, sim = _closed(res.observed, row.department), _closed(res.simulated, row.department)
        ax.set_title(f"{row.department}", fontsize=9)
        if len(obs) == 0 or len(sim) == 0:
            ax.text(0.5, 0.5, "no closed case on one side", ha="center",
                    transform=ax.transAxes)
            continue
        q_obs, q_sim = np.quantile(obs, QUANTILES), np.quantile(sim, QUANTILES)
        ax.loglog(q_obs, q_sim, "o", ms=3)
        plain_log_labels(ax.xaxis)
        plain_log_labels(ax.yaxis)
        low, high = min(q_obs.min(), q_sim.min()), max(q_obs.max(), q_sim.max())
        ax.plot([low, high], [low, high], color="grey", lw=1)
        ax.set_xlabel("observed quantile (h)")
        ax.set_ylabel("simulated quantile (h)")
    fig.tight_layout()
    return fig
