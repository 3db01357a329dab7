"""Hostile output folders and names: each is refused in one line, or recovered from.

Every case states its exact outcome: the exit code, the one line on stderr (naming the file or
flag and the key path), no traceback, nothing written outside the output folder, no file of
another experiment touched, finished replications intact. The second half sends names that try
to escape (scenario, compare, sweep point, city district) through the command line.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim.experiment.files as files_module
from sim.cli import EXIT_BAD_INPUT, EXIT_CONFLICT, main
from sim.experiment.folder import MARKER
from sim.scenario.paths import safe_component
from tests.city.test_city import write_city
from tests.conftest import ROOT, tiny_dict

QUICK = ["--quiet", "--no-figures"]


# ---------------------------------------------------------------------------------------------
# The world every case runs in: a scenario file, and a finished experiment beside the output
# folder (the "victim") that nothing may touch.

@dataclass
class World:
    root: Path
    scenario: Path
    victim: Path

    def out(self, name: str = "out") -> Path:
        return self.root / name


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def tree(root: Path, leave_out: Path | None = None) -> dict[str, str]:
    """Every file under ``root`` (but not under ``leave_out``) with a hash of its bytes."""
    found = {}
    for path in sorted(root.rglob("*")):
        if leave_out is not None and path.is_relative_to(leave_out):
            continue
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            found[str(path.relative_to(root)) + "/"] = ""
    return found


@pytest.fixture(scope="module")
def finished_victim(tmp_path_factory) -> Path:
    """A finished run (tiny, seed 9) to copy beside each case's output folder."""
    folder = tmp_path_factory.mktemp("victim")
    scenario = folder / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict()))
    assert main(["run", str(scenario), "--reps", "2", "--seed", "9", "--out",
                 str(folder / "victim"), *QUICK]) == 0
    return folder / "victim"


@pytest.fixture
def world(tmp_path, finished_victim) -> World:
    (tmp_path / "in").mkdir()
    scenario = tmp_path / "in" / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict()))
    shutil.copytree(finished_victim, tmp_path / "victim")
    return World(tmp_path, scenario, tmp_path / "victim")


def cli(capsys, *args: str) -> Outcome:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return Outcome(code, captured.out, captured.err)


def run_args(world: World, out: Path, *extra: str, reps: int = 2) -> list:
    return ["run", world.scenario, "--reps", str(reps), "--out", out, *QUICK, *extra]


def assert_refused(outcome: Outcome, code: int, line: str) -> None:
    """Exit ``code``, and stderr is exactly ``error: <line>`` on one line."""
    assert outcome.code == code, outcome.err
    assert outcome.err == f"error: {line}\n"
    assert "Traceback" not in outcome.err


def assert_refused_starting(outcome: Outcome, code: int, start: str) -> None:
    assert outcome.code == code, outcome.err
    assert outcome.err.startswith(f"error: {start}"), outcome.err
    assert outcome.err.count("\n") == 1 and "Traceback" not in outcome.err


def no_temporary_files(root: Path) -> bool:
    return not [p for p in root.rglob(".*") if ".tmp" in p.name]


def outside(world: World) -> dict[str, str]:
    """Every file outside ``world.out()`` but the scenario files a case writes for itself."""
    return {path: digest for path, digest in tree(world.root, leave_out=world.out()).items()
            if not (path.startswith("in/") and path.endswith(".yaml"))}


@pytest.fixture
def guarded(world):
    """Checks, after the case, that nothing outside ``world.out()`` changed (the victim
    included)."""
    before = outside(world)
    yield world
    assert outside(world) == before


FOREIGN = ("holds files govsim did not write ({}); govsim writes only into an empty folder or "
           "one of its own, and never clears another (not even with --force); choose another "
           "--out")


# ---------------------------------------------------------------------------------------------
# 1-2: --out is not a folder

def test_out_is_a_file(guarded, capsys):
    out = guarded.out()
    out.write_text("my notes")
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_BAD_INPUT,
                   f"{out}: --out: is a file, not a folder; choose another --out")
    assert out.read_text() == "my notes"


def test_out_below_a_file(guarded, capsys):
    guarded.out().write_text("x")
    out = guarded.out() / "sub"
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out}: --out: a part of the path is a file, "
                                            "not a folder; choose another --out")


# 3-11: other users' files (class 7)

