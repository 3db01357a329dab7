"""The case flow in words, generated from a scenario (section 3, model logic).

Written from the scenario's values rather than by hand, so the description cannot drift from
what was simulated: ``case_routes`` reads the model's own routing rule and staffing plan, and
``case_flow_paragraphs`` walks a case's life from occurrence to closing.
"""

from __future__ import annotations

from typing import NamedTuple

from sim.model.routing import CENTRE, REFER, STREET, TEAM, WHISTLE, RoutingRule
from sim.model.staffing import staffing_plan
from sim.report.text import (
    UNLIMITED_OVERTIME_H,
    describe_distribution,
    percent,
    span,
    staff_text,
)
from sim.scenario.schema import Scenario
from sim.scenario.units import format_duration


def described_routes(s: Scenario) -> dict[str, dict[str, str]]:
    """The route of each case type at first triage, per street: the model's routing rule read
    on the model's staffing plan (``street``, ``team``, ``centre``, ``refer`` or ``whistle``)."""
    plan = staffing_plan(s)
    rule = RoutingRule(s, plan)
    return {name: {street: rule.route(k, i) for i, street in enumerate(s.streets)}
            for k, name in enumerate(s.case_types)}


def _route_words(route: str, s: Scenario, type_name: str) -> str:
    wh = s.reform.whistle
    departments = s.case_types[type_name].departments
    if route == STREET:
        if not departments:
            return "street staff (no department needed)"
        return "street staff (on its power list)"
    if route == TEAM:
        server = s.reform.sinking.power_servers(s.case_types)[type_name]
        return (f"people of {server} on the street's order (a power that came with sinking: "
                "its team at the street, else its central staff)")
    if route == CENTRE:
        return "integrated enforcement centre (one visit)"
    if route == WHISTLE:
        return "whistle: " + " + ".join(departments) + " summoned at once"
    text = "referral: " + " → ".join(departments)
    if wh.enabled and wh.trigger.after_wait is not None:
        text += f" (whistled after {format_duration(wh.trigger.after_wait)})"
    return text


def case_routes(s: Scenario) -> dict[str, str]:
    """How each case type is routed at first triage (in words), from ``described_routes``:
    one route for every street, or each route with the streets that take it."""
    out = {}
    for name, by_street in described_routes(s).items():
        groups: dict[str, list[str]] = {}
        for street, route in by_street.items():
            groups.setdefault(route, []).append(street)
        if len(groups) == 1:
            out[name] = _route_words(next(iter(groups)), s, name)
            continue
        parts = []
        for route, streets in sorted(groups.items(), key=lambda g: -len(g[1])):
            where = (", ".join(streets) if len(streets) <= 4
                     else f"{len(streets)} of {len(by_street)} streets")
            parts.append(f"{_route_words(route, s, name)} in {where}")
        out[name] = "; ".join(parts)
    return out


class Paragraph(NamedTuple):
    """A paragraph of the case flow: its title (``Triage``) and its text, both plain text."""

    title: str
    text: str


