"""Figures of response-time distributions (matplotlib, written as PNG files).

Every figure function is wrapped in ``plain_text``: names come from scenarios (case types,
streets, scenario names) and may hold ``$``, which matplotlib would otherwise parse as a
mathtext formula (``$\\frac{`` or ``$x$_`` make it fail while saving, after the results
were written). Inside ``plain_text`` every text is drawn as written.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis.summary import ALL, METRIC_LABELS

F = TypeVar("F", bound=Callable[..., Any])


def plain_text(figure_function: F) -> F:
    """Run ``figure_function`` with matplotlib's mathtext off: text created (and saved) inside
    it is drawn literally, whatever ``$`` it holds."""
    @functools.wraps(figure_function)
    def drawn_literally(*args, **kwargs):
        with plt.rc_context({"text.parse_math": False, "text.usetex": False}):
            return figure_function(*args, **kwargs)
    return drawn_literally  # type: ignore[return-value]


LOG_FLOOR_H = 0.05
"""On a log axis, times below 3 minutes are drawn at 3 minutes."""
ECDF_POINTS = 3000
"""An ECDF with more points than this is drawn through this many of them (evenly in rank)."""


def _long_tail(x: np.ndarray) -> bool:
    """A log time axis reads better when the tail is far beyond the bulk."""
    x = x[x > 0]
    if len(x) < 10:
        return False
    p50, p99 = np.quantile(x, [0.5, 0.99])
    return p50 > 0 and p99 / p50 > 10


def _panels(cases: pd.DataFrame) -> list[tuple[str, np.ndarray, float, int]]:
    """(label, resolved response times, deadline, censored count) for ALL and each type."""
    data = cases[cases["t_report"].notna() & ~cases["in_warmup"].astype(bool)]
    out = []
    groups = [(ALL, data)] + [(str(k), g) for k, g in data.groupby("case_type", observed=True)]
    for label, g in groups:
        x = g.loc[g["resolved"], "response_h"].to_numpy(dtype=float)
        deadline = float(g["deadline_h"].iloc[0]) if label != ALL and len(g) else float("nan")
        out.append((label, x, deadline, int((~g["resolved"]).sum())))
    return out


def _grid(n: int):
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.4 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


@plain_text
def response_figures(cases: pd.DataFrame, folder: Path, title: str = "") -> list[Path]:
    """Histogram and ECDF of ``response_h``, for ALL and per case type."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    panels = _panels(cases)
    paths = []

    fig, axes = _grid(len(panels))
    for ax, (label, x, deadline, censored) in zip(axes, panels, strict=False):
        if len(x):
            log = _long_tail(x)
            if log:
                lo = max(x[x > 0].min(), LOG_FLOOR_H) if (x > 0).any() else LOG_FLOOR_H
                x = np.maximum(x, lo)
                bins = np.logspace(np.log10(lo), np.log10(max(x.max(), lo * 10)), 40)
                ax.set_xscale("log")
            else:
                bins = 40
            ax.hist(x, bins=bins, color="#4477aa", alpha=0.85)
        if not math.isnan(deadline):
            ax.axvline(deadline, color="#cc3311", ls="--", lw=1, label="deadline")
            ax.legend(fontsize=7)
        ax.set_title(f"{label} (n={len(x):,}, censored {censored:,})", fontsize=9)
        ax.set_xlabel("response time (h)")
        ax.set_ylabel("cases")
    fig.suptitle(f"{title}: response time, histogram" if title else "response time")
    fig.tight_layout()
    paths.append(folder / "response_hist.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, axes = _grid(len(panels))
    for ax, (label, x, deadline, censored) in zip(axes, panels, strict=False):
        total = len(x) + censored
        if len(x):
            xs = np.sort(x)
            ys = np.arange(1, len(xs) + 1) / total
            if len(xs) > ECDF_POINTS:
                # Drawing 100k steps costs seconds and looks the same as a few thousand.
                keep = np.unique(np.linspace(0, len(xs) - 1, ECDF_POINTS).astype(int))
                xs, ys = xs[keep], ys[keep]
            ax.step(xs, ys, where="post", color="#4477aa")
            if _long_tail(x):
                ax.set_xscale("log")
                ax.set_xlim(left=max(LOG_FLOOR_H, xs[xs > 0].min() if (xs > 0).any() else 1))
        if not math.isnan(deadline):
            ax.axvline(deadline, color="#cc3311", ls="--", lw=1, label="deadline")
            ax.legend(fontsize=7, loc="lower right")
        ax.set_ylim(0, 1)
        ax.set_title(f"{label} (n={total:,})", fontsize=9)
        ax.set_xlabel("response time (h)")
        ax.set_ylabel("share resolved within")
        ax.grid(alpha=0.3)
    fig.suptitle(f"{title}: response time, ECDF (censored cases never reach 1)"
                 if title else "response time ECDF")
    fig.tight_layout()
    paths.append(folder / "response_ecdf.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)
    return paths


# --------------------------------------------------------------------------- comparisons

PALETTE = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb",
           "#000000"]
"""Paul Tol's colour-blind safe qualitative scheme."""

LINESTYLES = ["-", "--", "-.", ":"]
DIFF_METRICS = ["deadline_met_share", "resolved_share", "mean_h", "p50_h", "p90_h", "p95_h"]
SHARE_METRICS = ("deadline_met_share", "resolved_share")


def _ecdf_on(x: np.ndarray, total: int, grid: np.ndarray) -> np.ndarray:
    """Share of ``total`` cases resolved within each grid time (censored cases never count)."""
    if total == 0:
        return np.full(len(grid), np.nan)
    return np.searchsorted(np.sort(x), grid, side="right") / total


def _ecdf_bands(cases: pd.DataFrame, grid: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, min and max over replications of each replication's ECDF on ``grid``."""
    curves = []
    for _, g in cases.groupby("replication", sort=True):
        x = g.loc[g["resolved"], "response_h"].to_numpy(dtype=float)
        curves.append(_ecdf_on(x, len(g), grid))
    if not curves:
        nan = np.full(len(grid), np.nan)
        return nan, nan, nan
    c = np.vstack(curves)
    return c.mean(axis=0), c.min(axis=0), c.max(axis=0)


def _analysed(cases: pd.DataFrame) -> pd.DataFrame:
    return cases[cases["t_report"].notna() & ~cases["in_warmup"].astype(bool)]


@plain_text
def comparison_figures(cases_by_scenario: dict[str, pd.DataFrame], table: pd.DataFrame,
                       folder: Path, confidence: float = 0.95) -> list[Path]:
    """``compare_ecdf.png`` (overlaid ECDFs with replication bands, ALL and per case type) and
    ``compare_diffs.png`` (paired differences to the first scenario with their CIs)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {name: _analysed(c) for name, c in cases_by_scenario.items()}
    names = list(data)
    colours = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    # Distinct dashes too: two scenarios that agree on a case type draw on top of each other.
    dashes = {n: LINESTYLES[i % len(LINESTYLES)] for i, n in enumerate(names)}
    types = sorted({str(t) for c in data.values() for t in c["case_type"].unique()})
    deadline_note = "; thin black dashes: deadline" if types else ""
    labels = [ALL, *types]
    paths = []

    fig, axes = _grid(len(labels))
    for ax, label in zip(axes, labels, strict=False):
        subsets = {n: (c if label == ALL else c[c["case_type"].astype(str) == label])
                   for n, c in data.items()}
        resolved = np.concatenate([s.loc[s["resolved"], "response_h"].to_numpy(dtype=float)
                                   for s in subsets.values()] or [np.zeros(0)])
        if len(resolved) == 0:
            ax.set_title(f"{label} (no resolved cases)", fontsize=9)
            continue
        log = _long_tail(resolved)
        hi = float(np.quantile(resolved, 0.999))
        if log:
            lo = max(float(np.quantile(resolved, 0.005)), LOG_FLOOR_H)
            grid = np.logspace(np.log10(lo), np.log10(max(hi, lo * 10)), 300)
            ax.set_xscale("log")
        else:
            grid = np.linspace(0, hi, 300)
        for name, sub in subsets.items():
            mean, low, high = _ecdf_bands(sub, grid)
            ax.fill_between(grid, low, high, color=colours[name], alpha=0.2, lw=0, step="post")
            ax.step(grid, mean, where="post", color=colours[name], lw=1.4, ls=dashes[name],
                    label=name)
        sub0 = next(iter(subsets.values()))
        if label != ALL and len(sub0):
            # Black, not red: a red dashed deadline reads as one of the scenarios.
            ax.axvline(float(sub0["deadline_h"].iloc[0]), color="k", ls=(0, (5, 3)), lw=0.8,
                       label="deadline")
        ax.set_xlim(grid[0], grid[-1])
        ax.set_ylim(0, 1)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("response time (h)")
        ax.set_ylabel("share resolved within")
        ax.grid(alpha=0.3)
    handles, leg_labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, leg_labels, loc="upper right", fontsize=8, ncol=min(len(names), 4))
    fig.suptitle("Response time ECDF per scenario (line: mean over replications; band: "
                 f"replication min–max{deadline_note})", fontsize=10, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))  # room for the title
    paths.append(folder / "compare_ecdf.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    paths.append(_diff_figure(table, names, colours, folder / "compare_diffs.png", confidence))
    return paths


def _diff_figure(table: pd.DataFrame, names: list[str], colours: dict, path: Path,
                 confidence: float) -> Path:
    """Forest plot: for each metric a panel, case types down the side, one CI per scenario."""
    others = names[1:]
    # A metric on which no scenario differs anywhere (e.g. every case resolved in every run)
    # would be an empty panel.
    varies = table[table["scenario"] != names[0]].groupby("metric")["diff"].apply(
        lambda d: bool((d.fillna(1) != 0).any()))
    metrics = [m for m in DIFF_METRICS if varies.get(m, False)]
    if not metrics:  # identical results (e.g. a scenario compared with itself): say so
        fig, ax = plt.subplots(figsize=(7, 1.5))
        ax.axis("off")
        ax.text(0.5, 0.5, f"No metric differs from {names[0]} in any replication",
                ha="center", va="center")
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return path
    types = list(dict.fromkeys(table["case_type"]))
    cols = 3
    rows = math.ceil(len(metrics) / cols)
    height = max(3.0, 0.32 * len(types) * max(1, len(others)) ** 0.5 + 1.2)
    fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols, height * rows), squeeze=False,
                             sharey=True)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    step = 0.7 / max(1, len(others))
    for ax, metric in zip(axes.flat, metrics, strict=False):
        sub = table[table["metric"] == metric]
        scale = 100 if metric in SHARE_METRICS else 1
        for j, name in enumerate(others):
            rows_ = sub[sub["scenario"] == name].set_index("case_type").reindex(types)
            y = np.arange(len(types)) + (j - (len(others) - 1) / 2) * step
            d = rows_["diff"].to_numpy(dtype=float) * scale
            err = np.vstack([d - rows_["diff_lo"].to_numpy(dtype=float) * scale,
                             rows_["diff_hi"].to_numpy(dtype=float) * scale - d])
            ax.errorbar(d, y, xerr=err, fmt="o", ms=3.5, color=colours[name], capsize=2,
                        lw=1.1, label=name)
        for i in range(0, len(types), 2):  # banded rows keep each case type's CIs together
            ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, lw=0)
        if types and types[0] == ALL:
            ax.axhline(0.5, color="#888888", lw=0.8)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(np.arange(len(types)), types, fontsize=8)
        ax.set_ylim(len(types) - 0.5, -0.5)  # ALL on top
        unit = "percentage points" if metric in SHARE_METRICS else "h"
        ax.set_title(f"{METRIC_LABELS.get(metric, metric).replace(' (h)', '')} ({unit})",
                     fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", fontsize=8, ncol=min(len(others), 4))
    fig.suptitle(f"Paired difference to {names[0]} per replication (mean and "
                 f"{confidence:.0%} CI; common random numbers)", fontsize=10, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.5 / fig.get_figheight()))  # room for the title
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# --------------------------------------------------------------------------- sweeps

def _is_numeric(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
               for v in values)


@plain_text
def sweep_figures(table: pd.DataFrame, keys: list[str], folder: Path, title: str = "",
                  confidence: float = 0.95, metrics: list[str] | None = None) -> list[Path]:
    """One PNG per metric (case type ALL): value with its CI band against the first varied key,
    one line per combination of the other keys."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    metrics = metrics or [m for m in DIFF_METRICS + ["censored"] if m in set(table["metric"])]
    data = table[table["case_type"] == ALL]
    x_key, rest = keys[0], keys[1:]
    x_values = list(dict.fromkeys(data[x_key]))
    numeric = _is_numeric(x_values)
    paths = []
    for metric in metrics:
        sub = data[data["metric"] == metric]
        scale = 100 if metric in SHARE_METRICS else 1
        fig, ax = plt.subplots(figsize=(6.4, 4.2))
        groups = sub.groupby(rest, sort=False) if rest else [((), sub)]
        for i, (values, g) in enumerate(groups):
            values = values if isinstance(values, tuple) else (values,)
            pos = g[x_key].to_numpy() if numeric else np.array(
                [x_values.index(v) for v in g[x_key]])
            order = np.argsort(pos, kind="stable")
            x = np.asarray(pos, dtype=float)[order]
            y = g["value"].to_numpy(dtype=float)[order] * scale
            hw = np.nan_to_num(g["value_hw"].to_numpy(dtype=float)[order] * scale)
            colour = PALETTE[i % len(PALETTE)]
            label = ", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(rest, values,
                                                                         strict=True))
            ax.plot(x, y, "o-", color=colour, lw=1.5, ms=4, label=label or None)
            ax.fill_between(x, y - hw, y + hw, color=colour, alpha=0.2, lw=0)
        if not numeric:
            ax.set_xticks(range(len(x_values)), [str(v) for v in x_values])
        ax.set_xlabel(x_key)
        unit = " (%)" if metric in SHARE_METRICS else ""
        ax.set_ylabel(METRIC_LABELS.get(metric, metric) + unit)
        ax.set_title(f"{title}: {METRIC_LABELS.get(metric, metric)} "
                     f"(ALL; band: {confidence:.0%} CI)", fontsize=10)
        ax.grid(alpha=0.3)
        if rest:
            ax.legend(fontsize=8)
        fig.tight_layout()
        paths.append(folder / f"sweep_{metric}.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths


# --------------------------------------------------------------------------- warm-up

@plain_text
def warmup_figure(series: pd.DataFrame, statistic: np.ndarray, warmup_h: float, batch_h: float,
                  path: Path, title: str = "", analysed: np.ndarray | None = None) -> Path:
    """Backlog over time (each replication, their mean and ``analysed``, the series MSER saw)
    with the suggested warm-up, and the MSER statistic against the truncation point."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), height_ratios=[2, 1])
    t_days = series.index.to_numpy(dtype=float) / 24
    for col in series.columns:
        top.plot(t_days, series[col], color="#bbbbbb", lw=0.6)
    top.plot(t_days, series.mean(axis=1), color="#4477aa", lw=1.5, label="mean of replications")
    if analysed is not None:
        top.plot(t_days, analysed, color="#228833", lw=1.5,
                 label="cycle removed (what MSER sees)")
    top.axvline(warmup_h / 24, color="#cc3311", ls="--", lw=1.2,
                label=f"suggested warm-up {warmup_h / 24:.1f} d")
    top.set_ylabel("cases in system")
    top.set_xlabel("time (days)")
    top.legend(fontsize=8, loc="lower right")
    top.grid(alpha=0.3)
    top.set_title(f"{title}: backlog and MSER-5 warm-up" if title else "MSER-5 warm-up",
                  fontsize=10)
    bottom.plot(np.arange(len(statistic)) * batch_h / 24, statistic, color="#4477aa")
    bottom.axvline(warmup_h / 24, color="#cc3311", ls="--", lw=1.2)
    bottom.set_xlabel("data dropped (days)")
    bottom.set_ylabel("MSER statistic")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
