"""``govsim compare A.yaml B.yaml [C.yaml …]``: scenarios on common random numbers, paired."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ADJUSTMENTS = ("none", "holm", "bonferroni")
"""``--adjust`` choices (``sim.analysis.stats.ADJUSTMENTS``, not imported: it loads scipy)."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "compare", help="compare scenarios on common random numbers",
        description="Run every SCENARIO with the same seed and replications (common random "
                    "numbers: the same cases) and compare each with the first: paired "
                    "differences per replication with Student-t confidence intervals. Writes "
                    "comparison.csv, figures/, manifest.json and one run folder per scenario "
                    "to --out (default results/compare-<names>/).",
        examples_=("govsim compare scenarios/baseline.yaml scenarios/whistle.yaml --reps 10",
                   "govsim compare scenarios/baseline.yaml scenarios/whistle.yaml "
                   "scenarios/sinking.yaml scenarios/combined.yaml --reps 10 --adjust holm",
                   "govsim compare scenarios/baseline.yaml scenarios/combined.yaml "
                   "--target-precision 0.05 --backend processes"))
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                   help="scenario YAML files; the first is the reference")
    from sim.cli.args import add_precision_args, add_run_args

    add_run_args(p)
    add_precision_args(p)
    p.add_argument("--adjust", choices=ADJUSTMENTS, default="none",
                   help="adjust for several comparisons at once (scenarios x metrics): holm "
                        "(step-down) or bonferroni (also simultaneous CIs); default none. "
                        "The adjusted columns are written to comparison.csv")
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if len(args.scenarios) < 2:
        print("error: compare needs at least two scenarios", file=sys.stderr)
        return 2
    from sim.cli.args import check_precision_args, figure_options, load_for_run
    from sim.cli.text import comparison_value_lines, difference_table_lines, family_line
    from sim.experiment.compare import distinct_names, run_compare
    from sim.scenario.paths import safe_component

    check_precision_args(args)
    cap = args.max_reps if args.target_precision is not None else args.reps
    loaded = [load_for_run(args, path, cap) for path in args.scenarios]
    scenarios = distinct_names(loaded, [Path(p).stem for p in args.scenarios])
    names = [s.name for s in scenarios]
    out = (Path(args.out) if args.out
           else Path("results") / safe_component("compare-" + "-".join(names)))
    command = ["govsim", *sys.argv[1:]]
    res = run_compare(scenarios, args.reps, args.seed, out, backend=args.backend,
                      workers=args.workers, scheduler=args.scheduler, force=args.force,
                      quiet=args.quiet, confidence=args.confidence, command=command,
                      figures=not args.no_figures, target_precision=args.target_precision,
                      precision_metric=args.precision_metric, max_reps=args.max_reps,
                      adjust=args.adjust, figure_options=figure_options(args))
    reps = res.results[0].reps
    computed = sum(len(r.computed) for r in res.results)
    reused = sum(len(r.reused) for r in res.results)
    level = f"{args.confidence:.0%}"
    print(f"compare {', '.join(names)}: {reps} replications each on common random numbers, "
          f"seed {args.seed} ({computed} computed, {reused} reused, {res.wall_s:.1f} s)")
    if res.precision is not None:
        from sim.cli.args import precision_line

        print(precision_line(res.precision))
    print(f"values, ALL case types ({level} CI half-widths after ±):")
    for line in comparison_value_lines(res.table):
        print("  " + line)
    print(f"paired differences to {names[0]} (ALL case types; Δ = scenario - {names[0]}, "
          "shares in percentage points, times in hours; p: paired t-test):")
    for line in difference_table_lines(res.table, args.confidence, args.adjust):
        print("  " + line)
    family = family_line(res.table, args.confidence, args.adjust)
    if family:
        print(family)
    print(f"results: {out}/ (comparison.csv, per_replication.csv, manifest.json, "
          f"{', '.join(r.out.name + '/' for r in res.results)})")
    if not args.no_figures:
        print(f"figures: {out}/figures/ (compare_ecdf, compare_diffs, backlog; response_hist "
              "in each run folder)")
    return 0
