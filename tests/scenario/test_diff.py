"""``sim.scenario.diff`` and ``govsim diff``: differences between resolved scenarios."""

from __future__ import annotations

from sim.cli import main as cli
from sim.scenario.diff import ABSENT, diff_dicts, diff_lines, diff_scenarios, flatten
from sim.scenario.loader import scenario_from_dict
from tests.conftest import tiny_dict


def test_flatten_key_paths():
    flat = flatten({"a": {"b": 1, "c": [1, 2]}, "d": [{"x": 1}, {"x": 2}], "e": {}})
    assert flat == {"a.b": 1, "a.c": [1, 2], "d[0].x": 1, "d[1].x": 2, "e": {}}


def test_diff_dicts_reports_changed_added_and_removed_paths():
    diffs = diff_dicts({"a": {"b": 1, "c": 2}, "k": 0}, {"a": {"b": 1, "c": 3}, "n": 5})
    assert [(d.path, d.a, d.b) for d in diffs] == [
        ("a.c", 2, 3), ("k", 0, ABSENT), ("n", ABSENT, 5)]


def test_same_scenario_written_differently_has_no_difference():
    a = scenario_from_dict(tiny_dict())
    # 2 hours written as '120min' and the default calendar spelled out: same resolved scenario.
    d = tiny_dict()
    d["case_types"]["joint"]["work"] = {"kind": "exponential", "mean": "120min"}
    d["streets"]["a"]["calendar"] = "office"
    b = scenario_from_dict(d)
    assert diff_scenarios(a, b) == []
    assert "same scenario" in diff_lines([])[0]


def test_resolved_difference_includes_defaults_and_units():
    a = scenario_from_dict(tiny_dict())
    d = tiny_dict()
    d["departments"]["housing"]["staff"] = 5
    d["case_types"]["parking"]["deadline"] = "2d"
    b = scenario_from_dict(d)
    diffs = {x.path: (x.a, x.b) for x in diff_scenarios(a, b)}
    assert diffs == {"departments.housing.staff": (3, 5),
                     "case_types.parking.deadline": (24.0, 48.0)}


def test_cli_diff(tmp_path, capsys):
    base = tmp_path / "a.yaml"
    base.write_text("name: a\nstreets: {s: {grids: 5}}\n"
                    "departments: {um: {staff: 4}}\n"
                    "case_types: {p: {departments: [um]}}\n")
    child = tmp_path / "b.yaml"
    child.write_text("extends: a.yaml\nname: b\ndepartments: {um: {staff: 6}}\n")
    assert cli(["diff", str(base), str(child)]) == 0
    out = capsys.readouterr().out
    assert "departments.um.staff" in out and "4  ->  6" in out
    assert "name" in out and "2 key paths differ" in out
    assert cli(["diff", str(base), str(child), "--set-a", "departments.um.staff=6",
                "--ignore-name"]) == 0
    assert "same scenario" in capsys.readouterr().out


def test_a_changed_distribution_is_one_difference():
    a = scenario_from_dict(tiny_dict())
    d = tiny_dict()
    d["triage"] = {"time": {"kind": "lognormal", "mean": "6min", "cv": 0.5}}
    diffs = diff_scenarios(a, scenario_from_dict(d))
    assert [x.path for x in diffs] == ["triage.time"]
    assert diff_lines(diffs)[0].split() == ["triage.time", "fixed(value", "0.1)", "->",
                                            "lognormal(mean", "0.1,", "cv", "0.5)"]
