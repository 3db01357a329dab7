"""Replications of one or more scenarios, stored in resumable workspaces.

``run_scenarios`` is the engine under ``govsim run``, ``compare`` and ``sweep``: it opens one
workspace per scenario, computes only the replications not already on disk (on the chosen
executor, all scenarios' replications in one pool of tasks), stores each as it finishes, then
writes each scenario's ``cases.parquet`` and ``steps.parquet`` (every step of every case, for
event logs: ``sim.experiment.event_log``), its tables (``run_tables``: ``summary.csv``,
``pools.csv``, ``reports.csv``, ``streets.csv``, ``departments.csv``, ``backlog.csv``,
``capacity.csv``) and ``manifest.json``.

Every table is computed from the stored replications alone (cases, pools, visits and each
replication's end time), so a resumed run writes the same files as a fresh one.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.backlog import backlog
from sim.analysis.compare import COMPARED_METRICS
from sim.analysis.figure_options import PNG, FigureOptions
from sim.analysis.little import littles_law
from sim.analysis.measures import MEASURES, SatisfactionModel, measures
from sim.analysis.metric_names import RUN_METRICS
from sim.analysis.reform_metrics import report_summary
from sim.analysis.run_end import EndTime
from sim.analysis.summary import replication_metrics, summarise
from sim.analysis.tables import department_table, street_table
from sim.experiment.executors import run_tasks
from sim.experiment.files import atomic_csv, atomic_parquet
from sim.experiment.manifest import (
    git_commit,  # noqa: F401  (used by benchmarks/bench.py)
    provenance,
    write_manifest,
)
from sim.experiment.workspace import Workspace, run_identity
from sim.model.capacity import capacity_summary, capacity_table
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario

COMPARED = [*COMPARED_METRICS, *MEASURES]
"""The metrics ``compare`` and ``sweep`` put paired differences on."""

BACKLOG_DAY_H = 24.0
"""``backlog.csv`` counts open cases per day."""


def run_metrics(cases: pd.DataFrame, end_time: EndTime = None,
                satisfaction: SatisfactionModel | None = None) -> pd.DataFrame:
    """Per (scenario, replication, case type), ``ALL`` included: the ``RUN_METRICS``.

    ``end_time`` is each run's end (``sim.analysis.run_end``; None infers it from the
    timestamps), which decides whether a case nobody reached has missed its response deadline.
    """
    per_rep = replication_metrics(cases)
    rates = measures(cases, satisfaction, end_time)
    if rates.empty:   # no counted case: the rates are unknown, not a merge of empty keys
        return per_rep.assign(**dict.fromkeys(MEASURES, np.nan))
    keys = ["scenario", "replication", "case_type"]
    rates = rates.astype({"scenario": str, "case_type": str,
                          "replication": per_rep["replication"].dtype})
    return per_rep.merge(rates, on=keys, how="left", validate="one_to_one")


@dataclass
class ScenarioResult:
    """Everything one scenario's experiment produced. ``end_times`` maps (scenario,
    replication) to the time the replication's run ended (empty: unknown, inferred)."""

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
    end_times: dict[tuple[str, int], float] = field(default_factory=dict)
    steps: pd.DataFrame | None = None

    @property
    def end_time(self) -> EndTime:
        """The runs' ends as ``sim.analysis`` takes them (None when not recorded)."""
        return self.end_times or None


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
        steps = pd.concat([r.steps for r in memory], ignore_index=True)
        rep_wall = [r.wall_s for r in memory]
        ends = {r.replication: r.end_time for r in memory}
        out = None
    else:
        wanted = list(range(reps))
        cases = space.load(wanted, "cases")
        pools = space.load(wanted, "pools")
        visits = space.load(wanted, "visits")
        steps = space.load(wanted, "steps")
        meta = space.rep_meta(wanted)
        rep_wall = [m["wall_s"] for m in meta]
        ends = {rep: m.get("end_time") for rep, m in zip(wanted, meta, strict=True)}
        out = space.root
    end_times = _recorded_ends(scenario.name, ends)
    per_rep = run_metrics(cases, end_times or None)
    summary = summarise(per_rep, confidence, metrics=RUN_METRICS)
    return ScenarioResult(scenario=scenario, seed=seed, reps=reps, cases=cases, pools=pools,
                          visits=visits, per_rep=per_rep, summary=summary, out=out,
                          computed=sorted(computed), reused=reused, wall_s=wall,
                          rep_wall_s=rep_wall, end_times=end_times, steps=steps)


