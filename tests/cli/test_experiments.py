"""End to end: govsim compare, sweep, warmup and run --target-precision on small scenarios."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.scenario import load_scenario
from tests.conftest import tiny_dict


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios")
    paths = {}
    variants = {
        "tiny": tiny_dict(),
        # Whistle-and-report: summoned at once, no referral paperwork, so clearly faster.
        "whistle": tiny_dict(name="whistle", reform={"whistle": {"enabled": True}}),
        "same": tiny_dict(name="same"),
    }
    for name, data in variants.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(yaml.safe_dump(data))
    return paths


def test_compare_writes_its_table_figures_run_folders_and_sentences(files, tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(files["tiny"]), str(files["whistle"]), str(files["same"]),
                 "--reps", "4", "--seed", "3", "--out", str(out), "--quiet"])
    assert code == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    [header] = [line for line in lines if "significant" in line and "Δ" in line]
    assert header.split() == ["metric", "scenario", "Δ", "95%", "CI", "p", "significant"]
    [mean_row] = [line for line in lines if line.strip().startswith("mean response time")
                  and "whistle" in line]
    assert " h " in mean_row and mean_row.split()[-1] in ("yes", "no")
    # Same scenario, other name: identical in every replication, and not a test.
    assert any("same" in line and "same in every replication" in line for line in lines)
    assert any(line.startswith(f"{n} comparisons at once") and "--adjust holm" in line
               for n in range(2, 20) for line in lines)
    table = pd.read_csv(out / "comparison.csv")
    assert "p_adjusted" not in table.columns   # written only with --adjust
    assert {"metric", "case_type", "scenario", "value", "value_hw", "diff", "diff_lo",
            "diff_hi"} <= set(table.columns)
    assert set(table["scenario"]) == {"tiny", "whistle", "same"}
    assert {"ALL", "parking", "joint"} <= set(table["case_type"])
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare"
    assert manifest["scenarios"] == ["tiny", "whistle", "same"]
    assert manifest["replications"] == 4
    for name in ("tiny", "whistle", "same"):
        for f in ("cases.parquet", "summary.csv", "manifest.json", "figures/response_hist.png"):
            assert (out / name / f).exists(), f"{name}/{f}"
        # Each run's ECDF and backlog are drawn once, overlaid in the comparison's figures.
        assert not (out / name / "figures" / "response_ecdf.png").exists()
    assert (out / "figures" / "compare_ecdf.png").stat().st_size > 10_000
    assert (out / "figures" / "compare_diffs.png").stat().st_size > 10_000
    assert (out / "figures" / "backlog.png").stat().st_size > 10_000


def test_compare_default_folder_resume_and_conflict(files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    args = ["compare", str(files["tiny"]), str(files["whistle"]), "--reps", "2", "--quiet",
            "--no-figures"]
    assert main(args) == 0
    assert (tmp_path / "results" / "compare-tiny-whistle" / "comparison.csv").exists()
    assert main(args) == 0
    assert "0 computed, 4 reused" in capsys.readouterr().out
    # Another comparison into the same folder is refused (exit 3), not silently mixed in.
    other = ["compare", str(files["tiny"]), str(files["same"]), "--reps", "2", "--quiet",
             "--no-figures", "--out", "results/compare-tiny-whistle"]
    assert main(other) == 3
    assert "another experiment" in capsys.readouterr().err


def test_compare_of_two_files_with_the_same_name_uses_file_names(files, tmp_path):
    copy = files["tiny"].parent / "tiny_copy.yaml"
    copy.write_text(files["tiny"].read_text())
    out = tmp_path / "c"
    assert main(["compare", str(files["tiny"]), str(copy), "--reps", "2", "--out", str(out),
                 "--quiet", "--no-figures"]) == 0
    assert json.loads((out / "manifest.json").read_text())["scenarios"] == ["tiny", "tiny_copy"]


def test_sweep_runs_the_full_factorial(files, tmp_path, capsys):
    out = tmp_path / "sw"
    code = main(["sweep", str(files["tiny"]), "--vary", "departments.um.staff=3,5,8",
                 "--vary", "departments.housing.staff=2,4", "--reps", "2", "--seed", "4",
                 "--out", str(out), "--quiet"])
    assert code == 0
    table = pd.read_csv(out / "sweep.csv")
    assert {"departments.um.staff", "departments.housing.staff", "metric", "case_type",
            "value", "value_hw"} <= set(table.columns)
    all_ = table[table["case_type"] == "ALL"]
    assert len(all_[all_["metric"] == "p90_h"]) == 6
    assert sorted(set(all_["departments.um.staff"])) == [3, 5, 8]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and len(manifest["points"]) == 6
    assert len(list((out / "points").iterdir())) == 6
    assert all((out / "points" / p["id"] / "cases.parquet").exists() for p in manifest["points"])
    assert (out / "figures" / "sweep.png").exists()
    assert (out / "figures" / "sweep_diffs.png").exists()
    # More urban-management staff never slows the mean down much on the same cases.
    mean = all_[(all_["metric"] == "mean_h") & (all_["departments.housing.staff"] == 4)]
    assert mean.sort_values("departments.um.staff")["value"].is_monotonic_decreasing
    assert "6 points x 2 replications" in capsys.readouterr().out
    # Extended with one more value: only the two new points are computed.
    code = main(["sweep", str(files["tiny"]), "--vary", "departments.um.staff=3,5,8,10",
                 "--vary", "departments.housing.staff=2,4", "--reps", "2", "--seed", "4",
                 "--out", str(out), "--quiet", "--no-figures"])
    assert code == 0
    assert "(4 computed, 12 reused" in capsys.readouterr().out
    assert len(pd.read_csv(out / "sweep.csv").query("case_type == 'ALL' and metric == 'p90_h'")) == 8


def test_sweep_refuses_a_repeated_value(files, tmp_path, capsys):
    code = main(["sweep", str(files["tiny"]), "--vary", "departments.um.staff=3,3",
                 "--out", str(tmp_path / "x"), "--quiet"])
    assert code == 2
    assert "given twice" in capsys.readouterr().err


def test_sweep_refuses_a_bad_value_before_running(files, tmp_path, capsys):
    code = main(["sweep", str(files["tiny"]), "--vary", "departments.um.staff=3,-1",
                 "--out", str(tmp_path / "x"), "--quiet"])
    assert code == 2
    assert "departments.um.staff" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_warmup_suggests_a_setting_that_loads(files, tmp_path, capsys):
    out = tmp_path / "wu"
    code = main(["warmup", str(files["tiny"]), "--reps", "3", "--out", str(out), "--quiet",
                 "--period", "0"])
    assert code == 0
    printed = capsys.readouterr().out
    line = next(x for x in printed.splitlines() if "--set simulation.warmup=" in x)
    setting = line.split("--set ")[1].strip()
    scenario = load_scenario(files["tiny"], [setting])
    record = json.loads((out / "warmup.json").read_text())
    assert scenario.simulation.warmup == pytest.approx(record["warmup_h"])
    assert 0 <= record["warmup_h"] <= 7 * 24 / 2
    assert (out / "figures" / "warmup.png").exists()


def test_run_with_a_precision_target_reports_the_replications_needed(files, tmp_path, capsys):
    out = tmp_path / "p"
    code = main(["run", str(files["tiny"]), "--reps", "3", "--target-precision", "0.2",
                 "--precision-metric", "mean_h", "--max-reps", "30", "--out", str(out),
                 "--quiet", "--no-figures"])
    assert code == 0
    printed = capsys.readouterr().out
    manifest = json.loads((out / "manifest.json").read_text())
    record = manifest["precision"]
    assert record["reached"] and record["metric"] == "mean_h"
    assert f"after {record['reps']} replications" in printed
    assert manifest["replications"] == record["reps"]
    summary = pd.read_csv(out / "summary.csv")
    row = summary[summary["case_type"] == "ALL"].iloc[0]
    assert row["mean_h_hw"] <= 0.2 * abs(row["mean_h"])


def test_compare_adjust_holm_writes_the_adjusted_columns(files, tmp_path, capsys):
    out = tmp_path / "cmp"
    code = main(["compare", str(files["tiny"]), str(files["whistle"]), "--reps", "4",
                 "--seed", "3", "--out", str(out), "--quiet", "--no-figures",
                 "--adjust", "holm"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "p (holm)" in printed and "Holm step-down" in printed
    table = pd.read_csv(out / "comparison.csv")
    tested = table[(table["case_type"] == "ALL") & table["p_value"].notna()]
    assert len(tested) >= 2 and (tested["adjust"] == "holm").all()
    assert (tested["family_size"] == len(tested)).all()
    assert (tested["p_adjusted"] >= tested["p_value"]).all()
    assert json.loads((out / "manifest.json").read_text())["adjust"] == "holm"


def test_compare_adjust_choices_match_the_statistics():
    from sim.analysis.stats import ADJUSTMENTS
    from sim.cli.commands import compare

    assert compare.ADJUSTMENTS == ADJUSTMENTS
