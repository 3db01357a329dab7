"""Beijing's measures and the unit tables reach every output (issue 10, parts 1 and 3).

A run writes the four hotline measures into ``summary.csv`` and ``streets.csv``,
``departments.csv``, ``backlog.csv`` and ``capacity.csv`` beside it, computed with the end time
each replication recorded; ``compare`` and ``sweep`` put paired differences on the measures; the
report shows them; the Python API returns them. Quick sizes: the tiny district, or the shipped
scenarios three days long.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
import sim.report
from sim.analysis.measures import MEASURE_LABELS, MEASURES, SatisfactionModel, measures_summary
from sim.analysis.summary import ALL
from sim.cli import main
from sim.experiment import runner
from tests.conftest import SCENARIOS, tiny_dict

SMALL = ["--set", "simulation.horizon=3d", "--set", "simulation.warmup=1d"]
"""The shipped scenarios, three days long: a replication in about a second."""

UNIT_COLUMNS = ["reps", *[c for m in ["n", "response_rate", "resolution_rate",
                                      "satisfaction_rate", "reopen_rate", "mean_h", "p90_h",
                                      "deadline_met_share", "bounces_per_case", "utilisation"]
                          for c in (m, f"{m}_hw")], "rank"]
DOCUMENTED = {
    "streets.csv": ["scenario", "street", "street_label", *UNIT_COLUMNS],
    "departments.csv": ["scenario", "department", "department_label", *UNIT_COLUMNS],
    "backlog.csv": ["scenario", "day", "open_mean", "open_hw"],
    "capacity.csv": ["scenario", "department", "street", "unit", "people", "roster_h",
                     "duties_h", "on_call_h", "rest_h", "overtime_h", "busy_h"],
}
"""The columns README's "What each output means" documents for the new files."""

RATES = [*MEASURES, "deadline_met_share"]


def _ends(folder) -> dict[int, float]:
    """The end time each stored replication recorded in its sealed ``rep-NNNNN.json``."""
    ends = {}
    for seal in sorted((folder / "reps").glob("rep-*.json")):
        body = json.loads(seal.read_text())["body"]
        ends[body["identity"]["replication"]] = body["end_time"]
    return ends


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """``govsim run`` of the tiny district, 3 replications, figures included."""
    folder = tmp_path_factory.mktemp("outputs")
    path = folder / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()))
    out = folder / "run"
    assert main(["run", str(path), "--reps", "3", "--seed", "7", "--out", str(out),
                 "--quiet"]) == 0
    return out


def test_a_run_writes_the_four_tables_with_their_documented_columns(tiny_run):
    for name, columns in DOCUMENTED.items():
        assert list(pd.read_csv(tiny_run / name).columns) == columns, name
    summary = pd.read_csv(tiny_run / "summary.csv")
    for m in MEASURES:
        assert m in summary.columns and f"{m}_hw" in summary.columns
    assert (tiny_run / "figures" / "backlog.png").read_bytes().startswith(b"\x89PNG")


def test_rates_are_shares_and_the_units_add_up_to_the_district(tiny_run):
    summary = pd.read_csv(tiny_run / "summary.csv")
    streets = pd.read_csv(tiny_run / "streets.csv", keep_default_na=False, na_values=[""])
    departments = pd.read_csv(tiny_run / "departments.csv")
    for table in (summary, streets, departments):
        values = table[RATES].to_numpy(dtype=float)
        assert np.isfinite(values).all() and (values >= 0).all() and (values <= 1).all()
    utilisation = pd.concat([streets["utilisation"], departments["utilisation"]])
    assert ((utilisation >= 0) & (utilisation <= 1)).all()
    district = summary.set_index("case_type").loc[ALL]
    # Every case is in exactly one street; the district rows are the summary's own figures.
    by_street = streets.set_index("street")
    assert by_street.loc[["a", "b"], "n"].sum() == pytest.approx(by_street.loc[ALL, "n"], rel=1e-5)
    for table in (by_street, departments.set_index("department")):
        for m in ["n", *RATES]:
            assert table.loc[ALL, m] == pytest.approx(district[m], rel=1e-5), m
    # Every parking and joint case needs um: um's row is the district's; housing's are joint's.
    dept = departments.set_index("department")
    assert dept.loc["um", "n"] == pytest.approx(district["n"], rel=1e-5)
    joint = summary.set_index("case_type").loc["joint"]
    assert dept.loc["housing", "resolution_rate"] == pytest.approx(joint["resolution_rate"],
                                                                   rel=1e-5)
    # Ranked by resolution rate, 1 = highest; the district is unranked.
    ranked = dept.drop(ALL)
    assert np.isnan(dept.loc[ALL, "rank"]) and ranked["rank"].min() == 1
    best = ranked["resolution_rate"].idxmax()
    assert ranked.loc[best, "rank"] == 1


