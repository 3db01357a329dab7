"""The scenario schema: everything a study describes, validated before anything runs.

This module is the one place where the configuration scheme is documented. A scenario file is
YAML; its top-level blocks are:

``name``, ``description``
    Identify the scenario in outputs.
``simulation``
    ``horizon`` (cases occur until then), ``warmup`` (cases reported earlier are flagged
    ``in_warmup``), ``drain_limit`` (after the horizon no new cases occur; the run goes on until
    every case is resolved or this much time has passed; what is still open is censored),
    ``allow_large`` (run a scenario above the size limits of ``sim.scenario.size``, with a
    warning instead of a refusal).
``district``
    ``grid_heterogeneity_cv`` (grids differ in how many problems occur in them; at most 5) and
    ``hour_profile`` (24 relative weights of occurrence by hour of day, or 168 by hour of the
    week, Monday 00:00 first: the weekly profile a real log gives, ``govsim calibrate build``).
``calendars``
    Named working calendars (``office`` and ``always`` exist by default).
``street_defaults``, ``streets``
    Each street (街道) by name; a field left out takes its value from ``street_defaults``.
``departments``
    District departments (职能部门) by name, with a central staff pool.
``case_types``
    What occurs, how often, which departments it needs, its deadline and work content.
``triage``, ``referral``, ``reopen``
    The pre-reform case flow (street triage, referral one department after another, recall by
    citizens of cases closed unsolved).
``reform``
    ``whistle`` (街乡吹哨、部门报到) and ``sinking`` (资源下沉), each switchable in parts.

Times are durations (``45min``, ``2h``, ``3d``; a bare number is hours). Staff counts accept
``unlimited``. Unknown keys are errors, since a silently ignored typo is a wrong experiment.
Values are taken as written or refused, never changed: numbers are finite and never booleans
(``sim.scenario.numbers``), a time of day has minutes 00-59, and names follow
``sim.scenario.names``. How big a scenario may be (cases, simulated time, setup work) is
``sim.scenario.size``'s rule; ``simulation.allow_large: true`` turns its refusals into warnings.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.scenario.distributions import Distribution, Exponential, Lognormal, fixed
from sim.scenario.numbers import MAX_DURATION_H, MAX_ENTRIES, MAX_GRIDS, Count, Number
from sim.scenario.units import Duration

UNLIMITED = 10**9
"""Capacity that stands for 'unlimited' staff."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_staff(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("unlimited", "inf", "infinite"):
        return UNLIMITED
    if isinstance(value, float) and value == math.inf:  # YAML's .inf; -.inf stays an error
        return UNLIMITED
    return value


def _parse_time_of_day(value: Any) -> Any:
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if match:
            hours, minutes = int(match.group(1)), int(match.group(2))
            if minutes >= 60:
                raise ValueError(f"minutes must be 00-59, got {value!r}")
            return hours + minutes / 60
    return value


Staff = Annotated[Count, BeforeValidator(_parse_staff), Field(ge=0, le=UNLIMITED)]
"""A headcount: a whole number up to 10^9, or ``unlimited`` (= 10^9)."""
TimeOfDay = Annotated[Duration, BeforeValidator(_parse_time_of_day)]
Share = Annotated[Number, Field(ge=0, le=1)]


def _one_or_per_department(value: Any) -> str:
    if isinstance(value, dict) and "kind" not in value:
        return "per_department"
    return "one"


WorkContent = Annotated[
    Annotated[Distribution, Tag("one")] | Annotated[dict[str, Distribution], Tag("per_department")],
    Discriminator(_one_or_per_department),
]
"""One distribution for every department the case needs, or a mapping department -> distribution."""

ShareByDepartment = Annotated[
    Annotated[Share, Tag("one")] | Annotated[dict[str, Share], Tag("per_department")],
    Discriminator(_one_or_per_department),
]


