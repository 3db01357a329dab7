"""The report of a design over declared uncertainty: a ``govsim sensitivity`` or ``govsim
robustness`` folder (objectives, the parameters and their ranges, the indices or the effect's
range with its failure boxes, the figure, and how it was run)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.report.html import png_figure, render, table

DESIGN_KINDS = ("sensitivity", "robustness")


def _metric_words(manifest: dict) -> str:
    metric = manifest.get("metric", "")
    return f"{metric} (case type {manifest.get('case_type', 'ALL')})"


def design_report(folder: Path, manifest: dict) -> str:
    """The HTML page of a sensitivity or robustness folder."""
    kind = manifest["kind"]
    scenario, against = str(manifest.get("scenario", "")), manifest.get("against")
    what = f"{scenario} − {against}" if against else scenario
    params = pd.DataFrame(manifest.get("parameters", []))
    params = params.rename(columns={"key": "parameter", "value": "scenario's value"})
    if kind == "sensitivity":
        method = str(manifest.get("method", ""))
        objective = (f"Which declared assumptions drive {_metric_words(manifest)} of {what}? "
                     f"Global sensitivity by {method.capitalize()} "
                     f"({manifest.get('points', '?')} design points).")
        summary: list[str] = []
        tables = [("Indices, most influential first", "sensitivity.csv",
                   table(pd.read_csv(folder / "sensitivity.csv").round(4)))]
        figures = ([png_figure(folder / "sensitivity.png",
                               "μ*–σ plot (Morris) or first-order and total indices with "
                               "bootstrap CIs (Sobol)")]
                   if (folder / "sensitivity.png").exists() else [])
    else:
        objective = (f"Does the effect on {_metric_words(manifest)} of {what} hold across the "
                     f"declared assumptions? A Latin hypercube of {manifest.get('points', '?')} "
                     "points; at each, the paired effect with its CI; where it fails, readable "
                     "boxes.")
        summary = [str(line) for line in manifest.get("summary", [])]
        boxes = pd.read_csv(folder / "boxes.csv") if (folder / "boxes.csv").exists() else None
        tables = ([("Failure boxes", "boxes.csv", table(boxes.round(4)))]
                  if boxes is not None and len(boxes) else [])
        figures = ([png_figure(folder / "robustness.png",
                               "the effect at each design point, with its CI")]
                   if (folder / "robustness.png").exists() else [])
    wall = manifest.get("timings", {}).get("wall_s")
    return str(render(
        "design.html.j2", title=f"{kind.capitalize()} of {what}", folder=str(folder),
        objective=objective, scenario=scenario, against=against,
        replications=manifest.get("replications", "?"), seed=manifest.get("seed", "?"),
        parameters=table(params.round(4) if len(params) else params), summary=summary,
        figures=figures, tables=tables,
        command=" ".join(str(a) for a in manifest.get("command", [])),
        backend=str(manifest.get("backend", "")),
        wall=f"{wall:.0f} s" if isinstance(wall, (int, float)) else "?",
        commit=str(manifest.get("git_commit", "")),
        fingerprint=str(manifest.get("model_fingerprint", ""))))