def test_a_folder_with_the_users_own_summary_is_not_overwritten(guarded, capsys):
    out = guarded.out()
    out.mkdir()
    (out / "summary.csv").write_text("mine\n")
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_CONFLICT, f"{out}: --out: " + FOREIGN.format("summary.csv"))
    assert tree(out) == {"summary.csv": hashlib.sha256(b"mine\n").hexdigest()}


def test_force_does_not_clear_a_folder_govsim_did_not_create(guarded, capsys):
    out = guarded.out()
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "plot.png").write_bytes(b"\x89PNG mine")
    (out / "summary.csv").write_text("mine\n")
    before = tree(out)
    outcome = cli(capsys, *run_args(guarded, out, "--force"))
    assert_refused(outcome, EXIT_CONFLICT,
                   f"{out}: --out: " + FOREIGN.format("figures, summary.csv"))
    assert tree(out) == before


@pytest.mark.parametrize("command", ["compare", "sweep", "warmup", "city"])
def test_every_command_refuses_a_foreign_folder_even_with_force(command, guarded, capsys):
    out = guarded.out()
    out.mkdir()
    (out / "results.xlsx").write_bytes(b"mine")
    s = str(guarded.scenario)
    args = {"compare": ["compare", s, s, "--reps", "1", *QUICK],
            "sweep": ["sweep", s, "--vary", "departments.um.staff=4,5", "--reps", "1", *QUICK],
            "warmup": ["warmup", s, "--reps", "1", "--no-figures", "--quiet"],
            "city": ["city", write_city(guarded.root / "in"), "--backend", "serial",
                     *QUICK]}[command]
    outcome = cli(capsys, *args, "--out", out, "--force")
    assert_refused(outcome, EXIT_CONFLICT, f"{out}: --out: " + FOREIGN.format("results.xlsx"))
    assert tree(out) == {"results.xlsx": hashlib.sha256(b"mine").hexdigest()}


def test_a_foreign_folder_inside_a_comparison_is_not_cleared(guarded, capsys):
    """The comparison's folder is govsim's, but ``tiny/`` inside it holds the user's files."""
    out = guarded.out()
    s = guarded.scenario
    other = s.with_name("other.yaml")
    other.write_text(yaml.safe_dump(tiny_dict(name="other")))
    args = ["compare", s, other, "--reps", "1", "--out", out, *QUICK]
    assert cli(capsys, *args).code == 0
    shutil.rmtree(out / "tiny")
    (out / "tiny").mkdir()
    (out / "tiny" / "notes.txt").write_text("mine")
    outcome = cli(capsys, *args, "--force")
    assert_refused(outcome, EXIT_CONFLICT,
                   f"{out / 'tiny'}: --out: " + FOREIGN.format("notes.txt"))
    assert (out / "tiny" / "notes.txt").read_text() == "mine"


def test_force_on_its_own_folder_keeps_the_users_files(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    (out / "notes.txt").write_text("mine")
    outcome = cli(capsys, *run_args(guarded, out, "--force"))
    assert outcome.code == 0 and "(2 computed, 0 reused" in outcome.out
    assert (out / "notes.txt").read_text() == "mine"


def test_a_folder_with_only_file_manager_droppings_counts_as_empty(guarded, capsys):
    out = guarded.out()
    out.mkdir()
    (out / ".DS_Store").write_bytes(b"finder")
    assert cli(capsys, *run_args(guarded, out)).code == 0
    assert (out / ".DS_Store").read_bytes() == b"finder" and (out / MARKER).exists()


def test_a_temporary_file_left_by_a_killed_run_does_not_block_the_folder(guarded, capsys):
    out = guarded.out()
    out.mkdir()
    (out / f".{MARKER}.tmp4242").write_bytes(b"half")
    assert cli(capsys, *run_args(guarded, out)).code == 0


def test_a_folder_of_an_earlier_govsim_is_replaced_only_with_force(guarded, capsys):
    out = guarded.out()
    (out / "reps").mkdir(parents=True)
    (out / "reps" / "key.json").write_text('{"key": "0123456789abcdef"}')
    (out / "manifest.json").write_text('{"versions": {}, "command": ["govsim"]}')
    (out / "notes.txt").write_text("mine")
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_CONFLICT, f"{out}: --out: holds govsim results without a "
                                           f"{MARKER} (an earlier govsim version); use --force "
                                           "to replace them, or choose another --out")
    outcome = cli(capsys, *run_args(guarded, out, "--force"))
    assert outcome.code == 0 and not (out / "reps" / "key.json").exists()
    assert (out / "notes.txt").read_text() == "mine"


