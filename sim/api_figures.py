"""The standard figures of a run, a comparison or a sweep, as matplotlib ``Figure`` objects.

The result objects of the Python API (``sim.api_results``) draw through these functions, so a
notebook shows the same figures the command line writes to ``figures/``, inline. Each function
returns the ``Figure`` (Jupyter displays a returned figure; a script can ``fig.savefig(...)``)
and leaves matplotlib's backend alone: the user's ``%matplotlib inline`` stays in force.

Today the figures of ``sim.analysis.plots`` exist only as file writers. ``_captured`` runs such a
writer with saving switched off and keeps the figures it would have written, so the drawing
logic stays in one place. Once ``plots`` offers one ``draw_*`` function per figure (returning
it), each function below becomes a call to it.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the API
    import pandas as pd
    from matplotlib.figure import Figure


def _captured(write: Callable[[Path], object]) -> list[Figure]:
    """The figures ``write(folder)`` draws, in the order it draws them, unsaved and closed.

    Closed (taken off pyplot's list) so that an inline backend does not show them a second
    time at the end of the cell; a closed ``Figure`` still displays and saves normally. While
    ``write`` runs, saving is switched off for every figure of the process: draw from one
    thread at a time (a notebook does).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    kept: list[Figure] = []
    close, savefig = plt.close, Figure.savefig

    def keep(fig=None) -> None:
        if isinstance(fig, Figure):
            kept.append(fig)
        close(fig)

    plt.close = keep
    Figure.savefig = lambda self, *a, **k: None  # drawing is what is wanted, not a file
    try:
        with tempfile.TemporaryDirectory() as folder:  # a writer may create its folder
            write(Path(folder))
    finally:
        plt.close, Figure.savefig = close, savefig
    return kept


def response_histogram(cases: pd.DataFrame, title: str = "") -> Figure:
    """Histogram of the response time, for ALL and per case type (``response_hist.png``)."""
    from sim.analysis.plots import response_figures

    return _captured(lambda folder: response_figures(cases, folder, title=title))[0]


def response_ecdf(cases: pd.DataFrame, title: str = "") -> Figure:
    """ECDF of the response time, for ALL and per case type (``response_ecdf.png``)."""
    from sim.analysis.plots import response_figures

    return _captured(lambda folder: response_figures(cases, folder, title=title))[1]


def backlog(table: pd.DataFrame, title: str = "", warmup_h: float = 0.0, day_h: float = 24.0,
            confidence: float = 0.95) -> Figure:
    """Open cases per day with the replications' band (``backlog.png``), from ``backlog.csv``."""
    from sim.experiment.backlog_figure import backlog_figure

    [fig] = _captured(lambda folder: backlog_figure(
        table, folder / "backlog.png", title=title, warmup_h=warmup_h, day_h=day_h,
        confidence=confidence))
    return fig


def comparison_ecdf(cases_by_scenario: dict[str, pd.DataFrame], table: pd.DataFrame,
                    confidence: float = 0.95) -> Figure:
    """Overlaid response-time ECDFs with replication bands (``compare_ecdf.png``)."""
    from sim.analysis.plots import comparison_figures

    return _captured(lambda folder: comparison_figures(cases_by_scenario, table, folder,
                                                       confidence=confidence))[0]


def comparison_differences(cases_by_scenario: dict[str, pd.DataFrame], table: pd.DataFrame,
                           confidence: float = 0.95) -> Figure:
    """Paired differences to the first scenario with their CIs (``compare_diffs.png``)."""
    from sim.analysis.plots import comparison_figures

    return _captured(lambda folder: comparison_figures(cases_by_scenario, table, folder,
                                                       confidence=confidence))[-1]


def sweep(table: pd.DataFrame, keys: list[str], metric: str = "p90_h", title: str = "",
          confidence: float = 0.95) -> Figure:
    """One metric (case type ALL) against the first varied key (``sweep_<metric>.png``)."""
    from sim.analysis.plots import sweep_figures

    [fig] = _captured(lambda folder: sweep_figures(table, keys, folder, title=title,
                                                   confidence=confidence, metrics=[metric]))
    return fig
