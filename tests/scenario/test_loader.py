"""Loading scenarios: YAML, ``extends`` chains, ``--set`` overrides, defaults, and the errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import ScenarioError, load_scenario, resolved_dict, scenario_from_dict
from sim.scenario.loader import load_raw, parse_override, validate
from sim.scenario.schema import UNLIMITED
from tests.conftest import SCENARIOS, tiny_dict

BASE = """\
name: base
simulation: {horizon: 7d, warmup: 1d}
streets:
  a: {grids: 20, powers: [parking]}
  b: {grids: 10}
departments:
  um: {staff: 4, travel_time: {kind: fixed, value: 30min}}
  housing: {staff: 3}
case_types:
  parking: {rate: 0.2, departments: [um], deadline: 24h}
  joint: {rate: 0.03, departments: [um, housing], deadline: 7d}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


@pytest.mark.parametrize("name", ["baseline", "whistle", "sinking", "combined"])
def test_bundled_scenarios_load(name: str):
    path = SCENARIOS / f"{name}.yaml"
    if name != "baseline" and not path.exists():
        pytest.skip(f"{path.name} is not in this tree")
    assert load_scenario(path).name


def test_durations_and_defaults(tmp_path):
    s = load_scenario(write(tmp_path, "s.yaml", BASE))
    assert s.simulation.horizon == 168 and s.simulation.warmup == 24
    assert s.departments["um"].travel_time.mean == 0.5
    assert s.departments["housing"].staff == 3
    assert s.departments["housing"].calendar == "office"
    assert set(s.calendars) >= {"office", "always"}
    assert s.case_types["parking"].deadline == 24


def test_extends_merges_mappings_and_replaces_lists(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "sub/child.yaml", """\
        extends: ../base.yaml
        name: child
        departments:
          um: {staff: 9}
        streets:
          a: {powers: []}
    """)
    s = load_scenario(child)
    assert s.name == "child"
    assert s.departments["um"].staff == 9
    assert s.departments["um"].travel_time.mean == 0.5   # kept from the parent
    assert s.departments["housing"].staff == 3
    assert s.streets["a"].powers == [] and s.streets["a"].grids == 20


def test_extends_chains(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    write(tmp_path, "mid.yaml", "extends: base.yaml\nname: mid\ndepartments: {um: {staff: 6}}\n")
    leaf = write(tmp_path, "leaf.yaml", "extends: mid.yaml\nname: leaf\n"
                                        "simulation: {horizon: 3d}\n")
    s = load_scenario(leaf)
    assert (s.name, s.departments["um"].staff, s.simulation.horizon) == ("leaf", 6, 72)
    assert s.simulation.warmup == 24


def test_errors_name_the_file_that_set_the_value(tmp_path):
    write(tmp_path, "base.yaml", BASE.replace("staff: 3", "staff: -3"))
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n"
                                          "departments: {um: {stafff: 2}}\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(child)
    lines = problems(excinfo)
    assert f"{(tmp_path / 'base.yaml').resolve()}: departments.housing.staff: must be >= 0, " \
           "got -3" in lines
    assert any(line.startswith(f"{child.resolve()}: departments.um.stafff: unknown key; "
                               "did you mean 'staff'?") for line in lines)


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, "s.yaml", BASE + "triage: {tme: 1}\n"
                 + "reopen: {max_reopens: -1}\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(path)
    text = "\n".join(problems(excinfo))
    assert "triage.tme: unknown key; did you mean 'time'?" in text
    assert "reopen.max_reopens: must be >= 0" in text


def test_set_overrides_are_typed_by_the_schema(tmp_path):
    path = write(tmp_path, "s.yaml", BASE)
    s = load_scenario(path, ["departments.um.staff=12", "simulation.horizon=2d",
                             "case_types.parking.departments=[um, housing]",
                             "departments.housing.staff=unlimited",
                             "reform.whistle.enabled=true", "streets.c.grids=5"])
    assert s.departments["um"].staff == 12
    assert s.simulation.horizon == 48
    assert s.case_types["parking"].departments == ["um", "housing"]
    assert s.departments["housing"].staff == UNLIMITED
    assert s.reform.whistle.enabled is True
    assert s.streets["c"].grids == 5                    # a new street, made on the command line


def test_parse_override():
    assert parse_override("a.b.c=3") == (["a", "b", "c"], 3)
    assert parse_override("a=x=y") == (["a"], "x=y")
    assert parse_override("a=[1, 2]") == (["a"], [1, 2])
    assert parse_override("a=") == (["a"], "")
    assert parse_override("close=17:00") == (["close"], "17:00")
    for bad in ("novalue", "a..b=1"):
        with pytest.raises(ScenarioError):
            parse_override(bad)


def test_street_defaults_fill_every_street(tmp_path):
    path = write(tmp_path, "s.yaml", BASE + "street_defaults: {staff: 7, dispatchers: 3, "
                 "patrol: {mean_delay: 2h}}\n")
    s = load_scenario(path, ["streets.b.staff=1", "streets.b.patrol.coverage=0.5"])
    assert (s.streets["a"].staff, s.streets["b"].staff) == (7, 1)
    assert s.streets["a"].dispatchers == s.streets["b"].dispatchers == 3
    # A street's own nested mapping merges with the default one, key by key.
    assert s.streets["b"].patrol.mean_delay == 2 and s.streets["b"].patrol.coverage == 0.5


def test_time_of_day_in_plain_yaml(tmp_path):
    """``close: 17:00`` unquoted is 5 pm (YAML 1.1 alone would read the integer 1020)."""
    path = write(tmp_path, "s.yaml", BASE + "calendars:\n  late: {open: 9:30, close: 17:00}\n")
    cal = load_scenario(path).calendars["late"]
    assert (cal.open, cal.close) == (9.5, 17.0)


def test_duplicate_keys_are_refused(tmp_path):
    path = write(tmp_path, "s.yaml", BASE + "departments:\n  um: {staff: 1}\n")
    with pytest.raises(ScenarioError, match="duplicate key 'departments'"):
        load_scenario(path)


def test_empty_file_reports_what_is_missing(tmp_path):
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, "empty.yaml", ""))
    assert any("name: required key is missing" in p for p in problems(excinfo))


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_extends_must_be_a_file_name(tmp_path):
    with pytest.raises(ScenarioError, match="extends: must be a file name"):
        load_scenario(write(tmp_path, "s.yaml", "extends: [a.yaml]\n"))


