"""The routing rule: which way a street sends a case, decided at triage.

A route depends on the case's type, its street, and whether the street's own attempt at it
failed verification, and on nothing that happens during the run, so the rule is a table worked
out once from the scenario and the staffing plan. The model follows it, ``govsim check``
estimates the offered loads from it and the report describes it.

Routes:

``street``
    the street's own staff handle the case (a type on its power list);
``team``
    a power that came with resource sinking, handled by the people of the department the
    scenario names for it: its team at the street (or the integrated centre it belongs to),
    its central pool where the street has none;
``centre``
    the street's integrated enforcement centre handles, in one visit, the parts of a case that
    needs two or more of its member departments; the departments it does not hold follow as
    a referral or a whistle would bring them;
``refer``
    referral to each department one after another, through paperwork counted in working days,
    with bounces (推诿), misrouting and a low place in the queue; a department with a team at
    the street gets the case straight from the street instead;
``whistle``
    the street whistles and every needed department reports at once, with priority and a
    report deadline; work starts when all teams are on site (joint handling).
"""

from __future__ import annotations

from sim.model.staffing import StaffingPlan, StreetPlan
from sim.scenario.schema import Scenario

STREET, TEAM, CENTRE, REFER, WHISTLE = "street", "team", "centre", "refer", "whistle"
ROUTES = ("none", STREET, TEAM, CENTRE, REFER, WHISTLE)
"""Every route, in the order of their codes in the case records' ``route`` column (``none``: the
case never reached triage: fixed on the spot, never reported, or still queueing at the end)."""
ROUTE_CODE = {route: code for code, route in enumerate(ROUTES)}


class RoutingRule:
    """Decides the route of a case from its type, its street and its history.

    Types and streets are indices, in the scenario's order.
    """

    def __init__(self, scenario: Scenario, plan: StaffingPlan):
        departments = list(scenario.departments)
        servers = (scenario.reform.sinking.power_servers(scenario.case_types)
                   if scenario.reform.sinking.enabled else {})
        self.whistled = [self._whistled(name, len(ct.departments), scenario)
                         for name, ct in scenario.case_types.items()]
        """Per case type: are its departments whistled (rather than referred)?"""
        self.server = [departments.index(servers[t]) if servers.get(t, "street") != "street"
                       else None for t in scenario.case_types]
        """Per case type: the department whose people serve it on the ``team`` route."""
        whistle = scenario.reform.whistle
        self.after_wait = whistle.trigger.after_wait if whistle.enabled else None
        retry_whistled = whistle.enabled and whistle.trigger.after_street_failure
        self._first: list[list[str]] = []          # [case type][street]
        self._after_failure: list[list[str]] = []  # the same, after the street's attempt failed
        for name, ct in scenario.case_types.items():
            needs = tuple(ct.departments)
            whistled = self._whistled(name, len(needs), scenario)
            streets = plan.streets.values()
            self._first.append([self._route(name, needs, st, plan, whistled) for st in streets])
            # With ``after_street_failure`` a case the street failed to solve goes to the
            # departments, whistled; without it, the street tries again.
            self._after_failure.append(
                [self._route(name, needs, st, plan, True, powers=False) for st in streets]
                if retry_whistled else self._first[-1])

    @staticmethod
    def _whistled(name: str, n_departments: int, scenario: Scenario) -> bool:
        """Is a case of this type whistled (rather than referred) when it goes to departments?"""
        whistle = scenario.reform.whistle
        if not whistle.enabled:
            return False
        trigger = whistle.trigger
        return (trigger.types == "all" or name in trigger.types
                or (trigger.min_departments is not None
                    and n_departments >= trigger.min_departments))

    @staticmethod
    def _route(name: str, needs: tuple[str, ...], street: StreetPlan, plan: StaffingPlan,
               whistled: bool, powers: bool = True) -> str:
        if not needs:
            return STREET
        if powers and name in street.powers:
            if street.sunk_powers.get(name, "street") != "street":
                return TEAM   # the power came with a department's people: they handle it
            return STREET
        if street.centre is not None and sum(d in street.centre_departments
                                             for d in needs) >= 2:
            return CENTRE
        return WHISTLE if whistled else REFER

    def route(self, case_type: int, street: int, failed_by_street: bool = False) -> str:
        """The route of a case of ``case_type`` at ``street`` (after a failed street attempt)."""
        table = self._after_failure if failed_by_street else self._first
        return table[case_type][street]

    def escalation_due(self, t_report: float, office=None) -> float:
        """When a referred case reported at ``t_report`` escalates to a whistle (inf: never):
        once it has waited ``after_wait``, at the next moment the street's ``office`` calendar
        is open (a street whistles a stuck case in its working hours, not at 3 a.m.)."""
        if self.after_wait is None:
            return float("inf")
        due = t_report + self.after_wait
        return due if office is None else office.next_open(due)
