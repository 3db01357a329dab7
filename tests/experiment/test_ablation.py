"""``govsim ablate``: parts read off the diff, variants that change one part, paired effects."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.analysis.summary import ALL
from sim.cli import main
from sim.experiment.ablation import (
    ablation_lines,
    distinct_runs,
    effect_metrics,
    run_ablation,
)
from sim.experiment.ablation_parts import OFF, ON, TOTAL, derive_parts, plan_ablation
from sim.experiment.compare import run_compare
from sim.scenario.diff import diff_dicts
from sim.scenario.loader import resolved_dict, scenario_from_dict
from tests.conftest import tiny_dict

SHORT = {"horizon": "5d", "warmup": "1d", "drain_limit": "60d"}
REPS, SEED = 3, 5


def _baseline() -> dict:
    return tiny_dict(name="before", simulation=SHORT)


def _reformed() -> dict:
    """Three reform keys differ from the baseline (plus the two ``enabled`` switches)."""
    return tiny_dict(name="after", simulation=SHORT, reform={
        "whistle": {"enabled": True, "bounce_factor": 0.3, "report_within": "1h"},
        "sinking": {"enabled": True, "fraction": 0.5},
    })


@pytest.fixture(scope="module")
def pair():
    return scenario_from_dict(_reformed()), scenario_from_dict(_baseline())


@pytest.fixture(scope="module")
def ablation(pair):
    scenario, baseline = pair
    return run_ablation(scenario, baseline, REPS, SEED)


def _changed_paths(a: dict, b: dict) -> set[str]:
    return {d.path for d in diff_dicts(a, b)} - {"name", "description"}


def _under(path: str, roots) -> bool:
    return any(path == ".".join(r) or path.startswith(".".join(r) + ".") for r in roots)


# --------------------------------------------------------------------------- parts

def test_three_differing_reform_keys_give_three_parts_and_two_whole_reforms(pair):
    parts = derive_parts(*pair)
    assert [(p.name, p.whole) for p in parts] == [
        ("reform.whistle", True),
        ("reform.whistle.report_within", False),
        ("reform.whistle.bounce_factor", False),
        ("reform.sinking", True),
        ("reform.sinking.fraction", False),
    ]
    # The switches are not parts of their own; the whole reform's changes include them.
    assert not any(p.name.endswith(".enabled") for p in parts)
    assert "reform.whistle.enabled" in {d.path for d in parts[0].changes}


def test_companion_keys_travel_together_and_other_top_level_keys_are_parts():
    data = _reformed()
    data["reform"]["whistle"] |= {"after_hours": "on_call", "on_call_share": 0.5}
    data["departments"]["housing"]["staff"] = 5
    data["description"] = "not a part: it changes no run"
    parts = {p.name: p for p in derive_parts(scenario_from_dict(data),
                                             scenario_from_dict(_baseline()))}
    assert parts["reform.whistle.after_hours"].roots == (
        ("reform", "whistle", "after_hours"), ("reform", "whistle", "on_call_share"))
    assert "reform.whistle.on_call_share" not in parts
    assert parts["departments"].roots == (("departments",),)
    assert [d.path for d in parts["departments"].changes] == ["departments.housing.staff"]
    assert not {"name", "description"} & set(parts)


def test_each_variant_changes_its_part_and_nothing_else(pair):
    scenario, baseline = pair
    full, base = resolved_dict(scenario), resolved_dict(baseline)
    plan = plan_ablation(scenario, baseline)
    assert not plan.skipped
    assert {(v.part.name, v.direction) for v in plan.variants} == (
        {(p.name, d) for p in plan.parts for d in (OFF, ON)}
        | {("reform.whistle.enabled", ON), ("reform.sinking.enabled", ON)})
    for v in plan.variants:
        variant = resolved_dict(v.scenario)
        if v.direction == OFF:
            # SCENARIO except for the part, which is BASELINE's.
            changed = _changed_paths(full, variant)
            assert changed == {d.path for d in v.part.changes}, v.part.name
            assert _changed_paths(base, variant) == \
                _changed_paths(base, full) - changed, v.part.name
        else:
            # BASELINE plus the part and its reform's switch, nothing else.
            changed = _changed_paths(base, variant)
            switch = f"reform.{v.part.reform}.enabled"
            assert changed == {d.path for d in v.part.changes} | {switch}, v.part.name
            assert all(_under(p, v.part.roots) or p == switch for p in changed)
    names = [v.scenario.name for v in plan.variants]
    assert len(set(names)) == len(names)
    assert all(set(n) <= set("abcdefghijklmnopqrstuvwxyz0123456789_-") for n in names)


def test_a_variant_that_is_not_a_valid_scenario_is_skipped_with_its_reason():
    # SCENARIO stations staff of a department BASELINE does not have: its sinking part alone,
    # on BASELINE, names an unknown department, and so does SCENARIO without the department.
    data = _reformed()
    data["departments"]["parks"] = {"staff": 4}
    data["reform"]["sinking"]["fraction"] = {"parks": 0.5}
    plan = plan_ablation(scenario_from_dict(data), scenario_from_dict(_baseline()))
    skipped = {(s.part.name, s.direction): s.reason for s in plan.skipped}
    assert set(skipped) == {("reform.sinking.fraction", ON), ("reform.sinking", ON),
                            ("departments", OFF)}
    assert "unknown department 'parks'" in skipped[("reform.sinking.fraction", ON)]
    assert ("departments", ON) in {(v.part.name, v.direction) for v in plan.variants}


def test_a_variant_that_is_another_run_under_another_name_runs_once():
    # One reform and nothing else: the reform off is BASELINE itself, and on alone SCENARIO.
    only = tiny_dict(name="only", simulation=SHORT, reform={"whistle": {"enabled": True}})
    scenario, baseline = scenario_from_dict(only), scenario_from_dict(_baseline())
    plan = plan_ablation(scenario, baseline)
    runs, run_of = distinct_runs(scenario, baseline, plan.variants)
    assert [p.name for p in plan.parts] == ["reform.whistle"]
    assert run_of == {"off-whistle-all": "before", "on-whistle-all": "only",
                      "on-whistle-switch": "only"}
    assert [r.name for r in runs] == ["only", "before"]


# --------------------------------------------------------------------------- effects

def test_a_part_that_cannot_change_the_run_has_an_effect_of_exactly_zero(ablation):
    # report_within only changes what reports.csv counts: with common random numbers the run
    # without it makes exactly the same cases, in every replication.
    rows = ablation.table[(ablation.table["part"] == "reform.whistle.report_within")
                          & (ablation.table["direction"] == OFF)]
    assert set(rows["metric"]) >= {"deadline_met_share", "mean_h", "p90_h", "resolved_share"}
    assert (rows[["effect", "ci_low", "ci_high"]].to_numpy() == 0).all()
    assert not rows["significant"].any()
    # ...while switching the whole whistle off does change the runs.
    whole = ablation.table[(ablation.table["part"] == "reform.whistle")
                           & (ablation.table["direction"] == OFF)
                           & (ablation.table["metric"] == "mean_h")]
    assert float(whole["effect"].iloc[0]) != 0


def test_effects_are_paired_differences_in_the_stated_direction(ablation):
    per_rep = ablation.per_rep[ablation.per_rep["case_type"] == ALL].set_index(
        ["scenario", "replication"])
    metric = "mean_h"

    def mean_diff(a: str, b: str) -> float:
        return float(np.mean(per_rep.loc[a, metric].to_numpy() - per_rep.loc[b, metric]
                             .to_numpy()))

    table = ablation.table[ablation.table["metric"] == metric].set_index(["part", "direction"])
    off = table.loc[("reform.sinking.fraction", OFF)]
    on = table.loc[("reform.sinking.fraction", ON)]
    assert off["reference"] == "off-sinking-fraction" and off["compared"] == "after"
    assert off["effect"] == pytest.approx(mean_diff("after", "off-sinking-fraction"))
    # The sinking is its fraction and nothing else, so its on alone is the whole sinking on
    # alone, which is the whistle off (run first, under that name).
    assert on["reference"] == "before" and on["compared"] == "off-whistle-all"
    assert on["effect"] == pytest.approx(mean_diff("off-whistle-all", "before"))
    assert table.loc[(TOTAL, TOTAL), "effect"] == pytest.approx(mean_diff("after", "before"))
    assert off["ci_low"] <= off["effect"] <= off["ci_high"]
    assert set(table["reps"]) == {REPS}


def test_the_total_is_the_paired_difference_of_compare(pair, ablation):
    scenario, baseline = pair
    compared = run_compare([baseline, scenario], REPS, SEED).table
    compared = compared[(compared["case_type"] == ALL) & (compared["scenario"] == "after")]
    compared = compared.set_index("metric")
    total = ablation.table[ablation.table["direction"] == TOTAL].set_index("metric")
    for metric in ["deadline_met_share", "mean_h", "p90_h", "resolved_share"]:
        for mine, theirs in (("effect", "diff"), ("ci_low", "diff_lo"), ("ci_high", "diff_hi")):
            assert total.loc[metric, mine] == compared.loc[metric, theirs], (metric, mine)


def test_metrics_are_the_headline_ones_first_and_whatever_else_the_table_has():
    per_rep = pd.DataFrame(columns=["scenario", "replication", "case_type", "n", "p90_h",
                                    "deadline_met_share", "satisfaction_rate"])
    assert effect_metrics(per_rep) == ["deadline_met_share", "p90_h", "satisfaction_rate", "n"]


def test_terminal_table_has_the_total_and_each_part_in_both_directions(ablation):
    lines = ablation_lines(ablation.table)
    assert lines[0].split() == ["part", "off", "in", "turn", "on", "alone"]
    assert lines[1].startswith("total (after - before)")
    by_start = {line.strip().split(" (")[0]: line for line in lines[2:]}
    assert "+0.0 [+0.0, +0.0]" in by_start["report-within target"]
    assert by_start["whistle switched on, settings unchanged"].split()[-4:][0] == "-"
    assert len(lines) == 1 + 1 + 5 + 2  # header, total, parts, the two switches


# --------------------------------------------------------------------------- command

@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ablate")
    paths = {"after": folder / "after.yaml", "before": folder / "before.yaml"}
    paths["after"].write_text(yaml.safe_dump(_reformed()))
    paths["before"].write_text(yaml.safe_dump(_baseline()))
    return paths


def test_cli_writes_its_outputs_resumes_and_is_deterministic(files, tmp_path, capsys):
    def ablate(out, *extra):
        return main(["ablate", str(files["after"]), "--against", str(files["before"]),
                     "--reps", "2", "--seed", "3", "--out", str(out), "--quiet", *extra])

    assert ablate(tmp_path / "a") == 0
    printed = capsys.readouterr().out
    # 2 endpoints + 2 x 5 parts + 2 switches = 14, of which 3 are twins of another run (the
    # sinking on alone and its fraction on alone are the whistle off; the sinking off is the
    # whistle on alone): 11 runs.
    assert "5 parts, 11 runs x 2 replications" in printed and "(22 computed, 0 reused" in printed
    assert "total (after - before)" in printed and "need not add up" in printed
    assert "switched on" in printed
    table = pd.read_csv(tmp_path / "a" / "ablation.csv")
    assert list(table.columns[:8]) == ["part", "label", "direction", "metric", "effect",
                                       "ci_low", "ci_high", "significant"]
    assert set(table["direction"]) == {TOTAL, OFF, ON}
    assert (tmp_path / "a" / "ablation.png").stat().st_size > 10_000
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert manifest["kind"] == "ablate" and manifest["seed"] == 3
    assert manifest["replications"] == 2 and manifest["command"][0] == "govsim"
    parts = {p["part"]: p for p in manifest["parts"]}
    assert parts["reform.whistle.bounce_factor"]["changes"] == [
        {"path": "reform.whistle.bounce_factor", "before": "1", "after": "0.3"}]
    assert parts["reform.whistle.bounce_factor"]["runs"] == {
        OFF: "off-whistle-bounce_factor", ON: "on-whistle-bounce_factor"}
    # Both reforms and nothing else: the sinking on alone is the whistle off, run once.
    assert parts["reform.sinking"]["runs"] == {OFF: "on-whistle-all", ON: "off-whistle-all"}
    assert not (tmp_path / "a" / "on-sinking-all").exists()
    for run in ("after", "before", "off-whistle-bounce_factor", "on-sinking-switch"):
        assert (tmp_path / "a" / run / "reps" / "rep-00001.cases.parquet").exists(), run
        assert (tmp_path / "a" / run / "summary.csv").exists(), run

    # A rerun computes nothing; a fresh folder with the same seed gives the same table.
    assert ablate(tmp_path / "a", "--no-figures") == 0
    assert "(0 computed, 22 reused" in capsys.readouterr().out
    assert ablate(tmp_path / "b", "--no-figures") == 0
    assert not (tmp_path / "b" / "ablation.png").exists()
    assert (tmp_path / "a" / "ablation.csv").read_bytes() == \
        (tmp_path / "b" / "ablation.csv").read_bytes()


def test_cli_refuses_bad_input_in_one_line(files, tmp_path, capsys):
    code = main(["ablate", str(files["after"]), "--against", str(tmp_path / "none.yaml"),
                 "--out", str(tmp_path / "x"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "file not found" in err[0]
    assert not (tmp_path / "x").exists()
    assert main(["ablate", str(files["after"]), "--against", str(files["before"]),
                 "--reps", "0", "--quiet", "--out", str(tmp_path / "x")]) == 2


def test_display_labels_are_not_parts():
    plain = tiny_dict()
    labelled = tiny_dict(label="基线", reform={"whistle": {"enabled": True}})
    labelled["case_types"]["parking"]["label"] = "乱停车"
    labelled["departments"]["um"]["label"] = "城管"
    parts = derive_parts(scenario_from_dict(labelled), scenario_from_dict(plain))
    assert [p.name for p in parts] == ["reform.whistle"]
