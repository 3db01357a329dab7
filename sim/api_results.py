"""What ``sim.run``, ``sim.compare`` and ``sim.sweep`` return: an experiment's tables as
DataFrame attributes, its manifest, and its standard figures drawn inline.

    r = sim.run("scenarios/baseline.yaml", reps=5)
    r                      # scenario, reps, seed, cases, p90 response time with its CI
    r.cases, r.summary     # DataFrames, as in cases.parquet and summary.csv
    r.tables["streets"]    # every CSV table of a run folder, by file stem
    r.plot_ecdf()          # a matplotlib Figure: shown inline in Jupyter, or fig.savefig(...)

    c = sim.compare([...]); c.table; c.runs["whistle"].cases; c.plot_differences()
    s = sim.sweep(...);     s.table; s.per_replication; s.plot("deadline_met_share")

The figures are drawn by the ``draw_*`` functions the command line uses for the files in
``figures/``; none of them changes matplotlib's backend. A result made without ``out=`` holds
in ``manifest`` what identifies it (scenario, seed, replications, confidence, versions); with
``out=`` the manifest written to the folder.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis import plots
from sim.analysis.labels import labelled, labels_of
from sim.analysis.summary import ALL, METRIC_LABELS
from sim.experiment.backlog_figure import draw_backlog
from sim.experiment.compare import CompareResult as _Compared
from sim.experiment.manifest import package_versions
from sim.experiment.runner import BACKLOG_DAY_H, ScenarioResult, labelled_summary, run_tables
from sim.experiment.sweep import SweepResult as _Swept
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario

if TYPE_CHECKING:  # matplotlib is imported when a figure is drawn, not with the API
    from matplotlib.figure import Figure

HEADLINE = "p90_h"
"""The metric a result's repr shows (case type ALL): the 90th percentile of the response time,
the one a resident waiting longest feels."""

SHOWN_POINTS = 8
"""A sweep's repr lists this many points, then says how many more there are."""


def _estimate(value: float, hw: float, unit: str = " h") -> str:
    """``41.2 h ± 3.1``; a half-width that is unknown (one replication) is left out, and a value
    that is unknown (no case resolved) is said to be."""
    if pd.isna(value):
        return "unknown (no resolved case)"
    text = f"{value:,.1f}{unit}"
    return text if pd.isna(hw) else f"{text} ± {hw:,.1f}"


def _headline_label(confidence: float) -> str:
    label = METRIC_LABELS[HEADLINE].replace(" (h)", "")
    return f"{label} ({ALL}, {confidence:.0%} CI)"


def _identity(**keys: Any) -> dict:
    """The manifest of a result kept in memory: what identifies it, and the versions."""
    return {**keys, "versions": package_versions()}


def _html(text: str, table: pd.DataFrame) -> str:
    """A result's ``_repr_html_``: its repr as a paragraph over its headline table."""
    lines = html.escape(text).replace("\n", "<br>")
    return f"<p style='font-family:monospace'>{lines}</p>" + table.to_html(
        index=False, float_format=lambda v: f"{v:,.3g}", na_rep="")


