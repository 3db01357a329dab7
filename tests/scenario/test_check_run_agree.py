"""``check`` and ``run`` agree: what ``check`` accepts, ``run`` runs; what it refuses, ``run``
refuses (issue 11, class 5).

A table of edge values at the border of what the schema accepts (unlimited staff, an unstaffed
department, zero grids, the longest duration, the heaviest tails, the widest calendars, names
with ``$``) must pass ``check`` and then run; and a property test throws arbitrary numbers
(infinities, NaN, huge, negative, booleans) at numeric fields: ``check`` either refuses with one
line naming the key, or accepts, and then a tiny ``run`` succeeds.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sim.cli import EXIT_BAD_INPUT, main
from sim.scenario.loader import load_scenario
from sim.scenario.size import estimate
from tests.scenario.test_hostile_inputs import BASE

ONE_HOUR_PROFILE = "[" + ", ".join(["0"] * 23 + ["1"]) + "]"

ACCEPTED: list[tuple[str, list[str]]] = [
    ("staff_inf_is_unlimited", ["departments.um.staff=.inf"]),
    ("staff_word_unlimited", ["departments.um.staff=unlimited"]),
    ("staff_at_the_unlimited_bound", ["departments.um.staff=1000000000"]),
    ("staff_whole_float", ["departments.um.staff=3.0"]),
    ("unstaffed_department", ["departments.housing.staff=0"]),
    ("unstaffed_department_no_drain", ["departments.housing.staff=0",
                                       "simulation.drain_limit=0"]),
    ("no_grids", ["streets.a.grids=0", "streets.b.grids=0"]),
    ("no_occurrences", ["case_types.parking.rate=0", "case_types.joint.rate=0"]),
    ("tiny_rate", ["case_types.parking.rate=1.0e-300"]),
    ("horizon_of_a_minute", ["simulation.horizon=1min"]),
    ("warmup_just_short_of_the_horizon", ["simulation.warmup=47.99"]),
    ("negative_zero_warmup", ["simulation.warmup=-0.0"]),
    ("longest_deadline", ["case_types.parking.deadline=1000000"]),
    ("one_hour_of_occurrences", [f"district.hour_profile={ONE_HOUR_PROFILE}"]),
    ("heterogeneity_at_its_bound", ["district.grid_heterogeneity_cv=5"]),
    ("heavy_lognormal", ["case_types.parking.work={kind: lognormal, median: 1h, sigma: 4}"]),
    ("gamma_almost_fixed", ["case_types.parking.work={kind: gamma, mean: 1h, cv: 0.001}"]),
    ("gamma_wild", ["case_types.parking.work={kind: gamma, mean: 1h, cv: 100}"]),
    ("weibull_small_shape", ["case_types.parking.work={kind: weibull, shape: 0.2, scale: 1h}"]),
    ("exponential_longest_mean", ["case_types.parking.work={kind: exponential, "
                                  "mean: 1000000}"]),
    ("uniform_widest", ["streets.a.travel_time={kind: uniform, low: 0, high: 1000000}"]),
    ("empirical_extremes", ["case_types.joint.work={kind: empirical, values: [0, 1000000]}"]),
    ("sunday_all_day", ["calendars.sun={days: [sun], open: 0, close: '24:00'}",
                        "departments.um.calendar=sun"]),
    ("last_minute_of_the_day", ["calendars.late={open: '23:00', close: '23:59'}",
                                "departments.um.calendar=late"]),
    ("names_with_mathtext", ["case_types.$\\frac{={rate: 0.5, departments: [um]}",
                             "streets.$x$_={grids: 2}"]),
    ("names_in_chinese", ["streets.东城={grids: 2}", "case_types.占道={departments: [um]}"]),
    ("every_round_fails", ["reopen.max_reopens=16", "case_types.parking.quality_failure=1"]),
    ("drain_limit_zero", ["simulation.drain_limit=0"]),
    ("whistle_preemptive_on_call", ["reform.whistle={enabled: true, priority: preemptive, "
                                    "after_hours: on_call}"]),
    ("sinking_everyone", ["reform.sinking={enabled: true, fraction: 1.0, "
                          "integrated_centre: true}"]),
    ("large_allowed_by_setting", ["simulation.horizon=1100w", "case_types.parking.rate=0",
                                  "case_types.joint.rate=0", "simulation.allow_large=true"]),
]


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def _base(folder: Path) -> Path:
    path = folder / "base.yaml"
    path.write_text(BASE, encoding="utf-8")
    return path


@pytest.mark.parametrize("overrides", [o for _, o in ACCEPTED], ids=[n for n, _ in ACCEPTED])
def test_what_check_accepts_runs(overrides: list[str], tmp_path):
    base = _base(tmp_path)
    sets = [a for o in overrides for a in ("--set", o)]
    code, out, err = _run(["check", str(base), *sets])
    assert code == 0, err
    assert "valid" in out and "error:" not in err
    code, out, err = _run(["run", str(base), *sets, "--reps", "1", "--out", str(tmp_path / "o"),
                           "--quiet", "--no-figures"])
    assert code == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "o" / "summary.csv").exists()


def test_a_large_run_allowed_by_the_setting_is_warned_about(tmp_path):
    base = _base(tmp_path)
    sets = ["--set", "simulation.horizon=1100w", "--set", "case_types.parking.rate=0",
            "--set", "case_types.joint.rate=0"]
    code, _, err = _run(["check", str(base), *sets])
    assert code == EXIT_BAD_INPUT and "simulation.allow_large" in err
    code, _, err = _run(["check", str(base), *sets, "--set", "simulation.allow_large=true"])
    assert code == 0
    assert f"warning: {base}: simulation.horizon: " in err and "20 years" in err


def test_an_unstaffed_department_is_warned_about_and_runs_to_the_drain_limit(tmp_path):
    base = _base(tmp_path)
    sets = ["--set", "departments.housing.staff=0"]
    code, _, err = _run(["check", str(base), *sets])
    assert code == 0
    assert f"warning: {base}: departments.housing.staff: no staff, but case type(s) joint" in err
    code, _, err = _run(["run", str(base), *sets, "--reps", "1", "--out", str(tmp_path / "o"),
                         "--quiet", "--no-figures"])
    assert code == 0 and "departments.housing.staff: no staff" in err
    cases = pd.read_parquet(tmp_path / "o" / "cases.parquet")
    joint = cases[(cases["case_type"] == "joint") & cases["t_report"].notna()]
    assert len(joint) and not joint["resolved"].any()


# --------------------------------------------------------------------------- property

NUMERIC_KEYS = [
    "simulation.horizon", "simulation.warmup", "simulation.drain_limit",
    "case_types.parking.rate", "case_types.parking.deadline", "departments.um.staff",
    "streets.a.grids", "streets.a.dispatchers", "district.grid_heterogeneity_cv",
    "case_types.parking.on_spot_share", "reform.whistle.bounce_factor",
    "reopen.max_reopens", "streets.a.patrol.mean_delay",
    "case_types.parking.work={kind: exponential, mean: %s}",
    "case_types.parking.work={kind: lognormal, median: 1h, sigma: %s}",
    "case_types.parking.work={kind: gamma, mean: 1h, cv: %s}",
    "case_types.parking.work={kind: weibull, scale: 1h, shape: %s}",
    "district.hour_profile=[%s, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, "
    "1, 1]",
]
HOSTILE_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 1e-300, 5e-324, 1e308, -1e308, 2**63, 10**30, True, False,
                     float("inf"), float("-inf"), float("nan")]),
    st.integers(min_value=-(10**12), max_value=10**12),
)


def _yaml_scalar(value) -> str:
    return yaml.safe_dump(value).splitlines()[0]


def _override(key: str, value) -> str:
    text = _yaml_scalar(value)
    return key % text if "%s" in key else f"{key}={text}"


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(NUMERIC_KEYS), value=HOSTILE_NUMBERS)
def test_check_refuses_in_one_line_or_run_runs(key: str, value):
    with tempfile.TemporaryDirectory() as tmp:
        base = _base(Path(tmp))
        override = _override(key, value)
        code, out, err = _run(["check", str(base), "--set", override])
        assert "Traceback" not in err
        if code != 0:
            assert code == EXIT_BAD_INPUT
            errors = [line for line in err.splitlines() if line.startswith("error: ")]
            assert len(errors) == 1 and errors[0].startswith("error: --set: "), err
            key_path = key.split("=")[0]
            assert errors[0].startswith(f"error: --set: {key_path}"), errors[0]
            return
        # Accepted: a replication must run (only tiny ones here: big ones take minutes).
        scenario = load_scenario(base, [override])
        assume(estimate(scenario).cases <= 2_000 and math.isfinite(estimate(scenario).cases))
        code, _, err = _run(["run", str(base), "--set", override, "--reps", "1", "--out",
                             str(Path(tmp) / "o"), "--quiet", "--no-figures"])
        assert code == 0, err
