"""``govsim calibrate check SCENARIO LOG``: a scenario's prediction of a held-out period."""

from __future__ import annotations

import argparse

from sim.cli import flags
from sim.cli.args import add_run_args
from sim.cli.commands.calibrate_distributions import add_mapping_arg


def register_subcommand(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "check", examples_=(
                           'govsim calibrate check la2017.yaml data/la311/myla311_2020-01-01_to_03.csv --train data/la311/myla311_2017-12-27_to_31.csv --reps 5',
                       ),
                       help="score a scenario's prediction of a held-out log",
                       description="Simulate the held-out log's period with its own arrival "
                                   "counts (every other parameter unchanged), censored at its "
                                   "export time, and score the close times per department "
                                   "(KS, Wasserstein-1) next to two naive forecasts from the "
                                   "training log: its empirical distribution and a lognormal.")
    p.add_argument("scenario", help="the scenario (from calibrate build, fitted)")
    p.add_argument("log", help="the held-out case log")
    add_mapping_arg(p)
    p.add_argument("--train", default=None, metavar="LOG",
                   help="the training log, for the naive forecasts")
    p.add_argument("--train-mapping", default=None, metavar="M",
                   help="mapping of the training log (default: as --mapping's rule)")
    p.add_argument("--warmup-weeks", type=flags.whole_number(0, 52), default=1,
                   help="weeks simulated at the held-out rates before its window (default 1)")
    add_run_args(p, reps=5)
    from sim.cli.args import add_figure_args

    add_figure_args(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    from sim.calibration.check import (
        check_figure,
        held_out_scenario,
        observed_by_department,
        refuse_empty,
        score,
        simulated_by_department,
    )
    from sim.calibration.log import log_digest, read_case_log
    from sim.cli.args import load_for_run
    from sim.experiment.files import atomic_csv
    from sim.experiment.folder import claim, scenario_identity
    from sim.experiment.runner import run_scenarios
    from sim.experiment.workspace import model_fingerprint
    from sim.scenario.loader import resolved_dict

    started = time.perf_counter()
    out = Path(args.out or "results/calibration_check")
    scenario = load_for_run(args, args.scenario)
    log = read_case_log(args.log, args.mapping)
    train = read_case_log(args.train, args.train_mapping) if args.train else None
    claim(out, "calibration-check",
          {"scenario": scenario_identity(resolved_dict(scenario)), "log": log_digest(log),
           "train": log_digest(train) if train is not None else None, "reps": args.reps,
           "seed": args.seed, "warmup_weeks": args.warmup_weeks, "model": model_fingerprint()},
          args.force, f"check of {scenario.name!r} on {log.source}")
    observed = observed_by_department(log, scenario)
    refuse_empty(observed, args.log)
    training = observed_by_department(train, scenario) if train is not None else None
    held = held_out_scenario(scenario, log, args.warmup_weeks)
    [res] = run_scenarios([held.scenario], args.reps, args.seed, [None], backend=args.backend,
                          workers=args.workers, scheduler=args.scheduler, quiet=args.quiet,
                          desc="held-out replications")
    simulated, reps = simulated_by_department(res.cases, held)
    table = score(observed, simulated, training)
    atomic_csv(table, out / "check.csv")
    from sim.cli.args import figure_options

    figure = check_figure(observed, simulated, training, out / "check_ecdf.png",
                          figure_options(args))
    print(f"{args.log}: {len(log.cases):,} cases, window of {held.window_end_h - held.window_start_h:g} h; "
          f"{reps} replications, seed {args.seed}"
          + ("" if train is not None else "; no --train: no naive forecasts"))
    print(f"{'department':<16}{'n':>7}{'n sim/rep':>10}{'KS sim':>8}{'KS emp':>8}{'KS logn':>8}"
          f"{'W1 sim':>9}{'W1 emp':>9}{'W1 logn':>9}")
    for row in table.itertuples():
        print(f"{str(row.department)[:15]:<16}{row.n:>7}{row.n_sim / max(reps, 1):>10.0f}"
              f"{row.ks_sim:>8.3f}{row.ks_empirical:>8.3f}{row.ks_lognormal:>8.3f}"
              f"{row.w1_sim:>9.1f}{row.w1_empirical:>9.1f}{row.w1_lognormal:>9.1f}")
    print(f"written: {out / 'check.csv'}, {figure} ({time.perf_counter() - started:.1f} s)")
    return 0
