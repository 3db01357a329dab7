"""Figures of response-time distributions, comparisons, sweeps and the warm-up.

Each figure has a pure ``draw_*`` function (tables in, ``matplotlib.figure.Figure`` out, no
files, no pyplot: see ``sim.analysis.canvas``) and the ``*_figures`` writers call them and
``save`` the result in the formats asked for. A notebook calls the ``draw_*`` functions (or the
result objects' ``plot_*`` methods, which do) and its own backend shows the Figure.

Panels of one figure share one x scale: whether time is drawn on a log axis is decided once per
figure from all its panels' data (and all scenarios of a comparison), so panels and scenarios
can be compared by eye. The deadline is drawn and labelled on every panel of a case type; when
it lies beyond the data, the axis is extended to it (on a log axis, or when it is near) or an
arrow at the edge says where it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.canvas import (
    PNG,
    FigureOptions,
    check_glyphs,
    drawn_in_style,
    new_figure,
    plain_log_labels,
    save_with,
)
from sim.analysis.labels import NO_LABELS, Labels, key_title
from sim.analysis.summary import ALL, METRIC_LABELS

LOG_FLOOR_H = 0.05
"""On a log axis, times below 3 minutes are drawn at 3 minutes."""
ECDF_POINTS = 1000
"""An ECDF with more points than this is drawn through this many of them (evenly in rank):
at a figure's resolution 1,000 steps look the same as 100,000 and cost a hundredth."""
CURVE_POINTS = 300
"""Points of the grid on which replication ECDFs are evaluated in a comparison."""
DEADLINE_COLOUR = "black"
"""Black, not red: a red dashed deadline reads as one of the scenarios."""

PALETTE = ["#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb",
           "#000000"]
"""Paul Tol's colour-blind safe qualitative scheme."""

LINESTYLES = ["-", "--", "-.", ":"]
DIFF_METRICS = ["deadline_met_share", "resolved_share", "mean_h", "p50_h", "p90_h", "p95_h"]
SHARE_METRICS = ("deadline_met_share", "resolved_share")


# --------------------------------------------------------------------------- shared pieces

def long_tail(x: np.ndarray) -> bool:
    """A log time axis reads better when the tail is far beyond the bulk."""
    x = np.asarray(x, dtype=float)
    x = x[x > 0]
    if len(x) < 10:
        return False
    p50, p99 = np.quantile(x, [0.5, 0.99])
    return bool(p50 > 0 and p99 / p50 > 10)


def log_scale_for(samples: Iterable[np.ndarray]) -> bool:
    """One decision for a whole figure: log if the pooled times of all its panels have a long
    tail (so no panel picks a scale of its own)."""
    arrays = [np.asarray(s, dtype=float) for s in samples]
    return long_tail(np.concatenate(arrays)) if arrays else False


def _hours(h: float) -> str:
    """``36 h``, ``7 d`` (whole days from two days on)."""
    return f"{h / 24:g} d" if h >= 48 and h % 24 == 0 else f"{h:g} h"


def log_axis(ax) -> None:
    """A log x axis labelled in plain numbers (0.1, 1, 10, 100): matplotlib's default labels
    are mathtext (``10^{2}``), which the figures' literal text style would print raw. Minor
    ticks only at 2 and 5 of each decade: the default eight per decade cost most of a
    figure's drawing time and add little a reader uses."""
    from matplotlib.ticker import LogLocator

    ax.set_xscale("log")
    plain_log_labels(ax.xaxis)
    ax.xaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))


def text_width_in(text: str, size: float = 8) -> float:
    """Rough width in inches of ``text`` at ``size`` points (CJK characters count double)."""
    import unicodedata

    units = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return units * size * 0.6 / 72


def _grid(n: int, panel_w: float = 4.0, panel_h: float = 2.7, cols: int = 3,
          top: float = 0.75, left: float = 0.75, wgap: float = 0.75, hgap: float = 0.85,
          bottom: float = 0.55, right: float = 0.25, **subplot_kw) -> tuple[Figure, list]:
    """A figure of ``n`` panels of ``panel_w`` x ``panel_h`` inches in rows of ``cols``, with
    margins and gaps in inches (fixed margins, not ``tight_layout``, which draws the whole
    figure once more just to measure it)."""
    cols = max(1, min(cols, n))
    rows = math.ceil(n / cols)
    width = left + cols * panel_w + (cols - 1) * wgap + right
    height = bottom + rows * panel_h + (rows - 1) * hgap + top
    fig, axes = new_figure(width, height, rows, cols, **subplot_kw)
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, wspace=wgap / panel_w, hspace=hgap / panel_h)
    flat = list(axes.flat)
    for ax in flat[n:]:
        ax.set_visible(False)
    return fig, flat[:n]


