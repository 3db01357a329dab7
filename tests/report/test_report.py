"""``govsim report``: the STRESS-DES HTML report of run, compare and sweep folders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import sim
from sim.cli import main as cli
from sim.report import case_flow_paragraphs, case_routes, read_yaml_comments
from sim.scenario.loader import scenario_from_dict
from tests.conftest import tiny_dict

SECTIONS = ["objectives", "scenarios", "logic", "data", "experimentation", "implementation",
            "results"]

COMMENTED = """\
# Tiny test district.
# Second header line.

name: tiny   # the scenario's name
simulation:
  horizon: 4d        # ASSUMPTION: short
  warmup: 1d
description: >-
  A folded text: with a colon
  inside.
street_defaults:
  # [D§4] two dispatchers
  dispatchers: 2
streets:
  a: {grids: 12}     # the only street
departments:
  um:
    staff: 4         # ASSUMPTION: four people
case_types:
  parking:
    departments: [um]
    rate: 1.0
"""


def _scenario_file(folder: Path, name: str = "tiny", staff: int = 4) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(COMMENTED.replace("name: tiny", f"name: {name}")
                    .replace("staff: 4 ", f"staff: {staff} "), encoding="utf-8")
    return path


def _sections_and_images(text: str, folder: Path) -> None:
    for anchor in SECTIONS:
        assert f'id="{anchor}"' in text
    # Self-contained: every image is embedded, nothing is fetched.
    assert not re.search(r'(src|href)="(https?:|file:|/)', text)
    pngs = list(folder.rglob("figures/*.png"))
    assert pngs
    assert text.count('src="data:image/png;base64,') == len(pngs)


def test_yaml_comments_by_key_path(tmp_path):
    c = read_yaml_comments(_scenario_file(tmp_path))
    assert c.header == "Tiny test district.\nSecond header line."
    assert c.by_key["name"] == "the scenario's name"
    assert c.by_key["simulation.horizon"] == "ASSUMPTION: short"
    assert "simulation.warmup" not in c.by_key
    assert c.by_key["street_defaults.dispatchers"] == "[D§4] two dispatchers"
    assert c.by_key["streets.a"] == "the only street"
    assert c.by_key["departments.um.staff"] == "ASSUMPTION: four people"
    assert not any("colon" in k or k.startswith("description.") for k in c.by_key)


def _flow_text(scenario) -> str:
    return " ".join(f"{p.title}. {p.text}" for p in case_flow_paragraphs(scenario))


def test_yaml_comments_continued_lines_and_keys_of_any_characters(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        "simulation:\n"
        "  warmup: 28d   # a long comment that goes on\n"
        "                # on the next line, in the same column\n"
        "  # about the horizon\n"
        "  horizon: 84d\n"
        "streets:\n"
        "  st<b>&amp;: {grids: 3}   # a plain key with markup in it\n"
        "  \"a: b\": {grids: 1}      # a quoted key\n"
        "  'it''s': {grids: 1}     # single quotes\n"
        "  s:\n"
        "    label: \"say \\\"hi\\\" # not a comment\"  # an escaped quote\n"
        "    calendar: it's plain  # an apostrophe\n", encoding="utf-8")
    c = read_yaml_comments(path)
    assert c.by_key["simulation.warmup"] == ("a long comment that goes on on the next line, in "
                                             "the same column")
    assert c.by_key["simulation.horizon"] == "about the horizon"
    assert c.by_key["streets.st<b>&amp;"] == "a plain key with markup in it"
    assert c.by_key["streets.a: b"] == "a quoted key"
    assert c.by_key["streets.it's"] == "single quotes"
    assert c.by_key["streets.s.label"] == "an escaped quote"
    assert c.by_key["streets.s.calendar"] == "an apostrophe"


def test_case_flow_is_generated_from_the_scenario():
    before = scenario_from_dict(tiny_dict())
    text = _flow_text(before)
    assert "Referral" in text and "Whistle" not in text
    assert "<" not in text  # plain text: the template lays it out and escapes it
    assert case_routes(before)["joint"] == "referral: um → housing"
    after = scenario_from_dict(tiny_dict(reform={"whistle": {"enabled": True}}))
    text = _flow_text(after)
    assert "Whistle-and-report" in text and "closed loop" in text
    assert case_routes(after)["joint"].startswith("whistle")
    assert case_routes(after)["parking"].startswith("referral")


def test_report_of_a_run_folder(tmp_path, capsys):
    path = _scenario_file(tmp_path)
    out = tmp_path / "run"
    assert cli(["run", str(path), "--reps", "2", "--out", str(out), "--quiet"]) == 0
    # Under pytest the recorded command is pytest's, so the file is named explicitly.
    assert cli(["report", str(out), "--scenario-file", str(path)]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    _sections_and_images(text, out)
    assert "ASSUMPTION</span>: four people" in text          # the YAML comment, tagged
    assert "Tiny test district." in text
    assert "departments.um.staff" in text
    assert "share within deadline" in text and "±" in text   # results with CIs
    assert "Little" in text


def test_report_of_a_compare_folder_shows_the_resolved_diff(tmp_path):
    a, b = _scenario_file(tmp_path, "a", 4), _scenario_file(tmp_path, "b", 6)
    out = tmp_path / "cmp"
    sim.compare([a, b], reps=2, out=out)
    report = sim.report.build_report(out, scenario_files=[a, b])
    text = report.read_text(encoding="utf-8")
    _sections_and_images(text, out)
    diff_row = re.search(r"<td>departments\.um\.staff</td><td>(\d+)</td><td>(\d+)</td>", text)
    assert diff_row and diff_row.groups() == ("4", "6")
    assert "Δ b" in text


def test_report_of_a_sweep_folder(tmp_path):
    out = tmp_path / "sw"
    sim.sweep(_scenario_file(tmp_path), {"departments.um.staff": [3, 5]}, reps=2, out=out)
    text = sim.report.build_report(out, scenario_files=[tmp_path / "tiny.yaml"]).read_text(
        encoding="utf-8")
    _sections_and_images(text, out)
    assert "departments.um.staff" in text and "Sweep (all case types)" in text


def test_report_refuses_a_folder_without_manifest(tmp_path, capsys):
    assert cli(["report", str(tmp_path)]) == 2
    assert "manifest.json" in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["compare", "sweep"])
def test_manifest_kinds_are_the_ones_the_report_reads(tmp_path, kind):
    path = _scenario_file(tmp_path)
    out = tmp_path / kind
    if kind == "compare":
        sim.compare([path, _scenario_file(tmp_path, "c", 5)], reps=2, out=out, figures=False)
    else:
        sim.sweep(path, {"departments.um.staff": [3, 4]}, reps=2, out=out, figures=False)
    manifest = yaml.safe_load((out / "manifest.json").read_text())
    assert manifest["kind"] == kind


def test_report_of_a_comparison_of_identical_scenarios(tmp_path):
    """Same configuration under two names: every paired difference is exactly 0."""
    out = tmp_path / "same"
    sim.compare([_scenario_file(tmp_path, "a"), _scenario_file(tmp_path, "a2")], reps=2, out=out)
    text = sim.report.build_report(out).read_text(encoding="utf-8")
    _sections_and_images(text, out)
    assert "0 difference(s)" in text
