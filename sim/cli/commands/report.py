"""``govsim report DIR``: a self-contained HTML study report of a run, compare or sweep folder."""

from __future__ import annotations

import argparse
import sys


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "report", help="write an HTML study report (STRESS-DES sections) of a result folder",
        description="Write DIR/report.html: one self-contained file (figures embedded) with the "
                    "STRESS-DES sections: objectives, scenarios and their differences, model "
                    "logic, data and assumptions, experimentation, implementation, results.",
        examples_=("govsim report results/baseline    # after: govsim run scenarios/baseline.yaml",
                   "govsim report results/compare-baseline-whistle --out report.html"))
    p.add_argument("folder", help="result folder of govsim run, compare or sweep")
    p.add_argument("--out", default=None, help="output file (default DIR/report.html)")
    p.add_argument("--scenario-file", dest="scenario_files", action="append", default=[],
                   metavar="YAML", help="scenario file to read parameter comments from, if the "
                                        "recorded command does not lead to it (repeatable)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.report import build_report
    from sim.report.folders import NotAResultFolder

    try:
        path = build_report(args.folder, args.out, args.scenario_files)
    except (FileNotFoundError, NotAResultFolder) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:   # the report cannot be written (read-only folder, full disk)
        print(f"error: {exc.filename or args.out or args.folder}: --out: cannot write "
              f"({exc.strerror or exc})", file=sys.stderr)
        return 2
    print(f"report: {path}")
    return 0