# 12-17: damaged or foreign key files, other experiments (key paths named)

def test_a_damaged_key_file_is_refused_and_the_replications_kept(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    (out / MARKER).write_bytes(b"{\x00garbage")
    before = tree(out)
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_CONFLICT, f"{out / MARKER}: --out: damaged (JSONDecodeError), "
                                           "so it is not known whose results these are; use "
                                           "--force to replace them, or choose another --out")
    assert tree(out) == before


def test_a_damaged_key_file_is_replaced_with_force(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    (out / MARKER).write_text("")
    outcome = cli(capsys, *run_args(guarded, out, "--force"))
    assert outcome.code == 0 and "(2 computed, 0 reused" in outcome.out
    assert json.loads((out / MARKER).read_text())["kind"] == "run"


def test_a_key_file_that_govsim_did_not_write_is_not_cleared_even_with_force(guarded, capsys):
    out = guarded.out()
    out.mkdir()
    (out / MARKER).write_text('{"name": "my project"}')
    (out / "summary.csv").write_text("mine\n")
    before = tree(out)
    outcome = cli(capsys, *run_args(guarded, out, "--force"))
    assert_refused(outcome, EXIT_CONFLICT, f"{out / MARKER}: format: not written by govsim; "
                                           "govsim never writes into, or clears, a folder it "
                                           "did not create (not even with --force); choose "
                                           "another --out")
    assert tree(out) == before


def test_a_damaged_key_file_among_the_users_files_is_not_cleared(guarded, capsys):
    out = guarded.out()
    out.mkdir()
    (out / MARKER).write_text("{")
    (out / "summary.csv").write_text("mine\n")
    before = tree(out)
    outcome = cli(capsys, *run_args(guarded, out, "--force"))
    assert_refused(outcome, EXIT_CONFLICT, f"{out / MARKER}: --out: damaged, and nothing else "
                                           "in the folder is govsim's: not cleared; choose "
                                           "another --out")
    assert tree(out) == before


def test_another_seed_names_the_seed(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    before = tree(out)
    outcome = cli(capsys, *run_args(guarded, out, "--seed", "2"))
    assert_refused(outcome, EXIT_CONFLICT, f"{out / MARKER}: seed: the folder holds another "
                                           "experiment (scenario 'tiny', seed 1; seed 1 -> 2); "
                                           "use --force to replace it, or choose another --out")
    assert tree(out) == before


def test_another_scenario_names_its_key_paths(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    outcome = cli(capsys, *run_args(guarded, out, "--set", "case_types.parking.rate=0.3",
                                    "--set", "simulation.horizon=8d"))
    assert_refused_starting(outcome, EXIT_CONFLICT,
                            f"{out / MARKER}: case_types.parking.rate, simulation.horizon: ")
    assert "case_types.parking.rate 0.2 -> 0.3; simulation.horizon 168.0 -> 192.0" in outcome.err


def test_a_comparison_into_a_run_folder_names_the_kind(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    other = guarded.scenario.with_name("b.yaml")
    other.write_text(yaml.safe_dump(tiny_dict(name="b")))
    outcome = cli(capsys, "compare", guarded.scenario, other, "--reps", "1", "--out", out,
                  *QUICK)
    assert_refused(outcome, EXIT_CONFLICT, f"{out / MARKER}: kind: the folder holds another "
                                           "experiment (a run, not a compare: scenario 'tiny', "
                                           "seed 1); use --force to replace it, or choose "
                                           "another --out")


def test_a_run_into_a_sweep_folder_names_the_kind(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, "sweep", guarded.scenario, "--vary", "departments.um.staff=4,5",
               "--reps", "1", "--out", out, *QUICK).code == 0
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused_starting(outcome, EXIT_CONFLICT, f"{out / MARKER}: kind: the folder holds "
                                                    "another experiment (a sweep, not a run")


# 18-23: writing fails: full disk, read-only folder, a name too long

def _fail_writes(monkeypatch, inside: Path, code: int, when=lambda path: True,
                 partial: bool = False) -> None:
    """Make writing a file under ``inside`` (for which ``when(path)``) fail with ``code``,
    after writing half of it if ``partial`` (as a disk filling up does)."""
    real_open = open
    real_mkdir = Path.mkdir

    def fake_open(path, mode="r", *args, **kwargs):
        path_ = Path(path)
        if "w" in mode and path_.is_relative_to(inside) and when(path_):
            if not partial:
                raise OSError(code, os.strerror(code), str(path))
            handle = real_open(path, mode, *args, **kwargs)

            class Filling:
                def __enter__(self):
                    return self

                def __exit__(self, *exc):
                    handle.close()

                def write(self, data):
                    handle.write(data[: len(data) // 2])
                    raise OSError(code, os.strerror(code), str(path))

            return Filling()
        return real_open(path, mode, *args, **kwargs)

    def fake_mkdir(self, *args, **kwargs):
        # An existing folder is reported as existing before anything else (as mkdir(2) does).
        if Path(self).is_relative_to(inside) and when(Path(self)) and not Path(self).exists():
            raise OSError(code, os.strerror(code), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(files_module, "open", fake_open, raising=False)
    monkeypatch.setattr(Path, "mkdir", fake_mkdir)


def test_the_disk_fills_up_during_a_replication(guarded, capsys, monkeypatch):
    out = guarded.out()
    _fail_writes(monkeypatch, out, errno.ENOSPC, lambda p: p.name.startswith(".rep-00002"),
                 partial=True)
    outcome = cli(capsys, *run_args(guarded, out, reps=3))
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out / 'reps' / 'rep-00002.cases.parquet'}: "
                                            "--out: cannot write (No space left on device)")
    assert no_temporary_files(out)
    assert sorted(p.name for p in (out / "reps").glob("*.json")) == ["rep-00000.json",
                                                                     "rep-00001.json"]
    monkeypatch.undo()
    outcome = cli(capsys, *run_args(guarded, out, reps=3))
    assert outcome.code == 0 and "(1 computed, 2 reused" in outcome.out


def test_the_disk_fills_up_while_writing_the_summary(guarded, capsys, monkeypatch):
    out = guarded.out()
    _fail_writes(monkeypatch, out, errno.ENOSPC, lambda p: "summary.csv" in p.name,
                 partial=True)
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out / 'summary.csv'}: --out: cannot write (No "
                                            "space left on device)")
    assert no_temporary_files(out) and not (out / "summary.csv").exists()
    monkeypatch.undo()
    outcome = cli(capsys, *run_args(guarded, out))
    assert outcome.code == 0 and "(0 computed, 2 reused" in outcome.out


def test_a_read_only_new_folder(guarded, capsys, monkeypatch):
    out = guarded.out() / "new"
    _fail_writes(monkeypatch, guarded.out(), errno.EROFS)
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out}: --out: cannot create the folder "
                                            "(Read-only file system)")
    assert not guarded.out().exists()


def test_a_read_only_existing_folder(guarded, capsys, monkeypatch):
    out = guarded.out()
    out.mkdir()
    _fail_writes(monkeypatch, out, errno.EACCES)
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out / MARKER}: --out: cannot write (Permission "
                                            "denied)")
    assert list(out.iterdir()) == []


def test_an_out_name_too_long_for_the_file_system(guarded, capsys):
    out = guarded.root / ("x" * 300)
    outcome = cli(capsys, *run_args(guarded, out))
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out}: --out: cannot create the folder (File "
                                            "name too long)")


