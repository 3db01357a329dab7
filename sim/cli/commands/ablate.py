"""``govsim ablate SCENARIO --against BASELINE``: where a reform's effect comes from."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DESCRIPTION = """\
Split the difference between SCENARIO and BASELINE into parts and measure each part's effect
on common random numbers (same seed and replications for every run: the same cases).

Parts come from the difference of the resolved scenarios (see `govsim diff`): under each
reform one part per differing key (reform.whistle.verification, reform.whistle.trigger,
reform.sinking.fraction with allocation and overflow, ...), one row per whole reform
("whistle (all parts)"), and one part per other differing top-level key (departments,
streets, ...).

For each part two variants run:
  off in turn  SCENARIO with the part set back to BASELINE's values;
               effect = SCENARIO - variant (the part's contribution given the others)
  on alone     BASELINE with the part set to SCENARIO's values and its reform switched on
               (the reform's other settings stay BASELINE's); effect = variant - BASELINE
A row "<reform> switched on, settings unchanged" (BASELINE with only the reform's enabled
switch) shows what the on-alone rows owe to the switch itself. Effects are paired differences
per replication with Student-t CIs, as in `govsim compare`; the total is SCENARIO - BASELINE.
Parts interact, so their effects need not add up to it. A variant that is the same scenario
as another run is run once. --set applies to both scenarios.

Writes to --out (default results/ablate-<scenario name>/): ablation.csv, ablation.png,
per_replication.csv, manifest.json and one resumable run folder per run (rerun the same
command to resume)."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "ablate", help="switch each part of a reform off in turn and on alone",
                       description=DESCRIPTION, raw=True, examples_=(
                           "govsim ablate scenarios/combined.yaml --against "
                           "scenarios/baseline.yaml --reps 5",
                           "govsim ablate scenarios/whistle.yaml --against "
                           "scenarios/baseline.yaml --reps 10 --backend processes --no-figures"))
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file (the full reform)")
    p.add_argument("--against", required=True, metavar="BASELINE",
                   help="scenario YAML file to measure the effect against")
    from sim.cli.args import add_run_args

    add_run_args(p)
    p.add_argument("--no-figures", action="store_true", help="skip the figures")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.cli.args import figure_options
    from sim.experiment.ablation import (
        INTERACTION_NOTE,
        MAIN_METRIC,
        OFF_NOTE,
        ON_ALONE_NOTE,
        ablation_lines,
        run_ablation,
    )
    from sim.experiment.compare import distinct_names
    from sim.scenario.loader import load_scenario

    if args.reps < 1:
        print("error: --reps: must be at least 1", file=sys.stderr)
        return 2
    paths = [args.scenario, args.against]
    loaded = [load_scenario(path, args.overrides) for path in paths]
    scenario, baseline = distinct_names(loaded, [Path(p).stem for p in paths])
    out = Path(args.out) if args.out else Path("results") / f"ablate-{scenario.name}"
    command = ["govsim", *sys.argv[1:]]
    res = run_ablation(scenario, baseline, args.reps, args.seed, out, backend=args.backend,
                       workers=args.workers, scheduler=args.scheduler, force=args.force,
                       quiet=args.quiet, confidence=args.confidence, command=command,
                       figures=not args.no_figures,
                       figure_options=figure_options(args))
    names = {"scenario": res.scenario.name, "baseline": res.baseline.name}
    computed = sum(len(r.computed) for r in res.results)
    reused = sum(len(r.reused) for r in res.results)
    print(f"ablate {res.scenario.name} against {res.baseline.name}: {len(res.plan.parts)} "
          f"parts, {len(res.results)} runs x {res.reps} replications on common random "
          f"numbers, seed {res.seed} ({computed} computed, {reused} reused, "
          f"{res.wall_s:.1f} s)")
    if not res.plan.parts:
        print(f"{res.scenario.name} and {res.baseline.name} do not differ in anything that "
              "changes a run: nothing to ablate")
    for skipped in res.plan.skipped:
        print(f"skipped: {skipped.part.name} {skipped.direction}: not a valid scenario "
              f"({skipped.reason})")
    if res.plan.parts:
        print(OFF_NOTE.format(**names) + f"; effect = {names['scenario']} - variant")
        print(ON_ALONE_NOTE.format(**names) + f"; effect = variant - {names['baseline']}")
    print(f"share within deadline, effect in percentage points [{args.confidence:.0%} CI]"
          " (* the CI excludes 0):")
    for line in ablation_lines(res.table, MAIN_METRIC):
        print("  " + line)
    if len(res.plan.parts) > 1:
        print(INTERACTION_NOTE)
    extra = "" if args.no_figures else ", ablation.png"
    print(f"results: {out}/ (ablation.csv{extra}, per_replication.csv, manifest.json, "
          f"{len(res.results)} run folders)")
    return 0
