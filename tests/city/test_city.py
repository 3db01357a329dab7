"""City scale: district scenarios sized from a city file, districts run in parallel into a
partitioned dataset, summaries computed partition by partition (a 2-district miniature)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pytest
import yaml

from sim.analysis.summary import ALL
from sim.city.aggregate import (
    CITY,
    EDGES,
    QUANTILE_REL_ERROR,
    histogram,
    histogram_quantile,
    summarise_city,
)
from sim.city.run import part_path, run_city
from sim.city.spec import district_seed, load_city
from sim.cli import main as cli_main
from sim.model.replication import run_replication
from sim.scenario.errors import ScenarioError
from tests.conftest import SCENARIOS, tiny_dict

CASES_PER_YEAR = 40_000   # ~770 cases a week in the miniature's 3 streets


def write_city(tmp_path, **city_changes) -> str:
    template = tiny_dict()
    (tmp_path / "tiny.yaml").write_text(yaml.safe_dump(template))
    city = {"cases_per_year": CASES_PER_YEAR, "grids_per_street": 10,
            "districts": {"east": {"label": "东", "streets": 2},
                          "west": {"label": "西", "streets": 1}}}
    city.update(city_changes)
    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump({"extends": "tiny.yaml", "name": "mini_city", "city": city},
                                   allow_unicode=True))
    return str(path)


def test_districts_are_sized_to_the_city_volume(tmp_path):
    city = load_city(write_city(tmp_path))
    assert list(city.districts) == ["east", "west"]          # largest first
    east, west = city.districts["east"], city.districts["west"]
    assert list(east.streets) == ["east_01", "east_02"] and list(west.streets) == ["west_01"]
    expected = city.expected_cases(horizon_h=365 * 24.0)
    assert sum(expected.values()) == pytest.approx(CASES_PER_YEAR)
    assert expected["east"] == pytest.approx(2 * expected["west"])
    # Staff follow the volume they serve (the template district has 30 grids at 0.23/grid/day).
    template_volume = 30 * 0.23
    east_volume = CASES_PER_YEAR / 365 * 2 / 3
    assert east.departments["um"].staff == math.ceil(4 * east_volume / template_volume)
    assert west.departments["housing"].staff == math.ceil(3 * east_volume / 2 / template_volume)
    assert district_seed(1, "east") != district_seed(1, "west")
    assert district_seed(1, "east") != district_seed(2, "east")


def test_district_seeds_are_pinned_across_runs_and_machines():
    """The documented rule (blake2b of '<seed>/<district>', 63 bits), pinned to its values:
    a seed that changed between processes (``hash()``) or versions would change every city."""
    assert district_seed(1, "east") == 8821732152030119053
    assert district_seed(1, "west") == 3657077067989062973
    assert district_seed(5, "east") == 1033973174785488879
    assert 0 <= district_seed(2**40, "东城") < 2**63


def test_city_file_errors_name_the_key(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_city(write_city(tmp_path, districtz={}))
    assert any("city.districtz" in str(p) for p in err.value.problems)
    with pytest.raises(ScenarioError) as err:
        load_city(write_city(tmp_path, cases_per_year=-5))
    assert any("city.cases_per_year" in str(p) for p in err.value.problems)


def test_beijing_city_file():
    city = load_city(SCENARIOS / "beijing_city.yaml")
    assert len(city.districts) == 16 and city.spec.streets == 343
    assert sum(len(s.streets) for s in city.districts.values()) == 343
    assert sum(city.expected_cases().values()) == pytest.approx(10_000_000, rel=1e-9)
    assert all(s.simulation.horizon == 365 * 24 for s in city.districts.values())


@pytest.fixture(scope="module")
def mini_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("city")
    city = load_city(write_city(tmp))
    out = tmp / "serial"
    record = run_city(city, out, seed=5, reps=2, backend="serial")
    return city, out, record


def test_each_district_writes_its_own_partition(mini_run):
    city, out, record = mini_run
    for name in city.districts:
        for rep in range(2):
            assert part_path(out, name, rep).exists()
    data = ds.dataset(out / "cases.parquet", format="parquet", partitioning="hive")
    table = data.to_table(columns=["district", "scenario", "replication", "case_id"])
    frame = table.to_pandas()
    assert len(frame) == sum(t["cases"] for t in record["tasks"])
    assert (frame["district"].astype(str) == frame["scenario"].astype(str)).all()
    assert set(frame["district"].astype(str)) == {"east", "west"}
    east = frame[(frame["district"] == "east") & (frame["replication"] == 0)]
    assert len(east) > 300
    assert east["case_id"].tolist() == list(range(len(east)))
    assert {t["seed"] for t in record["tasks"]} == {district_seed(5, "east"),
                                                    district_seed(5, "west")}
    # A partition is the district's replication run on its own, with the district's seed.
    alone = run_replication(city.districts["west"], district_seed(5, "west"), 1).cases
    pd.testing.assert_frame_equal(pd.read_parquet(part_path(out, "west", 1)), alone)


def test_city_summary_adds_up_and_quantiles_are_close(mini_run):
    _, out, _ = mini_run
    result = summarise_city(out)
    s = result.summary
    per_rep = result.per_rep
    whole = pd.read_parquet(out / "cases.parquet")
    steady = whole[whole["t_report"].notna() & ~whole["in_warmup"]]
    for rep in (0, 1):
        city_row = per_rep[(per_rep["scope"] == CITY) & (per_rep["replication"] == rep)
                           & (per_rep["case_type"] == ALL)].iloc[0]
        districts = per_rep[(per_rep["scope"] != CITY) & (per_rep["replication"] == rep)
                            & (per_rep["case_type"] == ALL)]
        assert city_row["n"] == districts["n"].sum()
        assert city_row["censored"] == districts["censored"].sum()
        sub = steady[steady["replication"] == rep]
        assert city_row["mean_h"] == pytest.approx(sub.loc[sub["resolved"], "response_h"].mean())
        x = np.where(sub["resolved"], sub["response_h"], np.inf)
        for name, q in (("p50_h", 0.5), ("p90_h", 0.9), ("p95_h", 0.95)):
            exact = np.quantile(x, q, method="inverted_cdf")
            assert city_row[name] == pytest.approx(exact, rel=QUANTILE_REL_ERROR + 1e-12)
    assert {CITY, "east", "west"} <= set(s["scope"])
    assert (s["reps"] == 2).all()


def test_histogram_quantile_bounds():
    rng = np.random.default_rng(4)
    x = rng.lognormal(3, 1.5, 5000)
    hist = histogram(x)
    assert hist.sum() == len(x) and len(hist) == len(EDGES)
    for q in (0.1, 0.5, 0.9, 0.99):
        exact = np.quantile(x, q, method="inverted_cdf")
        assert histogram_quantile(hist, len(x), q) == pytest.approx(exact, rel=QUANTILE_REL_ERROR)
    # With 20% censored (infinite) values, p90 is infinite.
    assert histogram_quantile(hist, int(len(x) / 0.8), 0.9) == math.inf


def test_processes_backend_writes_the_same_dataset(mini_run):
    city, out, _ = mini_run
    other = out.parent / "processes"
    run_city(city, other, seed=5, reps=2, backend="processes", workers=2)
    for name in city.districts:
        for rep in range(2):
            pd.testing.assert_frame_equal(pd.read_parquet(part_path(out, name, rep)),
                                          pd.read_parquet(part_path(other, name, rep)))


def test_cli_city_writes_summary_manifest_and_figures(tmp_path, capsys):
    path = write_city(tmp_path)
    out = tmp_path / "cli"
    code = cli_main(["city", path, "--out", str(out), "--backend", "serial", "--quiet",
                     "--set", "reform.whistle.enabled=true"])
    assert code == 0
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary["scope"]) == {CITY, "east", "west"}
    assert (out / "manifest.json").exists() and (out / "pools.csv").exists()
    assert (out / "figures" / "response_ecdf.png").stat().st_size > 0
    assert (out / "figures" / "districts.png").stat().st_size > 0
    assert "mini_city" in capsys.readouterr().out
    # A second run of the same city and seed resumes (nothing recomputed); another seed is
    # refused without --force.
    assert cli_main(["city", path, "--out", str(out), "--backend", "serial", "--quiet",
                     "--set", "reform.whistle.enabled=true"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timings"]["cases_computed"] == 0
    assert sorted(manifest["timings"]["reused"]) == ["east/part-0", "west/part-0"]
    assert cli_main(["city", path, "--out", str(out), "--backend", "serial", "--quiet",
                     "--seed", "9"]) == 3
