"""The command line's help: every option explained, every command with examples that parse, a
version, and a parser that loads without the heavy libraries (so ``govsim --help`` answers at
once; how fast is measured by ``benchmarks/cli_startup.py``, never asserted here)."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys

import pytest

from sim.cli import build_parser, main
from sim.version import __version__
from tests.conftest import ROOT


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    """Every command by the words that call it: ``run``, and nested ones as ``calibrate fit``."""
    found: dict[str, argparse.ArgumentParser] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found[f"{prefix}{name}"] = child
                    walk(child, f"{prefix}{name} ")

    walk(build_parser(), "")
    return found


SUBCOMMANDS = _subcommands()


def _examples(parser: argparse.ArgumentParser) -> list[str]:
    lines = (parser.epilog or "").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.startswith("  govsim ")]


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_option_has_help(name: str):
    parser = SUBCOMMANDS[name]
    missing = [a.option_strings or [a.dest] for a in parser._actions
               if not isinstance(a, argparse._HelpAction)
               and (not a.help or a.help == argparse.SUPPRESS or not a.help.strip())]
    assert not missing, f"govsim {name}: options without help: {missing}"


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_command_has_examples_that_parse(name: str):
    parser = SUBCOMMANDS[name]
    examples = _examples(parser)
    assert 1 <= len(examples) <= 3, f"govsim {name}: {len(examples)} examples"
    for line in examples:
        words = shlex.split(line)
        for operator in (">", "|", "&&"):   # what follows a shell operator is not govsim's
            words = words[:words.index(operator)] if operator in words else words
        called = name.split()
        assert words[:1 + len(called)] == ["govsim", *called], line
        args = build_parser().parse_args(words[1:])   # a FlagError (bad example) fails here
        assert args.command == called[0]
        for word in words[2:]:   # a bundled file an example names must exist
            if word.endswith((".yaml", ".csv")) and "/" in word and not word.startswith("-"):
                assert (ROOT / word).is_file(), f"{line}: no file {word}"


def test_examples_are_shown_as_written():
    text = SUBCOMMANDS["compare"].format_help()
    [longest] = [e for e in _examples(SUBCOMMANDS["compare"]) if "--adjust" in e]
    assert f"  {longest}\n" in text   # not re-wrapped: it can be pasted


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"govsim {__version__}"


def test_help_imports_neither_pandas_nor_scipy():
    code = ("import contextlib, io, json, sys\n"
            "from sim.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try:\n"
            "        main(['--help'])\n"
            "    except SystemExit:\n"
            "        pass\n"
            "heavy = ['pandas', 'scipy', 'matplotlib', 'numpy', 'pydantic', 'sim.scenario.schema',\n"
            "         'sim.experiment.runner']\n"
            "print(json.dumps({'loaded': [m for m in heavy if m in sys.modules],\n"
            "                  'helped': 'COMMAND' in out.getvalue()}))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    result = json.loads(done.stdout)
    assert result["helped"]
    assert result["loaded"] == []


def test_sim_reexports_exactly_the_api():
    code = ("import sys, sim\n"
            "before = 'sim.api' in sys.modules\n"
            "import sim.api\n"
            "missing = [n for n in sim.api.__all__ if getattr(sim, n) is not getattr(sim.api, n)]\n"
            "try:\n"
            "    sim.not_in_the_api\n"
            "    refused = False\n"
            "except AttributeError:\n"
            "    refused = True\n"
            "print(before, missing, refused)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    assert done.stdout.split() == ["False", "[]", "True"]