class Model(BaseModel):
    """Base of every block: unknown keys are refused, and so are infinite and NaN numbers."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


class Simulation(Model):
    horizon: Duration = Field(default=28 * 24, gt=0)
    warmup: Duration = Field(default=0, ge=0)
    drain_limit: Duration = Field(default=90 * 24, ge=0)
    allow_large: bool = Field(
        default=False, description="run a scenario above the size limits (warn, not refuse)")

    @field_validator("warmup")
    @classmethod
    def _warmup_inside(cls, warmup: float, info: ValidationInfo) -> float:
        # A field validator (not a model one), so that the error names simulation.warmup.
        horizon = info.data.get("horizon")
        if horizon is not None and warmup >= horizon:
            raise ValueError(f"warmup ({warmup:g}h) must be shorter than the horizon "
                             f"({horizon:g}h)")
        return warmup


class District(Model):
    # Grid weights are gamma(1/cv^2): beyond cv 5 a street's weights can all underflow to 0.
    grid_heterogeneity_cv: Number = Field(default=0.0, ge=0, le=5)
    hour_profile: list[Annotated[Number, Field(ge=0)]] = Field(
        default_factory=lambda: [1.0] * 24)

    @field_validator("hour_profile")
    @classmethod
    def _profile(cls, profile: list[float]) -> list[float]:
        if len(profile) not in (24, 7 * 24):
            raise ValueError("needs 24 values (one per hour of the day) or 168 (one per hour "
                             f"of the week, Monday 00:00 first), got {len(profile)}")
        total = sum(profile)
        if total <= 0:
            raise ValueError("must have a positive sum")
        if not math.isfinite(total):
            raise ValueError("values too large: their sum overflows")
        return profile


def _parse_overtime(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() == "unlimited":
        return UNLIMITED_OVERTIME
    if isinstance(value, str) and value.strip().lower() == "none":
        return 0.0
    return value


UNLIMITED_OVERTIME = MAX_DURATION_H
"""``overtime: unlimited``: every job begun is finished (stored as the longest duration)."""

Overtime = Annotated[Duration, BeforeValidator(_parse_overtime), Field(ge=0),
                     PlainSerializer(lambda h: "unlimited" if h >= UNLIMITED_OVERTIME else h)]


class Calendar(Model):
    """Working hours: ``{days: [mon, tue, wed, thu, fri], open: "09:00", close: "17:00"}``.

    ``overtime``: how long past closing time a person goes on with work in hand. ``none`` (the
    default): work pauses at closing and resumes at the next opening; a duration (``1h``): up
    to that much overtime, then the rest waits for the next opening; ``unlimited``: every job
    begun is finished, however late. Nobody starts a new job while the calendar is closed.
    """

    days: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = Field(
        default_factory=lambda: list(WEEKDAYS[:5]), min_length=1)
    open: TimeOfDay = Field(default=9.0, ge=0, lt=24)
    close: TimeOfDay = Field(default=17.0, gt=0, le=24)
    overtime: Overtime = 0.0

    @model_validator(mode="after")
    def _ordered(self):
        if not self.open < self.close:
            raise ValueError(f"'open' ({self.open:g}h) must be before 'close' ({self.close:g}h)")
        return self


def _default_calendars() -> dict[str, Calendar]:
    return {"office": Calendar(),
            "always": Calendar(days=list(WEEKDAYS), open=0, close=24,
                               overtime=UNLIMITED_OVERTIME)}


class Patrol(Model):
    """Grid workers' patrols: a covered grid's problem is found after ``mean_delay`` on average
    (exponential); a grid outside ``coverage`` is never patrolled."""

    mean_delay: Duration = Field(default=8.0, gt=0)
    coverage: Share = 1.0


class Street(Model):
    label: str = ""
    grids: Count = Field(default=20, ge=0, le=MAX_GRIDS)
    grid_workers: Count = Field(default=0, ge=0, le=UNLIMITED,
                                description="informational; patrols set discovery")
    dispatchers: Staff = 2
    staff: Staff = 4
    duties_share: Share = Field(default=0.0, description=(
        "share of the street staff's time that goes to duties other than cases (investment "
        "attraction, tax collection); reform.sinking.lift_street_duties frees it"))
    calendar: str = "office"
    powers: list[str] = Field(default_factory=list)
    travel_time: Distribution = Field(default_factory=lambda: fixed(0.25))
    patrol: Patrol = Field(default_factory=Patrol)
    report_delay: Distribution = Field(default_factory=lambda: fixed(0.1))


class Department(Model):
    label: str = ""
    staff: Staff = 10
    calendar: str = "office"
    travel_time: Distribution = Field(default_factory=lambda: fixed(1.0))


class CaseType(Model):
    label: str = ""
    rate: Number = Field(default=0.1, ge=0, description="occurrences per grid per day")
    departments: list[str] = Field(default_factory=list)
    deadline: Duration = Field(default=7 * 24, gt=0)
    respond_within: Duration = Field(default=24.0, gt=0, description=(
        "response deadline: a team on site (or the problem fixed) this soon after the report"))
    work: WorkContent = Field(
        default_factory=lambda: Exponential(kind="exponential", mean=2.0))
    street_work: Distribution | None = None
    on_spot_share: Share = 0.0
    on_spot_time: Distribution = Field(default_factory=lambda: fixed(0.5))
    citizen_call_share: Share = 0.5
    citizen_call_delay: Distribution = Field(default_factory=lambda: Exponential(
        kind="exponential", mean=24.0))
    bounce_prob: Share = 0.0
    misroute_prob: Share = 0.0
    quality_failure: Share = 0.0

    def work_for(self, department: str) -> Any:
        if isinstance(self.work, dict):
            return self.work[department]
        return self.work


class Triage(Model):
    time: Distribution = Field(default_factory=lambda: fixed(0.1))


class Referral(Model):
    """Pre-reform referral: one department after another, each through paperwork."""

    admin_delay_working_days: Distribution = Field(
        default_factory=lambda: Lognormal(kind="lognormal", mean=1.0, cv=0.5))
    bounce_return_working_days: Distribution = Field(
        default_factory=lambda: Lognormal(kind="lognormal", mean=1.0, cv=0.5))


class Reopen(Model):
    """Cases closed unsolved come back when a citizen calls again."""

    citizen_recall: Distribution = Field(default_factory=lambda: Lognormal(
        kind="lognormal", mean=5 * 24.0, cv=0.8))
    max_reopens: Count = Field(default=5, ge=0, le=16)


class WhistleTrigger(Model):
    """Which cases the street whistles (any rule that holds is enough).

    ``types``: case types always whistled (a list, or ``all``); ``min_departments``: cases
    needing at least this many departments (``null``: no such rule); ``after_street_failure``:
    a case the street handled itself and that failed verification; ``after_wait``: a referred
    case still in paperwork or bounces this long after its report (``null``: never).
    """

    types: list[str] | Literal["all"] = Field(default_factory=list)
    min_departments: Count | None = Field(default=2, ge=1, le=MAX_ENTRIES)
    after_street_failure: bool = True
    after_wait: Duration | None = Field(default=None, ge=0)


class Verification(Model):
    """Closed loop: the street verifies each result (``time``); a failed one returns to triage."""

    enabled: bool = True
    time: Distribution = Field(default_factory=lambda: fixed(2.0))


class Whistle(Model):
    """Whistle-and-report (街乡吹哨、部门报到).

    Every department a whistled case needs is summoned at once after ``signal_delay`` (a bounce
    means whistling again); whistled cases get ``priority`` in the queues (``non_preemptive``,
    ``preemptive`` or ``none``) and must have a team on site within ``report_within``
    (measured in ``reports.csv``). ``after_hours: on_call``: out of office hours
    ``on_call_share`` of a department's central people (not extra headcount) answer the
    emergencies, the types whistled by type (``trigger.types``); every other whistle, and
    whatever is still waiting when the office opens, goes to the office. Joint handling starts
    when every team is on site; with ``joint_work: max`` the teams work side by side and each
    leaves when its own part is done, with ``sum`` they do every part together.
    ``joint_wait_limit``: the teams on site wait at most this long (from the moment they were
    summoned, in the department's working hours when nobody is on call for the case) for a
    department that has nobody free; they then work without it, the missing
    department is recorded as absent in the visits and whistled again on its own, so a joint
    case never holds people indefinitely. On-call staff are people of the department's central
    roster: each hour they work out of office hours is given back as rest the next working
    morning (one central person off for that long). ``bounce_factor`` multiplies bounce and
    misrouting probabilities (the street's assessment power; on every route while the whistle
    is enabled). ``verification``: the closed loop.
    """

    enabled: bool = False
    trigger: WhistleTrigger = Field(default_factory=WhistleTrigger)
    signal_delay: Duration = Field(default=1 / 6, ge=0)
    priority: Literal["none", "non_preemptive", "preemptive"] = "non_preemptive"
    report_within: Duration = Field(default=0.5, gt=0)
    after_hours: Literal["office", "on_call"] = "office"
    on_call_share: Share = 0.2
    joint_work: Literal["max", "sum"] = "max"
    joint_wait_limit: Duration = Field(default=4.0, gt=0)
    bounce_factor: Number = Field(default=1.0, ge=0)
    verification: Verification = Field(default_factory=Verification)


class Sinking(Model):
    """Resource sinking (资源下沉).

    ``fraction`` of each department's staff (one share, or per department; unlisted ones keep
    everyone central) is stationed at streets, ``proportional`` to a street's expected work for
    the department or ``equal``; whole people, total preserved. A street sends its cases of
    that department to its team directly (no paperwork, no bounces); a busy team means waiting
    (``overflow: wait``) or the central pool (``central``). ``powers``: case types added to
    every street's power list, each served by existing capacity: a list gives each type to its
    own department's people (the stationed team at the street; its central pool where there is
    none), a mapping says who serves it (``{disorderly_parking: urban_management}``: that
    department's people; ``street``: the street's own staff, whose time for it must come from
    ``lift_street_duties``). ``lift_street_duties``: the street's staff no longer spend
    ``streets.*.duties_share`` of their time on other duties (Beijing, 2019: streets relieved
    of investment attraction and tax collection), so all of it goes to cases.
    ``integrated_centre``: the teams of ``centre_departments`` (empty: every department with a
    team) form one pool per street; a case needing two or more of its members is handled by
    the centre in one visit for their parts (work ``sum`` or ``max``), the departments it does
    not hold then follow as before. ``grid_coverage``: the share of grids patrolled after the
    reform (``null``: unchanged).
    """

    enabled: bool = False
    fraction: ShareByDepartment = 0.0
    allocation: Literal["proportional", "equal"] = "proportional"
    overflow: Literal["wait", "central"] = "central"
    powers: list[str] | dict[str, str] = Field(default_factory=list)
    lift_street_duties: bool = False
    integrated_centre: bool = False
    centre_departments: list[str] = Field(default_factory=list)
    centre_work: Literal["max", "sum"] = "sum"
    grid_coverage: Share | None = None

    def power_servers(self, case_types: dict[str, CaseType]) -> dict[str, str]:
        """Who serves each new power: a department's name, or ``street`` (its own staff)."""
        if isinstance(self.powers, dict):
            return dict(self.powers)
        return {t: (case_types[t].departments[0] if t in case_types
                    and case_types[t].departments else "street") for t in self.powers}

    def fraction_for(self, department: str) -> float:
        if not self.enabled:
            return 0.0
        if isinstance(self.fraction, dict):
            return self.fraction.get(department, 0.0)
        return self.fraction


