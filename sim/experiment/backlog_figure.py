"""The backlog figure of a run: open cases per day, with the replications' confidence band.

Drawn from ``backlog.csv`` (``sim.analysis.backlog``): the time-average number of open cases of
each day, its mean across replications and a Student-t band. The warm-up is shaded, since its
days are left out of every statistic but belong to the curve (the backlog builds up there).
"""

from __future__ import annotations

from pathlib import Path

# No backend is chosen here: a notebook keeps its own (inline) backend.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sim.analysis.plots import plain_text


@plain_text
def backlog_figure(backlog: pd.DataFrame, path: Path, title: str = "", warmup_h: float = 0.0,
                   day_h: float = 24.0, confidence: float = 0.95) -> Path | None:
    """Write ``path`` (PNG): one line per scenario of ``backlog`` (columns ``scenario, day,
    open_mean, open_hw``) against the day, with its band; None (nothing written) if the table
    is empty."""
    if backlog.empty:
        return None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(8, 4))
    for scenario, g in backlog.groupby("scenario", sort=False):
        day = g["day"].to_numpy(dtype=float)
        mean = g["open_mean"].to_numpy(dtype=float)
        hw = np.nan_to_num(g["open_hw"].to_numpy(dtype=float), nan=0.0)
        line, = ax.plot(day, mean, lw=1.4, label=str(scenario))
        ax.fill_between(day, np.maximum(mean - hw, 0.0), mean + hw, color=line.get_color(),
                        alpha=0.2, lw=0)
    if warmup_h > 0:
        ax.axvspan(0, warmup_h / day_h, color="0.85", zorder=0, label="warm-up")
    ax.set_xlabel("day of the run")
    ax.set_ylabel("open cases (time-average over the day)")
    ax.set_ylim(bottom=0)
    ax.set_title(f"{title}: backlog, mean and {confidence:.0%} band across replications"
                 if title else "backlog")
    ax.legend(loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
