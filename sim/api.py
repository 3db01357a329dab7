"""The Python API, for notebooks and scripts.

    import sim
    r = sim.run("scenarios/baseline.yaml", reps=5, seed=1)   # a RunResult; its repr: p90, CI
    r.cases, r.summary            # DataFrames: case records, the summary.csv table
    r.tables["departments"]       # every table of a run folder, by name
    r.plot_ecdf()                 # a matplotlib Figure, shown inline in Jupyter
    sim.measures(r.cases)         # response, resolution, satisfaction, reopen rates
    c = sim.compare(["scenarios/baseline.yaml", "scenarios/whistle.yaml"], reps=10)
    c.table                       # comparison.csv: paired differences to the first scenario
    c.plot_differences()
    s = sim.sweep("scenarios/sinking.yaml", vary={"reform.sinking.fraction": [0, 0.5]})
    s.table, s.plot("deadline_met_share")
    sim.run("scenarios/baseline.yaml", overrides={"departments.housing.staff": 30})

``run``, ``compare`` and ``sweep`` return result objects (``sim.api_results``) whose attributes
are pandas DataFrames (most with a ``replication`` column, or averaged over replications with
half-widths ``<metric>_hw``); the other functions return DataFrames. A scenario may be a file
path, a dict (validated like a file) or a ``Scenario``; ``overrides`` change it before it is
validated, as ``--set`` texts (``["departments.housing.staff=30"]``) or a mapping of key paths
to typed values (``{"departments.housing.staff": 30, "simulation.warmup": "2d"}``).
Results are computed from (scenario, seed, replication) alone, so the same call gives the same
numbers on any machine and backend.

The measures need each run's end, to tell a case nobody reached in time from one the run
stopped too early to judge. ``sim.outputs`` uses the ends the runs recorded; functions given
only ``cases`` take the latest timestamp of each replication (``sim.analysis.run_end``), which
differs only for runs stopped at their drain limit with cases still open. The satisfaction rate
comes from an ASSUMED model (``sim.SatisfactionModel``): pass another to see whether a
conclusion depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from sim.analysis.compare import comparison_table as _comparison_table
from sim.analysis.measures import SatisfactionModel, measures_summary
from sim.analysis.run_end import EndTime
from sim.analysis.summary import summarise as _summarise
from sim.api_results import CompareResult, RunResult, SweepResult
from sim.experiment.runner import (
    COMPARED,
    RUN_METRICS,
    run_metrics,
    run_scenarios,
)
from sim.scenario.loader import Overrides, load_scenario, scenario_from_dict
from sim.scenario.schema import Scenario

ScenarioLike = str | Path | Mapping | Scenario

__all__ = ["CompareResult", "RunResult", "SatisfactionModel", "SweepResult", "backlog",
           "compare", "comparison_table", "event_log", "load", "measures", "outputs",
           "per_replication", "run", "summarise", "sweep", "warmup"]


def load(scenario: ScenarioLike, overrides: Overrides = ()) -> Scenario:
    """A validated ``Scenario`` from a file path, a mapping or a ``Scenario``, with
    ``overrides`` (``--set`` texts or a mapping of key paths to values) applied first.

    A problem names where the value came from and its key path, as ``govsim`` does:
    ``overrides: departments.housing.staff: input should be a valid integer``.
    """
    if isinstance(scenario, Scenario):
        if overrides:
            from sim.scenario.loader import resolved_dict

            return scenario_from_dict(resolved_dict(scenario), overrides, source=scenario.name)
        return scenario
    if isinstance(scenario, Mapping):
        return scenario_from_dict(scenario, overrides)
    return load_scenario(scenario, overrides)


def run(scenario: ScenarioLike, reps: int = 5, seed: int = 1, out: str | Path | None = None,
        backend: str = "serial", workers: int | None = None, overrides: Overrides = (),
        force: bool = False, quiet: bool = True, confidence: float = 0.95) -> RunResult:
    """Run ``reps`` replications; return a ``RunResult``: ``.cases`` (one row per case per
    replication), ``.pools``, ``.visits``, ``.summary``, ``.per_replication``, ``.tables``,
    ``.manifest`` and the figures (``.plot_ecdf()``, ``.plot_histogram()``,
    ``.plot_backlog()``).

    With ``out``, the run is stored in (and resumed from) that folder, like ``govsim run``.
    """
    s = load(scenario, overrides)
    [res] = run_scenarios([s], reps, seed, [Path(out) if out else None], backend=backend,
                          workers=workers, force=force, quiet=quiet, confidence=confidence,
                          command=["sim.run"])
    return RunResult.of(res, confidence)


def outputs(scenario: ScenarioLike, reps: int = 5, seed: int = 1,
            out: str | Path | None = None, backend: str = "serial", workers: int | None = None,
            overrides: Overrides = (), force: bool = False, quiet: bool = True,
            confidence: float = 0.95) -> dict[str, pd.DataFrame]:
    """Run like ``run``; return every table of a run folder by name: ``cases``, ``visits``,
    ``per_replication``, and the CSV files ``summary``, ``pools``, ``reports``, ``streets``,
    ``departments``, ``backlog`` and ``capacity`` (README, "What each output means").

    The measures use the run ends the replications recorded (see the module docstring).
    """
    r = run(scenario, reps, seed, out, backend, workers, overrides, force, quiet, confidence)
    return {"cases": r.cases, "visits": r.visits, "per_replication": r.per_replication,
            **r.tables}


def summarise(cases: pd.DataFrame, confidence: float = 0.95, end_time: EndTime = None,
              satisfaction: SatisfactionModel | None = None) -> pd.DataFrame:
    """The summary table (per scenario and case type, and ALL) of case records: response time
    and Beijing's measures, each with its half-width, as ``summary.csv``."""
    return _summarise(per_replication(cases, end_time, satisfaction), confidence,
                      metrics=RUN_METRICS)


