"""The cost of figures: the share of a 4-scenario ``govsim compare``'s wall time spent drawing.

Runs ``govsim compare scenarios/{baseline,whistle,sinking,combined}.yaml --reps R`` twice per
repeat, once with figures and once with ``--no-figures``, each into a fresh folder (so no
stored replication is reused), alternating the two so that other work on the machine
disturbs both alike. The figure share is ``(with - without) / with`` on the fastest run of
each kind. Target (issue 12): at most a quarter. Printed, never asserted (a benchmark, not a
test).

    .venv/bin/python benchmarks/figures.py                 # --reps 5 --repeats 2
    .venv/bin/python benchmarks/figures.py --reps 10 --repeats 3 --format png,pdf
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [f"scenarios/{name}.yaml" for name in ("baseline", "whistle", "sinking", "combined")]
TARGET_SHARE = 0.25


def compare_wall_s(reps: int, out: Path, figures: bool, extra: list[str]) -> float:
    """Wall seconds of one ``govsim compare`` in a fresh process (imports included)."""
    command = [sys.executable, "-m", "sim", "compare", *SCENARIOS, "--reps", str(reps),
               "--out", str(out), "--force", "--quiet", *extra]
    if not figures:
        command.append("--no-figures")
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=5, help="replications (default 5)")
    p.add_argument("--repeats", type=int, default=2, help="runs of each kind (default 2)")
    p.add_argument("--format", default=None, help="passed on as --format (default: png)")
    args = p.parse_args(argv)
    extra = ["--format", args.format] if args.format else []
    walls: dict[bool, list[float]] = {True: [], False: []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for figures in (True, False):
                out = Path(tmp) / f"run-{i}-{int(figures)}"
                walls[figures].append(compare_wall_s(args.reps, out, figures, extra))
    with_figures, without = min(walls[True]), min(walls[False])
    share = (with_figures - without) / with_figures
    print(f"govsim compare {' '.join(SCENARIOS)} --reps {args.reps}"
          + (f" --format {args.format}" if args.format else ""))
    print(f"  with figures:  {with_figures:6.2f} s  (runs: "
          + ", ".join(f"{w:.2f}" for w in walls[True]) + ")")
    print(f"  --no-figures:  {without:6.2f} s  (runs: "
          + ", ".join(f"{w:.2f}" for w in walls[False]) + ")")
    print(f"  figure share of wall time: {share:.0%} (target <= {TARGET_SHARE:.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