def test_a_real_write_limit_leaves_no_temporary_file(guarded, capsys):
    """The operating system refuses a file beyond 12 kB (RLIMIT_FSIZE, as a full disk would):
    one line naming the file, exit 2, no temporary file left behind; with room again, the same
    command finishes the run."""
    out = guarded.out()

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (12_000, 12_000))

    res = subprocess.run([sys.executable, "-B", "-m", "sim", *map(str, run_args(guarded, out))],
                         capture_output=True, text=True, cwd=ROOT, preexec_fn=limit,
                         timeout=300)
    assert res.returncode == EXIT_BAD_INPUT, res.stderr
    assert re.fullmatch(rf"error: {re.escape(str(out))}/\S+: --out: cannot write \(File too "
                        r"large\)\n", res.stderr), res.stderr
    assert no_temporary_files(out)
    outcome = cli(capsys, *run_args(guarded, out))
    assert outcome.code == 0 and outcome.err == ""


# 24-25: names too long, sweep values that read the same

def test_a_scenario_name_too_long_for_the_file_system(world, capsys, monkeypatch):
    guarded = world
    monkeypatch.chdir(guarded.root)
    guarded.scenario.write_text(yaml.safe_dump(tiny_dict(name="long" * 100)))
    outcome = cli(capsys, "run", guarded.scenario, "--reps", "1", *QUICK)
    assert outcome.code == 0
    [folder] = (guarded.root / "results").iterdir()
    assert folder.name == safe_component("long" * 100) and len(folder.name) <= 80


