"""Ablation: where the effect of a reform comes from, part by part, on common random numbers.

``run_ablation(SCENARIO, BASELINE)`` splits the difference between the two scenarios into parts
(``sim.experiment.ablation_parts``: one per mechanism of a reform, one per whole reform, one per
other top-level key), and runs, besides SCENARIO and BASELINE, two variants per part:

* **off in turn**: SCENARIO with the part set back to BASELINE's values. Effect = SCENARIO -
  variant: what the part contributes *given all the other parts*;
* **on alone**: BASELINE with the part set to SCENARIO's values, and its reform switched on
  (the reform's other settings stay BASELINE's). Effect = variant - BASELINE: what the part does
  *by itself*.

Every run uses the same seed and replications, so replication ``r`` of every variant sees the
same occurrences (the model's named random streams); effects are paired differences per
replication with Student-t intervals (``sim.analysis.compare.comparison_table``, the same
computation as ``govsim compare``), on the ALL case types rows. The total effect SCENARIO -
BASELINE comes with them. The parts' effects need not add up to the total, in either direction:
parts interact (verification catches failures that fewer bounces would have avoided; a team
stationed at the street makes the paperwork it saves irrelevant…), and the gap between the sum
and the total is a measure of that interaction.

A part that cannot change a run (``reform.whistle.report_within`` only changes what
``reports.csv`` counts) has an effect of exactly 0 with a CI of [0, 0]: both runs make the same
cases.

Output folder (``DIR``):

``DIR/ablation.csv``        part, label, direction (``total``/``off``/``on``), metric, effect,
                            ci_low, ci_high, significant, reps, reference and compared run;
``DIR/ablation.png``        effects with CIs per part, off and on alone side by side;
``DIR/per_replication.csv`` the per-replication metrics of every run;
``DIR/manifest.json``       ``"kind": "ablate"``, seed, replications, command, and the parts
                            with what each changes and the folders of its variants;
``DIR/<run>/``              one resumable run folder per run (SCENARIO, BASELINE and each
                            variant, e.g. ``off-whistle-verification/``): a rerun of the same
                            command computes only what is missing. A variant that is the same
                            scenario as another run (with two reforms, the whistle off is the
                            sinking on alone) is not run twice: the manifest names the run
                            that stands for it.
"""

from __future__ import annotations

import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.compare import comparison_table
from sim.analysis.figure_options import PNG, FigureOptions
from sim.analysis.summary import ALL, METRIC_LABELS
from sim.experiment.ablation_figure import Panel, ablation_figure
from sim.experiment.ablation_parts import (
    OFF,
    ON,
    TOTAL,
    Plan,
    Variant,
    folder_name,
    plan_ablation,
)
from sim.experiment.folder import claim
from sim.experiment.runner import (
    ScenarioResult,
    provenance,
    run_scenarios,
    write_manifest,
    write_run_outputs,
)
from sim.scenario.diff import show
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.paths import safe_component
from sim.scenario.schema import Scenario

HEADLINE_METRICS = ["deadline_met_share", "mean_h", "p90_h", "resolved_share",
                    "response_rate", "resolution_rate", "satisfaction_rate", "reopen_rate"]
"""Metrics shown first, when the per-replication table has them (Beijing's measures may not
exist yet); every other metric of the table follows."""

MAIN_METRIC = "deadline_met_share"

NOT_METRICS = {"scenario", "replication", "case_type"}

COLUMNS = ["part", "label", "direction", "metric", "effect", "ci_low", "ci_high", "significant",
           "reps", "reference", "compared"]

ON_ALONE_NOTE = ("on alone = {baseline} with the part set to {scenario}'s values and its reform "
                 "switched on; the reform's other settings stay {baseline}'s")
OFF_NOTE = "off in turn = {scenario} with the part set back to {baseline}'s values"
INTERACTION_NOTE = ("contributions need not add up to the total: parts interact (one part can "
                    "make another redundant, or work only with it)")


@dataclass(frozen=True)
class Contrast:
    """One row group of the table: the effect ``compared - reference`` for a part."""

    part: str
    label: str
    direction: str
    reference: str
    compared: str


