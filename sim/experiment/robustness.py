"""Does a reform's effect hold across everything plausible? A Latin hypercube over the declared
uncertain parameters, the paired effect SCENARIO - BASELINE at every point, and the region
where the conclusion fails.

The conclusion is the side of ``threshold`` (default 0) the median effect falls on: "the
effect is above 0" for a reform that raises ``deadline_met_share``, "below 0" for one that
lowers ``p90_h``. Points where it does not hold are
*failures*; scenario discovery finds boxes of the parameter space where they concentrate, in
the spirit of PRIM (Friedman and Fisher 1999, EMA Workbench's ``prim``) but by an exhaustive
search of rules of one or two limits (``failure_boxes``), which stays readable and does not
overfit when a few dozen points are spread over twenty parameters. A box is reported by the
parameters it restricts, e.g.
``referral.admin_delay_working_days.mean <= 0.8 and departments.environment.staff <= 15``,
with its density (share of its points that fail) and coverage (share of all failures in it).
After one box, its points are removed and the search repeats (at most ``max_boxes``).

Outputs under ``DIR``: ``robustness.csv`` (one row per point: values, effect, CI, fails),
``boxes.csv``, ``robustness.png``, ``manifest.json`` and the points' run folders.
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
from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario
from sim.scenario.uncertainty import Uncertain


def latin_hypercube(d: int, n: int, seed: int) -> np.ndarray:
    """``n`` points in [0, 1]^d, one in each of n slices of every axis; the same for a seed."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)


@dataclass
class Box:
    """A region of the parameter space: ``limits`` maps a key to (lo, hi); only restricted
    parameters are listed."""

    limits: dict[str, tuple[float | None, float | None]]
    points: int
    failures: int
    density: float
    coverage: float

    def text(self) -> str:
        """``a > 2.1 and b < 20`` (``a`` in [x, y] when restricted on both sides)."""
        parts = []
        for key, (lo, hi) in self.limits.items():
            if lo is not None and hi is not None:
                parts.append(f"{lo:.4g} <= {key} <= {hi:.4g}")
            elif lo is not None:
                parts.append(f"{key} >= {lo:.4g}")
            else:
                parts.append(f"{key} <= {hi:.4g}")
        return " and ".join(parts) if parts else "everywhere"


def failure_boxes(x: pd.DataFrame, fails: np.ndarray, min_mass: float = 0.1,
                  min_density: float = 0.5, max_boxes: int = 3, cuts: int = 19) -> list[Box]:
    """Boxes where failures concentrate (see the module docstring); ``x`` holds one column
    per parameter, ``fails`` is True where the conclusion fails.

    Every rule of one or two limits (``a <= v``, ``a >= v``, ``a >= v and b <= w``; ``v`` at
    the 5 %, 10 %, ..., 95 % quantiles of each parameter) is scored by density x coverage among
    those holding at least ``min_mass`` of the points and with at least ``min_density`` of
    them failing; a two-limit rule must beat the best one-limit rule by a tenth to be
    preferred (simpler rules generalise better). The best rule's points are removed and the
    search repeats, up to ``max_boxes``.
    """
    fails = np.asarray(fails, dtype=bool)
    total = int(fails.sum())
    min_points = max(3, int(np.ceil(min_mass * len(x))))
    conditions, masks = _conditions(x, cuts)
    remaining = np.ones(len(x), dtype=bool)
    boxes: list[Box] = []
    while len(boxes) < max_boxes and fails[remaining].any():
        m = masks & remaining
        f = (m & fails).astype(float)
        single_n, single_k = m.sum(axis=1), f.sum(axis=1)
        pair_n, pair_k = m.astype(float) @ m.T.astype(float), f @ m.T.astype(float)
        best_single = _best(single_n[:, None], single_k[:, None], total, min_points, min_density)
        best_pair = _best(pair_n, pair_k, total, min_points, min_density,
                          same=_same_column(conditions))
        if best_single is None and best_pair is None:
            break
        if best_pair is not None and (best_single is None or best_pair[0] > 1.1 * best_single[0]):
            chosen = [conditions[best_pair[1]], conditions[best_pair[2]]]
            inside = m[best_pair[1]] & m[best_pair[2]]
        else:
            chosen = [conditions[best_single[1]]]
            inside = m[best_single[1]]
        n, k = int(inside.sum()), int(fails[inside].sum())
        boxes.append(Box(_limits_of(chosen), n, k, k / n, k / total))
        remaining &= ~inside
    return boxes


def _conditions(x: pd.DataFrame, cuts: int) -> tuple[list[tuple[str, str, float]], np.ndarray]:
    conditions, masks = [], []
    for col in x.columns:
        values = x[col].to_numpy(dtype=float)
        levels = np.unique(np.quantile(values, np.linspace(0, 1, cuts + 2)[1:-1]))
        for v in levels:
            for side in ("<=", ">="):
                mask = values <= v if side == "<=" else values >= v
                if 0 < mask.sum() < len(values):
                    conditions.append((col, side, float(v)))
                    masks.append(mask)
    return conditions, np.array(masks, dtype=bool).reshape(len(masks), len(x))


def _same_column(conditions: list[tuple[str, str, float]]) -> np.ndarray:
    cols = np.array([c[0] for c in conditions])
    return cols[:, None] == cols[None, :]


