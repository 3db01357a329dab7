"""Design points over declared uncertain parameters, run as ordinary scenarios.

``sensitivity`` and ``robustness`` both draw points in the unit cube of the declared
parameters (``sim.scenario.uncertainty``), turn each point into a scenario (the base scenario
with the point's values set, validated like ``--set``), and run every point on common random
numbers: the same seed and replications at every point, so two points differ by their
parameters, not by the luck of the draw. With ``--against`` each point runs twice, the scenario
and the baseline with the same values, and the point's value is the paired difference
SCENARIO - BASELINE.

Each point's runs are stored in ``DIR/points/<id>/scenario`` (and ``.../baseline``), ``<id>``
made by ``sim.scenario.paths.safe_component``, so an interrupted design resumes where it
stopped: the design is reproducible from the seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.experiment.runner import RUN_METRICS, run_scenarios
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.paths import safe_component
from sim.scenario.schema import Scenario
from sim.scenario.uncertainty import Uncertain

ALL = "ALL"


def check_metric(metric: str) -> None:
    """Refuse a metric that ``summary.csv`` does not have."""
    if metric not in RUN_METRICS:
        raise ScenarioError([Problem("--metric", "", f"unknown metric {metric!r}; one of "
                                     + ", ".join(RUN_METRICS))])


def point_values(params: list[Uncertain], unit_row: np.ndarray) -> dict[str, float | int]:
    """The key paths set at one point of the unit cube, with their values."""
    out: dict[str, float | int] = {}
    for p, u in zip(params, unit_row, strict=True):
        out.update(p.settings(float(u)))
    return out


def parameter_values(params: list[Uncertain], unit_row: np.ndarray) -> dict[str, float]:
    """Each parameter's value at one point (a ``together`` parameter's common value or
    factor): the columns of ``design.csv`` and what boxes are stated in."""
    return {p.key: float(p.lo + float(u) * (p.hi - p.lo)) if p.targets else p.draw(float(u))
            for p, u in zip(params, unit_row, strict=True)}


def point_id(index: int) -> str:
    """A design point's folder name."""
    return safe_component(f"p{index:05d}")


def with_values(base: Scenario, values: dict, name: str) -> Scenario:
    """``base`` with ``values`` set by key path, validated, named ``name``. A key ``base`` does
    not have (a reform's setting absent from the baseline, such as a sinking fraction of a
    department the baseline sinks nothing from), or a setting of a reform ``base`` has switched
    off, is left alone: it belongs to the other scenario."""
    data = resolved_dict(base) | {"name": name}
    overrides = [f"{k}={json.dumps(v)}" for k, v in values.items() if _has(data, k)]
    try:
        return scenario_from_dict(data, overrides, source=base.name)
    except ScenarioError as exc:
        raise ScenarioError([Problem("uncertainty", p.path, f"{p.message} (design point "
                                     f"{name})") for p in exc.problems]) from None


def _has(data: dict, key: str) -> bool:
    parts = key.split(".")
    if parts[0] == "reform" and len(parts) > 2:
        # a switched-off reform's settings do nothing: leave them as they are
        reform = data.get("reform", {}).get(parts[1])
        if isinstance(reform, dict) and reform.get("enabled") is False:
            return False
    node = data
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


@dataclass
class DesignRun:
    """The values of a design: one row per point."""

    values: pd.DataFrame
    """Columns: ``point``, one per parameter, ``value`` (mean over replications of the metric,
    or of the paired difference), ``lo`` and ``hi`` (its CI), ``reps``."""
    computed: int
    reused: int


def run_design(base: Scenario, against: Scenario | None, params: list[Uncertain],
               unit: np.ndarray, metric: str, reps: int, seed: int, out: Path | None,
               backend: str = "serial", workers: int | None = None,
               scheduler: str | None = None, force: bool = False, quiet: bool = True,
               confidence: float = 0.95, desc: str = "design") -> DesignRun:
    """Run every row of ``unit`` (points in [0, 1]^d) and measure ``metric`` (case type ALL)
    at each: its mean over replications, or the paired SCENARIO - BASELINE difference."""
    check_metric(metric)
    scenarios, outs, rows = [], [], []
    for i, row in enumerate(unit):
        values = point_values(params, row)
        pid = point_id(i)
        rows.append({"point": pid, **parameter_values(params, row)})
        scenarios.append(with_values(base, values, f"{base.name}[{pid}]"))
        outs.append(out / "points" / pid / "scenario" if out is not None else None)
        if against is not None:
            scenarios.append(with_values(against, values, f"{against.name}[{pid}]~baseline"))
            outs.append(out / "points" / pid / "baseline" if out is not None else None)
    results = run_scenarios(scenarios, reps, seed, outs, backend=backend, workers=workers,
                            scheduler=scheduler, force=force, quiet=quiet,
                            confidence=confidence, write_outputs=False, desc=desc)
    step = 2 if against is not None else 1
    for i, row in enumerate(rows):
        own = _metric(results[i * step].per_rep, metric)
        if against is not None:
            own = own - _metric(results[i * step + 1].per_rep, metric)
        mean, hw = mean_ci(own, confidence)
        row.update(value=mean, lo=mean - hw, hi=mean + hw, reps=len(own))
    return DesignRun(pd.DataFrame(rows), sum(len(r.computed) for r in results),
                     sum(len(r.reused) for r in results))


def _metric(per_rep: pd.DataFrame, metric: str) -> np.ndarray:
    rows = per_rep[per_rep["case_type"] == ALL].sort_values("replication")
    return rows[metric].to_numpy(dtype=float)


def mean_ci(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Mean and Student-t half-width (0 for one value or no spread)."""
    values = np.asarray(values, dtype=float)
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, float("nan")
    sd = float(np.std(values, ddof=1))
    return mean, float(stats.t.ppf(0.5 + confidence / 2, len(values) - 1) * sd
                       / np.sqrt(len(values)))


def design_identity(base: Scenario, against: Scenario | None, params: list[Uncertain],
                    seed: int, extra: dict) -> dict:
    """What a design folder is for: the scenarios, parameters, seed and design settings."""
    from sim.experiment.folder import scenario_identity

    return {"base": scenario_identity(resolved_dict(base)),
            "against": scenario_identity(resolved_dict(against)) if against else None,
            "parameters": [[p.key, p.lo, p.hi, p.integer] for p in params],
            "seed": int(seed), **extra}
