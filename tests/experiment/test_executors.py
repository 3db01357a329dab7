"""Same command, same cases.parquet: serial, local processes and Dask give identical results.

Seeds come from (root seed, replication, stream name), never from a worker or the order in which
replications finish, so the backend cannot change a number.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from sim.cli import main
from tests.conftest import tiny_dict

REPS = 4
TABLES = ("summary.csv", "pools.csv", "reports.csv", "streets.csv", "departments.csv",
          "backlog.csv", "capacity.csv")
"""Every table a run writes beside cases.parquet: byte for byte the same on every backend."""


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("backends") / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()))
    return path


def _run(scenario_file, out, *extra) -> pd.DataFrame:
    code = main(["run", str(scenario_file), "--reps", str(REPS), "--seed", "9", "--out",
                 str(out), "--quiet", "--no-figures", *extra])
    assert code == 0
    return pd.read_parquet(out / "cases.parquet")


@pytest.fixture(scope="module")
def serial_out(scenario_file, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial") / "out"
    _run(scenario_file, out)
    return out


@pytest.fixture(scope="module")
def serial_cases(serial_out):
    return pd.read_parquet(serial_out / "cases.parquet")


def _same_tables(out, serial_out) -> None:
    for name in TABLES:
        assert (out / name).read_bytes() == (serial_out / name).read_bytes(), name
    steps = pd.read_parquet(out / "steps.parquet")
    assert len(steps) > 0
    pd.testing.assert_frame_equal(steps, pd.read_parquet(serial_out / "steps.parquet"))


def test_processes_with_two_workers_match_serial(scenario_file, serial_cases, serial_out,
                                                 tmp_path):
    cases = _run(scenario_file, tmp_path / "out", "--backend", "processes", "--workers", "2")
    pd.testing.assert_frame_equal(cases, serial_cases)
    assert sorted(cases["replication"].unique()) == list(range(REPS))
    _same_tables(tmp_path / "out", serial_out)


def test_dask_on_an_existing_cluster_matches_serial(scenario_file, serial_cases, serial_out,
                                                    dask_cluster, tmp_path):
    cases = _run(scenario_file, tmp_path / "out", "--backend", "dask", "--scheduler",
                 dask_cluster.scheduler_address)
    pd.testing.assert_frame_equal(cases, serial_cases)
    _same_tables(tmp_path / "out", serial_out)


def test_dask_local_cluster_started_on_demand_matches_serial(scenario_file, serial_cases,
                                                             tmp_path):
    cases = _run(scenario_file, tmp_path / "out", "--backend", "dask", "--workers", "2")
    pd.testing.assert_frame_equal(cases, serial_cases)


def test_a_comparison_on_dask_matches_serial(scenario_file, dask_cluster, tmp_path):
    other = scenario_file.parent / "more.yaml"
    other.write_text(yaml.safe_dump(tiny_dict(name="more", departments={
        "um": {"staff": 6}, "housing": {"staff": 3}})))
    args = ["compare", str(scenario_file), str(other), "--reps", "3", "--quiet",
            "--no-figures"]
    assert main([*args, "--out", str(tmp_path / "s")]) == 0
    assert main([*args, "--out", str(tmp_path / "d"), "--backend", "dask", "--scheduler",
                 dask_cluster.scheduler_address]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "s" / "comparison.csv"),
                                  pd.read_csv(tmp_path / "d" / "comparison.csv"))
    for name in ("comparison.csv", "per_replication.csv"):
        assert (tmp_path / "s" / name).read_bytes() == (tmp_path / "d" / name).read_bytes()
