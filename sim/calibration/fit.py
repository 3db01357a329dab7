"""``govsim calibrate fit``: the parameters a log cannot give, fitted by simulation.

A fit searches the parameters of ``sim.calibration.space`` (staff and work content per
department, referral delay, bounce and quality-failure probabilities) for the values whose
simulated close times, per department, look most like the log's:

1. The scenario simulates the log's period as ``calibrate check`` does
   (``sim.calibration.check.held_out_scenario``): the log's own arrivals, ``warmup_weeks`` of
   warm-up before its window on the right weekdays, cases reported in the window kept, those
   open at the export time censored, as the log's were. Cases are grouped by the department of
   their type in the scenario, on both sides.
2. Each candidate runs ``reps`` replications on the **same seed** (common random numbers: every
   random draw comes from streams named by seed, replication and activity,
   ``sim/model/streams.py``), so two candidates differ by their parameters, not by the luck of
   the draw. The replications run on any backend (``sim.experiment.executors``); the numbers do
   not depend on it.
3. The loss is the departments' censoring-aware KS distances weighted by observed counts
   (``sim.calibration.distance``).
4. Optuna's TPE sampler, seeded (``sampler_seed``), proposes the candidates one at a time; the
   first candidate is the scenario's own values. ``budget`` evaluations in all.

**Resume.** Every evaluation is stored in ``DIR/evaluations/`` (the simulated close times as
Parquet and a sealed JSON naming the fit, the evaluation's index and its parameter values).
Rerunning the same command replays the search: the sampler, given the same losses, proposes
the same candidates, and each one found stored intact is reused instead of simulated. An
interrupted fit therefore ends exactly where an uninterrupted one would, and a larger
``--budget`` continues a finished fit. The budget is not part of the fit's identity; the
scenario, the log, the searched parameters and bounds, the seeds, replications and warm-up are.

**Outputs** in ``DIR``: ``calibrated.yaml`` (``sim.calibration.scenario_file``), ``trace.csv``
(one row per evaluation: values, loss, best so far), ``distances.csv`` (the best candidate's
per-department distances), ``simulated.parquet`` (its simulated close times), ``trace.png``,
``ecdf.png``, ``qq.png`` (``sim.calibration.fit_figures``) and ``manifest.json``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.figure_options import FigureOptions
from sim.calibration.check import (
    ALL,
    HeldOut,
    held_out_scenario,
    observed_by_department,
    refuse_empty,
    simulated_by_department,
)
from sim.calibration.distance import Groups, distances, loss, to_frame, to_groups
from sim.calibration.log import CaseLog, log_digest
from sim.calibration.space import DEFAULT_BOUNDS, GROUPS, Parameter, apply, search_space
from sim.experiment.executors import run_tasks
from sim.experiment.files import (
    Damaged,
    atomic_csv,
    atomic_parquet,
    check_files,
    check_identity,
    read_sealed,
    write_sealed,
)
from sim.experiment.folder import claim, identity_key, scenario_identity
from sim.experiment.manifest import provenance, write_manifest
from sim.experiment.workspace import model_fingerprint
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario

OBJECTIVE = "count-weighted mean over departments of the censoring-aware KS distance"


@dataclass(frozen=True)
class FitSettings:
    """What decides a fit's numbers (all of it is the fit's identity, except ``budget``)."""

    groups: tuple[str, ...] = GROUPS
    bounds: dict[str, tuple[float, float]] = field(default_factory=lambda: dict(DEFAULT_BOUNDS))
    budget: int = 50
    reps: int = 2
    seed: int = 1
    sampler_seed: int = 1
    warmup_weeks: int = 2

    def identity(self) -> dict:
        return {"groups": list(self.groups),
                "bounds": {g: list(self.bounds[g]) for g in self.groups},
                "reps": self.reps, "seed": self.seed, "sampler_seed": self.sampler_seed,
                "warmup_weeks": self.warmup_weeks}


@dataclass
class FitResult:
    """A finished fit: the searched parameters, every evaluation, the best candidate."""

    params: list[Parameter]
    trace: pd.DataFrame
    best_values: dict[str, float]
    best_loss: float
    calibrated: Scenario
    distances: pd.DataFrame
    observed: Groups
    simulated: Groups
    held: HeldOut
    computed: int = 0
    reused: int = 0
    wall_s: float = 0.0
    out: Path | None = None
    manifest: dict = field(default_factory=dict)


def fit_identity(scenario: Scenario, log: CaseLog, settings: FitSettings) -> dict:
    """Everything that decides a fit's evaluations (the budget only decides how many)."""
    return {"scenario": scenario_identity(resolved_dict(scenario)), "log": log_digest(log),
            "fit": settings.identity(), "objective": OBJECTIVE, "model": model_fingerprint()}


