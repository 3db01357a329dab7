"""The builder: a SimPy world made from a validated scenario, and its run.

``World(scenario, streams)`` creates the pools of the staffing plan (``sim.model.staffing``),
the departments and the streets that command them, and draws every case of the replication;
the routing rule (``sim.model.routing``) decides each case's way. ``World.run()`` plays the case
flow: cases are reported until the horizon, then the run drains until every case is resolved or
``drain_limit`` has passed.
"""

from __future__ import annotations

import numpy as np

from sim.model.calendar import OffHours, WorkingCalendar
from sim.model.case import GRID, CaseOutcomes, VisitLog
from sim.model.case_flow import CaseFlow
from sim.model.department import Department
from sim.model.engine import Environment
from sim.model.grid import generate_cases
from sim.model.pool import Pool
from sim.model.routing import RoutingRule
from sim.model.staffing import PoolPlan, StaffingPlan, staffing_plan
from sim.model.steps import StepLog
from sim.model.streams import Streams
from sim.model.street import Street
from sim.scenario.schema import Scenario

SOURCE_CHUNK = 4096
"""Cases the source turns into Python numbers at a time."""


class World:
    """Everything one replication needs: the district's units, its cases and the flow."""

    def __init__(self, scenario: Scenario, streams: Streams, plan: StaffingPlan | None = None):
        self.scenario = scenario
        self.streams = streams
        self.env = Environment()   # simpy's, with the event loop inlined
        self.plan = plan = plan or staffing_plan(scenario)
        self.routing = RoutingRule(scenario, plan)
        sk, wh = scenario.reform.sinking, scenario.reform.whistle
        self.calendars = {n: WorkingCalendar.from_config(c) for n, c in scenario.calendars.items()}
        # Departments' queues always keep referred cases behind the street's direct orders
        # (and whistles, when the whistle gives them priority).
        self._priority = wh.priority if wh.enabled else "non_preemptive"
        self.pools: list[Pool] = []
        by_plan = {p.name: self._pool(p) for p in plan.pools}

        # Departments: their central and on-call pools, paperwork, and teams at streets.
        self.departments: list[Department] = []
        for name, dp in plan.departments.items():
            self.departments.append(Department(
                name, dp.index, by_plan[dp.central.name], self.calendars[dp.calendar],
                streams.draw(f"admin/{name}", scenario.referral.admin_delay_working_days),
                streams.draw(f"bounce_return/{name}",
                             scenario.referral.bounce_return_working_days),
                on_call=by_plan[dp.on_call.name] if dp.on_call else None,
                overflow=sk.overflow))
            dept = self.departments[-1]
            if dept.on_call is not None:
                dept.on_call.rest_pool = dept.central   # the on-call people are central staff
            dept.teams = {s: by_plan[team.name] for s, team in dp.teams.items()}
            dept.cover = dict(dp.cover)

        # Streets: dispatch centre, own staff, stationed teams, integrated centre.
        type_index = {n: k for k, n in enumerate(scenario.case_types)}
        dept_index = {n: d for d, n in enumerate(scenario.departments)}
        self.streets: list[Street] = []
        for name, sp in plan.streets.items():
            street = Street(
                name, sp.index, by_plan[sp.dispatch.name] if sp.dispatch else None,
                streams.draw(f"triage/{name}", scenario.triage.time), by_plan[sp.staff.name],
                frozenset(type_index[t] for t in sp.powers),
                streams.draw(f"verify/{name}", wh.verification.time))
            street.sunk_powers = frozenset(type_index[t] for t in sp.sunk_powers)
            street.teams = {dept_index[d]: by_plan[dp.teams[sp.index].name]
                            for d, dp in plan.departments.items() if sp.index in dp.teams}
            if sp.centre is not None:
                street.centre = by_plan[sp.centre.name]
                street.centre_departments = frozenset(dept_index[d]
                                                      for d in sp.centre_departments)
            self.streets.append(street)

        # Street handling work when a type gives no street_work: its total work content.
        self._street_work = [
            streams.draw(f"street_work/{n}", ct.street_work) if ct.street_work else None
            for n, ct in scenario.case_types.items()]

        # The cases of this replication.
        self.cases = generate_cases(scenario, streams,
                                    sk.grid_coverage if sk.enabled else None)
        self.outcomes = CaseOutcomes(len(self.cases))
        self._register_units(self.outcomes.steps)
        self.visits = VisitLog()
        self.flow = CaseFlow(self)
        self.end_time = float("nan")
        self._open = 0
        self._source_done = False
        self.all_done = self.env.event()

    def _register_units(self, steps: StepLog) -> None:
        """Give every unit that can take a step its code in the step log: each pool, each
        department (referrals, bounces and whistles reach the department) and each street's
        platform (closing after verification) and dispatch centre (a name even when its
        dispatchers are unlimited and it has no pool)."""
        for pool in self.pools:
            pool.unit = steps.register(pool.name)
        for dept in self.departments:
            dept.unit = steps.register(dept.name)
        for street in self.streets:
            street.unit = steps.register(street.name)
            street.dispatch_unit = (street.dispatch.unit if street.dispatch is not None
                                    else steps.register(f"{street.name}/dispatch"))
            steps.dispatch_units.append(street.dispatch_unit)

    def _pool(self, plan: PoolPlan) -> Pool:
        """The SimPy pool of one entry of the staffing plan."""
        scenario = self.scenario
        if plan.travel_stream is None:
            travel = lambda: 0.0  # noqa: E731 (a dispatch centre does not travel)
        else:
            travel = self.streams.draw(plan.travel_stream, self._travel(plan))
        calendar = self.calendars[plan.calendar]
        if plan.off_hours:
            calendar = OffHours(calendar)
        priority = "none" if plan.kind in ("dispatch", "street") else self._priority
        pool = Pool(self.env, plan.name, plan.kind, plan.headcount, calendar, travel,
                    "" if plan.kind in ("dispatch", "street") else plan.department,
                    plan.street, priority)
        pool.window = (scenario.simulation.warmup, scenario.simulation.horizon)
        pool.order = len(self.pools)  # a global order for fetching several teams (no deadlock)
        self.pools.append(pool)
        return pool

    def _travel(self, plan: PoolPlan):
        """The travel-time distribution of a pool: from headquarters for a department's central
        and on-call staff, from the street's office for everyone stationed there."""
        if plan.kind in ("central", "on_call"):
            return self.scenario.departments[plan.department].travel_time
        return self.scenario.streets[plan.street].travel_time

    # ------------------------------------------------------------------ helpers for the flow
    def street_work(self, i: int, k: int) -> float:
        draw = self._street_work[k]
        if draw is not None:
            return draw()
        return float(self.cases.work[i].sum())

    def wrong_department(self, right: int, u: float) -> Department | None:
        """The department a misrouted referral goes to first: any other, picked by ``u``."""
        others = [d for d in self.departments if d.index != right]
        if not others:
            return None
        return others[min(int(u * len(others)), len(others) - 1)]

    def case_finished(self) -> None:
        self._open -= 1
        if self._open == 0 and self._source_done and not self.all_done.triggered:
            self.all_done.succeed()

    # ------------------------------------------------------------------ the run
    def _source(self, order: np.ndarray, times: np.ndarray, until: float):
        env, life, process = self.env, self.flow.life, self.env.process
        # The schedule becomes Python numbers a chunk at a time: a long run never holds all
        # its report times and case ids as Python objects at once.
        for start in range(0, len(order), SOURCE_CHUNK):
            chunk = slice(start, start + SOURCE_CHUNK)
            for i, t in zip(order[chunk].tolist(), times[chunk].tolist(), strict=True):
                delay = t - env.now
                if delay > 0:
                    yield env.timeout(delay)
                self._open += 1
                process(life(i))
        # Cases occur until the horizon (and on-spot fixes finish on their own): the run lasts
        # at least that long even when the flow empties earlier, or has nothing to carry.
        if until > env.now:
            yield env.timeout(until - env.now)
        self._source_done = True
        if self._open == 0 and not self.all_done.triggered:
            self.all_done.succeed()

    def run(self) -> World:
        """Play the replication; fills ``outcomes``, ``visits`` and ``end_time``."""
        env, c, o = self.env, self.cases, self.outcomes
        limit = self.scenario.simulation.horizon + self.scenario.simulation.drain_limit
        reported = np.isfinite(c.t_report) & (c.t_report <= limit)
        # Minor problems found on patrol are fixed on the spot by the grid worker: no process.
        spot = np.flatnonzero(c.on_spot & reported)
        for i in spot.tolist():
            o.handled_by[i] = GRID
            o.first_closure_solved[i] = 1   # fixed on the spot: solved at once
            done = float(c.t_report[i] + c.on_spot_time[i])
            if done <= limit:
                o.t_resolved[i] = o.t_closed[i] = done   # by the grid worker
        flow = np.flatnonzero(reported & ~c.on_spot)
        order = flow[np.argsort(c.t_report[flow], kind="stable")]
        until = max([self.scenario.simulation.horizon,
                     *(o.t_resolved[i] for i in spot.tolist() if o.t_resolved[i] <= limit)])
        env.process(self._source(order, c.t_report[order], until))
        env.run(until=env.any_of([self.all_done, env.timeout(limit)]))
        self.end_time = env.now
        return self
