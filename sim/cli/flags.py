"""Types of command-line values: each turns the text of a flag into a value or refuses it.

Used as ``type=`` of ``argparse`` arguments: a refused value raises ``ArgumentTypeError`` with
the reason, which ``sim.cli`` prints as ``error: --flag: reason`` (exit code 2) before anything
runs. A value is never quietly changed: ``--confidence 95`` is refused, not read as 0.95, and a
``--reps 0`` or a negative seed never reaches the simulator.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

MAX_REPS = 100_000
"""More replications than this are a typo (each one is at least a fresh world and a file)."""
MAX_WORKERS = 1_024
"""More worker processes than this would exhaust any single machine before the first case."""
MAX_SEED = 2**63 - 1
"""Seeds are stored as 64-bit integers in manifests and tables."""


def _whole(text: str) -> int:
    try:
        return int(text.strip().replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def whole_number(low: int, high: int) -> Callable[[str], int]:
    """A whole number in ``[low, high]``."""
    def parse(text: str) -> int:
        value = _whole(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low:,} to {high:,}, got {text.strip()}")
        return value
    parse.__name__ = "whole number"
    return parse


replications = whole_number(1, MAX_REPS)
seed = whole_number(0, MAX_SEED)
workers = whole_number(1, MAX_WORKERS)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text.strip()}")
    return value


def level(text: str) -> float:
    """A confidence level, strictly between 0 and 1 (``0.95``, not ``95``)."""
    value = _number(text)
    if not 0 < value < 1:
        hint = f" (a percentage? use {value / 100:g})" if 50 <= value < 100 else ""
        raise argparse.ArgumentTypeError(
            f"must be between 0 and 1 (e.g. 0.95), got {text.strip()}{hint}")
    return value


def positive_number(text: str) -> float:
    """A finite number above 0."""
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text.strip()}")
    return value


def non_negative_number(text: str) -> float:
    """A finite number of at least 0."""
    value = _number(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text.strip()}")
    return value


def duration(positive: bool) -> Callable[[str], float]:
    """A duration in hours (``1h``, ``30min``, ``1w``; a bare number is hours), finite, > 0
    (``positive``) or >= 0."""
    def parse(text: str) -> float:
        from sim.scenario.units import parse_duration  # when a value is read, not at --help

        try:
            hours = parse_duration(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if positive and not hours > 0:
            raise argparse.ArgumentTypeError(f"must be longer than 0, got {text.strip()}")
        if hours < 0:
            raise argparse.ArgumentTypeError(f"must be >= 0, got {text.strip()}")
        return hours
    parse.__name__ = "duration"
    return parse


def address(text: str) -> str:
    """A scheduler address (``tcp://host:port``); whether it answers is known only by trying."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected an address such as tcp://host:8786")
    return text.strip()


dpi = whole_number(20, 1200)
"""Dots per inch of PNG figures: below 20 nothing is legible, above 1200 files grow huge."""


def figure_formats(text: str) -> tuple[str, ...]:
    """A comma list of figure formats (``png,pdf,svg``), each once."""
    from sim.analysis.figure_options import FORMATS

    parts = [p.strip().lower().lstrip(".") for p in text.split(",")]
    if not all(parts):
        raise argparse.ArgumentTypeError(f"expected formats separated by commas (e.g. png,pdf), "
                                         f"got {text!r}")
    unknown = [p for p in parts if p not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format {unknown[0]!r}; choose from "
                                         f"{', '.join(FORMATS)}")
    return tuple(dict.fromkeys(parts))
