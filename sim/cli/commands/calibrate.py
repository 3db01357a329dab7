"""``govsim calibrate``: from a real case log to a scenario, in subcommands.

- ``distributions LOG``: fit close-time distributions per group (what ``govsim calibrate LOG``
  did before the subcommands);
- ``build LOG --out SCENARIO.yaml``: a district scenario from the log's streets, departments,
  case types and arrival counts, every parameter the log cannot give marked ASSUMPTION;
- ``check SCENARIO LOG``: the scenario's prediction of a held-out period, scored per department
  against two naive forecasts.

Each subcommand is a module of ``sim.cli.commands`` with ``register_subcommand(sub)`` (and no
``register``, so the top-level discovery leaves it to this command); adding one is adding its
module's name to ``SUBCOMMANDS``.
"""

from __future__ import annotations

import importlib

SUBCOMMANDS = (
    "sim.cli.commands.calibrate_distributions",
    "sim.cli.commands.calibrate_build",
    "sim.cli.commands.calibrate_fit",
    "sim.cli.commands.calibrate_check",
)
"""The modules of ``govsim calibrate``'s subcommands, in the order ``--help`` lists them."""


def register(sub) -> None:
    from sim.cli.helptext import command_parser

    p = command_parser(sub, "calibrate", help="from a real case log to a calibrated scenario",
                       examples_=(
                           "govsim calibrate build data/la311/myla311_2017-12-27_to_31.csv "
                           "--out la2017.yaml",
                           "govsim calibrate distributions "
                           "data/la311/myla311_2017-12-27_to_31.csv"),
                       description="Read a real case log (a mapping says which column holds "
                                   "what; LA 311 layouts are bundled) and fit distributions, "
                                   "build a scenario from it, or check a scenario on a "
                                   "held-out period.")
    inner = p.add_subparsers(dest="calibrate_command", required=True, metavar="SUBCOMMAND",
                              help="what to do with the log (each has its own --help)")
    for name in SUBCOMMANDS:
        importlib.import_module(name).register_subcommand(inner)
