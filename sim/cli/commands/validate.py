"""``govsim validate``: the model reduced to textbook queues, checked against closed forms.

Prints one row per check (theory, simulated mean ± CI half-width, pass or fail) and exits with
status 1 if any check fails. ``--quick`` runs a CI-sized version (wider intervals, same logic).
"""

from __future__ import annotations

import argparse
import time

from sim.cli import flags
from sim.experiment.backends import BACKENDS
from sim.scenario.errors import Problem, ScenarioError

EXIT_FAILED = 1


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "validate", help="check the model against queueing theory (M/M/1, M/M/c, tandem)",
        description="Run the model reduced to M/M/1, M/M/c and a Jackson tandem network and "
                    "check mean wait, mean sojourn and mean number in system against the closed "
                    "forms (the theory must lie in the CI of the replications), and Little's law "
                    "on every replication. Exit status 1 if any check fails.",
        examples_=("govsim validate --quick",
                   "govsim validate --only M/M/1 --reps 20 --csv validation.csv"))
    p.add_argument("--quick", action="store_true",
                   help="short runs with few replications (for tests; wider intervals)")
    p.add_argument("--reps", type=flags.whole_number(2, flags.MAX_REPS), default=None,
                   help="replications, at least 2 for a CI (default by size)")
    p.add_argument("--seed", type=flags.seed, default=1, help="root seed (default 1)")
    p.add_argument("--confidence", type=flags.level, default=0.99,
                   help="CI level, between 0 and 1 (default 0.99)")
    p.add_argument("--backend", choices=BACKENDS, default="serial",
                   help="where replications run (default serial; processes or dask)")
    p.add_argument("--workers", type=flags.workers, default=None,
                   help="workers for processes/dask")
    p.add_argument("--only", action="append", default=None, metavar="TEXT",
                   help="only reductions whose name contains TEXT (repeatable)")
    p.add_argument("--csv", default=None, help="also write the table to this CSV file")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.experiment.validation import reductions, run_validation, table_lines

    names = [r.name for r in reductions()]
    for text in args.only or []:
        if not any(text in name for name in names):
            raise ScenarioError([Problem("--only", "", f"no reduction's name contains {text!r} "
                                                       f"(names: {', '.join(names)})")])
    size = "quick" if args.quick else "full"
    started = time.perf_counter()
    table = run_validation(size, reps=args.reps, seed=args.seed, confidence=args.confidence,
                           backend=args.backend, workers=args.workers, only=args.only)
    a = table.attrs
    print(f"govsim validate ({size}: {a['reps']} replications of ~{a['cases_per_rep']:,} cases "
          f"after warm-up, seed {a['seed']}, {a['confidence']:.0%} CIs, "
          f"{time.perf_counter() - started:.0f} s)")
    for line in table_lines(table):
        print(line)
    if args.csv:
        table.to_csv(args.csv, index=False, float_format="%.6g")
    failed = int((~table["passed"]).sum())
    print(f"{len(table) - failed} of {len(table)} checks passed"
          + (f"; {failed} FAILED" if failed else ""))
    return EXIT_FAILED if failed else 0