@dataclass
class AblationResult:
    """Everything an ablation produced."""

    scenario: Scenario
    baseline: Scenario
    plan: Plan
    results: list[ScenarioResult]
    per_rep: pd.DataFrame
    table: pd.DataFrame
    contrasts: list[Contrast]
    seed: int
    reps: int
    out: Path | None = None
    wall_s: float = 0.0
    manifest: dict = field(default_factory=dict)


def _renamed(scenario: Scenario, name: str) -> Scenario:
    if scenario.name == name:
        return scenario
    return scenario_from_dict(resolved_dict(scenario) | {"name": name}, source=scenario.name)


def endpoint_names(scenario: Scenario, baseline: Scenario, plan: Plan
                   ) -> tuple[Scenario, Scenario]:
    """SCENARIO and BASELINE with names that are folder-safe and clash neither with each other
    nor with a variant (``combined``/``baseline`` unless they would)."""
    taken = {v.scenario.name for v in plan.variants}
    names: list[str] = []
    for s, role in ((scenario, "scenario"), (baseline, "baseline")):
        name = folder_name(s.name)
        if name in taken or name in names:
            name = folder_name(f"{name}-{role}")
        names.append(name)
    return _renamed(scenario, names[0]), _renamed(baseline, names[1])


def _same_run_key(scenario: Scenario) -> str:
    """What decides a run's numbers: the resolved scenario without its name and description."""
    data = {k: v for k, v in resolved_dict(scenario).items() if k not in ("name", "description")}
    return json.dumps(data, sort_keys=True, default=str)


def distinct_runs(scenario: Scenario, baseline: Scenario, variants: list[Variant]
                  ) -> tuple[list[Scenario], dict[str, str]]:
    """The runs to make, and for each variant the name of the run that stands for it.

    Two variants can be the same scenario under two names: with two reforms and nothing else,
    the whistle off is the sinking on alone; with one reform, the reform off is BASELINE.
    Each such scenario runs once (common random numbers make the twin's numbers identical).
    """
    runs = [scenario, baseline]
    seen = {_same_run_key(scenario): scenario.name, _same_run_key(baseline): baseline.name}
    run_of: dict[str, str] = {}
    for v in variants:
        key = _same_run_key(v.scenario)
        if key not in seen:
            seen[key] = v.scenario.name
            runs.append(v.scenario)
        run_of[v.scenario.name] = seen[key]
    return runs, run_of


def contrasts_of(scenario: Scenario, baseline: Scenario, variants: list[Variant],
                 run_of: dict[str, str] | None = None) -> list[Contrast]:
    """The total, then per variant: off = SCENARIO - variant, on = variant - BASELINE
    (``run_of``: the run standing for each variant, see ``distinct_runs``)."""
    run_of = run_of or {}
    out = [Contrast(TOTAL, f"total ({scenario.name} - {baseline.name})", TOTAL,
                    baseline.name, scenario.name)]
    for v in variants:
        run = run_of.get(v.scenario.name, v.scenario.name)
        if v.direction == OFF:
            out.append(Contrast(v.part.name, v.part.label, OFF, run, scenario.name))
        else:
            out.append(Contrast(v.part.name, v.part.label, ON, baseline.name, run))
    return out


def effect_metrics(per_rep: pd.DataFrame) -> list[str]:
    """The headline metrics the table has, then its other metric columns."""
    columns = [c for c in per_rep.columns if c not in NOT_METRICS]
    return [m for m in HEADLINE_METRICS if m in columns] + \
        [c for c in columns if c not in HEADLINE_METRICS]


def effects_table(per_rep: pd.DataFrame, contrasts: list[Contrast], confidence: float = 0.95,
                  metrics: list[str] | None = None) -> pd.DataFrame:
    """One row per (contrast, metric): the mean paired difference ``compared - reference``
    over replications (ALL case types) and its Student-t CI, as ``govsim compare`` computes it.
    An effect involving an infinite value (a p90 beyond the share resolved) is NaN."""
    data = per_rep[per_rep["case_type"].astype(str) == ALL]
    metrics = metrics or effect_metrics(data)
    rows = []
    for c in contrasts:
        pair = data[data["scenario"].astype(str).isin([c.reference, c.compared])]
        table = comparison_table(pair, confidence, baseline=c.reference, metrics=metrics)
        table = table[table["scenario"] == c.compared].set_index("metric")
        for metric in metrics:
            if metric not in table.index:
                continue
            r = table.loc[metric]
            rows.append({"part": c.part, "label": c.label, "direction": c.direction,
                         "metric": metric, "effect": r["diff"], "ci_low": r["diff_lo"],
                         "ci_high": r["diff_hi"], "significant": bool(r["significant"]),
                         "reps": int(r["reps"]), "reference": c.reference,
                         "compared": c.compared})
    return pd.DataFrame(rows, columns=COLUMNS)


