"""The routing rule: which way a street sends a case, decided at triage.

A route depends on the case's type, its street, and whether the street's own attempt at it
failed verification, and on nothing that happens during the run, so the rule is a table worked
out once from the scenario and the staffing plan. The model follows it, ``govsim check``
estimates the offered loads from it and the report describes it.

Routes:

``street``
    the street's own staff handle the case (a type on its power list);
``team``
    a power that came with resource sinking, handled by the stationed team (or integrated
    centre) of the type's department at that street;
``centre``
    the street's integrated enforcement centre handles a multi-department case in one visit
    (every department the case needs is a member of the centre);
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
            if (name in street.sunk_powers and len(needs) == 1
                    and street.index in plan.departments[needs[0]].teams):
                return TEAM   # the power came with the people: their team handles it
            return STREET
        if len(needs) > 1 and street.centre is not None and all(
                d in street.centre_departments for d in needs):
            return CENTRE
        return WHISTLE if whistled else REFER

    def route(self, case_type: int, street: int, failed_by_street: bool = False) -> str:
        """The route of a case of ``case_type`` at ``street`` (after a failed street attempt)."""
        table = self._after_failure if failed_by_street else self._first
        return table[case_type][street]

    def escalation_due(self, t_report: float) -> float:
        """When a referred case reported at ``t_report`` escalates to a whistle (inf: never)."""
        if self.after_wait is not None:
            return t_report + self.after_wait
        return float("inf")

    def escalates(self, waited: float) -> bool:
        """Whistle for a referred case that has waited ``after_wait`` since its report."""
        return self.after_wait is not None and waited >= self.after_wait
