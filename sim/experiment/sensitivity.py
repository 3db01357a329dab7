"""Global sensitivity of one metric to the declared uncertain parameters (SALib).

Two methods, both over the unit cube of the parameters declared in the scenario's
``.uncertainty.yaml`` (``sim.scenario.uncertainty``):

``morris``  elementary effects (Morris 1991, Campolongo's mu*): ``trajectories`` x (d + 1)
            points. ``mu_star`` is the mean absolute change of the metric when one parameter
            moves across its range by a level step (in the metric's units per unit of the
            normalised range), ``sigma`` its spread (large: non-linear or interacting), with a
            bootstrap CI on mu*. Cheap screening of many parameters.
``sobol``   variance-based indices (Saltelli's design): ``n`` x (d + 2) points, ``n`` a power
            of 2. ``S1`` is the share of the metric's variance a parameter explains alone,
            ``ST`` with its interactions, each with a bootstrap CI.

The metric is a summary metric of case type ALL averaged over replications, or with
``against`` the paired difference SCENARIO - BASELINE. Every point runs on the same seed, so a
parameter the metric ignores gets an index of exactly 0.

Outputs under ``DIR``: ``sensitivity.csv`` (one row per parameter), ``design.csv`` (one row per
point: values and the metric with its CI), ``sensitivity.png`` (mu*-sigma plot or the indices
with CIs), ``manifest.json``, and the points' run folders (``sim.experiment.design``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.figure_options import PNG, FigureOptions
from sim.experiment.design import DesignRun, design_identity, run_design
from sim.experiment.files import atomic_csv
from sim.experiment.folder import claim, identity_key
from sim.experiment.manifest import provenance, write_manifest
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario
from sim.scenario.uncertainty import Uncertain

METHODS = ("morris", "sobol")


def problem(params: list[Uncertain]) -> dict:
    """SALib's problem over the unit cube (values are mapped to ranges by ``Uncertain.draw``)."""
    return {"num_vars": len(params), "names": [p.key for p in params],
            "bounds": [[0.0, 1.0]] * len(params)}


def design(params: list[Uncertain], method: str, size: int, seed: int,
           levels: int = 4) -> np.ndarray:
    """The design's points in [0, 1]^d, the same for the same seed.

    ``size`` is Morris's number of trajectories or Sobol's base sample (a power of 2).
    """
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem(params), size, num_levels=levels, seed=seed)
    if method == "sobol":
        from SALib.sample import sobol

        if size < 2 or size & (size - 1):
            raise ScenarioError([Problem("--size", "", f"sobol needs a power of 2, got {size}")])
        return sobol.sample(problem(params), size, calc_second_order=False, seed=seed)
    raise ValueError(f"unknown method {method!r}")


