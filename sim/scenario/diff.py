"""How two resolved scenarios differ, key path by key path.

Two scenario files can look very different (one ``extends`` the other, uses ``street_defaults``,
writes ``45min`` where the other writes ``0.75``) and still describe the same experiment, or look
alike and differ in one buried default. Comparing the *resolved* scenarios (everything merged,
defaulted and typed by the schema) shows what really differs. Each difference is a key path
(``departments.housing.staff``, ``case_types.noise.departments[1]``) with both values; a path
present in only one scenario shows ``(absent)`` on the other side.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.scenario.loader import resolved_dict
from sim.scenario.schema import Scenario


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


ABSENT: Any = _Absent()
"""Stands for a key path that one of the two scenarios does not have."""


@dataclass(frozen=True)
class Difference:
    path: str
    a: Any
    b: Any


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """``{key.path: leaf value}``; lists of mappings get ``[i]`` paths, other lists are leaves
    (a list of department names is one value: its order matters and so does its length), and
    so is a distribution (a mapping with a ``kind``): ``fixed 2h`` becoming ``lognormal(mean
    2h, cv 0.5)`` is one change, not five."""
    out: dict[str, Any] = {}
    if isinstance(data, Mapping) and "kind" in data and prefix:
        out[prefix] = {k: v for k, v in data.items() if v is not None}
    elif isinstance(data, Mapping):
        if not data and prefix:
            out[prefix] = {}
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data and all(isinstance(v, Mapping) for v in data):
        for i, value in enumerate(data):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def diff_dicts(a: Mapping, b: Mapping) -> list[Difference]:
    """Every key path whose value differs between ``a`` and ``b``, in the order of ``a``
    (then the paths only ``b`` has)."""
    fa, fb = flatten(a), flatten(b)
    paths = list(fa) + [p for p in fb if p not in fa]
    return [Difference(p, fa.get(p, ABSENT), fb.get(p, ABSENT)) for p in paths
            if fa.get(p, ABSENT) != fb.get(p, ABSENT)]


def diff_scenarios(a: Scenario, b: Scenario) -> list[Difference]:
    """The differences between two validated scenarios, as resolved."""
    return diff_dicts(resolved_dict(a), resolved_dict(b))


def show(value: Any) -> str:
    """A value as compact JSON (floats without noise), or ``(absent)``."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping) and "kind" in value:
        params = ", ".join(f"{k} {show(v)}" for k, v in value.items() if k != "kind")
        return f"{value['kind']}({params})"
    return json.dumps(value, ensure_ascii=False, default=str)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def diff_lines(diffs: list[Difference], name_a: str = "A", name_b: str = "B",
               limit: int = 60) -> list[str]:
    """One line per difference: ``key.path  A-value  ->  B-value`` (long values clipped to
    ``limit`` characters)."""
    if not diffs:
        return [f"{name_a} and {name_b} resolve to the same scenario"]
    width = max(len(d.path) for d in diffs)
    return [f"{d.path.ljust(width)}  {_clip(show(d.a), limit)}  ->  {_clip(show(d.b), limit)}"
            for d in diffs]