def run_ablation(scenario: Scenario, baseline: Scenario, reps: int, seed: int,
                 out: Path | None = None, backend: str = "serial", workers: int | None = None,
                 scheduler: str | None = None, force: bool = False, quiet: bool = True,
                 confidence: float = 0.95, command: list[str] | None = None,
                 figures: bool = True, figure_options: FigureOptions | None = None
                 ) -> AblationResult:
    """Run SCENARIO, BASELINE and every part's variants on common random numbers; return the
    effects (and write them to ``out`` if given)."""
    started = time.perf_counter()
    plan = plan_ablation(scenario, baseline)
    scenario, baseline = endpoint_names(scenario, baseline, plan)
    runs, run_of = distinct_runs(scenario, baseline, plan.variants)
    if out is not None:
        out = Path(out)
        claim(out, "ablate", {"scenarios": [scenario.name, baseline.name], "seed": seed}, force,
              f"ablation of {scenario.name!r} against {baseline.name!r}, seed {seed}")
    outs = [out / safe_component(s.name) if out is not None else None for s in runs]
    results = run_scenarios(runs, reps, seed, outs, backend=backend, workers=workers,
                            scheduler=scheduler, force=force, quiet=quiet,
                            confidence=confidence, write_outputs=False, desc="ablate")
    per_rep = pd.concat([r.per_rep for r in results], ignore_index=True)
    contrasts = contrasts_of(scenario, baseline, plan.variants, run_of)
    table = effects_table(per_rep, contrasts, confidence)
    res = AblationResult(scenario, baseline, plan, results, per_rep, table, contrasts, seed,
                         reps, out, wall_s=time.perf_counter() - started)
    if out is not None:
        command = command if command is not None else sys.argv
        for r in results:
            # The endpoints are full run folders with their figures; the variants' figures
            # would be many pages nobody reads (their numbers are in the run folders).
            endpoint = r.scenario.name in (scenario.name, baseline.name)
            write_run_outputs(r, backend, workers, command, confidence,
                              figures=figures and endpoint, figure_options=figure_options)
        write_ablation_outputs(res, backend, workers, command, confidence, figures,
                               figure_options)
    return res


def parts_record(res: AblationResult) -> list[dict]:
    """What the manifest says of each part: what it changes and the folders of its runs."""
    folders = {(c.part, c.direction): c.reference if c.direction == OFF else c.compared
               for c in res.contrasts}
    skipped = {(s.part.name, s.direction): s.reason for s in res.plan.skipped}
    return [{
        "part": p.name, "label": p.label, "reform": p.reform, "whole_reform": p.whole,
        "keys": [".".join(root) for root in p.roots],
        "changes": [{"path": d.path, res.baseline.name: show(d.a), res.scenario.name: show(d.b)}
                    for d in p.changes],
        "switch_only": p.switch,
        "runs": {direction: folders[(p.name, direction)] for direction in (OFF, ON)
                 if (p.name, direction) in folders},
        "skipped": {direction: skipped[(p.name, direction)] for direction in (OFF, ON)
                    if (p.name, direction) in skipped} or None,
    } for p in res.plan.rows()]


