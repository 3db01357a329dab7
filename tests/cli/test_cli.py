"""End to end: ``govsim run`` and ``govsim check`` on a small scenario file, outputs read back."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.analysis.summary import ALL
from sim.cli import EXIT_CONFLICT, main
from tests.conftest import ROOT, tiny_dict

DESIGN_COLUMNS = ["scenario", "replication", "case_id", "case_type", "street", "t_report",
                  "t_onsite", "t_resolved", "response_h", "resolved", "deadline_h",
                  "deadline_met", "whistled", "bounces", "handoffs", "in_warmup"]
PNG = b"\x89PNG\r\n\x1a\n"


def scenario_file(folder: Path, name: str = "tiny", **changes) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(tiny_dict(name=name, **changes)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    """One ``govsim run`` of the tiny scenario, 3 replications, shared by the tests below."""
    folder = tmp_path_factory.mktemp("cli")
    out = folder / "out"
    code = main(["run", str(scenario_file(folder)), "--reps", "3", "--seed", "7", "--out",
                 str(out), "--quiet"])
    assert code == 0
    return out


def test_cases_parquet_has_the_design_columns(finished_run):
    cases = pd.read_parquet(finished_run / "cases.parquet")
    assert set(DESIGN_COLUMNS) <= set(cases.columns)
    assert sorted(cases["replication"].unique()) == [0, 1, 2]
    assert (cases["scenario"] == "tiny").all()
    assert set(cases["case_type"]) == {"parking", "joint"}
    for rep, g in cases.groupby("replication"):
        assert list(g["case_id"]) == list(range(len(g))), rep
    resolved = cases[cases["resolved"]]
    assert ((resolved["response_h"] - (resolved["t_resolved"] - resolved["t_report"])).abs()
            < 1e-9).all()
    assert cases.loc[~cases["resolved"], "response_h"].isna().all()


def test_summary_csv(finished_run):
    summary = pd.read_csv(finished_run / "summary.csv")
    cases = pd.read_parquet(finished_run / "cases.parquet")
    assert list(summary["case_type"]) == [ALL, "joint", "parking"]
    assert (summary["scenario"] == "tiny").all() and (summary["reps"] == 3).all()
    for metric in ("n", "resolved_share", "deadline_met_share", "mean_h", "p50_h", "p90_h",
                   "p95_h"):
        assert metric in summary.columns and f"{metric}_hw" in summary.columns
    counted = cases[cases["t_report"].notna() & ~cases["in_warmup"]]
    per_rep = counted.groupby("replication").size()
    assert summary.loc[0, "n"] == pytest.approx(per_rep.mean())
    by_type = summary.set_index("case_type")["n"]
    assert by_type["parking"] + by_type["joint"] == pytest.approx(by_type[ALL])
    assert ((summary["resolved_share"] >= 0) & (summary["resolved_share"] <= 1)).all()
    assert (summary["p50_h"] <= summary["p90_h"]).all()


def test_manifest(finished_run):
    manifest = json.loads((finished_run / "manifest.json").read_text())
    for key in ("scenario", "seed", "replications", "versions", "git_commit", "command",
                "timings"):
        assert key in manifest
    assert manifest["seed"] == 7 and manifest["replications"] == 3
    assert manifest["scenario"]["name"] == "tiny"
    assert manifest["scenario"]["departments"]["um"]["staff"] == 4
    assert {"python", "numpy", "simpy", "pandas"} <= set(manifest["versions"])


def test_figures_are_written(finished_run):
    pngs = sorted((finished_run / "figures").glob("*.png"))
    assert {p.name for p in pngs} >= {"response_hist.png", "response_ecdf.png"}
    for p in pngs:
        data = p.read_bytes()
        assert len(data) > 5_000 and data.startswith(PNG)


def test_the_same_run_again_is_resumed(finished_run, capsys):
    code = main(["run", str(finished_run.parent / "tiny.yaml"), "--reps", "3", "--seed", "7",
                 "--out", str(finished_run), "--quiet", "--no-figures"])
    assert code == 0
    assert "0 computed, 3 reused" in capsys.readouterr().out


def test_another_scenario_is_refused_then_forced(tmp_path, capsys):
    out = tmp_path / "out"
    first = scenario_file(tmp_path, "first")
    second = scenario_file(tmp_path, "second", departments={"um": {"staff": 9},
                                                             "housing": {"staff": 3}})
    args = ["--reps", "1", "--out", str(out), "--quiet", "--no-figures"]
    assert main(["run", str(first), *args]) == 0
    before = (out / "cases.parquet").read_bytes()
    capsys.readouterr()
    assert main(["run", str(second), *args]) == EXIT_CONFLICT
    err = capsys.readouterr().err
    assert "--force" in err and "Traceback" not in err
    assert (out / "cases.parquet").read_bytes() == before          # untouched
    assert main(["run", str(first), *args, "--seed", "2"]) == EXIT_CONFLICT  # another seed
    assert main(["run", str(second), *args, "--force"]) == 0
    assert pd.read_parquet(out / "cases.parquet")["scenario"].eq("second").all()


def test_set_reaches_the_run(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(scenario_file(tmp_path)), "--reps", "1", "--out", str(out),
                 "--quiet", "--no-figures", "--set", "departments.um.staff=11",
                 "--set", "simulation.horizon=3d"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["departments"]["um"]["staff"] == 11
    assert manifest["scenario"]["simulation"]["horizon"] == 72


def test_default_output_folder(tmp_path, monkeypatch, capsys):
    path = scenario_file(tmp_path, "where")
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(path), "--reps", "1", "--quiet", "--no-figures"]) == 0
    assert (tmp_path / "results" / "where" / "cases.parquet").exists()
    assert "results/where" in capsys.readouterr().out


def test_same_seed_same_parquet(tmp_path, capsys):
    path = scenario_file(tmp_path)
    for name in ("a", "b"):
        assert main(["run", str(path), "--reps", "2", "--out", str(tmp_path / name),
                     "--quiet", "--no-figures"]) == 0
    a = pd.read_parquet(tmp_path / "a" / "cases.parquet")
    b = pd.read_parquet(tmp_path / "b" / "cases.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_check_prints_offered_loads(tmp_path, capsys):
    # (The tiny district's 4 urban-management staff are overloaded; 8 are not.)
    assert main(["check", str(scenario_file(tmp_path)), "--set", "departments.um.staff=8"]) == 0
    out = capsys.readouterr().out
    assert "tiny: valid" in out
    assert "um/central" in out and "housing/central" in out and "load" in out
    assert "WARNING" not in out and "warning:" not in out


def test_check_warns_of_a_queue_that_never_settles(tmp_path, capsys):
    path = scenario_file(tmp_path)
    # 30 grids x 5 cases a day, ~2 h of work + 1 h travel each, for 1 person 40 h a week.
    assert main(["check", str(path), "--set", "departments.um.staff=1",
                 "--set", "case_types.parking.rate=5"]) == 0
    out = capsys.readouterr().out
    um = next(line for line in out.splitlines() if "um/central" in line)
    assert "WARNING: >= 0.95" in um
    assert float(um.split("load")[1].split()[0]) >= 0.95
    assert "warning: 1 pool(s) with offered load >= 0.95: um/central" in out


def test_python_dash_m_sim_help():
    res = subprocess.run([sys.executable, "-m", "sim", "--help"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0
    assert "run" in res.stdout and "check" in res.stdout and "usage: govsim" in res.stdout


def test_run_help_lists_the_design_options(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--reps", "--seed", "--out", "--set", "--backend", "--workers", "--force"):
        assert option in out


@pytest.mark.parametrize(("work_h", "warned"), [(0.95, True), (0.94, False)])
def test_check_warns_from_exactly_095(tmp_path, capsys, work_h: float, warned: bool):
    """One always-open person, one case an hour, ``work_h`` hours each: the load is work_h."""
    data = {"name": "edge", "streets": {"a": {"grids": 24, "dispatchers": "unlimited"}},
            "departments": {"d": {"staff": 1, "calendar": "always",
                                  "travel_time": {"kind": "fixed", "value": 0}}},
            "case_types": {"k": {"rate": 1, "departments": ["d"],
                                 "work": {"kind": "fixed", "value": work_h}}}}
    path = tmp_path / "edge.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["check", str(path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "d/central" in x)
    assert f"load {work_h:6.2f}" in line
    assert ("WARNING" in line) is warned
