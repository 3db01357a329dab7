"""Reading case logs: both LA 311 layouts, censoring, a custom mapping, one-line refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration.log import read_case_log
from sim.cli import main
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"


def _raw(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str)
    raw.columns = [c.lower() for c in raw.columns]
    return raw


@pytest.mark.parametrize("name", ["la311_2017_sample.csv", "la311_2020_sample.csv"])
def test_both_la311_layouts_keep_every_case_but_the_cancelled(name):
    # Counted from the raw file, independently of the reader: every row but the cancelled
    # ones and those closed before they were created is a case, and a case is open
    # (censored) when it has no closed date or its status says so.
    raw = _raw(DATA / name)
    log = read_case_log(DATA / name)
    created = pd.to_datetime(raw["createddate"], format="mixed")
    closed = pd.to_datetime(raw["closeddate"], format="mixed")
    kept = raw[(raw["status"] != "Cancelled") & ~(closed < created)]
    assert len(log.cases) == len(kept)
    open_ = kept["closeddate"].isna() | kept["status"].isin(["Open", "Pending"])
    assert int(log.censored.sum()) == int(open_.sum()) > 0
    assert np.isnan(log.close_h[log.censored]).all()
    # Censored cases are observed up to the export time, the latest timestamp in the file.
    assert (log.observed_h[log.censored] > 0).all()
    assert log.export_time == pd.to_datetime(kept["updateddate"], format="mixed").max()
    assert log.cases["created"].dt.year.min() == (2017 if "2017" in name else 2020)


def test_the_same_counts_as_the_first_reader_on_the_shipped_files():
    # The numbers the README's `calibrate distributions` example shows for the 2017 file
    # (read by the former read_la311): 9,741 requests, 5 still open.
    log = read_case_log(ROOT / "data" / "la311" / "myla311_2017-12-27_to_31.csv")
    assert (len(log.cases), int(log.censored.sum())) == (9741, 5)


def _custom(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        "opened;finished;kind;ward;office;state",
        "01.03.2024 08:00;01.03.2024 10:30;pothole;north;roads;done",
        "01.03.2024 09:00;;pothole;north;roads;open",
        "01.03.2024 11:00;02.03.2024 11:00;noise;south;police;done",
        "02.03.2024 07:15;02.03.2024 07:45;noise;south;police;done",
        "02.03.2024 08:00;03.03.2024 08:00;litter;north;sanitation;done",
        "02.03.2024 12:00;02.03.2024 13:00;litter;south;sanitation;void",
        "03.03.2024 10:00;03.03.2024 09:00;litter;south;sanitation;done",
        "nonsense;03.03.2024 09:00;litter;south;sanitation;done",
        "03.03.2024 14:00;04.03.2024 02:00;pothole;south;roads;in work",
        "04.03.2024 06:00;04.03.2024 18:00;pothole;north;roads;done",
    ]
    log = tmp_path / "city.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    mapping = tmp_path / "city.yaml"
    mapping.write_text(
        "created: opened\nclosed: finished\ncase_type: kind\narea: ward\nunit: office\n"
        "date_format: '%d.%m.%Y %H:%M'\nexport_time: '2024-03-05 00:00'\nstatus: state\n"
        "open_status: [open, in work]\ndrop_status: [void]\nseparator: ';'\n", encoding="utf-8")
    return log, mapping


def test_a_hand_made_log_through_a_custom_mapping(tmp_path):
    path, mapping = _custom(tmp_path)
    log = read_case_log(path, mapping)
    # 10 rows: one void, one closed before created, one without a valid date: 7 cases.
    assert len(log.cases) == 7
    assert list(log.cases["case_type"]) == ["pothole", "pothole", "noise", "noise", "litter",
                                            "pothole", "pothole"]
    assert log.export_time == pd.Timestamp("2024-03-05")
    # Open: the row without a closed time, and 'in work' although it has one.
    assert list(log.censored) == [False, True, False, False, False, True, False]
    assert log.close_h[0] == 2.5
    assert log.observed_h[1] == (pd.Timestamp("2024-03-05") - pd.Timestamp("2024-03-01 09:00")
                                 ) / pd.Timedelta(hours=1)
    assert set(log.cases["street"]) == {"north", "south"}
    part = log.period("2024-03-02", "2024-03-03")
    assert len(part.cases) == 2 and part.export_time == log.export_time


def _refused(capsys, argv) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    return err[0]


def test_bad_mappings_are_refused_in_one_line_naming_file_and_key(tmp_path, capsys):
    path, mapping = _custom(tmp_path)
    out = str(tmp_path / "o.yaml")
    mapping.write_text(mapping.read_text().replace("case_type: kind", "case_type: sort"))
    line = _refused(capsys, ["calibrate", "build", str(path), "--mapping", str(mapping),
                             "--out", out])
    assert line.startswith(f"error: {path}: ") and "'sort'" in line and "case_type" in line
    mapping.write_text("created: opened\nclosed: finished\nkind: kind\n")
    line = _refused(capsys, ["calibrate", "build", str(path), "--mapping", str(mapping),
                             "--out", out])
    assert line.startswith(f"error: {mapping}: kind: unknown key")
    line = _refused(capsys, ["calibrate", "build", str(path), "--mapping",
                             str(tmp_path / "none.yaml"), "--out", out])
    assert "mapping file not found" in line and "la311_2017" in line


def test_an_unknown_layout_without_mapping_says_what_is_missing(tmp_path):
    path, _ = _custom(tmp_path)
    with pytest.raises(ScenarioError, match="missing column.*--mapping"):
        read_case_log(path)