def _title(fig: Figure, text: str, height_in: float) -> None:
    fig.suptitle(text, fontsize=10, x=0.01, ha="left", y=1 - 0.12 / height_in, va="top")


def draw_deadline(ax, deadline_h: float, log: bool) -> None:
    """The deadline as a labelled dashed line. Beyond the data the axis is extended to it on a
    log axis or when it is within twice the axis; further out an arrow at the right edge gives
    its value (extending a linear axis that far would squash the data into a corner)."""
    if not math.isfinite(deadline_h) or deadline_h <= 0:
        return
    lo, hi = ax.get_xlim()
    text = f"deadline {_hours(deadline_h)}"
    if deadline_h > hi and not (log or deadline_h <= 2 * hi):
        ax.annotate(f"{text} →", xy=(0.99, 0.97), xycoords="axes fraction", ha="right",
                    va="top", fontsize=7, color=DEADLINE_COLOUR)
        return
    if deadline_h > hi:
        ax.set_xlim(lo, deadline_h * (1.25 if log else 1.05))
    elif deadline_h < lo:
        ax.set_xlim(deadline_h / (1.25 if log else 1), hi)
    ax.axvline(deadline_h, color=DEADLINE_COLOUR, ls=(0, (5, 3)), lw=0.8)
    ax.annotate(text, xy=(deadline_h, 0.97), xycoords=("data", "axes fraction"),
                xytext=(-2, 0), textcoords="offset points", rotation=90, ha="right", va="top",
                fontsize=7, color=DEADLINE_COLOUR,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})


def share_x_range(axes) -> None:
    """Give every visible panel the union of their x ranges: one scale *and* one range, so
    panels (case types) are compared by eye as well as scenarios within a panel."""
    shown = [ax for ax in axes if ax.get_visible() and ax.has_data()]
    if not shown:
        return
    lo = min(ax.get_xlim()[0] for ax in shown)
    hi = max(ax.get_xlim()[1] for ax in shown)
    for ax in shown:
        ax.set_xlim(lo, hi)


def _analysed(cases: pd.DataFrame) -> pd.DataFrame:
    """Reported cases outside the warm-up: those every statistic is about."""
    return cases[cases["t_report"].notna() & ~cases["in_warmup"].astype(bool)]


def _panels(cases: pd.DataFrame) -> list[tuple[str, np.ndarray, float, int]]:
    """(case type or ALL, resolved response times, deadline, censored count) per panel."""
    data = _analysed(cases)
    out = []
    groups = [(ALL, data)] + [(str(k), g) for k, g in data.groupby("case_type", observed=True)]
    for key, g in groups:
        x = g.loc[g["resolved"], "response_h"].to_numpy(dtype=float)
        deadline = float(g["deadline_h"].iloc[0]) if key != ALL and len(g) else float("nan")
        out.append((key, x, deadline, int((~g["resolved"]).sum())))
    return out


def _log_floor(x: np.ndarray) -> float:
    positive = x[x > 0]
    return max(float(positive.min()), LOG_FLOOR_H) if len(positive) else LOG_FLOOR_H


# --------------------------------------------------------------------------- one run

@drawn_in_style
def draw_response_hist(cases: pd.DataFrame, title: str = "", labels: Labels = NO_LABELS
                       ) -> Figure:
    """Histogram of ``response_h`` (resolved cases after the warm-up), ALL and per case type,
    all panels on one x scale."""
    check_glyphs([title, *labels.texts()])
    panels = _panels(cases)
    log = log_scale_for(p[1] for p in panels)
    floor = _log_floor(panels[0][1]) if log else 0.0
    fig, axes = _grid(len(panels))
    for ax, (key, x, deadline, censored) in zip(axes, panels, strict=True):
        if len(x):
            if log:
                x = np.maximum(x, floor)
                bins = np.logspace(np.log10(floor), np.log10(max(x.max(), floor * 10)), 40)
                log_axis(ax)
            else:
                bins = 40
            counts, edges = np.histogram(x, bins=bins)
            # One outline instead of 40 bar patches: the same picture, drawn much faster.
            ax.stairs(counts, edges, fill=True, color="#4477aa", alpha=0.85)
        elif log:
            log_axis(ax)
        draw_deadline(ax, deadline, log)
        ax.set_title(f"{labels.case_type(key)} (n={len(x):,}, censored {censored:,})",
                     fontsize=9)
        ax.set_xlabel("response time (h)" + (", log scale" if log else ""), fontsize=8)
        ax.set_ylabel("cases", fontsize=8)
        ax.tick_params(labelsize=7)
    share_x_range(axes)
    name = labels.scenario(title)
    _title(fig, f"{name}: response time, histogram" if name else "response time",
           fig.get_figheight())
    return fig


