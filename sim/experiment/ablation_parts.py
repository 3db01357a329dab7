"""The parts of a reform, and the scenarios that switch each part off in turn or on alone.

An ablation asks where the difference between two scenarios (SCENARIO, e.g. ``combined``, and
BASELINE) comes from. Its *parts* are read off the difference of the two resolved scenarios
(``sim.scenario.diff``), not from a fixed list, so a key added to the schema tomorrow is a part tomorrow:

* under ``reform.<reform>``: one part per differing key one level down
  (``reform.whistle.verification`` holds ``verification.enabled`` and ``verification.time``;
  ``reform.whistle.trigger`` holds every trigger rule). A few keys only mean something with
  another and travel with it (``COMPANIONS``: ``on_call_share`` with ``after_hours``,
  ``allocation`` and ``overflow`` with ``fraction``, ``centre_*`` with ``integrated_centre``).
  The reform's own ``enabled`` switch is no part: the whole reform is, as one more part
  (``reform.whistle``, "whistle (all parts)");
* outside ``reform``: one part per differing top-level key (``departments``, ``streets``, …);
  ``name``, ``description`` and display labels never change a run and are left out.

Each part makes two variant scenarios:

* **off in turn**: SCENARIO with the part's keys set back to BASELINE's values; its effect,
  SCENARIO − variant, is the part's contribution given all the others;
* **on alone**: BASELINE with the part's keys set to SCENARIO's values *and its reform's
  ``enabled`` switch as in SCENARIO* (a part of a disabled reform does nothing); the reform's
  other settings stay BASELINE's (usually the schema's defaults). Its effect is
  variant − BASELINE.

Keys are copied as whole subtrees of the resolved scenarios (a ``fraction`` that is one share in
BASELINE and a mapping per department in SCENARIO is copied whole), then the variant is
validated like any scenario. A variant that is not a valid scenario (e.g. a part naming a
department only SCENARIO has) is reported as skipped, with the reason, instead of run.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sim.scenario.diff import Difference, diff_scenarios
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.schema import Scenario

KeyPath = tuple[str, ...]

NOT_PARTS = frozenset({"name", "description", "label"})
LABELLED = frozenset({"case_types", "departments", "streets", "street_defaults"})
"""Blocks whose entries have a display ``label``, which never changes a run either."""
"""Top-level keys that label a scenario without changing its run."""

SWITCH = "enabled"
"""The key that switches a whole reform on or off."""

COMPANIONS: dict[tuple[str, str], str] = {
    ("whistle", "on_call_share"): "after_hours",
    ("sinking", "allocation"): "fraction",
    ("sinking", "overflow"): "fraction",
    ("sinking", "centre_departments"): "integrated_centre",
    ("sinking", "centre_work"): "integrated_centre",
}
"""``(reform, key) -> key of the part it belongs to``: settings that only refine another."""

LABELS: dict[str, str] = {
    "reform.whistle": "whistle (all parts)",
    "reform.whistle.trigger": "which cases are whistled",
    "reform.whistle.signal_delay": "whistle signal delay",
    "reform.whistle.priority": "queue priority of whistled cases",
    "reform.whistle.report_within": "report-within target (measure only)",
    "reform.whistle.after_hours": "on-call teams after hours",
    "reform.whistle.joint_work": "joint handling rule",
    "reform.whistle.bounce_factor": "fewer bounces and misroutes",
    "reform.whistle.verification": "closed-loop verification",
    "reform.sinking": "sinking (all parts)",
    "reform.sinking.fraction": "staff stationed at streets",
    "reform.sinking.powers": "more powers for streets",
    "reform.sinking.integrated_centre": "integrated centre per street",
    "reform.sinking.grid_coverage": "grid patrol coverage",
}
"""Friendly names of known parts; any other part is labelled by its key path."""

OFF, ON, TOTAL = "off", "on", "total"
"""Directions of an effect: a part off in turn, on alone, or every part at once."""


@dataclass(frozen=True)
class Part:
    """One mechanism: the key subtrees it consists of and the differences inside them."""

    name: str                       # key path of the part, e.g. "reform.whistle.verification"
    roots: tuple[KeyPath, ...]      # the subtrees copied between the two scenarios
    changes: tuple[Difference, ...]  # the differing leaf paths (BASELINE -> SCENARIO)
    reform: str | None = None       # the reform the part belongs to, if any
    whole: bool = False             # the whole reform, every part at once
    switch: bool = False            # only the reform's ``enabled`` switch (on alone only)

    @property
    def label(self) -> str:
        if self.switch:
            return f"{self.reform} switched on, settings unchanged"
        return LABELS.get(self.name, self.name.removeprefix("reform."))

    @property
    def short(self) -> str:
        """A short id for folder and variant names: ``whistle-verification``, ``whistle-all``."""
        short = self.name.removeprefix("reform.")
        return f"{short}-all" if self.whole else short.replace(f".{SWITCH}", "-switch")


@dataclass
class Variant:
    """A scenario that switches one part off in turn (``off``) or on alone (``on``)."""

    part: Part
    direction: str
    scenario: Scenario


@dataclass
class Skipped:
    """A variant that could not be built, and why."""

    part: Part
    direction: str
    reason: str


@dataclass
class Plan:
    """The parts of an ablation and the variants to run, in the order of the table."""

    parts: list[Part]
    switches: list[Part] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def rows(self) -> list[Part]:
        """The parts and switches in the order of the table (a switch after its reform)."""
        out: list[Part] = []
        for part in self.parts:
            out.append(part)
            out += [s for s in self.switches if part.whole and s.reform == part.reform]
        return out


def folder_name(text: str) -> str:
    """A short readable run name for a part or variant: lower case ``[a-z0-9_-]``. (Run
    folders are made from run names by ``sim.scenario.paths.safe_component``, the one function that
    turns names into path components.)"""
    return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-") or "run"


def _segments(path: str) -> list[str]:
    """The keys of a diff path (``reform.sinking.fraction.water`` -> 4 keys); list indices
    (``[2]``) are dropped, as parts are never finer than a schema field."""
    return [re.sub(r"\[\d+\]", "", key) for key in path.split(".")]


def _part_key(keys: list[str]) -> tuple[str, KeyPath, str | None] | None:
    """(part name, root copied, reform) of a differing path; None if it is not a part."""
    top = keys[0]
    if top in NOT_PARTS or (top in LABELLED and len(keys) >= 3 and keys[-1] == "label"):
        return None
    if top != "reform" or len(keys) < 2:
        return top, (top,), None
    reform = keys[1]
    if len(keys) < 3:  # a whole reform block present in only one scenario
        return f"reform.{reform}", ("reform", reform), reform
    key = keys[2]
    if key == SWITCH:
        return None
    owner = COMPANIONS.get((reform, key), key)
    return f"reform.{reform}.{owner}", ("reform", reform, key), reform


def derive_parts(scenario: Scenario, baseline: Scenario) -> list[Part]:
    """The parts in which ``scenario`` differs from ``baseline``.

    Order: for each reform that differs, the whole reform first, then its parts in the order of
    the diff; then the parts outside ``reform``.
    """
    diffs = diff_scenarios(baseline, scenario)
    grouped: dict[str, dict[str, Any]] = {}
    reforms: dict[str, list[Difference]] = {}
    for d in diffs:
        keys = _segments(d.path)
        if keys[0] == "reform" and len(keys) >= 2:
            reforms.setdefault(keys[1], []).append(d)
        found = _part_key(keys)
        if found is None:
            continue
        name, root, reform = found
        entry = grouped.setdefault(name, {"roots": [], "changes": [], "reform": reform})
        if root not in entry["roots"]:
            entry["roots"].append(root)
        entry["changes"].append(d)
    parts: list[Part] = []
    for reform, changes in reforms.items():
        whole = f"reform.{reform}"
        parts.append(Part(whole, (("reform", reform),), tuple(changes), reform, whole=True))
        parts += [Part(name, tuple(e["roots"]), tuple(e["changes"]), reform)
                  for name, e in grouped.items() if e["reform"] == reform and name != whole]
    parts += [Part(name, tuple(e["roots"]), tuple(e["changes"]))
              for name, e in grouped.items() if e["reform"] is None]
    return parts


def _get(data: Mapping, path: KeyPath) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return _MISSING
        data = data[key]
    return data


_MISSING = object()


def copy_roots(target: dict, source: Mapping, roots: tuple[KeyPath, ...]) -> dict:
    """A deep copy of ``target`` with each subtree at ``roots`` replaced by ``source``'s (or
    removed where ``source`` has none)."""
    out = copy.deepcopy(target)
    for root in roots:
        node = out
        for key in root[:-1]:
            node = node.setdefault(key, {})
        value = _get(source, root)
        if value is _MISSING:
            node.pop(root[-1], None)
        else:
            node[root[-1]] = copy.deepcopy(value)
    return out


def variant_roots(part: Part, direction: str) -> tuple[KeyPath, ...]:
    """What a variant copies: the part's subtrees, and for ``on alone`` also its reform's
    switch (a part of a reform left disabled would do nothing)."""
    switch = ("reform", part.reform, SWITCH)
    if direction == ON and part.reform is not None and not part.whole \
            and switch not in part.roots:
        return (*part.roots, switch)
    return part.roots


def variant_name(part: Part, direction: str) -> str:
    return folder_name(f"{direction}-{part.short}")


def build_variant(scenario: Scenario, baseline: Scenario, part: Part, direction: str
                  ) -> Scenario:
    """``off``: SCENARIO with ``part`` set back to BASELINE's values; ``on``: BASELINE with
    ``part`` (and its reform's switch) set to SCENARIO's values. Raises ``ScenarioError`` if
    the result is not a valid scenario."""
    full, base = resolved_dict(scenario), resolved_dict(baseline)
    target, source = (full, base) if direction == OFF else (base, full)
    data = copy_roots(target, source, variant_roots(part, direction))
    data["name"] = variant_name(part, direction)
    data["description"] = (f"{scenario.name} with {part.name} switched off"
                           if direction == OFF else
                           f"{baseline.name} with only {part.name} of {scenario.name}")
    return scenario_from_dict(data, source=f"{direction} {part.name}")


def switch_part(whole: Part) -> Part | None:
    """The reform's ``enabled`` switch alone, if the two scenarios set it differently.

    Its ``on alone`` variant (BASELINE with the reform switched on and every setting left as
    it was) is the reference for reading the other parts' ``on alone`` effects, which all
    include switching the reform on: a part whose ``on alone`` effect is no larger than the
    switch's adds nothing by itself. (Its ``off`` variant would be the whole reform's.)
    """
    path = f"reform.{whole.reform}.{SWITCH}"
    changes = tuple(d for d in whole.changes if d.path == path)
    if not changes:
        return None
    return Part(path, (("reform", whole.reform, SWITCH),), changes, whole.reform, switch=True)


def plan_ablation(scenario: Scenario, baseline: Scenario) -> Plan:
    """The parts, and for each an ``off`` and an ``on`` variant (or the reason it is skipped);
    after each whole reform whose switch differs, the ``on`` variant of the switch alone."""
    plan = Plan(derive_parts(scenario, baseline))

    def add(part: Part, direction: str) -> None:
        try:
            plan.variants.append(Variant(part, direction,
                                         build_variant(scenario, baseline, part, direction)))
        except ScenarioError as exc:
            reason = "; ".join(str(p) for p in exc.problems)
            plan.skipped.append(Skipped(part, direction, reason))

    for part in plan.parts:
        add(part, OFF)
        add(part, ON)
        switch = switch_part(part) if part.whole else None
        if switch is not None:
            plan.switches.append(switch)
            add(switch, ON)
    return plan
