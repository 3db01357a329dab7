"""Calibration against real case logs: Los Angeles 311 service requests.

The bundled scenarios' work and delay distributions are assumptions; real logs show what such
distributions look like. This module fits close times (created → closed, in hours; the table of
``CaseLog.close_times`` in ``sim/calibration/log.py``, which reads any case log, the LA 311
exports shipped in ``data/la311/`` among them), per group (department, case type or street):

- a lognormal, by maximum likelihood **with censoring** (requests still open at export time count
  through their survival probability, not as missing);
- a mixture: a point mass of quick administrative closures (closed within ``quick_h``) plus a
  lognormal for the rest, which real 311 logs need (many requests are closed within minutes);
- the empirical distribution, as quantiles ready to paste into a scenario
  (``{kind: empirical, values: [...]}``).

Each fit reports its Kolmogorov–Smirnov distance to the data, so the reader sees how well it fits.
In the LA logs a neighbourhood council plays the part of a street and an agency the part of a
department.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import optimize, stats

if TYPE_CHECKING:  # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure

    from sim.analysis.canvas import FigureOptions


def lognormal_mle(hours: np.ndarray, censored: np.ndarray, above: float | None = None
                  ) -> tuple[float, float]:
    """(mu, sigma) of a lognormal fitted by maximum likelihood with right-censoring.

    With ``above``, the data are known to exceed it (left truncation), as for the slow part of
    the mixture.
    """
    logs = np.log(hours)
    cut = math.log(above) if above else None
    obs, cens = logs[~censored], logs[censored]

    def nll(theta):
        mu, log_s = theta
        s = math.exp(log_s)
        ll = stats.norm.logpdf(obs, mu, s).sum() - obs.sum()
        ll += stats.norm.logsf(cens, mu, s).sum()
        if cut is not None:
            ll -= len(logs) * stats.norm.logsf(cut, mu, s)
        return -ll

    start = [float(np.mean(logs)), math.log(max(float(np.std(logs)), 0.1))]
    res = optimize.minimize(nll, start, method="Nelder-Mead",
                            options={"xatol": 1e-6, "fatol": 1e-8, "maxiter": 2000})
    return float(res.x[0]), float(math.exp(res.x[1]))


def ks_distance(hours: np.ndarray, censored: np.ndarray, cdf) -> float:
    """sup |F_data - F_model| over the observed close times (censored ones lie beyond them).

    Ties (many closures share a minute) are handled by comparing both one-sided limits at each
    distinct value.
    """
    x, counts = np.unique(hours[~censored], return_counts=True)
    n = len(hours)
    if len(x) == 0:
        return float("nan")
    right = np.cumsum(counts) / n
    left = right - counts / n
    before = cdf(x * (1 - 1e-9))
    return float(max(np.max(np.abs(right - cdf(x))), np.max(np.abs(left - before))))


@dataclass
class Fit:
    group: str
    n: int
    censored: int
    median_h: float
    p90_h: float
    lognormal: tuple[float, float]        # (median hours, sigma)
    ks_lognormal: float
    quick_share: float                    # mixture: share closed within quick_h
    mixture_lognormal: tuple[float, float]
    ks_mixture: float
    empirical: list[float]

    def scenario_blocks(self) -> dict:
        """Distributions in scenario syntax."""
        return {
            "lognormal": {"kind": "lognormal", "median": round(self.lognormal[0], 4),
                          "sigma": round(self.lognormal[1], 4)},
            "empirical": {"kind": "empirical", "values": [round(v, 4) for v in self.empirical]},
        }


def fit_group(name: str, hours: np.ndarray, censored: np.ndarray, quick_h: float = 1.0,
              quantiles: int = 50) -> Fit:
    mu, s = lognormal_mle(hours, censored)
    ks_ln = ks_distance(hours, censored, lambda x: stats.lognorm.cdf(x, s, scale=math.exp(mu)))
    quick = (~censored) & (hours <= quick_h)
    p0 = float(quick.mean())
    rest = ~quick
    if rest.sum() >= 5 and (~censored[rest]).sum() >= 3:
        mu2, s2 = lognormal_mle(hours[rest], censored[rest], above=quick_h)
    else:
        mu2, s2 = mu, s
    quick_sorted = np.sort(hours[quick])

    def mixture_cdf(x):
        # Quick closures follow their own empirical CDF below quick_h; the rest a lognormal
        # truncated to (quick_h, inf).
        below = np.searchsorted(quick_sorted, x, side="right") / max(len(quick_sorted), 1)
        base = stats.lognorm.cdf(quick_h, s2, scale=math.exp(mu2))
        tail = (stats.lognorm.cdf(np.maximum(x, quick_h), s2, scale=math.exp(mu2)) - base) / (
            1 - base)
        return p0 * below + (1 - p0) * np.where(x > quick_h, tail, 0.0)

    ks_mix = ks_distance(hours, censored, mixture_cdf)
    closed = np.where(censored, np.inf, hours)
    median, p90 = np.quantile(closed, [0.5, 0.9], method="inverted_cdf")
    qs = np.quantile(hours[~censored], np.linspace(0, 1, quantiles)) if (~censored).any() \
        else np.array([])
    return Fit(group=name, n=len(hours), censored=int(censored.sum()),
               median_h=float(median), p90_h=float(p90),
               lognormal=(math.exp(mu), s), ks_lognormal=ks_ln, quick_share=p0,
               mixture_lognormal=(math.exp(mu2), s2), ks_mixture=ks_mix,
               empirical=[float(v) for v in qs])


def calibrate(requests: pd.DataFrame, by: str = "department", min_n: int = 30,
              quick_h: float = 1.0) -> list[Fit]:
    """One ``Fit`` per group with at least ``min_n`` requests, largest first, and ``ALL``.

    A group whose requests are all still open is left out: censored values alone do not
    determine a distribution (the likelihood grows without bound as the median does)."""
    fits = [fit_group("ALL", requests["hours"].to_numpy(), requests["censored"].to_numpy(),
                      quick_h)]
    for name, g in sorted(requests.groupby(by), key=lambda kv: -len(kv[1])):
        if len(g) >= min_n and not g["censored"].all():
            fits.append(fit_group(str(name), g["hours"].to_numpy(), g["censored"].to_numpy(),
                                  quick_h))
    return fits


def qq_figure(requests: pd.DataFrame, fits: list[Fit], by: str, path: Path,
              options: FigureOptions | None = None) -> Path:
    """Write ``draw_qq``'s figure as ``path`` (suffix replaced by each format of ``options``);
    returns the first file written."""
    from sim.analysis.canvas import PNG, save_with

    fig = draw_qq(requests, fits, by)
    return save_with(fig, Path(path).with_suffix(""), options or PNG)[0]


def draw_qq(requests: pd.DataFrame, fits: list[Fit], by: str) -> Figure:
    """Q-Q plots (log-log, every panel) of data against the lognormal fit, per group (at
    most six). Group names come from the log (agency names may hold '$'): drawn as written."""
    from sim.analysis.canvas import new_figure, plain_log_labels, text_style

    shown = fits[: min(len(fits), 6)]
    cols = min(3, len(shown))
    rows = math.ceil(len(shown) / cols)
    with text_style():
        fig, axes = new_figure(4.2 * cols, 3.8 * rows, rows, cols)
        for ax in axes.flat[len(shown):]:
            ax.set_visible(False)
        for ax, fit in zip(axes.flat, shown, strict=False):
            g = requests if fit.group == "ALL" else requests[requests[by].astype(str) == fit.group]
            x = np.sort(g.loc[~g["censored"], "hours"].to_numpy())
            p = (np.arange(1, len(x) + 1) - 0.5) / len(g)
            med, s = fit.lognormal
            ax.loglog(stats.lognorm.ppf(p, s, scale=med), x, ".", ms=2, label="lognormal")
            plain_log_labels(ax.xaxis)
            plain_log_labels(ax.yaxis)
            lo, hi = x.min(), x.max()
            ax.plot([lo, hi], [lo, hi], "k--", lw=0.8)
            ax.set_title(f"{fit.group} (KS {fit.ks_lognormal:.2f})", fontsize=9)
            ax.set_xlabel("lognormal quantile (h)")
            ax.set_ylabel("observed close time (h)")
        fig.suptitle("LA 311 close times against a censored lognormal fit")
        fig.tight_layout()
    return fig
