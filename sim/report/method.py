"""Sections 5 and 6 of STRESS-DES: experimentation (replications, run length, seeds) and
implementation (software, commit, command, timings), from the manifests."""

from __future__ import annotations

import pandas as pd

from sim.report.folders import Study
from sim.report.html import Markup, render, table
from sim.scenario.diff import show
from sim.scenario.units import format_duration


def experimentation_section(study: Study) -> Markup:
    m = study.manifest
    first = study.runs[0]
    sim_ = first.scenario.simulation
    reps = m.get("replications", first.manifest.get("replications"))
    conf = m.get("confidence", first.manifest.get("confidence", 0.95))
    rows = [
        ("replications", reps),
        ("root seed", m.get("seed", first.manifest.get("seed"))),
        ("random streams", first.manifest.get("stream_seeds", "")),
        ("common random numbers", "yes: every scenario uses the same seed and replication "
         "indices, so replication r of each sees the same cases"
         if study.kind != "run" else "n/a (one scenario)"),
        ("run length (horizon)", f"{format_duration(sim_.horizon)}: cases occur until then"),
        ("warm-up", f"{format_duration(sim_.warmup)}: cases reported earlier are left out"),
        ("drain limit", f"{format_duration(sim_.drain_limit)} after the horizon"),
        ("confidence level", f"{conf:.0%} (Student t across replications)"),
        ("backend / workers", f"{m.get('backend', first.manifest.get('backend'))} / "
                              f"{m.get('workers', first.manifest.get('workers')) or 'default'}"),
    ]
    if m.get("precision"):
        rows.append(("precision target", show(m["precision"])))
    lengths = {(r.scenario.simulation.horizon, r.scenario.simulation.warmup) for r in study.runs}
    return render("experimentation.html.j2",
                  items=table(pd.DataFrame(rows, columns=["item", "value"])),
                  lengths_differ=len(lengths) > 1)


def implementation_section(study: Study) -> Markup:
    m = study.manifest
    first = study.runs[0].manifest
    versions = m.get("versions") or first.get("versions") or {}
    command = m.get("command") or first.get("command") or []
    timings = m.get("timings") or first.get("timings") or {}
    rows = [("software", "govsim (Python, SimPy); this report by `govsim report`"),
            ("git commit", m.get("git_commit") or first.get("git_commit") or "unknown"),
            ("command", " ".join(str(c) for c in command)),
            ("wall time", f"{timings.get('wall_s', float('nan')):.1f} s"
             if isinstance(timings.get("wall_s"), (int, float)) else "–")]
    rows += [(f"version: {k}", v) for k, v in versions.items()]
    return render("implementation.html.j2",
                  items=table(pd.DataFrame(rows, columns=["item", "value"])))
