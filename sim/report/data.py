"""Section 4 of STRESS-DES: data and assumptions.

Every parameter a scenario file documents, with its resolved value and the file's comment (its
source, or ASSUMPTION), then every resolved value of the first scenario.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

from sim.diff import flatten, show
from sim.report.comments import YamlComments, comment_chain
from sim.report.folders import Study
from sim.report.html import esc, html_table, section
from sim.report.text import describe_distribution
from sim.scenario.schema import Scenario


def _tag(comment: str) -> str:
    text = esc(comment)
    text = re.sub(r"(\[D§\d+\]|\[[A-Z][^\]]{0,40}\])", r'<span class="src">\1</span>', text)
    return text.replace("ASSUMPTION", '<span class="assume">ASSUMPTION</span>')


def _node(data: Any, path: str) -> Any:
    """The value at a dotted key path of nested dicts (``None`` if absent)."""
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def node_text(node: Any, unit: str = "h") -> str:
    """A resolved value in words: a distribution described, a small mapping inline, a large
    one summarised."""
    if isinstance(node, dict) and "kind" in node:
        return describe_distribution({k: v for k, v in node.items() if v is not None}, unit)
    if isinstance(node, dict):
        leaves = flatten(node)
        if len(leaves) > 6:
            return f"({len(leaves)} values: see the logic tables and the full list below)"
        return "; ".join(f"{k}={show(v)}" for k, v in leaves.items())
    return show(node)


def parameter_rows(scenario: Scenario, chain: list[YamlComments]) -> pd.DataFrame:
    """Every documented key path: resolved value, comment and file (for the data section)."""
    from sim.scenario.loader import resolved_dict

    data = resolved_dict(scenario)
    documented: dict[str, tuple[str, str]] = {}
    for comments in chain:
        for key, text in comments.by_key.items():
            documented[key] = (text, comments.path.name)
    rows = []
    for key, (text, source) in documented.items():
        if key.startswith("street_defaults."):
            field_ = key.split(".", 1)[1]
            values = [node_text(_node(street, field_)) for street in data["streets"].values()]
            value = (values[0] if values and all(v == values[0] for v in values)
                     else "varies by street")
        elif key == "street_defaults":
            value = ""
        else:
            value = node_text(_node(data, key),
                              "working days" if key.endswith("_working_days") else "h")
        if len(value) > 160:
            value = value[:157] + "…"
        rows.append({"key path": key, "resolved value": value, "comment / source": text,
                     "file": source})
    return pd.DataFrame(rows, columns=["key path", "resolved value", "comment / source", "file"])


def _file_mismatch(path: Path, scenario: Scenario) -> str:
    """A warning if the file no longer resolves to the scenario that was run."""
    from sim.diff import diff_scenarios
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario

    try:
        diffs = diff_scenarios(load_scenario(path), scenario)
    except ScenarioError:
        return f"{path.name} no longer validates; the values below are the run's."
    if not diffs:
        return ""
    paths = ", ".join(d.path for d in diffs[:5]) + (" …" if len(diffs) > 5 else "")
    return (f"{path.name} now resolves differently from the run in {len(diffs)} key path(s) "
            f"({paths}): edited since, or changed by --set. The values below are the run's; "
            "the comments are the file's.")


def data_section(study: Study, files: dict[str, Path]) -> str:
    from sim.scenario.loader import resolved_dict

    parts = ["<p>Parameters documented in the scenario files, with the comment that documents "
             'each: <span class="src">[D§4]</span> marks a published fact (the facts listed in '
             'docs/model.md, with their sources), <span class="assume">ASSUMPTION</span> a value '
             "chosen by the modeller. Values are the resolved ones (durations in hours). A "
             "street's field documented under <code>street_defaults</code> applies to every "
             "street that does not set it.</p>"]
    shown_files: set[Path] = set()
    runs = study.runs if study.kind == "compare" else study.runs[:1]
    for r in runs:
        path = files.get(r.name) or (files.get(study.manifest.get("base", ""))
                                     if study.kind == "sweep" else None)
        if path is None:
            parts.append(f"<h3>{esc(r.name)}</h3><p class=muted>Scenario file not found (the "
                         "run may have been made from a Python dict); the resolved values are "
                         "listed without comments below.</p>")
            continue
        chain = comment_chain(path)
        new = [c for c in chain if c.path not in shown_files]
        mismatch = _file_mismatch(path, r.scenario) if study.kind != "sweep" else ""
        shown_files.update(c.path for c in chain)
        parts.append(f"<h3>{esc(r.name)} <span class=muted>({esc(path.name)}"
                     + (", extends " + ", ".join(esc(c.path.name) for c in chain[:-1])
                        if len(chain) > 1 else "") + ")</span></h3>")
        if mismatch:
            parts.append(f"<p class=assume>{esc(mismatch)}</p>")
        for c in new:
            if c.header:
                parts.append(f"<p class=muted><b>{esc(c.path.name)}:</b> "
                             + _tag(c.header).replace("\n", "<br>") + "</p>")
        rows = parameter_rows(r.scenario, new if new else chain[-1:])
        if len(rows):
            parts.append(html_table(rows, markup={"comment / source": _tag}))
    first = study.runs[0]
    flat = flatten(resolved_dict(first.scenario))
    full = pd.DataFrame([{"key path": k, "value": show(v)} for k, v in flat.items()])
    parts.append(f"<details><summary>Every resolved value of {esc(first.name)} "
                 f"({len(full)} key paths)</summary>{html_table(full)}</details>")
    return section("data", "4. Data and assumptions", "".join(parts))