def write_ablation_outputs(res: AblationResult, backend: str, workers: int | None,
                           command: list[str], confidence: float, figures: bool = True,
                           figure_options: FigureOptions | None = None) -> None:
    out = res.out
    out.mkdir(parents=True, exist_ok=True)
    res.table.to_csv(out / "ablation.csv", index=False, float_format="%.6g")
    res.per_rep.to_csv(out / "per_replication.csv", index=False, float_format="%.6g")
    names = {"scenario": res.scenario.name, "baseline": res.baseline.name}
    res.manifest = {
        "kind": "ablate",
        "scenarios": [res.scenario.name, res.baseline.name],
        "scenario": res.scenario.name,
        "baseline": res.baseline.name,
        "seed": res.seed,
        "replications": res.reps,
        "common_random_numbers": True,
        "confidence": confidence,
        "effects": {"total": "{scenario} - {baseline}".format(**names),
                    OFF: "{scenario} - variant; ".format(**names) + OFF_NOTE.format(**names),
                    ON: "variant - {baseline}; ".format(**names) + ON_ALONE_NOTE.format(**names),
                    "interactions": INTERACTION_NOTE},
        "parts": parts_record(res),
        "folders": {r.scenario.name: str(r.out) for r in res.results},
        **provenance(command, backend, workers),
        "timings": {"wall_s": res.wall_s,
                    "computed": sum(len(r.computed) for r in res.results),
                    "reused": sum(len(r.reused) for r in res.results)},
    }
    write_manifest(out, res.manifest)
    if figures:

        ablation_figure(res.table, out / "ablation.png", figure_panels(res.table),
                        res.scenario.name, res.baseline.name, res.reps, confidence,
                        options=figure_options or PNG)


def time_metric(table: pd.DataFrame) -> str:
    """The response time the figure shows: ``p90_h`` when every p90 effect is a number, else
    ``mean_h`` (a p90 is infinite when a run resolves fewer than 90% of its cases)."""
    p90 = table.loc[table["metric"] == "p90_h", "effect"].to_numpy(dtype=float)
    return "p90_h" if len(p90) and bool(np.isfinite(p90).all()) else "mean_h"


def figure_panels(table: pd.DataFrame) -> list:
    """The share within deadline (percentage points) and a response time (h)."""

    return [Panel(m, 100 if is_share(m) else 1,
                  metric_name(m) + (f" ({unit(m)})" if unit(m) else ""))
            for m in (MAIN_METRIC, time_metric(table)) if m in set(table["metric"])]


# --------------------------------------------------------------------------- terminal

def is_share(metric: str) -> bool:
    """Shares and rates are shown in percentage points."""
    return metric.endswith("_share") or metric.endswith("_rate")


def unit(metric: str) -> str:
    return "percentage points" if is_share(metric) else "h" if metric.endswith("_h") else ""


def metric_name(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric.replace("_", " ")).replace(" (h)", "")


def effect_text(row: pd.Series | None, metric: str) -> str:
    """``+12.3 [+10.1, +14.5]*`` (``*``: the CI excludes 0); ``-`` when there is no row."""
    if row is None:
        return "-"
    scale = 100 if is_share(metric) else 1
    effect, lo, hi = (float(row[k]) * scale for k in ("effect", "ci_low", "ci_high"))
    if math.isnan(effect):
        return "n/a"
    if math.isnan(lo):
        return f"{effect:+.1f} [no CI]"
    return f"{effect:+.1f} [{lo:+.1f}, {hi:+.1f}]" + ("*" if row["significant"] else "")


def _row_name(part: str, label: str) -> str:
    """A part inside a reform is indented under the reform's row and shows its key too."""
    key = part.removeprefix("reform.")
    if part.startswith("reform.") and "." in key:
        return f"  {label}" + (f" ({key})" if label != key else "")
    return label


def ablation_lines(table: pd.DataFrame, metric: str = MAIN_METRIC) -> list[str]:
    """Aligned lines: part, off-in-turn effect [CI], on-alone effect [CI], total on top."""
    sub = table[table["metric"] == metric]
    rows = [["part", "off in turn", "on alone"]]
    for part in dict.fromkeys(sub["part"]):
        mine = sub[sub["part"] == part]
        by_direction = {r["direction"]: r for _, r in mine.iterrows()}
        name = _row_name(part, mine["label"].iloc[0])
        if part == TOTAL:
            # Every part off is BASELINE, every part on is SCENARIO: the total is both.
            total = effect_text(by_direction.get(TOTAL), metric)
            rows.append([name, total, total])
            continue
        rows.append([name, effect_text(by_direction.get(OFF), metric),
                     effect_text(by_direction.get(ON), metric)])
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    return ["  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                      for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
            for r in rows]
