"""Comparisons: several scenarios on common random numbers, with paired differences.

``run_compare`` runs every scenario with the same seed and replications (so replication ``r`` of
each sees the same cases), all in one pool of tasks, and writes under ``DIR``:

``DIR/<scenario name>/``   a normal run folder per scenario (resumable like ``govsim run``), its
                           name made safe by ``sim.scenario.paths.safe_component``;
``DIR/comparison.csv``     per metric (response time and Beijing's measures, ``COMPARED``), case
                           type and scenario: value, CI half-width, paired difference to the
                           first scenario and its CI;
``DIR/per_replication.csv`` the per-replication metrics the comparison is computed from;
``DIR/figures/``           overlaid ECDFs with replication bands, paired differences with CIs;
``DIR/manifest.json``      ``"kind": "compare"``, the scenarios, seed, replications, timings.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.compare import comparison_table
from sim.analysis.figure_options import PNG, FigureOptions
from sim.experiment.files import atomic_csv
from sim.experiment.folder import claim
from sim.experiment.manifest import provenance, write_manifest
from sim.experiment.precision import run_to_precision
from sim.experiment.runner import COMPARED, ScenarioResult, run_scenarios, write_run_outputs
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.paths import safe_component
from sim.scenario.schema import Scenario


@dataclass
class CompareResult:
    """Everything a comparison produced."""

    results: list[ScenarioResult]
    per_rep: pd.DataFrame
    table: pd.DataFrame
    out: Path | None = None
    precision: dict | None = None
    wall_s: float = 0.0
    manifest: dict = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [r.scenario.name for r in self.results]


def distinct_names(scenarios: list[Scenario], hints: list[str] | None = None
                   ) -> list[Scenario]:
    """Rename scenarios that share a name (by ``hints``, e.g. file stems, then a counter)."""
    names = [s.name for s in scenarios]
    if len(set(names)) == len(names):
        return scenarios
    hints = hints or names
    out, seen = [], set()
    for s, hint in zip(scenarios, hints, strict=True):
        name = s.name if names.count(s.name) == 1 else hint
        base, k = name, 2
        while name in seen:
            name, k = f"{base}-{k}", k + 1
        seen.add(name)
        if name != s.name:
            s = scenario_from_dict(resolved_dict(s) | {"name": name}, source=s.name)
        out.append(s)
    return out


def run_compare(scenarios: list[Scenario], reps: int, seed: int, out: Path | None = None,
                backend: str = "serial", workers: int | None = None,
                scheduler: str | None = None, force: bool = False, quiet: bool = True,
                confidence: float = 0.95, command: list[str] | None = None,
                figures: bool = True, target_precision: float | None = None,
                precision_metric: str = "p90_h", max_reps: int = 200,
                adjust: str = "none",
                figure_options: FigureOptions | None = None) -> CompareResult:
    """Run ``scenarios`` on common random numbers; compare each with the first.

    ``adjust`` (``holm``, ``bonferroni``): adjust the p-values of the comparisons made at once
    (``sim.analysis.compare``); the adjusted columns go to ``comparison.csv``."""
    if len(scenarios) < 2:
        raise ValueError("a comparison needs at least two scenarios")
    started = time.perf_counter()
    names = [s.name for s in scenarios]
    if out is not None:
        out = Path(out)
        claim(out, "compare", {"scenarios": names, "seed": seed}, force,
              f"comparison of {', '.join(map(repr, names))}, seed {seed}")
    outs = [out / safe_component(n) if out is not None else None for n in names]
    run_kw = dict(backend=backend, workers=workers, scheduler=scheduler, quiet=quiet,
                  desc="compare")
    precision = None
    if target_precision is not None:

        results, precision = run_to_precision(
            scenarios, reps, seed, target_precision, precision_metric, max_reps, outs,
            force=force, confidence=confidence, **run_kw)
    else:
        results = run_scenarios(scenarios, reps, seed, outs, force=force, confidence=confidence,
                                write_outputs=False, **run_kw)
    per_rep = pd.concat([r.per_rep for r in results], ignore_index=True)
    table = comparison_table(per_rep, confidence, metrics=COMPARED, adjust=adjust)
    res = CompareResult(results, per_rep, table, out, precision,
                        wall_s=time.perf_counter() - started)
    if out is not None:
        command = command if command is not None else sys.argv
        backlogs = [write_run_outputs(r, backend, workers, command, confidence,
                                      figures=figures, extra={"precision": precision},
                                      figure_options=figure_options, overlaid=True)["backlog"]
                    for r in results]
        write_compare_outputs(res, seed, backend, workers, command, confidence, figures,
                              figure_options, pd.concat(backlogs, ignore_index=True))
    return res


def write_compare_outputs(res: CompareResult, seed: int, backend: str, workers: int | None,
                          command: list[str], confidence: float, figures: bool = True,
                          figure_options: FigureOptions | None = None,
                          backlog: pd.DataFrame | None = None) -> None:
    """``comparison.csv``, ``per_replication.csv``, the manifest and the comparison's figures
    (``backlog``: the runs' backlog tables, drawn overlaid)."""
    out = res.out
    from sim.analysis.labels import labelled, labels_of

    atomic_csv(labelled(res.table, labels_of(r.scenario for r in res.results)),
               out / "comparison.csv")
    atomic_csv(res.per_rep, out / "per_replication.csv")
    reps = res.results[0].reps
    res.manifest = {
        "kind": "compare",
        "scenarios": res.names,
        "baseline": res.names[0],
        "folders": {r.scenario.name: r.out.name for r in res.results},
        "seed": seed,
        "replications": reps,
        "common_random_numbers": True,
        "confidence": confidence,
        "adjust": str(res.table["adjust"].iloc[0]) if "adjust" in res.table else "none",
        "precision": res.precision,
        **provenance(command, backend, workers),
        "timings": {"wall_s": res.wall_s,
                    "computed": {r.scenario.name: r.computed for r in res.results},
                    "reused": {r.scenario.name: r.reused for r in res.results}},
    }
    write_manifest(out, res.manifest)
    if figures:

        # matplotlib only when figures are drawn: --help and --no-figures stay fast
        from sim.analysis.labels import labels_of
        from sim.analysis.plots import comparison_figures
        from sim.experiment.backlog_figure import backlog_figure
        from sim.experiment.runner import BACKLOG_DAY_H

        options = figure_options or PNG
        labels = labels_of(r.scenario for r in res.results)
        comparison_figures({r.scenario.name: r.cases for r in res.results}, res.table,
                           out / "figures", confidence=confidence, labels=labels,
                           options=options)
        if backlog is not None:
            # The warm-up of the first scenario: a comparison's scenarios share their timing.
            backlog_figure(backlog, out / "figures" / "backlog.png",
                           warmup_h=res.results[0].scenario.simulation.warmup,
                           day_h=BACKLOG_DAY_H, confidence=confidence, labels=labels,
                           options=options)