@drawn_in_style
def draw_response_ecdf(cases: pd.DataFrame, title: str = "", labels: Labels = NO_LABELS
                       ) -> Figure:
    """ECDF of ``response_h`` over all analysed cases (censored ones never reach 1), ALL and
    per case type, all panels on one x scale."""
    check_glyphs([title, *labels.texts()])
    panels = _panels(cases)
    log = log_scale_for(p[1] for p in panels)
    floor = _log_floor(panels[0][1]) if log else 0.0
    fig, axes = _grid(len(panels))
    for ax, (key, x, deadline, censored) in zip(axes, panels, strict=True):
        total = len(x) + censored
        if log:
            log_axis(ax)
        if len(x):
            xs = np.sort(x)
            ys = np.arange(1, len(xs) + 1) / total
            if len(xs) > ECDF_POINTS:
                keep = np.unique(np.linspace(0, len(xs) - 1, ECDF_POINTS).astype(int))
                xs, ys = xs[keep], ys[keep]
            ax.step(xs, ys, where="post", color="#4477aa")
            if log:
                ax.set_xlim(left=floor)
        draw_deadline(ax, deadline, log)
        ax.set_ylim(0, 1)
        ax.set_title(f"{labels.case_type(key)} (n={total:,})", fontsize=9)
        ax.set_xlabel("response time (h)" + (", log scale" if log else ""), fontsize=8)
        ax.set_ylabel("share resolved within", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    share_x_range(axes)
    name = labels.scenario(title)
    _title(fig, f"{name}: response time, ECDF (censored cases never reach 1)"
           if name else "response time ECDF", fig.get_figheight())
    return fig


def draw_response(cases: pd.DataFrame, title: str = "", labels: Labels = NO_LABELS,
                  kind: str = "ecdf") -> Figure:
    """The response-time figure of one run: ``kind`` ``ecdf`` or ``hist``."""
    if kind not in ("ecdf", "hist"):
        raise ValueError(f"kind must be 'ecdf' or 'hist', got {kind!r}")
    draw = draw_response_ecdf if kind == "ecdf" else draw_response_hist
    return draw(cases, title, labels)


def response_figures(cases: pd.DataFrame, folder: Path, title: str = "",
                     labels: Labels = NO_LABELS, options: FigureOptions = PNG,
                     ecdf: bool = True) -> list[Path]:
    """``response_hist`` and (with ``ecdf``) ``response_ecdf`` in ``folder``, in the
    formats of ``options``."""
    folder = Path(folder)
    paths = save_with(draw_response_hist(cases, title, labels), folder / "response_hist",
                      options)
    if ecdf:
        paths += save_with(draw_response_ecdf(cases, title, labels), folder / "response_ecdf",
                           options)
    return paths


# --------------------------------------------------------------------------- comparisons

def _ecdf_on(x: np.ndarray, total: int, grid: np.ndarray) -> np.ndarray:
    """Share of ``total`` cases resolved within each grid time (censored cases never count);
    ``x`` sorted."""
    if total == 0:
        return np.full(len(grid), np.nan)
    return np.searchsorted(x, grid, side="right") / total


def _ecdf_bands(sub: pd.DataFrame, grid: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, min and max over replications of each replication's ECDF on ``grid``."""
    reps = sub["replication"].to_numpy()
    resolved = sub["resolved"].to_numpy(dtype=bool)
    times = sub["response_h"].to_numpy(dtype=float)
    curves = []
    for rep in np.unique(reps):
        mine = reps == rep
        x = np.sort(times[mine & resolved])
        curves.append(_ecdf_on(x, int(mine.sum()), grid))
    if not curves:
        nan = np.full(len(grid), np.nan)
        return nan, nan, nan
    c = np.vstack(curves)
    return c.mean(axis=0), c.min(axis=0), c.max(axis=0)


def _style(names: Sequence[str]) -> tuple[dict[str, str], dict[str, str]]:
    colours = {n: PALETTE[i % len(PALETTE)] for i, n in enumerate(names)}
    # Distinct dashes too: two scenarios that agree on a case type draw on top of each other.
    dashes = {n: LINESTYLES[i % len(LINESTYLES)] for i, n in enumerate(names)}
    return colours, dashes


@drawn_in_style
def draw_comparison(cases_by_scenario: dict[str, pd.DataFrame], labels: Labels = NO_LABELS
                    ) -> Figure:
    """Overlaid response-time ECDFs (mean over replications, band: replication min-max), ALL
    and per case type; one x scale for all panels and scenarios."""
    check_glyphs([*cases_by_scenario, *labels.texts()])
    data = {name: _analysed(c) for name, c in cases_by_scenario.items()}
    names = list(data)
    colours, dashes = _style(names)
    types = sorted({str(t) for c in data.values() for t in c["case_type"].unique()})
    keys = [ALL, *types]
    by_type = {name: dict(list(c.groupby(c["case_type"].astype(str), sort=False)))
               for name, c in data.items()}
    pooled = np.concatenate([c.loc[c["resolved"], "response_h"].to_numpy(dtype=float)
                             for c in data.values()] or [np.zeros(0)])
    log = long_tail(pooled)
    # One grid for every panel: one x range, so case types are compared by eye too. It ends
    # where the slowest case type's curve ends, so no panel's tail is cut off.
    ends = [float(np.quantile(g.loc[g["resolved"], "response_h"], 0.999))
            for groups in by_type.values() for g in groups.values() if g["resolved"].any()]
    hi = max(ends + ([float(np.quantile(pooled, 0.999))] if len(pooled) else [1.0]))
    if log:
        lo = max(float(np.quantile(pooled, 0.005)), LOG_FLOOR_H)
        grid = np.logspace(np.log10(lo), np.log10(max(hi, lo * 10)), CURVE_POINTS)
    else:
        grid = np.linspace(0, max(hi, 1e-9), CURVE_POINTS)
    fig, axes = _grid(len(keys))
    for ax, key in zip(axes, keys, strict=True):
        subsets = {n: (c if key == ALL else by_type[n].get(key, c.iloc[:0]))
                   for n, c in data.items()}
        resolved = np.concatenate([s.loc[s["resolved"], "response_h"].to_numpy(dtype=float)
                                   for s in subsets.values()] or [np.zeros(0)])
        if log:
            log_axis(ax)
        if len(resolved) == 0:
            ax.set_title(f"{labels.case_type(key)} (no resolved cases)", fontsize=9)
            continue
        for name, sub in subsets.items():
            mean, low, high = _ecdf_bands(sub, grid)
            ax.fill_between(grid, low, high, color=colours[name], alpha=0.2, lw=0, step="post")
            ax.step(grid, mean, where="post", color=colours[name], lw=1.4, ls=dashes[name],
                    label=labels.scenario(name))
        ax.set_xlim(grid[0], grid[-1])
        first = next(iter(subsets.values()))
        if key != ALL and len(first):
            draw_deadline(ax, float(first["deadline_h"].iloc[0]), log)
        ax.set_ylim(0, 1)
        ax.set_title(labels.case_type(key), fontsize=9)
        ax.set_xlabel("response time (h)" + (", log scale" if log else ""), fontsize=8)
        ax.set_ylabel("share resolved within", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    share_x_range(axes)
    handles, leg_labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, leg_labels, loc="upper right", fontsize=8, ncol=min(len(names), 4),
               frameon=False)
    _title(fig, "Response time ECDF per scenario\n(line: mean over replications; band: "
           "replication min–max)", fig.get_figheight())
    return fig


@drawn_in_style
def draw_differences(table: pd.DataFrame, names: Sequence[str], confidence: float = 0.95,
                     labels: Labels = NO_LABELS) -> Figure:
    """Forest plot of ``comparison_table``: a panel per metric that differs, case types down
    the side, each scenario's paired difference to ``names[0]`` with its CI."""
    check_glyphs([*names, *labels.texts()])
    names = list(names)
    others = names[1:]
    colours, _ = _style(names)
    # A metric on which no scenario differs anywhere (e.g. every case resolved in every run)
    # would be an empty panel.
    varies = table[table["scenario"] != names[0]].groupby("metric")["diff"].apply(
        lambda d: bool((d.fillna(1) != 0).any()))
    metrics = [m for m in DIFF_METRICS if varies.get(m, False)]
    if not metrics:  # identical results (e.g. a scenario compared with itself): say so
        fig, axes = new_figure(7, 1.5)
        ax = axes[0, 0]
        ax.axis("off")
        ax.text(0.5, 0.5, f"No metric differs from {labels.scenario(names[0])} in any "
                "replication", ha="center", va="center")
        return fig
    types = list(dict.fromkeys(table["case_type"].astype(str)))
    shown = [labels.case_type(t) for t in types]
    left = 0.3 + max(text_width_in(s) for s in shown)
    panel_h = max(2.4, 0.32 * len(types) * max(1, len(others)) ** 0.5)
    fig, axes = _grid(len(metrics), panel_w=3.6, panel_h=panel_h, left=left, wgap=0.3,
                      top=0.95, sharey=True)
    step = 0.7 / max(1, len(others))
    for ax, metric in zip(axes, metrics, strict=True):
        sub = table[table["metric"] == metric]
        scale = 100 if metric in SHARE_METRICS else 1
        for j, name in enumerate(others):
            rows = sub[sub["scenario"] == name].set_index("case_type").reindex(types)
            y = np.arange(len(types)) + (j - (len(others) - 1) / 2) * step
            d = rows["diff"].to_numpy(dtype=float) * scale
            err = np.vstack([d - rows["diff_lo"].to_numpy(dtype=float) * scale,
                             rows["diff_hi"].to_numpy(dtype=float) * scale - d])
            ax.errorbar(d, y, xerr=err, fmt="o", ms=3.5, color=colours[name], capsize=2,
                        lw=1.1, label=labels.scenario(name))
        for i in range(0, len(types), 2):  # banded rows keep each case type's CIs together
            ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, lw=0)
        if types and types[0] == ALL:
            ax.axhline(0.5, color="#888888", lw=0.8)
        ax.axvline(0, color="k", lw=0.8)
        ax.set_yticks(np.arange(len(types)), shown, fontsize=8)
        ax.set_ylim(len(types) - 0.5, -0.5)  # ALL on top
        unit = "percentage points" if metric in SHARE_METRICS else "h"
        ax.set_title(f"{METRIC_LABELS.get(metric, metric).replace(' (h)', '')} ({unit})",
                     fontsize=9)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", alpha=0.3)
    handles, leg_labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, leg_labels, loc="upper right", fontsize=8, ncol=min(len(others), 4),
               frameon=False)
    _title(fig, f"Paired difference to {labels.scenario(names[0])} per replication\n(mean "
           f"and {confidence:.0%} CI; common random numbers)", fig.get_figheight())
    return fig


