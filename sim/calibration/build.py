"""A district scenario from a real case log (``govsim calibrate build``).

What the log gives, and how it becomes scenario values (the simulator's reading of a log's
columns is in ``sim.calibration.log``: created = ``t_report``, closed = ``t_closed``):

- **streets** are the log's areas (the ``top_areas`` busiest, the rest one street ``other``),
  **case types** its types (the ``top_types`` commonest, the rest ``other``), each with its
  original name as ``label``;
- **departments** are the units: each case type goes to the unit that handles most of its
  cases (the comment gives that share), so only units that are some type's main handler appear;
- **arrivals**: ``streets.<s>.grids`` is the number of the street's cases in the log and
  ``case_types.<k>.rate`` the type's cases per grid per day, so that the expected count of a
  street and of a type over the log's window are the log's counts. A type's mix is the same in
  every street (the schema has one rate per type; the log's type x area interaction is not
  kept). ``district.hour_profile`` is the hour-of-week profile (168 weights, Monday 00:00 first)
  of the log's created times, each hour's count divided by how often that hour of the week
  occurs in the window (an hour of the week the window never covers takes its hour of day's
  average). With a window of whole weeks, a type's rate is its count / (grids x days) exactly.
- **intake**: a case is on the platform (``t_report``) about a minute after it arises: patrols
  cover every grid with a one-minute mean delay and nobody calls, so the arrival profile is the
  profile of the created times. The one-minute "patrol" is a device, not grid workers.
- **deadlines** where the user gives them (``--deadline TYPE=DURATION``).

Everything else (staff, work content, travel, referral paperwork, bounce and quality-failure
probabilities, the share of administrative closures, calendars) the log cannot give: each is set
to a default and marked ``ASSUMPTION`` in a YAML comment next to its key, to be fitted
(``govsim calibrate fit``) or replaced by what the researcher knows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.log import CaseLog
from sim.calibration.names import scenario_names
from sim.scenario.errors import Problem, ScenarioError

OTHER = "other"
"""The scenario name of the group of every type (or area) not among the top ones."""
OTHER_LABEL = "(every other value in the log)"
"""The label that marks a group ``other`` (a real type called 'other' keeps its own label)."""
HOURS_OF_WEEK = 7 * 24

DEFAULT_WORK_MEAN_H = 2.0
TARGET_LOAD = 0.7
OFFICE_HOURS_PER_DAY = 9 * 5 / 7
"""Open hours per day, averaged over the week, of the default office calendar (08:00-17:00)."""


@dataclass(frozen=True)
class Grouping:
    """How a log's strings become scenario names: original -> name; the rest -> ``OTHER``."""

    case_types: dict[str, str]
    streets: dict[str, str]
    other_type: str | None
    other_street: str | None

    def type_names(self, originals: pd.Series) -> pd.Series:
        return originals.map(self.case_types).fillna(self.other_type or "")

    def street_names(self, originals: pd.Series) -> pd.Series:
        return originals.map(self.streets).fillna(self.other_street or "")

    @classmethod
    def from_scenario(cls, case_types: Mapping, streets: Mapping) -> Grouping:
        """The grouping a built scenario records in its labels (for ``calibrate check``)."""
        def split(block: Mapping) -> tuple[dict[str, str], str | None]:
            named = {getattr(v, "label", "") or k: k for k, v in block.items()}
            other = named.pop(OTHER_LABEL, None)
            return named, other

        types, other_type = split(case_types)
        areas, other_street = split(streets)
        return cls(types, areas, other_type, other_street)


