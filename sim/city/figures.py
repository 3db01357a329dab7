"""Figures of a city run, drawn from the merged histograms and the summary (never from the
case records, which may not fit in memory)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.canvas import PNG, FigureOptions, drawn_in_style, new_figure, save_with
from sim.analysis.labels import NO_LABELS, Labels
from sim.analysis.plots import log_axis
from sim.analysis.summary import ALL
from sim.city.aggregate import CITY, EDGES, CitySummary

DPI = 120


def city_figures(result: CitySummary, out: Path, title: str, labels: Labels = NO_LABELS,
                 options: FigureOptions = PNG) -> list[Path]:
    """``response_ecdf`` (city-wide, ALL and each case type) and ``districts`` (share within
    deadline and p90 response time per district, with CI half-widths), in each format."""
    out = Path(out)
    return (save_with(draw_city_ecdf(result, title, labels), out / "response_ecdf", options,
                      DPI)
            + save_with(draw_districts(result, title), out / "districts", options, DPI))


@drawn_in_style
def draw_city_ecdf(result: CitySummary, title: str, labels: Labels = NO_LABELS) -> Figure:
    """City-wide response-time ECDF from the merged histograms, ALL and each case type, on
    one log axis."""
    fig, axes = new_figure(8, 5)
    ax = axes[0, 0]
    upper = np.append(EDGES[1:], EDGES[-1] * 10)
    for ctype in [ALL, *sorted(k for k in result.hist if k != ALL)]:
        n = result.n[ctype]
        if n == 0:
            continue
        cdf = np.cumsum(result.hist[ctype]) / n   # censored cases never reach 1
        ax.step(upper, cdf, where="post", lw=2.5 if ctype == ALL else 1.0,
                color="black" if ctype == ALL else None,
                label=f"{labels.case_type(ctype)} (n={n:,})")
    log_axis(ax)
    ax.set_xlim(0.05, EDGES[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel("response time t_resolved - t_report (hours, log scale)")
    ax.set_ylabel("share of cases resolved within")
    ax.set_title(f"{title}: response time, whole city (warm-up excluded)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


@drawn_in_style
def draw_districts(result: CitySummary, title: str) -> Figure:
    """Share within deadline and p90 response time per district (ALL case types), with CI
    half-widths and the city's value; both panels linear."""
    s = result.summary
    rows = s[(s["case_type"] == ALL) & (s["scope"] != CITY)].sort_values("deadline_met_share")
    city = s[(s["case_type"] == ALL) & (s["scope"] == CITY)]
    fig, axes = new_figure(11, 0.32 * len(rows) + 1.8, 1, 2, sharey=True)
    a, b = axes[0]
    y = np.arange(len(rows))
    err = lambda col: np.nan_to_num(rows[f"{col}_hw"].to_numpy(float))  # noqa: E731
    a.barh(y, rows["deadline_met_share"], xerr=err("deadline_met_share"), color="tab:blue")
    b.barh(y, rows["p90_h"], xerr=err("p90_h"), color="tab:orange")
    if len(city):
        a.axvline(float(city["deadline_met_share"].iloc[0]), color="black", ls="--", lw=1,
                  label="city")
        b.axvline(float(city["p90_h"].iloc[0]), color="black", ls="--", lw=1, label="city")
        a.legend(fontsize=8)
    a.set_yticks(y, rows["scope"])
    a.set_xlabel("share within deadline")
    a.set_xlim(0, 1)
    b.set_xlabel("p90 response time (hours)")
    fig.suptitle(f"{title}: districts (ALL case types)")
    fig.tight_layout()
    return fig