@dataclass(repr=False, eq=False)
class RunResult:
    """One scenario's replications: what ``govsim run`` writes to a folder, in memory.

    ``cases`` (one row per case per replication), ``pools`` and ``visits`` are the records of
    the replications; ``per_replication`` the metrics of each replication (the observations
    every CI is computed from) and ``summary`` their means with half-widths (``summary.csv``);
    ``tables`` every CSV table of a run folder by file stem (computed on first use). Note that
    ``pools`` holds one row per pool and replication, ``tables["pools"]`` their averages.
    """

    scenario: Scenario
    seed: int
    reps: int
    confidence: float
    cases: pd.DataFrame
    pools: pd.DataFrame
    visits: pd.DataFrame
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict
    out: Path | None
    _experiment: ScenarioResult = field(repr=False)

    @classmethod
    def of(cls, res: ScenarioResult, confidence: float) -> RunResult:
        """The result of one scenario of an experiment (``sim.experiment.runner``)."""
        manifest = res.manifest or _identity(
            scenario=resolved_dict(res.scenario), seed=res.seed, replications=res.reps,
            confidence=confidence)
        return cls(res.scenario, res.seed, res.reps, confidence, res.cases, res.pools,
                   res.visits, res.per_rep, labelled_summary(res), manifest, res.out, res)

    @property
    def name(self) -> str:
        return self.scenario.name

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        """``summary``, ``pools``, ``reports``, ``streets``, ``departments``, ``backlog`` and
        ``capacity``: the CSV tables of a run folder (README, "What each output means")."""
        return run_tables(self._experiment, self.confidence)

    def headline(self) -> tuple[float, float]:
        """The headline metric (``HEADLINE``, case type ALL) and its CI half-width."""
        rows = self.summary[self.summary["case_type"] == ALL]
        if rows.empty:  # no case reported in the measured window
            return float("nan"), float("nan")
        return float(rows[HEADLINE].iloc[0]), float(rows[f"{HEADLINE}_hw"].iloc[0])

    def plot_ecdf(self) -> Figure:
        """Share of cases resolved within each response time, ALL and per case type."""
        return plots.draw_response_ecdf(self.cases, self.name, labels_of([self.scenario]))

    def plot_histogram(self) -> Figure:
        """Histogram of the response time, ALL and per case type."""
        return plots.draw_response_hist(self.cases, self.name, labels_of([self.scenario]))

    def plot_backlog(self) -> Figure:
        """Open cases per day, mean and band across replications; the warm-up shaded."""
        return draw_backlog(self.tables["backlog"], title=self.name,
                            warmup_h=self.scenario.simulation.warmup, day_h=BACKLOG_DAY_H,
                            confidence=self.confidence, labels=labels_of([self.scenario]))

    def __repr__(self) -> str:
        folder = f"; folder {self.out}" if self.out is not None else ""
        return (f"<RunResult {self.name!r}: {self.reps} reps, seed {self.seed}, "
                f"{len(self.cases):,} cases; {_headline_label(self.confidence)} "
                f"{_estimate(*self.headline())}{folder}>")

    def _repr_html_(self) -> str:
        cols = ["case_type", "n", "deadline_met_share", "mean_h", HEADLINE, f"{HEADLINE}_hw"]
        return _html(repr(self), self.summary[cols])


@dataclass(repr=False, eq=False)
class CompareResult:
    """Scenarios run on common random numbers, each compared with the first (the baseline).

    ``table`` is ``comparison.csv`` (per metric, case type and scenario: value, half-width,
    paired difference to the baseline and its CI), ``per_replication`` the metrics it is
    computed from, ``runs`` each scenario's ``RunResult`` by name.
    """

    runs: dict[str, RunResult]
    per_replication: pd.DataFrame
    table: pd.DataFrame
    seed: int
    reps: int
    confidence: float
    manifest: dict
    out: Path | None

    @classmethod
    def of(cls, res: _Compared, seed: int, confidence: float) -> CompareResult:
        runs = {r.scenario.name: RunResult.of(r, confidence) for r in res.results}
        reps = res.results[0].reps
        manifest = res.manifest or _identity(
            kind="compare", scenarios=res.names, baseline=res.names[0], seed=seed,
            replications=reps, common_random_numbers=True, confidence=confidence)
        table = labelled(res.table, labels_of(r.scenario for r in res.results))  # as the CSV
        return cls(runs, res.per_rep, table, seed, reps, confidence, manifest, res.out)

    @property
    def scenarios(self) -> list[str]:
        return list(self.runs)

    @property
    def baseline(self) -> str:
        return self.scenarios[0]

    @cached_property
    def cases(self) -> pd.DataFrame:
        """Every scenario's case records in one table (its ``scenario`` column tells them
        apart)."""
        return pd.concat([r.cases for r in self.runs.values()], ignore_index=True)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Every scenario's ``summary.csv`` in one table."""
        return pd.concat([r.summary for r in self.runs.values()], ignore_index=True)

    def headline(self) -> pd.DataFrame:
        """The rows of ``table`` for the headline metric, case type ALL."""
        return self.table[(self.table["metric"] == HEADLINE)
                          & (self.table["case_type"] == ALL)].reset_index(drop=True)

    def plot_ecdf(self) -> Figure:
        """The scenarios' response-time ECDFs overlaid, with replication bands."""
        return plots.draw_comparison(self._cases_by_scenario(), self._labels())

    def plot_differences(self) -> Figure:
        """Paired differences to the baseline, per metric and case type, with their CIs."""
        return plots.draw_differences(self.table, self.scenarios, self.confidence,
                                      self._labels())

    def _labels(self):
        return labels_of(r.scenario for r in self.runs.values())

    def _cases_by_scenario(self) -> dict[str, pd.DataFrame]:
        return {name: r.cases for name, r in self.runs.items()}

    def __repr__(self) -> str:
        width = max(len(n) for n in self.scenarios)
        lines = [f"<CompareResult: {len(self.runs)} scenarios, {self.reps} reps, seed "
                 f"{self.seed} (common random numbers); {_headline_label(self.confidence)}, "
                 f"difference to {self.baseline!r}:"]
        for row in self.headline().itertuples():
            diff = ("" if row.scenario == self.baseline else
                    f"   Δ {row.diff:+,.1f} h [{row.diff_lo:+,.1f}, {row.diff_hi:+,.1f}]")
            lines.append(f"  {row.scenario:<{width}}  {_estimate(row.value, row.value_hw)}"
                         f"{diff}")
        if self.out is not None:
            lines.append(f"folder {self.out}")
        return "\n".join(lines) + ">"

    def _repr_html_(self) -> str:
        cols = ["scenario", "value", "value_hw", "diff", "diff_lo", "diff_hi", "reps"]
        return _html(repr(self), self.headline()[cols])


