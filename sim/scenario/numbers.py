"""Numbers in a scenario: what a plain number field accepts, and the hard bounds of the model.

A value a researcher writes is either taken as written or refused; it is never quietly turned
into something else. So a number field refuses a boolean (``staff: true`` would otherwise read
as 1) and, through ``allow_inf_nan=False`` on every block, ``.inf`` and ``.nan``: an infinite
horizon, rate or work content cannot be simulated and a NaN compares false with every bound.
Staff is the one place where infinity has a meaning, and it is spelled ``unlimited``.

The bounds below are not tunable: beyond them a value overflows (a duration of more than a
million hours summed with another can reach float infinity) or outgrows the model's storage
(street and case type indices are 16-bit integers).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

MAX_DURATION_H = 1_000_000.0
"""The longest duration any field or distribution mean may have (about 114 years)."""

MAX_ENTRIES = 10_000
"""The most streets, departments, case types or calendars a scenario may define."""

MAX_GRIDS = 10_000_000
"""The most grids one street may have (a real street has tens)."""


def refuse_bool(value: Any) -> Any:
    """YAML reads ``true`` as a boolean, and Python counts a boolean as the number 1."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    return value


Number = Annotated[float, BeforeValidator(refuse_bool)]
"""A real number (finite, by the blocks' configuration), never a boolean."""

Count = Annotated[int, BeforeValidator(refuse_bool)]
"""A whole number, never a boolean."""
