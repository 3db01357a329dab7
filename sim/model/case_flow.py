"""The case flow: the life of every case, from its report to the moment it is really solved.

A case is reported on the street platform, triaged by the street's dispatch centre and sent the
way the routing rule (``sim.model.routing``) says: handled by the street's own staff or the
stationed team of a power that came with sinking, by the integrated enforcement centre in one
visit, referred to the departments one after another, or whistled (every department at once).
It is then closed: after the street verifies the result under the closed loop, or on the
handler's word before it. A case closed unsolved comes back, at once when verification catches
it, otherwise when the citizen calls again.
"""

from __future__ import annotations

import math
from array import array

from sim.model.case import DEPARTMENT, STREET
from sim.model.pool import DIRECT, REFERRAL, WHISTLE
from sim.model.routing import CENTRE, REFER, ROUTE_CODE, TEAM
from sim.model.routing import STREET as BY_STREET
from sim.model.routing import WHISTLE as WHISTLED
from sim.model.steps import (
    BOUNCED,
    CITIZEN_UNIT,
    CLOSED,
    DISPATCHED,
    REFERRED,
    REOPENED,
)
from sim.model.steps import WHISTLED as SUMMONED
from sim.model.visit import acquire, ask, finish, finish_call_out, serve, set_out


class CaseFlow:
    """Carries each case through triage, its route and closing; writes its outcome columns."""

    def __init__(self, world):
        self.world = world
        self.env = world.env
        scenario = world.scenario
        types = list(scenario.case_types.values())
        dept_index = {name: i for i, name in enumerate(scenario.departments)}
        self.type_depts = [tuple(dept_index[d] for d in ct.departments) for ct in types]
        self.positions = [tuple(range(len(depts))) for depts in self.type_depts]  # every part
        whistle = scenario.reform.whistle
        factor = whistle.bounce_factor if whistle.enabled else 1.0
        self.bounce_p = [ct.bounce_prob * factor for ct in types]
        self.misroute_p = [ct.misroute_prob * factor for ct in types]
        self.closed_loop = whistle.enabled and whistle.verification.enabled
        quality = scenario.quality
        # Chance that a closure does not really solve the problem, by case type and route.
        verified = quality.verified_factor if self.closed_loop else 1.0
        self.failure_p = [{route: ct.quality_failure * quality.factor(route) * verified
                           for route in (BY_STREET, TEAM, CENTRE, REFER, WHISTLED)}
                          for ct in types]
        self.joint_wait_limit = whistle.joint_wait_limit
        self.max_reopens = scenario.reopen.max_reopens
        self.signal_delay = whistle.signal_delay
        self.joint = max if whistle.joint_work == "max" else sum
        self.centre_work = max if scenario.reform.sinking.centre_work == "max" else sum
        self.on_call = whistle.enabled and whistle.after_hours == "on_call"
        # The emergencies: the types whistled by type (``trigger.types``). Only they call out
        # the on-call staff at night; any other whistle waits for the office to open.
        every = whistle.trigger.types == "all"
        self.emergency = [every or name in whistle.trigger.types
                          for name in scenario.case_types]
        self.street_work = world.street_work
        self.routing = world.routing
        cases = world.cases
        self.case_type = cases.case_type.tolist()
        self.street_of = cases.street.tolist()
        self.t_report = array("d", cases.t_report.tobytes())  # 8 bytes a case, not a float
        self.work = cases.work
        self.bounce_u = cases.bounce_u
        self.quality_u = cases.quality_u
        self.misroute_u = cases.misroute_u
        self.recall = cases.recall_delay
        self.outcomes = world.outcomes
        self.steps = world.outcomes.steps
        self.visits = world.visits

    # ------------------------------------------------------------------ the life of a case
    def life(self, i: int):
        """The life of case ``i`` from its report on the street platform (the process starts
        then) until it is really solved, or reopened ``max_reopens`` times.

        Each round:

        1. **Triage.** The street's dispatch centre takes the case (queueing for a dispatcher
           if they are counted) and spends the triage time on it. The first triage stamps
           ``t_dispatch``.
        2. **Route.** The routing rule gives the route from the case's type and street, and
           from whether the street's own attempt failed last round (``route`` records the
           first round's). The route is carried out: ``by_street``, ``by_centre``, ``refer``
           or ``whistle``; each visit stamps the first team's ``t_onsite`` and adds to the
           time spent waiting for staff (``wait_h``).
        3. **Closing.** Whether this round really solved the problem was drawn with the case
           (its quality-failure uniform for the round against the type's probability). Under
           the closed loop the street verifies the result: a failure goes straight back to
           triage (a reopening); a success stamps ``t_resolved`` (when the work ended) and
           ``t_closed`` (after verification). Without it the case is closed on the handler's
           word (``t_closed``); a failure comes back when the citizen calls again, after the
           recall delay, and a success is ``t_resolved``.

        The last allowed round always solves the problem, so every case that runs to its end
        is resolved; one still in the flow when the run stops is censored.
        """
        env, outcomes, world, steps = self.env, self.outcomes, self.world, self.steps
        k = self.case_type[i]
        street = world.streets[self.street_of[i]]
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
            route = self.routing.route(k, street.index, failed_by_street)
            if round_ == 0:
                outcomes.t_dispatch[i] = env.now
                outcomes.route[i] = ROUTE_CODE[route]
            else:   # the first triage is t_dispatch: the step log needs only the others
                steps.add(i, DISPATCHED, env.now, street.dispatch_unit)
            if route == BY_STREET or route == TEAM:
                yield from self.by_street(i, k, street, route == TEAM)
            elif route == REFER:
                yield from self.refer(i, k, street, depts, round_, self.positions[k])
            elif route == WHISTLED:
                yield from self.whistle(i, street, depts, self.positions[k])
            else:
                yield from self.by_centre(i, k, street, depts, round_)
            failed = (round_ < self.max_reopens
                      and self.quality_u.item(i, round_) < self.failure_p[k][route])
            done = env.now
            if round_ == 0:
                # What a callback after the first handling would find (before any check).
                outcomes.first_closure_solved[i] = 0 if failed else 1
            if self.closed_loop:
                yield env.timeout(street.verify_time())
                if failed:
                    outcomes.reopens[i] += 1
                    steps.add(i, REOPENED, env.now, street.unit)
                    failed_by_street = route == BY_STREET or route == TEAM
                    continue
                outcomes.t_resolved[i] = done
                outcomes.t_closed[i] = env.now
                steps.closer[i] = street.unit
                break
            # Closed on the handler's word. The last closure is t_closed (its unit the
            # closer); one that a recall reopens is logged as the case comes back.
            outcomes.t_closed[i] = done
            closer = steps.closer[i] = steps.handler[i]
            if not failed:
                outcomes.t_resolved[i] = done
                break
            yield env.timeout(self.recall.item(i, round_))
            outcomes.reopens[i] += 1
            steps.add(i, CLOSED, done, closer)
            steps.add(i, REOPENED, env.now, CITIZEN_UNIT)
            failed_by_street = route == BY_STREET or route == TEAM
        world.case_finished()

    # ------------------------------------------------------------------ routes
    def by_street(self, i, k, street, by_team: bool):
        """The street handles it: with ``by_team`` (a power that came with resource sinking)
        the people of the department named for the power (its team at the street, or its
        central pool), anything else the street's own staff."""
        self.outcomes.handled_by[i] = STREET
        if by_team:
            dept = self.world.departments[self.routing.server[k]]
            yield from self._until_open(i, dept.calendar)
            pool, travel = dept.unit_for(street.index)
            yield from serve(self.env, pool, i, DIRECT, self.work.item(i, 0), self.outcomes,
                             self.visits, travel=travel)
            return
        yield from serve(self.env, street.staff, i, DIRECT, self.street_work(i, k),
                         self.outcomes, self.visits)

    def _until_open(self, i, calendar):
        """Wait, if need be, until ``calendar`` opens, counting it as waiting for staff.

        Which unit takes a case (its street's team, or the central pool when the team is busy)
        is decided when the case can be handed out, not at night when every team looks idle.
        """
        now = self.env.now
        if not calendar.always_open and not calendar.is_open(now):
            opens = calendar.next_open(now)
            self.outcomes.wait_h[i] += opens - now
            yield self.env.timeout(opens - now)

    def by_centre(self, i, k, street, depts, round_):
        """The integrated centre: one team, one visit, for the parts of its member departments;
        the departments it does not hold follow, whistled or referred as the type is."""
        self.outcomes.handled_by[i] = STREET
        members = tuple(j for j, d in enumerate(depts) if d in street.centre_departments)
        work = self.centre_work([self.work.item(i, j) for j in members])
        yield from serve(self.env, street.centre, i, DIRECT, work, self.outcomes, self.visits)
        others = tuple(j for j in range(len(depts)) if j not in members)
        if not others:
            return
        if self.routing.whistled[k]:
            yield from self.whistle(i, street, depts, others)
        else:
            yield from self.refer(i, k, street, depts, round_, others)

    def refer(self, i, k, street, depts, round_, positions):
        """Referral one department after another.

        A department with a team stationed at the street (resource sinking) gets the case
        straight from the street, which commands that team: no paperwork, no bouncing. Any
        other department gets it through paperwork, may bounce it back and, the first time,
        may be the wrong one (misrouting). With a whistle ``after_wait`` trigger the street
        whistles for the departments still to come once the case has waited that long.
        """
        env, outcomes, world = self.env, self.outcomes, self.world
        outcomes.handled_by[i] = DEPARTMENT
        for n, j in enumerate(positions):
            d = depts[j]
            if env.now >= self.routing.escalation_due(self.t_report[i], street.staff.calendar):
                yield from self.whistle(i, street, depts, positions[n:])
                return
            dept = world.departments[d]
            team = dept.stationed_at(street.index)
            if team is None:
                escalated = yield from self._paperwork(i, k, street, dept, d,
                                                       misroute=round_ == 0 and n == 0)
                if escalated:
                    yield from self.whistle(i, street, depts, positions[n:])
                    return
                priority = REFERRAL
            else:
                outcomes.handoffs[i] += 1
                self.steps.add(i, REFERRED, env.now, team.unit)
                priority = DIRECT
            yield from self._until_open(i, dept.calendar)
            pool, travel = dept.unit_for(street.index)
            yield from serve(env, pool, i, priority, self.work.item(i, j), outcomes,
                             self.visits, travel=travel)

    def _paperwork(self, i, k, street, dept, d, misroute: bool):
        """A referral's way to the department's desk: paperwork, misrouting and bounces.

        Returns True when the whistle's ``after_wait`` passes on the way (the case escalates).
        """
        env, outcomes, steps = self.env, self.outcomes, self.steps
        if misroute and self.misroute_u.item(i, 0) < self.misroute_p[k]:
            wrong = self.world.wrong_department(d, self.misroute_u.item(i, 1))
            if wrong is not None:
                outcomes.handoffs[i] += 1
                steps.add(i, REFERRED, env.now, wrong.unit)
                if (yield from self._delay(i, street, wrong.paperwork(env.now))):
                    return True
                outcomes.bounces[i] += 1
                steps.add(i, BOUNCED, env.now, wrong.unit)
                if (yield from self._delay(i, street, wrong.bounce_back(env.now))):
                    return True
        while True:
            outcomes.handoffs[i] += 1
            steps.add(i, REFERRED, env.now, dept.unit)
            if (yield from self._delay(i, street, dept.paperwork(env.now))):
                return True
            b = outcomes.bounces[i]
            if b < self.bounce_u.shape[1] and self.bounce_u.item(i, b) < self.bounce_p[k]:
                outcomes.bounces[i] += 1
                steps.add(i, BOUNCED, env.now, dept.unit)
                if (yield from self._delay(i, street, dept.bounce_back(env.now))):
                    return True
                continue
            return False

    def _delay(self, i, street, hours):
        """Wait ``hours`` of referral delay, or until the case escalates; True if it did."""
        env = self.env
        due = self.routing.escalation_due(self.t_report[i], street.staff.calendar)
        if env.now + hours < due:
            if hours > 0:   # no paperwork (a fixed zero delay): no event to schedule
                yield env.timeout(hours)
            return False
        yield env.timeout(max(0.0, due - env.now))
        return True

    def whistle(self, i, street, depts, positions):
        """Whistle-and-report: the departments at ``positions`` of the type's ``depts`` are
        summoned at once; joint work when all are in.

        Each department's report deadline runs from this moment (``asked`` in the visits).
        """
        env, outcomes = self.env, self.outcomes
        outcomes.handled_by[i] = DEPARTMENT
        asked = env.now
        if not outcomes.whistled[i]:
            outcomes.whistled[i] = True
            outcomes.t_whistle[i] = asked
        k = self.case_type[i]
        if len(positions) == 1:
            j = positions[0]
            dept = self.world.departments[depts[j]]
            yield env.timeout(self._summon_hours(i, k, dept))
            if not (self.on_call and self.emergency[k] and dept.on_call is not None):
                yield from self._until_open(i, dept.calendar)
            pool, on_call, travel = self._whistle_pool(dept, street, k)
            yield from serve(env, pool, i, WHISTLE, self.work.item(i, j), outcomes,
                             self.visits, whistled=True, on_call=on_call, asked_at=asked,
                             travel=travel)
            return
        absent = yield from self._joint(i, k, street, depts, positions, asked)
        # A department that could not come in time is whistled again on its own: the case
        # waits for it holding nobody.
        for j in absent:
            yield from self.whistle(i, street, depts, (j,))

    def _joint(self, i, k, street, depts, positions, asked):
        """Joint handling: the teams go on site and work together once all are there.

        The teams are fetched one pool at a time, in one global order (the order the pools were
        built in): two joint cases can then never each hold a person the other is waiting for,
        a deadlock that fetching them all at once allows. A pool that two summoned departments
        share (an integrated centre) sends one team for both. A department with nobody free
        ``joint_wait_limit`` after it was summoned is absent: the others start without it.
        Returns the positions of the absent departments.
        """
        env, outcomes = self.env, self.outcomes
        teams: dict = {}
        for j in positions:
            dept = self.world.departments[depts[j]]
            summoned = ready = asked + self._summon_hours(i, k, dept)
            pool, on_call, travel = self._whistle_pool(dept, street, k)
            if on_call is None and not pool.calendar.always_open:
                # Nobody on call for it: the department is summoned when its office opens, and
                # the wait limit runs in its working hours.
                ready = pool.calendar.next_open(ready)
            waits = ready - summoned   # for the office to open: time waiting for staff
            if pool in teams:
                ready = max(ready, teams[pool][0])
                teams[pool] = (ready, on_call, travel, (*teams[pool][3], j), teams[pool][4])
            else:
                teams[pool] = (ready, on_call, travel, (j,), waits)
        held, arrivals, present, absent = [], [], [], []
        for pool in sorted(teams, key=lambda p: p.order):
            ready, on_call, travel, parts, waits = teams[pool]
            if ready > env.now:
                yield env.timeout(ready - env.now)
            outcomes.wait_h[i] += waits
            t_request = env.now
            row = ask(self.visits, i, on_call or pool, True, asked)
            got, req = yield from acquire(env, pool, WHISTLE, on_call,
                                          give_up_at=ready + self.joint_wait_limit)
            if got is None:
                absent.extend(parts)
                continue
            start = env.now
            if got is on_call:
                travel = None
            elif not got.calendar.always_open and not got.calendar.is_open(start):
                start = got.calendar.next_open(start)  # the person waits for the office to open
            hours = set_out(outcomes, self.visits, row, i, got, start, t_request, travel)
            held.append((got, req, start, parts))
            arrivals.append(start + hours)   # a team on its way arrives
            present.extend(parts)
        if not held:
            return absent
        if math.isnan(outcomes.t_onsite[i]):
            outcomes.t_onsite[i] = min(arrivals)
        # Work begins when the last team present is on site (or now, when the teams on site
        # have waited in vain for an absent one) and follows the office hours (and overtime
        # rule) of the first office team. With ``joint_work: max`` the teams work side by side
        # and each leaves when its own part is done; with ``sum`` they do every part together
        # and stay to the end.
        begin = max(max(arrivals), env.now)
        office = next((got for got, *_ in held if got.rest_pool is None), held[0][0])
        if self.joint is max:
            ends = [office.work_end(begin, max(self.work.item(i, j) for j in parts))
                    for *_, parts in held]
        else:
            end = office.work_end(begin, sum(self.work.item(i, j) for j in present))
            ends = [end] * len(held)
        for end, (got, req, start, _) in sorted(zip(ends, held, strict=True),
                                                key=lambda pair: (pair[0], pair[1][0].order)):
            if end > env.now:
                yield env.timeout(end - env.now)
            # Everyone on a joint visit works the office team's hours: an on-call person
            # whose joint work pauses overnight is not at work (nor owed rest) meanwhile.
            worked = finish(got, req, start, env.now, office.calendar)
            self.steps.handler[i] = got.unit
            if got.rest_pool is not None:
                finish_call_out(env, got, worked)
        return absent

    def _summon_hours(self, i, k, dept) -> float:
        """Hours from the whistle (now) until ``dept`` takes it: the signal, once more for each
        time it refuses (bounces) and is whistled again. The refusals are decided now, from
        the case's uniforms, and logged at the moments they happen."""
        outcomes, steps, now = self.outcomes, self.steps, self.env.now
        outcomes.handoffs[i] += 1
        steps.add(i, SUMMONED, now, dept.unit)
        hours = self.signal_delay
        while True:
            b = outcomes.bounces[i]
            if b < self.bounce_u.shape[1] and self.bounce_u.item(i, b) < self.bounce_p[k]:
                outcomes.bounces[i] += 1
                steps.add(i, BOUNCED, now + hours, dept.unit)
                outcomes.handoffs[i] += 1
                hours += self.signal_delay
                continue
            return hours

    def _whistle_pool(self, dept, street, k):
        """Who answers a whistle: the unit for the street (and its travel if borrowed), and
        the on-call staff first when the whistle comes out of office hours (if set)."""
        pool, travel = dept.unit_for(street.index)
        on_call = None
        if (self.on_call and self.emergency[k] and dept.on_call is not None
                and not pool.calendar.is_open(self.env.now)):
            on_call = dept.on_call
        return pool, on_call, travel
