"""``govsim report`` on every folder kind govsim writes, and what the page shows for each.

One tiny study of each kind (run, compare, sweep, city, ablate; sensitivity and robustness are
covered in tests/experiment/test_sensitivity.py), made through the command line as a user
would, so the recorded command is the real one. Each page must render with its kind's key
tables (linked to their CSV files) and figures (with captions saying what they show).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from sim.cli import main as cli
from tests.conftest import tiny_dict

SMALL = {"simulation": {"horizon": "4d", "warmup": "1d", "drain_limit": "20d"}}


def _govsim(args: list[str]) -> None:
    """``govsim ARGS`` in this process, recording the command as the shell would."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "argv", ["govsim", *args])
        assert cli(args) == 0


def _write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """{kind: a folder of that kind, report.html written by ``govsim report``}."""
    tmp = tmp_path_factory.mktemp("kinds")
    base = _write(tmp / "tiny.yaml", tiny_dict(**SMALL))
    reform = _write(tmp / "reform.yaml", {"extends": "tiny.yaml", "name": "reform",
                                          "reform": {"whistle": {"enabled": True}}})
    city = _write(tmp / "city.yaml", {"extends": "tiny.yaml", "name": "mini_city", "city": {
        "cases_per_year": 20_000, "grids_per_street": 10,
        "districts": {"east": {"label": "东", "streets": 2}, "west": {"streets": 1}}}})
    out = {kind: tmp / kind for kind in ("run", "compare", "sweep", "city", "ablate")}
    quiet = ["--reps", "2", "--quiet"]
    _govsim(["run", str(base), "--out", str(out["run"]), *quiet])
    _govsim(["compare", str(base), str(reform), "--out", str(out["compare"]), *quiet])
    _govsim(["sweep", str(base), "--vary", "departments.um.staff=3,5",
             "--out", str(out["sweep"]), *quiet])
    _govsim(["city", str(city), "--backend", "serial", "--out", str(out["city"]), *quiet])
    _govsim(["ablate", str(reform), "--against", str(base), "--out", str(out["ablate"]),
             "--reps", "2"])
    for folder in out.values():
        _govsim(["report", str(folder)])
    return out


def _page(folder: Path) -> str:
    return (folder / "report.html").read_text(encoding="utf-8")


def _links(text: str) -> set[str]:
    return set(re.findall(r'href="([^"#][^"]*)"', text))


def _captions(text: str) -> list[str]:
    return re.findall(r"<figcaption>(.*?)</figcaption>", text, flags=re.S)


def test_every_linked_file_exists_relative_to_the_report(folders):
    for kind, folder in folders.items():
        links = _links(_page(folder))
        assert links, kind
        missing = [href for href in links if not (folder / unquote(href)).is_file()]
        assert not missing, (kind, missing)


def test_run_report_has_its_summary_at_the_top_and_figures_open(folders):
    text = _page(folders["run"])
    key = text.split('id="key-results"')[1].split("</section>")[0]
    assert 'href="summary.csv"' in key and "ALL" in key
    # Durations carry their unit, not raw hours.
    assert re.search(r"<td>\d[\d,]*\.\d(min|h|d) ± \d[\d,]*\.\d(min|h|d)</td>", key)
    assert "<details open><summary>Figures of tiny" in text
    captions = _captions(text)
    assert len(captions) == len(list((folders["run"] / "figures").glob("*.png")))
    assert any("x: response time" in c and "deadline" in c for c in captions)


def test_compare_report_keeps_the_comparison_on_top_and_folds_each_scenario(folders):
    text = _page(folders["compare"])
    key = text.split('id="key-results"')[1].split("</section>")[0]
    assert 'href="comparison.csv"' in key and "Δ reform" in key
    assert text.index('id="key-results"') < text.index('id="objectives"')
    # Each scenario's figure grid is folded; the comparison's figures are not.
    assert text.count("<details><summary>Figures of ") == 2
    before_scenarios = text.split('id="results"')[1].split("<h3>tiny</h3>")[0]
    assert "Response time of every scenario" in before_scenarios        # compare_ecdf caption
    assert "Paired differences to tiny" in before_scenarios             # compare_diffs caption
    assert 'href="tiny/summary.csv"' in text and 'href="reform/departments.csv"' in text


