"""``govsim run SCENARIO``: replications of one scenario, with summary, manifest and figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from sim import flags
from sim.experiment.runner import run_scenarios
from sim.names import safe_component
from sim.report_text import summary_lines
from sim.scenario.errors import Problem, ScenarioError

PRECISION_METRICS = ("p90_h", "mean_h", "p50_h", "p95_h", "deadline_met_share",
                     "resolved_share")
"""Metrics ``--target-precision`` can aim at (a relative half-width needs a nonzero mean)."""


def register(sub) -> None:
    p = sub.add_parser("run", help="run a scenario's replications",
                       description="Run replications of SCENARIO and write cases.parquet, "
                                   "summary.csv, manifest.json and figures to --out "
                                   "(default results/<scenario name>/).")
    p.add_argument("scenario", help="scenario YAML file")
    from sim.cli import add_run_args

    add_run_args(p)
    add_precision_args(p)
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    p.set_defaults(func=main)


def add_precision_args(p: argparse.ArgumentParser) -> None:
    """``--target-precision`` and its companions (shared with ``govsim compare``)."""
    p.add_argument("--target-precision", type=flags.positive_number, default=None, metavar="R",
                   help="add replications (starting from --reps) until the CI half-width of "
                        "--precision-metric (case type ALL) is at most R x |mean|, e.g. 0.05")
    p.add_argument("--precision-metric", default="p90_h", choices=PRECISION_METRICS,
                   metavar="METRIC",
                   help="metric for --target-precision (default p90_h; also mean_h, p50_h, "
                        "p95_h, deadline_met_share, resolved_share)")
    p.add_argument("--max-reps", type=flags.replications, default=200,
                   help="cap on replications for --target-precision (default 200)")


def check_precision_args(args: argparse.Namespace) -> None:
    """``--max-reps`` below ``--reps`` would cap the run below what was asked for."""
    if args.target_precision is not None and args.max_reps < args.reps:
        raise ScenarioError([Problem("--max-reps", "", f"must be at least --reps ({args.reps}), "
                                                       f"got {args.max_reps}")])


def precision_line(record: dict) -> str:
    """What the sequential procedure did, in one line."""
    rel = max(record["relative_halfwidth"].values())
    steps = " -> ".join(str(r["reps"]) for r in record["rounds"])
    if record["reached"]:
        return (f"precision: {record['metric']} half-width <= {record['target']:.1%} of its "
                f"mean after {record['reps']} replications (worst {rel:.1%}; rounds {steps})")
    return (f"precision: target {record['target']:.1%} for {record['metric']} NOT reached by "
            f"the cap of {record['max_reps']} replications (worst {rel:.1%}; rounds {steps})")


def main(args: argparse.Namespace) -> int:
    import sys

    from sim.cli import load_for_run

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
    from sim.experiment.runner import write_run_outputs

    write_run_outputs(res, args.backend, args.workers, command, args.confidence,
                      figures=not args.no_figures, extra={"precision": precision})
    print(f"{scenario.name}: {res.reps} replications, seed {args.seed} "
          f"({len(res.computed)} computed, {len(res.reused)} reused, {res.wall_s:.1f} s); "
          f"{int(args.confidence * 100)}% CI half-widths after ±")
    if precision is not None:
        print(precision_line(precision))
    for line in summary_lines(res.summary):
        print("  " + line)
    print(f"results: {out}/ (cases.parquet, summary.csv, pools.csv, manifest.json)")
    if not args.no_figures:
        print(f"figures: {out}/figures/")
    return 0
