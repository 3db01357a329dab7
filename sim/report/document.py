"""The whole report: the seven sections in one self-contained HTML page, written to a file."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sim.report.data import data_section
from sim.report.folders import Study, read_study
from sim.report.html import CSS, esc
from sim.report.logic import logic_section
from sim.report.method import experimentation_section, implementation_section
from sim.report.overview import objectives_section, scenarios_section
from sim.report.results import results_section
from sim.report.scenario_files import find_scenario_files

STRESS_DES = ("Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE (2019). "
              "Strengthening the reporting of empirical simulation studies: Introducing the "
              "STRESS guidelines. Journal of Simulation 13(1): 55-67 (online 2018).")


def render_report(study: Study, files: dict[str, Path]) -> str:
    """The HTML page of a study; ``files`` maps scenario names to their YAML files (for the
    comments of the data section, see ``find_scenario_files``)."""
    title = {"run": f"Run: {study.runs[0].name}",
             "compare": "Comparison: " + " vs ".join(r.name for r in study.runs),
             "sweep": f"Sweep of {study.manifest.get('base', '')}"}[study.kind]
    sections = [objectives_section(study), scenarios_section(study), logic_section(study),
                data_section(study, files), experimentation_section(study),
                implementation_section(study), results_section(study)]
    nav = ("<nav><ol>" + "".join(
        f'<li><a href="#{a}">{t}</a></li>' for a, t in
        [("objectives", "Objectives"), ("scenarios", "Scenarios and how they differ"),
         ("logic", "Model logic"), ("data", "Data and assumptions"),
         ("experimentation", "Experimentation"), ("implementation", "Implementation"),
         ("results", "Results")]) + "</ol></nav>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>govsim report: {esc(title)}</title><style>{CSS}</style></head>
<body><h1>govsim report: {esc(title)}</h1>
<p class=muted>Result folder <code>{esc(study.folder)}</code>. Structured after the STRESS-DES
guideline: {esc(STRESS_DES)}</p>
{nav}
{''.join(sections)}
</body></html>
"""


def build_report(folder: str | Path, out: str | Path | None = None,
                 scenario_files: Iterable[str | Path] = ()) -> Path:
    """Write the HTML report of a result folder; return its path (default
    ``folder/report.html``)."""
    study = read_study(folder)
    files = find_scenario_files(study, scenario_files)
    text = render_report(study, files)
    path = Path(out) if out else Path(folder) / "report.html"
    path.write_text(text, encoding="utf-8")
    return path
