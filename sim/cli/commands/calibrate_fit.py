"""``govsim calibrate fit SCENARIO LOG``: the parameters a log cannot give, fitted by simulation."""

from __future__ import annotations

import argparse

from sim.cli import flags
from sim.cli.args import add_run_args
from sim.cli.commands.calibrate_distributions import add_mapping_arg

DESCRIPTION = """\
Fit the parameters a case log cannot give directly (sim/calibration/space.py): staff and work
content per department, referral paperwork, bounce and quality-failure probabilities, and each
department's share of cases closed at intake (administrative closures; the model's on-the-spot
closure, see sim/calibration/space.py). Each
candidate simulates the log's period with its own arrivals (--warmup-weeks before it), censored
at the log's export time, on --reps replications of the same --seed (common random numbers);
the loss is the count-weighted mean over departments of the censoring-aware KS distance between
simulated and observed close times. Optuna's TPE sampler (seeded by --sampler-seed) proposes
--budget candidates, the first being the scenario's own values.

Every evaluation is stored in --out/evaluations/: rerun the same command to resume (the search
replays to the same candidates), or with a larger --budget to continue. Writes calibrated.yaml
(the scenario file with the fitted values commented), trace.csv, distances.csv, trace.png,
ecdf.png, qq.png and manifest.json."""


def register_subcommand(sub) -> None:
    from sim.calibration.groups import GROUPS
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "fit", help="fit staff, work and delays to a case log by simulation",
                       description=DESCRIPTION, raw=True, examples_=(
                           "govsim calibrate fit la2017.yaml "
                           "data/la311/myla311_2017-12-27_to_31.csv --budget 100 --reps 1 "
                           "--warmup-weeks 1 --out results/la2017-fit",
                           "govsim calibrate fit la2017.yaml "
                           "data/la311/myla311_2017-12-27_to_31.csv --params staff,work "
                           "--budget 30",
                       ))
    p.add_argument("scenario", help="the scenario (e.g. from calibrate build)")
    p.add_argument("log", help="the case log to fit")
    add_mapping_arg(p)
    p.add_argument("--budget", type=flags.whole_number(1, 100_000), default=60,
                   help="evaluations (candidates simulated), default 60")
    p.add_argument("--params", type=_groups(GROUPS), default=GROUPS, metavar="GROUPS",
                   help="comma-separated groups to fit (default all: " + ",".join(GROUPS) + ")")
    p.add_argument("--bounds", default=None, metavar="FILE",
                   help="YAML file of bounds per group, e.g. 'staff: [0.5, 2]' (factors of the "
                        "scenario's values; probabilities for bounce_prob, quality_failure, "
                        "admin_closure)")
    p.add_argument("--sampler-seed", type=flags.seed, default=1,
                   help="seed of the optimiser's sampler (default 1)")
    p.add_argument("--warmup-weeks", type=flags.whole_number(0, 52), default=2,
                   help="weeks simulated before the log's window (default 2)")
    add_run_args(p, reps=2)
    from sim.cli.args import add_figure_args

    add_figure_args(p, no_figures=True)
    p.set_defaults(func=main)


def _groups(known: tuple[str, ...]):
    def parse(text: str) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(g.strip() for g in text.split(",") if g.strip()))
        unknown = [g for g in chosen if g not in known]
        if unknown or not chosen:
            raise argparse.ArgumentTypeError(
                f"unknown group(s) {', '.join(unknown) or '(none given)'}; choose among "
                + ", ".join(known))
        return chosen
    return parse


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.calibration.fit import FitSettings, run_fit
    from sim.calibration.log import read_case_log
    from sim.calibration.space import load_bounds
    from sim.cli.args import figure_options, load_for_run
    from sim.scenario.paths import safe_component

    scenario = load_for_run(args, args.scenario)
    log = read_case_log(args.log, args.mapping)
    settings = FitSettings(groups=args.params, bounds=load_bounds(args.bounds),
                           budget=args.budget, reps=args.reps, seed=args.seed,
                           sampler_seed=args.sampler_seed, warmup_weeks=args.warmup_weeks)
    out = Path(args.out) if args.out else Path("results") / safe_component(
        f"calibration-fit-{scenario.name}")
    res = run_fit(scenario, log, settings, out, backend=args.backend, workers=args.workers,
                  scheduler=args.scheduler, force=args.force, quiet=args.quiet,
                  figures=not args.no_figures, figure_options=figure_options(args),
                  source=None if args.overrides else Path(args.scenario))
    print(f"{args.log}: {len(log.cases):,} cases; {len(res.trace)} evaluations "
          f"({res.computed} computed, {res.reused} reused), {args.reps} replications each, "
          f"seed {args.seed}")
    print(f"best loss {res.best_loss:.4f} (evaluation "
          f"{int(res.trace['loss'].to_numpy().argmin())}; the scenario's own values: "
          f"{res.trace['loss'].iloc[0]:.4f})")
    for p in res.params:
        print(f"  {p.name:<32} {p.describe(res.best_values[p.name])}")
    print(f"{'department':<24}{'n':>7}{'n sim':>8}{'KS':>8}{'W1 h':>9}")
    for row in res.distances.itertuples():
        print(f"{str(row.department)[:23]:<24}{row.n:>7}{row.n_sim:>8}{row.ks:>8.3f}"
              f"{row.w1:>9.1f}")
    print(f"written: {out / 'calibrated.yaml'} and the report in {out}/ "
          f"({res.wall_s:.1f} s)")
    return 0
