"""Declared uncertainty: which scenario parameters are not known, and within what range.

A scenario's assumptions are declared in a file next to it, ``<stem>.uncertainty.yaml``
(``scenarios/baseline.uncertainty.yaml`` for ``scenarios/baseline.yaml``), one entry per key
path of the resolved scenario (see ``govsim check --resolved``)::

    parameters:
      referral.admin_delay_working_days.mean: [0.5, 3]    # a range [lo, hi]
      departments.*.staff: ±20%                            # the scenario's value ± 20 %
      case_types.*.bounce_prob: [0.05, 0.4]

``*`` stands for every key at that level (every department, street or case type), so one
entry expands to one parameter per name; ``{range: ±20%, together: true}`` makes it one
parameter that moves them all at once (the same value for an absolute range, the same factor
of each one's own value for ``±P%``). Values are in the units of the resolved scenario:
durations in hours, shares as fractions. A parameter whose scenario value is an integer (staff,
dispatchers) is drawn as an integer. A scenario with no file of its own uses the file of the
scenario it ``extends``. An uncertainty file may itself ``extends: baseline.uncertainty.yaml``
and add the reform's own assumptions (``combined.uncertainty.yaml`` does).

``declared_parameters`` turns a file into ``Uncertain`` parameters against one resolved
scenario; ``sim.experiment.sensitivity`` and ``robustness`` draw designs over them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import _read_yaml

SUFFIX = ".uncertainty.yaml"
_RELATIVE = re.compile(r"^\s*(?:±|\+-|\+/-)\s*([0-9.]+)\s*%\s*$")


@dataclass(frozen=True)
class Uncertain:
    """One uncertain parameter: a key path of the resolved scenario and its plausible range."""

    key: str
    lo: float
    hi: float
    value: float
    """The scenario's own value (for reference: designs do not use it)."""
    integer: bool = False
    targets: tuple[tuple[str, float, bool], ...] = ()
    """For a ``together`` parameter: the (key, own value, integer) it moves; ``lo`` and ``hi``
    are then a factor of each own value (``relative``) or the value they all take."""
    relative: bool = False

    def draw(self, unit: float) -> float | int:
        """The parameter's value at ``unit`` in [0, 1] of its range."""
        x = self.lo + unit * (self.hi - self.lo)
        return int(round(x)) if self.integer else float(x)

    def settings(self, unit: float) -> dict[str, float | int]:
        """The key paths this parameter sets at ``unit``, with their values."""
        if not self.targets:
            return {self.key: self.draw(unit)}
        x = self.lo + unit * (self.hi - self.lo)
        out: dict[str, float | int] = {}
        for key, own, integer in self.targets:
            v = own * x if self.relative else x
            out[key] = int(round(v)) if integer else float(v)
        return out


def uncertainty_file(scenario_path: str | Path) -> Path | None:
    """The declaration that applies to the scenario file: its own ``<stem>.uncertainty.yaml``,
    else (following ``extends``) that of the scenario it extends; None if there is none."""
    path = Path(scenario_path)
    for _ in range(32):
        own = path.with_name(path.stem + SUFFIX)
        if own.is_file():
            return own
        try:
            parent = _read_yaml(path).get("extends")
        except ScenarioError:
            return None
        if not isinstance(parent, str):
            return None
        path = path.parent / parent
    return None


def read_declaration(path: str | Path, _depth: int = 0) -> dict[str, Any]:
    """The ``parameters`` mapping of an uncertainty file (key pattern -> range), those of the
    file it ``extends`` first (a reform's file extends the baseline's and adds its own)."""
    path = Path(path)
    data = _read_yaml(path)
    unknown = set(data) - {"parameters", "description", "extends"}
    if unknown:
        raise ScenarioError([Problem(str(path), sorted(unknown)[0],
                                     "unknown key (expected parameters, description, extends)")])
    params = data.get("parameters")
    if not isinstance(params, dict) or not params:
        raise ScenarioError([Problem(str(path), "parameters",
                                     "expected a mapping of key paths to ranges")])
    parent = data.get("extends")
    if parent is None:
        return dict(params)
    if not isinstance(parent, str) or _depth > 30:
        raise ScenarioError([Problem(str(path), "extends", "expected one file name (no loop)")])
    return read_declaration(path.parent / parent, _depth + 1) | params


def declared_parameters(declaration: dict[str, Any], resolved: dict, source: str = ""
                        ) -> list[Uncertain]:
    """Expand the declaration's wildcards against ``resolved`` and check every range."""
    out: list[Uncertain] = []
    problems: list[Problem] = []
    for pattern, spec in declaration.items():
        matches = _expand(str(pattern).split("."), resolved, [])
        if not matches:
            problems.append(Problem(source, str(pattern), "no such key in the scenario"))
            continue
        if isinstance(spec, dict):
            unknown = set(spec) - {"range", "together"}
            if unknown or "range" not in spec:
                problems.append(Problem(source, str(pattern), "expected {range: ..., "
                                        f"together: true|false}}, got {spec!r}"))
                continue
            if spec.get("together"):
                try:
                    out.append(_together(str(pattern), matches, spec["range"]))
                except ValueError as exc:
                    problems.append(Problem(source, str(pattern), str(exc)))
                continue
            spec = spec["range"]
        for key, value in matches:
            try:
                out.append(_parameter(key, value, spec))
            except ValueError as exc:
                problems.append(Problem(source, key, str(exc)))
    if problems:
        raise ScenarioError(problems)
    keys = [p.key for p in out]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise ScenarioError([Problem(source, dup, "declared twice")])
    return out


def _expand(parts: list[str], node: Any, prefix: list[str]) -> list[tuple[str, Any]]:
    if not parts:
        return [(".".join(prefix), node)]
    if not isinstance(node, dict):
        return []
    head, rest = parts[0], parts[1:]
    names = list(node) if head == "*" else [head] if head in node else []
    found = []
    for name in names:
        found += _expand(rest, node[name], [*prefix, name])
    return found


def _together(pattern: str, matches: list[tuple[str, Any]], spec: Any) -> Uncertain:
    for key, value in matches:
        _number(key, value)
    targets = tuple((k, float(v), isinstance(v, int)) for k, v in matches)
    if isinstance(spec, str) and (m := _RELATIVE.match(spec)):
        share = float(m.group(1)) / 100
        return Uncertain(pattern, 1 - share, 1 + share, 1.0, targets=targets, relative=True)
    own = _parameter(pattern, float(matches[0][1]), spec)
    return Uncertain(pattern, own.lo, own.hi, own.value, targets=targets)


def _number(key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} is not a number in the scenario (got {value!r}): cannot vary "
                         "it")


def _parameter(key: str, value: Any, spec: Any) -> Uncertain:
    _number(key, value)
    integer = isinstance(value, int)
    if isinstance(spec, str) and (m := _RELATIVE.match(spec)):
        share = float(m.group(1)) / 100
        lo, hi = value * (1 - share), value * (1 + share)
    elif (isinstance(spec, list) and len(spec) == 2
          and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec)):
        lo, hi = float(spec[0]), float(spec[1])
    else:
        raise ValueError(f"expected a range [lo, hi] or ±P%, got {spec!r}")
    lo, hi = min(lo, hi), max(lo, hi)
    if not hi > lo:
        raise ValueError(f"an empty range [{lo}, {hi}]")
    return Uncertain(key, float(lo), float(hi), float(value), integer)
