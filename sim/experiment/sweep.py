"""Sweeps: a full factorial over scenario parameters, every point on common random numbers.

``--vary reform.sinking.fraction=0,0.25,0.5`` gives one factor; several ``--vary`` give their
full factorial. Each point is the base scenario with ``--set key=value`` for its values, named
``<base>[fraction=0.25,…]``, and run with the same seed as every other point, so neighbouring
points differ by the parameter, not by the luck of the draw. Output under ``DIR``:

``DIR/points/<id>/``  a normal run folder per point, named by its values made safe by
                      ``sim.scenario.paths.safe_component`` (resumable; a sweep extended with
                      more values reuses the points it has);
``DIR/sweep.csv``     one row per point, case type and metric: the varied values as columns,
                      ``value``, ``value_hw`` and the paired difference to the first point;
``DIR/figures/``      ``sweep``: each metric that varies against the first varied key, with
                      CI bands; ``sweep_diffs``: the paired difference to the first point;
``DIR/manifest.json`` ``"kind": "sweep"``, the base scenario, the factors and the points.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.compare import comparison_table
from sim.analysis.figure_options import PNG, FigureOptions
from sim.experiment.files import atomic_csv
from sim.experiment.folder import claim, identity_key, scenario_identity
from sim.experiment.manifest import provenance, write_manifest
from sim.experiment.runner import COMPARED, ScenarioResult, run_scenarios, write_run_outputs
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SET_SOURCE, parse_override, resolved_dict, scenario_from_dict
from sim.scenario.paths import safe_component
from sim.scenario.schema import Scenario


def split_values(text: str) -> list[str]:
    """Split ``v1,v2,…`` at commas outside brackets and braces (``[a, b]`` stays one value)."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``a.b=v1,v2,…`` → (``"a.b"``, [v1, v2, …]) with each value typed as YAML."""
    if "=" not in text:
        raise ScenarioError([Problem("--vary", text, "expected KEY.PATH=V1,V2,...")])
    key, raw = text.split("=", 1)
    values = []
    for part in split_values(raw):
        if not part:
            raise ScenarioError([Problem("--vary", key, f"empty value in {raw!r}")])
        value = parse_override(f"{key}={part}")[1]
        if value in values:
            raise ScenarioError([Problem("--vary", key, f"value {part} given twice")])
        values.append(value)
    return key.strip(), values


def factorial(vary: dict[str, list]) -> list[dict[str, Any]]:
    """Every combination of the varied values, the first key varying slowest."""
    keys = list(vary)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*vary.values())]


def _short_keys(keys: list[str]) -> dict[str, str]:
    """The shortest tail of each key path that tells it from the others
    (``reform.sinking.fraction`` → ``fraction``; ``departments.um.staff`` and
    ``departments.housing.staff`` → ``um.staff`` and ``housing.staff``)."""
    out = {}
    for key in keys:
        parts = key.split(".")
        for n in range(1, len(parts) + 1):
            tail = ".".join(parts[-n:])
            if not any(o != key and (o == tail or o.endswith("." + tail)) for o in keys):
                break
        out[key] = tail
    return out


def _text(value: Any) -> str:
    return json.dumps(value) if not isinstance(value, str) else value


def point_label(point: dict[str, Any]) -> str:
    short = _short_keys(list(point))
    return ",".join(f"{short[k]}={_text(v)}" for k, v in point.items())


def point_scenario(base: Scenario, point: dict[str, Any]) -> Scenario:
    """The base scenario with the point's values set (validated like ``--set``)."""
    overrides = [f"{k}={json.dumps(v)}" for k, v in point.items()]
    data = resolved_dict(base) | {"name": f"{base.name}[{point_label(point)}]"}
    try:
        return scenario_from_dict(data, overrides, source=base.name)
    except ScenarioError as exc:
        where = f" (sweep point {point_label(point)})"
        raise ScenarioError([Problem("--vary" if p.source == SET_SOURCE else p.source, p.path,
                                     p.message + where) for p in exc.problems]) from None


def point_id(point: dict[str, Any]) -> str:
    """The point's folder name: its label, made safe for file systems (``safe_component``).

    It depends on the point's values only (not on its position), so a sweep extended with more
    values finds the points it already ran in the same folders and reuses them.
    """
    return safe_component(point_label(point))


def check_distinct_labels(points: list[dict[str, Any]]) -> None:
    """Refuse values that give two points the same label (``1`` and ``'1'``, or a text value
    holding ``,key=``): they would share a name, a folder and a row of ``sweep.csv``."""
    seen: dict[str, dict[str, Any]] = {}
    for point in points:
        label = point_label(point)
        if label in seen:
            other = seen[label]
            key = next(k for k in point if point[k] != other[k])
            raise ScenarioError([Problem("--vary", key, (
                f"values {other[key]!r} and {point[key]!r} give the same point name "
                f"{label!r}; give values that read differently"))])
        seen[label] = point


@dataclass
class SweepResult:
    """Everything a sweep produced."""

    base: Scenario
    vary: dict[str, list]
    points: list[dict[str, Any]]
    ids: list[str]
    results: list[ScenarioResult]
    per_rep: pd.DataFrame
    """Per-replication metrics, one column per varied key."""
    table: pd.DataFrame
    """The ``sweep.csv`` table."""
    out: Path | None = None
    wall_s: float = 0.0
    manifest: dict = field(default_factory=dict)


