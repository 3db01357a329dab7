"""The ``govsim`` command line.

Subcommands live in ``sim/commands/`` (one module each). A scenario with an error is refused
before anything runs: exit code 2 and one line per problem, ``file: key.path: reason``; a bad
flag value the same way, ``error: --flag: reason`` (value types in ``sim.flags``).
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

import sim.commands
from sim import flags
from sim.experiment.executors import BACKENDS, WorkerLost
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


def add_override_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario value, e.g. --set departments.housing.staff=12")


def add_run_args(p: argparse.ArgumentParser, reps: int = 5) -> None:
    p.add_argument("--reps", type=flags.replications, default=reps,
                   help=f"replications (default {reps})")
    p.add_argument("--seed", type=flags.seed, default=1, help="root seed (default 1)")
    p.add_argument("--out", default=None, help="output folder")
    p.add_argument("--force", action="store_true", help="replace an existing result")
    p.add_argument("--backend", choices=BACKENDS, default="serial")
    p.add_argument("--workers", type=flags.workers, default=None,
                   help="workers for processes/dask")
    p.add_argument("--scheduler", type=flags.address, default=None,
                   help="address of an existing Dask scheduler (tcp://host:port; needs "
                        "--backend dask)")
    p.add_argument("--confidence", type=flags.level, default=0.95,
                   help="CI level, between 0 and 1 (default 0.95)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_override_args(p)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="govsim",
        description="Discrete-event simulation of grassroots urban-governance reform.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(sim.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"sim.commands.{info.name}")
        module.register(sub)
    return parser


def load_for_run(args: argparse.Namespace, path: str, replications: int | None = None):
    """Load the scenario at ``path`` for a command that runs it: validated (with this
    machine's memory as a limit), the whole run's memory checked against ``--reps`` and
    ``--workers``, and any size warning printed on stderr before anything runs."""
    from sim.scenario.loader import load_scenario
    from sim.scenario.size import available_memory, preflight

    memory = available_memory()
    scenario = load_scenario(path, args.overrides, memory_available=memory)
    for line in preflight(scenario, path, replications or args.reps, args.workers,
                          args.backend, args.scheduler, memory):
        print(line, file=sys.stderr)
    return scenario


def check_run_flags(args: argparse.Namespace) -> None:
    """What no single flag's type can tell: flags that only make sense together."""
    from sim.scenario.errors import Problem

    scheduler = getattr(args, "scheduler", None)
    if scheduler and getattr(args, "backend", None) != "dask":
        raise ScenarioError([Problem("--scheduler", "", "only used with --backend dask, got "
                                     f"--backend {args.backend}")])
    if scheduler:  # reached before any output folder is made, not after
        from sim.experiment.executors import connect

        connect(scheduler).close()


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
