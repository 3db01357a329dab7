"""The Python API for notebooks: result objects holding DataFrames with a replication column,
scenarios of any form, overrides as texts or a mapping, figures that leave the backend alone."""

from __future__ import annotations

import importlib
import io
import json

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml

import sim
from sim.analysis.summary import ALL
from sim.model.replication import run_replication
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import resolved_dict
from tests.conftest import tiny_dict

EXPORTED = ("run", "compare", "comparison_table", "sweep", "load", "summarise",
            "per_replication", "warmup", "outputs", "measures", "backlog", "SatisfactionModel")


def test_every_lazy_export_is_an_api_function():
    api = importlib.import_module("sim.api")
    for name in EXPORTED:
        exported = getattr(sim, name)
        # ``sim.run`` may be the ``sim.run`` module once imported (see the next test).
        assert exported is getattr(api, name) or name == "run", name
        assert callable(exported), name


def test_sim_run_is_one_replication_of_the_model_per_rep():
    """``sim.run`` (the API function; no module shares its name) gives, per replication,
    exactly the cases of the model's own replication and of a World run by hand."""
    cases = sim.run(tiny_dict(), reps=2, seed=1).cases
    assert sorted(cases["replication"].unique()) == [0, 1]
    from sim.model.replication import case_table

    scenario = sim.load(tiny_dict())
    first = cases[cases["replication"] == 1].reset_index(drop=True)
    direct = run_replication(scenario, 1, 1).cases
    pd.testing.assert_frame_equal(first, direct)
    world = World(scenario, Streams(1, 1)).run()
    pd.testing.assert_frame_equal(direct, case_table(world, scenario, 1))
    assert len(direct) > 20


def test_a_scenario_from_a_file_a_dict_or_a_scenario_gives_the_same_cases(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict(), sort_keys=False))
    from_file = sim.run(path, reps=2, seed=4).cases
    from_dict = sim.run(tiny_dict(), reps=2, seed=4).cases
    from_model = sim.run(sim.load(tiny_dict()), reps=2, seed=4).cases
    pd.testing.assert_frame_equal(from_file, from_dict)
    pd.testing.assert_frame_equal(from_file, from_model)
    assert sorted(from_file["replication"].unique()) == [0, 1]


def test_per_replication_and_summarise_agree():
    cases = sim.run(tiny_dict(), reps=3, seed=2).cases
    per_rep = sim.per_replication(cases)
    assert {"scenario", "replication", "case_type", "mean_h", "p90_h"} <= set(per_rep.columns)
    summary = sim.summarise(cases)
    all_rep = per_rep[per_rep["case_type"] == "ALL"]
    all_sum = summary[summary["case_type"] == "ALL"].iloc[0]
    assert all_sum["p90_h"] == pytest.approx(all_rep["p90_h"].mean())


def test_compare_with_an_out_folder_writes_what_the_cli_writes(tmp_path):
    fast = tiny_dict(name="fast", reform={"whistle": {"enabled": True}})
    per_rep = sim.compare([tiny_dict(), fast], reps=2, seed=1, out=tmp_path / "c",
                          figures=False).per_replication
    assert set(per_rep["scenario"]) == {"tiny", "fast"}
    on_disk = pd.read_csv(tmp_path / "c" / "comparison.csv")
    table = sim.comparison_table(per_rep)
    # the file adds each key's display label beside it (no labels here: the key itself)
    labels = ["scenario_label", "case_type_label"]
    assert (on_disk["scenario_label"] == on_disk["scenario"]).all()
    pd.testing.assert_frame_equal(on_disk.drop(columns=labels), table, check_dtype=False,
                                  rtol=1e-5)
    assert (tmp_path / "c" / "fast" / "cases.parquet").exists()


def test_warmup_returns_a_suggestion_within_half_the_horizon():
    found = sim.warmup(tiny_dict(), reps=2, seed=1, step=1.0)
    assert 0 <= found.warmup_h <= 7 * 24 / 2
    assert list(found.series.columns) == [0, 1]


# --------------------------------------------------------------------------- result objects

@pytest.fixture(scope="module")
def run_result():
    return sim.run(tiny_dict(), reps=2, seed=3)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    fast = tiny_dict(name="fast", reform={"whistle": {"enabled": True}})
    out = tmp_path_factory.mktemp("api") / "cmp"
    return sim.compare([tiny_dict(), fast], reps=2, seed=3, out=out, figures=False)