def test_sweep_report_shows_the_sweep_table_and_its_figures(folders):
    text = _page(folders["sweep"])
    assert 'href="sweep.csv"' in text and "Sweep (all case types)" in text
    assert any("against departments.um.staff (x)" in c for c in _captions(text))


def test_city_report_shows_the_city_and_every_district(folders):
    text = _page(folders["city"])
    assert "City-wide, by case type" in text and "Each district (all case types)" in text
    for district in ("east", "west"):
        assert f"<td>{district}</td>" in text
    assert 'href="summary.csv"' in text and 'href="pools.csv"' in text
    captions = _captions(text)
    assert any("whole city" in c and "log scale" in c for c in captions)
    assert any("each district" in c for c in captions)


def test_ablate_report_shows_the_parts_and_their_effects(folders):
    text = _page(folders["ablate"])
    assert "Parts and what they change" in text and "reform.whistle.enabled: false → true" in text
    assert 'href="ablation.csv"' in text and "off in turn" in text and "on alone" in text
    assert any("Where the effect comes from" in c for c in _captions(text))


def test_an_unknown_folder_kind_is_refused_in_one_line(tmp_path, capsys):
    (tmp_path / "manifest.json").write_text(json.dumps({"kind": "bogus"}))
    assert cli(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "kind: 'bogus' is not a folder govsim report reads" in err[0]
    assert "city, ablate" in err[0]
    assert not (tmp_path / "report.html").exists()


def test_set_values_of_the_recorded_command_are_not_edits(folders, tmp_path):
    """The compare ran with no --set: no warning. A run with --set: still none, because the
    recorded overrides are applied before comparing; an edit of the file after the run is
    flagged."""
    assert "edited since" not in _page(folders["compare"])
    path = _write(tmp_path / "tiny.yaml", tiny_dict(**SMALL))
    out = tmp_path / "run"
    _govsim(["run", str(path), "--reps", "1", "--no-figures", "--quiet", "--out", str(out),
             "--set", "departments.um.staff=7", "--set=simulation.drain_limit=10d"])
    _govsim(["report", str(out)])
    assert "edited since" not in _page(out)
    # An edit the --set overrides hide is no difference; one they do not hide is flagged.
    edited = tiny_dict(**SMALL)
    edited["departments"]["um"]["staff"] = 9
    _write(path, edited)
    _govsim(["report", str(out)])
    assert "edited since" not in _page(out)
    edited["simulation"]["horizon"] = "5d"
    _write(path, edited)
    _govsim(["report", str(out)])
    text = _page(out)
    assert "edited since" in text and "simulation.horizon" in text.split("edited since")[0]


def test_a_scenario_that_only_extends_says_so_and_lists_its_changes(tmp_path):
    _write(tmp_path / "tiny.yaml", tiny_dict(**SMALL, description="The parent's own words."))
    child = _write(tmp_path / "child.yaml", {"extends": "tiny.yaml", "name": "child",
                                             "departments": {"um": {"staff": 8}}})
    out = tmp_path / "run"
    _govsim(["run", str(child), "--reps", "1", "--no-figures", "--quiet", "--out", str(out)])
    _govsim(["report", str(out)])
    objectives = _page(out).split('id="objectives"')[1].split("</section>")[0]
    assert "The parent&#39;s own words." not in objectives
    assert "extends <code>tiny.yaml</code>" in objectives
    assert "no description of its own" in objectives
    assert re.search(r"departments\.um\.staff: \d+ → 8", objectives)
