"""``govsim run SCENARIO``: replications of one scenario, with summary, manifest and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.args import (
    add_precision_args,
    add_run_args,
    check_precision_args,
    load_for_run,
    precision_line,
)


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "run", help="run a scenario's replications",
                       description="Run replications of SCENARIO and write cases.parquet, "
                                   "summary.csv, manifest.json and figures to --out "
                                   "(default results/<scenario name>/).",
                       examples_=("govsim run scenarios/baseline.yaml --reps 5 --seed 1",
                                  "govsim run scenarios/whistle.yaml --set "
                                  "departments.housing.staff=12 --out results/whistle-12",
                                  "govsim run scenarios/baseline.yaml --target-precision 0.05 "
                                  "--backend processes"))
    p.add_argument("scenario", help="scenario YAML file")
    add_run_args(p)
    add_precision_args(p)
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import sys

    from sim.cli.text import summary_lines
    from sim.experiment.runner import run_scenarios
    from sim.scenario.paths import safe_component

    check_precision_args(args)
    cap = args.max_reps if args.target_precision is not None else args.reps
    scenario = load_for_run(args, args.scenario, cap)
    out = Path(args.out) if args.out else Path("results") / safe_component(scenario.name)
    command = ["govsim", *sys.argv[1:]]
    kw = dict(backend=args.backend, workers=args.workers, scheduler=args.scheduler,
              quiet=args.quiet)
    precision = None
    if args.target_precision is not None:
        from sim.experiment.precision import run_to_precision

        [res], precision = run_to_precision(
            [scenario], args.reps, args.seed, args.target_precision, args.precision_metric,
            args.max_reps, [out], force=args.force, confidence=args.confidence, **kw)
    else:
        [res] = run_scenarios([scenario], args.reps, args.seed, [out], force=args.force,
                              confidence=args.confidence, command=command,
                              write_outputs=False, **kw)
    from sim.cli.args import figure_options
    from sim.experiment.runner import write_run_outputs

    tables = write_run_outputs(res, args.backend, args.workers, command, args.confidence,
                               figures=not args.no_figures, extra={"precision": precision},
                               figure_options=figure_options(args))
    print(f"{scenario.name}: {res.reps} replications, seed {args.seed} "
          f"({len(res.computed)} computed, {len(res.reused)} reused, {res.wall_s:.1f} s); "
          f"{int(args.confidence * 100)}% CI half-widths after ±")
    if precision is not None:
        print(precision_line(precision))
    for line in summary_lines(tables["summary"]):
        print("  " + line)
    print(f"results: {out}/ (cases.parquet, steps.parquet, summary.csv, pools.csv, "
          "capacity.csv, streets.csv, departments.csv, backlog.csv, manifest.json)")
    if not args.no_figures:
        print(f"figures: {out}/figures/")
    return 0
