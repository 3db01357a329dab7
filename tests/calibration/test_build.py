"""``govsim calibrate build``: a scenario from a log that loads, runs and keeps the log's counts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.build import OTHER_LABEL, hour_of_week_rates
from sim.calibration.names import scenario_names
from sim.cli import main
from sim.scenario.loader import load_scenario

MONDAY = pd.Timestamp("2024-01-01")


def _log(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """14 days (two whole weeks) of cases with known counts per type and area."""
    rng = np.random.default_rng(5)
    types = {"Pothole": 120, "ALL": 60, "Signs/Lights": 30, "Rare A": 4, "Rare B": 3}
    areas = ["North Ward", "South Ward", "East", "central"]
    unit_of = {"Pothole": "Roads", "ALL": "Roads", "Signs/Lights": "Traffic",
               "Rare A": "Parks", "Rare B": "Parks"}
    rows = []
    for kind, n in types.items():
        created = MONDAY + pd.to_timedelta(rng.uniform(0, 14 * 24, n), unit="h")
        for i, t in enumerate(created):
            unit = unit_of[kind] if i % 10 else "Other Unit"   # 90% to the main unit
            rows.append((t.round("s"), t.round("s") + pd.Timedelta(hours=5), kind,
                         areas[int(rng.integers(0, 4))], unit))
    frame = pd.DataFrame(rows, columns=["CreatedDate", "ClosedDate", "RequestType", "NCName",
                                        "Owner"])
    frame["UpdatedDate"] = frame["ClosedDate"]
    frame["Status"] = "Closed"
    path = tmp_path / "log.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_built_scenario_loads_runs_and_keeps_the_counts(tmp_path, capsys):
    path, frame = _log(tmp_path)
    out = tmp_path / "built.yaml"
    assert main(["calibrate", "build", str(path), "--mapping", "la311_2020", "--out", str(out),
                 "--top-types", "3", "--top-areas", "4",
                 "--deadline", "Pothole=2d", "--deadline", "signs_lights=12h"]) == 0
    s = load_scenario(out)
    # Names from the log pass the name rules; the originals are the labels.
    labels = {k: v.label for k, v in s.case_types.items()}
    assert labels == {"pothole": "Pothole", "all_": "ALL", "signs_lights": "Signs/Lights",
                      "other": OTHER_LABEL}
    # Four areas, all kept; 'central' names a pool, so the street gets a suffix.
    assert {k: v.label for k, v in s.streets.items()} == {
        "north_ward": "North Ward", "south_ward": "South Ward", "east": "East",
        "central_": "central"}
    # Each type goes to the unit handling most of its cases.
    assert s.case_types["signs_lights"].departments == ["traffic"]
    assert s.case_types["other"].departments == ["parks"]
    assert s.case_types["pothole"].deadline == 48 and s.case_types["signs_lights"].deadline == 12
    # Two whole weeks: expected cases of each type over the window are its count.
    grids = sum(st.grids for st in s.streets.values())
    assert grids == len(frame)
    # (the counts the log was made with; 'other' holds Rare A and Rare B)
    for name, n in [("pothole", 120), ("all_", 60), ("signs_lights", 30), ("other", 7)]:
        assert s.case_types[name].rate * grids * 14 == pytest.approx(n, rel=1e-5)
    for st in s.streets.values():
        assert st.grids == (frame["NCName"] == st.label).sum()
    assert len(s.district.hour_profile) == 168
    text = out.read_text()
    for key in ("staff:", "work:", "bounce_prob:", "quality_failure:", "on_spot_share:",
                "admin_delay_working_days:"):
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(key))
        assert "# ASSUMPTION" in line, line
    assert main(["check", str(out)]) == 0
    assert main(["run", str(out), "--reps", "1", "--set", "simulation.horizon=9d",
                 "--set", "simulation.drain_limit=2d", "--out", str(tmp_path / "run"),
                 "--quiet", "--no-figures"]) == 0
    assert (tmp_path / "run" / "cases.parquet").exists()


def test_an_unknown_deadline_type_is_refused_in_one_line(tmp_path, capsys):
    path, _ = _log(tmp_path)
    assert main(["calibrate", "build", str(path), "--out", str(tmp_path / "b.yaml"),
                 "--deadline", "Nope=1d"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: --deadline: 'Nope=1d': no case type")


def test_names_are_valid_unique_and_deterministic():
    originals = ["ALL", "a/b", "A B", "a b", "", "dispatch", "x" * 300]
    names = scenario_names(originals)
    assert scenario_names(list(reversed(originals))) == names
    assert len(set(names.values())) == len(originals)
    # Collisions are told apart in the sorted order of the originals: "A B" < "a b" < "a/b".
    assert [names[o] for o in ("A B", "a b", "a/b")] == ["a_b", "a_b_2", "a_b_3"]
    assert names["ALL"] == "all_" and names["dispatch"] == "dispatch_"
    assert names[""] == "unnamed" and len(names["x" * 300]) <= 60


def test_hour_of_week_rates_divide_by_how_often_each_hour_occurs():
    # 10 days from a Monday: Monday-Wednesday hours occur twice, the rest once.
    start, end = MONDAY, MONDAY + pd.Timedelta(days=10)
    created = pd.Series([MONDAY + pd.Timedelta(hours=h) for h in (9, 9 + 168, 9 + 168 + 1)])
    rates = hour_of_week_rates(created, start, end)
    assert rates[9] == 1.0                 # two cases at Monday 09:00, which occurs twice
    assert rates[10] == 0.5                # one case at Monday 10:00, which occurs twice
    assert rates[4 * 24 + 9] == 0.0        # Friday 09:00 occurs once, no case