def test_the_measures_use_the_end_time_each_replication_recorded(tiny_run):
    cases = pd.read_parquet(tiny_run / "cases.parquet")
    ends = _ends(tiny_run)
    assert sorted(ends) == [0, 1, 2] and all(e >= 168 for e in ends.values())
    expected = measures_summary(cases, end_time=ends)
    summary = pd.read_csv(tiny_run / "summary.csv")
    for m in MEASURES:
        np.testing.assert_allclose(summary[m], expected[m], rtol=1e-5, err_msg=m)
    # The backlog's area is every case's open time, up to its resolution or its run's end.
    counted = cases[cases["t_report"].notna()]
    stop = counted["replication"].map(ends).to_numpy()
    open_h = np.fmin(counted["t_resolved"].to_numpy(), stop) - counted["t_report"].to_numpy()
    backlog = pd.read_csv(tiny_run / "backlog.csv")
    assert backlog["day"].tolist() == list(range(len(backlog)))
    assert len(backlog) == int(np.ceil(max(ends.values()) / 24))
    assert (backlog["open_mean"] >= 0).all()
    assert backlog["open_mean"].sum() * 24 == pytest.approx(open_h.sum() / 3, rel=1e-4)


@pytest.mark.parametrize("stored", [False, True])
def test_results_carry_the_run_ends_of_their_replications(stored, tmp_path):
    """In memory or from a workspace, a result knows when each replication's run ended."""
    from sim.model.replication import run_replication

    scenario = sim.load(tiny_dict())
    [res] = runner.run_scenarios([scenario], 2, 5, [tmp_path / "w" if stored else None],
                                 write_outputs=False)
    direct = {("tiny", r): run_replication(scenario, 5, r).end_time for r in (0, 1)}
    assert res.end_times == direct


@pytest.mark.parametrize("name", ["baseline", "sinking"])
def test_capacity_rosters_are_the_staff_times_forty_hours(name, tmp_path):
    """Office hours are 40 a week: every department's roster is its headcount x 40, wherever
    a reform stations its people; nobody is busy for more hours than the roster, overtime and
    on-call nights give."""
    out = tmp_path / name
    assert main(["run", str(SCENARIOS / f"{name}.yaml"), "--reps", "1", "--out", str(out),
                 "--quiet", "--no-figures", *SMALL]) == 0
    scenario = sim.load(SCENARIOS / f"{name}.yaml")
    capacity = pd.read_csv(out / "capacity.csv")
    totals = capacity[capacity["unit"] == "total"].set_index("department")
    for department, config in scenario.departments.items():
        assert totals.loc[department, "people"] == config.staff, department
        assert totals.loc[department, "roster_h"] == pytest.approx(config.staff * 40.0)
    streets_roster = capacity.loc[capacity["unit"] == "street", "roster_h"].sum()
    assert totals.loc["streets", "roster_h"] == pytest.approx(streets_roster)
    rows = capacity[capacity["unit"] != "total"]
    available = rows["roster_h"] + rows["overtime_h"] + rows["on_call_h"]
    assert (rows["busy_h"] <= available + 1e-6).all()
    assert totals["busy_h"].sum() > 0


