"""The backlog figure of a run: open cases per day, with the replications' confidence band.

Drawn from ``backlog.csv`` (``sim.analysis.backlog``): the time-average number of open cases of
each day, its mean across replications and a Student-t band. The warm-up is shaded, since its
days are left out of every statistic but belong to the curve (the backlog builds up there).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.canvas import PNG, FigureOptions, drawn_in_style, new_figure, save_with
from sim.analysis.labels import NO_LABELS, Labels
from sim.analysis.plots import PALETTE


@drawn_in_style
def draw_backlog(backlog: pd.DataFrame, title: str = "", warmup_h: float = 0.0,
                 day_h: float = 24.0, confidence: float = 0.95, labels: Labels = NO_LABELS
                 ) -> Figure:
    """One line per scenario of ``backlog`` (columns ``scenario, day, open_mean, open_hw``)
    against the day, with its band, and the warm-up shaded."""
    fig, axes = new_figure(8, 4)
    ax = axes[0, 0]
    for i, (scenario, g) in enumerate(backlog.groupby("scenario", sort=False)):
        day = g["day"].to_numpy(dtype=float)
        mean = g["open_mean"].to_numpy(dtype=float)
        hw = np.nan_to_num(g["open_hw"].to_numpy(dtype=float), nan=0.0)
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(day, mean, lw=1.4, color=colour, label=labels.scenario(str(scenario)))
        ax.fill_between(day, np.maximum(mean - hw, 0.0), mean + hw, color=colour, alpha=0.2,
                        lw=0)
    if warmup_h > 0:
        ax.axvspan(0, warmup_h / day_h, color="0.85", zorder=0, label="warm-up")
    ax.set_xlabel("day of the run")
    ax.set_ylabel("open cases (time-average over the day)")
    ax.set_ylim(bottom=0)
    name = labels.scenario(title)
    what = f"backlog, mean and {confidence:.0%} band across replications"
    ax.set_title(f"{name}: {what}" if name else what.capitalize(), fontsize=10)
    ax.legend(loc="upper right", fontsize="small")
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.12, top=0.91)
    return fig


def backlog_figure(backlog: pd.DataFrame, path: Path, title: str = "", warmup_h: float = 0.0,
                   day_h: float = 24.0, confidence: float = 0.95, labels: Labels = NO_LABELS,
                   options: FigureOptions = PNG) -> Path | None:
    """Write ``draw_backlog``'s figure as ``path`` (suffix replaced by each format of
    ``options``); returns the first file, or None (nothing written) if the table is empty."""
    if backlog.empty:
        return None
    fig = draw_backlog(backlog, title, warmup_h, day_h, confidence, labels)
    return save_with(fig, Path(path).with_suffix(""), options)[0]
