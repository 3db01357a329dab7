"""Nothing lost: finished replications are kept, reused and never recomputed."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import sim
from sim.experiment import runner
from sim.experiment.workspace import OutputConflict
from tests.conftest import tiny_dict


def _manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _run(folder, reps, **kw):
    """``sim.run`` into ``folder`` writing its manifest, like ``govsim run``."""
    s = sim.load(tiny_dict())
    [res] = runner.run_scenarios([s], reps, 11, [folder], write_outputs=False, **kw)
    runner.write_run_outputs(res, "serial", None, ["test"], 0.95, figures=False)
    return res


def test_asking_for_more_replications_computes_only_the_missing_ones(tmp_path):
    first = _run(tmp_path / "a", 3)
    assert first.computed == [0, 1, 2] and first.reused == []
    more = _run(tmp_path / "a", 6)
    timings = _manifest(tmp_path / "a")["timings"]
    assert timings["computed"] == [3, 4, 5]
    assert timings["reused"] == [0, 1, 2]
    fresh = _run(tmp_path / "b", 6)
    assert _manifest(tmp_path / "b")["timings"]["computed"] == [0, 1, 2, 3, 4, 5]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "a" / "cases.parquet"),
                                  pd.read_parquet(tmp_path / "b" / "cases.parquet"))
    pd.testing.assert_frame_equal(more.summary, fresh.summary)
    # Every table, the measures and the run ends included: a resumed run writes what a fresh
    # one writes.
    assert more.end_times == fresh.end_times and len(more.end_times) == 6
    for name in ("summary.csv", "pools.csv", "reports.csv", "streets.csv", "departments.csv",
                 "backlog.csv", "capacity.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_killed_run_keeps_what_it_finished(tmp_path, monkeypatch):
    real = runner.run_tasks

    def dies_after_two(tasks, *args, **kwargs):
        for i, rep in enumerate(real(tasks, *args, **kwargs)):
            if i == 2:
                raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-run
            yield rep

    monkeypatch.setattr(runner, "run_tasks", dies_after_two)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path / "a", 5)
    kept = sorted(p.name for p in (tmp_path / "a" / "reps").glob("rep-*.cases.parquet"))
    assert kept == ["rep-00000.cases.parquet", "rep-00001.cases.parquet"]
    monkeypatch.setattr(runner, "run_tasks", real)
    resumed = _run(tmp_path / "a", 5)
    assert resumed.reused == [0, 1] and resumed.computed == [2, 3, 4]
    fresh = _run(tmp_path / "b", 5)
    pd.testing.assert_frame_equal(resumed.cases, fresh.cases)


def test_a_lost_replication_file_is_recomputed_alone(tmp_path):
    _run(tmp_path / "a", 4)
    (tmp_path / "a" / "reps" / "rep-00002.cases.parquet").unlink()
    again = _run(tmp_path / "a", 4)
    assert again.computed == [2] and again.reused == [0, 1, 3]


def test_force_recomputes_everything(tmp_path):
    _run(tmp_path / "a", 2)
    again = _run(tmp_path / "a", 2, force=True)
    assert again.computed == [0, 1] and again.reused == []


def test_another_seed_or_scenario_is_refused(tmp_path):
    _run(tmp_path / "a", 2)
    with pytest.raises(OutputConflict):
        runner.run_scenarios([sim.load(tiny_dict())], 2, 12, [tmp_path / "a"])
    other = sim.load(tiny_dict(departments={"um": {"staff": 9}, "housing": {"staff": 3}}))
    with pytest.raises(OutputConflict):
        runner.run_scenarios([other], 2, 11, [tmp_path / "a"])


def test_a_changed_model_recomputes_instead_of_reusing(tmp_path, monkeypatch):
    """The experiment key includes a fingerprint of the model's code: after a model change the
    finished replications of the old code are not reused as if they were current."""
    import sim.experiment.workspace as workspace
    from sim.experiment.runner import run_scenarios
    from sim.scenario import scenario_from_dict
    from tests.conftest import tiny_dict

    scenario = scenario_from_dict(tiny_dict())
    out = tmp_path / "run"
    [first] = run_scenarios([scenario], 2, 1, [out])
    assert first.computed == [0, 1]
    [again] = run_scenarios([scenario], 2, 1, [out])
    assert again.computed == [] and again.reused == [0, 1]
    monkeypatch.setattr(workspace, "model_fingerprint", lambda: "another-model")
    try:
        run_scenarios([scenario], 2, 1, [out])
    except workspace.OutputConflict:
        pass  # refused without --force: also honest (nothing stale is reused)
    else:
        raise AssertionError("results of another model version were accepted")
    [forced] = run_scenarios([scenario], 2, 1, [out], force=True)
    assert forced.computed == [0, 1]
