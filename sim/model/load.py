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
    verified = (scenario.quality.verified_factor
                if wh.enabled and wh.verification.enabled else 1.0)
    work: dict[str, float] = {}

    def add(pool: PoolPlan, hours: float) -> None:
        work[pool.name] = work.get(pool.name, 0.0) + hours

    def travel(pool: PoolPlan, street: str, department: str = "") -> float:
        """Mean travel to a case of ``street``: from headquarters for central staff and for a
        team covering a street that is not its own, else from the street's office."""
        if pool.kind == "central" or (department and pool.street != street):
            return scenario.departments[department or pool.department].travel_time.mean
        return scenario.streets[street].travel_time.mean

    coverage = {name: (sk.grid_coverage if sk.enabled and sk.grid_coverage is not None
                       else st.patrol.coverage) for name, st in scenario.streets.items()}
    for s, (s_name, st) in enumerate(scenario.streets.items()):
        sp = plan.streets[s_name]
        if sp.dispatch is not None:
            add(sp.dispatch, 0.0)
        for k, ct in enumerate(scenario.case_types.values()):
            lam = ct.rate * st.grids / 24.0
            # Only problems that are found reach triage: patrolled grids, or a citizen's call.
            lam *= 1.0 - (1.0 - coverage[s_name]) * (1.0 - ct.citizen_call_share)
            lam *= 1.0 - ct.on_spot_share * coverage[s_name] * (1 - ct.citizen_call_share / 2)
            if lam <= 0:
                continue
            route = routing.route(k, s)
            failure = ct.quality_failure * scenario.quality.factor(route) * verified
            lam *= 1.0 / max(1e-9, 1.0 - min(failure, 1.0))   # rounds per case
            if sp.dispatch is not None:
                add(sp.dispatch, lam * scenario.triage.time.mean)
            means = [ct.work_for(d).mean for d in ct.departments]
            if route == STREET:
                hours = ct.street_work.mean if ct.street_work else sum(means)
                add(sp.staff, lam * (hours + travel(sp.staff, s_name)))
            elif route == TEAM:
                server = list(scenario.departments)[routing.server[k]]
                unit = plan.departments[server].home_unit(s)
                add(unit, lam * (means[0] + travel(unit, s_name)))
            else:
                others = list(enumerate(ct.departments))
                if route == CENTRE:
                    held = [m for d, m in zip(ct.departments, means, strict=True)
                            if d in sp.centre_departments]
                    joint = sum(held) if sk.centre_work == "sum" else max(held)
                    add(sp.centre, lam * (joint + travel(sp.centre, s_name)))
                    others = [(j, d) for j, d in others if d not in sp.centre_departments]
                # Joint handling with ``sum``: every team stays for every part; with ``max``
                # each leaves when its own part is done.
                together = (route == WHISTLE or routing.whistled[k]) and len(others) > 1
                for j, d in others:
                    unit = plan.departments[d].home_unit(s)
                    hours = (sum(means[x] for x, _ in others)
                             if together and wh.joint_work == "sum" else means[j])
                    add(unit, lam * (hours + travel(unit, s_name, d)))
    out = []
    for pool in plan.pools:
        if pool.off_hours:
            continue   # on-call people are the central pool's: the estimate counts them there
        cal = calendars[pool.calendar]
        open_share = cal.hours_per_week / 168.0
        w = work.get(pool.name, 0.0)
        if pool.unlimited:
            load = 0.0
        elif pool.headcount == 0:
            load = float("inf") if w > 0 else 0.0
        else:
            load = w / open_share / pool.headcount
        out.append(PoolLoad(pool.name, pool.kind, pool.headcount, w, open_share, load))
    return out
