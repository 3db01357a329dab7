"""Sections 1 and 2 of STRESS-DES: the objectives, and the scenarios with how they differ."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import pandas as pd
import yaml

from sim.report.folders import Study, recorded_overrides
from sim.report.html import Markup, render, table
from sim.report.text import value_text
from sim.scenario.diff import diff_dicts, diff_scenarios
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, resolved_dict
from sim.scenario.schema import Scenario


class Described(NamedTuple):
    """A scenario as the objectives list it: its own description (``""`` when it has none of
    its own), the parent file it ``extends`` (``""``: none) and what it changes there."""

    name: str
    description: str
    extends: str = ""
    changes: list[str] = []
    more: int = 0


MAX_CHANGES = 12
"""Changes listed for a scenario that extends another; the rest are counted."""


def _own_keys(path: Path) -> dict:
    """The top-level mapping of a scenario file as written (before ``extends`` is merged)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def describe_scenario(name: str, scenario: Scenario, path: Path | None,
                      overrides: list[str]) -> Described:
    """How the objectives present a scenario. A file that ``extends`` a parent without a
    description of its own would inherit the parent's, which describes another scenario:
    instead it reads "extends <parent>" with the key paths it changes (the resolved parent,
    with the same ``--set`` overrides, against the scenario that was run)."""
    own = _own_keys(path) if path is not None else {}
    parent = own.get("extends")
    if not isinstance(parent, str) or path is None:
        return Described(name, scenario.description)
    description = scenario.description if isinstance(own.get("description"), str) else ""
    try:
        diffs = [d for d in diff_scenarios(load_scenario(path.parent / parent, overrides),
                                           scenario) if d.path not in ("name", "description")]
    except (ScenarioError, OSError):
        return Described(name, description, parent, ["(the parent file no longer loads)"])
    changes = [f"{d.path}: {value_text(d.path, d.a)} → {value_text(d.path, d.b)}"
               for d in diffs]
    return Described(name, description, parent, changes[:MAX_CHANGES],
                     max(0, len(changes) - MAX_CHANGES))


def objectives_section(study: Study, files: dict[str, Path] | None = None) -> Markup:
    files = files or {}
    shown = study.runs[:1] if study.kind == "sweep" else study.runs
    described = [describe_scenario(r.name, r.scenario, files.get(r.name)
                                   or files.get(study.manifest.get("base", "")),
                                   recorded_overrides(r.manifest)) for r in shown]
    return render("objectives.html.j2", kind=study.kind, names=[r.name for r in study.runs],
                  base=study.manifest.get("base", ""), vary=list(study.manifest.get("vary", {})),
                  points=len(study.runs), descriptions=described)


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
