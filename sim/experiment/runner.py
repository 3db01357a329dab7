"""Replications of one or more scenarios, stored in resumable workspaces.

``run_scenarios`` is the engine under ``govsim run``, ``compare`` and ``sweep``: it opens one
workspace per scenario, computes only the replications not already on disk (on the chosen
executor, all scenarios' replications in one pool of tasks), stores each as it finishes, then
writes each scenario's ``cases.parquet``, ``summary.csv`` and ``manifest.json``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.summary import replication_metrics, summarise
from sim.experiment.executors import run_tasks
from sim.experiment.files import atomic_csv, atomic_parquet
from sim.experiment.manifest import (
    git_commit,  # noqa: F401  (used by benchmarks/bench.py)
    provenance,
    write_manifest,
)
from sim.experiment.workspace import Workspace, run_identity
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario


@dataclass
class ScenarioResult:
    """Everything one scenario's experiment produced."""

    scenario: Scenario
    seed: int
    reps: int
    cases: pd.DataFrame
    pools: pd.DataFrame
    visits: pd.DataFrame
    per_rep: pd.DataFrame
    summary: pd.DataFrame
    out: Path | None = None
    computed: list[int] = field(default_factory=list)
    reused: list[int] = field(default_factory=list)
    wall_s: float = 0.0
    rep_wall_s: list[float] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def _progress(total: int, desc: str, quiet: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="rep", disable=quiet or not sys.stderr.isatty(),
                leave=False)


def run_scenarios(scenarios: list[Scenario], reps: int, seed: int,
                  outs: list[Path | None] | None = None, backend: str = "serial",
                  workers: int | None = None, scheduler: str | None = None,
                  force: bool = False, quiet: bool = True, confidence: float = 0.95,
                  command: list[str] | None = None, write_outputs: bool = True,
                  desc: str = "replications") -> list[ScenarioResult]:
    """Run ``reps`` replications of each scenario on common random numbers (same seed)."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenarios need distinct names, got {names}")
    outs = outs or [None] * len(scenarios)
    started = time.perf_counter()
    spaces: list[Workspace | None] = []
    todo: list[tuple[Scenario, int, int]] = []
    memory: dict[str, list] = {n: [] for n in names}
    reused: dict[str, list[int]] = {n: [] for n in names}
    for scenario, out in zip(scenarios, outs, strict=True):
        if out is None:
            spaces.append(None)
            todo += [(scenario, seed, r) for r in range(reps)]
            continue
        space = Workspace(Path(out), run_identity(resolved_dict(scenario), seed),
                          f"scenario {scenario.name!r}, seed {seed}")
        space.open(force=force)
        intact, damaged = space.verified(reps)
        for rep, reason in damaged.items():
            warn(f"{space.seal_path(rep)}: replication {rep}: {reason}; recomputing it")
        reused[scenario.name] = intact
        todo += [(scenario, seed, r) for r in range(reps) if r not in intact]
        spaces.append(space)
    by_name = dict(zip(names, spaces, strict=True))
    computed: dict[str, list[int]] = {n: [] for n in names}
    bar = _progress(len(todo), desc, quiet)
    try:
        for rep in run_tasks(todo, backend, workers, scheduler):
            space = by_name[rep.scenario]
            if space is None:
                memory[rep.scenario].append(rep)
            else:
                space.save(rep)
            computed[rep.scenario].append(rep.replication)
            bar.update(1)
    finally:
        bar.close()
    wall = time.perf_counter() - started
    results = []
    for scenario, space in zip(scenarios, spaces, strict=True):
        results.append(_collect(scenario, seed, reps, space, memory[scenario.name],
                                computed[scenario.name], reused[scenario.name], wall,
                                confidence))
    if write_outputs:
        for res in results:
            if res.out is not None:
                write_run_outputs(res, backend, workers, command, confidence)
    return results


def warn(message: str) -> None:
    """One line on stderr: something was wrong and has been dealt with."""
    print(f"warning: {message}", file=sys.stderr)


def _collect(scenario, seed, reps, space, memory, computed, reused, wall, confidence):
    if space is None:
        memory = sorted(memory, key=lambda r: r.replication)
        cases = pd.concat([r.cases for r in memory], ignore_index=True)
        pools = pd.concat([r.pools for r in memory], ignore_index=True)
        visits = pd.concat([r.visits for r in memory], ignore_index=True)
        rep_wall = [r.wall_s for r in memory]
        out = None
    else:
        wanted = list(range(reps))
        cases = space.load(wanted, "cases")
        pools = space.load(wanted, "pools")
        visits = space.load(wanted, "visits")
        rep_wall = [m["wall_s"] for m in space.rep_meta(wanted)]
        out = space.root
    per_rep = replication_metrics(cases)
    summary = summarise(per_rep, confidence)
    return ScenarioResult(scenario=scenario, seed=seed, reps=reps, cases=cases, pools=pools,
                          visits=visits, per_rep=per_rep, summary=summary, out=out,
                          computed=sorted(computed), reused=reused, wall_s=wall,
                          rep_wall_s=rep_wall)


def write_run_outputs(res: ScenarioResult, backend: str, workers: int | None,
                      command: list[str] | None, confidence: float,
                      figures: bool = True, extra: dict | None = None) -> None:
    """``cases.parquet``, ``summary.csv``, ``pools.csv``, ``manifest.json`` and figures.

    ``extra`` entries are added to the manifest (e.g. the record of ``--target-precision``).
    """
    from sim.analysis.little import littles_law
    from sim.analysis.reform_metrics import report_summary

    out = res.out
    atomic_parquet(res.cases, out / "cases.parquet")
    atomic_csv(res.summary, out / "summary.csv")
    atomic_csv(pool_summary(res.pools), out / "pools.csv")
    atomic_csv(report_summary(res.visits, res.cases, res.scenario.reform.whistle.report_within,
                              confidence), out / "reports.csv")
    little = littles_law(res.cases, res.scenario.simulation.warmup,
                         res.scenario.simulation.horizon)
    res.manifest = {
        "scenario": resolved_dict(res.scenario),
        "seed": res.seed,
        "replications": res.reps,
        "confidence": confidence,
        "stream_seeds": "numpy SeedSequence(seed, spawn_key=(replication, blake2b(stream name)))",
        **provenance(command if command is not None else sys.argv, backend, workers),
        "timings": {"wall_s": res.wall_s, "replication_wall_s": res.rep_wall_s,
                    "computed": res.computed, "reused": res.reused},
        "littles_law": little,
    }
    res.manifest.update({k: v for k, v in (extra or {}).items() if v is not None})
    write_manifest(out, res.manifest)
    if figures:
        from sim.analysis.plots import response_figures

        response_figures(res.cases, out / "figures", title=res.scenario.name)


def pool_summary(pools: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Headcount, staff-hours and utilisation per pool, averaged over replications.

    ``pools`` holds one row per pool and replication (of scenarios, or of a city's districts:
    ``by="district"``). The ``*_run`` columns count the whole run (the drain after the horizon
    included), the others the measured window.
    """
    if pools.empty:
        return pools
    g = pools.groupby([by, "pool", "kind", "department", "street"], sort=False, dropna=False)
    return g.agg(staff=("staff", "first"), served=("served", "mean"),
                 busy_hours=("busy_hours", "mean"), open_hours=("open_hours", "mean"),
                 utilisation=("utilisation", "mean"),
                 busy_hours_run=("busy_hours_run", "mean"),
                 open_hours_run=("open_hours_run", "mean")).reset_index()
