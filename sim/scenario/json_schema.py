"""A JSON Schema of scenario files, for editors (``govsim schema``).

Generated from the pydantic models of ``sim.scenario.schema``, then made to accept what a
scenario file may hold before the loader turns it into those models:

- a duration is a number (hours) or a string with a unit (``"2h"``, ``"45min"``, ``"2 hours"``;
  the units of ``sim.scenario.units``); a time of day also ``"09:00"``;
- a staff count also ``unlimited``; an ``overtime`` also ``unlimited`` or ``none``;
- ``extends`` (a file name) and ``street_defaults`` (a street's fields) at the top level, and no
  top-level key is required, since a file that extends another may set only what it changes;
- extra top-level blocks the caller adds (``govsim schema`` adds the ``city`` block of city
  files).

Each alternative is attached where the loader's own parsing function is (the ``BeforeValidator``
of a field type), so the schema accepts what the loader accepts and nothing it refuses by
type. What a schema cannot say (a warm-up shorter than the horizon, names that must exist,
sizes) is left to ``govsim check``.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from sim.scenario import schema as scenario_schema
from sim.scenario.schema import Scenario, Street
from sim.scenario.units import HOURS_PER_UNIT, parse_duration

SCHEMA_URI = "https://json-schema.org/draft/2020-12/schema"

_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+)"


def _any_case(word: str) -> str:
    """A regular expression matching ``word`` in any case (JSON Schema patterns have no
    case-insensitive flag)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


def _words(*words: str) -> str:
    return "(?:" + "|".join(_any_case(w) for w in words) + ")"


# Longest spelling first, so that "hours" is not read as "h" followed by junk.
_UNITS = _words(*sorted(HOURS_PER_UNIT, key=len, reverse=True))
DURATION_PATTERN = rf"^\s*{_NUMBER}\s*{_UNITS}?\s*$"
"""A duration written as text: a number with an optional unit (without one it is hours)."""
TIME_OF_DAY_PATTERN = r"^\s*\d{1,2}:[0-5]\d\s*$"

_ALTERNATIVES = {
    parse_duration: {"type": "string", "pattern": DURATION_PATTERN,
                     "description": "a duration: 45min, 2h, 3d, 1w (a bare number is hours)"},
    scenario_schema._parse_staff: {"type": "string", "pattern": rf"^\s*{_words('unlimited', 'inf', 'infinite')}\s*$"},
    scenario_schema._parse_time_of_day: {"type": "string", "pattern": TIME_OF_DAY_PATTERN,
                                         "description": "a time of day, e.g. 09:00"},
    scenario_schema._parse_overtime: {"type": "string", "pattern": rf"^\s*{_words('unlimited', 'none')}\s*$"},
}
"""Per parsing function of the loader, the text it also accepts in a file."""

# pydantic writes a constraint it cannot translate (one given next to a BeforeValidator) under
# its Python name, which a JSON Schema validator would silently ignore.
_CONSTRAINTS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum",
                "lt": "exclusiveMaximum"}


class _FileSchema(GenerateJsonSchema):
    """pydantic's generator, with the loader's text alternatives where its parsers are."""

    def function_before_schema(self, schema) -> dict:
        inner = super().function_before_schema(schema)
        alternative = _ALTERNATIVES.get(schema["function"]["function"])
        if alternative is None:
            return inner
        return {"anyOf": [inner, alternative]}


def _translate_constraints(node: Any) -> None:
    if isinstance(node, dict):
        for python, json_name in _CONSTRAINTS.items():
            if python in node and json_name not in node:
                node[json_name] = node.pop(python)
        for value in node.values():
            _translate_constraints(value)
    elif isinstance(node, list):
        for value in node:
            _translate_constraints(value)


def scenario_json_schema(extra_blocks: dict[str, type[BaseModel]] | None = None) -> dict:
    """The JSON Schema of a scenario file (draft 2020-12), with ``extra_blocks`` as optional
    top-level keys (e.g. ``{"city": CitySpec}``)."""
    result = Scenario.model_json_schema(schema_generator=_FileSchema)
    defs = result.setdefault("$defs", {})
    properties = result["properties"]
    properties["extends"] = {
        "type": "string", "minLength": 1,
        "description": "a scenario file this one starts from (relative to this file); "
                       "mappings merge key by key, a distribution of another kind replaces"}
    street = copy.deepcopy(defs.get("Street") or Street.model_json_schema(
        schema_generator=_FileSchema))
    properties["street_defaults"] = {
        "$ref": "#/$defs/Street",
        "description": "values every street takes unless it sets its own"}
    defs.setdefault("Street", street)
    for key, model in (extra_blocks or {}).items():
        block = model.model_json_schema(schema_generator=_FileSchema,
                                        ref_template="#/$defs/{model}")
        defs.update(block.pop("$defs", {}))
        properties[key] = block
    result.pop("required", None)   # a file that extends another sets only what it changes
    result["$schema"] = SCHEMA_URI
    result["title"] = "govsim scenario"
    result["description"] = ("A govsim scenario file (YAML). Generated by `govsim schema` from "
                             "sim/scenario/schema.py; `govsim check FILE` checks the rest.")
    _translate_constraints(result)
    return result
