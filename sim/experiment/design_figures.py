"""Figures of ``sensitivity`` (mu*-sigma plot or Sobol indices) and ``robustness`` (the
effect at each design point, sorted, with its CI)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.canvas import PNG, FigureOptions, drawn_in_style, new_figure, save_with

DPI = 120


@drawn_in_style
def draw_sensitivity(table: pd.DataFrame, method: str, metric: str, title: str = "") -> Figure:
    """Morris: mu* against sigma, one labelled dot per parameter, with mu*'s CI.
    Sobol: S1 and ST per parameter as bars with their CIs."""
    n = len(table)
    if method == "morris":
        fig, axes = new_figure(7, 5)
        ax = axes[0, 0]
        ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o",
                    color="#1f4e79", ecolor="#9fb7cf", capsize=3)
        for row in table.itertuples():
            ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=7,
                        xytext=(4, 3), textcoords="offset points")
        ax.set_xlabel(f"mu* (mean |elementary effect| on {metric})")
        ax.set_ylabel("sigma (non-linearity, interactions)")
    else:
        fig, axes = new_figure(7, 1.2 + 0.45 * n)
        ax = axes[0, 0]
        y = np.arange(n)
        ax.barh(y - 0.2, table["S1"], 0.4, xerr=table["S1_conf"], label="S1 (alone)",
                color="#f4a259", capsize=3)
        ax.barh(y + 0.2, table["ST"], 0.4, xerr=table["ST_conf"],
                label="ST (with interactions)", color="#1f4e79", capsize=3)
        ax.set_yticks(y, table["parameter"], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel(f"Sobol index of {metric} (bootstrap CI)")
        ax.legend(fontsize=8)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def sensitivity_figure(table: pd.DataFrame, method: str, metric: str, path: Path,
                       title: str = "", options: FigureOptions = PNG) -> list[Path]:
    """Write ``draw_sensitivity``'s figure as ``path`` (suffix replaced by each format)."""
    return save_with(draw_sensitivity(table, method, metric, title),
                     Path(path).with_suffix(""), options, DPI)


@drawn_in_style
def draw_robustness(values: pd.DataFrame, metric: str, threshold: float, title: str = ""
                    ) -> Figure:
    """The paired effect at every point, sorted, with its CI and the threshold line."""
    rows = values.sort_values("value").reset_index(drop=True)
    fig, axes = new_figure(7, 4)
    ax = axes[0, 0]
    x = np.arange(len(rows))
    ax.errorbar(x, rows["value"], yerr=[rows["value"] - rows["lo"], rows["hi"] - rows["value"]],
                fmt="o", ms=3, color="#1f4e79", ecolor="#9fb7cf")
    ax.axhline(threshold, color="#c0392b", lw=1, ls="--", label=f"threshold {threshold:g}")
    ax.set_xlabel("design points, sorted by effect")
    ax.set_ylabel(f"paired effect on {metric}")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def robustness_figure(values: pd.DataFrame, metric: str, threshold: float, path: Path,
                      title: str = "", options: FigureOptions = PNG) -> list[Path]:
    """Write ``draw_robustness``'s figure as ``path`` (suffix replaced by each format)."""
    return save_with(draw_robustness(values, metric, threshold, title),
                     Path(path).with_suffix(""), options, DPI)