def test_no_hint_when_nothing_is_close(tmp_path):
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(write(tmp_path, "s.yaml", BASE + "zzzzzz: 1\n"))
    assert problems(excinfo) == [f"{tmp_path / 's.yaml'}: zzzzzz: unknown key"]


def test_scenario_from_dict_and_its_source():
    assert scenario_from_dict(tiny_dict()).name == "tiny"
    with pytest.raises(ScenarioError) as excinfo:
        scenario_from_dict(tiny_dict(), ["departments.um.staff=-1"])
    assert problems(excinfo) == ["--set: departments.um.staff: must be >= 0, got -1"]
    with pytest.raises(ScenarioError) as excinfo:
        scenario_from_dict(tiny_dict(name=""), source="notebook")
    assert problems(excinfo)[0].startswith("notebook: name:")


def test_resolved_dict_round_trips():
    """What the manifest stores validates back to the same scenario."""
    s = load_scenario(SCENARIOS / "baseline.yaml")
    again = validate(resolved_dict(s))
    assert again == s
    assert resolved_dict(again) == resolved_dict(s)


def test_load_raw_keeps_origins(tmp_path):
    write(tmp_path, "base.yaml", BASE)
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\n")
    raw, origins = load_raw(child, ["departments.um.staff=2"])
    assert "extends" not in raw
    assert origins[("name",)] == str(child.resolve())
    assert origins[("departments", "um", "staff")] == "--set"
    assert origins[("departments",)] == str((tmp_path / "base.yaml").resolve())


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=-50, max_value=50))
def test_staff_override_is_accepted_exactly_when_non_negative(staff: int):
    overrides = [f"departments.housing.staff={staff}"]
    if staff >= 0:
        assert scenario_from_dict(tiny_dict(), overrides).departments["housing"].staff == staff
    else:
        with pytest.raises(ScenarioError) as excinfo:
            scenario_from_dict(tiny_dict(), overrides)
        assert problems(excinfo) == [f"--set: departments.housing.staff: must be >= 0, "
                                     f"got {staff}"]


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=0.01, max_value=1e4, allow_nan=False),
       st.sampled_from(["min", "h", "d"]))
def test_duration_overrides_reach_the_schema_in_hours(number: float, unit: str):
    factor = {"min": 1 / 60, "h": 1.0, "d": 24.0}[unit]
    s = scenario_from_dict(tiny_dict(), [f"case_types.parking.deadline={number!r}{unit}"])
    assert s.case_types["parking"].deadline == pytest.approx(number * factor)