def per_replication(cases: pd.DataFrame, end_time: EndTime = None,
                    satisfaction: SatisfactionModel | None = None) -> pd.DataFrame:
    """Metrics per (scenario, replication, case type), ``ALL`` included: the observations that
    every confidence interval is computed from (response time and Beijing's measures)."""
    return run_metrics(cases, end_time, satisfaction)


def measures(cases: pd.DataFrame, confidence: float = 0.95, end_time: EndTime = None,
             satisfaction: SatisfactionModel | None = None) -> pd.DataFrame:
    """Beijing's hotline measures per scenario and case type (and ALL), averaged over
    replications with half-widths: ``response_rate``, ``resolution_rate``,
    ``satisfaction_rate`` (under ``satisfaction``, an assumed model) and ``reopen_rate``.
    Definitions: ``sim.analysis.measures``."""
    return measures_summary(cases, satisfaction, end_time, confidence)


def backlog(cases: pd.DataFrame, day: float = 24.0, confidence: float = 0.95,
            end_time: EndTime = None) -> pd.DataFrame:
    """Open cases per day (time-average over each ``day`` hours), mean across replications and
    half-width: the ``backlog.csv`` table. Warm-up days included."""
    from sim.analysis.backlog import backlog as _backlog

    return _backlog(cases, day, end_time, confidence)


def compare(scenarios: Iterable[ScenarioLike], reps: int = 5, seed: int = 1,
            out: str | Path | None = None, backend: str = "serial", workers: int | None = None,
            overrides: Overrides = (), force: bool = False, quiet: bool = True,
            confidence: float = 0.95, figures: bool = True) -> CompareResult:
    """Run scenarios on common random numbers; return a ``CompareResult``: ``.table`` (the
    ``comparison.csv`` table: paired differences to the first scenario), ``.per_replication``
    (one row per scenario, replication and case type), ``.runs`` (each scenario's
    ``RunResult``), ``.manifest`` and the figures (``.plot_ecdf()``,
    ``.plot_differences()``).

    ``overrides`` apply to every scenario (a study changes the same setting in all); to change
    one scenario only, pass ``sim.load(scenario, overrides)`` in its place. With ``out``,
    everything ``govsim compare`` writes goes there (and is resumed from there); ``figures``
    says whether the figures are written there too.
    """
    from sim.experiment.compare import distinct_names, run_compare

    given = list(scenarios)
    loaded = [load(s, overrides) for s in given]
    # Two scenarios with the same name are told apart by their file names.
    hints = [Path(s).stem if isinstance(s, (str, Path)) else x.name
             for s, x in zip(given, loaded, strict=True)]
    res = run_compare(distinct_names(loaded, hints), reps, seed,
                      Path(out) if out is not None else None, backend=backend, workers=workers,
                      force=force, quiet=quiet, confidence=confidence, command=["sim.compare"],
                      figures=figures)
    return CompareResult.of(res, seed, confidence)


