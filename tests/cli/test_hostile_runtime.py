"""Hostile inputs that only show once a run is under way (issue 11, class 6): a worker process
killed mid-run, a scheduler nobody answers at, names that matplotlib would read as formulas.
Each ends in one line (or in figures drawn as written), never in a traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import EXIT_BAD_INPUT, EXIT_FAILED, main
from sim.experiment import runner
from sim.experiment.executors import WorkerLost, run_calls
from tests.conftest import tiny_dict


def _scenario(tmp_path: Path, **changes) -> Path:
    data = tiny_dict(**changes)
    data["simulation"] = {"horizon": "2d", "warmup": 0, "drain_limit": "5d"}
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")   # JSON is YAML
    return path


def _errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error: ")]


def test_a_killed_worker_process_is_reported_as_such():
    """``os._exit`` in the worker is what the kernel's OOM killer looks like to the pool."""
    with pytest.raises(WorkerLost, match="worker process of --backend processes died"):
        list(run_calls(os._exit, [(9,)], backend="processes", workers=1))


def test_a_lost_worker_ends_the_run_in_one_line_and_keeps_what_finished(tmp_path, capsys,
                                                                          monkeypatch):
    path = _scenario(tmp_path)
    out = tmp_path / "out"
    real = runner.run_tasks

    def one_then_killed(tasks, backend, workers, scheduler):
        results = real(tasks[:1], "serial", None, None)
        yield next(results)
        raise WorkerLost(backend)

    monkeypatch.setattr(runner, "run_tasks", one_then_killed)
    argv = ["run", str(path), "--reps", "3", "--out", str(out), "--quiet", "--no-figures",
            "--backend", "processes", "--workers", "2"]
    assert main(argv) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert _errors(err) == [next(line for line in err.splitlines() if line.startswith("error"))]
    assert "died while running a replication" in err and "rerun the same command" in err
    monkeypatch.setattr(runner, "run_tasks", real)
    assert main(argv) == 0
    assert "(2 computed, 1 reused" in capsys.readouterr().out


def test_an_unreachable_scheduler_is_a_bad_flag_before_any_folder_is_made(tmp_path, capsys):
    dask = pytest.importorskip("dask")
    # distributed's own defaults must be loaded before the override: leaving ``config.set``
    # removes every key it added, and would take the whole "distributed" block with it.
    pytest.importorskip("distributed")
    path = _scenario(tmp_path)
    out = tmp_path / "out"
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["run", str(path), "--reps", "1", "--out", str(out), "--quiet",
                     "--backend", "dask", "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == EXIT_BAD_INPUT
    assert _errors(err) == [line for line in err.splitlines() if line.strip()], err
    assert _errors(err)[0].startswith("error: --scheduler: cannot connect to "
                                      "'tcp://127.0.0.1:9'")
    assert not out.exists()


MATHTEXT_NAMES = ["$\\frac{$", "$x$_", "$_$", "$x^$ $\\frac{"]


def test_names_that_read_as_formulas_are_drawn_as_written(tmp_path, capsys):
    """Matplotlib parses ``$...$`` as mathtext; ``$\\frac{$`` or ``$_$`` fail when the figure is
    saved, after the results are written. Figures must draw every name literally."""
    case_types = {name: {"rate": 0.5, "departments": ["um"]} for name in MATHTEXT_NAMES}
    path = _scenario(tmp_path, name="$_$ study", case_types=case_types)
    out = tmp_path / "out"
    assert main(["run", str(path), "--reps", "2", "--out", str(out), "--quiet"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert {p.name for p in (out / "figures").iterdir()} >= {"response_hist.png",
                                                              "response_ecdf.png"}
    summary = pd.read_csv(out / "summary.csv")
    assert set(MATHTEXT_NAMES) <= set(summary["case_type"])


def test_compare_and_warmup_figures_draw_names_as_written(tmp_path, capsys):
    case_types = {"$_$": {"rate": 0.5, "departments": ["um"]}}
    a = _scenario(tmp_path, name="$\\frac{$", case_types=case_types)
    b = tmp_path / "b.yaml"
    b.write_text(a.read_text().replace("$\\\\frac{$", "$x^$"), encoding="utf-8")
    assert main(["compare", str(a), str(b), "--reps", "2", "--out", str(tmp_path / "c"),
                 "--quiet"]) == 0
    assert (tmp_path / "c" / "figures" / "compare_ecdf.png").exists()
    assert main(["warmup", str(a), "--reps", "2", "--out", str(tmp_path / "w"), "--quiet",
                 "--period", "0"]) == 0
    assert (tmp_path / "w" / "figures" / "warmup.png").exists()
    assert "Traceback" not in capsys.readouterr().err


def test_calibration_figure_draws_group_names_as_written(tmp_path, capsys):
    rows = ["CreatedDate,ClosedDate,UpdatedDate,RequestType,Owner,Status"]
    rows += [f"2020-01-0{d},2020-01-0{d + 1},2020-01-09,a,$_$,Closed" for d in range(1, 8)]
    log = tmp_path / "log.csv"
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "cal"
    assert main(["calibrate", "distributions", str(log), "--min-n", "2", "--out", str(out)]) == 0
    assert (out / "qq.png").exists()
    assert "$_$" in (out / "calibration.yaml").read_text()
