"""Sections 1 and 2 of STRESS-DES: the objectives, and the scenarios with how they differ."""

from __future__ import annotations

import pandas as pd

from sim.report.folders import Study
from sim.report.html import Markup, render, table
from sim.report.text import value_text
from sim.scenario.diff import diff_dicts
from sim.scenario.loader import resolved_dict


def objectives_section(study: Study) -> Markup:
    shown = study.runs[:1] if study.kind == "sweep" else study.runs
    return render("objectives.html.j2", kind=study.kind, names=[r.name for r in study.runs],
                  base=study.manifest.get("base", ""), vary=list(study.manifest.get("vary", {})),
                  points=len(study.runs),
                  descriptions=[(r.name, r.scenario.description) for r in shown])


def _diff_table(base: dict, other: dict) -> pd.DataFrame:
    rows = [{"key path": d.path, "baseline": value_text(d.path, d.a),
             "this scenario": value_text(d.path, d.b)}
            for d in diff_dicts(base, other) if d.path not in ("name", "description")]
    return pd.DataFrame(rows, columns=["key path", "baseline", "this scenario"])


def scenarios_section(study: Study) -> Markup:

    base = study.runs[0]
    diffs, vary, points = [], None, None
    if study.kind == "compare":
        diffs = [(r.name, table(_diff_table(resolved_dict(base.scenario),
                                            resolved_dict(r.scenario))))
                 for r in study.runs[1:]]
    elif study.kind == "sweep":
        vary = table(pd.DataFrame(
            [{"key path": k, "values": ", ".join(value_text(k, v) for v in vals)}
             for k, vals in study.manifest.get("vary", {}).items()],
            columns=["key path", "values"]))
        points = table(pd.DataFrame([{"point": p["id"], **{k: value_text(k, v) for k, v in
                                                           p.get("values", {}).items()}}
                                     for p in study.manifest.get("points", [])]))
    return render("scenarios.html.j2", kind=study.kind, baseline=base.name, diffs=diffs,
                  vary=vary, points=points)