def comparison_table(per_rep: pd.DataFrame, confidence: float = 0.95,
                     baseline: str | None = None) -> pd.DataFrame:
    """The ``comparison.csv`` table: per metric, case type and scenario, the value with its CI
    half-width and the paired difference to ``baseline`` (default the first) with its CI.
    The metrics are those of ``comparison.csv`` that ``per_rep`` has."""
    metrics = [m for m in COMPARED if m in per_rep.columns]
    return _comparison_table(per_rep, confidence, baseline, metrics=metrics)


def sweep(scenario: ScenarioLike, vary: Mapping[str, Iterable], reps: int = 5, seed: int = 1,
          out: str | Path | None = None, backend: str = "serial", workers: int | None = None,
          overrides: Overrides = (), force: bool = False, quiet: bool = True,
          confidence: float = 0.95, figures: bool = True) -> SweepResult:
    """Run the full factorial of ``vary`` (key path → values) on common random numbers.

    Returns a ``SweepResult``: ``.table`` (the ``sweep.csv`` table: each point against the
    first), ``.per_replication`` (a ``point`` column and one column per varied key),
    ``.runs`` (each point's ``RunResult``), ``.manifest`` and ``.plot(metric)``.
    ``overrides`` change the base scenario before the values of ``vary`` are set.
    """
    from sim.experiment.sweep import run_sweep

    base = load(scenario, overrides)
    res = run_sweep(base, {k: list(v) for k, v in vary.items()}, reps, seed,
                    Path(out) if out is not None else None, backend=backend, workers=workers,
                    force=force, quiet=quiet, confidence=confidence, command=["sim.sweep"],
                    figures=figures)
    return SweepResult.of(res, seed, confidence)


def warmup(scenario: ScenarioLike, reps: int = 5, seed: int = 1, step: float = 1.0,
           overrides: Overrides = ()):
    """MSER-5 on the backlog (see ``sim.analysis.warmup``); ``.warmup_h`` is the suggestion."""
    from sim.analysis.warmup import suggest_warmup

    s = load(scenario, overrides)
    return suggest_warmup(run(s, reps=reps, seed=seed).cases, s.simulation.horizon, step)


def event_log(run_folder: str | Path, start, format: str = "xes",
              replication: int | None = None, out: str | Path | None = None) -> Path:
    """Write the event log of a run folder (``sim.run(..., out=FOLDER)``) for process mining
    and return its path: one event per step of every case, with the unit that took it.

    ``start`` (a Monday, ``"2025-01-06"`` or a ``date``) is the calendar date of simulated
    hour 0 at 00:00 local time. ``format`` is ``"xes"`` or ``"ocel"`` (OCEL 2.0 JSON); the
    file is ``out``, else ``eventlog.xes`` / ``eventlog.ocel.json`` in the folder. Open it
    with ``pm4py.read_xes(path)`` or ``pm4py.read_ocel2(path)`` (``pip install
    '.[eventlog]'``). See ``sim.experiment.event_log``.
    """
    from datetime import date

    from sim.experiment.event_log import export_event_log

    day = date.fromisoformat(start) if isinstance(start, str) else start
    return export_event_log(Path(run_folder), day, format, replication,
                            Path(out) if out is not None else None)