def _best(n: np.ndarray, k: np.ndarray, total: int, min_points: int, min_density: float,
          same: np.ndarray | None = None) -> tuple[float, int, int] | None:
    with np.errstate(invalid="ignore", divide="ignore"):
        density = np.where(n > 0, k / n, 0.0)
    score = density * (k / total)
    ok = (n >= min_points) & (density >= min_density)
    if same is not None:
        ok &= ~same
    if not ok.any():
        return None
    score = np.where(ok, score, -1.0)
    i, j = np.unravel_index(int(np.argmax(score)), score.shape)
    return float(score[i, j]), int(i), int(j)


def _limits_of(chosen: list[tuple[str, str, float]]) -> dict:
    return {col: (v, None) if side == ">=" else (None, v) for col, side, v in chosen}


@dataclass
class RobustnessResult:
    """Everything a robustness analysis produced."""

    metric: str
    threshold: float
    direction: str
    """``"above"`` or ``"below"``: the conclusion is that the effect is on this side."""
    params: list[Uncertain]
    run: DesignRun
    boxes: list[Box]
    out: Path | None = None
    wall_s: float = 0.0
    manifest: dict = field(default_factory=dict)

    @property
    def values(self) -> pd.DataFrame:
        return self.run.values


def run_robustness(base: Scenario, against: Scenario, params: list[Uncertain], metric: str,
                   points: int, reps: int, seed: int, out: Path | None = None,
                   threshold: float = 0.0, backend: str = "serial",
                   workers: int | None = None, scheduler: str | None = None,
                   force: bool = False, quiet: bool = True, confidence: float = 0.95,
                   command: list[str] | None = None, figures: bool = True,
                   figure_options: FigureOptions | None = None
                   ) -> RobustnessResult:
    """Run the Latin hypercube, the paired effect at each point, and the rule search for boxes of failures."""
    started = time.perf_counter()
    unit = latin_hypercube(len(params), points, seed)
    extra = {"kind": "robustness", "points": points}
    if out is not None:
        out = Path(out)
        claim(out, "robustness", design_identity(base, against, params, seed, extra), force,
              f"robustness of {base.name!r} against {against.name!r}, seed {seed}")
    run = run_design(base, against, params, unit, metric, reps, seed, out, backend=backend,
                     workers=workers, scheduler=scheduler, force=force, quiet=quiet,
                     confidence=confidence, desc=f"robustness ({points} points)")
    effect = run.values["value"].to_numpy(dtype=float)
    direction = "above" if np.median(effect) >= threshold else "below"
    fails = effect <= threshold if direction == "above" else effect >= threshold
    run.values["fails"] = fails
    boxes = failure_boxes(run.values[[p.key for p in params]], fails)
    res = RobustnessResult(metric, threshold, direction, params, run, boxes, out,
                           wall_s=time.perf_counter() - started)
    if out is not None:
        atomic_csv(run.values, out / "robustness.csv")
        atomic_csv(pd.DataFrame([{"box": i + 1, "rule": b.text(), "points": b.points,
                                  "failures": b.failures, "density": b.density,
                                  "coverage": b.coverage} for i, b in enumerate(boxes)],
                                columns=["box", "rule", "points", "failures", "density",
                                         "coverage"]),
                   out / "boxes.csv")
        res.manifest = {
            "kind": "robustness", "metric": metric, "case_type": "ALL",
            "scenario": base.name, "against": against.name,
            "key": identity_key(design_identity(base, against, params, seed, extra)),
            "base_scenario": resolved_dict(base),
            "parameters": [{"key": p.key, "lo": p.lo, "hi": p.hi, "value": p.value,
                            "integer": p.integer} for p in params],
            "points": points, "seed": seed, "replications": reps,
            "threshold": threshold, "direction": direction,
            "summary": summary_lines(res),
            "common_random_numbers": True, "confidence": confidence,
            **provenance(command if command is not None else sys.argv, backend, workers),
            "timings": {"wall_s": res.wall_s, "computed": run.computed,
                        "reused": run.reused},
        }
        write_manifest(out, res.manifest)
        if figures:
            from sim.experiment.design_figures import robustness_figure

            robustness_figure(run.values, metric, threshold, out / "robustness.png",
                              title=f"{base.name} - {against.name}",
                              options=figure_options or PNG)
    return res


def summary_lines(res: RobustnessResult, scale: float = 1.0, unit: str = "") -> list[str]:
    """The effect's range over the design, how often the conclusion holds, and the boxes."""
    v = res.values
    n = len(v)
    holds = int((~v["fails"]).sum())
    sure = int(((v["lo"] > res.threshold) if res.direction == "above"
                else (v["hi"] < res.threshold)).sum())
    side = ">" if res.direction == "above" else "<"
    lines = [
        f"effect on {res.metric} ranges from {v['value'].min() * scale:.4g}{unit} to "
        f"{v['value'].max() * scale:.4g}{unit} (median {v['value'].median() * scale:.4g}{unit})"
        f" over {n} points",
        f"effect {side} {res.threshold * scale:g}{unit} at {holds} of {n} points "
        f"({sure} with the whole CI {side} {res.threshold * scale:g}{unit})",
    ]
    if holds == n:
        lines.append("the conclusion holds at every point: no failure box")
    elif not res.boxes:
        lines.append(f"no box of at least a tenth of the points where most fail: the {n - holds}"
                     " failures are spread over the space")
    for i, b in enumerate(res.boxes, 1):
        lines.append(f"failure box {i}: {b.text()} ({b.failures} of its {b.points} points "
                     f"fail, density {b.density:.0%}, coverage {b.coverage:.0%})")
    return lines
