"""The report of a ``govsim ablate`` folder: where the effect of a reform comes from, part by
part (what each part changes, its effect off in turn and on alone, with CIs), the figure, the
runs and how they were made."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.report.captions import CaptionContext
from sim.report.html import link, table
from sim.report.page import PageSection, Titled, implementation_rows, render_page
from sim.report.results import difference_cell, figures_in, format_difference, label

DIRECTIONS = {"total": "total", "off": "off in turn", "on": "on alone"}


def _effects(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per part and direction, one column per metric: ``effect [low, high]``, with a
    ``*`` where the interval excludes 0."""
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for _, r in frame.iterrows():
        key = (str(r["label"]), DIRECTIONS.get(str(r["direction"]), str(r["direction"])))
        row = rows.setdefault(key, {"part": key[0], "effect": key[1]})
        values = [r["effect"], r["ci_low"], r["ci_high"]]
        finite = all(isinstance(v, int | float) and math.isfinite(v) for v in values)
        star = " *" if str(r.get("significant")) == "True" else ""
        row[label(str(r["metric"]))] = (
            difference_cell(format_difference(str(r["metric"]), *values, 1), star)
            if finite else "–")
    return pd.DataFrame(list(rows.values()))


def _parts(manifest: dict) -> pd.DataFrame:
    names = [manifest.get("baseline", ""), manifest.get("scenario", "")]
    rows = []
    for p in manifest.get("parts") or []:
        if not isinstance(p, dict):
            continue
        changes = "; ".join(f"{c.get('path')}: {c.get(names[0], '?')} → {c.get(names[1], '?')}"
                            for c in p.get("changes") or [] if isinstance(c, dict))
        rows.append({"part": str(p.get("label", p.get("part", ""))), "changes": changes,
                     "runs": ", ".join(f"{k}: {v}" for k, v in (p.get("runs") or {}).items())})
    return pd.DataFrame(rows, columns=["part", "changes", "runs"])


def ablation_report(folder: Path, manifest: dict, root: Path) -> str:
    """The HTML page of an ablate folder; links are relative to ``root``."""
    scenario, baseline = str(manifest.get("scenario", "")), str(manifest.get("baseline", ""))
    conf = manifest.get("confidence", 0.95)
    effects = manifest.get("effects") or {}
    tables = []
    if (folder / "ablation.csv").exists():
        frame = pd.read_csv(folder / "ablation.csv", dtype={"label": str, "part": str})
        tables.append(Titled(f"Paired effects with their {conf:.0%} CIs (* : the interval "
                             "excludes 0)", table(_effects(frame),
                                                  csv=link(folder / "ablation.csv", root))))
    # The run folders are recorded by path; the report links them inside this folder only.
    run_links = [x for x in (link(folder / Path(str(p)).name / "summary.csv", root)
                             for p in (manifest.get("folders") or {}).values()) if x]
    sections = [
        PageSection("objectives", "Objectives", [
            f"Where does the effect of {scenario} against {baseline} come from? The difference "
            "between the two scenarios is split into parts (one per mechanism of a reform, one "
            "per whole reform), and each part is switched off in turn and on alone, on common "
            f"random numbers ({manifest.get('replications', '?')} replication(s), seed "
            f"{manifest.get('seed', '?')}).",
            *[f"{k}: {v}" for k, v in effects.items() if isinstance(v, str)]]),
        PageSection("parts", "Parts and what they change",
                    tables=[Titled("Parts", table(_parts(manifest)))]),
        PageSection("results", "Results", tables=tables, figures=figures_in(
            folder, CaptionContext(name=scenario, confidence=f"{conf:.0%}",
                                   baseline=baseline), "ablate")),
        PageSection("implementation", "Implementation", [
            "Each run is a resumable run folder of its own (its summary is linked below), and "
            "per_replication.csv holds the per-replication metrics of every run."],
            tables=[Titled("Run", table(pd.DataFrame(implementation_rows(manifest),
                                                     columns=["item", "value"])))],
            links=[x for x in [link(folder / "per_replication.csv", root), *run_links] if x]),
    ]
    return render_page(f"Ablation of {scenario} against {baseline}", str(folder), sections)
