"""Stored replications are verified before reuse: a damaged one is recomputed, with a warning.

Each finished replication's tables are sealed by ``rep-NNNNN.json``: the experiment key, seed
and replication, and the SHA-256 of every table. Flipped bytes, a truncated file, one
replication's file copied over another's: each is detected on the next run, recomputed alone,
and the result is identical to that of an undamaged run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.cli import main
from tests.conftest import tiny_dict

REPS = 4


def _flip(path: Path, offsets=(0.3, 0.6)) -> None:
    data = bytearray(path.read_bytes())
    for fraction in offsets:
        data[int(len(data) * fraction)] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _copy(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)


def _reps(out: Path) -> Path:
    return out / "reps"


DAMAGE = {
    # name: (what is done to the stored folder, the replications it must recompute)
    "flipped bytes in a cases table": (
        lambda d: _flip(d / "rep-00001.cases.parquet"), [1]),
    "flipped bytes in a visits table": (
        lambda d: _flip(d / "rep-00002.visits.parquet"), [2]),
    "a truncated pools table": (
        lambda d: _truncate(d / "rep-00003.pools.parquet"), [3]),
    "an empty cases table": (
        lambda d: (d / "rep-00000.cases.parquet").write_bytes(b""), [0]),
    "a replication's table copied over another's": (
        lambda d: _copy(d / "rep-00000.cases.parquet", d / "rep-00002.cases.parquet"), [2]),
    "a replication copied whole (tables and seal) over another": (
        lambda d: [_copy(d / f"rep-00000.{t}", d / f"rep-00003.{t}")
                   for t in ("cases.parquet", "pools.parquet", "visits.parquet", "json")],
        [3]),
    "two replications' tables swapped": (
        lambda d: _swap(d / "rep-00001.cases.parquet", d / "rep-00002.cases.parquet"), [1, 2]),
    "flipped bytes in a seal": (
        lambda d: _flip(d / "rep-00001.json", offsets=(0.5,)), [1]),
    "a truncated seal": (lambda d: _truncate(d / "rep-00002.json"), [2]),
    "a table file deleted": (lambda d: (d / "rep-00003.visits.parquet").unlink(), [3]),
}


def _swap(a: Path, b: Path) -> None:
    tmp = a.with_name("swap.tmp")
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("stored") / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny_dict()))
    return path


@pytest.fixture(scope="module")
def undamaged(scenario) -> Path:
    out = scenario.parent / "undamaged"
    assert main(_args(scenario, out)) == 0
    return out


def _args(scenario: Path, out: Path) -> list[str]:
    """``govsim run`` of the tiny scenario, 4 replications, seed 5, into ``out``."""
    return ["run", str(scenario), "--reps", str(REPS), "--seed", "5", "--out", str(out),
            "--quiet", "--no-figures"]


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_replication_is_recomputed_and_the_result_is_as_if_undamaged(
        damage, scenario, undamaged, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(_args(scenario, out)) == 0
    capsys.readouterr()
    harm, expected = DAMAGE[damage]
    harm(_reps(out))
    assert main(_args(scenario, out)) == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == len(expected), captured.err
    for rep, line in zip(expected, warnings, strict=True):
        assert f"rep-{rep:05d}.json: replication {rep}: " in line and "recomputing it" in line
    assert "Traceback" not in captured.err
    assert f"({len(expected)} computed, {REPS - len(expected)} reused" in captured.out
    pd.testing.assert_frame_equal(pd.read_parquet(out / "cases.parquet"),
                                  pd.read_parquet(undamaged / "cases.parquet"))
    assert (out / "summary.csv").read_bytes() == (undamaged / "summary.csv").read_bytes()
    assert (out / "pools.csv").read_bytes() == (undamaged / "pools.csv").read_bytes()
    # Repaired for good: the next run reuses everything, silently.
    assert main(_args(scenario, out)) == 0
    again = capsys.readouterr()
    assert "warning" not in again.err and f"(0 computed, {REPS} reused" in again.out


def test_a_replication_killed_while_being_stored_is_recomputed_silently(scenario, tmp_path,
                                                                          capsys):
    """Tables on disk without their seal: the run was killed between the two. Not damage,
    just unfinished work."""
    out = tmp_path / "run"
    assert main(_args(scenario, out)) == 0
    (out / "reps" / "rep-00002.json").unlink()
    capsys.readouterr()
    assert main(_args(scenario, out)) == 0
    captured = capsys.readouterr()
    assert "warning" not in captured.err
    assert f"(1 computed, {REPS - 1} reused" in captured.out


def test_a_replication_of_another_seed_is_not_reused(scenario, tmp_path, capsys):
    """A whole replication (tables and seal) from a run with another seed, dropped into this
    folder, is not this experiment's: recomputed."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert main(_args(scenario, ours)) == 0
    assert main([*_args(scenario, theirs), "--seed", "6"]) == 0   # the last --seed counts
    before = pd.read_parquet(ours / "cases.parquet")
    for suffix in ("cases.parquet", "pools.parquet", "visits.parquet", "json"):
        _copy(theirs / "reps" / f"rep-00001.{suffix}", ours / "reps" / f"rep-00001.{suffix}")
    capsys.readouterr()
    assert main(_args(scenario, ours)) == 0
    err = capsys.readouterr().err
    assert "rep-00001.json: replication 1: it belongs to another replication" in err
    pd.testing.assert_frame_equal(pd.read_parquet(ours / "cases.parquet"), before)
