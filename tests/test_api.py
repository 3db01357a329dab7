"""The Python API for notebooks: DataFrames with a replication column, scenarios of any form."""

from __future__ import annotations

import importlib

import pandas as pd
import pytest
import yaml

import sim
from sim.model.streams import Streams
from sim.model.world import World
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
    cases = sim.run(tiny_dict(), reps=2, seed=1)
    assert sorted(cases["replication"].unique()) == [0, 1]
    from sim.model.replication import case_table, run_replication

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
    from_file = sim.run(path, reps=2, seed=4)
    from_dict = sim.run(tiny_dict(), reps=2, seed=4)
    from_model = sim.run(sim.load(tiny_dict()), reps=2, seed=4)
    pd.testing.assert_frame_equal(from_file, from_dict)
    pd.testing.assert_frame_equal(from_file, from_model)
    assert sorted(from_file["replication"].unique()) == [0, 1]


def test_per_replication_and_summarise_agree():
    cases = sim.run(tiny_dict(), reps=3, seed=2)
    per_rep = sim.per_replication(cases)
    assert {"scenario", "replication", "case_type", "mean_h", "p90_h"} <= set(per_rep.columns)
    summary = sim.summarise(cases)
    all_rep = per_rep[per_rep["case_type"] == "ALL"]
    all_sum = summary[summary["case_type"] == "ALL"].iloc[0]
    assert all_sum["p90_h"] == pytest.approx(all_rep["p90_h"].mean())


def test_compare_with_an_out_folder_writes_what_the_cli_writes(tmp_path):
    fast = tiny_dict(name="fast", reform={"whistle": {"enabled": True}})
    per_rep = sim.compare([tiny_dict(), fast], reps=2, seed=1, out=tmp_path / "c",
                          figures=False)
    assert set(per_rep["scenario"]) == {"tiny", "fast"}
    on_disk = pd.read_csv(tmp_path / "c" / "comparison.csv")
    table = sim.comparison_table(per_rep)
    pd.testing.assert_frame_equal(on_disk, table, check_dtype=False, rtol=1e-5)
    assert (tmp_path / "c" / "fast" / "cases.parquet").exists()


def test_warmup_returns_a_suggestion_within_half_the_horizon():
    found = sim.warmup(tiny_dict(), reps=2, seed=1, step=1.0)
    assert 0 <= found.warmup_h <= 7 * 24 / 2
    assert list(found.series.columns) == [0, 1]