def simulate(candidate: Scenario, held: HeldOut, reps: int, seed: int,
             backend: str = "serial", workers: int | None = None,
             scheduler: str | None = None) -> Groups:
    """The close times of ``candidate`` (already set to the log's period, ``held``) by
    department, replications pooled in replication order whatever order the backend returns
    them in."""
    runs = sorted(run_tasks([(candidate, seed, r) for r in range(reps)], backend, workers,
                            scheduler), key=lambda rep: rep.replication)
    cases = pd.concat([r.cases for r in runs], ignore_index=True)
    return simulated_by_department(cases, held)[0]


class EvaluationStore:
    """The evaluations of one fit, in ``DIR/evaluations/``, sealed (see the module)."""

    def __init__(self, root: Path | None, key: str):
        self.root = None if root is None else Path(root) / "evaluations"
        self.key = key

    def open(self) -> None:
        if self.root is not None:
            self.root.mkdir(exist_ok=True)

    def _paths(self, index: int) -> tuple[Path, Path]:
        return (self.root / f"e{index:05d}.json",
                self.root / f"e{index:05d}.simulated.parquet")

    def _identity(self, index: int, values: dict[str, float]) -> dict:
        return {"fit": self.key, "evaluation": index, "values": values}

    def load(self, index: int, values: dict[str, float]) -> Groups | None:
        """The stored simulated close times of evaluation ``index`` with ``values``, if
        intact."""
        if self.root is None:
            return None
        seal, data = self._paths(index)
        if not seal.exists():
            return None
        try:
            body = read_sealed(seal)
            check_identity(body, self._identity(index, values))
            check_files(body, {"simulated": data})
            return to_groups(pd.read_parquet(data))
        except (Damaged, OSError, ValueError) as exc:
            print(f"warning: {seal}: evaluation {index}: {exc}; recomputing it",
                  file=sys.stderr)
            return None

    def save(self, index: int, values: dict[str, float], simulated: Groups,
             value: float) -> None:
        """Store the simulated log, then the seal that vouches for it."""
        if self.root is None:
            return
        seal, data = self._paths(index)
        seal.unlink(missing_ok=True)
        digest = atomic_parquet(to_frame(simulated), data)
        write_sealed(seal, {"identity": self._identity(index, values),
                            "sha256": {"simulated": digest}, "loss": value})


def _suggest(trial, p: Parameter) -> float:
    if p.integer:
        return int(trial.suggest_int(p.name, int(p.lo), int(p.hi), log=p.log))
    return float(trial.suggest_float(p.name, p.lo, p.hi, log=p.log))


def _start_values(params: list[Parameter]) -> dict[str, float]:
    """The scenario's own values, inside the bounds (the first candidate)."""
    return {p.name: min(max(p.start, p.lo), p.hi) for p in params}


def _progress(total: int, quiet: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="calibration fit", unit="eval",
                disable=quiet or not sys.stderr.isatty(), leave=False)


