"""Figures of response-time distributions (matplotlib, written as PNG files)."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from sim.analysis.summary import ALL  # noqa: E402

LOG_FLOOR_H = 0.05
"""On a log axis, times below 3 minutes are drawn at 3 minutes."""


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
            ax.step(xs, np.arange(1, len(xs) + 1) / total, where="post", color="#4477aa")
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