def log_window(log: CaseLog) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[first day, day after the last) of the created times: a log covers whole days."""
    created = log.cases["created"]
    return created.min().floor("D"), created.max().floor("D") + pd.Timedelta(days=1)


def _hour_of_week(times: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    times = pd.DatetimeIndex(times)
    return np.asarray(times.day_of_week * 24 + times.hour, dtype=int)


def hour_of_week_rates(created: pd.Series, start: pd.Timestamp, end: pd.Timestamp
                       ) -> np.ndarray:
    """Cases per hour for each of the 168 hours of the week (Monday 00:00 first).

    Each hour's count over the window divided by the number of times that hour of the week
    occurs in it; an hour the window never covers takes its hour of day's average rate.
    """
    counts = np.bincount(_hour_of_week(created), minlength=HOURS_OF_WEEK).astype(float)
    hours = pd.date_range(start, end, freq="h", inclusive="left")
    exposure = np.bincount(_hour_of_week(hours), minlength=HOURS_OF_WEEK).astype(float)
    rates = np.divide(counts, exposure, out=np.zeros(HOURS_OF_WEEK), where=exposure > 0)
    by_day = np.bincount(np.arange(HOURS_OF_WEEK) % 24, weights=counts, minlength=24)
    by_day_exposure = np.bincount(np.arange(HOURS_OF_WEEK) % 24, weights=exposure, minlength=24)
    hod = np.divide(by_day, by_day_exposure, out=np.zeros(24), where=by_day_exposure > 0)
    missing = exposure == 0
    rates[missing] = hod[np.arange(HOURS_OF_WEEK)[missing] % 24]
    return rates


def _top(values: pd.Series, n: int) -> tuple[list[str], bool]:
    """The ``n`` commonest values (ties by name) and whether any value is left out."""
    counts = values.value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [k for k, _ in ordered[:n]], len(ordered) > n


def grouping_for(log: CaseLog, top_types: int, top_areas: int) -> Grouping:
    """The top types and areas of ``log`` with their scenario names."""
    types, rest_types = _top(log.cases["case_type"], top_types)
    areas, rest_areas = _top(log.cases["street"], top_areas)
    type_names = scenario_names(types, taken=[OTHER] if rest_types else [])
    street_names = scenario_names(areas, taken=[OTHER] if rest_areas else [])
    return Grouping(type_names, street_names, OTHER if rest_types else None,
                    OTHER if rest_areas else None)


@dataclass(frozen=True)
class Arrivals:
    """The arrival side of a scenario, from a log's counts over a window."""

    grids: dict[str, int]            # street -> cases in the window
    rates: dict[str, float]          # case type -> occurrences per grid per day
    hour_profile: list[float]        # 168 weights, mean 1
    per_day: dict[str, float]        # case type -> cases per day (the weekly average)
    days: float


def arrivals(log: CaseLog, grouping: Grouping, window: tuple[pd.Timestamp, pd.Timestamp]
             ) -> Arrivals:
    """Grids per street, rates per type and the hour-of-week profile that give, in
    expectation, the log's counts per street and per type over ``window``."""
    start, end = window
    cases = log.cases
    types = grouping.type_names(cases["case_type"])
    streets = grouping.street_names(cases["street"])
    hourly = hour_of_week_rates(cases["created"], start, end)
    per_day_total = 24 * float(hourly.mean())
    n = len(cases)
    grids = {name: int(count) for name, count in streets.value_counts().sort_index().items()}
    type_counts = types.value_counts()
    share = {name: float(type_counts.get(name, 0)) / n for name in _names(grouping, "types")}
    total_grids = sum(grids.values())
    rates = {k: per_day_total * s / total_grids for k, s in share.items()}
    profile = hourly / hourly.mean() if hourly.mean() > 0 else np.ones(HOURS_OF_WEEK)
    return Arrivals(grids=grids, rates=rates, hour_profile=[float(v) for v in profile],
                    per_day={k: per_day_total * s for k, s in share.items()},
                    days=(end - start) / pd.Timedelta(days=1))


def _names(grouping: Grouping, block: str) -> list[str]:
    named = grouping.case_types if block == "types" else grouping.streets
    other = grouping.other_type if block == "types" else grouping.other_street
    return sorted(named.values()) + ([other] if other else [])


def main_units(log: CaseLog, grouping: Grouping) -> dict[str, tuple[str, float]]:
    """case type -> (the unit handling most of its cases, that share); ties by name."""
    types = grouping.type_names(log.cases["case_type"])
    out = {}
    for name, units in log.cases["department"].groupby(types):
        counts = sorted(units.value_counts().items(), key=lambda kv: (-kv[1], kv[0]))
        out[str(name)] = (str(counts[0][0]), counts[0][1] / len(units))
    return out


def parse_deadlines(items: list[str], grouping: Grouping) -> dict[str, str]:
    """``TYPE=DURATION`` flags -> {scenario type name: duration}; TYPE is the log's name or
    the scenario's. A bad one raises ``ScenarioError`` naming ``--deadline``."""
    from sim.scenario.units import parse_duration

    known = {**grouping.case_types, **{v: v for v in grouping.case_types.values()}}
    if grouping.other_type:
        known[grouping.other_type] = grouping.other_type
    out = {}
    for item in items:
        name, sep, value = item.partition("=")

        def refuse(reason: str, item: str = item) -> ScenarioError:
            return ScenarioError([Problem("--deadline", "", f"{item!r}: {reason}")])

        if not sep:
            raise refuse("expected TYPE=DURATION, e.g. 'Graffiti Removal=3d'")
        if name not in known:
            raise refuse(f"no case type {name!r} in the built scenario (types: "
                         f"{', '.join(sorted(known.values()))})")
        try:
            hours = parse_duration(value)
        except (ValueError, TypeError) as exc:
            raise refuse(str(exc)) from None
        if not (hours > 0 and math.isfinite(hours)):
            raise refuse("must be a positive duration")
        out[known[name]] = value.strip()
    return out