def run_fit(scenario: Scenario, log: CaseLog, settings: FitSettings, out: Path | None = None,
            backend: str = "serial", workers: int | None = None,
            scheduler: str | None = None, force: bool = False, quiet: bool = True,
            command: list[str] | None = None, figures: bool = True,
            source: Path | None = None,
            figure_options: FigureOptions | None = None) -> FitResult:
    """Fit ``scenario``'s searched parameters to ``log`` (see the module). ``source`` is the
    scenario's file, kept with its comments in ``calibrated.yaml``."""
    import optuna

    started = time.perf_counter()
    params = search_space(scenario, settings.groups, settings.bounds)
    if not params:
        raise ScenarioError([Problem("--params", "", "nothing to fit: no department with a "
                                     "finite headcount and no other group chosen")])
    identity = fit_identity(scenario, log, settings)
    key = identity_key(identity)
    if out is not None:
        out = Path(out)
        claim(out, "calibration-fit", identity, force,
              f"fit of {scenario.name!r} to {log.source}")
    store = EvaluationStore(out, key)
    store.open()
    held = held_out_scenario(scenario, log, settings.warmup_weeks)
    observed = observed_by_department(log, scenario)
    refuse_empty(observed, log.source)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=settings.sampler_seed, multivariate=True)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.enqueue_trial(_start_values(params))
    rows, simulated_by_index = [], {}
    computed = reused = 0
    bar = _progress(settings.budget, quiet)
    try:
        for index in range(settings.budget):
            trial = study.ask()
            values = {p.name: _suggest(trial, p) for p in params}
            simulated = store.load(index, values)
            if simulated is None:
                candidate = apply(held.scenario, params, values)
                simulated = simulate(candidate, held, settings.reps, settings.seed, backend,
                                     workers, scheduler)
                value = loss(distances(observed, simulated))
                store.save(index, values, simulated, value)
                computed += 1
            else:
                value = loss(distances(observed, simulated))
                reused += 1
            study.tell(trial, value)
            rows.append({"evaluation": index, **values, "loss": value})
            simulated_by_index[index] = simulated
            bar.update(1)
    finally:
        bar.close()
    trace = pd.DataFrame(rows)
    trace["best_loss"] = trace["loss"].cummin()
    best = int(trace["loss"].to_numpy().argmin())   # the first of equal losses
    best_values = {p.name: rows[best][p.name] for p in params}
    calibrated = apply(scenario, params, best_values)
    simulated = simulated_by_index[best]
    res = FitResult(params=params, trace=trace, best_values=best_values,
                    best_loss=float(trace.at[best, "loss"]), calibrated=calibrated,
                    distances=distances(observed, simulated), observed=observed,
                    simulated=simulated, held=held, computed=computed, reused=reused,
                    wall_s=time.perf_counter() - started, out=out)
    if out is not None:
        write_fit_outputs(res, scenario, log, settings, key, backend, workers, command,
                          figures, source, figure_options)
    return res


def write_fit_outputs(res: FitResult, scenario: Scenario, log: CaseLog,
                      settings: FitSettings, key: str, backend: str, workers: int | None,
                      command: list[str] | None, figures: bool,
                      source: Path | None = None,
                      figure_options: FigureOptions | None = None) -> None:
    """The calibrated scenario, the tables, the figures and the manifest of a fit."""
    from sim.calibration.scenario_file import write_calibrated

    out = res.out
    atomic_csv(res.trace, out / "trace.csv")
    atomic_csv(res.distances, out / "distances.csv")
    atomic_parquet(to_frame(res.simulated), out / "simulated.parquet")
    write_calibrated(out / "calibrated.yaml", res, len(res.trace), source)
    res.manifest = {
        "kind": "calibration-fit", "key": key, "scenario": scenario.name,
        "log": {"source": log.source, "cases": len(log.cases),
                "matched_cases": int(len(res.observed[ALL][0])),
                "open_at_export": int(np.sum(log.censored)),
                "export_time": str(log.export_time)},
        "period": {"window_start_h": res.held.window_start_h,
                   "window_end_h": res.held.window_end_h, "censor_h": res.held.censor_h},
        "objective": OBJECTIVE, "optimiser": "optuna TPESampler, first candidate the "
                                             "scenario's own values",
        "settings": {**settings.identity(), "budget": settings.budget},
        "parameters": [{"name": p.name, "group": p.group, "lo": p.lo, "hi": p.hi,
                        "start": p.start, "fitted": res.best_values[p.name]}
                       for p in res.params],
        "best_loss": res.best_loss, "common_random_numbers": True,
        **provenance(command if command is not None else sys.argv, backend, workers),
        "timings": {"wall_s": res.wall_s, "computed": res.computed, "reused": res.reused},
    }
    write_manifest(out, res.manifest)
    if figures:
        from sim.calibration.fit_figures import fit_figures

        fit_figures(res, out, figure_options)
