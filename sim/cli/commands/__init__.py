"""The subcommands of ``govsim``: one module each, found by ``sim.cli``.

A module defines ``register(subparsers)``, which adds its parser (with ``sim.cli.helptext``:
help for every option, 1-3 examples) and sets ``func`` to a function taking the parsed
arguments and returning the exit code, usually the module's ``main``.

Every module is imported to build the parser, also for ``govsim --help``: at the top it imports
only ``argparse``, ``sim.cli.flags`` and modules as light (``sim.scenario.errors``,
``sim.analysis.metric_names``, ``sim.experiment.backends``); ``main`` imports what the command
needs (pandas, scipy, the experiment layer). ``tests/cli/test_help.py`` checks that building
the parser loads neither pandas nor scipy.
"""
