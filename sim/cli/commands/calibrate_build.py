"""``govsim calibrate build LOG --out SCENARIO.yaml``: a district scenario from a case log."""

from __future__ import annotations

import argparse

from sim.cli import flags
from sim.cli.commands.calibrate_distributions import add_mapping_arg


def register_subcommand(sub) -> None:
    p = sub.add_parser("build", help="write a district scenario from a case log",
                       description="Streets (areas), departments (units), case types and "
                                   "arrival rates with their hour-of-week profile from the log; "
                                   "every parameter the log cannot give is set to a default "
                                   "and marked ASSUMPTION in a comment.")
    p.add_argument("log", help="a case log CSV (e.g. data/la311/*.csv)")
    add_mapping_arg(p)
    p.add_argument("--out", required=True, help="the scenario file to write (YAML)")
    p.add_argument("--name", default=None, help="scenario name (default: the file's stem)")
    p.add_argument("--top-types", type=flags.whole_number(1, 10_000), default=10,
                   help="case types kept by name, the rest grouped as 'other' (default 10)")
    p.add_argument("--top-areas", type=flags.whole_number(1, 10_000), default=10,
                   help="areas kept as streets, the rest grouped as 'other' (default 10)")
    p.add_argument("--deadline", action="append", default=[], metavar="TYPE=DURATION",
                   help="a case type's deadline, e.g. --deadline 'Graffiti Removal=3d' "
                        "(repeatable; TYPE as in the log or as in the scenario)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.calibration.build import build_scenario, save
    from sim.calibration.log import read_case_log
    from sim.experiment.files import OutputConflict
    from sim.scenario.loader import load_scenario

    out = Path(args.out)
    if out.exists() and not args.force:
        raise OutputConflict(f"{out}: exists; --force replaces it")
    log = read_case_log(args.log, args.mapping)
    doc = build_scenario(log, args.name or out.stem, args.top_types, args.top_areas,
                         args.deadline)
    save(doc, out)
    scenario = load_scenario(out)  # what govsim check will read: refuse here if it would
    print(f"{args.log}: {len(log.cases):,} cases ({int(log.censored.sum())} open at export, "
          f"censored); written {out}: {len(scenario.streets)} streets, "
          f"{len(scenario.departments)} departments, {len(scenario.case_types)} case types")
    return 0
