"""Figures of a city run, drawn from the merged histograms and the summary (never from the
case records, which may not fit in memory)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sim.analysis.plots import plain_text  # noqa: E402
from sim.analysis.summary import ALL  # noqa: E402
from sim.city.aggregate import CITY, EDGES, CitySummary  # noqa: E402


@plain_text
def city_figures(result: CitySummary, out: Path, title: str) -> list[Path]:
    """``response_ecdf.png`` (city-wide, ALL and each case type) and ``districts.png``
    (share within deadline and p90 response time per district, with CI half-widths)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = [_ecdf(result, out / "response_ecdf.png", title),
             _districts(result, out / "districts.png", title)]
    return paths


def _ecdf(result: CitySummary, path: Path, title: str) -> Path:
    fig, ax = plt.subplots(figsize=(8, 5))
    upper = np.append(EDGES[1:], EDGES[-1] * 10)
    for ctype in [ALL, *sorted(k for k in result.hist if k != ALL)]:
        n = result.n[ctype]
        if n == 0:
            continue
        cdf = np.cumsum(result.hist[ctype]) / n   # censored cases never reach 1
        ax.step(upper, cdf, where="post", lw=2.5 if ctype == ALL else 1.0,
                color="black" if ctype == ALL else None, label=f"{ctype} (n={n:,})")
    ax.set_xscale("log")
    ax.set_xlim(0.05, EDGES[-1])
    ax.set_ylim(0, 1)
    ax.set_xlabel("response time t_resolved - t_report (hours, log scale)")
    ax.set_ylabel("share of cases resolved within")
    ax.set_title(f"{title}: response time, whole city (warm-up excluded)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _districts(result: CitySummary, path: Path, title: str) -> Path:
    s = result.summary
    rows = s[(s["case_type"] == ALL) & (s["scope"] != CITY)].sort_values("deadline_met_share")
    city = s[(s["case_type"] == ALL) & (s["scope"] == CITY)]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 0.32 * len(rows) + 1.8), sharey=True)
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
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
