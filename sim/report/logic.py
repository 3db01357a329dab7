"""Section 3 of STRESS-DES: the model logic, i.e. the generated case flow and its tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from sim.report.flow import Paragraph, case_flow_paragraphs, case_routes
from sim.report.folders import Study
from sim.report.html import Markup, Table, render, table
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


@dataclass
class _Described:
    """One scenario in the logic section: the paragraphs and tables shown for it (for a later
    scenario of a comparison, only those that differ from the first's; ``None``: the same)."""

    name: str
    paragraphs: list[Paragraph]
    case_types: Table | None
    departments: Table | None


def logic_section(study: Study) -> Markup:
    runs = study.runs if study.kind == "compare" else study.runs[:1]
    first_paras: list[Paragraph] = []
    first_tables: tuple = ()
    described = []
    for i, r in enumerate(runs):
        paras = case_flow_paragraphs(r.scenario)
        tables = (_case_type_table(r.scenario), _department_table(r.scenario))
        if i == 0:
            first_paras, first_tables = paras, tables
        else:
            # Later scenarios: only what reads differently from the first.
            paras = [p for p in paras if p not in first_paras]
        described.append(_Described(
            r.name, paras,
            table(tables[0]) if i == 0 or not tables[0].equals(first_tables[0]) else None,
            table(tables[1]) if i == 0 or not tables[1].equals(first_tables[1]) else None))
    return render("logic.html.j2", scenarios=described, sweep=study.kind == "sweep")
