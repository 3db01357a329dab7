"""Policies: how a street routes a case, and how each route is carried out.

The life of a case (``CaseFlow.life``) is the same under every policy: triage at the street's
dispatch centre, a route chosen by the ``TriagePolicy``, the route carried out, then closing
(verified by the street under the closed loop, or closed on the department's word before it).
A case closed unsolved comes back: at once when verification catches it, or when a citizen
calls again otherwise.

Routes:

``STREET``
    the street handles the case itself (its power list; with sinking, by the stationed team);
``CENTRE``
    the street's integrated enforcement centre handles a multi-department case in one visit;
``REFER``
    before the reforms: referral to each department one after another, each through paperwork
    counted in working days, with bounces (推诿), misrouting and a low place in the queue;
``WHISTLE``
    the street whistles and every needed department reports at once, with priority and a report
    deadline; work starts when all teams are on site (joint handling).
"""

from __future__ import annotations

from array import array

from sim.model.case import DEPARTMENT, STREET
from sim.model.department import acquire, ask, serve, set_out
from sim.model.pool import DIRECT, REFERRAL, WHISTLE

ROUTE_STREET, ROUTE_CENTRE, ROUTE_REFER, ROUTE_WHISTLE = "street", "centre", "refer", "whistle"


class TriagePolicy:
    """Decides the route of a case from its type, its street and its history."""

    def __init__(self, scenario, type_names: list[str], streets):
        w = scenario.reform.whistle
        self.whistle_on = w.enabled
        trigger = w.trigger
        self.whistle_all = trigger.types == "all"
        self.whistle_types = frozenset(
            type_names.index(t) for t in (trigger.types if not self.whistle_all else []))
        self.min_departments = trigger.min_departments
        self.after_street_failure = trigger.after_street_failure
        self.after_wait = trigger.after_wait
        self.type_departments = [tuple(ct.departments) for ct in scenario.case_types.values()]
        self.streets = streets

    def route(self, case_type: int, street, failed_by_street: bool, n_depts: int,
              dept_indices: tuple) -> str:
        if n_depts == 0:
            return ROUTE_STREET
        if case_type in street.powers and not (failed_by_street and self.whistle_on
                                               and self.after_street_failure):
            return ROUTE_STREET
        if (street.centre is not None and street.centre.capacity > 0 and n_depts > 1
                and all(d in street.centre_departments for d in dept_indices)):
            return ROUTE_CENTRE
        if self.whistles(case_type, n_depts, failed_by_street):
            return ROUTE_WHISTLE
        return ROUTE_REFER

    def whistles(self, case_type: int, n_depts: int, failed_by_street: bool) -> bool:
        if not self.whistle_on:
            return False
        return (self.whistle_all or case_type in self.whistle_types
                or (self.min_departments is not None and n_depts >= self.min_departments)
                or (failed_by_street and self.after_street_failure))

    def escalates(self, waited: float) -> bool:
        """Whistle for a referred case that has waited ``after_wait`` since its report."""
        return self.whistle_on and self.after_wait is not None and waited >= self.after_wait

    def escalation_due(self, t_report: float) -> float:
        """When a referred case reported at ``t_report`` escalates to a whistle (inf: never)."""
        if self.whistle_on and self.after_wait is not None:
            return t_report + self.after_wait
        return float("inf")