def test_pools_csv_carries_overtime_and_rest_hours(tmp_path):
    """combined.yaml works overtime and on call: pools.csv gives their means per pool."""
    out = tmp_path / "combined"
    assert main(["run", str(SCENARIOS / "combined.yaml"), "--reps", "2", "--out", str(out),
                 "--quiet", "--no-figures", *SMALL]) == 0
    pools = pd.read_csv(out / "pools.csv")
    raw = pd.concat([pd.read_parquet(p) for p in sorted((out / "reps").glob(
        "rep-*.pools.parquet"))])
    means = raw.groupby("pool", sort=False)[["overtime_hours", "rest_hours"]].mean()
    shown = pools.set_index("pool")[["overtime_hours", "rest_hours"]]
    pd.testing.assert_frame_equal(shown, means.loc[shown.index], rtol=1e-5)
    assert (shown["overtime_hours"] > 0).any()


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """The tiny district against itself with whistle-and-report, 3 replications."""
    out = tmp_path_factory.mktemp("compare") / "cmp"
    whistle = tiny_dict(name="whistle", reform={"whistle": {"enabled": True}})
    per_rep = sim.compare([tiny_dict(), whistle], reps=3, seed=2, out=out,
                          figures=False).per_replication
    return out, per_rep


def test_compare_puts_paired_differences_on_the_measures(comparison):
    out, per_rep = comparison
    table = pd.read_csv(out / "comparison.csv")
    case_types = {ALL, "parking", "joint"}
    for m in MEASURES:
        rows = table[table["metric"] == m]
        assert set(rows["case_type"]) == case_types and set(rows["scenario"]) == {
            "tiny", "whistle"}, m
        assert (rows.loc[rows["scenario"] == "tiny", "diff"] == 0).all()
        # The difference is the mean of the paired per-replication differences.
        own = per_rep[per_rep["case_type"] == ALL].set_index(["scenario", "replication"])[m]
        expected = (own.loc["whistle"] - own.loc["tiny"]).mean()
        got = rows[(rows["scenario"] == "whistle") & (rows["case_type"] == ALL)]["diff"]
        assert got.iloc[0] == pytest.approx(expected, rel=1e-5, abs=1e-9), m
    on_disk = pd.read_csv(out / "per_replication.csv")
    assert set(MEASURES) <= set(on_disk.columns)


def test_a_sweep_compares_the_measures_too(tmp_path):
    out = tmp_path / "sw"
    sim.sweep(tiny_dict(), {"departments.um.staff": [3, 5]}, reps=2, out=out, figures=False)
    sweep = pd.read_csv(out / "sweep.csv")
    assert set(MEASURES) <= set(sweep["metric"])
    assert (out / "points").is_dir()


def _cell_row(text: str, first_cell: str) -> str:
    row = re.search(r"<tr><td>" + re.escape(first_cell) + r"</td>(.*?)</tr>", text)
    assert row, first_cell
    return row.group(1)


def test_the_report_shows_the_measures_units_capacity_and_links(tiny_run):
    text = sim.report.build_report(tiny_run).read_text(encoding="utf-8")
    assert '<h3 id="measures">' in text
    for label in MEASURE_LABELS.values():
        assert f"<th>{label}</th>" in text, label
    assert 'class="assume">ASSUMPTION</span>: the expected share of satisfied' in text
    assert "Departments ranked by resolution rate" in text
    assert "Capacity: staff-hours per week by department" in text
    for name in ("streets.csv", "departments.csv", "capacity.csv", "backlog.csv"):
        assert f'<a href="{name}">{name}</a>' in text
    # The department um: cases per replication, as in departments.csv, ranked.
    departments = pd.read_csv(tiny_run / "departments.csv").set_index("department")
    um = _cell_row(text, str(int(departments.loc["um", "rank"])))
    assert um.startswith("<td>um</td>")
    assert f"<td>{departments.loc['um', 'n']:,.0f} ± " in um
    assert "tiny: backlog" in text    # the figure


def test_the_report_of_a_compare_shows_the_measures_paired_differences(comparison):
    out, _ = comparison
    text = sim.report.build_report(out).read_text(encoding="utf-8")
    table = pd.read_csv(out / "comparison.csv")
    row = table[(table["metric"] == "resolution_rate") & (table["case_type"] == ALL)
                & (table["scenario"] == "whistle")].iloc[0]
    cells = _cell_row(text, MEASURE_LABELS["resolution_rate"])
    # The difference, then its interval (on a line of its own: a span of class "ci").
    assert f"{row['diff'] * 100:+,.1f}" + '<span class="ci">[' in cells
    # Both scenarios in the overview, each with its own folder's links.
    overview = text[text.index('<h3 id="measures">'):]
    assert "<td>tiny</td>" in overview and "<td>whistle</td>" in overview
    assert 'href="whistle/departments.csv"' in text and 'href="tiny/streets.csv"' in text


