"""Durations with units.

Every time in a scenario is a duration in hours inside the simulator. In a file it may carry a
unit: ``45min``, ``2h``, ``3d``, ``1w`` (``30s`` for completeness), written short or long
(``2 hours``, ``24hrs``, ``10 minutes``); ``UNIT_NAMES`` lists every spelling, and the error
for an unknown unit lists the same. A bare number means hours. ``m`` is refused as ambiguous
(a minute or a month?): write ``min`` (there is no month: a month is ``30d``). A duration is
finite and at most ``MAX_DURATION_H`` long (about 114 years) in either direction.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

from sim.scenario.errors import shown
from sim.scenario.numbers import MAX_DURATION_H

UNIT_NAMES: dict[float, tuple[str, ...]] = {
    1 / 3600: ("s", "sec", "secs", "second", "seconds"),
    1 / 60: ("min", "mins", "minute", "minutes"),
    1.0: ("h", "hr", "hrs", "hour", "hours"),
    24.0: ("d", "day", "days"),
    168.0: ("w", "week", "weeks"),
}
"""Every accepted spelling of a unit (case does not matter), by its length in hours."""
HOURS_PER_UNIT = {name: hours for hours, names in UNIT_NAMES.items() for name in names}
AMBIGUOUS_UNITS = {"m": "a minute or a month? write min for minutes; a month is 30d"}
"""Units refused because a reader cannot tell what they mean."""
ACCEPTED_UNITS_TEXT = ", ".join("/".join(names) for names in UNIT_NAMES.values())
"""The accepted units as the error message lists them."""
_DURATION = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|[-+]?\.\d+)\s*([a-zA-Z]*)\s*$")


def parse_duration(value: Any) -> float:
    """Return a duration in hours from ``2h``, ``45min``, ``3d``, ``1.5`` (hours) or a number.

    Infinite, NaN and overlong durations are refused: they cannot be simulated, and a sum of
    two overlong ones would overflow to infinity inside the model.
    """
    hours = _hours(value)
    if not math.isfinite(hours):
        raise ValueError(f"expected a finite duration, got {shown(value)}")
    if abs(hours) > MAX_DURATION_H:
        raise ValueError(f"a duration is at most {MAX_DURATION_H:,.0f}h (about 114 years), "
                         f"got {shown(value)}")
    return hours


def _hours(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as '45min', '2h' or '3d', got {value!r}")
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # an integer beyond the float range
            return math.inf
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            number, unit = match.groups()
            unit = unit.lower() or "h"
            if unit in HOURS_PER_UNIT:
                return float(number) * HOURS_PER_UNIT[unit]
            if unit in AMBIGUOUS_UNITS:
                raise ValueError(f"ambiguous time unit {shown(unit, 20)} in {shown(value)} "
                                 f"({AMBIGUOUS_UNITS[unit]})")
            raise ValueError(f"unknown time unit {shown(unit, 20)} in {shown(value)}; use "
                             f"{ACCEPTED_UNITS_TEXT} (a bare number is hours)")
    raise ValueError(f"expected a duration such as '45min', '2h' or '3d', got {shown(value)}")


def duration_unit(hours: float) -> str:
    """The unit a duration of this size reads best in: ``min`` under an hour, ``h`` under two
    days, else ``d``."""
    size = abs(hours)
    return "min" if size < 1 else "h" if size < 48 else "d"


def format_duration(hours: float, digits: int | None = None, unit: str | None = None) -> str:
    """Render hours the way a person would write them: ``30min``, ``2h``, ``3d``.

    By default the value is exact (``parse_duration`` reads it back), for values a person
    wrote. With ``digits`` it is rounded for a table of measured times (``42.3d``, ``3.5h``,
    ``10min``), in ``unit`` if given (so a value and its half-width share one unit), else in
    the unit ``duration_unit`` picks."""
    if hours == float("inf"):
        return "inf"
    if digits is not None:
        unit = unit or duration_unit(hours)
        return f"{hours / HOURS_PER_UNIT[unit]:,.{digits}f}{unit}"
    if hours < 1:
        return f"{hours * 60:g}min"
    if hours < 48 or hours % 24:
        return f"{hours:g}h"
    return f"{hours / 24:g}d"


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""A pydantic field type: a duration in hours, accepting units in the input."""
