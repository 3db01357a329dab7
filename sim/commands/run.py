"""``govsim run SCENARIO``: replications of one scenario, with summary, manifest and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.experiment.runner import run_scenarios
from sim.report_text import summary_lines
from sim.scenario.loader import load_scenario


def register(sub) -> None:
    p = sub.add_parser("run", help="run a scenario's replications",
                       description="Run replications of SCENARIO and write cases.parquet, "
                                   "summary.csv, manifest.json and figures to --out "
                                   "(default results/<scenario name>/).")
    p.add_argument("scenario", help="scenario YAML file")
    from sim.cli import add_run_args

    add_run_args(p)
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import sys

    scenario = load_scenario(args.scenario, args.overrides)
    out = Path(args.out) if args.out else Path("results") / scenario.name
    [res] = run_scenarios([scenario], args.reps, args.seed, [out], backend=args.backend,
                          workers=args.workers, scheduler=args.scheduler, force=args.force,
                          quiet=args.quiet, confidence=args.confidence,
                          command=["govsim", *sys.argv[1:]], write_outputs=False)
    from sim.experiment.runner import write_run_outputs

    write_run_outputs(res, args.backend, args.workers, ["govsim", *sys.argv[1:]],
                      args.confidence, figures=not args.no_figures)
    print(f"{scenario.name}: {args.reps} replications, seed {args.seed} "
          f"({len(res.computed)} computed, {len(res.reused)} reused, {res.wall_s:.1f} s); "
          f"{int(args.confidence * 100)}% CI half-widths after ±")
    for line in summary_lines(res.summary):
        print("  " + line)
    print(f"results: {out}/ (cases.parquet, summary.csv, pools.csv, manifest.json)")
    if not args.no_figures:
        print(f"figures: {out}/figures/")
    return 0