def _recorded_ends(name: str, ends: dict[int, float | None]) -> dict[tuple[str, int], float]:
    """``{(name, replication): end}``, or empty if any replication's end is not recorded (a
    seal written before ends were stored): the analysis then infers every end alike."""
    if any(e is None or not np.isfinite(e) for e in ends.values()):
        return {}
    return {(name, int(rep)): float(end) for rep, end in ends.items()}


def departments_needed(scenario: Scenario) -> dict[str, list[str]]:
    """Each case type of ``scenario`` -> the departments it needs (for ``departments.csv``)."""
    return {name: list(ct.departments) for name, ct in scenario.case_types.items()}


def labelled_summary(res: ScenarioResult) -> pd.DataFrame:
    """``summary.csv``: the run's summary with the case types' display labels beside them."""
    from sim.analysis.labels import labels_of, with_label_column

    return with_label_column(res.summary, "case_type", labels_of([res.scenario]).case_type)


def run_tables(res: ScenarioResult, confidence: float) -> dict[str, pd.DataFrame]:
    """The tables of a run folder, by file stem: ``summary``, ``pools``, ``reports``,
    ``streets``, ``departments``, ``backlog`` and ``capacity`` (what ``write_run_outputs``
    writes as CSV and ``sim.outputs`` returns)."""

    from sim.analysis.labels import labels_of, with_label_column

    s = res.scenario
    labels = labels_of([s])
    return {
        "summary": labelled_summary(res),
        "pools": pool_summary(res.pools),
        "reports": report_summary(res.visits, res.cases, s.reform.whistle.report_within,
                                  confidence),
        "streets": with_label_column(street_table(res.cases, res.pools, end_time=res.end_time,
                                                  confidence=confidence),
                                     "street", labels.street),
        "departments": with_label_column(
            department_table(res.cases, res.pools, departments_needed(s),
                             end_time=res.end_time, confidence=confidence),
            "department", labels.department),
        "backlog": backlog(res.cases, BACKLOG_DAY_H, res.end_time, confidence),
        "capacity": capacity_summary(capacity_table(s, res.pools)),
    }


def write_run_outputs(res: ScenarioResult, backend: str, workers: int | None,
                      command: list[str] | None, confidence: float,
                      figures: bool = True, extra: dict | None = None,
                      figure_options: FigureOptions | None = None,
                      overlaid: bool = False) -> dict[str, pd.DataFrame]:
    """``cases.parquet``, ``steps.parquet``, the ``run_tables`` as CSV, ``manifest.json`` and
    figures; returns the tables.

    ``extra`` entries are added to the manifest (e.g. the record of ``--target-precision``).
    ``overlaid``: the run is part of a comparison whose figures overlay every run's ECDF and
    backlog, so only its histogram is drawn here (the same curves once per run would double
    the figures' cost and the report's length for nothing new).
    """

    out = res.out
    atomic_parquet(res.cases, out / "cases.parquet")
    if res.steps is not None:
        atomic_parquet(res.steps, out / "steps.parquet")
    tables = run_tables(res, confidence)
    for stem, frame in tables.items():
        atomic_csv(frame, out / f"{stem}.csv")
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

        # matplotlib only when figures are drawn: --help and --no-figures stay fast
        from sim.analysis.labels import labels_of
        from sim.analysis.plots import response_figures
        from sim.experiment.backlog_figure import backlog_figure

        options = figure_options or PNG
        labels = labels_of([res.scenario])
        response_figures(res.cases, out / "figures", title=res.scenario.name, labels=labels,
                         options=options, ecdf=not overlaid)
        if not overlaid:
            backlog_figure(tables["backlog"], out / "figures" / "backlog.png",
                           title=res.scenario.name, warmup_h=res.scenario.simulation.warmup,
                           day_h=BACKLOG_DAY_H, confidence=confidence, labels=labels,
                           options=options)
    return tables


def pool_summary(pools: pd.DataFrame, by: str = "scenario") -> pd.DataFrame:
    """Headcount, staff-hours and utilisation per pool, averaged over replications.

    ``pools`` holds one row per pool and replication (of scenarios, or of a city's districts:
    ``by="district"``). The ``*_run`` columns count the whole run (the drain after the horizon
    included), the others the measured window: ``overtime_hours`` worked past closing time and
    ``rest_hours`` of office time given back for on-call nights (tables stored before these
    were recorded have neither).
    """
    if pools.empty:
        return pools
    g = pools.groupby([by, "pool", "kind", "department", "street"], sort=False, dropna=False)
    means = ["served", "busy_hours", "open_hours", "utilisation", "overtime_hours",
             "rest_hours", "busy_hours_run", "open_hours_run"]
    return g.agg(staff=("staff", "first"),
                 **{c: (c, "mean") for c in means if c in pools.columns}).reset_index()
