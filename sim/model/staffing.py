"""The staffing plan: every pool of people in the district, worked out once from the scenario.

A scenario says how many people each department and street has and what the reforms move. The
plan turns that into the pools that serve cases, each with its headcount and calendar:

``central``
    a department's people at headquarters (all of them before sinking; what stays after);
``on_call``
    a department's central people on call out of office hours (whistle-and-report,
    ``after_hours: on_call``); the pool is open when the office is closed. They are not extra
    people: each hour they work at night is given back as rest the next working morning;
``stationed``
    a department's team at a street (resource sinking), the people split by largest remainder;
``centre``
    a street's integrated enforcement centre (综合执法中心): the stationed teams of its member
    departments pooled into one;
``dispatch`` and ``street``
    a street's dispatch centre and its own staff (those of its people whose time goes to cases:
    ``duties_share`` of their time goes to other duties until ``lift_street_duties``).

The world builder creates exactly these pools, ``govsim check`` computes their offered loads
from them and the report describes them: there is one answer to "who serves this case".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from sim.model.calendar import WorkingCalendar
from sim.model.sinking import stationed_staff
from sim.scenario.schema import UNLIMITED, Scenario

CENTRAL, ON_CALL, STATIONED, CENTRE, DISPATCH, STREET = (
    "central", "on_call", "stationed", "centre", "dispatch", "street")


@dataclass(frozen=True)
class PoolPlan:
    """One pool of people: who they are, how many, and when they work.

    ``calendar`` names a scenario calendar; an on-call pool (``off_hours``) is open when that
    calendar is closed. ``travel_stream`` names the random stream of its travel times (None for
    a dispatch centre, which does not travel).
    """

    name: str
    kind: str
    headcount: int
    calendar: str
    department: str = ""
    street: str = ""
    off_hours: bool = False
    travel_stream: str | None = None

    @property
    def unlimited(self) -> bool:
        return self.headcount >= UNLIMITED


@dataclass(frozen=True)
class DepartmentPlan:
    """A department's pools: central, on call, and the team it keeps at each street."""

    name: str
    index: int
    calendar: str
    central: PoolPlan
    on_call: PoolPlan | None
    stationed: tuple[int, ...]     # people stationed at each street (before any centre pooling)
    teams: dict[int, PoolPlan]     # street index -> the team (or centre) that serves it there
    cover: dict[int, int]          # street without a team -> street whose team covers it

    def home_unit(self, street: int) -> PoolPlan:
        """The pool that takes this department's cases of ``street`` when nothing overflows:
        the street's team; else the central pool; else (nobody central) a covering team."""
        team = self.teams.get(street)
        if team is not None:
            return team
        if self.central.headcount > 0 or street not in self.cover:
            return self.central
        return self.teams[self.cover[street]]


@dataclass(frozen=True)
class StreetPlan:
    """A street's pools and powers."""

    name: str
    index: int
    calendar: str
    dispatch: PoolPlan | None      # None: unlimited dispatchers (no queue)
    staff: PoolPlan                # the street's people, as many as work on cases
    roster: int                    # all the street's staff (some busy with other duties)
    powers: frozenset[str]         # case types the street handles (itself or by a team)
    sunk_powers: dict[str, str]    # powers that came with sinking -> who serves them
    centre: PoolPlan | None = None
    centre_departments: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class StaffingPlan:
    """Every pool of the district, in the order the world builds them."""

    departments: dict[str, DepartmentPlan]
    streets: dict[str, StreetPlan]
    pools: tuple[PoolPlan, ...]

    def headcount(self, kind: str | None = None) -> int:
        """People on the plan (of one kind of pool), counting on-call pools not at all: they are
        the department's own people (unlimited pools are left out)."""
        return sum(p.headcount for p in self.pools
                   if not p.unlimited and p.kind != ON_CALL and (kind is None or p.kind == kind))


def expected_department_work(scenario: Scenario) -> dict[str, list[float]]:
    """Expected work hours per day each street sends each department (for proportional
    allocation): occurrence rate x grids x mean work content."""
    out = {d: [0.0] * len(scenario.streets) for d in scenario.departments}
    for s, street in enumerate(scenario.streets.values()):
        for ct in scenario.case_types.values():
            for d in ct.departments:
                out[d][s] += ct.rate * street.grids * ct.work_for(d).mean
    return out


