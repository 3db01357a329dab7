"""Screenshots of a report.html in a real headless browser (Chromium), and the page's height.

    .venv/bin/python benchmarks/report_screenshots.py results/demo-compare/report.html \
        --out results/screenshots

writes ``top.png`` (the first screen, 1280 x 2400), ``page-NN.png`` (the whole page cut into
screens of that size, to look at one by one) and prints the page height.

How the height is measured, without JavaScript: Chromium draws the page in a window taller
than any report (``--window-size=1280,40000``) on a white background; the height is the last
row of the screenshot with a non-white pixel (plus nothing: the body's bottom margin is white).
A page taller than the window is reported as "at least" the window.

Used by ``make screenshots`` and tests/report/test_screenshots.py (skipped without Chromium).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WIDTH = 1280
SCREEN = 2400
TALL = 40_000


def find_browser() -> str | None:
    """The path of a Chromium-like browser on PATH, or None."""
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(browser: str, page: Path, png: Path, height: int, width: int = WIDTH,
               timeout: float = 300) -> Path:
    """``page`` drawn by headless Chromium in a ``width`` x ``height`` window, as ``png``."""
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--screenshot={png}", f"--window-size={width},{height}",
                    page.resolve().as_uri()],
                   check=True, capture_output=True, timeout=timeout)
    if not png.exists():
        raise RuntimeError(f"{browser} wrote no screenshot of {page}")
    return png


def content_height(png: Path, background: int = 250) -> int:
    """The last row (1-based) holding a pixel darker than ``background`` (0: blank image)."""
    gray = np.asarray(Image.open(png).convert("L"))
    rows = np.flatnonzero((gray < background).any(axis=1))
    return int(rows[-1]) + 1 if rows.size else 0


def shoot(page: Path, out: Path, browser: str, tall: int = TALL) -> dict:
    """Write ``top.png`` and ``page-NN.png`` of ``page`` to ``out``; return the measures."""
    out.mkdir(parents=True, exist_ok=True)
    screenshot(browser, page, out / "top.png", SCREEN)
    with tempfile.TemporaryDirectory() as tmp:
        full = screenshot(browser, page, Path(tmp) / "full.png", tall)
        height = content_height(full)
        image = Image.open(full)
        for old in out.glob("page-*.png"):
            old.unlink()
        tiles = []
        for i, top in enumerate(range(0, max(height, 1), SCREEN)):
            tile = out / f"page-{i + 1:02d}.png"
            image.crop((0, top, WIDTH, min(top + SCREEN, height))).save(tile)
            tiles.append(tile)
    return {"height_px": height, "at_least": height >= tall, "tiles": tiles,
            "top": out / "top.png"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="a report.html")
    parser.add_argument("--out", type=Path, default=Path("results/screenshots"),
                        help="folder for the PNGs (default results/screenshots)")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("error: no Chromium found (looked for " + ", ".join(BROWSERS) + ")",
              file=sys.stderr)
        return 2
    if not args.report.is_file():
        print(f"error: {args.report}: no such file", file=sys.stderr)
        return 2
    found = shoot(args.report, args.out, browser)
    height = f"{'at least ' if found['at_least'] else ''}{found['height_px']:,} px"
    print(f"{args.report}: page height {height} at {WIDTH} px wide (last non-white row of a "
          f"{WIDTH}x{TALL} headless Chromium screenshot)")
    print(f"screenshots: {found['top']} and {len(found['tiles'])} page-NN.png in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
