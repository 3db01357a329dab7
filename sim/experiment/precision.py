"""Sequential replications until a metric is known precisely enough.

``run_to_precision`` runs ``reps`` replications, looks at the CI half-width of the chosen metric
(case type ``ALL``) relative to its mean, and, while it is wider than the target, adds
replications: as many as the 1/√n law says are needed (at most doubling per round, since the
variance estimate from few replications is itself noisy), never beyond ``max_reps``. Each round
resumes the same workspaces, so no replication is computed twice. With several scenarios
(``govsim compare``) every scenario must reach the target.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

from sim.analysis.stats import relative_halfwidth, reps_for_precision
from sim.analysis.summary import ALL, METRICS
from sim.experiment.runner import ScenarioResult, run_scenarios
from sim.scenario.schema import Scenario

MIN_REPS = 3
"""The fewest replications a precision check is based on (two give a uselessly wide t)."""


def relative_precision(res: ScenarioResult, metric: str, confidence: float) -> float:
    """Relative CI half-width of ``metric`` (case type ALL) across the replications."""
    per_rep = res.per_rep
    values = per_rep.loc[per_rep["case_type"] == ALL, metric].to_numpy(dtype=float)
    return relative_halfwidth(values, confidence)


def run_to_precision(scenarios: list[Scenario], reps: int, seed: int, target: float,
                     metric: str = "p90_h", max_reps: int = 200,
                     outs: list[Path | None] | None = None, force: bool = False,
                     confidence: float = 0.95, **run_kwargs) -> tuple[list[ScenarioResult], dict]:
    """Run until ``metric``'s relative half-width is ≤ ``target`` for every scenario, or until
    ``max_reps``; return the results and a record of the procedure (for the manifest)."""
    if metric not in METRICS:
        raise ValueError(f"unknown precision metric {metric!r}; use one of {', '.join(METRICS)}")
    if not target > 0:
        raise ValueError(f"--target-precision must be > 0, got {target}")
    outs = list(outs) if outs is not None else [None] * len(scenarios)
    with tempfile.TemporaryDirectory(prefix="govsim-precision-") as tmp:
        # Replications kept in memory would be recomputed each round: park them on disk.
        work = [o if o is not None else Path(tmp) / f"s{i}" for i, o in enumerate(outs)]
        started = time.perf_counter()
        n = max(reps, MIN_REPS)
        rounds: list[dict] = []
        computed: dict[str, set[int]] = {s.name: set() for s in scenarios}
        reused: dict[str, list[int]] | None = None
        while True:
            results = run_scenarios(scenarios, n, seed, work, force=force and not rounds,
                                    confidence=confidence, write_outputs=False, **run_kwargs)
            if reused is None:
                reused = {r.scenario.name: r.reused for r in results}
            for r in results:
                computed[r.scenario.name].update(r.computed)
            rel = {r.scenario.name: relative_precision(r, metric, confidence) for r in results}
            rounds.append({"reps": n, "relative_halfwidth": rel})
            # An unknown precision (NaN: too few values) is not a reached one.
            worst = max(math.inf if math.isnan(v) else v for v in rel.values())
            if worst <= target or n >= max_reps:
                break
            n = min(max_reps, max(n + 1, min(2 * n, reps_for_precision(n, worst, target))))
        wall = time.perf_counter() - started
        for r, o in zip(results, outs, strict=True):
            r.computed = sorted(computed[r.scenario.name])
            r.reused = reused[r.scenario.name]
            r.wall_s = wall
            if o is None:
                r.out = None
    record = {"target": target, "metric": metric, "case_type": ALL, "max_reps": max_reps,
              "reps": n, "reached": bool(worst <= target), "relative_halfwidth": rel,
              "rounds": rounds}
    return results, record