def comparison_figures(cases_by_scenario: dict[str, pd.DataFrame], table: pd.DataFrame,
                       folder: Path, confidence: float = 0.95, labels: Labels = NO_LABELS,
                       options: FigureOptions = PNG) -> list[Path]:
    """``compare_ecdf`` (``draw_comparison``) and ``compare_diffs`` (``draw_differences``)."""
    folder = Path(folder)
    names = list(cases_by_scenario)
    return (save_with(draw_comparison(cases_by_scenario, labels), folder / "compare_ecdf",
                      options)
            + save_with(draw_differences(table, names, confidence, labels),
                        folder / "compare_diffs", options))


# --------------------------------------------------------------------------- sweeps

def _is_numeric(values) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
               for v in values)


SWEEP_METRICS = [*DIFF_METRICS, "censored"]


def varying_metrics(table: pd.DataFrame, metrics: Sequence[str] | None = None) -> list[str]:
    """The metrics of ``table`` (case type ALL) whose value is not the same at every point:
    a flat line says nothing a sentence could not."""
    data = table[table["case_type"] == ALL]
    metrics = metrics or [m for m in SWEEP_METRICS if m in set(data["metric"])]
    out = []
    for metric in metrics:
        values = data.loc[data["metric"] == metric, "value"].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        if len(finite) and (np.ptp(finite) > 1e-12 * max(1.0, np.abs(finite).max())
                            or len(finite) != len(values)):
            out.append(metric)
    return out


