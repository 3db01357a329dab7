"""Options that several commands share, and loading a scenario for a command that runs it."""

from __future__ import annotations

import argparse
import sys

from sim.cli import flags
from sim.experiment.backends import BACKENDS
from sim.scenario.errors import Problem, ScenarioError

PRECISION_METRICS = ("p90_h", "mean_h", "p50_h", "p95_h", "deadline_met_share",
                     "resolved_share")
"""Metrics ``--target-precision`` can aim at (a relative half-width needs a nonzero mean)."""


def add_override_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario value, e.g. --set departments.housing.staff=12")


def add_run_args(p: argparse.ArgumentParser, reps: int = 5) -> None:
    p.add_argument("--reps", type=flags.replications, default=reps,
                   help=f"replications (default {reps})")
    p.add_argument("--seed", type=flags.seed, default=1, help="root seed (default 1)")
    p.add_argument("--out", default=None, help="output folder")
    p.add_argument("--force", action="store_true", help="replace an existing result")
    p.add_argument("--backend", choices=BACKENDS, default="serial",
                   help="where replications run: serial (this process, default), processes "
                        "(--workers cores) or dask (a local cluster, or --scheduler)")
    p.add_argument("--workers", type=flags.workers, default=None,
                   help="workers for processes/dask")
    p.add_argument("--scheduler", type=flags.address, default=None,
                   help="address of an existing Dask scheduler (tcp://host:port; needs "
                        "--backend dask)")
    p.add_argument("--confidence", type=flags.level, default=0.95,
                   help="CI level, between 0 and 1 (default 0.95)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_override_args(p)


def add_figure_args(p: argparse.ArgumentParser, no_figures: bool = False) -> None:
    """``--format`` and ``--dpi`` for a command that writes figures (and ``--no-figures``
    where the command has none yet)."""
    p.add_argument("--format", dest="figure_formats", type=flags.figure_formats,
                   default=("png",), metavar="FORMATS",
                   help="figure formats, comma-separated: png, pdf, svg (default png)")
    p.add_argument("--dpi", type=flags.dpi, default=None,
                   help="resolution of PNG figures in dots per inch (default: 110, 120 for "
                        "sensitivity, robustness and city figures)")
    if no_figures:
        p.add_argument("--no-figures", action="store_true", help="skip the figures")


def figure_options(args: argparse.Namespace):
    """The ``FigureOptions`` of ``--format`` and ``--dpi``."""
    from sim.analysis.figure_options import FigureOptions

    return FigureOptions(tuple(args.figure_formats), args.dpi)


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


def add_precision_args(p: argparse.ArgumentParser) -> None:
    """``--target-precision`` and its companions (shared with ``govsim compare``)."""
    p.add_argument("--target-precision", type=flags.positive_number, default=None, metavar="R",
                   help="add replications (starting from --reps) until the CI half-width of "
                        "--precision-metric (case type ALL) is at most R x |mean|, e.g. 0.05")
    p.add_argument("--precision-metric", default="p90_h", choices=PRECISION_METRICS,
                   metavar="METRIC",
                   help="metric for --target-precision (default p90_h; also mean_h, p50_h, "
                        "p95_h, deadline_met_share, resolved_share)")
    p.add_argument("--max-reps", type=flags.replications, default=200,
                   help="cap on replications for --target-precision (default 200)")


def check_precision_args(args: argparse.Namespace) -> None:
    """``--max-reps`` below ``--reps`` would cap the run below what was asked for."""
    if args.target_precision is not None and args.max_reps < args.reps:
        raise ScenarioError([Problem("--max-reps", "", f"must be at least --reps ({args.reps}), "
                                                       f"got {args.max_reps}")])


def precision_line(record: dict) -> str:
    """What the sequential procedure did, in one line."""
    rel = max(record["relative_halfwidth"].values())
    steps = " -> ".join(str(r["reps"]) for r in record["rounds"])
    if record["reached"]:
        return (f"precision: {record['metric']} half-width <= {record['target']:.1%} of its "
                f"mean after {record['reps']} replications (worst {rel:.1%}; rounds {steps})")
    return (f"precision: target {record['target']:.1%} for {record['metric']} NOT reached by "
            f"the cap of {record['max_reps']} replications (worst {rel:.1%}; rounds {steps})")