def build_scenario(log: CaseLog, name: str = "calibrated", top_types: int = 10,
                   top_areas: int = 10, deadlines: list[str] | None = None):
    """The scenario document (a ruamel ``CommentedMap``, with ASSUMPTION comments) built from
    ``log``; ``save`` writes it."""
    from ruamel.yaml.comments import CommentedMap as Map

    grouping = grouping_for(log, top_types, top_areas)
    window = log_window(log)
    arr = arrivals(log, grouping, window)
    units = main_units(log, grouping)
    unit_names = scenario_names(sorted({u for u, _ in units.values()}))
    given = parse_deadlines(deadlines or [], grouping)
    labels = {v: k for k, v in grouping.case_types.items()}
    street_labels = {v: k for k, v in grouping.streets.items()}
    quick = float(((log.close_h <= 1.0) & ~log.censored).mean())

    doc = Map()
    doc["name"] = name
    doc["description"] = (f"Built by govsim calibrate build from {Path(log.source).name}: "
                          f"{len(log.cases):,} cases created {window[0].date()} to "
                          f"{(window[1] - pd.Timedelta(days=1)).date()}.")
    doc.yaml_set_start_comment(
        "Built from a real case log by `govsim calibrate build`. Arrivals, streets, case types\n"
        "and the department of each type come from the log; every value marked ASSUMPTION is\n"
        "a default the log cannot give (fit it with `govsim calibrate fit`, or replace it).\n"
        "The log's created time is the simulator's t_report, its closed time t_closed.")
    sim_block = Map(horizon=f"{max(28, math.ceil(arr.days))}d", warmup="7d", drain_limit="90d")
    sim_block.yaml_add_eol_comment("ASSUMPTION: four weeks (or the log's window) of arrivals",
                                   "horizon")
    sim_block.yaml_add_eol_comment("ASSUMPTION: queues fill within a week", "warmup")
    sim_block.yaml_add_eol_comment("ASSUMPTION: cases open 90 days after the horizon are "
                                   "censored", "drain_limit")
    doc["simulation"] = sim_block
    district = Map(grid_heterogeneity_cv=0.0,
                   hour_profile=[round(v, 4) for v in arr.hour_profile])
    district.yaml_add_eol_comment("grids are a device for the street's share of the cases "
                                  "here: all alike", "grid_heterogeneity_cv")
    district.yaml_add_eol_comment(
        f"from the log: created times by hour of the week (Monday 00:00 first), "
        f"{arr.days:g} days", "hour_profile")
    doc["district"] = district
    office = Map(days=["mon", "tue", "wed", "thu", "fri"], open="08:00", close="17:00",
                 overtime="none")
    doc["calendars"] = Map(office=office)
    doc["calendars"].yaml_add_eol_comment("ASSUMPTION: office hours of every department",
                                          "office")
    defaults = Map(dispatchers="unlimited", staff=0, calendar="office", powers=[],
                   travel_time={"kind": "fixed", "value": 0},
                   patrol={"mean_delay": "1min", "coverage": 1.0},
                   report_delay={"kind": "fixed", "value": 0})
    defaults.yaml_add_eol_comment("intake is not a queue in the log", "dispatchers")
    defaults.yaml_add_eol_comment("ASSUMPTION: every case goes to a department (no street "
                                  "powers)", "staff")
    defaults.yaml_add_eol_comment("the intake: a case is on the platform (created) about a "
                                  "minute after it arises", "patrol")
    doc["street_defaults"] = defaults
    streets = Map()
    for street, grids in arr.grids.items():
        label = street_labels.get(street, OTHER_LABEL if street == grouping.other_street
                                  else street)
        streets[street] = Map(label=label, grids=grids)
        streets.yaml_add_eol_comment(f"from the log: {grids} cases in the window", street)
    doc["streets"] = streets
    per_unit_day: dict[str, float] = {}
    for ctype, (unit, _) in units.items():
        per_unit_day[unit] = per_unit_day.get(unit, 0.0) + arr.per_day.get(ctype, 0.0)
    departments = Map()
    for unit, dept in sorted(unit_names.items(), key=lambda kv: kv[1]):
        offered = per_unit_day[unit] * DEFAULT_WORK_MEAN_H / OFFICE_HOURS_PER_DAY
        staff = max(1, math.ceil(offered / TARGET_LOAD))
        departments[dept] = Map(label=unit, staff=staff,
                                travel_time={"kind": "lognormal", "mean": "30min", "cv": 0.5})
        departments[dept].yaml_add_eol_comment(
            f"ASSUMPTION: sized for an offered load of {TARGET_LOAD} at office hours with the "
            f"default work ({per_unit_day[unit]:.1f} cases a day)", "staff")
        departments[dept].yaml_add_eol_comment("ASSUMPTION", "travel_time")
    doc["departments"] = departments
    case_types = Map()
    for ctype in _names(grouping, "types"):
        unit, share = units.get(ctype, (None, 0.0))
        if unit is None:
            continue
        label = labels.get(ctype, OTHER_LABEL)
        entry = Map(label=label, rate=float(f"{arr.rates[ctype]:.6g}"),
                    departments=[unit_names[unit]])
        entry.yaml_add_eol_comment(f"from the log: {arr.per_day[ctype]:.2f} cases a day",
                                   "rate")
        entry.yaml_add_eol_comment(f"from the log: {100 * share:.0f}% of its cases",
                                   "departments")
        if ctype in given:
            entry["deadline"] = given[ctype]
            entry.yaml_add_eol_comment("given (--deadline)", "deadline")
        else:
            entry["deadline"] = "7d"
            entry.yaml_add_eol_comment("ASSUMPTION: no deadline given (--deadline)", "deadline")
        entry["work"] = {"kind": "lognormal", "mean": f"{DEFAULT_WORK_MEAN_H:g}h", "cv": 0.7}
        entry.yaml_add_eol_comment("ASSUMPTION: work content of one visit", "work")
        entry["citizen_call_share"] = 0.0
        entry.yaml_add_eol_comment("cases reach the platform by the intake (street_defaults."
                                   "patrol)", "citizen_call_share")
        entry["on_spot_share"] = 0.0
        entry.yaml_add_eol_comment(
            f"ASSUMPTION: share of administrative closures at intake (the log closes "
            f"{100 * quick:.0f}% of all cases within 1 h)", "on_spot_share")
        entry["on_spot_time"] = {"kind": "exponential", "mean": "10min"}
        entry.yaml_add_eol_comment("ASSUMPTION: time to an administrative closure",
                                   "on_spot_time")
        entry["bounce_prob"] = 0.0
        entry.yaml_add_eol_comment("ASSUMPTION: departments never refuse a case", "bounce_prob")
        entry["misroute_prob"] = 0.0
        entry.yaml_add_eol_comment("ASSUMPTION", "misroute_prob")
        entry["quality_failure"] = 0.0
        entry.yaml_add_eol_comment("ASSUMPTION: every closure solves the problem (no reopening)",
                                   "quality_failure")
        case_types[ctype] = entry
    doc["case_types"] = case_types
    doc["triage"] = Map(time={"kind": "fixed", "value": 0})
    doc["triage"].yaml_add_eol_comment("the log has no street triage", "time")
    referral = Map(admin_delay_working_days={"kind": "lognormal", "mean": 1.0, "cv": 0.5},
                   bounce_return_working_days={"kind": "lognormal", "mean": 1.0, "cv": 0.5})
    referral.yaml_add_eol_comment("ASSUMPTION: paperwork before a department takes a case",
                                  "admin_delay_working_days")
    referral.yaml_add_eol_comment("ASSUMPTION", "bounce_return_working_days")
    doc["referral"] = referral
    return doc


def save(doc, path: str | Path) -> Path:
    """Write the scenario document with its comments."""
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 100
    yaml.default_flow_style = False
    _flow_leaves(doc)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(doc, fh)
    return path


def _flow_leaves(node) -> None:
    """Lists and mappings of plain values (distributions, profiles) on one line, blocks as
    blocks: the layout of the bundled scenarios."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, value in list(items):
        if isinstance(value, dict | list):
            leaf = all(not isinstance(v, dict | list)
                       for v in (value.values() if isinstance(value, dict) else value))
            # A comment inside a flow mapping would end up inside its braces.
            leaf = leaf and not getattr(getattr(value, "ca", None), "items", None)
            if leaf:
                if not isinstance(value, CommentedMap | CommentedSeq):
                    value = (CommentedMap(value) if isinstance(value, dict)
                             else CommentedSeq(value))
                    node[key] = value
                value.fa.set_flow_style()
            else:
                _flow_leaves(value)
