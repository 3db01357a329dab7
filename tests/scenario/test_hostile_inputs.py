"""A corpus of hostile inputs (issue 11): each is refused before anything runs, in one line.

Every row of ``CORPUS`` breaks one thing and says what the researcher must be told: the source
the line names (the scenario file, ``--set``, or a flag), the key path, and a fragment of the
reason. The classes are those of issue 11: values silently changed or names that collide (3),
work without bound (4), non-finite values (5), tracebacks instead of a line (6).

Kinds of rows:

``set``   ``govsim check BASE --set OVERRIDE``: the line names ``--set`` and the key path;
``file``  a scenario file ``extends: base.yaml`` plus a snippet (or, with ``whole=True``, the
          text alone): the line names that file;
``flag``  a command line (``{base}``, ``{out}`` and ``{tmp}`` are filled in): the line names
          the flag;
``data``  ``govsim calibrate`` on a file of the given bytes: the line names that file.

Each check asserts the exit code (2), that exactly one ``error:`` line is printed and it is the
expected one, that no traceback is printed, and (for scenarios) that ``run`` refuses the same
way without creating its output folder. They run in-process (``sim.cli.main``); a few go through
a real subprocess to show what a shell sees.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sim.cli import EXIT_BAD_INPUT, main

ROOT = Path(__file__).resolve().parents[2]

BASE = """\
name: hostile
simulation: {horizon: 2d, warmup: 0, drain_limit: 2d}
street_defaults: {calendar: always}
streets: {a: {grids: 4}, b: {grids: 2}}
departments: {um: {staff: 2, calendar: always}, housing: {staff: 1, calendar: always}}
case_types:
  parking: {rate: 0.5, departments: [um], deadline: 24h}
  joint: {rate: 0.1, departments: [um, housing]}
