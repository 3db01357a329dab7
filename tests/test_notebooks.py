"""Every notebook in experiments/ executes, at quick size, on a real Jupyter kernel.

The kernel is ``python3`` started with *this* interpreter (jupyter_client replaces the spec's
``python`` by ``sys.executable``), so the notebooks run against the package under test; a first
injected cell proves it. Results go to a temporary folder, and the committed notebooks (with
their full-size outputs) are never written to.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "experiments").glob("*.ipynb"))


def test_the_four_notebooks_exist():
    names = [p.stem for p in NOTEBOOKS]
    assert names == ["01_reform_comparison", "02_sinking_tradeoff", "03_validation",
                     "04_calibration"]


def test_notebooks_have_a_size_parameter_and_full_size_outputs():
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1 and "GOVSIM_NOTEBOOK_SIZE" in tagged[0].source, path.name
        code = [c for c in nb.cells if c.cell_type == "code"]
        # Committed with the outputs of a full run: every cell executed in order, no errors.
        assert [c.execution_count for c in code] == list(range(1, len(code) + 1)), path.name
        errors = [o for c in code for o in c.outputs if o.output_type == "error"]
        assert not errors, path.name
        figures = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
        assert figures, f"{path.name}: no figure in the committed outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_at_quick_size(path, tmp_path, monkeypatch):
    monkeypatch.setenv("GOVSIM_NOTEBOOK_SIZE", "quick")
    monkeypatch.setenv("GOVSIM_NOTEBOOK_OUT", str(tmp_path))
    nb = nbformat.read(path, as_version=4)
    probe = nbformat.v4.new_code_cell("import sys, sim\nprint(sys.prefix)\nprint(sim.__file__)")
    nb.cells.insert(0, probe)
    client = NotebookClient(nb, kernel_name="python3", timeout=300,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    prefix, package = nb.cells[0].outputs[0]["text"].split()
    assert os.path.realpath(prefix) == os.path.realpath(sys.prefix)
    assert Path(package).resolve().is_relative_to(ROOT)
    if not path.stem.startswith("03"):  # 03 keeps its runs in memory
        assert any(tmp_path.iterdir()), "results belong in the folder given by the test"
