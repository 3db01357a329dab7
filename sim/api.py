"""The Python API, for notebooks and scripts.

    import sim
    cases = sim.run("scenarios/baseline.yaml", reps=5, seed=1)
    sim.summarise(cases)
    per_rep = sim.compare(["scenarios/baseline.yaml", "scenarios/whistle.yaml"], reps=10)
    sim.comparison_table(per_rep)
    sweep = sim.sweep("scenarios/sinking.yaml", vary={"reform.sinking.fraction": [0, 0.5]})

Every function returns pandas DataFrames with a ``replication`` column. A scenario may be a file
path, a dict (validated like a file) or a ``Scenario``. Results are computed from (scenario, seed,
replication) alone, so the same call gives the same numbers on any machine and backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from sim.analysis.compare import comparison_table as _comparison_table
from sim.analysis.summary import replication_metrics, summary_table
from sim.experiment.runner import run_scenarios
from sim.scenario.loader import load_scenario, scenario_from_dict
from sim.scenario.schema import Scenario

ScenarioLike = str | Path | Mapping | Scenario


def load(scenario: ScenarioLike, overrides: Iterable[str] = ()) -> Scenario:
    """A validated ``Scenario`` from a file path, a mapping or a ``Scenario``."""
    if isinstance(scenario, Scenario):
        if overrides:
            from sim.scenario.loader import resolved_dict

            return scenario_from_dict(resolved_dict(scenario), overrides, source=scenario.name)
        return scenario
    if isinstance(scenario, Mapping):
        return scenario_from_dict(scenario, overrides)
    return load_scenario(scenario, overrides)


def run(scenario: ScenarioLike, reps: int = 5, seed: int = 1, out: str | Path | None = None,
        backend: str = "serial", workers: int | None = None, overrides: Iterable[str] = (),
        force: bool = False, quiet: bool = True) -> pd.DataFrame:
    """Run ``reps`` replications; return the case records (one row per case per replication).

    With ``out``, the run is stored in (and resumed from) that folder, like ``govsim run``.
    """
    s = load(scenario, overrides)
    [res] = run_scenarios([s], reps, seed, [Path(out) if out else None], backend=backend,
                          workers=workers, force=force, quiet=quiet)
    return res.cases


def summarise(cases: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """The summary table (per scenario and case type, and ALL) of case records."""
    return summary_table(cases, confidence)


def per_replication(cases: pd.DataFrame) -> pd.DataFrame:
    """Metrics per (scenario, replication, case type), ``ALL`` included: the observations that
    every confidence interval is computed from."""
    return replication_metrics(cases)


def compare(scenarios: Iterable[ScenarioLike], reps: int = 5, seed: int = 1,
            out: str | Path | None = None, backend: str = "serial", workers: int | None = None,
            force: bool = False, quiet: bool = True, confidence: float = 0.95,
            figures: bool = True) -> pd.DataFrame:
    """Run scenarios on common random numbers; return their per-replication metrics.

    The result has one row per (scenario, replication, case_type) with the metric columns;
    pass it to ``comparison_table`` for paired differences to the first scenario. With ``out``,
    everything ``govsim compare`` writes goes there (and is resumed from there).
    """
    from sim.experiment.compare import distinct_names, run_compare

    given = list(scenarios)
    loaded = [load(s) for s in given]
    # Two scenarios with the same name are told apart by their file names.
    hints = [Path(s).stem if isinstance(s, (str, Path)) else x.name
             for s, x in zip(given, loaded, strict=True)]
    res = run_compare(distinct_names(loaded, hints), reps, seed,
                      Path(out) if out is not None else None, backend=backend, workers=workers,
                      force=force, quiet=quiet, confidence=confidence, command=["sim.compare"],
                      figures=figures)
    return res.per_rep


def comparison_table(per_rep: pd.DataFrame, confidence: float = 0.95,
                     baseline: str | None = None) -> pd.DataFrame:
    """The ``comparison.csv`` table: per metric, case type and scenario, the value with its CI
    half-width and the paired difference to ``baseline`` (default the first) with its CI."""
    return _comparison_table(per_rep, confidence, baseline)


def sweep(scenario: ScenarioLike, vary: Mapping[str, Iterable], reps: int = 5, seed: int = 1,
          out: str | Path | None = None, backend: str = "serial", workers: int | None = None,
          force: bool = False, quiet: bool = True, confidence: float = 0.95,
          figures: bool = True) -> pd.DataFrame:
    """Run the full factorial of ``vary`` (key path → values) on common random numbers.

    Returns per-replication metrics with a ``point`` column and one column per varied key;
    ``sim.comparison_table`` of it gives each point against the first.
    """
    from sim.experiment.sweep import run_sweep

    res = run_sweep(load(scenario), {k: list(v) for k, v in vary.items()}, reps, seed,
                    Path(out) if out is not None else None, backend=backend, workers=workers,
                    force=force, quiet=quiet, confidence=confidence, command=["sim.sweep"],
                    figures=figures)
    return res.per_rep


def warmup(scenario: ScenarioLike, reps: int = 5, seed: int = 1, step: float = 1.0):
    """MSER-5 on the backlog (see ``sim.analysis.warmup``); ``.warmup_h`` is the suggestion."""
    from sim.analysis.warmup import suggest_warmup

    s = load(scenario)
    return suggest_warmup(run(s, reps=reps, seed=seed), s.simulation.horizon, step)
