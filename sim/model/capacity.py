"""Capacity that adds up: the staff-hours of every unit per week, where they went.

Every person belongs to one roster: a department's (at headquarters or stationed at a street,
perhaps in an integrated centre), a street's, or a street's dispatch centre. A reform moves
people and hours between rows of this table; it never creates them, unless the scenario adds
headcount. Columns, per week of the observation window (after the warm-up, up to the horizon):

``roster_h``
    people x their calendar's open hours: the hours the roster holds;
``duties_h``
    street staff's hours on duties other than cases (``streets.*.duties_share``);
``on_call_h``
    hours worked on call out of office hours (by central people: no extra roster);
``rest_h``
    office hours given back as rest for those night hours (so they cost the roster);
``overtime_h``
    hours worked past closing time (allowed by the calendar's ``overtime``);
``busy_h``
    hours at work on cases (travel included), overtime and on-call hours included.
"""

from __future__ import annotations

import pandas as pd

from sim.model.calendar import WorkingCalendar
from sim.model.staffing import staffing_plan
from sim.scenario.schema import UNLIMITED, Scenario

HOURS = ["roster_h", "duties_h", "on_call_h", "rest_h", "overtime_h", "busy_h"]


def _share_rows(scenario: Scenario) -> dict[str, list[tuple[str, str, str, int, float]]]:
    """Each pool of the plan -> the roster rows it stands for: (department, street, unit,
    people, share of the pool's hours). An integrated centre splits into its members' teams."""
    plan = staffing_plan(scenario)
    rows: dict[str, list] = {}
    for name, dp in plan.departments.items():
        rows[dp.central.name] = [(name, "", "central", dp.central.headcount, 1.0)]
        if dp.on_call is not None:
            rows[dp.on_call.name] = [(name, "", "on_call", 0, 1.0)]
    for street, sp in plan.streets.items():
        if sp.dispatch is not None:
            rows[sp.dispatch.name] = [("", street, "dispatch", sp.dispatch.headcount, 1.0)]
        rows[sp.staff.name] = [("", street, "street", sp.roster, 1.0)]
        for name, dp in plan.departments.items():
            people = dp.stationed[sp.index]
            if people and name not in sp.centre_departments:
                rows[dp.teams[sp.index].name] = [(name, street, "stationed", people, 1.0)]
        if sp.centre is not None:
            total = sp.centre.headcount
            rows[sp.centre.name] = [
                (d, street, "centre", plan.departments[d].stationed[sp.index],
                 plan.departments[d].stationed[sp.index] / total)
                for d in plan.departments if d in sp.centre_departments]
    return rows


def capacity_table(scenario: Scenario, pools: pd.DataFrame) -> pd.DataFrame:
    """Staff-hours per week by department, street and unit, per replication, from a
    replication's pool table (``sim.model.replication.pool_table``)."""
    weeks = (scenario.simulation.horizon - scenario.simulation.warmup) / 168.0
    calendars = {n: WorkingCalendar.from_config(c) for n, c in scenario.calendars.items()}
    plan = staffing_plan(scenario)
    week_of = {}   # roster hours per person per week, by department / street
    for name, dept in scenario.departments.items():
        week_of[(name, "")] = calendars[dept.calendar].hours_per_week
    for name, street in scenario.streets.items():
        week_of[("", name)] = calendars[street.calendar].hours_per_week
    shares = _share_rows(scenario)
    out = []
    for pool in pools.itertuples(index=False):
        for department, street, unit, people, share in shares.get(pool.pool, []):
            if people >= UNLIMITED:   # unlimited staff: no roster to account for
                continue
            if unit == "dispatch":
                per_person = 168.0
            elif department:
                per_person = week_of[(department, "")]
            else:
                per_person = week_of[("", street)]
            duties = 0.0
            if unit == "street":
                duties = (people - plan.streets[street].staff.headcount) * per_person
            busy = pool.busy_hours * share / weeks
            out.append({
                "scenario": pool.scenario, "replication": pool.replication,
                "department": department, "street": street, "unit": unit, "people": people,
                "roster_h": people * per_person, "duties_h": duties,
                "on_call_h": busy if unit == "on_call" else 0.0,
                "rest_h": getattr(pool, "rest_hours", 0.0) * share / weeks,
                "overtime_h": getattr(pool, "overtime_hours", 0.0) * share / weeks,
                "busy_h": busy})
    return pd.DataFrame(out, columns=["scenario", "replication", "department", "street", "unit",
                                      "people", *HOURS])


def capacity_summary(capacity: pd.DataFrame) -> pd.DataFrame:
    """Mean over replications of every row, then a total per department (street ``ALL``) and
    for all the streets' own staff (department ``streets``)."""
    keys = ["scenario", "department", "street", "unit"]
    mean = capacity.groupby(keys, sort=False, dropna=False)[["people", *HOURS]].mean()
    mean = mean.reset_index()
    depts = mean[mean["department"] != ""].groupby(["scenario", "department"], sort=False)[
        ["people", *HOURS]].sum().reset_index()
    depts["street"], depts["unit"] = "ALL", "total"
    streets = mean[mean["unit"] == "street"].groupby("scenario", sort=False)[
        ["people", *HOURS]].sum().reset_index()
    streets["department"], streets["street"], streets["unit"] = "streets", "ALL", "total"
    return pd.concat([mean, depts, streets], ignore_index=True)[
        ["scenario", "department", "street", "unit", "people", *HOURS]]
