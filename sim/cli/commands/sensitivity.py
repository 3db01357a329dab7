"""``govsim sensitivity SCENARIO``: which declared assumptions drive a metric."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Global sensitivity of a metric (case type ALL) to the uncertain parameters declared for
SCENARIO (its <stem>.uncertainty.yaml; see sim/scenario/uncertainty.py), with SALib:

  --method morris  elementary effects: --size trajectories x (parameters + 1) points;
                   mu* (mean absolute effect of moving one parameter, with a bootstrap CI)
                   and sigma (non-linearity and interactions). Screening.
  --method sobol   first-order (S1) and total (ST) indices with bootstrap CIs:
                   --size (a power of 2) x (parameters + 2) points.

With --against BASELINE the metric is the paired difference SCENARIO - BASELINE: each point
runs both with the same parameter values. Every point runs --reps replications on the same
seed (common random numbers), so a parameter the metric ignores gets exactly 0. The design is
drawn from --seed: rerun the same command to resume.

Writes to --out (default results/sensitivity-<scenario>/): sensitivity.csv, design.csv,
sensitivity.png, manifest.json and one run folder per point under points/."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "sensitivity", help="global sensitivity (Morris, Sobol) to declared "
                                                "assumptions",
                       description=DESCRIPTION, raw=True, examples_=(
                           "govsim sensitivity scenarios/baseline.yaml --method morris --size 10",
                           "govsim sensitivity scenarios/combined.yaml --against "
                           "scenarios/baseline.yaml --method sobol --size 64 --backend processes"))
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument("--against", default=None, metavar="BASELINE",
                   help="measure the paired difference SCENARIO - BASELINE")
    p.add_argument("--method", choices=("morris", "sobol"), default="morris",
                   help="morris (screening, default) or sobol (variance-based indices)")
    p.add_argument("--size", type=int, default=None,
                   help="Morris trajectories (default 10) or Sobol base sample, a power of 2 "
                        "(default 64)")
    from sim.cli.args import add_run_args
    from sim.cli.design_args import add_design_args

    add_run_args(p, reps=3)
    add_design_args(p)
    p.add_argument("--no-figures", action="store_true", help="skip the figure")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.cli.args import figure_options
    from sim.cli.design_args import load_design_inputs
    from sim.experiment.sensitivity import run_sensitivity, sensitivity_lines
    from sim.scenario.errors import Problem, ScenarioError
    from sim.scenario.paths import safe_component

    size = args.size if args.size is not None else (10 if args.method == "morris" else 64)
    if size < 2:
        raise ScenarioError([Problem("--size", "", f"must be at least 2, got {size}")])
    scenario, against, params, declared = load_design_inputs(args)
    out = Path(args.out) if args.out else Path("results") / safe_component(
        f"sensitivity-{scenario.name}")
    res = run_sensitivity(scenario, against, params, args.method, args.metric, size, args.reps,
                          args.seed, out, backend=args.backend, workers=args.workers,
                          scheduler=args.scheduler, force=args.force, quiet=args.quiet,
                          confidence=args.confidence, command=["govsim", *sys.argv[1:]],
                          figures=not args.no_figures,
                          figure_options=figure_options(args))
    what = args.metric if against is None else f"{args.metric}: {scenario.name} - {against.name}"
    print(f"sensitivity ({args.method}) of {what}: {len(params)} parameters from {declared}, "
          f"{len(res.run.values)} points x {args.reps} replications, seed {args.seed}, common "
          f"random numbers ({res.run.computed} computed, {res.run.reused} reused, "
          f"{res.wall_s:.1f} s); {args.confidence:.0%} bootstrap CIs:")
    for line in sensitivity_lines(res):
        print("  " + line)
    extra = "" if args.no_figures else ", sensitivity.png"
    print(f"results: {out}/ (sensitivity.csv, design.csv{extra}, manifest.json)")
    return 0