@dataclass(repr=False, eq=False)
class SweepResult:
    """A full factorial of values of some keys of a base scenario, on common random numbers.

    ``table`` is ``sweep.csv`` (per point, case type and metric: the varied values, value,
    half-width and paired difference to the first point), ``per_replication`` the metrics it is
    computed from (a ``point`` column and one column per varied key), ``runs`` each point's
    ``RunResult`` by point id.
    """

    base: Scenario
    vary: dict[str, list]
    points: list[dict[str, Any]]
    runs: dict[str, RunResult]
    per_replication: pd.DataFrame
    table: pd.DataFrame
    seed: int
    reps: int
    confidence: float
    manifest: dict
    out: Path | None

    @classmethod
    def of(cls, res: _Swept, seed: int, confidence: float) -> SweepResult:
        runs = {pid: RunResult.of(r, confidence)
                for pid, r in zip(res.ids, res.results, strict=True)}
        reps = res.results[0].reps
        manifest = res.manifest or _identity(
            kind="sweep", base=res.base.name, vary=res.vary, seed=seed, replications=reps,
            common_random_numbers=True, confidence=confidence)
        table = labelled(res.table, labels_of([res.base]))  # as sweep.csv
        return cls(res.base, res.vary, res.points, runs, res.per_rep, table, seed, reps,
                   confidence, manifest, res.out)

    def headline(self) -> pd.DataFrame:
        """The rows of ``table`` for the headline metric, case type ALL (one per point)."""
        return self.table[(self.table["metric"] == HEADLINE)
                          & (self.table["case_type"] == ALL)].reset_index(drop=True)

    def plot(self, metric: str = HEADLINE) -> Figure:
        """``metric`` (case type ALL) with its CI band against the first varied key, one line
        per combination of the other keys."""
        return plots.draw_sweep(self.table, list(self.vary), self.base.name, self.confidence,
                                metrics=[metric], labels=labels_of([self.base]))

    def plot_differences(self) -> Figure:
        """Each point's paired difference to the first point, with its CI (common random
        numbers: these are what tell points apart, not overlapping per-point bands)."""
        return plots.draw_sweep_differences(self.table, list(self.vary), self.base.name,
                                            self.confidence, labels=labels_of([self.base]))

    def __repr__(self) -> str:
        varied = "; ".join(f"{k} in {v}" for k, v in self.vary.items())
        lines = [f"<SweepResult {self.base.name!r}: {len(self.points)} points ({varied}), "
                 f"{self.reps} reps, seed {self.seed}; {_headline_label(self.confidence)}:"]
        rows = self.headline()
        for row in rows.head(SHOWN_POINTS).itertuples():
            lines.append(f"  {row.point}  {_estimate(row.value, row.value_hw)}")
        if len(rows) > SHOWN_POINTS:
            lines.append(f"  ... {len(rows) - SHOWN_POINTS} more points")
        if self.out is not None:
            lines.append(f"folder {self.out}")
        return "\n".join(lines) + ">"

    def _repr_html_(self) -> str:
        cols = ["point", "value", "value_hw", "diff", "diff_lo", "diff_hi", "reps"]
        return _html(repr(self), self.headline()[cols])