class CaseFlow:
    """Carries each case through triage, its route and closing; writes its outcome columns."""

    def __init__(self, world):
        self.w = world
        self.env = world.env
        scenario = world.scenario
        types = list(scenario.case_types.values())
        dept_index = {name: i for i, name in enumerate(scenario.departments)}
        self.type_depts = [tuple(dept_index[d] for d in ct.departments) for ct in types]
        w = scenario.reform.whistle
        factor = w.bounce_factor if w.enabled else 1.0
        self.bounce_p = [ct.bounce_prob * factor for ct in types]
        self.misroute_p = [ct.misroute_prob * factor for ct in types]
        self.quality_p = [ct.quality_failure for ct in types]
        self.max_reopens = scenario.reopen.max_reopens
        self.closed_loop = w.enabled and w.verification.enabled
        self.signal_delay = w.signal_delay
        self.joint = max if w.joint_work == "max" else sum
        self.centre_work = max if scenario.reform.sinking.centre_work == "max" else sum
        self.on_call = w.enabled and w.after_hours == "on_call"
        self.street_work = world.street_work
        self.triage = TriagePolicy(scenario, list(scenario.case_types), world.streets)
        a = world.cases
        self.case_type = a.case_type.tolist()
        self.street_of = a.street.tolist()
        self.t_report = array("d", a.t_report.tobytes())   # 8 bytes a case, not a float object
        self.work = a.work
        self.bounce_u = a.bounce_u
        self.quality_u = a.quality_u
        self.misroute_u = a.misroute_u
        self.recall = a.recall_delay
        self.o = world.outcomes
        self.visits = world.visits

    # ------------------------------------------------------------------ the life of a case
    def life(self, i: int):
        env, o, w = self.env, self.o, self.w
        k = self.case_type[i]
        street = w.streets[self.street_of[i]]
        depts = self.type_depts[k]
        failed_by_street = False
        for round_ in range(self.max_reopens + 1):
            # Triage at the street's dispatch centre.
            if street.dispatch is None:
                triage = street.triage_time()
                if triage > 0:
                    yield env.timeout(triage)
            else:
                with street.dispatch.request(DIRECT) as req:
                    yield req
                    triage = street.triage_time()
                    yield env.timeout(triage)
                    street.dispatch.log_busy(env.now - triage, env.now)
                    street.dispatch.served += 1
            if round_ == 0:
                o.t_dispatch[i] = env.now
            route = self.triage.route(k, street, failed_by_street, len(depts), depts)
            if route == ROUTE_STREET:
                yield from self.by_street(i, k, street, depts)
            elif route == ROUTE_REFER:
                yield from self.refer(i, k, street, depts, round_)
            elif route == ROUTE_WHISTLE:
                yield from self.whistle(i, street, depts, depts)
            else:
                yield from self.by_centre(i, street, depts)
            failed = round_ < self.max_reopens and self.quality_u.item(i, round_) < self.quality_p[k]
            done = env.now
            if self.closed_loop:
                yield env.timeout(street.verify_time())
                if failed:
                    o.reopens[i] += 1
                    failed_by_street = route == ROUTE_STREET
                    continue
                o.t_resolved[i] = done
                o.t_closed[i] = env.now
                break
            o.t_closed[i] = done
            if not failed:
                o.t_resolved[i] = done
                break
            yield env.timeout(self.recall.item(i, round_))
            o.reopens[i] += 1
            failed_by_street = route == ROUTE_STREET
        w.case_finished()

    # ------------------------------------------------------------------ routes
    def by_street(self, i, k, street, depts):
        """The street handles it: a power it got with resource sinking goes to the stationed
        team of the type's department (if the street has one), anything else to its staff."""
        self.o.handled_by[i] = STREET
        if len(depts) == 1 and k in street.sunk_powers:
            dept = self.w.departments[depts[0]]
            if dept.stationed_at(street.index) is not None:
                yield from self._until_open(i, dept.calendar)
                pool, travel = dept.unit_for(street.index)
                yield from serve(self.env, pool, i, DIRECT, self.work.item(i, 0), self.o,
                                 self.visits, travel=travel)
                return
        yield from serve(self.env, street.staff, i, DIRECT, self.street_work(i, k), self.o,
                         self.visits)

    def _until_open(self, i, calendar):
        """Wait, if need be, until ``calendar`` opens, counting it as waiting for staff.

        Which unit takes a case (its street's team, or the central pool when the team is busy)
        is decided when the case can be handed out, not at night when every team looks idle.
        """
        now = self.env.now
        if not calendar.always_open and not calendar.is_open(now):
            opens = calendar.next_open(now)
            self.o.wait_h[i] += opens - now
            yield self.env.timeout(opens - now)

    def by_centre(self, i, street, depts):
        """The integrated centre: one team, one visit, for a multi-department case."""
        self.o.handled_by[i] = STREET
        work = self.centre_work(self.work[i, : len(depts)].tolist())
        yield from serve(self.env, street.centre, i, DIRECT, work, self.o, self.visits)

    def refer(self, i, k, street, depts, round_):
        """Referral one department after another.

        A department with a team stationed at the street (resource sinking) gets the case
        straight from the street, which commands that team: no paperwork, no bouncing. Any
        other department gets it through paperwork, may bounce it back and, the first time,
        may be the wrong one (misrouting). With a whistle ``after_wait`` trigger the street
        whistles for the departments still to come once the case has waited that long.
        """
        env, o, w = self.env, self.o, self.w
        o.handled_by[i] = DEPARTMENT
        for j, d in enumerate(depts):
            if self.triage.escalates(env.now - self.t_report[i]):
                yield from self.whistle(i, street, depts[j:], depts)
                return
            dept = w.departments[d]
            if dept.stationed_at(street.index) is None:
                escalated = yield from self._paperwork(i, k, dept, d, misroute=round_ == 0
                                                       and j == 0)
                if escalated:
                    yield from self.whistle(i, street, depts[j:], depts)
                    return
                priority = REFERRAL
            else:
                o.handoffs[i] += 1
                priority = DIRECT
            yield from self._until_open(i, dept.calendar)
            pool, travel = dept.unit_for(street.index)
            yield from serve(env, pool, i, priority, self.work.item(i, j), o, self.visits,
                             travel=travel)

    def _paperwork(self, i, k, dept, d, misroute: bool):
        """A referral's way to the department's desk: paperwork, misrouting and bounces.

        Returns True when the whistle's ``after_wait`` passes on the way (the case escalates).
        """
        env, o, w = self.env, self.o, self.w
        if misroute and self.misroute_u.item(i, 0) < self.misroute_p[k]:
            wrong = w.wrong_department(d, self.misroute_u.item(i, 1))
            if wrong is not None:
                o.handoffs[i] += 1
                if (yield from self._delay(i, wrong.paperwork(env.now))):
                    return True
                o.bounces[i] += 1
                if (yield from self._delay(i, wrong.bounce_back(env.now))):
                    return True
        while True:
            o.handoffs[i] += 1
            if (yield from self._delay(i, dept.paperwork(env.now))):
                return True
            b = o.bounces[i]
            if b < self.bounce_u.shape[1] and self.bounce_u.item(i, b) < self.bounce_p[k]:
                o.bounces[i] += 1
                if (yield from self._delay(i, dept.bounce_back(env.now))):
                    return True
                continue
            return False

    def _delay(self, i, hours):
        """Wait ``hours`` of referral delay, or until the case escalates; True if it did."""
        env = self.env
        due = self.triage.escalation_due(self.t_report[i])
        if env.now + hours < due:
            if hours > 0:   # no paperwork (a fixed zero delay): no event to schedule
                yield env.timeout(hours)
            return False
        yield env.timeout(max(0.0, due - env.now))
        return True

    def whistle(self, i, street, summoned, all_depts):
        """Whistle-and-report: every summoned department at once, joint work when all are in.

        Each department's report deadline runs from this moment (``asked`` in the visits).
        """
        env, o = self.env, self.o
        o.handled_by[i] = DEPARTMENT
        asked = env.now
        if not o.whistled[i]:
            o.whistled[i] = True
            o.t_whistle[i] = asked
        k = self.case_type[i]
        offset = len(all_depts) - len(summoned)
        if len(summoned) == 1:
            d = summoned[0]
            yield env.timeout(self._summon_hours(i, k))
            dept = self.w.departments[d]
            if not (self.on_call and dept.on_call is not None):
                yield from self._until_open(i, dept.calendar)
            pool, on_call, travel = self._whistle_pool(dept, street)
            yield from serve(env, pool, i, WHISTLE, self.work.item(i, offset), o, self.visits,
                             whistled=True, on_call=on_call, asked_at=asked, travel=travel)
            return
        # Joint handling. The teams are fetched one pool at a time, in one global order (the
        # order the pools were built in): two joint cases can then never each hold a person
        # the other is waiting for, a deadlock that fetching them all at once allows. A pool
        # that two summoned departments share (an integrated centre) sends one team for both.
        teams: dict = {}
        for d in summoned:
            ready = asked + self._summon_hours(i, k)
            pool, on_call, travel = self._whistle_pool(self.w.departments[d], street)
            if pool in teams:
                ready = max(ready, teams[pool][0])
            teams[pool] = (ready, on_call, travel)
        held, arrivals = [], []
        for pool in sorted(teams, key=lambda p: p.order):
            ready, on_call, travel = teams[pool]
            if ready > env.now:
                yield env.timeout(ready - env.now)
            t_request = env.now
            row = ask(self.visits, i, on_call or pool, True, asked)
            got, req = yield from acquire(env, pool, WHISTLE, on_call)
            start = env.now
            if got is on_call:
                travel = None
            elif not got.calendar.always_open and not got.calendar.is_open(start):
                start = got.calendar.next_open(start)  # the person waits for the office to open
            hours = (travel or got.travel)()
            o.wait_h[i] += start - t_request
            set_out(self.visits, row, got, start, start + hours)
            held.append((got, req, start))
            arrivals.append(start + hours)
        if o.t_onsite[i] != o.t_onsite[i]:
            o.t_onsite[i] = min(arrivals)
        work = self.joint(self.work[i, offset: offset + len(summoned)].tolist())
        yield env.timeout(max(arrivals) + work - env.now)
        for got, req, start in held:
            got.log_busy(start, env.now)
            got.served += 1
            got.resource.release(req)

    def _summon_hours(self, i, k) -> float:
        """Hours from the whistle until a department takes it: the signal, once more for each
        time it refuses (bounces) and is whistled again."""
        o = self.o
        o.handoffs[i] += 1
        hours = self.signal_delay
        while True:
            b = o.bounces[i]
            if b < self.bounce_u.shape[1] and self.bounce_u.item(i, b) < self.bounce_p[k]:
                o.bounces[i] += 1
                o.handoffs[i] += 1
                hours += self.signal_delay
                continue
            return hours

    def _whistle_pool(self, dept, street):
        """Who answers a whistle: the unit for the street (and its travel if borrowed), and
        the on-call staff first when the whistle comes out of office hours (if set)."""
        pool, travel = dept.unit_for(street.index)
        on_call = None
        if self.on_call and dept.on_call is not None and not pool.calendar.is_open(self.env.now):
            on_call = dept.on_call
        return pool, on_call, travel
