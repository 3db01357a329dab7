"""Section 4 of STRESS-DES: data and assumptions.

Every parameter a scenario file documents, with its resolved value and the file's comment (its
source, or ASSUMPTION), then every resolved value of the first scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.report.comments import YamlComments, comment_chain
from sim.report.folders import Study, recorded_overrides
from sim.report.html import Markup, Segment, Table, render, table, tag_sources
from sim.report.text import describe_distribution, value_text
from sim.scenario.diff import diff_scenarios, flatten
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, resolved_dict
from sim.scenario.schema import Scenario


def _node(data: Any, path: str) -> Any:
    """The value at a dotted key path of nested dicts (``None`` if absent)."""
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def node_text(node: Any, unit: str = "h", path: str = "") -> str:
    """A resolved value in words: a distribution described, a small mapping inline, a large
    one summarised, a duration at key ``path`` with its unit."""
    if isinstance(node, dict) and "kind" in node:
        return describe_distribution({k: v for k, v in node.items() if v is not None}, unit)
    if isinstance(node, dict):
        leaves = flatten(node)
        if len(leaves) > 6:
            return f"({len(leaves)} values: see the logic tables and the full list below)"
        return "; ".join(f"{k}={value_text(f'{path}.{k}', v)}" for k, v in leaves.items())
    return value_text(path, node)


def parameter_rows(scenario: Scenario, chain: list[YamlComments]) -> pd.DataFrame:
    """Every documented key path: resolved value, comment and file (for the data section)."""

    data = resolved_dict(scenario)
    documented: dict[str, tuple[str, str]] = {}
    for comments in chain:
        for key, text in comments.by_key.items():
            documented[key] = (text, comments.path.name)
    rows = []
    for key, (text, source) in documented.items():
        if key.startswith("street_defaults."):
            field_ = key.split(".", 1)[1]
            values = [node_text(_node(street, field_), path=f"streets.*.{field_}")
                      for street in data["streets"].values()]
            value = (values[0] if values and all(v == values[0] for v in values)
                     else "varies by street")
        elif key == "street_defaults":
            value = ""
        else:
            value = node_text(_node(data, key),
                              "working days" if key.endswith("_working_days") else "h", key)
        if len(value) > 160:
            value = value[:157] + "…"
        rows.append({"key path": key, "resolved value": value, "comment / source": text,
                     "file": source})
    return pd.DataFrame(rows, columns=["key path", "resolved value", "comment / source", "file"])


def _file_mismatch(path: Path, scenario: Scenario, overrides: list[str]) -> str:
    """A warning if the file, with the ``--set`` overrides of the recorded command applied,
    no longer resolves to the scenario that was run (it was edited since)."""

    applied = f" with the command's --set {', '.join(overrides)}" if overrides else ""
    try:
        diffs = diff_scenarios(load_scenario(path, overrides), scenario)
    except ScenarioError:
        return f"{path.name}{applied} no longer validates; the values below are the run's."
    if not diffs:
        return ""
    paths = ", ".join(d.path for d in diffs[:5]) + (" …" if len(diffs) > 5 else "")
    return (f"{path.name}{applied} now resolves differently from the run in {len(diffs)} key "
            f"path(s) ({paths}): edited since the run. The values below are the run's; the "
            "comments are the file's.")


@dataclass
class _Documented:
    """One scenario in the data section: its file (``None``: not found), the files it extends,
    a warning if the file no longer resolves to the run, the headers of the files not shown
    yet (one list of segments per line) and the table of documented parameters."""

    name: str
    file: str | None = None
    extends: list[str] = field(default_factory=list)
    mismatch: str = ""
    headers: list[tuple[str, list[list[Segment]]]] = field(default_factory=list)
    parameters: Table | None = None


def data_section(study: Study, files: dict[str, Path]) -> Markup:

    shown_files: set[Path] = set()
    documented = []
    runs = study.runs if study.kind == "compare" else study.runs[:1]
    for r in runs:
        path = files.get(r.name) or (files.get(study.manifest.get("base", ""))
                                     if study.kind == "sweep" else None)
        if path is None:
            documented.append(_Documented(r.name))
            continue
        chain = comment_chain(path)
        new = [c for c in chain if c.path not in shown_files]
        mismatch = (_file_mismatch(path, r.scenario, recorded_overrides(r.manifest))
                    if study.kind != "sweep" else "")
        shown_files.update(c.path for c in chain)
        documented.append(_Documented(
            r.name, path.name, [c.path.name for c in chain[:-1]], mismatch,
            [(c.path.name, [tag_sources(line) for line in c.header.split("\n")])
             for c in new if c.header],
            table(parameter_rows(r.scenario, new if new else chain[-1:]),
                  highlighted=["comment / source"])))
    first = study.runs[0]
    everything = pd.DataFrame([{"key path": k, "value": value_text(k, v)}
                               for k, v in flatten(resolved_dict(first.scenario)).items()])
    return render("data.html.j2", scenarios=documented, first=first.name,
                  everything=table(everything))
