"""The cost of figures: the share of a 4-scenario ``govsim compare``'s wall time spent drawing.

Runs ``govsim compare scenarios/{baseline,whistle,sinking,combined}.yaml --reps R`` twice per
repeat, once with figures and once with ``--no-figures``, each into a fresh folder (so no
stored replication is reused), alternating the two so that other work on the machine
disturbs both alike. Each run is measured in wall seconds and in CPU seconds of the child
process (user + system, which other work on a busy machine inflates much less). The figure
share is ``(with - without) / with`` on the fastest run of each kind. Target (issue 12): at
most a quarter. Printed, never asserted (a benchmark, not a test).

``--before DIR`` runs the same commands in another checkout too (e.g. ``git archive`` of the
commit before a change, unpacked in DIR), interleaved with this one, for a before/after.

    .venv/bin/python benchmarks/figures.py                 # --reps 5 --repeats 2
    .venv/bin/python benchmarks/figures.py --reps 10 --repeats 3 --format png,pdf
    .venv/bin/python benchmarks/figures.py --before /tmp/old-checkout
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [f"scenarios/{name}.yaml" for name in ("baseline", "whistle", "sinking", "combined")]
TARGET_SHARE = 0.25


def compare_seconds(root: Path, reps: int, out: Path, figures: bool, extra: list[str]
                    ) -> tuple[float, float]:
    """Wall and CPU seconds of one ``govsim compare`` of the checkout ``root`` in a fresh
    process (imports included)."""
    command = [sys.executable, "-m", "sim", "compare", *SCENARIOS, "--reps", str(reps),
               "--out", str(out), "--force", "--quiet", *extra]
    if not figures:
        command.append("--no-figures")
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # ``-m sim`` from ``root``: the working directory comes first on sys.path, so each
    # checkout runs its own code.
    subprocess.run(command, cwd=root, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return wall, cpu


def report(name: str, runs: dict[bool, list[tuple[float, float]]]) -> None:
    for i, unit in ((0, "wall"), (1, "CPU")):
        with_figures = min(r[i] for r in runs[True])
        without = min(r[i] for r in runs[False])
        share = (with_figures - without) / with_figures
        print(f"  {name:<7}{unit:>5}: with figures {with_figures:6.2f} s, --no-figures "
              f"{without:6.2f} s -> figure share {share:4.0%}  (runs: "
              + "; ".join(f"{a[i]:.1f}/{b[i]:.1f}" for a, b in zip(runs[True], runs[False],
                                                                   strict=True)) + ")")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=5, help="replications (default 5)")
    p.add_argument("--repeats", type=int, default=2, help="runs of each kind (default 2)")
    p.add_argument("--format", default=None, help="passed on as --format (default: png)")
    p.add_argument("--before", type=Path, default=None,
                   help="another checkout to measure alongside (without --format)")
    args = p.parse_args(argv)
    roots = {"this": ROOT, **({"before": args.before.resolve()} if args.before else {})}
    runs = {name: {True: [], False: []} for name in roots}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeats):
            for name, root in roots.items():
                extra = ["--format", args.format] if args.format and name == "this" else []
                for figures in (True, False):
                    out = Path(tmp) / f"{name}-{i}-{int(figures)}"
                    runs[name][figures].append(compare_seconds(root, args.reps, out, figures,
                                                               extra))
    print(f"govsim compare {' '.join(SCENARIOS)} --reps {args.reps}"
          + (f" [--format {args.format}]" if args.format else "")
          + f"; fastest of {args.repeats}; runs listed as with/without figures")
    for name in roots:
        report(name, runs[name])
    print(f"  target: figure share <= {TARGET_SHARE:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
