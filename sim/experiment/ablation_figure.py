"""The figure of an ablation: each part's effect with its CI, off in turn and on alone.

Panels (one per metric, chosen by the caller) share the parts down the side. The total effect is the grey bar on top; each part has
two bars, its contribution given the others (off in turn) and its effect by itself (on alone).
Whole reforms and the total are in bold, a reform's parts in normal type under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.canvas import PNG, FigureOptions, drawn_in_style, new_figure, save_with
from sim.experiment.ablation_parts import OFF, ON, TOTAL


@dataclass(frozen=True)
class Panel:
    """One panel: a metric of the table, the factor its effects are drawn with, a title."""

    metric: str
    scale: float
    title: str


STYLE = {TOTAL: ("#7f7f7f", "total"),
         OFF: ("#1f4e79", "off in turn: contribution given the other parts"),
         ON: ("#f4a259", "on alone: effect by itself (its reform switched on)")}


def _rows(table: pd.DataFrame) -> tuple[list[str], list[str], list[bool]]:
    """Parts in table order, their labels, and whether each is a headline row (the total, a
    whole reform, a part outside the reforms) rather than a part inside a reform."""
    parts = list(dict.fromkeys(table["part"]))
    labels = [str(table.loc[table["part"] == p, "label"].iloc[0]) for p in parts]
    inner = [p.startswith("reform.") and "." in p.removeprefix("reform.") for p in parts]
    return parts, labels, [not i for i in inner]


def _panel(ax, table: pd.DataFrame, panel: Panel, parts: list[str]) -> None:
    sub = table[table["metric"] == panel.metric]
    scale = panel.scale
    height = 0.38
    for direction, offset in ((TOTAL, 0.0), (OFF, -height / 2), (ON, height / 2)):
        rows = sub[sub["direction"] == direction].set_index("part").reindex(parts)
        present = rows["effect"].notna().to_numpy()
        if not present.any():
            continue
        y = np.arange(len(parts))[present] + offset
        effect = rows["effect"].to_numpy(dtype=float)[present] * scale
        lo = rows["ci_low"].to_numpy(dtype=float)[present] * scale
        hi = rows["ci_high"].to_numpy(dtype=float)[present] * scale
        err = np.vstack([effect - lo, hi - effect])
        err = np.where(np.isfinite(err), err, 0.0)  # one replication: no whisker
        colour, _ = STYLE[direction]
        ax.barh(y, effect, height=height * (1.6 if direction == TOTAL else 1), color=colour,
                xerr=err, error_kw={"elinewidth": 1.0, "capsize": 2.5, "ecolor": "black"},
                label=STYLE[direction][1])
        # An effect of exactly 0 in every replication (identical runs) has no bar to see.
        same = (effect == 0) & (lo == 0) & (hi == 0)
        for y0 in y[same]:
            ax.text(0, y0, " 0 (same runs)", va="center", ha="left", fontsize=7,
                    color=colour)
    for i in range(0, len(parts), 2):  # banded rows keep a part's two bars together
        ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, lw=0)
    ax.axvline(0, color="black", lw=0.8)
    ax.axhline(0.5, color="#888888", lw=0.8)  # under the total
    ax.set_title(panel.title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    missing = [p for p in parts if sub[(sub["part"] == p)]["effect"].isna().all()]
    if missing:
        ax.text(0.99, 0.01, "n/a: " + ", ".join(missing), transform=ax.transAxes, ha="right",
                va="bottom", fontsize=7, color="#555555")


@drawn_in_style
def draw_ablation(table: pd.DataFrame, panels: list[Panel], scenario: str, baseline: str,
                  reps: int, confidence: float = 0.95) -> Figure:
    """Horizontal bars with CI whiskers, one row per part, one panel per metric of
    ``panels``."""
    parts, labels, headline = _rows(table)
    height = max(3.5, 0.42 * len(parts) + 1.8)
    fig, axes = new_figure(6.5 * len(panels), height, 1, len(panels), sharey=True)
    axes = axes[0]
    for ax, panel in zip(axes, panels, strict=True):
        _panel(ax, table, panel, parts)
    axes[0].set_yticks(np.arange(len(parts)), labels, fontsize=9)
    for tick, bold in zip(axes[0].get_yticklabels(), headline, strict=True):
        tick.set_fontweight("bold" if bold else "normal")
    axes[0].set_ylim(len(parts) - 0.5, -0.5)  # total on top
    handles, legend_labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, legend_labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(f"Where the effect of {scenario} against {baseline} comes from: paired effects "
                 f"over {reps} replications (mean and {confidence:.0%} CI; common random "
                 "numbers)", fontsize=10, x=0.02, ha="left")
    fig.tight_layout(rect=(0, 0.35 / height, 1, 1 - 0.3 / height))  # title and legend
    return fig


def ablation_figure(table: pd.DataFrame, path: Path, panels: list[Panel], scenario: str,
                    baseline: str, reps: int, confidence: float = 0.95,
                    options: FigureOptions = PNG) -> Path:
    """Write ``draw_ablation``'s figure as ``path`` (suffix replaced by each format of
    ``options``); returns the first file written."""
    fig = draw_ablation(table, panels, scenario, baseline, reps, confidence)
    return save_with(fig, Path(path).with_suffix(""), options)[0]
