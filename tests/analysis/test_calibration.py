"""Calibration against LA 311 close times: censored fits, KS distances, the CLI."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.analysis.calibration import calibrate, fit_group, ks_distance, lognormal_mle
from sim.calibration.log import read_case_log
from sim.cli import main
from sim.scenario.distributions import Empirical, Lognormal

DATA = Path(__file__).resolve().parents[1] / "data"


def read_la311(path: Path) -> pd.DataFrame:
    return read_case_log(path).close_times()


def test_both_date_formats_are_read():
    a = read_la311(DATA / "la311_2017_sample.csv")
    b = read_la311(DATA / "la311_2020_sample.csv")
    for frame in (a, b):
        assert len(frame) > 1000
        assert frame["created"].notna().all()
        assert (frame["hours"] > 0).all()
    # The 2017 window is 27-31 December 2017, the 2020 one 1-3 January 2020.
    assert a["created"].min().year == 2017 and b["created"].min().year == 2020


def test_censored_mle_recovers_a_known_lognormal():
    rng = np.random.default_rng(7)
    mu, sigma, n = math.log(40.0), 1.2, 4000
    t = rng.lognormal(mu, sigma, n)
    censor_at = rng.uniform(10, 400, n)
    censored = t > censor_at
    observed = np.minimum(t, censor_at)
    assert 0.1 < censored.mean() < 0.6  # a real amount of censoring
    mu_hat, s_hat = lognormal_mle(observed, censored)
    # Standard errors of the MLE are about sigma/sqrt(n_obs) for mu; allow 4 of them.
    se = sigma / math.sqrt((~censored).sum())
    assert abs(mu_hat - mu) < 4 * se * 1.5
    assert abs(s_hat - sigma) < 4 * se * 1.5
    # Ignoring censoring (dropping the open ones) is visibly biased: the reason for the MLE.
    naive = np.log(observed[~censored]).mean()
    assert mu - naive > 4 * se


def test_ks_distance_of_the_true_model_is_small_and_of_a_wrong_one_large():
    rng = np.random.default_rng(3)
    x = rng.exponential(2.0, 2000)
    none = np.zeros(len(x), bool)
    assert ks_distance(x, none, lambda v: 1 - np.exp(-v / 2.0)) < 1.63 / math.sqrt(2000)
    assert ks_distance(x, none, lambda v: 1 - np.exp(-v / 8.0)) > 0.3


def test_quick_closures_need_the_mixture():
    requests = read_la311(DATA / "la311_2017_sample.csv")
    graffiti = requests[requests["case_type"] == "Graffiti Removal"]
    fit = fit_group("graffiti", graffiti["hours"].to_numpy(), graffiti["censored"].to_numpy())
    assert fit.quick_share > 0.3
    assert fit.ks_mixture < fit.ks_lognormal


def test_fits_are_valid_scenario_distributions():
    fits = calibrate(read_la311(DATA / "la311_2020_sample.csv"), by="department", min_n=50)
    assert fits[0].group == "ALL" and len(fits) >= 2
    blocks = fits[1].scenario_blocks()
    ln = Lognormal.model_validate(blocks["lognormal"])
    emp = Empirical.model_validate(blocks["empirical"])
    assert ln.median > 0 and len(emp.values) == 50


def test_cli_writes_yaml_and_figure(tmp_path, capsys):
    code = main(["calibrate", "distributions", str(DATA / "la311_2020_sample.csv"), "--by", "owner",
                 "--out", str(tmp_path)])
    assert code == 0
    out = capsys.readouterr().out
    assert "BOS" in out and "KS" in out
    blocks = yaml.safe_load((tmp_path / "calibration.yaml").read_text())
    assert "ALL" in blocks and blocks["ALL"]["lognormal"]["kind"] == "lognormal"
    assert (tmp_path / "qq.png").stat().st_size > 10_000


ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "la311"


def test_test_samples_are_the_documented_draw_from_the_shipped_logs():
    # tests/data/README.md says how the small samples were drawn from data/la311/; if either
    # side is edited or replaced, the claim (and the provenance of the tests' data) breaks.
    pairs = [("myla311_2017-12-27_to_31.csv", "la311_2017_sample.csv"),
             ("myla311_2020-01-01_to_03.csv", "la311_2020_sample.csv")]
    for full_name, sample_name in pairs:
        sample = pd.read_csv(DATA / sample_name, dtype=str)
        full = pd.read_csv(SHIPPED / full_name, dtype=str)
        drawn = full.sample(1200, random_state=1)[list(sample.columns)].reset_index(drop=True)
        pd.testing.assert_frame_equal(drawn, sample)


def test_readme_calibrate_example_gives_what_it_shows(capsys, tmp_path, monkeypatch):
    # The README shows `govsim calibrate` on the shipped 2017 log with a few rows of its table;
    # run the same command from the repository root and find those rows in the output.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"\$ govsim calibrate distributions (\S+) --by (\S+)\n(.*?)```", readme, flags=re.S)
    assert block, "README shows a govsim calibrate example"
    log, by, table = block.group(1), block.group(2), block.group(3)
    assert log.startswith("data/la311/"), "the example uses the log shipped in the repository"
    monkeypatch.chdir(ROOT)
    assert main(["calibrate", "distributions", log, "--by", by, "--out", str(tmp_path)]) == 0
    printed = {" ".join(line.split()) for line in capsys.readouterr().out.splitlines()}
    rows = [" ".join(line.split()) for line in table.strip().splitlines()[1:]]
    assert len(rows) >= 3
    for row in rows:
        assert row in printed, row
