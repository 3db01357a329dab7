"""The JSON Schema of scenario files (``govsim schema``) accepts every bundled scenario and
refuses typical mistakes, as an editor would show them while typing."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from sim.cli import main
from sim.scenario.json_schema import scenario_json_schema
from sim.scenario.units import HOURS_PER_UNIT
from tests.conftest import ROOT, SCENARIOS

BUNDLED = sorted(p for p in SCENARIOS.glob("*.yaml") if not p.name.endswith(".uncertainty.yaml"))


@pytest.fixture(scope="module")
def validator(tmp_path_factory):
    out = tmp_path_factory.mktemp("schema") / "scenario.schema.json"
    assert main(["schema", "--out", str(out)]) == 0
    schema = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator, data: dict) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(data)]


def test_there_are_bundled_scenarios():
    assert len(BUNDLED) >= 5 and any(p.name == "beijing_city.yaml" for p in BUNDLED)


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_every_bundled_scenario_is_valid(validator, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert errors(validator, data) == []


@pytest.mark.parametrize(("data", "where"), [
    ({"name": "x", "simulaton": {"horizon": "2d"}}, ""),                       # unknown key
    ({"departments": {"housing": {"staff": -3}}}, "departments.housing.staff"),  # negative staff
    ({"simulation": {"horizon": "2 fortnights"}}, "simulation.horizon"),       # bad duration
    ({"simulation": {"warmup": "1m"}}, "simulation.warmup"),                   # ambiguous unit
    ({"case_types": {"p": {"work": {"kind": "exponential", "mean": "2h",
                                    "cv": 1}}}}, "case_types.p.work"),         # not its parameter
    ({"case_types": {"p": {"work": {"kind": "poisson", "mean": 2}}}}, "case_types.p.work"),
    ({"calendars": {"c": {"open": "25:99"}}}, "calendars.c.open"),
])
def test_refuses_mistakes(validator, data: dict, where: str):
    found = errors(validator, data)
    assert found, f"accepted {data}"
    assert any(line.startswith(f"{where}:") for line in found), found


@pytest.mark.parametrize("value", ["2h", "45min", "2 hours", "24hrs", "3D", ".5w", 1.5, 0, "1e1h"])
def test_accepts_durations_the_loader_accepts(validator, value):
    assert errors(validator, {"simulation": {"drain_limit": value}}) == []


def test_duration_pattern_lists_the_loader_units():
    text = json.dumps(scenario_json_schema())
    for unit in HOURS_PER_UNIT:   # each spelling appears in its any-case form
        assert "".join(f"[{c.lower()}{c.upper()}]" for c in unit) in text.replace("\\\\", "\\")


def test_accepts_what_the_loader_adds(validator):
    data = {"extends": "baseline.yaml", "name": "child",
            "street_defaults": {"staff": "unlimited", "travel_time": {"kind": "fixed",
                                                                      "value": "10min"}},
            "calendars": {"late": {"open": "09:00", "close": "21:30", "overtime": "none"}},
            "case_types": {"p": {"work": {"housing": {"kind": "lognormal", "median": "1h",
                                                      "sigma": 0.8}}}}}
    assert errors(validator, data) == []


def test_schema_to_stdout(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "city" in schema["properties"] and "extends" in schema["properties"]


def test_readme_says_how_to_use_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "govsim schema" in readme and "yaml-language-server: $schema=" in readme
