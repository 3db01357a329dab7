"""Values in words: distributions, staff numbers, shares and ranges, as the report writes them."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from sim.scenario.diff import show
from sim.scenario.schema import UNLIMITED, Scenario
from sim.scenario.units import format_duration

UNLIMITED_OVERTIME_H = 1e5
"""Overtime at least this long reads as ``unlimited`` (as in the case flow's text)."""

_DURATION_FIELDS = {"mean", "value", "low", "high", "mode", "scale", "median"}


def describe_distribution(d: Any, unit: str = "h") -> str:
    """``lognormal(mean 50min, cv 0.4)``; ``unit='working days'`` for paperwork delays."""
    data = d.model_dump(by_alias=True) if hasattr(d, "model_dump") else dict(d)
    kind = data.pop("kind")
    parts = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, bool):
            parts.append(f"{key} {value}")
        elif key == "values":
            parts.append(f"{len(value)} observed values")
        elif key in _DURATION_FIELDS and unit == "h":
            parts.append(f"{key} {format_duration(float(value))}")
        elif key in _DURATION_FIELDS:
            parts.append(f"{key} {float(value):g} {unit}")
        else:
            parts.append(f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}")
    if kind == "fixed":
        return parts[0].removeprefix("value ") if parts else "0"
    return f"{kind}({', '.join(parts)})"


def staff_text(n: int) -> str:
    """A staff number; the schema's ``UNLIMITED`` sentinel reads as ``unlimited``."""
    return "unlimited" if n >= UNLIMITED else str(n)


def percent(x: float) -> str:
    """A share as a whole percentage: ``0.25`` -> ``25%``."""
    return f"{100 * x:.0f}%"


def span(values: list, fmt: Callable[[Any], str] = str) -> str:
    """One value if all streets (say) agree, else ``lowest to highest``, each shown by ``fmt``."""
    uniq = list(dict.fromkeys(values))
    if len(uniq) == 1:
        return fmt(uniq[0])
    return f"{fmt(min(uniq))} to {fmt(max(uniq))}"


def _duration_annotation(annotation: Any, metadata: list | None = None) -> bool:
    """Whether a schema field's type is a ``Duration`` (its validator parses units)."""
    return "parse_duration" in repr(annotation) + repr(metadata or [])


def _field_types(annotation: Any) -> list[Any]:
    """The types an annotation may stand for (``X | None`` is ``X``; ``Annotated`` unwrapped)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [t for a in args for t in _field_types(a)]
    if typing.get_origin(annotation) is typing.Annotated:
        return _field_types(args[0])
    return [annotation]


def is_duration_path(path: str, model: type = Scenario) -> bool:
    """Whether a key path of a resolved scenario (``simulation.warmup``,
    ``reform.whistle.trigger.after_wait``) holds a duration in hours, read from the schema:
    the report then shows it with its unit (``28d``) rather than as raw hours (``672``)."""
    candidates: list[Any] = [model]
    parts = path.split(".")
    for i, part in enumerate(parts):
        found: list[Any] = []
        for t in candidates:
            if isinstance(t, type) and issubclass(t, BaseModel):
                for name, info in t.model_fields.items():
                    if part in (name, info.alias):
                        if i == len(parts) - 1:
                            if _duration_annotation(info.annotation, info.metadata):
                                return True
                        found += _field_types(info.annotation)
            elif typing.get_origin(t) is dict:
                found += _field_types(typing.get_args(t)[1])
        candidates = found
    return False


def value_text(path: str, value: Any) -> str:
    """A resolved value as the report shows it: a duration with its unit (``28d``, ``10min``;
    a ``street_defaults`` field as the streets' field), anything else compact (``show``)."""
    if isinstance(value, dict) and "kind" in value:
        return describe_distribution({k: v for k, v in value.items() if v is not None},
                                     "working days" if path.endswith("_working_days") else "h")
    schema_path = re.sub(r"^street_defaults\.", "streets.*.", path)
    if (isinstance(value, int | float) and not isinstance(value, bool)
            and is_duration_path(schema_path)):
        if path.endswith(".overtime") and value >= UNLIMITED_OVERTIME_H:
            return "unlimited"
        return format_duration(float(value))
    return show(value)
