"""``govsim schema``: a JSON Schema of scenario files, for editors that validate and complete
YAML as it is typed (VS Code's YAML extension; see README)."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(
        sub, "schema", help="write a JSON Schema of scenario files (for editors)",
        description="Write the JSON Schema of a scenario file (durations such as 2h accepted, "
                    "distributions by kind, extends, street_defaults and a city file's city "
                    "block) to stdout or --out. Point an editor at it, e.g. with a first line "
                    "'# yaml-language-server: $schema=scenario.schema.json' in a scenario file "
                    "(VS Code's YAML extension). What a schema cannot say (names that must "
                    "exist, a warm-up shorter than the horizon, sizes) is checked by govsim "
                    "check.",
        examples_=("govsim schema --out scenario.schema.json",
                   "govsim schema > scenarios/scenario.schema.json"))
    p.add_argument("--out", default=None, metavar="FILE",
                   help="write the schema to FILE (default: stdout)")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sim.city.spec import CitySpec
    from sim.scenario.json_schema import scenario_json_schema

    text = json.dumps(scenario_json_schema({"city": CitySpec}), indent=2, ensure_ascii=False)
    if args.out is None:
        sys.stdout.write(text + "\n")
        return 0
    try:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        print(f"error: {args.out}: --out: cannot write ({exc.strerror or exc})", file=sys.stderr)
        return 2
    print(f"schema: {args.out}")
    return 0
