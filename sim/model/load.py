"""Offered load of every staff pool, from the scenario alone (no simulation).

The offered load of a pool is the work that arrives per hour of its open time divided by its
staff. A queue whose load is at or above 1 never settles; ``govsim check`` warns from 0.95.
The pools are the staffing plan's and each case type's route the routing rule's first-round
decision, exactly as the model builds and routes them; reopenings add 1/(1-q) rounds; a case
goes to its department's home unit at the street (the stationed team where there is one;
overflow to the central pool is ignored), so the figures are a planning estimate, not a result.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.calendar import WorkingCalendar
from sim.model.routing import CENTRE, STREET, TEAM, WHISTLE, RoutingRule
from sim.model.staffing import PoolPlan, staffing_plan
from sim.scenario.schema import Scenario


@dataclass
class PoolLoad:
    pool: str
    kind: str
    staff: int
    work_per_hour: float     # staff-hours of work arriving per calendar hour
    open_share: float        # share of the week the pool is open
    load: float              # work per open hour / staff (inf when nobody serves it)


def offered_loads(scenario: Scenario) -> list[PoolLoad]:
    """The offered load of every pool of the staffing plan (on-call pools take none: the
    estimate sends every case to the office)."""
    plan = staffing_plan(scenario)
    routing = RoutingRule(scenario, plan)
    sk, wh = scenario.reform.sinking, scenario.reform.whistle
    calendars = {n: WorkingCalendar.from_config(c) for n, c in scenario.calendars.items()}
    work: dict[str, float] = {}
    used: dict[str, PoolPlan] = {}

    def add(pool: PoolPlan, hours: float) -> None:
        used.setdefault(pool.name, pool)
        work[pool.name] = work.get(pool.name, 0.0) + hours

    def travel(pool: PoolPlan, street: str, department: str = "") -> float:
        """Mean travel to a case of ``street``: from headquarters for central staff and for a
        team covering a street that is not its own, else from the street's office."""
        if pool.kind == "central" or (department and pool.street != street):
            return scenario.departments[department or pool.department].travel_time.mean
        return scenario.streets[street].travel_time.mean

    for s, (s_name, st) in enumerate(scenario.streets.items()):
        sp = plan.streets[s_name]
        if sp.dispatch is not None:
            add(sp.dispatch, 0.0)
        for k, ct in enumerate(scenario.case_types.values()):
            lam = ct.rate * st.grids / 24.0
            lam *= 1.0 - ct.on_spot_share * st.patrol.coverage * (1 - ct.citizen_call_share / 2)
            if lam <= 0:
                continue
            lam *= 1.0 / max(1e-9, 1.0 - ct.quality_failure)   # rounds per case
            if sp.dispatch is not None:
                add(sp.dispatch, lam * scenario.triage.time.mean)
            means = [ct.work_for(d).mean for d in ct.departments]
            route = routing.route(k, s)
            if route == STREET:
                hours = ct.street_work.mean if ct.street_work else sum(means)
                add(sp.staff, lam * (hours + travel(sp.staff, s_name)))
            elif route == TEAM:
                unit = plan.departments[ct.departments[0]].home_unit(s)
                add(unit, lam * (means[0] + travel(unit, s_name)))
            elif route == CENTRE:
                joint = sum(means) if sk.centre_work == "sum" else max(means)
                add(sp.centre, lam * (joint + travel(sp.centre, s_name)))
            else:
                joint = max(means) if wh.joint_work == "max" else sum(means)
                for j, d in enumerate(ct.departments):
                    unit = plan.departments[d].home_unit(s)
                    hours = joint if route == WHISTLE and len(means) > 1 else means[j]
                    add(unit, lam * (hours + travel(unit, s_name, d)))
    out = []
    for pool in plan.pools:
        if pool.name not in used:
            continue
        cal = calendars[pool.calendar]
        open_share = cal.hours_per_week / 168.0
        w = work[pool.name]
        if pool.unlimited:
            load = 0.0
        elif pool.headcount == 0:
            load = float("inf") if w > 0 else 0.0
        else:
            load = w / open_share / pool.headcount
        out.append(PoolLoad(pool.name, pool.kind, pool.headcount, w, open_share, load))
    return out
