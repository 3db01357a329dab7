"""The report in a real headless browser (benchmarks/report_screenshots.py); skipped, with the
reason, where no Chromium is installed. ``make screenshots`` does the same for a four-scenario
comparison, to look at."""

from __future__ import annotations

import importlib.util

import pytest
from PIL import Image

import sim
from sim.report import build_report
from tests.conftest import ROOT, tiny_dict

_spec = importlib.util.spec_from_file_location(
    "report_screenshots", ROOT / "benchmarks" / "report_screenshots.py")
shots = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(shots)

BROWSER = shots.find_browser()
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium on PATH (looked for "
                                + ", ".join(shots.BROWSERS) + ")")


def test_chromium_draws_the_report_and_the_height_is_measured(tmp_path):
    out = tmp_path / "run"
    sim.run(tiny_dict(), reps=1, out=out)
    page = build_report(out)
    found = shots.shoot(page, tmp_path / "shots", BROWSER, tall=12_000)
    top = Image.open(found["top"])
    assert top.size == (shots.WIDTH, shots.SCREEN)
    # Drawn, not blank: the title and the key results are on the first screen.
    assert shots.content_height(found["top"]) > 600
    # A whole page of seven sections is taller than one screen and ends inside the window.
    assert shots.SCREEN < found["height_px"] < 12_000 and not found["at_least"]
    assert len(found["tiles"]) == -(-found["height_px"] // shots.SCREEN)
    assert sum(Image.open(t).size[1] for t in found["tiles"]) == found["height_px"]