def _sweep_lines(data: pd.DataFrame, keys: list[str]):
    """(label, x positions, rows in x order) per combination of the keys after the first."""
    x_key, rest = keys[0], keys[1:]
    x_values = list(dict.fromkeys(data[x_key]))
    numeric = _is_numeric(x_values)
    groups = data.groupby(rest, sort=False) if rest else [((), data)]
    for values, g in groups:
        values = values if isinstance(values, tuple) else (values,)
        pos = (g[x_key].to_numpy(dtype=float) if numeric
               else np.array([x_values.index(v) for v in g[x_key]], dtype=float))
        order = np.argsort(pos, kind="stable")
        label = ", ".join(f"{key_title(k)} = {v}" for k, v in zip(rest, values, strict=True))
        yield label, pos[order], g.iloc[order]


def _sweep_axes(ax, data: pd.DataFrame, keys: list[str], labels: Labels) -> None:
    x_values = list(dict.fromkeys(data[keys[0]]))
    if not _is_numeric(x_values):
        ax.set_xticks(range(len(x_values)), [str(v) for v in x_values])
    ax.set_xlabel(key_title(keys[0], labels), fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)


def _metric_title(metric: str) -> str:
    unit = " (%)" if metric in SHARE_METRICS else ""
    label = METRIC_LABELS.get(metric, metric)
    return label[:1].upper() + label[1:] + unit


