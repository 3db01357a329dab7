"""Values in words: distributions, staff numbers, shares and ranges, as the report writes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.scenario.schema import UNLIMITED
from sim.scenario.units import format_duration

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