def run_sweep(base: Scenario, vary: dict[str, list], reps: int, seed: int,
              out: Path | None = None, backend: str = "serial", workers: int | None = None,
              scheduler: str | None = None, force: bool = False, quiet: bool = True,
              confidence: float = 0.95, command: list[str] | None = None,
              figures: bool = True, figure_options: FigureOptions | None = None
              ) -> SweepResult:
    """Run every point of the factorial ``vary`` on common random numbers."""
    if not vary or any(not v for v in vary.values()):
        raise ValueError("a sweep needs at least one key with at least one value")
    started = time.perf_counter()
    points = factorial(vary)
    check_distinct_labels(points)
    scenarios = [point_scenario(base, p) for p in points]
    ids = [point_id(p) for p in points]
    if out is not None:
        out = Path(out)
        # The factors may change (a sweep extended with more values reuses its points); the
        # base scenario and the seed may not.
        claim(out, "sweep", sweep_identity(base, seed), force,
              f"sweep of {base.name!r}, seed {seed}")
    outs = [out / "points" / i if out is not None else None for i in ids]
    results = run_scenarios(scenarios, reps, seed, outs, backend=backend, workers=workers,
                            scheduler=scheduler, force=force, quiet=quiet,
                            confidence=confidence, write_outputs=False,
                            desc=f"sweep ({len(points)} points)")
    per_rep = sweep_per_rep(results, points, ids)
    table = sweep_table(per_rep, list(vary), confidence)
    res = SweepResult(base, vary, points, ids, results, per_rep, table, out,
                      wall_s=time.perf_counter() - started)
    if out is not None:
        command = command if command is not None else sys.argv
        for r in results:
            write_run_outputs(r, backend, workers, command, confidence, figures=False)
        write_sweep_outputs(res, seed, backend, workers, command, confidence, figures,
                            figure_options)
    return res


def sweep_identity(base: Scenario, seed: int) -> dict:
    """What a sweep folder is for: the base scenario (analysis-only settings left out) and the
    seed; each point's run folder also holds the model code in its own key."""
    return {"base": scenario_identity(resolved_dict(base)), "seed": int(seed)}


def sweep_per_rep(results: list[ScenarioResult], points: list[dict], ids: list[str]
                  ) -> pd.DataFrame:
    frames = []
    for r, point, pid in zip(results, points, ids, strict=True):
        frame = r.per_rep.copy()
        frame.insert(1, "point", pid)
        for i, (k, v) in enumerate(point.items()):
            frame.insert(2 + i, k, _column_value(v))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _column_value(value: Any) -> Any:
    return value if isinstance(value, (int, float, str, bool)) else json.dumps(value)


def sweep_table(per_rep: pd.DataFrame, keys: list[str], confidence: float = 0.95
                ) -> pd.DataFrame:
    """One row per point, case type and metric: the varied values, value, CI half-width and the
    paired difference to the first point."""
    table = comparison_table(per_rep, confidence, metrics=COMPARED)
    points = per_rep[["scenario", "point", *keys]].drop_duplicates("scenario")
    table = points.merge(table, on="scenario", how="right")
    cols = ["point", *keys, "case_type", "metric", "value", "value_hw", "diff", "diff_lo",
            "diff_hi", "reps", "scenario"]
    return table[cols]


def write_sweep_outputs(res: SweepResult, seed: int, backend: str, workers: int | None,
                        command: list[str], confidence: float, figures: bool = True,
                        figure_options: FigureOptions | None = None) -> None:
    out = res.out
    from sim.analysis.labels import labelled, labels_of

    atomic_csv(labelled(res.table, labels_of([res.base])), out / "sweep.csv")
    atomic_csv(res.per_rep, out / "per_replication.csv")
    res.manifest = {
        "kind": "sweep",
        "base": res.base.name,
        "base_key": identity_key(sweep_identity(res.base, seed)),
        "base_scenario": resolved_dict(res.base),
        "vary": res.vary,
        "points": [{"id": i, "scenario": r.scenario.name, "values": p}
                   for i, r, p in zip(res.ids, res.results, res.points, strict=True)],
        "seed": seed,
        "replications": res.results[0].reps,
        "common_random_numbers": True,
        "confidence": confidence,
        **provenance(command, backend, workers),
        "timings": {"wall_s": res.wall_s,
                    "computed": {i: r.computed for i, r in zip(res.ids, res.results,
                                                               strict=True)},
                    "reused": {i: r.reused for i, r in zip(res.ids, res.results,
                                                           strict=True)}},
    }
    write_manifest(out, res.manifest)
    if figures:

        # matplotlib only when figures are drawn: --help and --no-figures stay fast
        from sim.analysis.labels import labels_of
        from sim.analysis.plots import sweep_figures

        sweep_figures(res.table, list(res.vary), out / "figures", title=res.base.name,
                      labels=labels_of([res.base]), options=figure_options or PNG,
                      confidence=confidence)
