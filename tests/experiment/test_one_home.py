"""One home for experiment outputs: one key, one folder guard, one manifest, one pool summary.

Settings that only change the analysis (``reform.whistle.report_within``, the confidence level)
do not enter the experiment key, so changing them reuses every finished replication, in run,
sweep and city alike; a refused folder names the key paths whose values differ.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

import sim
from sim.cli import EXIT_CONFLICT, main
from sim.experiment import runner
from sim.experiment.folder import ANALYSIS_ONLY, MARKER, scenario_identity
from sim.experiment.workspace import experiment_key
from sim.scenario.loader import resolved_dict
from tests.city.test_city import write_city
from tests.conftest import SCENARIOS, tiny_dict

SMALL = ["--set", "simulation.horizon=3d", "--set", "simulation.warmup=1d"]
"""The shipped scenarios, three days long: a replication in well under a second."""


def _run(scenario, out, *extra) -> list[str]:
    return ["run", str(scenario), "--reps", "2", "--out", str(out), "--quiet", "--no-figures",
            *SMALL, *extra]


WHISTLE = tiny_dict(name="whistle", reform={"whistle": {"enabled": True}})
"""The tiny district with whistle-and-report: whistled cases, so reports.csv has rows."""


def test_report_within_is_not_read_by_the_model():
    """The claim behind leaving it out of the key: the replications are the same whatever
    ``report_within`` is (only reports.csv, computed afterwards, uses it)."""
    base = sim.load(WHISTLE)
    other = sim.load(base, ["reform.whistle.report_within=5min"])
    [a] = runner.run_scenarios([base], 2, 3)
    [b] = runner.run_scenarios([other], 2, 3)
    assert len(a.visits) > 0
    for table in ("cases", "pools", "visits"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))
    assert experiment_key(resolved_dict(base), 3) == experiment_key(resolved_dict(other), 3)
    assert experiment_key(resolved_dict(base), 3) != experiment_key(resolved_dict(base), 4)


def test_the_key_leaves_out_exactly_the_analysis_only_paths():
    resolved = resolved_dict(sim.load(WHISTLE))
    kept = scenario_identity(resolved)
    assert "report_within" not in kept["reform"]["whistle"] and "description" not in kept
    assert "label" not in kept  # the scenario's display label: a new label reuses its runs
    assert kept["reform"]["whistle"]["enabled"] is True
    assert ANALYSIS_ONLY == ("reform.whistle.report_within", "description", "label")


@pytest.mark.parametrize("scenario", ["baseline.yaml", "tiny whistle"])
def test_changing_report_within_reuses_every_replication(scenario, tmp_path, capsys):
    path = SCENARIOS / scenario
    if scenario == "tiny whistle":
        path = tmp_path / "whistle.yaml"
        path.write_text(yaml.safe_dump(WHISTLE))
    out = tmp_path / "run"
    assert main(_run(path, out)) == 0
    first = pd.read_parquet(out / "cases.parquet")
    capsys.readouterr()
    assert main(_run(path, out, "--set", "reform.whistle.report_within=1h",
                     "--confidence", "0.9")) == 0
    printed = capsys.readouterr()
    assert "(0 computed, 2 reused" in printed.out and printed.err == ""
    pd.testing.assert_frame_equal(pd.read_parquet(out / "cases.parquet"), first)
    manifest = json.loads((out / "manifest.json").read_text())
    # The analysis is the new one: the manifest and reports.csv use one hour.
    assert manifest["scenario"]["reform"]["whistle"]["report_within"] == 1.0
    assert manifest["confidence"] == 0.9
    reports = pd.read_csv(out / "reports.csv")
    assert "report_within_h" in reports.columns
    assert (reports["report_within_h"] == 1.0).all()
    if scenario == "tiny whistle":
        assert len(reports) > 0


def test_a_refused_run_folder_names_the_key_paths_that_differ(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()))
    out = tmp_path / "run"
    args = ["run", str(path), "--reps", "1", "--out", str(out), "--quiet", "--no-figures"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--set", "departments.um.staff=9", "--seed", "2"]) == EXIT_CONFLICT
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out / MARKER}: departments.um.staff, seed: ")
    assert "departments.um.staff 4 -> 9" in err and "seed 1 -> 2" in err
    assert err.count("\n") == 1


def test_a_sweep_reuses_its_points_after_report_within_changes(tmp_path, capsys):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()))
    out = tmp_path / "sweep"
    args = ["sweep", str(path), "--vary", "departments.um.staff=4,6", "--reps", "2",
            "--out", str(out), "--quiet", "--no-figures"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--set", "reform.whistle.report_within=2h"]) == 0
    assert "(0 computed, 4 reused" in capsys.readouterr().out
    # Another base scenario is refused, naming the base's key path.
    assert main([*args, "--set", "departments.housing.staff=5"]) == EXIT_CONFLICT
    err = capsys.readouterr().err
    assert f"{out / MARKER}: base.departments.housing.staff: " in err


def test_a_city_reuses_its_parts_after_report_within_changes(tmp_path, capsys):
    path = write_city(tmp_path)
    out = tmp_path / "city"
    args = ["city", path, "--out", str(out), "--backend", "serial", "--quiet", "--no-figures"]
    assert main(args) == 0
    capsys.readouterr()
    assert main([*args, "--set", "reform.whistle.report_within=2h"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timings"]["cases_computed"] == 0
    assert sorted(manifest["timings"]["reused"]) == ["east/part-0", "west/part-0"]
    # The one manifest provenance and the one pool summary (with the whole-run columns).
    for key in ("versions", "git_commit", "model_fingerprint", "command", "backend", "workers"):
        assert key in manifest
    pools = pd.read_csv(out / "pools.csv")
    assert {"district", "busy_hours_run", "open_hours_run", "utilisation"} <= set(pools.columns)
    assert set(pools["district"]) == {"east", "west"}
    assert main([*args, "--seed", "4"]) == EXIT_CONFLICT
    assert f"{out / MARKER}: seed: " in capsys.readouterr().err


def test_run_and_city_pool_summaries_have_the_same_columns(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()))
    assert main(["run", str(path), "--reps", "1", "--out", str(tmp_path / "r"), "--quiet",
                 "--no-figures"]) == 0
    (tmp_path / "c").mkdir()
    city = write_city(tmp_path / "c")
    assert main(["city", city, "--out", str(tmp_path / "city"), "--backend", "serial",
                 "--quiet", "--no-figures"]) == 0
    run_cols = list(pd.read_csv(tmp_path / "r" / "pools.csv").columns)
    city_cols = list(pd.read_csv(tmp_path / "city" / "pools.csv").columns)
    assert city_cols == ["district" if c == "scenario" else c for c in run_cols]
