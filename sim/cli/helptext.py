"""The text of a command's help: its description, wrapped, and its examples.

Every command's parser uses ``argparse.RawDescriptionHelpFormatter`` (so an example is shown
exactly as written, ready to paste) and ends its help with 1-3 real commands on bundled
scenarios; ``tests/cli/test_help.py`` parses every one of them.
"""

from __future__ import annotations

import argparse
import textwrap

WIDTH = 92


def wrapped(text: str) -> str:
    """``text`` filled to the terminal width, paragraph by paragraph (blank lines kept)."""
    return "\n\n".join(textwrap.fill(" ".join(block.split()), WIDTH)
                       for block in text.strip().split("\n\n"))


def examples(*commands: str) -> str:
    """The epilog of a command's help: each command on its own line, as typed."""
    return "examples:\n" + "\n".join(f"  {command}" for command in commands)


def command_parser(sub, name: str, *, help: str, description: str,
                   examples_: tuple[str, ...], raw: bool = False) -> argparse.ArgumentParser:
    """Add the subcommand ``name``: its one-line ``help`` (in ``govsim --help``), its
    ``description`` (wrapped, unless ``raw``: already laid out) and its examples."""
    return sub.add_parser(name, help=help,
                          description=description if raw else wrapped(description),
                          epilog=examples(*examples_),
                          formatter_class=argparse.RawDescriptionHelpFormatter)
