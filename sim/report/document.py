"""The whole report: the seven sections in one self-contained HTML page, written to a file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from sim.report.ablation_page import ablation_report
from sim.report.city_page import city_report, is_city_manifest
from sim.report.data import data_section
from sim.report.design import DESIGN_KINDS, design_report
from sim.report.folders import NotAResultFolder, Study, read_study
from sim.report.html import render
from sim.report.logic import logic_section
from sim.report.method import experimentation_section, implementation_section
from sim.report.overview import objectives_section, scenarios_section
from sim.report.results import key_results_section, results_section
from sim.report.scenario_files import find_scenario_files

FOLDER_KINDS = ("run", "compare", "sweep", "city", "ablate", *DESIGN_KINDS)
"""The folders govsim writes and this report reads (a city folder's manifest has no kind)."""

STRESS_DES = ("Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE (2019). "
              "Strengthening the reporting of empirical simulation studies: Introducing the "
              "STRESS guidelines. Journal of Simulation 13(1): 55-67 (online 2018).")


def render_report(study: Study, files: dict[str, Path], root: Path | None = None) -> str:
    """The HTML page of a study; ``files`` maps scenario names to their YAML files (for the
    comments of the data section, see ``find_scenario_files``); ``root`` is the folder the
    page is written to (its links to the CSV files are relative to it; default the study's
    folder)."""
    root = root or study.folder
    title = {"run": f"Run: {study.runs[0].name}",
             "compare": "Comparison: " + " vs ".join(r.name for r in study.runs),
             "sweep": f"Sweep of {study.manifest.get('base', '')}"}[study.kind]
    sections = [objectives_section(study, files), scenarios_section(study), logic_section(study),
                data_section(study, files), experimentation_section(study),
                implementation_section(study), results_section(study, root)]
    return str(render("report.html.j2", title=title, folder=str(study.folder),
                      reference=STRESS_DES, key_results=key_results_section(study, root),
                      sections=sections))


def build_report(folder: str | Path, out: str | Path | None = None,
                 scenario_files: Iterable[str | Path] = ()) -> Path:
    """Write the HTML report of a result folder; return its path (default
    ``folder/report.html``)."""
    manifest_path = Path(folder) / "manifest.json"
    try:   # a damaged manifest is read_study's to report, in one line
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    except (OSError, ValueError):
        manifest = {}
    path = Path(out) if out else Path(folder) / "report.html"
    root = path.resolve().parent
    kind = manifest.get("kind") if isinstance(manifest, dict) else None
    if kind is not None and kind not in FOLDER_KINDS:
        raise NotAResultFolder(
            f"{manifest_path}: kind: {str(kind)[:40]!r} is not a folder govsim report reads "
            f"({', '.join(FOLDER_KINDS)})")
    if kind in DESIGN_KINDS:
        text = design_report(Path(folder), manifest)
    elif kind == "ablate":
        text = ablation_report(Path(folder), manifest, root)
    elif isinstance(manifest, dict) and is_city_manifest(manifest):
        text = city_report(Path(folder), manifest, root)
    else:
        study = read_study(folder)
        files = find_scenario_files(study, scenario_files)
        text = render_report(study, files, root)
    path.write_text(text, encoding="utf-8")
    return path