def indices(params: list[Uncertain], method: str, unit: np.ndarray, y: np.ndarray,
            seed: int, confidence: float = 0.95, levels: int = 4) -> pd.DataFrame:
    """One row per parameter: the method's indices and their bootstrap CIs."""
    prob = problem(params)
    if method == "morris":
        from SALib.analyze import morris

        s = morris.analyze(prob, unit, y, num_levels=levels, conf_level=confidence, seed=seed)
        frame = pd.DataFrame({"mu": s["mu"], "mu_star": s["mu_star"], "sigma": s["sigma"],
                              "mu_star_conf": s["mu_star_conf"]})
        frame["mu_star_lo"] = frame["mu_star"] - frame["mu_star_conf"]
        frame["mu_star_hi"] = frame["mu_star"] + frame["mu_star_conf"]
        order = "mu_star"
    else:
        from SALib.analyze import sobol

        s = sobol.analyze(prob, y, calc_second_order=False, conf_level=confidence, seed=seed)
        frame = pd.DataFrame({k: s[k] for k in ("S1", "S1_conf", "ST", "ST_conf")})
        for k in ("S1", "ST"):
            frame[f"{k}_lo"] = frame[k] - frame[f"{k}_conf"]
            frame[f"{k}_hi"] = frame[k] + frame[f"{k}_conf"]
        order = "ST"
    frame.insert(0, "parameter", [p.key for p in params])
    frame.insert(1, "lo", [p.lo for p in params])
    frame.insert(2, "hi", [p.hi for p in params])
    frame = frame.fillna(0.0)   # no variance at all: nothing to explain, every index is 0
    frame = frame.sort_values(order, ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


@dataclass
class SensitivityResult:
    """Everything a sensitivity analysis produced."""

    method: str
    metric: str
    params: list[Uncertain]
    run: DesignRun
    table: pd.DataFrame
    out: Path | None = None
    wall_s: float = 0.0
    manifest: dict = field(default_factory=dict)


def run_sensitivity(base: Scenario, against: Scenario | None, params: list[Uncertain],
                    method: str, metric: str, size: int, reps: int, seed: int,
                    out: Path | None = None, backend: str = "serial",
                    workers: int | None = None, scheduler: str | None = None,
                    force: bool = False, quiet: bool = True, confidence: float = 0.95,
                    command: list[str] | None = None, figures: bool = True,
                    figure_options: FigureOptions | None = None
                    ) -> SensitivityResult:
    """Draw the design from ``seed``, run every point, estimate the indices."""
    started = time.perf_counter()
    unit = design(params, method, size, seed)
    if out is not None:
        out = Path(out)
        identity = design_identity(base, against, params, seed,
                                   {"kind": "sensitivity", "method": method, "size": size})
        claim(out, "sensitivity", identity, force, f"sensitivity of {base.name!r}, seed {seed}")
    run = run_design(base, against, params, unit, metric, reps, seed, out, backend=backend,
                     workers=workers, scheduler=scheduler, force=force, quiet=quiet,
                     confidence=confidence, desc=f"{method} ({len(unit)} points)")
    y = run.values["value"].to_numpy(dtype=float)
    table = indices(params, method, unit, y, seed, confidence)
    res = SensitivityResult(method, metric, params, run, table, out,
                            wall_s=time.perf_counter() - started)
    if out is not None:
        atomic_csv(table, out / "sensitivity.csv")
        atomic_csv(run.values, out / "design.csv")
        res.manifest = {
            "kind": "sensitivity", "method": method, "size": size, "metric": metric,
            "case_type": "ALL",
            "scenario": base.name, "against": against.name if against else None,
            "key": identity_key(design_identity(base, against, params, seed, {
                "kind": "sensitivity", "method": method, "size": size})),
            "base_scenario": resolved_dict(base),
            "parameters": [{"key": p.key, "lo": p.lo, "hi": p.hi, "value": p.value,
                            "integer": p.integer} for p in params],
            "points": len(unit), "seed": seed, "replications": reps,
            "common_random_numbers": True, "confidence": confidence,
            **provenance(command if command is not None else sys.argv, backend, workers),
            "timings": {"wall_s": res.wall_s, "computed": run.computed,
                        "reused": run.reused},
        }
        write_manifest(out, res.manifest)
        if figures:
            from sim.experiment.design_figures import sensitivity_figure

            sensitivity_figure(table, method, metric, out / "sensitivity.png",
                               title=base.name if against is None
                               else f"{base.name} - {against.name}",
                               options=figure_options or PNG)
    return res


def sensitivity_lines(res: SensitivityResult) -> list[str]:
    """The table as text, most influential first."""
    lines = []
    for row in res.table.itertuples():
        if res.method == "morris":
            lines.append(f"{row.rank:>2}. {row.parameter} [{row.lo:g}, {row.hi:g}]: "
                         f"mu* {row.mu_star:.4g} [{row.mu_star_lo:.4g}, {row.mu_star_hi:.4g}]"
                         f", sigma {row.sigma:.4g}")
        else:
            lines.append(f"{row.rank:>2}. {row.parameter} [{row.lo:g}, {row.hi:g}]: "
                         f"ST {row.ST:.3f} [{row.ST_lo:.3f}, {row.ST_hi:.3f}], "
                         f"S1 {row.S1:.3f} [{row.S1_lo:.3f}, {row.S1_hi:.3f}]")
    return lines
