"""The Python API, for notebooks and scripts.

    import sim
    cases = sim.run("scenarios/baseline.yaml", reps=5, seed=1)
    sim.summarise(cases)

Every function returns pandas DataFrames with a ``replication`` column. A scenario may be a file
path, a dict (validated like a file) or a ``Scenario``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from sim.analysis.summary import summary_table
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
