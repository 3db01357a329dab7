"""``govsim diff A.yaml B.yaml``: how two resolved scenarios differ, key path by key path."""

from __future__ import annotations

import argparse


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "diff", help="show how two resolved scenarios differ",
        description="Resolve both scenarios (extends, street_defaults, defaults, units) and print "
                    "every key path whose value differs: 'path  A-value  ->  B-value'.",
        examples_=("govsim diff scenarios/baseline.yaml scenarios/combined.yaml --ignore-name",
                   "govsim diff scenarios/whistle.yaml scenarios/whistle.yaml --set-b "
                   "reform.whistle.priority=preemptive"))
    p.add_argument("a", help="first scenario YAML file")
    p.add_argument("b", help="second scenario YAML file")
    p.add_argument("--set-a", dest="set_a", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value of A before comparing")
    p.add_argument("--set-b", dest="set_b", action="append", default=[], metavar="KEY=VALUE",
                   help="override a value of B before comparing")
    p.add_argument("--ignore-name", action="store_true",
                   help="leave out name and description")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from sim.scenario.diff import diff_lines, diff_scenarios
    from sim.scenario.loader import load_scenario

    a = load_scenario(args.a, args.set_a)
    b = load_scenario(args.b, args.set_b)
    diffs = diff_scenarios(a, b)
    if args.ignore_name:
        diffs = [d for d in diffs if d.path not in ("name", "description")]
    print(f"--- {args.a} ({a.name})")
    print(f"+++ {args.b} ({b.name})")
    for line in diff_lines(diffs, a.name, b.name):
        print(line)
    if diffs:
        print(f"{len(diffs)} key path{'s' if len(diffs) != 1 else ''} differ")
    return 0
