"""The builder: a SimPy world made from a validated scenario, and its run.

``World(scenario, streams)`` creates the calendars, the departments and their pools, the streets
with their dispatch centres, staff, stationed teams and integrated centres, and draws every case
of the replication. ``World.run()`` plays the case flow: cases are reported until the horizon,
then the run drains until every case is resolved or ``drain_limit`` has passed.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.calendar import WorkingCalendar
from sim.model.case import GRID, CaseOutcomes, VisitLog
from sim.model.department import Department, OffHours
from sim.model.engine import Environment
from sim.model.grid import generate_cases
from sim.model.policies import CaseFlow
from sim.model.pool import Pool
from sim.model.sinking import stationed_staff
from sim.model.streams import Streams
from sim.model.street import Street
from sim.scenario.schema import UNLIMITED, Scenario


def expected_department_work(scenario: Scenario) -> dict[str, list[float]]:
    """Expected work hours per day each street sends each department (for proportional
    allocation): occurrence rate x grids x mean work content."""
    out = {d: [0.0] * len(scenario.streets) for d in scenario.departments}
    for s, street in enumerate(scenario.streets.values()):
        for ct in scenario.case_types.values():
            for d in ct.departments:
                out[d][s] += ct.rate * street.grids * ct.work_for(d).mean
    return out


SOURCE_CHUNK = 4096
"""Cases the source turns into Python numbers at a time."""


class World:
    """Everything one replication needs: the district's units, its cases and the flow."""

    def __init__(self, scenario: Scenario, streams: Streams):
        self.scenario = scenario
        self.streams = streams
        self.env = env = Environment()   # simpy's, with the event loop inlined
        sk, wh = scenario.reform.sinking, scenario.reform.whistle
        self.calendars = {n: WorkingCalendar.from_config(c) for n, c in scenario.calendars.items()}
        priority = wh.priority if wh.enabled else "none"
        self.pools: list[Pool] = []

        # Departments and their central pools (what is not stationed at streets).
        demand = expected_department_work(scenario)
        street_names = list(scenario.streets)
        self.departments: list[Department] = []
        self.stationed: dict[str, list[int]] = {}
        for d, (name, cfg) in enumerate(scenario.departments.items()):
            cal = self.calendars[cfg.calendar]
            weights = (demand[name] if sk.allocation == "proportional"
                       else [1.0] * len(street_names))
            teams = stationed_staff(cfg.staff, sk.fraction_for(name), weights)
            self.stationed[name] = teams
            central_staff = cfg.staff if cfg.staff >= UNLIMITED else cfg.staff - sum(teams)
            central = self._pool(f"{name}/central", "central", central_staff, cal,
                                 streams.draw(f"travel/{name}", cfg.travel_time), name,
                                 priority=priority)
            on_call = None
            if wh.enabled and wh.after_hours == "on_call" and not cal.always_open:
                # The department's own people on call out of office hours: not extra headcount.
                people = (cfg.staff if cfg.staff >= UNLIMITED
                          else max(1, math.ceil(wh.on_call_share * cfg.staff)) if cfg.staff else 0)
                on_call = self._pool(f"{name}/on_call", "on_call", people, OffHours(cal),
                                     streams.draw(f"travel/{name}/on_call", cfg.travel_time),
                                     name, priority=priority)
            self.departments.append(Department(
                name, d, central, cal,
                streams.draw(f"admin/{name}", scenario.referral.admin_delay_working_days),
                streams.draw(f"bounce_return/{name}",
                             scenario.referral.bounce_return_working_days),
                on_call=on_call, overflow=sk.overflow))

        # Streets: dispatch centre, own staff, stationed teams, integrated centre.
        type_index = {n: k for k, n in enumerate(scenario.case_types)}
        dept_index = {n: d for d, n in enumerate(scenario.departments)}
        extra_powers = sk.powers if sk.enabled else []
        verification = wh.verification.time
        self.streets: list[Street] = []
        for s, (name, cfg) in enumerate(scenario.streets.items()):
            cal = self.calendars[cfg.calendar]
            dispatch = None
            if cfg.dispatchers < UNLIMITED:
                dispatch = self._pool(f"{name}/dispatch", "dispatch", cfg.dispatchers,
                                      self.calendars["always"], lambda: 0.0, street=name)
            staff = self._pool(f"{name}/staff", "street", cfg.staff, cal,
                               streams.draw(f"travel/{name}/staff", cfg.travel_time),
                               street=name)
            powers = frozenset(type_index[t] for t in (*cfg.powers, *extra_powers))
            street = Street(name, s, dispatch,
                            streams.draw(f"triage/{name}", scenario.triage.time), staff, powers,
                            streams.draw(f"verify/{name}", verification))
            street.sunk_powers = frozenset(type_index[t] for t in extra_powers
                                           if t not in cfg.powers)
            for d, dept in enumerate(self.departments):
                people = self.stationed[dept.name][s]
                if people > 0:
                    street.teams[d] = self._pool(
                        f"{dept.name}/{name}", "stationed", people, dept.calendar,
                        streams.draw(f"travel/{dept.name}/{name}", cfg.travel_time),
                        dept.name, name, priority=priority)
            if sk.enabled and sk.integrated_centre:
                members = [dept_index[d] for d in sk.centre_departments] or list(street.teams)
                members = [d for d in members if d in street.teams]
                if members:
                    first = self.departments[members[0]]
                    centre = self._pool(
                        f"centre/{name}", "centre",
                        sum(street.teams[d].capacity for d in members), first.calendar,
                        streams.draw(f"travel/centre/{name}", cfg.travel_time),
                        "centre", name, priority=priority)
                    for d in members:
                        self.pools.remove(street.teams[d])
                        street.teams[d] = centre
                    street.centre = centre
                    street.centre_departments = frozenset(members)
            for d, team in street.teams.items():
                self.departments[d].teams[s] = team
            self.streets.append(street)

        # Street handling work when a type gives no street_work: its total work content.
        self._street_work = [
            streams.draw(f"street_work/{n}", ct.street_work) if ct.street_work else None
            for n, ct in scenario.case_types.items()]

        # The cases of this replication.
        self.cases = generate_cases(scenario, streams,
                                    sk.grid_coverage if sk.enabled else None)
        n = len(self.cases)
        self.outcomes = CaseOutcomes(n)
        self.visits = VisitLog()
        self.flow = CaseFlow(self)
        self.end_time = float("nan")
        self._open = 0
        self._source_done = False
        self.all_done = env.event()

    def _pool(self, name, kind, capacity, calendar, travel, department="", street="",
              priority="none") -> Pool:
        pool = Pool(self.env, name, kind, capacity, calendar, travel, department, street,
                    priority)
        pool.window = (self.scenario.simulation.warmup, self.scenario.simulation.horizon)
        pool.order = len(self.pools)  # a global order for fetching several teams (no deadlock)
        self.pools.append(pool)
        return pool

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
            done = float(c.t_report[i] + c.on_spot_time[i])
            if done <= limit:
                o.t_resolved[i] = o.t_closed[i] = done
        flow = np.flatnonzero(reported & ~c.on_spot)
        order = flow[np.argsort(c.t_report[flow], kind="stable")]
        until = max([self.scenario.simulation.horizon,
                     *(o.t_resolved[i] for i in spot.tolist() if o.t_resolved[i] <= limit)])
        env.process(self._source(order, c.t_report[order], until))
        env.run(until=env.any_of([self.all_done, env.timeout(limit)]))
        self.end_time = env.now
        return self
