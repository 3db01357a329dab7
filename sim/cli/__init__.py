"""The ``govsim`` command line.

The package is the command line: ``sim/cli/commands/`` holds the subcommands (one module each,
each with ``register`` and ``main``), ``args`` the options several commands share, ``flags`` the
value types of flags, ``text`` the terminal tables. A scenario with an error is refused
before anything runs: exit code 2 and one line per problem, ``file: key.path: reason``; a bad
flag value the same way, ``error: --flag: reason`` (value types in ``sim.cli.flags``).
An output folder holding another experiment is refused with exit code 3 (``--force`` replaces);
one that cannot be used at all (a file, no space, no permission) with exit code 2.
A worker process that dies mid-run (killed, out of memory) ends the run with exit code 1 and
one line; the replications finished before are kept.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import sim.cli.commands
from sim.cli.args import check_run_flags
from sim.experiment.executors import WorkerLost
from sim.experiment.files import OutputConflict, OutputError
from sim.scenario.errors import ScenarioError

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_CONFLICT = 3


class FlagError(Exception):
    """A command line argparse refused; the message is already ``--flag: reason``."""


class Parser(argparse.ArgumentParser):
    """argparse, reporting a bad flag as ``error: --flag: reason`` (exit 2) like a bad scenario
    value, instead of its usage block and ``prog: error: argument --flag: reason``."""

    def error(self, message: str):
        if message.startswith("argument "):
            message = message.removeprefix("argument ")
        else:
            message = f"{message} (see {self.prog} --help)"
        raise FlagError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="govsim",
        description="Discrete-event simulation of grassroots urban-governance reform.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(sim.cli.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"sim.cli.commands.{info.name}")
        # A module without ``register`` is a subcommand of another command (calibrate_*).
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except FlagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        check_run_flags(args)
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
    except WorkerLost as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
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