def staffing_plan(scenario: Scenario) -> StaffingPlan:
    """Work out every pool of ``scenario``: headcounts, calendars, and who serves where."""
    sk, wh = scenario.reform.sinking, scenario.reform.whistle
    street_names = list(scenario.streets)
    pools: list[PoolPlan] = []

    # Departments: what is not stationed at streets stays central.
    demand = expected_department_work(scenario)
    stationed: dict[str, list[int]] = {}
    central: dict[str, PoolPlan] = {}
    on_call: dict[str, PoolPlan | None] = {}
    for name, cfg in scenario.departments.items():
        weights = (demand[name] if sk.allocation == "proportional"
                   else [1.0] * len(street_names))
        teams = stationed_staff(cfg.staff, sk.fraction_for(name), weights)
        stationed[name] = teams
        people = cfg.staff if cfg.staff >= UNLIMITED else cfg.staff - sum(teams)
        central[name] = PoolPlan(f"{name}/central", CENTRAL, people, cfg.calendar, name,
                                 travel_stream=f"travel/{name}")
        pools.append(central[name])
        on_call[name] = None
        always = WorkingCalendar.from_config(scenario.calendars[cfg.calendar]).always_open
        if wh.enabled and wh.after_hours == "on_call" and not always and people > 0:
            # Central people on call out of office hours: not extra headcount (their hours at
            # night are given back the next morning, see sim.model.visit.rest).
            if people < UNLIMITED:
                people = max(1, math.ceil(wh.on_call_share * people))
            on_call[name] = PoolPlan(f"{name}/on_call", ON_CALL, people, cfg.calendar, name,
                                     off_hours=True, travel_stream=f"travel/{name}/on_call")
            pools.append(on_call[name])

    # Streets: dispatch centre, own staff, stationed teams, integrated centre.
    servers = sk.power_servers(scenario.case_types) if sk.enabled else {}
    extra_powers = frozenset(servers)
    dept_names = list(scenario.departments)
    teams: dict[str, dict[int, PoolPlan]] = {d: {} for d in dept_names}
    streets: dict[str, StreetPlan] = {}
    for s, (name, cfg) in enumerate(scenario.streets.items()):
        dispatch = None
        if cfg.dispatchers < UNLIMITED:
            dispatch = PoolPlan(f"{name}/dispatch", DISPATCH, cfg.dispatchers, "always",
                                street=name)
            pools.append(dispatch)
        on_cases = cfg.staff
        if cfg.staff < UNLIMITED and not (sk.enabled and sk.lift_street_duties):
            on_cases = round(cfg.staff * (1.0 - cfg.duties_share))
        staff = PoolPlan(f"{name}/staff", STREET, on_cases, cfg.calendar, street=name,
                         travel_stream=f"travel/{name}/staff")
        pools.append(staff)
        here = [d for d in dept_names if stationed[d][s] > 0]
        members: list[str] = []
        if sk.enabled and sk.integrated_centre:
            # The centre pools the teams of the listed departments (all, if none listed) that
            # have people at this street; a street with none of them has no centre. The first
            # member's calendar is the centre's.
            listed = list(sk.centre_departments) or here
            members = [d for d in listed if stationed[d][s] > 0]
        for d in here:
            if d not in members:
                team = PoolPlan(f"{d}/{name}", STATIONED, stationed[d][s],
                                scenario.departments[d].calendar, d, name,
                                travel_stream=f"travel/{d}/{name}")
                pools.append(team)
                teams[d][s] = team
        centre = None
        if members:
            centre = PoolPlan(f"centre/{name}", CENTRE, sum(stationed[d][s] for d in members),
                              scenario.departments[members[0]].calendar, "centre", name,
                              travel_stream=f"travel/centre/{name}")
            pools.append(centre)
            for d in members:
                teams[d][s] = centre
        streets[name] = StreetPlan(
            name, s, cfg.calendar, dispatch, staff, cfg.staff,
            powers=frozenset((*cfg.powers, *extra_powers)),
            sunk_powers={t: who for t, who in servers.items() if t not in cfg.powers},
            centre=centre, centre_departments=frozenset(members))

    departments = {}
    for index, name in enumerate(dept_names):
        staffed = sorted(teams[name])
        # A street without a team, when nobody stayed central, is covered by another street's
        # team: the k-th street without one by the k-th street with one, cycling.
        empty = [s for s in range(len(street_names)) if s not in teams[name]]
        cover = {s: staffed[k % len(staffed)] for k, s in enumerate(empty)} if staffed else {}
        departments[name] = DepartmentPlan(
            name, index, scenario.departments[name].calendar, central[name], on_call[name],
            tuple(stationed[name]), teams[name], cover)
    return StaffingPlan(departments, streets, tuple(pools))
