"""``govsim robustness SCENARIO --against BASELINE``: does the effect hold across the
declared assumptions, and where does it fail?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
A Latin hypercube of --points over the uncertain parameters declared for SCENARIO (its
<stem>.uncertainty.yaml, else that of the scenario it extends, else BASELINE's). At each point
SCENARIO and BASELINE run with the same parameter values, --reps replications on the same seed
(common random numbers): the point's effect is the paired difference of --metric (case type
ALL) with its Student-t CI.

Prints the effect's range over the points, at how many it is on the side of --threshold
(default 0) where the median effect is, and the boxes of the parameter space where it is not
(scenario discovery: the best rules of one or two limits), e.g.
  failure box 1: referral.admin_delay_working_days.mean <= 0.88 and streets.*.travel_time.mean >= 0.24

The design is drawn from --seed: rerun the same command to resume. Writes to --out (default
results/robustness-<scenario>/): robustness.csv, boxes.csv, robustness.png, manifest.json and
one run folder per point and scenario under points/."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "robustness", help="the effect over the declared assumptions, and "
                                               "where it fails",
                       description=DESCRIPTION, raw=True, examples_=(
                           "govsim robustness scenarios/combined.yaml --against "
                           "scenarios/baseline.yaml --points 20 --reps 3",
                           "govsim robustness scenarios/sinking.yaml --against "
                           "scenarios/baseline.yaml --metric p90_h --threshold 0"))
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file (the reform)")
    p.add_argument("--against", required=True, metavar="BASELINE",
                   help="scenario YAML file to measure the effect against")
    p.add_argument("--points", type=int, default=20, help="design points (default 20)")
    p.add_argument("--threshold", type=float, default=0.0,
                   help="the conclusion is the effect's side of this value, in the metric's "
                        "units (a share as a fraction: 0.2 is 20 points; default 0)")
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
    from sim.experiment.robustness import run_robustness, summary_lines
    from sim.scenario.errors import Problem, ScenarioError
    from sim.scenario.paths import safe_component

    if args.points < 2:
        raise ScenarioError([Problem("--points", "", f"must be at least 2, got {args.points}")])
    scenario, against, params, declared = load_design_inputs(args)
    out = Path(args.out) if args.out else Path("results") / safe_component(
        f"robustness-{scenario.name}")
    res = run_robustness(scenario, against, params, args.metric, args.points, args.reps,
                         args.seed, out, threshold=args.threshold, backend=args.backend,
                         workers=args.workers, scheduler=args.scheduler, force=args.force,
                         quiet=args.quiet, confidence=args.confidence,
                         command=["govsim", *sys.argv[1:]], figures=not args.no_figures,
                         figure_options=figure_options(args))
    print(f"robustness of {scenario.name} - {against.name} on {args.metric}: {len(params)} "
          f"parameters from {declared}, {args.points} Latin hypercube points x {args.reps} "
          f"replications, seed {args.seed}, common random numbers ({res.run.computed} "
          f"computed, {res.run.reused} reused, {res.wall_s:.1f} s)")
    # shares read as percentage points, like `govsim compare` prints them
    scale, unit = (100.0, " points") if args.metric.endswith("_share") else (1.0, "")
    for line in summary_lines(res, scale, unit):
        print("  " + line)
    extra = "" if args.no_figures else ", robustness.png"
    print(f"results: {out}/ (robustness.csv, boxes.csv{extra}, manifest.json)")
    return 0
