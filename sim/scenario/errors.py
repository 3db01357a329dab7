"""What a refused scenario reports: one line per problem, naming the file and the key path."""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass
from typing import Any

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxtuple = 2, 4, 4, 4
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlong = 50, 50, 40


def shown(value: Any, width: int = 60) -> str:
    """``repr(value)`` cut to ``width`` characters, at a cost bounded whatever the value: a YAML
    alias bomb or a self-referencing mapping is never expanded to be printed."""
    try:
        text = _SHORT.repr(value)
    except ValueError:  # an integer too long for Python to print
        text = (f"<a number of {value.bit_length():,} bits>" if isinstance(value, int)
                else "<unprintable>")
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario."""

    source: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}: " if self.source else ""
        text = f"{where}{self.path}: {self.message}" if self.path else f"{where}{self.message}"
        # One problem, one line: a newline or tab inside a name is shown escaped.
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class ScenarioError(Exception):
    """Input that cannot run: a scenario, a flag or a data file. ``problems`` holds every problem
    found, not just the first; ``govsim`` prints one line each and exits with code 2."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