@drawn_in_style
def draw_sweep(table: pd.DataFrame, keys: Sequence[str], title: str = "",
               confidence: float = 0.95, metrics: Sequence[str] | None = None,
               labels: Labels = NO_LABELS) -> Figure:
    """Each metric that varies (case type ALL), value and CI band against the first varied
    key, one line per combination of the other keys; a panel per metric."""
    keys = list(keys)
    check_glyphs([title, *labels.texts()])
    data = table[table["case_type"] == ALL]
    shown = varying_metrics(table, metrics)
    if not shown:
        return _nothing_varies(title)
    fig, axes = _grid(len(shown), panel_w=3.8, panel_h=2.6, cols=3, top=0.8)
    for ax, metric in zip(axes, shown, strict=True):
        scale = 100 if metric in SHARE_METRICS else 1
        sub = data[data["metric"] == metric]
        for i, (label, x, rows) in enumerate(_sweep_lines(sub, keys)):
            y = rows["value"].to_numpy(dtype=float) * scale
            hw = np.nan_to_num(rows["value_hw"].to_numpy(dtype=float) * scale)
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(x, y, "o-", color=colour, lw=1.5, ms=4, label=label or None)
            ax.fill_between(x, y - hw, y + hw, color=colour, alpha=0.2, lw=0)
        _sweep_axes(ax, sub, keys, labels)
        ax.set_title(_metric_title(metric), fontsize=9)
    _sweep_legend(fig, axes[0])
    name = labels.scenario(title)
    _title(fig, f"{name + ': ' if name else ''}sweep of {key_title(keys[0], labels)} "
           f"(case type ALL; band: {confidence:.0%} CI)", fig.get_figheight())
    return fig


