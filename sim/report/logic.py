"""Section 3 of STRESS-DES: the model logic, i.e. the generated case flow and its tables."""

from __future__ import annotations

import pandas as pd

from sim.report.flow import case_flow_paragraphs, case_routes
from sim.report.folders import Study
from sim.report.html import esc, html_table, section
from sim.report.text import describe_distribution, percent, staff_text
from sim.scenario.schema import Scenario
from sim.scenario.units import format_duration


def _case_type_table(s: Scenario) -> pd.DataFrame:
    routes = case_routes(s)
    rows = []
    for name, ct in s.case_types.items():
        work = ("; ".join(f"{d}: {describe_distribution(ct.work_for(d))}" for d in ct.departments)
                if ct.departments else describe_distribution(ct.street_work)
                if ct.street_work else "–")
        rows.append({"case type": f"{name} {ct.label}".strip(), "rate /grid/day": f"{ct.rate:g}",
                     "departments": ", ".join(ct.departments) or "–",
                     "deadline": format_duration(ct.deadline), "work": work,
                     "route at first triage": routes[name],
                     "bounce": percent(ct.bounce_prob),
                     "quality failure": percent(ct.quality_failure)})
    return pd.DataFrame(rows)


def _department_table(s: Scenario) -> pd.DataFrame:
    sk = s.reform.sinking
    rows = []
    for name, d in s.departments.items():
        cal = s.calendars[d.calendar]
        row = {"department": f"{name} {d.label}".strip(), "staff": staff_text(d.staff),
               "calendar": f"{d.calendar} ({', '.join(cal.days)} "
                           f"{format_duration(cal.open)}–{format_duration(cal.close)})",
               "travel from headquarters": describe_distribution(d.travel_time)}
        if sk.enabled:
            row["share stationed at streets"] = percent(sk.fraction_for(name))
        rows.append(row)
    return pd.DataFrame(rows)


def logic_section(study: Study) -> str:
    parts = ["<p>Generated from the resolved scenario, so it describes exactly what was "
             "simulated. Each case is a SimPy process: triage → route → handling by a staff "
             "pool (a person per case; queues wait for a free person, and a person starts only "
             "while the pool's calendar is open) → closing.</p>"]
    runs = study.runs if study.kind == "compare" else study.runs[:1]
    first_paras: list[str] = []
    first_tables: tuple = ()
    for i, r in enumerate(runs):
        paras = case_flow_paragraphs(r.scenario)
        tables = (_case_type_table(r.scenario), _department_table(r.scenario))
        if i == 0:
            first_paras, first_tables = paras, tables
            if len(runs) > 1:
                parts.append(f"<h3>{esc(r.name)}</h3>")
            parts += [f"<p>{p}</p>" for p in paras]
        else:
            # Later scenarios: only what reads differently from the first.
            parts.append(f"<h3>{esc(r.name)}: what differs from {esc(runs[0].name)}</h3>")
            changed = [p for p in paras if p not in first_paras]
            parts += [f"<p>{p}</p>" for p in changed] or ["<p>The same description.</p>"]
        if i == 0 or not tables[0].equals(first_tables[0]):
            parts.append("<h4>Case types</h4>" + html_table(tables[0]))
        if i == 0 or not tables[1].equals(first_tables[1]):
            parts.append("<h4>Departments</h4>" + html_table(tables[1]))
    if study.kind == "sweep":
        parts.append("<p class=muted>Described for the first sweep point; the others differ "
                     "only in the varied keys.</p>")
    return section("logic", "3. Model logic (case flow)", "".join(parts))