def test_sweep_values_that_give_the_same_point_name(guarded, capsys):
    out = guarded.out()
    outcome = cli(capsys, "sweep", guarded.scenario, "--vary", "departments.um.staff=1,'1'",
                  "--reps", "1", "--out", out, *QUICK)
    assert_refused(outcome, EXIT_BAD_INPUT, "--vary: departments.um.staff: values 1 and '1' "
                                            "give the same point name 'staff=1'; give values "
                                            "that read differently")
    assert not out.exists()


# 26-30: damaged stored results, damaged manifests

def test_a_truncated_replication_is_recomputed_with_a_warning(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    cases = out / "reps" / "rep-00001.cases.parquet"
    cases.write_bytes(cases.read_bytes()[:100])
    outcome = cli(capsys, *run_args(guarded, out))
    assert outcome.code == 0 and "(1 computed, 1 reused" in outcome.out
    assert outcome.err == (f"warning: {out / 'reps' / 'rep-00001.json'}: replication 1: "
                           "rep-00001.cases.parquet differs from what was written (checksum); "
                           "recomputing it\n")


@pytest.fixture(scope="module")
def finished_city(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    path = write_city(folder)
    assert main(["city", path, "--out", str(folder / "city"), "--backend", "serial",
                 *QUICK]) == 0
    return folder


@pytest.mark.parametrize("harm", ["flip", "swap districts"])
def test_a_damaged_city_part_is_recomputed_with_a_warning(harm, finished_city, tmp_path,
                                                          capsys):
    shutil.copytree(finished_city, tmp_path / "c")
    out = tmp_path / "c" / "city"
    east = out / "cases.parquet" / "district=east"
    west = out / "cases.parquet" / "district=west"
    if harm == "flip":
        data = bytearray((east / "part-0.parquet").read_bytes())
        data[len(data) // 2] ^= 0xFF
        (east / "part-0.parquet").write_bytes(bytes(data))
        expected = [f"warning: {east / '_part-0.json'}: district 'east' replication 0: "
                    "part-0.parquet differs from what was written (checksum); recomputing it"]
    else:   # west's part and seal copied over east's
        shutil.copyfile(west / "part-0.parquet", east / "part-0.parquet")
        shutil.copyfile(west / "_part-0.json", east / "_part-0.json")
        expected = [f"warning: {east / '_part-0.json'}: district 'east' replication 0: it "
                    "belongs to another replication"]
    outcome = cli(capsys, "city", tmp_path / "c" / "city.yaml", "--out", out, "--backend",
                  "serial", *QUICK)
    assert outcome.code == 0
    assert outcome.err.startswith(expected[0]) and outcome.err.count("\n") == 1
    assert (out / "summary.csv").read_bytes() == (finished_city / "city" / "summary.csv"
                                                  ).read_bytes()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["timings"]["reused"] == ["west/part-0"]


def test_report_of_a_damaged_manifest(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, *run_args(guarded, out)).code == 0
    (out / "manifest.json").write_text('{"scenario": ')
    outcome = cli(capsys, "report", out)
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out / 'manifest.json'}: damaged or unreadable "
                                            "(JSONDecodeError); rerun the command that wrote it")


def test_report_of_a_sweep_manifest_whose_point_leaves_the_folder(guarded, capsys):
    out = guarded.out()
    assert cli(capsys, "sweep", guarded.scenario, "--vary", "departments.um.staff=4,5",
               "--reps", "1", "--out", out, *QUICK).code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["points"][0]["id"] = "../../victim"
    (out / "manifest.json").write_text(json.dumps(manifest))
    outcome = cli(capsys, "report", out)
    assert_refused(outcome, EXIT_BAD_INPUT, f"{out / 'manifest.json'}: '../../victim' is not a "
                                            "folder name inside the result folder")
    assert not (out / "report.html").exists()


# ---------------------------------------------------------------------------------------------
# Names that try to escape, through the command line

BAD_NAMES = ["../../escaped", "/tmp/abs", "..", ".", "x/../../y", "a\\..\\..\\b", ".hidden",
             "-rf", "con", "NUL.txt", "figures", "reps", "manifest.json", MARKER, "~", "a~b",
             "东城/../x", "name\x00nul", "new\nline", "x" * 300, "Upper Case", "%2e%2e%2f"]


@pytest.mark.parametrize("name", BAD_NAMES, ids=[repr(n)[:30] for n in BAD_NAMES])
def test_a_scenario_name_stays_inside_results(name, world, capsys, monkeypatch):
    guarded = world   # the default output folder is checked below
    monkeypatch.chdir(guarded.root)
    guarded.scenario.write_text(yaml.safe_dump(tiny_dict(name=name)))
    before = tree(guarded.root)
    outcome = cli(capsys, "run", guarded.scenario, "--reps", "1", *QUICK)
    if any(ord(c) < 32 for c in name):   # refused by the scenario's name rules: nothing written
        assert outcome.code == 2 and outcome.err.count("\n") == 1 and ": name: " in outcome.err
        assert tree(guarded.root) == before
        return
    assert outcome.code == 0, outcome.err
    folder = guarded.root / "results" / safe_component(name)
    after = tree(guarded.root)
    added = set(after) - set(before) - {"results/"}
    assert added and all((guarded.root / p).is_relative_to(folder) for p in added)
    assert {path: after.get(path) for path in before} == before   # nothing else touched
    assert pd.read_parquet(folder / "cases.parquet")["scenario"].eq(name).all()


@pytest.mark.parametrize("name", ["../victim", "..", "/tmp/abs", "figures", "x/../../y"])
def test_compare_force_with_an_escaping_name_touches_no_other_experiment(name, guarded, capsys,
                                                                         tmp_path):
    out = guarded.out()
    hostile = guarded.scenario.with_name("hostile.yaml")
    hostile.write_text(yaml.safe_dump(tiny_dict(name=name)))
    args = ["compare", guarded.scenario, hostile, "--reps", "2", "--out", out, *QUICK]
    assert cli(capsys, *args).code == 0
    outcome = cli(capsys, *args, "--force")     # --force clears: but only inside out
    assert outcome.code == 0 and "(4 computed, 0 reused" in outcome.out
    sub = out / safe_component(name)
    assert pd.read_parquet(sub / "cases.parquet")["scenario"].eq(name).all()
    assert (out / "tiny" / "cases.parquet").exists()
    report = cli(capsys, "report", out)
    assert report.code == 0 and (out / "report.html").exists()


def test_sweep_points_named_by_escaping_values_stay_inside(guarded, capsys):
    out = guarded.out()
    values = ["../../escaped", "/tmp/abs", "..", "x/../../y"]
    outcome = cli(capsys, "sweep", guarded.scenario, "--vary",
                  "description=" + ",".join(values), "--reps", "1", "--out", out, *QUICK)
    assert outcome.code == 0, outcome.err
    manifest = json.loads((out / "manifest.json").read_text())
    ids = [p["id"] for p in manifest["points"]]
    assert sorted(p.name for p in (out / "points").iterdir()) == sorted(ids)
    assert ids == [safe_component(f"description={v}") for v in values]
    assert cli(capsys, "report", out).code == 0


@pytest.mark.parametrize("district", ["x/../../y", "..", "/tmp/abs", "东城", "7"])
def test_a_city_district_name_stays_inside_and_in_the_summary(district, guarded, capsys):
    out = guarded.out()
    path = write_city(guarded.root / "in", districts={
        district: {"label": "d", "streets": 1}, "west": {"label": "w", "streets": 1}})
    outcome = cli(capsys, "city", path, "--out", out, "--backend", "serial", *QUICK)
    if "/" in district:   # refused by the name rules ('/' joins pool names): nothing written
        assert outcome.code == 2 and outcome.err.count("\n") == 1
        assert "city.districts" in outcome.err and not out.exists()
        return
    assert outcome.code == 0, outcome.err
    part = out / "cases.parquet" / f"district={safe_component(district)}" / "part-0.parquet"
    assert pd.read_parquet(part)["scenario"].eq(district).all()
    summary = pd.read_csv(out / "summary.csv", dtype={"scope": str})
    assert {district, "west", "CITY"} == set(summary["scope"])
