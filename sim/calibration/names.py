"""Scenario names for the strings of a log (areas, units, case types), deterministically.

A log's names are whatever its city typed: ``GREATER ECHO PARK ELYSIAN NC``,
``Metal/Household Appliances``, ``ALL``. A scenario name must pass ``sim.scenario.names`` (no
``/``, not ``ALL``, no control characters, at most 100 characters, not a reserved pool word), and
reads better as a YAML key in lower case with underscores. ``scenario_names`` gives each
original a name: lower case, every run of other characters one ``_``, cut to ``MAX_LENGTH``;
an empty or reserved result gets a suffix, and two originals that give the same name are told
apart by ``_2``, ``_3``... in the order of the originals as sorted, so the result depends on the
set of originals only. The original is kept as the entry's ``label``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sim.scenario.names import (
    AGGREGATE,
    RESERVED_DEPARTMENTS,
    RESERVED_STREETS,
    name_problem,
)

MAX_LENGTH = 60
RESERVED = {AGGREGATE.lower(), *RESERVED_STREETS, *RESERVED_DEPARTMENTS}
"""Names no entry gets, whatever its block: simpler than one list per block, and safe."""


def slug(text: str) -> str:
    """``text`` in lower case, each run of characters other than a-z and 0-9 one ``_``."""
    name = re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")[:MAX_LENGTH].strip("_")
    return name or "unnamed"


def scenario_names(originals: Iterable[str], taken: Iterable[str] = ()) -> dict[str, str]:
    """original -> a valid, unique scenario name (none of ``taken``), deterministically."""
    used = set(taken)
    out: dict[str, str] = {}
    for original in sorted(set(originals)):
        base = slug(original)
        if base in RESERVED:
            base = f"{base}_"
        name, k = base, 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        assert name_problem(name) is None, name
        used.add(name)
        out[original] = name
    return out