ROUTE_NAMES = ("street", "team", "centre", "refer", "whistle")


class Quality(Model):
    """How the way a case is handled changes the chance that its closure really solves it.

    ``failure_factor`` multiplies a case type's ``quality_failure`` on each route (``street``,
    ``team``, ``centre``, ``refer``, ``whistle``); below 1 the route solves more problems the
    first time. Unlisted routes keep 1: by default every route is as good as any other.
    ``verified_factor`` multiplies it again on every route when the street verifies results
    (the closed loop: handlers who know their work is checked). The result is the chance per
    round, so a factor above 1 / quality_failure means certain failure (up to max_reopens).
    """

    failure_factor: dict[Literal["street", "team", "centre", "refer", "whistle"],
                         Annotated[float, Field(ge=0)]] = Field(default_factory=dict)
    verified_factor: float = Field(default=1.0, ge=0)

    def factor(self, route: str) -> float:
        return self.failure_factor.get(route, 1.0)


class Reform(Model):
    whistle: Whistle = Field(default_factory=Whistle)
    sinking: Sinking = Field(default_factory=Sinking)


class Scenario(Model):
    """A validated, fully resolved scenario."""

    name: str = Field(min_length=1)
    description: str = ""
    simulation: Simulation = Field(default_factory=Simulation)
    district: District = Field(default_factory=District)
    calendars: dict[str, Calendar] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    streets: dict[str, Street] = Field(min_length=0, max_length=MAX_ENTRIES)
    departments: dict[str, Department] = Field(default_factory=dict, max_length=MAX_ENTRIES)
    case_types: dict[str, CaseType] = Field(min_length=1, max_length=MAX_ENTRIES)
    triage: Triage = Field(default_factory=Triage)
    referral: Referral = Field(default_factory=Referral)
    reopen: Reopen = Field(default_factory=Reopen)
    quality: Quality = Field(default_factory=Quality)
    reform: Reform = Field(default_factory=Reform)

    @model_validator(mode="after")
    def _builtin_calendars(self):
        merged = _default_calendars()
        merged.update(self.calendars)
        self.calendars = merged
        return self


