"""The subcommands of ``govsim``: one module each, found by ``sim.cli``.

A module defines ``register(subparsers)``, which adds its parser and sets ``func`` to a function
taking the parsed arguments and returning the exit code.
"""
