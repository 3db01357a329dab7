"""Every notebook in experiments/ executes, at quick size, on a real Jupyter kernel; a plot in
a notebook shows inline, after ``sim.compare`` has drawn its own figures to files.

The kernel is ``govsim``, the one the notebooks name, as ``make install`` registers it inside
this venv (``ipykernel install --sys-prefix``; Jupyter prefers a venv's kernels to the user's),
so the notebooks run against the package under test; a first injected cell proves it. Results
go to a temporary folder, and the committed notebooks (with their full-size outputs) are never
written to.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient import NotebookClient

from tests.conftest import tiny_dict

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "experiments").glob("*.ipynb"))
KERNEL = "govsim"


def _in_this_venv(path: str) -> bool:
    return Path(path).absolute().is_relative_to(Path(sys.prefix).absolute())


def test_the_govsim_kernel_is_registered_in_this_venv_and_runs_its_python():
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        pytest.fail(f"no Jupyter kernel {KERNEL!r}: run `make install` (it registers it in the "
                    "venv)")
    assert _in_this_venv(spec.resource_dir), (
        f"kernel {KERNEL!r} comes from {spec.resource_dir}, not from this venv ({sys.prefix}): "
        "run `make install`")
    assert _in_this_venv(spec.argv[0]), spec.argv


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
    client = NotebookClient(nb, kernel_name=KERNEL, timeout=300,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError on the first failing cell
    prefix, package = nb.cells[0].outputs[0]["text"].split()
    assert os.path.realpath(prefix) == os.path.realpath(sys.prefix)
    assert Path(package).resolve().is_relative_to(ROOT)
    if not path.stem.startswith("03"):  # 03 keeps its runs in memory
        assert any(tmp_path.iterdir()), "results belong in the folder given by the test"


def _images(cell) -> list:
    return [o for o in cell.outputs if "image/png" in o.get("data", {})]


def test_plots_show_inline_after_compare_has_written_its_figures(tmp_path):
    """What a researcher types: inline plots, a comparison written to a folder (which draws
    its figures to files), then a plot of their own and a figure of the result. Each cell
    shows its figure, once; matplotlib's backend is never changed under the notebook."""
    fast = tiny_dict(name="fast", reform={"whistle": {"enabled": True}})
    cells = [
        "%matplotlib inline\nimport matplotlib\nbackend = matplotlib.get_backend()",
        f"import sim\nr = sim.compare([{tiny_dict()!r}, {fast!r}], reps=2, "
        f"out={str(tmp_path / 'cmp')!r})",
        "import matplotlib.pyplot as plt\nplt.plot([0, 1, 2], [2, 0, 1])",
        "r.plot_ecdf()",
        "r",
        "assert matplotlib.get_backend() == backend, (backend, matplotlib.get_backend())",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    NotebookClient(nb, kernel_name=KERNEL, timeout=120,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert (tmp_path / "cmp" / "figures" / "compare_ecdf.png").exists()
    assert len(_images(nb.cells[2])) == 1, nb.cells[2].outputs
    assert len(_images(nb.cells[3])) == 1, nb.cells[3].outputs
    shown = nb.cells[4].outputs[0]["data"]
    assert shown["text/plain"].startswith("<CompareResult: 2 scenarios, 2 reps")
    assert "<table" in shown["text/html"]
