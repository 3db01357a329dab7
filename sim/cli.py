"""The ``govsim`` command line.

Subcommands live in ``sim/commands/`` (one module each). A scenario with an error is refused
before anything runs: exit code 2 and one line per problem, ``file: key.path: reason``.
An output folder holding another experiment is refused with exit code 3 (``--force`` replaces);
one that cannot be used at all (a file, no space, no permission) with exit code 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import sim.commands
from sim.experiment.executors import BACKENDS
from sim.experiment.files import OutputConflict, OutputError
from sim.scenario.errors import ScenarioError

EXIT_BAD_INPUT = 2
EXIT_CONFLICT = 3


def add_override_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario value, e.g. --set departments.housing.staff=12")


def add_run_args(p: argparse.ArgumentParser, reps: int = 5) -> None:
    p.add_argument("--reps", type=int, default=reps, help=f"replications (default {reps})")
    p.add_argument("--seed", type=int, default=1, help="root seed (default 1)")
    p.add_argument("--out", default=None, help="output folder")
    p.add_argument("--force", action="store_true", help="replace an existing result")
    p.add_argument("--backend", choices=BACKENDS, default="serial")
    p.add_argument("--workers", type=int, default=None, help="workers for processes/dask")
    p.add_argument("--scheduler", default=None,
                   help="address of an existing Dask scheduler (tcp://host:port)")
    p.add_argument("--confidence", type=float, default=0.95, help="CI level (default 0.95)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_override_args(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govsim",
        description="Discrete-event simulation of grassroots urban-governance reform.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(sim.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"sim.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputConflict as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFLICT
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # The reader of our output went away (e.g. `govsim ... | head`): not an error of ours.
        # Point stdout at devnull so that the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("interrupted: finished replications are kept; rerun the same command to resume",
              file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
