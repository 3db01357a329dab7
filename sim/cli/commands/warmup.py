"""``govsim warmup SCENARIO``: suggest a warm-up with MSER-5 on the backlog series."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from sim.cli import flags
from sim.scenario.errors import Problem, ScenarioError

MAX_SAMPLES = 100_000
"""Backlog samples over the horizon: MSER's search costs the square of the batches."""
MAX_CYCLE_SAMPLES = 7 * 24 * 60
"""Samples in one cycle removed before MSER, whose profile is estimated phase by phase: a
week of one-minute steps."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "warmup", help="suggest a warm-up period (MSER-5)",
        description="Run SCENARIO, sample the backlog (cases reported and not yet resolved) "
                    "every --step over the horizon, average it over replications and apply "
                    "MSER-5 to find how much of the start to discard. Replications are stored "
                    "in --out (default results/warmup-<name>/) and resumed like govsim run.",
        examples_=("govsim warmup scenarios/baseline.yaml --reps 5",
                   "govsim warmup scenarios/combined.yaml --step 30min --period 1w"))
    p.add_argument("scenario", help="scenario YAML file")
    from sim.cli.args import add_run_args

    add_run_args(p)
    p.add_argument("--step", type=flags.duration(positive=True), default="1h",
                   help="sampling interval of the backlog (default 1h)")
    p.add_argument("--period", type=flags.duration(positive=False), default="1w",
                   help="cycle removed from the backlog before MSER (default 1w: office hours "
                        "make a weekly cycle; 0 for none)")
    p.add_argument("--no-figures", action="store_true", help="skip the figure")
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def check_sampling(horizon: float, step: float, period: float) -> None:
    """Refuse a ``--step`` or ``--period`` whose series MSER cannot use or cannot afford."""
    from sim.analysis.warmup import BATCH
    from sim.scenario.units import format_duration

    samples = math.ceil(horizon / step)
    if samples > MAX_SAMPLES:
        raise ScenarioError([Problem("--step", "", (
            f"{format_duration(step)} gives {samples:,} samples over the horizon "
            f"({format_duration(horizon)}), more than {MAX_SAMPLES:,}; use a step of at least "
            f"{format_duration(horizon / MAX_SAMPLES)}"))])
    if samples < 2 * BATCH:
        raise ScenarioError([Problem("--step", "", (
            f"{format_duration(step)} gives {samples} samples over the horizon "
            f"({format_duration(horizon)}); MSER-{BATCH} needs at least {2 * BATCH}"))])
    if period and round(period / step) > MAX_CYCLE_SAMPLES:
        raise ScenarioError([Problem("--period", "", (
            f"{format_duration(period)} is {round(period / step):,} steps of "
            f"{format_duration(step)}, more than {MAX_CYCLE_SAMPLES:,}"))])


def main(args: argparse.Namespace) -> int:
    from sim.analysis.warmup import suggest_warmup
    from sim.cli.args import load_for_run
    from sim.experiment.files import atomic_write_bytes
    from sim.experiment.manifest import json_default
    from sim.experiment.runner import run_scenarios
    from sim.scenario.paths import safe_component
    from sim.scenario.units import format_duration

    scenario = load_for_run(args, args.scenario)
    step = args.step
    check_sampling(scenario.simulation.horizon, step, args.period)
    out = Path(args.out) if args.out else Path("results") / safe_component(f"warmup-{scenario.name}")
    [res] = run_scenarios([scenario], args.reps, args.seed, [out], backend=args.backend,
                          workers=args.workers, scheduler=args.scheduler, force=args.force,
                          quiet=args.quiet, write_outputs=False, desc="warm-up runs")
    horizon = scenario.simulation.horizon
    found = suggest_warmup(res.cases, horizon, step, period=args.period)
    suggestion = format_duration(found.warmup_h)
    each = ", ".join(format_duration(h) for h in found.per_replication_h)
    print(f"{scenario.name}: MSER-5 on the backlog of {args.reps} replications "
          f"(sampled every {format_duration(step)}, batches of {format_duration(found.batch_h)}, "
          f"horizon {format_duration(horizon)}"
          + (", weekly cycle removed" if found.period_h == 168 else
             f", cycle of {format_duration(found.period_h)} removed" if found.period_h else "")
          + ")")
    print(f"  suggested warm-up: {suggestion} (current setting: "
          f"{format_duration(scenario.simulation.warmup)})")
    print(f"  per replication alone: {each}")
    if found.at_limit:
        print("  warning: the minimum is at the end of the search (half the horizon): the "
              "backlog may still be drifting; check the figure, or try a longer horizon")
    print(f"  to use it: --set simulation.warmup={suggestion}")
    record = {"scenario": scenario.name, "seed": args.seed, "replications": args.reps,
              "step_h": step, "period_h": found.period_h, "batch_h": found.batch_h, "warmup_h": found.warmup_h,
              "batches_dropped": found.batches_dropped, "at_limit": found.at_limit,
              "per_replication_h": found.per_replication_h,
              "mser": list(found.statistic), "command": ["govsim", *sys.argv[1:]]}
    atomic_write_bytes(out / "warmup.json",
                       json.dumps(record, indent=2, default=json_default).encode())
    atomic_write_bytes(out / "backlog.csv", found.series.to_csv(float_format="%.6g").encode())
    if not args.no_figures:
        from sim.analysis.plots import warmup_figure
        from sim.cli.args import figure_options

        path = warmup_figure(found.series, found.statistic, found.warmup_h, found.batch_h,
                             out / "figures" / "warmup.png", title=scenario.name,
                             analysed=found.analysed if found.period_h else None,
                             options=figure_options(args))
        print(f"figure: {path}")
    print(f"results: {out}/ (warmup.json, backlog.csv)")
    return 0
