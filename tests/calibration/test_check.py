"""``govsim calibrate check``: on logs govsim wrote from a known scenario, the simulation
predicts a period whose volume doubled, where the training period's distribution cannot."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import yaml

from sim.calibration.check import ecdf, held_out_scenario, wasserstein
from sim.calibration.log import read_case_log
from sim.cli import main
from sim.scenario.loader import scenario_from_dict
from tests.calibration.synthetic import known_scenario, write_log, write_mapping

TRAIN_PER_HOUR = 1.0   # load 0.33 on 3 people with 1 h of work; doubled: 0.67
STAFF, DAYS = 3, 28
GRIDS = 40


def _rate(per_hour: float) -> float:
    return per_hour * 24 / GRIDS


def test_simulation_predicts_a_doubled_volume_better_than_the_naive_forecasts(tmp_path, capsys):
    mapping = write_mapping(tmp_path / "mapping.yaml")
    train = write_log(known_scenario(_rate(TRAIN_PER_HOUR), STAFF, DAYS), 1,
                      tmp_path / "train.csv")
    held = write_log(known_scenario(_rate(2 * TRAIN_PER_HOUR), STAFF, DAYS), 2,
                     tmp_path / "held.csv")
    # The scenario a perfect fit of the training log would give: the known one.
    scenario = tmp_path / "known.yaml"
    scenario.write_text(yaml.safe_dump(known_scenario(_rate(TRAIN_PER_HOUR), STAFF, DAYS)))
    out = tmp_path / "check"
    assert main(["calibrate", "check", str(scenario), str(held), "--mapping", str(mapping),
                 "--train", str(train), "--train-mapping", str(mapping), "--reps", "2",
                 "--seed", "7", "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "check.csv").set_index("department")
    assert list(table.index) == ["ALL", "roads"]
    row = table.loc["roads"]
    assert 1200 < row["n"] < 1500  # 672 h at 2 an hour: ~1340
    # Four weeks of a queue are one realisation of an autocorrelated process: two independent
    # runs of the known scenario differ by KS 0.04-0.22 at these sizes (checked over seeds while
    # writing this test), so the iid two-sample critical value does not apply. What must hold:
    # the simulation, knowing only the new counts, is closer than both naive forecasts, which
    # assume the training period's (shorter) queueing; in 6 seeds out of 6 it was, by a factor
    # of 1.7 or more.
    assert row["ks_sim"] < 0.75 * min(row["ks_empirical"], row["ks_lognormal"])
    assert row["w1_sim"] < min(row["w1_empirical"], row["w1_lognormal"])
    # The observed queueing did change: the training period's distribution is off by more
    # than two realisations of one period ever were in those seeds.
    assert row["ks_empirical"] > 0.12
    assert (out / "check_ecdf.png").stat().st_size > 5_000
    printed = capsys.readouterr().out
    assert "KS sim" in printed and "roads" in printed
    # The folder is the check's (the one folder guard): another check into it is refused
    # unless --force says to replace it.
    args = ["calibrate", "check", str(scenario), str(held), "--mapping", str(mapping),
            "--reps", "1", "--out", str(out), "--quiet"]
    assert main(args) == 3
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_the_held_out_run_covers_the_window_on_its_weekdays(tmp_path):
    held = write_log(known_scenario(_rate(1.0)), 3, tmp_path / "held.csv")
    log = read_case_log(held, write_mapping(tmp_path / "m.yaml"))
    base = scenario_from_dict(known_scenario(_rate(0.1)))
    run = held_out_scenario(base, log, warmup_weeks=1)
    # The log's window starts on Monday 2024-01-08 00:00: one week of warm-up before it.
    assert (run.window_start_h, run.window_end_h) == (168.0, 168.0 + 14 * 24)
    assert run.scenario.simulation.warmup == 168.0
    # Arrivals are the held-out log's: grids are its counts per area, and over its two whole
    # weeks each type's expected count is its count in the log.
    grids = {k: s.grids for k, s in run.scenario.streets.items()}
    labels = {s.label: k for k, s in run.scenario.streets.items()}
    assert grids == {labels[a]: int(n) for a, n in log.cases["street"].value_counts().items()}
    for ct in run.scenario.case_types.values():
        expected = ct.rate * sum(grids.values()) * 14
        assert math.isclose(expected, (log.cases["case_type"] == ct.label).sum(), rel_tol=1e-9)
    # Every other parameter is the scenario's.
    assert run.scenario.departments == base.departments


def test_wasserstein_of_a_shift_is_the_shift():
    hours = np.linspace(1.0, 11.0, 10_001)
    none = np.zeros(len(hours), bool)
    shifted = ecdf(hours + 2.0, none)
    # Uniform on [1, 11] against uniform on [3, 13], up to the longest observed time (11 h):
    # 0.2 (the triangle over [1, 3]) + 8 x 0.2 (the constant gap over [3, 11]) = 1.8.
    assert abs(wasserstein(hours, none, shifted) - 1.8) < 0.01
    assert wasserstein(hours, none, ecdf(hours, none)) < 1e-9