def case_flow_paragraphs(s: Scenario) -> list[Paragraph]:
    """The logic of the model for this scenario, in plain sentences generated from its values
    (plain text, never markup: the report's template escapes and lays it out)."""
    streets = list(s.streets.values())
    grids = sum(st.grids for st in streets)
    per_day = sum(ct.rate for ct in s.case_types.values()) * grids
    wh, sk = s.reform.whistle, s.reform.sinking
    paras = []
    profile = "a flat hour-of-day profile" if len(set(s.district.hour_profile)) == 1 else \
        "an hour-of-day profile (peak/trough ratio " \
        f"{max(s.district.hour_profile) / max(min(s.district.hour_profile), 1e-9):.1f})"
    paras.append(Paragraph(
        "Occurrence", f"The district has {len(streets)} street(s) with {grids} grids in "
        f"all, {len(s.departments)} department(s) and {len(s.case_types)} case type(s). Problems "
        f"of each type occur in each street as a Poisson process at the type's rate per grid per "
        f"day (about {per_day:.0f} a day in the district), following {profile}; grids differ "
        f"in how many problems they see (gamma weights, cv {s.district.grid_heterogeneity_cv:g})."))
    cover = span([st.patrol.coverage for st in streets], percent)
    if sk.enabled and sk.grid_coverage is not None:
        cover = f"{percent(sk.grid_coverage)} (raised by the sinking reform)"
    delays = span([st.patrol.mean_delay for st in streets], format_duration)
    calls = span([ct.citizen_call_share for ct in s.case_types.values()], percent)
    paras.append(Paragraph(
        "Discovery", f"A grid worker's patrol finds a problem in a covered grid after an "
        f"exponential delay (mean {delays}); patrol coverage is {cover} of grids. A citizen "
        f"calls the hotline for {calls} of problems (share by type), after the type's call "
        f"delay. Whichever comes first reports the case to the street platform after the "
        f"report delay ({span([describe_distribution(st.report_delay) for st in streets])}). "
        + ("Some minor problems found on patrol are fixed on the spot by the grid worker ("
           + ", ".join(f"{n} {percent(ct.on_spot_share)}" for n, ct in s.case_types.items()
                       if ct.on_spot_share > 0) + ")."
           if any(ct.on_spot_share > 0 for ct in s.case_types.values()) else "")))
    disp = span([st.dispatchers for st in streets], staff_text)
    paras.append(Paragraph(
        "Triage", f"The street's dispatch centre ({disp} dispatcher(s) per street) triages "
        f"each case ({describe_distribution(s.triage.time)} each) and routes it by its type: "
        "see the table of case types below."))
    if any(route == REFER for by_street in described_routes(s).values()
           for route in by_street.values()):
        ref = s.referral
        paras.append(Paragraph(
            "Referral (before the reforms)", "A referred case goes to the departments it "
            "needs one after another. Each referral passes through paperwork of "
            f"{describe_distribution(ref.admin_delay_working_days, 'working days')} counted in "
            "the department's working days; the department may bounce it back as not its own "
            f"(returning after {describe_distribution(ref.bounce_return_working_days, 'working days')}"
            ") or it may first be misrouted to another department. "
            + ("Departments serve their queue first come, first served." if wh.enabled
               and wh.priority == "none" else "Referred cases queue behind the street's direct "
               "orders" + (" and whistled cases." if wh.enabled else "."))))
    if wh.enabled:
        trig = wh.trigger
        rules = []
        if trig.types == "all":
            rules.append("every case")
        elif trig.types:
            rules.append("types " + ", ".join(trig.types))
        if trig.min_departments is not None:
            rules.append(f"cases needing at least {trig.min_departments} departments")
        if trig.after_street_failure:
            rules.append("cases the street failed to solve itself")
        if trig.after_wait is not None:
            rules.append(f"referred cases still open after {format_duration(trig.after_wait)}")
        paras.append(Paragraph(
            "Whistle-and-report (街乡吹哨、部门报到)", "The street whistles for "
            + "; ".join(rules) + ". Every needed department is summoned at once (signal delay "
            f"{format_duration(wh.signal_delay)}); whistled cases take {wh.priority.replace('_', '-')} "
            f"priority in the departments' queues, with a report deadline of "
            f"{format_duration(wh.report_within)}; out of office hours departments "
            + ("answer the emergencies (the types whistled by type) with on-call staff ("
               + percent(wh.on_call_share) + " of their central staff, each hour worked at "
               "night given back as rest the next morning) and come to the rest when they open"
               if wh.after_hours == "on_call" else "come when they open")
            + ". Work starts when every summoned team is on site; "
            + ("the teams work side by side and each leaves when its part is done"
               if wh.joint_work == "max" else "the teams do every part together")
            + f"; a department with nobody free {format_duration(wh.joint_wait_limit)} after "
            f"the whistle is absent and whistled again on its own. Bouncing is multiplied by {wh.bounce_factor:g} under the "
            "street's assessment power. "
            + (f"The street verifies every result ({describe_distribution(wh.verification.time)}); "
               "an unsolved case goes back to triage (closed loop)."
               if wh.verification.enabled else "Results are not verified by the street.")))
    if sk.enabled:
        frac = (", ".join(f"{d} {percent(f)}" for d, f in sk.fraction.items())
                if isinstance(sk.fraction, dict) else percent(sk.fraction))
        paras.append(Paragraph(
            "Resource sinking (资源下沉)",
            f"A fraction of each department's staff ({frac}) is stationed at streets, "
            + (f"allocated {sk.allocation}ly to their expected demand"
               if sk.allocation == "proportional" else "equally per street")
            + "; a case finding its stationed team busy "
            + ("goes to the central pool" if sk.overflow == "central" else "waits for the team")
            + ". "
            + ("Streets gain powers over " + ", ".join(
                f"{t} (served by {'street staff' if who == 'street' else who + ' people'})"
                for t, who in sk.power_servers(s.case_types).items()) + ". "
               if sk.powers else "")
            + ("Stationed teams pool into an integrated enforcement centre that handles, in one "
               "visit, the parts of a case needing two or more of its members "
               f"({sk.centre_work} of their work contents); the other departments follow. "
               if sk.integrated_centre else "")))
    overtime = {}
    for name, cal in s.calendars.items():
        if name == "always":
            continue
        ot = cal.overtime
        overtime[name] = ("unlimited" if ot >= UNLIMITED_OVERTIME_H else "none" if ot == 0
                          else f"up to {format_duration(ot)}")
    paras.append(Paragraph(
        "Working hours", "Nobody starts a job while their calendar is closed; work in hand at "
        "closing goes on for the calendar's overtime ("
        + ", ".join(f"{n}: {o}" for n, o in overtime.items())
        + ") and what is left resumes at the next opening. Every person is on one roster "
        "(capacity.csv shows the staff-hours per week, on call, rest, overtime and busy)."))
    quality = {n: ct.quality_failure for n, ct in s.case_types.items() if ct.quality_failure}
    closed = wh.enabled and wh.verification.enabled
    paras.append(Paragraph(
        "Closing",
        ("With the closed loop, a case is closed after the street's verification; one found "
         "unsolved is triaged again at once. " if closed else
         "Without a closed loop a case is closed on the handler's word; one closed unsolved "
         f"comes back when the citizen calls again "
         f"({describe_distribution(s.reopen.citizen_recall)} later). ")
        + ("Handling fails to solve the problem with probability "
           + ", ".join(f"{n} {percent(q)}" for n, q in quality.items()) + ". " if quality else
           "Handling always solves the problem. ")
        + (("Route quality factors multiply these chances: " + ", ".join(
            f"{r} x{f:g}" for r, f in s.quality.failure_factor.items()) + ". ")
           if s.quality.failure_factor else "")
        + f"A case is reopened at most {s.reopen.max_reopens} times."))
    paras.append(Paragraph(
        "Outputs",
        "Response time is t_resolved − t_report, from the report on the street platform to the "
        "moment the problem is really solved (after any reopenings). "
        f"Cases occur until the horizon ({format_duration(s.simulation.horizon)}); the run then "
        f"drains for up to {format_duration(s.simulation.drain_limit)}, and a case still open "
        f"is censored (kept, counted as infinitely long in quantiles). Cases reported in the "
        f"warm-up ({format_duration(s.simulation.warmup)}) are left out of the statistics."))
    return paras