"""


@dataclass(frozen=True)
class Hostile:
    id: str
    kind: str                   # set, file, flag, data
    issue_class: str            # 3, 4, 5 or 6 of issue 11
    payload: object             # override(s), YAML snippet, argv, or file bytes
    source: str                 # "--set", "FILE", or the flag named
    path: str                   # key path ("" for the whole file, or for a flag)
    reason: str                 # a fragment of the reason
    whole: bool = False         # file: the snippet is the whole file (no extends)
    extra_files: dict = field(default_factory=dict)   # file: other files next to it


def S(id, cls, overrides, path, reason):
    overrides = [overrides] if isinstance(overrides, str) else overrides
    return Hostile(id, "set", cls, tuple(overrides), "--set", path, reason)


def F(id, cls, snippet, path, reason, whole=False, source="FILE", extra_files=None):
    return Hostile(id, "file", cls, snippet, source, path, reason, whole, extra_files or {})


def A(id, cls, argv, flag, reason, extra_files=None):
    return Hostile(id, "flag", cls, tuple(argv), flag, "", reason, extra_files=extra_files or {})


def city(block: str) -> dict:
    """A city file next to the base scenario, for ``govsim city {tmp}/city.yaml``."""
    return {"city.yaml": f"extends: base.yaml\ncity: {block}\n"}


CITY = ["city", "{tmp}/city.yaml", "--out", "{out}", "--quiet", "--no-figures"]


def D(id, cls, content: bytes, reason):
    return Hostile(id, "data", cls, content, "FILE", "", reason)


def _alias_bomb(levels: int = 9) -> str:
    """The billion laughs: nine lists of nine references to the list before (~700 bytes)."""
    lines = ['  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines)


def _profile(*values) -> str:
    return "[" + ", ".join([*map(str, values), *["1"] * (24 - len(values))]) + "]"


def _flow_alias_bomb(levels: int = 9) -> str:
    """The same bomb on one line, for ``--set``: ``[&l0 [lol, ...], &l1 [*l0, ...], ...]``."""
    items = ["&l0 [" + ", ".join(["lol"] * 9) + "]"]
    items += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "[" + ", ".join(items) + "]"


BOMB = _alias_bomb()
FLOW_BOMB = _flow_alias_bomb()
RUN = ["run", "{base}", "--out", "{out}", "--quiet", "--no-figures"]
LA311_HEADER = b"CreatedDate,ClosedDate,UpdatedDate,RequestType,Owner,Status\n"

CORPUS: list[Hostile] = [
    # ----------------------------------------------------------- 3: names that collide
    S("case_type_ALL", "3", "case_types.ALL={rate: 0.1, departments: [um]}", "case_types.ALL",
      "'ALL' is reserved"),
    S("case_type_all_lowercase", "3", "case_types.all={departments: [um]}", "case_types.all",
      "'all' is reserved"),
    S("street_ALL", "3", "streets.ALL={grids: 1}", "streets.ALL", "is reserved"),
    S("department_All", "3", "departments.All={staff: 1}", "departments.All", "is reserved"),
    S("calendar_ALL", "3", "calendars.ALL={days: [mon]}", "calendars.ALL", "is reserved"),
    S("street_central", "3", "streets.central={grids: 1}", "streets.central",
      "reserved for pool names"),
    S("street_on_call", "3", "streets.on_call={grids: 1}", "streets.on_call",
      "reserved for pool names"),
    S("street_dispatch", "3", "streets.dispatch={grids: 1}", "streets.dispatch",
      "reserved for pool names"),
    S("street_staff", "3", "streets.staff={grids: 1}", "streets.staff",
      "reserved for pool names"),
    S("department_centre", "3", "departments.centre={staff: 1}", "departments.centre",
      "reserved for pool names"),
    S("street_with_slash", "3", "streets.a/b={grids: 1}", "streets.a/b", "cannot contain '/'"),
    S("department_with_slash", "3", "departments.x/central={staff: 1}",
      "departments.x/central", "cannot contain '/'"),
    F("case_type_with_newline", "3", 'case_types:\n  "a\\nb": {departments: [um]}\n',
      "case_types.a\\nb", "control characters"),
    F("case_type_empty_name", "3", 'case_types:\n  "": {departments: [um]}\n', "case_types.",
      "cannot be empty"),
    F("street_blank_name", "3", 'streets:\n  "   ": {grids: 1}\n', "streets.   ",
      "cannot be empty"),
    S("street_name_too_long", "3", f"streets.{'s' * 101}={{grids: 1}}", f"streets.{'s' * 101}",
      "at most 100 characters"),
    F("scenario_name_with_newline", "3", 'name: "two\\nlines"\n', "name",
      "control characters"),
    F("scenario_name_blank", "3", 'name: "   "\n', "name", "cannot be empty"),
    F("street_key_is_a_number", "3", "streets:\n  1: {grids: 1}\n", "streets",
      "a name must be text, got the key 1"),
    F("street_key_is_null", "3", "streets:\n  null: {grids: 1}\n", "streets",
      "a name must be text, got the key null"),
    F("case_type_key_is_yes", "3", "case_types:\n  yes: {departments: [um]}\n", "case_types",
      "a name must be text, got the key true"),
    # ----------------------------------------------------------- 3: values silently changed
    S("open_minutes_75", "3", "calendars.late={open: '09:75', close: '17:00'}",
      "calendars.late.open", "minutes must be 00-59"),
    S("close_minutes_60", "3", "calendars.late={open: '09:00', close: '17:60'}",
      "calendars.late.close", "minutes must be 00-59"),
    S("open_hour_25", "3", "calendars.late={open: '25:00'}", "calendars.late.open",
      "must be < 24"),
    S("staff_true", "3", "departments.um.staff=true", "departments.um.staff",
      "expected a number, got true"),
    S("staff_false", "3", "departments.um.staff=false", "departments.um.staff",
      "expected a number, got false"),
    S("staff_minus_inf", "3", "departments.um.staff=-.inf", "departments.um.staff",
      "must be a finite number, got -inf"),
    S("staff_nan", "3", "departments.um.staff=.nan", "departments.um.staff", "finite number"),
    S("staff_fraction", "3", "departments.um.staff=2.5", "departments.um.staff",
      "must be a whole number, got 2.5"),
    S("staff_above_unlimited", "3", "departments.um.staff=2000000000", "departments.um.staff",
      "must be <= 1000000000"),
    S("dispatchers_yes", "3", "streets.a.dispatchers=yes", "streets.a.dispatchers",
      "expected a number, got true"),
    S("grids_true", "3", "streets.a.grids=true", "streets.a.grids", "expected a number"),
    S("grids_fraction", "3", "streets.a.grids=1.5", "streets.a.grids",
      "must be a whole number, got 1.5"),
    S("rate_true", "3", "case_types.parking.rate=true", "case_types.parking.rate",
      "expected a number, got true"),
    S("on_spot_share_true", "3", "case_types.parking.on_spot_share=true",
      "case_types.parking.on_spot_share", "expected a number, got true"),
    S("bounce_factor_true", "3", "reform.whistle.bounce_factor=true",
      "reform.whistle.bounce_factor", "expected a number"),
    S("sinking_fraction_true", "3", "reform.sinking.fraction=true", "reform.sinking.fraction",
      "expected a number"),
    S("max_reopens_true", "3", "reopen.max_reopens=true", "reopen.max_reopens",
      "expected a number"),
    S("min_departments_true", "3", "reform.whistle.trigger.min_departments=true",
      "reform.whistle.trigger.min_departments", "expected a number"),
    S("hour_profile_with_a_boolean", "3", f"district.hour_profile={_profile('true')}",
      "district.hour_profile[0]", "expected a number, got true"),
    S("heterogeneity_above_5", "3", "district.grid_heterogeneity_cv=6",
      "district.grid_heterogeneity_cv", "must be <= 5"),
    A("confidence_2", "3", [*RUN, "--confidence", "2"], "--confidence", "between 0 and 1"),
    A("confidence_95", "3", [*RUN, "--confidence", "95"], "--confidence",
      "a percentage? use 0.95"),
    A("confidence_0", "3", [*RUN, "--confidence", "0"], "--confidence", "between 0 and 1"),
    A("confidence_1", "3", [*RUN, "--confidence", "1"], "--confidence", "between 0 and 1"),
    A("confidence_negative", "3", [*RUN, "--confidence=-0.5"], "--confidence",
      "between 0 and 1"),
    A("city_district_named_CITY", "3", CITY, "TMP/city.yaml",
      "city.districts: district 'CITY': 'CITY' is reserved",
      city("{cases_per_year: 1000, districts: {CITY: {streets: 1}}}")),
    A("city_district_with_slash", "3", CITY, "TMP/city.yaml", "cannot contain '/'",
      city("{cases_per_year: 1000, districts: {'../up': {streets: 1}}}")),
    A("city_cases_per_year_true", "3", CITY, "TMP/city.yaml",
      "city.cases_per_year: expected a number, got true",
      city("{cases_per_year: true, districts: {d: {streets: 1}}}")),
    A("scheduler_without_dask", "3", [*RUN, "--scheduler", "tcp://127.0.0.1:8786"],
      "--scheduler", "only used with --backend dask"),
    # ----------------------------------------------------------- 4: work without bound
    F("alias_bomb_in_description", "4", f"anchors:\n{BOMB}\ndescription: *l9\n", "",
      "expands to more than 1,000,000 values"),
    F("alias_bomb_as_powers", "4", f"anchors:\n{BOMB}\nstreet_defaults: {{powers: *l9}}\n", "",
      "expands to more than 1,000,000 values"),
    F("alias_cycle", "4", "description: &me [1, *me]\n", "", "a cycle"),
    F("mapping_alias_cycle", "4", "district: &d {hour_profile: *d}\n", "", "a cycle"),
    F("nested_3000_deep", "4", "description: " + "[" * 3000 + "]" * 3000 + "\n", "",
      "nested more than 40 levels deep"),
    F("nested_60_deep", "4", "description: " + "[" * 60 + "]" * 60 + "\n", "",
      "nested more than 40 levels deep"),
    F("file_over_5_MB", "4", "# " + "x" * 5_000_000 + "\n", "", "larger than 5,000,000 bytes"),
    F("extends_chain_of_40", "4", "extends: chain1.yaml\n", "extends",
      "a chain of more than 32 files", whole=True, source="chain31.yaml",
      extra_files={**{f"chain{i}.yaml": f"extends: chain{i + 1}.yaml\n" for i in range(1, 40)},
                   "chain40.yaml": "extends: base.yaml\n"}),
    S("set_value_alias_bomb", "4", f"description={FLOW_BOMB}", "description",
      "expands to more than 1,000,000 values"),
    S("set_key_path_too_long", "4", ".".join(["k"] * 50) + "=1", "k.k.k...",
      "a key path of more than 40 keys"),
    S("ten_million_grids", "4", ["streets.a.grids=10000000", "simulation.horizon=28d"],
      "streets.a.grids", "more than the limit of 20,000,000"),
    S("ten_million_cases_per_grid_day", "4", "case_types.parking.rate=1.0e+7",
      "case_types.parking.rate", "more than the limit of 20,000,000"),
    S("grids_above_ten_million", "4", "streets.a.grids=20000000", "streets.a.grids",
      "must be <= 10000000"),
    S("grids_of_a_hundred_digits", "4", f"streets.a.grids={10**100}", "streets.a.grids",
      "must be <= 10000000"),
    F("integer_of_5000_digits", "4", f"streets: {{a: {{grids: {'9' * 5000}}}}}\n", "",
      "4300 digits"),
    S("horizon_of_21_years", "4", "simulation.horizon=1100w", "simulation.horizon",
      "more than the limit of 175,200h (20 years)"),
    S("drain_limit_of_30_years", "4", "simulation.drain_limit=1560w",
      "simulation.drain_limit", "of simulated time, more than the limit"),
    S("drain_limit_past_a_million_hours", "4", "simulation.drain_limit=1e7",
      "simulation.drain_limit", "at most 1,000,000h"),
    F("setup_of_100000_pairs", "4",
      "name: big\nsimulation: {horizon: 365d}\ndepartments: {um: {}}\nstreets: {" +
      ", ".join(f"s{i}: {{grids: 1}}" for i in range(1000)) + "}\ncase_types: {" +
      ", ".join(f"t{k}: {{rate: 0.0001, departments: [um]}}" for k in range(100)) + "}\n",
      "streets", "setup steps per replication", whole=True),
    F("ten_thousand_and_one_streets", "4",
      "name: many\ncase_types: {t: {}}\nstreets: {"
      + ", ".join(f"s{i}: {{}}" for i in range(10_001)) + "}\n", "streets",
      "at most 10,000 entries, got 10,001", whole=True),
    A("city_of_a_billion_streets", "4", CITY, "TMP/city.yaml",
      "city.districts.d.streets: Input should be less than or equal to 10000",
      city("{cases_per_year: 1000, districts: {d: {streets: 1000000000}}}")),
    A("city_of_ten_billion_cases", "4", CITY, "TMP/base.yaml",
      "case_types.parking.rate: expected",
      city("{cases_per_year: 1.0e+10, districts: {d: {streets: 2}}}")),
    A("reps_above_100000", "4", [*RUN, "--reps", "100001"], "--reps",
      "from 1 to 100,000"),
    A("workers_2000", "4", [*RUN, "--workers", "2000", "--backend", "processes"], "--workers",
      "from 1 to 1,024"),
    A("seed_above_64_bits", "4", [*RUN, "--seed", str(2**64)], "--seed", "from 0 to"),
    A("max_reps_above_100000", "4", [*RUN, "--target-precision", "0.1", "--max-reps",
                                     "1000000"], "--max-reps", "from 1 to 100,000"),
    A("warmup_step_of_a_millisecond", "4",
      ["warmup", "{base}", "--out", "{out}", "--quiet", "--no-figures", "--step", "1e-3s"],
      "--step", "more than 100,000; use a step of at least"),
    A("warmup_period_of_20160_steps", "4",
      ["warmup", "{base}", "--out", "{out}", "--quiet", "--no-figures", "--step", "30s",
       "--period", "1w"], "--period", "more than 10,080"),
    A("sweep_of_100000_points", "4",
      ["sweep", "{base}", "--out", "{out}", "--quiet", "--no-figures",
       *[arg for k in ("a", "b", "c", "d", "e") for arg in
         ("--vary", f"streets.{k}.grids=" + ",".join(str(v) for v in range(1, 11)))]],
      "--vary", "100,000 points, more than 10,000"),
    A("sweep_point_too_large", "4",
      ["sweep", "{base}", "--out", "{out}", "--quiet", "--no-figures", "--vary",
       "simulation.horizon=1d,1100w"], "--vary", "simulation.horizon: horizon"),
    # ----------------------------------------------------------- 5: non-finite values
    S("horizon_inf", "5", "simulation.horizon=.inf", "simulation.horizon",
      "expected a finite duration"),
    S("horizon_nan", "5", "simulation.horizon=.nan", "simulation.horizon",
      "expected a finite duration"),
    S("warmup_nan", "5", "simulation.warmup=.nan", "simulation.warmup", "finite duration"),
    S("drain_limit_inf", "5", "simulation.drain_limit=.inf", "simulation.drain_limit",
      "finite duration"),
    S("deadline_inf", "5", "case_types.parking.deadline=.inf", "case_types.parking.deadline",
      "finite duration"),
    S("deadline_1e400_hours", "5", "case_types.parking.deadline=1e400h",
      "case_types.parking.deadline", "finite duration"),
    S("hour_profile_inf", "5", f"district.hour_profile={_profile('.inf')}",
      "district.hour_profile[0]", "must be a finite number, got inf"),
    S("hour_profile_nan", "5", f"district.hour_profile={_profile(1, '.nan')}",
      "district.hour_profile[1]", "finite number"),
    S("hour_profile_sum_overflows", "5",
      "district.hour_profile=[" + ", ".join(["1.0e+308"] * 24) + "]", "district.hour_profile",
      "their sum overflows"),
    S("heterogeneity_inf", "5", "district.grid_heterogeneity_cv=.inf",
      "district.grid_heterogeneity_cv", "finite number"),
    S("heterogeneity_nan", "5", "district.grid_heterogeneity_cv=.nan",
      "district.grid_heterogeneity_cv", "finite number"),
    S("rate_inf", "5", "case_types.parking.rate=.inf", "case_types.parking.rate",
      "must be a finite number, got inf"),
    S("rate_nan", "5", "case_types.parking.rate=.nan", "case_types.parking.rate",
      "finite number"),
    S("rate_minus_inf", "5", "case_types.parking.rate=-.inf", "case_types.parking.rate",
      "finite number"),
    S("rate_finite_but_cases_overflow", "5", "case_types.parking.rate=1.0e+308",
      "case_types.parking.rate", "more than the limit of 20,000,000"),
    S("exponential_mean_inf", "5", "case_types.parking.work={kind: exponential, mean: .inf}",
      "case_types.parking.work.mean", "finite duration"),
    S("exponential_mean_nan", "5", "case_types.parking.work={kind: exponential, mean: .nan}",
      "case_types.parking.work.mean", "finite duration"),
    S("exponential_mean_two_million_hours", "5",
      "case_types.parking.work={kind: exponential, mean: 2000000}",
      "case_types.parking.work.mean", "at most 1,000,000h"),
    S("lognormal_cv_inf", "5", "case_types.parking.work={kind: lognormal, mean: 2h, cv: .inf}",
      "case_types.parking.work.cv", "finite number"),
    S("lognormal_sigma_nan", "5",
      "case_types.parking.work={kind: lognormal, median: 2h, sigma: .nan}",
      "case_types.parking.work.sigma", "finite number"),
    S("lognormal_mean_overflows", "5",
      "case_types.parking.work={kind: lognormal, median: 1h, sigma: 40}",
      "case_types.parking.work", "parameters out of range"),
    S("lognormal_cv_squared_overflows", "5",
      "case_types.parking.work={kind: lognormal, mean: 1h, cv: 1.0e+200}",
      "case_types.parking.work", "parameters out of range"),
    S("lognormal_mean_above_a_million_hours", "5",
      "case_types.parking.work={kind: lognormal, median: 1h, sigma: 6}",
      "case_types.parking.work", "more than 1,000,000"),
    S("gamma_shape_overflows", "5", "case_types.parking.work={kind: gamma, mean: 1h, "
      "cv: 1.0e-200}", "case_types.parking.work", "parameters out of range"),
    S("gamma_cv_inf", "5", "case_types.parking.work={kind: gamma, mean: 1h, cv: .inf}",
      "case_types.parking.work.cv", "finite number"),
    S("weibull_mean_overflows", "5",
      "case_types.parking.work={kind: weibull, shape: 0.001, scale: 1h}",
      "case_types.parking.work", "parameters out of range"),
    S("weibull_mean_above_a_million_hours", "5",
      "case_types.parking.work={kind: weibull, shape: 0.1, scale: 100000}",
      "case_types.parking.work", "more than 1,000,000"),
    S("weibull_scale_inf", "5", "case_types.parking.work={kind: weibull, shape: 1, "
      "scale: .inf}", "case_types.parking.work.scale", "finite duration"),
    S("uniform_high_inf", "5", "streets.a.travel_time={kind: uniform, low: 0, high: .inf}",
      "streets.a.travel_time.high", "finite duration"),
    S("triangular_mode_nan", "5", "triage.time={kind: triangular, low: 0, mode: .nan, high: 1}",
      "triage.time.mode", "finite duration"),
    S("fixed_value_inf", "5", "reopen.citizen_recall={kind: fixed, value: .inf}",
      "reopen.citizen_recall.value", "finite duration"),
    S("empirical_value_inf", "5",
      "case_types.joint.work={kind: empirical, values: [1h, .inf]}",
      "case_types.joint.work.values[1]", "finite duration"),
    S("working_days_lognormal_overflows", "5",
      "referral.admin_delay_working_days={kind: lognormal, median: 1, sigma: 50}",
      "referral.admin_delay_working_days", "parameters out of range"),
    S("bounce_factor_inf", "5", "reform.whistle.bounce_factor=.inf",
      "reform.whistle.bounce_factor", "finite number"),
    S("on_spot_share_nan", "5", "case_types.parking.on_spot_share=.nan",
      "case_types.parking.on_spot_share", "finite number"),
    S("sinking_fraction_nan", "5", "reform.sinking.fraction={um: .nan}",
      "reform.sinking.fraction.um", "finite number"),
    S("patrol_coverage_inf", "5", "streets.a.patrol={coverage: .inf}",
      "streets.a.patrol.coverage", "finite number"),
    S("patrol_mean_delay_inf", "5", "streets.a.patrol={mean_delay: .inf}",
      "streets.a.patrol.mean_delay", "finite duration"),
    S("whistle_after_wait_inf", "5", "reform.whistle.trigger.after_wait=.inf",
      "reform.whistle.trigger.after_wait", "finite duration"),
    S("whistle_signal_delay_nan", "5", "reform.whistle.signal_delay=.nan",
      "reform.whistle.signal_delay", "finite duration"),
    S("whistle_report_within_inf", "5", "reform.whistle.report_within=.inf",
      "reform.whistle.report_within", "finite duration"),
    S("street_default_travel_inf", "5",
      "street_defaults.travel_time={kind: fixed, value: .inf}",
      "street_defaults.travel_time.value", "finite duration"),
    A("city_cases_per_year_inf", "5", CITY, "TMP/city.yaml",
      "city.cases_per_year: Input should be a finite number",
      city("{cases_per_year: .inf, districts: {d: {streets: 1}}}")),
    A("confidence_nan", "5", [*RUN, "--confidence", "nan"], "--confidence",
      "must be a finite number"),
    A("confidence_inf", "5", [*RUN, "--confidence", "inf"], "--confidence",
      "must be a finite number"),
    A("target_precision_nan", "5", [*RUN, "--target-precision", "nan"], "--target-precision",
      "must be a finite number"),
    A("target_precision_inf", "5", [*RUN, "--target-precision", "inf"], "--target-precision",
      "must be a finite number"),
    A("target_precision_negative", "5", [*RUN, "--target-precision=-0.1"],
      "--target-precision", "must be > 0"),
    A("warmup_step_inf", "5", ["warmup", "{base}", "--out", "{out}", "--step", "1e400h"],
      "--step", "finite duration"),
    A("calibrate_quick_nan", "5", ["calibrate", "distributions", "{tmp}/none.csv", "--quick", "nan"],
      "--quick", "must be a finite number"),
    # ----------------------------------------------------------- 6: a line, not a traceback
    F("latin_1_file", "6", "name: caf\xe9\n".encode("latin-1"), "",
      "not UTF-8 text (byte 0xe9 at offset 9)", whole=True),
    F("utf_16_file", "6", "name: x\n".encode("utf-16"), "", "not UTF-8 text", whole=True),
    F("binary_file", "6", bytes(range(256)) * 4, "", "not UTF-8 text", whole=True),
    F("parent_not_utf8", "6", "extends: latin.yaml\n", "", "not UTF-8 text",
      whole=True, source="latin.yaml", extra_files={"latin.yaml": "name: caf\xe9\n".encode(
          "latin-1")}),
    F("extends_a_directory", "6", "extends: folder\n", "extends", "not a file", whole=True,
      extra_files={"folder/x.yaml": "name: x\n"}),
    F("extends_a_number", "6", "extends: 5\n", "extends", "must be a file name, got 5",
      whole=True),
    F("extends_empty", "6", "extends: ''\n", "extends", "must be a file name", whole=True),
    F("extends_chain_of_2000", "6", "extends: deep1.yaml\n", "extends",
      "a chain of more than 32 files", whole=True, source="deep31.yaml",
      extra_files={f"deep{i}.yaml": f"extends: deep{i + 1}.yaml\n" for i in range(1, 2000)}),
    A("scenario_is_a_directory", "6", ["check", "{tmp}"], "TMP", "cannot read"),
    A("reps_0", "6", [*RUN, "--reps", "0"], "--reps", "from 1 to 100,000, got 0"),
    A("reps_negative", "6", [*RUN, "--reps=-2"], "--reps", "got -2"),
    A("reps_not_a_number", "6", [*RUN, "--reps", "five"], "--reps",
      "expected a whole number, got 'five'"),
    A("seed_negative", "6", [*RUN, "--seed=-1"], "--seed", "from 0 to"),
    A("workers_0", "6", [*RUN, "--workers", "0"], "--workers", "from 1 to 1,024, got 0"),
    A("workers_negative", "6", [*RUN, "--workers=-4", "--backend", "processes"], "--workers",
      "got -4"),
    A("precision_metric_unknown", "6", [*RUN, "--target-precision", "0.1",
                                        "--precision-metric", "p99_h"], "--precision-metric",
      "invalid choice: 'p99_h'"),
    A("precision_metric_count", "6", [*RUN, "--target-precision", "0.1", "--precision-metric",
                                      "n"], "--precision-metric", "invalid choice: 'n'"),
    A("max_reps_below_reps", "6", [*RUN, "--reps", "5", "--target-precision", "0.1",
                                   "--max-reps", "3"], "--max-reps", "must be at least --reps"),
    A("scheduler_without_port", "6", [*RUN, "--backend", "dask", "--scheduler", "nohost"],
      "--scheduler", "cannot connect to 'nohost'"),
    A("scheduler_unknown_scheme", "6", [*RUN, "--backend", "dask", "--scheduler",
                                        "xyz://host:1"], "--scheduler", "unknown address scheme"),
    A("compare_reps_0", "6", ["compare", "{base}", "{base}", "--reps", "0"], "--reps", "got 0"),
    A("sweep_confidence_95", "6", ["sweep", "{base}", "--vary", "streets.a.grids=1,2",
                                   "--confidence", "95"], "--confidence", "between 0 and 1"),
    A("warmup_step_zero", "6", ["warmup", "{base}", "--step", "0"], "--step",
      "must be longer than 0"),
    A("warmup_step_not_a_duration", "6", ["warmup", "{base}", "--step", "often"], "--step",
      "expected a duration"),
    A("warmup_step_too_coarse", "6", ["warmup", "{base}", "--out", "{out}", "--step", "1d"],
      "--step", "MSER-5 needs at least 10"),
    A("warmup_period_negative", "6", ["warmup", "{base}", "--period=-1w"], "--period",
      "must be >= 0"),
    A("validate_reps_1", "6", ["validate", "--quick", "--reps", "1"], "--reps",
      "from 2 to 100,000"),
    A("validate_only_nothing", "6", ["validate", "--quick", "--only", "no-such-reduction"],
      "--only", "no reduction's name contains 'no-such-reduction'"),
    A("validate_confidence_99", "6", ["validate", "--confidence", "99"], "--confidence",
      "a percentage? use 0.99"),
    A("city_reps_0", "6", ["city", "{base}", "--reps", "0"], "--reps", "got 0"),
    A("city_workers_0", "6", ["city", "{base}", "--workers", "0"], "--workers", "got 0"),
    A("city_seed_negative", "6", ["city", "{base}", "--seed=-5"], "--seed", "from 0 to"),
    A("calibrate_min_n_0", "6", ["calibrate", "distributions", "{tmp}/none.csv", "--min-n", "0"], "--min-n",
      "from 1 to"),
    A("calibrate_missing_file", "6", ["calibrate", "distributions", "{tmp}/no-such-log.csv", "--out", "{out}"],
      "TMP/no-such-log.csv", "file not found"),
    A("calibrate_a_directory", "6", ["calibrate", "distributions", "{tmp}", "--out", "{out}"], "TMP",
      "cannot read: Is a directory"),
    D("calibrate_empty_file", "6", b"", "empty: no header row"),
    D("calibrate_latin_1", "6", LA311_HEADER + "2020-01-01,,,caf\xe9,x,Open\n".encode(
        "latin-1"), "not UTF-8 text"),
    D("calibrate_not_la311", "6", b"a,b\n1,2\n", "missing column(s) CreatedDate"),
    D("calibrate_unterminated_quote", "6", LA311_HEADER + b'"2020-01-01,2020\n',
      "not a readable CSV"),
    D("calibrate_no_valid_dates", "6", LA311_HEADER + b"soon,later,never,a,b,Closed\n",
      "no usable request"),
    D("calibrate_closed_before_created", "6",
      LA311_HEADER + b"2020-01-02,2020-01-01,2020-01-02,a,b,Closed\n", "no usable request"),
    D("calibrate_only_cancelled", "6",
      LA311_HEADER + b"2020-01-01,2020-01-02,2020-01-02,a,b,Cancelled\n", "no usable request"),
    D("calibrate_all_still_open", "6", LA311_HEADER + b"2020-01-01,,2020-01-05,a,b,Open\n",
      "no closed request to fit"),
]
CASES = {c.id: c for c in CORPUS}


# --------------------------------------------------------------------------- running a case

@dataclass
class Outcome:
    code: int
    out: str
    err: str
    expected_line: str
    out_dir: Path


def _write(folder: Path, name: str, content) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _argv(case: Hostile, tmp: Path, command: str) -> tuple[list[str], str]:
    """The command line of ``case`` and the error line it must print (its start)."""
    base = _write(tmp, "base.yaml", BASE)
    out = tmp / "out"
    fill = {"{base}": str(base), "{out}": str(out), "{tmp}": str(tmp)}
    if case.kind == "set":
        argv = [command, str(base), *[a for o in case.payload for a in ("--set", o)]]
        return argv, f"error: --set: {case.path}: "
    if case.kind == "file":
        for name, content in case.extra_files.items():
            _write(tmp, name, content)
        payload = case.payload
        if not case.whole:
            payload = "extends: base.yaml\n" + payload
        scenario = _write(tmp, f"{case.id}.yaml", payload)
        source = scenario if case.source == "FILE" else (tmp / case.source).resolve()
        argv = [command, str(scenario)]
        where = f"{case.path}: " if case.path else ""
        return argv, f"error: {source}: {where}"
    if case.kind == "data":
        log = _write(tmp, f"{case.id}.csv", case.payload)
        return ["calibrate", "distributions", str(log), "--out", str(out)], f"error: {log}: "
    for name, content in case.extra_files.items():
        _write(tmp, name, content)
    argv = [fill.get(a, a).replace("{tmp}", str(tmp)) for a in case.payload]
    source = case.source.replace("TMP", str(tmp))
    return argv, f"error: {source}: "


def refuse(case: Hostile, tmp: Path, capsys, command: str = "check") -> Outcome:
    argv, expected = _argv(case, tmp, command)
    if command == "run" and case.kind in ("set", "file"):
        argv += ["--reps", "1", "--out", str(tmp / "out"), "--quiet", "--no-figures"]
    code = main(argv)
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err, expected, tmp / "out")


def assert_one_line(case: Hostile, outcome: Outcome) -> None:
    err = outcome.err
    assert outcome.code == EXIT_BAD_INPUT, err
    assert "Traceback" not in err and "Traceback" not in outcome.out
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, f"expected one error line, got:\n{err}"
    line = errors[0]
    assert line.startswith(outcome.expected_line), (
        f"expected a line starting {outcome.expected_line!r}, got {line!r}")
    assert case.reason in line[len(outcome.expected_line):], (
        f"expected {case.reason!r} in {line!r}")


# --------------------------------------------------------------------------- the tests

def test_the_corpus_is_large_and_covers_every_class():
    assert len(CORPUS) >= 100
    assert len(CASES) == len(CORPUS), "case ids must be distinct"
    by_class = {c: sum(1 for case in CORPUS if case.issue_class == c) for c in "3456"}
    assert all(n >= 10 for n in by_class.values()), by_class
    # Nothing here is a copy of tests/scenario/bad_scenarios (which has files, not these ids).
    existing = {p.stem for p in (ROOT / "tests" / "scenario" / "bad_scenarios").glob("*.yaml")}
    assert not existing & set(CASES)


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: f"{c.issue_class}-{c.id}")
def test_refused_in_one_line(case: Hostile, tmp_path, capsys):
    outcome = refuse(case, tmp_path, capsys)
    assert_one_line(case, outcome)
    assert "valid" not in outcome.out
    assert not outcome.out_dir.exists()


SCENARIO_CASES = [c for c in CORPUS if c.kind in ("set", "file")]


@pytest.mark.parametrize("case", SCENARIO_CASES, ids=lambda c: f"{c.issue_class}-{c.id}")
def test_run_refuses_what_check_refuses(case: Hostile, tmp_path, capsys):
    """``check`` and ``run`` agree: the same line, and ``run`` creates nothing."""
    outcome = refuse(case, tmp_path, capsys, command="run")
    assert_one_line(case, outcome)
    assert not outcome.out_dir.exists()


@pytest.mark.parametrize("name", ["alias_bomb_in_description", "latin_1_file", "reps_0",
                                  "calibrate_empty_file"])
def test_a_real_process_prints_one_line(name: str, tmp_path):
    """What a researcher's shell sees: exit 2, one line on stderr, nothing else."""
    case = CASES[name]
    argv, expected = _argv(case, tmp_path, "check")
    res = subprocess.run([sys.executable, "-m", "sim", *argv], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    outcome = Outcome(res.returncode, res.stdout, res.stderr, expected, tmp_path / "out")
    assert_one_line(case, outcome)
    assert res.stderr.strip().count("\n") == 0, res.stderr
    assert res.stdout == ""