def test_a_folder_written_before_the_measures_still_reports(tiny_run, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(tiny_run, old)
    for name in DOCUMENTED:
        (old / name).unlink()
    summary = pd.read_csv(old / "summary.csv")
    summary.drop(columns=[c for m in MEASURES for c in (m, f"{m}_hw")]).to_csv(
        old / "summary.csv", index=False)
    text = sim.report.build_report(old).read_text(encoding="utf-8")
    assert 'id="measures"' not in text and "Departments ranked" not in text
    assert "share within deadline" in text
    # Only the files the old folder has are linked (its summary and pools, not the new tables).
    linked = set(re.findall(r'href="([^"#][^"]*)"', text))
    assert linked and all((old / name).is_file() for name in linked)
    assert not linked & set(DOCUMENTED)


def test_the_api_returns_every_table_with_the_recorded_ends():
    tables = sim.outputs(tiny_dict(), reps=2, seed=3)
    assert {"cases", "visits", "per_replication", "summary", "pools", "reports", "streets",
            "departments", "backlog", "capacity"} == set(tables)
    cases = tables["cases"]
    from sim.model.replication import run_replication

    scenario = sim.load(tiny_dict())
    recorded = {r: run_replication(scenario, 3, r).end_time for r in (0, 1)}
    again = sim.summarise(cases, end_time=recorded)
    # The run's table adds the display labels beside the keys.
    pd.testing.assert_frame_equal(again, tables["summary"].drop(columns="case_type_label"))
    rates = sim.measures(cases, end_time=recorded)
    pd.testing.assert_frame_equal(
        rates[[c for m in MEASURES for c in (m, f"{m}_hw")]],
        tables["summary"][[c for m in MEASURES for c in (m, f"{m}_hw")]])
    assert set(MEASURES) <= set(sim.per_replication(cases).columns)
    assert list(sim.backlog(cases).columns) == DOCUMENTED["backlog.csv"]


def test_the_satisfaction_model_moves_only_the_satisfaction_rate():
    cases = sim.run(tiny_dict(), reps=2, seed=3).cases
    default = sim.summarise(cases)
    kinder = sim.summarise(cases, satisfaction=SatisfactionModel(unsolved=0.9))
    others = [c for c in default.columns if not c.startswith("satisfaction_rate")]
    pd.testing.assert_frame_equal(default[others], kinder[others])
    assert (kinder["satisfaction_rate"] >= default["satisfaction_rate"]).all()
    assert (kinder["satisfaction_rate"] > default["satisfaction_rate"]).any()


def test_the_api_comparison_table_includes_the_measures(comparison):
    _, per_rep = comparison
    assert set(MEASURES) <= set(sim.comparison_table(per_rep)["metric"])
    older = per_rep.drop(columns=MEASURES)      # a table from before the measures
    assert not set(MEASURES) & set(sim.comparison_table(older)["metric"])


def test_the_report_reads_unit_names_as_text_and_figures_as_numbers(tmp_path):
    """A street called "NA", "1" or "" is a name, not a gap or a number."""
    from sim.report.folders import _read_unit_table

    path = tmp_path / "streets.csv"
    pd.DataFrame({"scenario": ["s"] * 4, "street": ["ALL", "NA", "1", ""],
                  "n": [3.0, 1.0, 1.5, 0.5], "rank": [np.nan, 2, 1, 3]}).to_csv(
        path, index=False)
    table = _read_unit_table(path)
    assert table["street"].tolist() == ["ALL", "NA", "1", ""]
    assert table["n"].tolist() == [3.0, 1.0, 1.5, 0.5]
    assert np.isnan(table.loc[0, "rank"]) and table["rank"].tolist()[1:] == [2, 1, 3]