def test_a_run_result_holds_what_the_replications_and_the_table_functions_give(run_result):
    r = run_result
    scenario = sim.load(tiny_dict())
    reps = [run_replication(scenario, 3, rep) for rep in (0, 1)]
    for name in ("cases", "pools", "visits"):
        direct = pd.concat([getattr(x, name) for x in reps], ignore_index=True)
        pd.testing.assert_frame_equal(getattr(r, name), direct, obj=name)
    ends = {("tiny", x.replication): x.end_time for x in reps}
    pd.testing.assert_frame_equal(r.per_replication, sim.per_replication(r.cases, ends))
    # summary.csv is the summary with the case types' display labels beside them
    pd.testing.assert_frame_equal(r.summary.drop(columns="case_type_label"),
                                  sim.summarise(r.cases, end_time=ends))
    tables = sim.outputs(tiny_dict(), reps=2, seed=3)
    assert set(r.tables) == set(tables) - {"cases", "visits", "per_replication"}
    for name, frame in r.tables.items():
        pd.testing.assert_frame_equal(frame, tables[name], obj=name)
    assert (r.seed, r.reps, r.out, r.scenario) == (3, 2, None, scenario)
    # Kept in memory: the manifest holds what identifies the run.
    assert r.manifest["scenario"] == resolved_dict(scenario)
    assert (r.manifest["seed"], r.manifest["replications"]) == (3, 2)
    assert r.manifest["versions"]["govsim"] == sim.__version__


def test_a_run_result_with_a_folder_holds_the_manifest_written_there(tmp_path):
    r = sim.run(tiny_dict(), reps=2, seed=3, out=tmp_path / "run")
    on_disk = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert r.out == tmp_path / "run"
    assert json.loads(json.dumps(r.manifest, default=str)) == on_disk
    pd.testing.assert_frame_equal(r.summary, pd.read_csv(tmp_path / "run" / "summary.csv"),
                                  check_dtype=False, rtol=1e-5)


def test_a_run_result_repr_names_the_run_and_its_headline_with_its_ci(run_result):
    text = repr(run_result)
    row = run_result.summary.set_index("case_type").loc[ALL]
    assert text.startswith("<RunResult 'tiny': 2 reps, seed 3, ")
    assert f"{len(run_result.cases):,} cases" in text
    assert f"p90 response time (ALL, 95% CI) {row['p90_h']:,.1f} h ± {row['p90_h_hw']:,.1f}" \
        in text
    assert "folder" not in text and "\n" not in text
    assert "<table" in run_result._repr_html_() and "&lt;RunResult" in run_result._repr_html_()


def test_a_comparison_result_holds_each_scenario_s_run_and_the_paired_table(comparison):
    c = comparison
    assert c.scenarios == ["tiny", "fast"] and c.baseline == "tiny"
    pd.testing.assert_frame_equal(c.table.drop(columns=["scenario_label", "case_type_label"]),
                                  sim.comparison_table(c.per_replication))
    on_disk = pd.read_csv(c.out / "comparison.csv")
    pd.testing.assert_frame_equal(on_disk, c.table, check_dtype=False, rtol=1e-5)
    # Common random numbers: each scenario's run is the run of that scenario on its own.
    alone = sim.run(tiny_dict(), reps=2, seed=3)
    pd.testing.assert_frame_equal(c.runs["tiny"].cases, alone.cases)
    pd.testing.assert_frame_equal(c.runs["tiny"].summary, alone.summary)
    assert set(c.cases["scenario"]) == {"tiny", "fast"}
    assert c.manifest == json.loads((c.out / "manifest.json").read_text())
    assert c.runs["fast"].manifest["scenario"]["name"] == "fast"


def test_a_comparison_repr_shows_each_scenario_and_the_difference_with_its_ci(comparison):
    text = repr(comparison)
    fast = comparison.table.query("metric == 'p90_h' and case_type == 'ALL' "
                                  "and scenario == 'fast'").iloc[0]
    assert text.startswith("<CompareResult: 2 scenarios, 2 reps, seed 3")
    assert f"Δ {fast['diff']:+,.1f} h [{fast['diff_lo']:+,.1f}, {fast['diff_hi']:+,.1f}]" \
        in text
    assert f"  fast  {fast['value']:,.1f} h ± {fast['value_hw']:,.1f}" in text
    assert f"folder {comparison.out}" in text


