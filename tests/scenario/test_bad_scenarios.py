"""The corpus of bad scenarios: each is refused before anything runs, with a useful message.

Every ``tests/scenario/bad_scenarios/*.yaml`` breaks one thing and says in its header what a researcher
must be told::

    # expect: departments.housing.staff: must be >= 0, got -3     (source: this file)
    # expect[--set]: departments.housing.staff: must be >= 0       (source: the --set option)
    # expect[parts/other.yaml]: extends: cycle                     (source: another file)
    # expect: -: invalid YAML                                      (no key path: the whole file)
    # set: departments.housing.staff=-3                            (passed as --set)
    # lines: 1                                                     (exactly one error line)

Both ``govsim check`` and ``govsim run`` must exit with code 2, print the expected
``error: <source>: <key path>: ...<reason>...`` line on stderr, never a traceback, and ``run``
must not create its output folder. Files under ``parts/`` are helpers, not cases.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cli import EXIT_BAD_INPUT, main

CORPUS = Path(__file__).resolve().parent / "bad_scenarios"
ROOT = CORPUS.parents[2]
_EXPECT = re.compile(r"^# expect(?:\[(?P<source>[^\]]+)\])?: (?P<path>\S+): (?P<reason>.+)$")


@dataclass(frozen=True)
class BadScenario:
    file: Path
    source: str          # what the error line names before the key path
    path: str            # the key path, or "" for an error about the whole file
    reason: str          # a fragment of the reason
    overrides: tuple[str, ...]
    lines: int | None    # exact number of error lines, when the header fixes it

    def expected_prefix(self) -> str:
        return f"error: {self.source}: {self.path}: " if self.path else f"error: {self.source}: "


def parse_case(file: Path) -> BadScenario:
    header = [line for line in file.read_text(encoding="utf-8").splitlines()
              if line.startswith("#")]
    expects = [m for m in map(_EXPECT.match, header) if m]
    assert len(expects) == 1, f"{file.name}: needs exactly one '# expect:' header line"
    m = expects[0]
    source = m["source"]
    if source is None:
        source = str(file)
    elif source != "--set":
        source = str((file.parent / source).resolve())
    overrides = tuple(line.removeprefix("# set: ") for line in header
                      if line.startswith("# set: "))
    counts = [int(line.removeprefix("# lines: ")) for line in header
              if line.startswith("# lines: ")]
    return BadScenario(file, source, "" if m["path"] == "-" else m["path"], m["reason"],
                       overrides, counts[0] if counts else None)


CASES = [parse_case(f) for f in sorted(CORPUS.glob("*.yaml"))]


def _set_args(case: BadScenario) -> list[str]:
    return [arg for o in case.overrides for arg in ("--set", o)]


def assert_refused(case: BadScenario, code: int, stderr: str) -> None:
    assert code == EXIT_BAD_INPUT, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert errors, f"no error line in: {stderr!r}"
    prefix = case.expected_prefix()
    matching = [e for e in errors if e.startswith(prefix) and case.reason in e[len(prefix):]]
    assert matching, f"expected {prefix!r} ... {case.reason!r}; got:\n{stderr}"
    if case.source == "--set":
        assert "--set" in stderr
    else:
        assert Path(case.source).name in stderr
    if case.lines is not None:
        assert len(errors) == case.lines, stderr


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 25
    assert len({c.file.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file.stem)
def test_check_refuses(case: BadScenario, capsys):
    code = main(["check", str(case.file), *_set_args(case)])
    out, err = capsys.readouterr()
    assert_refused(case, code, err)
    assert "valid" not in out


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file.stem)
def test_run_refuses_before_anything_runs(case: BadScenario, capsys, tmp_path):
    out_dir = tmp_path / "out"
    code = main(["run", str(case.file), "--reps", "1", "--out", str(out_dir), "--quiet",
                 "--no-figures", *_set_args(case)])
    _, err = capsys.readouterr()
    assert_refused(case, code, err)
    assert not out_dir.exists()


@pytest.mark.parametrize("name", ["invalid_yaml", "set_negative_staff"])
def test_the_real_command_prints_no_traceback(name: str):
    """The same through a separate process, as a researcher's shell sees it."""
    case = next(c for c in CASES if c.file.stem == name)
    res = subprocess.run([sys.executable, "-m", "sim", "check", str(case.file),
                          *_set_args(case)], capture_output=True, text=True, cwd=ROOT,
                         timeout=120)
    assert_refused(case, res.returncode, res.stderr)
    assert res.stdout == ""