@drawn_in_style
def draw_sweep_differences(table: pd.DataFrame, keys: Sequence[str], title: str = "",
                           confidence: float = 0.95, metrics: Sequence[str] | None = None,
                           labels: Labels = NO_LABELS) -> Figure:
    """Each point's paired difference to the first point (same replications: common random
    numbers) with its CI, the ``diff``/``diff_lo``/``diff_hi`` of ``sweep_table``: per-point
    bands overlap where the paired differences are clearly nonzero."""
    keys = list(keys)
    check_glyphs([title, *labels.texts()])
    data = table[table["case_type"] == ALL]
    shown = varying_metrics(table, metrics)
    if not shown:
        return _nothing_varies(title)
    fig, axes = _grid(len(shown), panel_w=3.8, panel_h=2.6, cols=3, top=0.8)
    for ax, metric in zip(axes, shown, strict=True):
        scale = 100 if metric in SHARE_METRICS else 1
        sub = data[data["metric"] == metric]
        lines = list(_sweep_lines(sub, keys))
        spread = 0.0
        if len(lines) > 1:  # side by side, so CIs of lines at the same x stay apart
            xs = np.unique(np.concatenate([x for _, x, _ in lines]))
            spread = 0.25 * (float(np.diff(xs).min()) if len(xs) > 1 else 1.0) / len(lines)
        for i, (label, x, rows) in enumerate(lines):
            d = rows["diff"].to_numpy(dtype=float) * scale
            lo = rows["diff_lo"].to_numpy(dtype=float) * scale
            hi = rows["diff_hi"].to_numpy(dtype=float) * scale
            err = np.nan_to_num(np.vstack([d - lo, hi - d]))
            colour = PALETTE[i % len(PALETTE)]
            ax.errorbar(x + (i - (len(lines) - 1) / 2) * spread, d, yerr=err, fmt="o-",
                        color=colour, ms=4, lw=1.2, capsize=3, label=label or None)
        ax.axhline(0, color="k", lw=0.8)
        _sweep_axes(ax, sub, keys, labels)
        unit = " (percentage points)" if metric in SHARE_METRICS else ""
        ax.set_title(f"Δ {METRIC_LABELS.get(metric, metric)}{unit}", fontsize=9)
    _sweep_legend(fig, axes[0])
    first_point = ", ".join(f"{key_title(k, labels)} = {data.iloc[0][k]}" for k in keys) \
        if len(data) else ""
    name = labels.scenario(title)
    _title(fig, f"{name + ': ' if name else ''}paired difference to the first point "
           f"({first_point})\nper replication, mean and {confidence:.0%} CI; common random "
           "numbers", fig.get_figheight())
    return fig


def _sweep_legend(fig: Figure, ax) -> None:
    handles, leg_labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, leg_labels, loc="upper right", fontsize=8, frameon=False)


def _nothing_varies(title: str) -> Figure:
    fig, axes = new_figure(7, 1.5)
    ax = axes[0, 0]
    ax.axis("off")
    ax.text(0.5, 0.5, f"{title + ': ' if title else ''}no metric differs between the points",
            ha="center", va="center")
    return fig


def sweep_figures(table: pd.DataFrame, keys: list[str], folder: Path, title: str = "",
                  confidence: float = 0.95, metrics: list[str] | None = None,
                  labels: Labels = NO_LABELS, options: FigureOptions = PNG) -> list[Path]:
    """``sweep`` (``draw_sweep``) and ``sweep_diffs`` (``draw_sweep_differences``)."""
    folder = Path(folder)
    return (save_with(draw_sweep(table, keys, title, confidence, metrics, labels),
                      folder / "sweep", options)
            + save_with(draw_sweep_differences(table, keys, title, confidence, metrics, labels),
                        folder / "sweep_diffs", options))


# --------------------------------------------------------------------------- warm-up

@drawn_in_style
def draw_warmup(series: pd.DataFrame, statistic: np.ndarray, warmup_h: float, batch_h: float,
                title: str = "", analysed: np.ndarray | None = None) -> Figure:
    """Backlog over time (each replication, their mean and ``analysed``, the series MSER saw)
    with the suggested warm-up, and the MSER statistic against the truncation point; both
    panels in days on linear axes."""
    check_glyphs([title])
    fig, axes = new_figure(8, 6, 2, 1, height_ratios=[2, 1])
    top, bottom = axes[0, 0], axes[1, 0]
    t_days = series.index.to_numpy(dtype=float) / 24
    values = series.to_numpy(dtype=float)
    # One line collection for all replications instead of one artist each.
    top.plot(t_days, values, color="#bbbbbb", lw=0.6)
    top.plot(t_days, np.nanmean(values, axis=1) if values.size else t_days * np.nan,
             color="#4477aa", lw=1.5, label="mean of replications")
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
    bottom.set_xlim(top.get_xlim())  # one x scale: the two warm-up lines align
    bottom.set_xlabel("data dropped (days)")
    bottom.set_ylabel("MSER statistic")
    bottom.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def warmup_figure(series: pd.DataFrame, statistic: np.ndarray, warmup_h: float, batch_h: float,
                  path: Path, title: str = "", analysed: np.ndarray | None = None,
                  options: FigureOptions = PNG) -> Path:
    """Write ``draw_warmup``'s figure as ``path`` (its suffix replaced by each format);
    returns the first file written."""
    path = Path(path)
    fig = draw_warmup(series, statistic, warmup_h, batch_h, title, analysed)
    return save_with(fig, path.with_suffix(""), options)[0]
