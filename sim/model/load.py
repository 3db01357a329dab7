"""Offered load of every staff pool, from the scenario alone (no simulation).

The offered load of a pool is the work that arrives per hour of its open time divided by its
staff. A queue whose load is at or above 1 never settles; ``govsim check`` warns from 0.95.
The routing is the triage policy's first-round decision; reopenings add 1/(1-q) rounds; a case
needing a department goes to its stationed team where the street has one (overflow ignored), so
the figures are a planning estimate, not a result.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.calendar import WorkingCalendar
from sim.model.policies import ROUTE_CENTRE, ROUTE_STREET, ROUTE_WHISTLE, TriagePolicy
from sim.model.sinking import stationed_staff
from sim.model.world import expected_department_work
from sim.scenario.schema import UNLIMITED, Scenario


@dataclass
class PoolLoad:
    pool: str
    kind: str
    staff: int
    work_per_hour: float     # staff-hours of work arriving per calendar hour
    open_share: float        # share of the week the pool is open
    load: float              # work per open hour / staff (inf when nobody serves it)


@dataclass
class _StreetView:
    index: int
    powers: frozenset
    centre: object
    centre_departments: frozenset


class _Centre:
    def __init__(self, capacity: int):
        self.capacity = capacity


def offered_loads(scenario: Scenario) -> list[PoolLoad]:
    sk, wh = scenario.reform.sinking, scenario.reform.whistle
    cals = {n: WorkingCalendar.from_config(c) for n, c in scenario.calendars.items()}
    depts = list(scenario.departments)
    types = list(scenario.case_types)
    demand = expected_department_work(scenario)
    streets = list(scenario.streets.items())
    teams: dict[tuple[str, int], int] = {}
    for name, cfg in scenario.departments.items():
        weights = demand[name] if sk.allocation == "proportional" else [1.0] * len(streets)
        for s, people in enumerate(stationed_staff(cfg.staff, sk.fraction_for(name), weights)):
            teams[(name, s)] = people
    work: dict[str, float] = {}
    staff: dict[str, tuple[str, int, WorkingCalendar]] = {}

    def add(pool: str, kind: str, people: int, cal: WorkingCalendar, hours: float) -> None:
        staff.setdefault(pool, (kind, people, cal))
        work[pool] = work.get(pool, 0.0) + hours

    policy = TriagePolicy(scenario, types, [])
    extra = sk.powers if sk.enabled else []
    for s, (s_name, st) in enumerate(streets):
        powers = frozenset(types.index(t) for t in (*st.powers, *extra))
        members = []
        if sk.enabled and sk.integrated_centre:
            members = [depts.index(d) for d in (sk.centre_departments or depts)
                       if teams[(d, s)] > 0]
        centre_staff = sum(teams[(depts[d], s)] for d in members)
        view = _StreetView(s, powers, _Centre(centre_staff) if members else None,
                           frozenset(members))
        travel_st = st.travel_time.mean
        if st.dispatchers < UNLIMITED:
            add(f"{s_name}/dispatch", "dispatch", st.dispatchers, cals["always"], 0.0)

        def unit(d: int, s=s, s_name=s_name, view=view, centre_staff=centre_staff,
                 travel_st=travel_st) -> tuple[str, str, int, WorkingCalendar, float]:
            name = depts[d]
            cfg = scenario.departments[name]
            cal = cals[cfg.calendar]
            if d in view.centre_departments:
                return f"centre/{s_name}", "centre", centre_staff, cal, travel_st
            if teams[(name, s)] > 0:
                return f"{name}/{s_name}", "stationed", teams[(name, s)], cal, travel_st
            central = cfg.staff if cfg.staff >= UNLIMITED else cfg.staff - sum(
                teams[(name, x)] for x in range(len(streets)))
            return f"{name}/central", "central", central, cal, cfg.travel_time.mean

        for k, ct in enumerate(scenario.case_types.values()):
            lam = ct.rate * st.grids / 24.0
            lam *= 1.0 - ct.on_spot_share * st.patrol.coverage * (1 - ct.citizen_call_share / 2)
            if lam <= 0:
                continue
            rounds = 1.0 / max(1e-9, 1.0 - ct.quality_failure)
            lam *= rounds
            if st.dispatchers < UNLIMITED:
                work[f"{s_name}/dispatch"] += lam * scenario.triage.time.mean
            d_idx = tuple(depts.index(d) for d in ct.departments)
            means = [ct.work_for(d).mean for d in ct.departments]
            route = policy.route(k, view, False, len(d_idx), d_idx)
            if route == ROUTE_STREET:
                # Only powers that came with sinking go to the stationed team (as in the model).
                if (len(d_idx) == 1 and teams[(depts[d_idx[0]], s)] > 0
                        and types[k] in extra and types[k] not in st.powers):
                    pool, kind, people, cal, travel = unit(d_idx[0])
                    add(pool, kind, people, cal, lam * (means[0] + travel))
                else:
                    hours = ct.street_work.mean if ct.street_work else sum(means)
                    add(f"{s_name}/staff", "street", st.staff, cals[st.calendar],
                        lam * (hours + travel_st))
            elif route == ROUTE_CENTRE:
                joint = sum(means) if sk.centre_work == "sum" else max(means)
                add(f"centre/{s_name}", "centre", centre_staff,
                    cals[scenario.departments[depts[d_idx[0]]].calendar],
                    lam * (joint + travel_st))
            else:
                joint = (max(means) if wh.joint_work == "max" else sum(means)) if means else 0
                for j, d in enumerate(d_idx):
                    pool, kind, people, cal, travel = unit(d)
                    hours = joint if route == ROUTE_WHISTLE and len(d_idx) > 1 else means[j]
                    add(pool, kind, people, cal, lam * (hours + travel))
    out = []
    for pool, (kind, people, cal) in staff.items():
        open_share = cal.hours_per_week / 168.0
        w = work[pool]
        if people >= UNLIMITED:
            load = 0.0
        elif people == 0:
            load = float("inf") if w > 0 else 0.0
        else:
            load = w / open_share / people
        out.append(PoolLoad(pool, kind, people, w, open_share, load))
    return out