def test_a_sweep_result_holds_every_point_and_the_sweep_table():
    s = sim.sweep(tiny_dict(), {"departments.um.staff": [3, 5]}, reps=2, seed=3)
    assert list(s.runs) == ["staff=3", "staff=5"]
    assert s.runs["staff=5"].scenario.departments["um"].staff == 5
    assert set(s.table["point"]) == {"staff=3", "staff=5"}
    assert list(s.per_replication["departments.um.staff"].unique()) == [3, 5]
    assert s.manifest["vary"] == {"departments.um.staff": [3, 5]}
    five = s.headline().set_index("point").loc["staff=5"]
    text = repr(s)
    assert text.startswith("<SweepResult 'tiny': 2 points (departments.um.staff in [3, 5]), "
                           "2 reps, seed 3")
    assert f"  staff=5  {five['value']:,.1f} h ± {five['value_hw']:,.1f}" in text


def test_each_figure_method_returns_a_figure_and_leaves_the_backend_alone(run_result,
                                                                        comparison):
    backend = matplotlib.get_backend()
    open_before = plt.get_fignums()
    sweep = sim.sweep(tiny_dict(), {"departments.um.staff": [3, 5]}, reps=2, seed=3)
    drawn = {"ecdf": run_result.plot_ecdf(), "histogram": run_result.plot_histogram(),
             "backlog": run_result.plot_backlog(), "compare ecdf": comparison.plot_ecdf(),
             "differences": comparison.plot_differences(), "sweep": sweep.plot("mean_h")}
    for name, fig in drawn.items():
        assert isinstance(fig, matplotlib.figure.Figure), name
        assert any(ax.has_data() for ax in fig.axes), name
    # ALL and both case types, with the deadline drawn on each case type's panel
    assert len([ax for ax in drawn["ecdf"].axes if ax.get_visible()]) == 3
    assert "mean response time" in drawn["sweep"].axes[0].get_title().lower()
    assert matplotlib.get_backend() == backend
    # Closed: an inline backend shows each figure once (the returned one), not twice.
    assert plt.get_fignums() == open_before
    # Saving works after drawing (it is switched off only while a figure is drawn).
    png = io.BytesIO()
    drawn["ecdf"].savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG")


# --------------------------------------------------------------------------- overrides

def test_overrides_as_a_mapping_or_as_texts_give_the_same_run():
    typed = sim.run(tiny_dict(), reps=1, seed=2, overrides={"departments.um.staff": 2})
    texts = sim.run(tiny_dict(), reps=1, seed=2, overrides=["departments.um.staff=2"])
    pd.testing.assert_frame_equal(typed.cases, texts.cases)
    assert typed.scenario.departments["um"].staff == 2
    plain = sim.run(tiny_dict(), reps=1, seed=2)
    assert not typed.cases["response_h"].equals(plain.cases["response_h"])


def test_compare_and_sweep_apply_the_overrides_to_every_scenario():
    fast = tiny_dict(name="fast", reform={"whistle": {"enabled": True}})
    c = sim.compare([tiny_dict(), fast], reps=1, seed=2,
                    overrides={"departments.housing.staff": 7})
    assert [r.scenario.departments["housing"].staff for r in c.runs.values()] == [7, 7]
    s = sim.sweep(tiny_dict(), {"departments.um.staff": [3, 5]}, reps=1, seed=2,
                  overrides={"departments.housing.staff": 7})
    assert [r.scenario.departments["housing"].staff for r in s.runs.values()] == [7, 7]
    assert s.base.departments["housing"].staff == 7


def test_a_bad_mapping_key_is_refused_with_its_key_path_before_anything_runs(tmp_path):
    for call in (lambda o: sim.run(tiny_dict(), reps=1, out=tmp_path / "r", overrides=o),
                 lambda o: sim.compare([tiny_dict(), tiny_dict(name="b")], reps=1,
                                       out=tmp_path / "c", overrides=o),
                 lambda o: sim.sweep(tiny_dict(), {"departments.um.staff": [3]}, reps=1,
                                     out=tmp_path / "s", overrides=o),
                 lambda o: sim.warmup(tiny_dict(), reps=1, overrides=o),
                 lambda o: sim.outputs(tiny_dict(), reps=1, overrides=o)):
        with pytest.raises(ScenarioError) as excinfo:
            call({"departments.housing.staf": 3, "departments.um.staff": 2})
        assert str(excinfo.value).startswith("overrides: departments.housing.staf: unknown key")
    assert not any(tmp_path.iterdir())
