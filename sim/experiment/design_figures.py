"""Figures of ``sensitivity`` (mu*-sigma plot or Sobol indices) and ``robustness`` (the
effect at each design point, sorted, with its CI)."""

from __future__ import annotations

from pathlib import Path

# No backend is chosen here: a notebook keeps its own (inline) backend.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def sensitivity_figure(table: pd.DataFrame, method: str, metric: str, path: Path,
                       title: str = "") -> None:
    """Morris: mu* against sigma, one labelled dot per parameter, with mu*'s CI.
    Sobol: S1 and ST per parameter as bars with their CIs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(table)
    if method == "morris":
        fig, ax = plt.subplots(figsize=(7, 5))
        ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o",
                    color="#1f4e79", ecolor="#9fb7cf", capsize=3)
        for row in table.itertuples():
            ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=7,
                        xytext=(4, 3), textcoords="offset points")
        ax.set_xlabel(f"mu* (mean |elementary effect| on {metric})")
        ax.set_ylabel("sigma (non-linearity, interactions)")
    else:
        fig, ax = plt.subplots(figsize=(7, 1.2 + 0.45 * n))
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
    fig.savefig(path, dpi=120)
    plt.close(fig)


def robustness_figure(values: pd.DataFrame, metric: str, threshold: float, path: Path,
                      title: str = "") -> None:
    """The paired effect at every point, sorted, with its CI and the threshold line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = values.sort_values("value").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 4))
    x = np.arange(len(rows))
    ax.errorbar(x, rows["value"], yerr=[rows["value"] - rows["lo"], rows["hi"] - rows["value"]],
                fmt="o", ms=3, color="#1f4e79", ecolor="#9fb7cf")
    ax.axhline(threshold, color="#c0392b", lw=1, ls="--", label=f"threshold {threshold:g}")
    ax.set_xlabel("design points, sorted by effect")
    ax.set_ylabel(f"paired effect on {metric}")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
