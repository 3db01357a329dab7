"""The README's examples run as tests: a reader who copies them gets what they promise."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, flags=re.S)


def test_readme_opens_with_the_two_commands():
    head = "\n".join(README.splitlines()[:10])
    assert "make demo" in head and "make test" in head


def test_python_api_example_runs(monkeypatch):
    blocks = python_blocks()
    assert blocks, "README has a Python example"
    monkeypatch.chdir(ROOT)  # the example uses paths relative to the repository
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    cases, table, sweep = namespace["cases"], namespace["table"], namespace["sweep"]
    assert isinstance(cases, pd.DataFrame) and cases["replication"].nunique() == 10
    assert {"metric", "case_type", "scenario", "diff"} <= set(table.columns)
    assert "departments.um.staff" in sweep.columns and "replication" in sweep.columns
    assert repr(namespace["r"]).startswith("<RunResult 'baseline': 10 reps, seed 1")
    assert namespace["s"].base.case_types["parking"].deadline == 12.0  # the override applied