PARENT_WORK = BASE.replace("parking: {rate: 0.2, departments: [um], deadline: 24h}",
                           "parking: {rate: 0.2, departments: [um], deadline: 24h,\n"
                           "            work: {kind: lognormal, median: 1h, sigma: 0.8}}")


def test_extends_with_a_new_kind_replaces_the_distribution(tmp_path):
    write(tmp_path, "base.yaml", PARENT_WORK)
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\ncase_types:\n"
                                          "  parking: {work: {kind: exponential, mean: 2h}}\n")
    work = load_scenario(child).case_types["parking"].work
    assert work.kind == "exponential" and work.mean == 2.0
    assert load_scenario(child).case_types["parking"].deadline == 24   # the rest still merges


def test_extends_with_the_same_kind_still_merges(tmp_path):
    write(tmp_path, "base.yaml", PARENT_WORK)
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\ncase_types:\n"
                                          "  parking: {work: {kind: lognormal, sigma: 1.2}}\n")
    work = load_scenario(child).case_types["parking"].work
    assert work.kind == "lognormal" and (work.median, work.sigma) == (1.0, 1.2)


@pytest.mark.parametrize(("work", "fragment"), [
    ("{kind: exponential, mean: -2h}", "case_types.parking.work"),
    ("{kind: exponential, meen: 2h}", "case_types.parking.work"),
])
def test_an_error_in_the_new_distribution_names_the_child(tmp_path, work: str, fragment: str):
    write(tmp_path, "base.yaml", PARENT_WORK)
    child = write(tmp_path, "child.yaml", "extends: base.yaml\nname: child\ncase_types:\n"
                                          f"  parking: {{work: {work}}}\n")
    with pytest.raises(ScenarioError) as excinfo:
        load_scenario(child)
    lines = problems(excinfo)
    assert lines and all(line.startswith(f"{child.resolve()}: {fragment}") for line in lines), \
        lines
    assert not any("median" in line or "sigma" in line for line in lines)
# --------------------------------------------------------------------------- overrides as a mapping

def test_a_mapping_of_typed_values_gives_the_scenario_the_texts_give(tmp_path):
    texts = ["departments.housing.staff=30", "simulation.warmup=2d",
             "case_types.parking.deadline=90min", "reform.whistle.enabled=true",
             "departments.um.travel_time={kind: fixed, value: 10min}"]
    typed = {"departments.housing.staff": 30, "simulation.warmup": "2d",
             "case_types.parking.deadline": 1.5, "reform.whistle.enabled": True,
             "departments.um.travel_time": {"kind": "fixed", "value": "10min"}}
    from_texts = scenario_from_dict(tiny_dict(), texts)
    assert scenario_from_dict(tiny_dict(), typed) == from_texts
    assert from_texts != scenario_from_dict(tiny_dict())
    assert from_texts.departments["housing"].staff == 30
    assert from_texts.simulation.warmup == 48.0
    path = write(tmp_path, "base.yaml", BASE)
    assert load_scenario(path, typed) == load_scenario(path, texts)
    raw, origins = load_raw(path, typed)
    assert origins[("departments", "housing", "staff")] == "overrides"


def test_one_text_alone_is_one_override():
    s = scenario_from_dict(tiny_dict(), "departments.um.staff=9")
    assert s.departments["um"].staff == 9


def test_the_mapping_given_is_not_changed_by_later_overrides():
    travel = {"kind": "fixed", "value": "10min"}
    scenario_from_dict(tiny_dict(), {"departments.um.travel_time": travel})
    assert travel == {"kind": "fixed", "value": "10min"}


@pytest.mark.parametrize("overrides, message", [
    ({"departments.um.staf": 3}, "overrides: departments.um.staf: unknown key; did you mean "
                                 "'staff'?"),
    ({"departments.um.staff": "many"}, "overrides: departments.um.staff: input should be a "
                                       "valid integer"),
    ({"departments.um.staff": -1}, "overrides: departments.um.staff: must be >= 0, got -1"),
    ({"simulation.warmup": "2 fortnights"}, "overrides: simulation.warmup: unknown time unit"),
    ({"simulation.horizon.days": 3}, "overrides: simulation.horizon: is not a mapping"),
    ({"departments..staff": 3}, "overrides: departments..staff: empty key in path"),
    ({3: 4}, "overrides: 3: a key path is a text"),
])
def test_a_bad_key_or_value_in_a_mapping_is_refused_with_its_key_path(overrides, message):
    with pytest.raises(ScenarioError) as excinfo:
        scenario_from_dict(tiny_dict(), overrides)
    assert problems(excinfo)[0].startswith(message)
