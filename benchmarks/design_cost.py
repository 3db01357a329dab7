"""The cost of one design point of ``govsim robustness`` / ``govsim sensitivity`` (issue 13), and
the design that fits in a time budget. Not a test: speed is measured here, never asserted.

A design point of a paired design runs SCENARIO and BASELINE for ``--reps`` replications each;
its cost is the wall time of a small robustness design at the bundled scenarios' full size,
divided by its points. The budget line says how many points of that many replications fit.

    .venv/bin/python benchmarks/design_cost.py --points 6 --reps 2 --workers 2
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.experiment.robustness import run_robustness
from sim.scenario.loader import load_scenario, resolved_dict
from sim.scenario.uncertainty import declared_parameters, read_declaration, uncertainty_file

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=6)
    p.add_argument("--reps", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--budget-min", type=float, default=10.0)
    args = p.parse_args()
    scenario = load_scenario(ROOT / "scenarios" / "combined.yaml")
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    declaration = read_declaration(uncertainty_file(ROOT / "scenarios" / "combined.yaml"))
    params = declared_parameters(declaration, resolved_dict(scenario))
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        run_robustness(scenario, baseline, params, "deadline_met_share", args.points,
                       args.reps, seed=1, out=Path(tmp) / "r", backend="processes",
                       workers=args.workers, figures=False)
        wall = time.perf_counter() - started
    per_point = wall / args.points
    per_rep = wall / (args.points * args.reps * 2)
    fits = int(args.budget_min * 60 / per_point)
    print(f"{args.points} points x {args.reps} replications x 2 scenarios, "
          f"{args.workers} workers: {wall:.1f} s; {per_point:.2f} s per point, "
          f"{per_rep:.3f} s per replication")
    print(f"in {args.budget_min:g} min: about {fits} points of {args.reps} replications "
          f"({fits * args.reps * 2} replications)")


if __name__ == "__main__":
    main()
