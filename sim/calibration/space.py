"""What ``govsim calibrate fit`` searches: the parameters a case log cannot give directly.

A log gives arrival counts and close times; it does not say how many people a department has,
how long the work itself takes, how long referral paperwork lasts or how often cases bounce or
fail. Those are fitted by simulation, in five groups:

``staff``            each department's headcount (``departments.<d>.staff``), an integer
                     between a factor ``lo`` and ``hi`` of the scenario's own (default 0.25 to 4
                     times; at least 1), searched on a log scale;
``work``             each department's work content: a factor on the scale of the work
                     distribution of every case type for that department (mean, median, scale,
                     or every value; the shape, cv or sigma, is kept), default 0.25 to 4;
``referral_delay``   a factor on ``referral.admin_delay_working_days`` (its scale), default
                     0.25 to 4;
``bounce_prob``      one probability for every case type's ``bounce_prob``, default 0 to 0.5;
``quality_failure``  one probability for every case type's ``quality_failure``, default 0 to
                     0.5;
``admin_closure``    each department's share of cases closed at once, without a visit: the
                     ``on_spot_share`` of the case types whose first department it is, default
                     0 to 1 (LA's LADWP closes every case within the minute).

Bounce and quality-failure probabilities are fitted as one value for all case types: a log
shows close times per department, which cannot tell the types' own rates apart.

**Administrative closures** (cases closed within minutes without service, common in 311 logs)
have no mechanism of their own in the model. The nearest one that exists is the grid worker's
fix on the spot (``on_spot_share``: closed ``on_spot_time`` after the report, no queue, no
visit), which applies to cases a patrol found; in a scenario from ``calibrate build`` every case
arrives through that one-minute "patrol" intake, so there it is exactly a share of cases closed
at intake, and ``admin_closure`` fits it. In a scenario where citizens report some cases, it is
a share of the patrol-found cases only: read the fitted value as such.

The bounds of each group can be changed in a small YAML file (``load_bounds``)::

    staff: [0.5, 2]          # factors of the scenario's headcount
    work: [0.25, 4]          # factors of the work scale
    bounce_prob: [0, 0.3]    # probabilities
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from sim.calibration.groups import GROUPS
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import resolved_dict, scenario_from_dict
from sim.scenario.schema import UNLIMITED, Scenario

DEFAULT_BOUNDS: dict[str, tuple[float, float]] = {
    "staff": (0.25, 4.0), "work": (0.25, 4.0), "referral_delay": (0.25, 4.0),
    "bounce_prob": (0.0, 0.5), "quality_failure": (0.0, 0.5), "admin_closure": (0.0, 1.0)}
"""Factors of the scenario's value (staff, work, referral_delay) or probabilities."""
FACTOR_GROUPS = ("staff", "work", "referral_delay")
SCALE_KEYS = ("mean", "median", "scale", "value", "low", "mode", "high")
"""The keys of a distribution mapping that scale with it (the shape keys, cv, sigma and shape,
stay)."""


@dataclass(frozen=True)
class Parameter:
    """One searched dimension: its name (a column of ``trace.csv``), its group, the department
    it belongs to (``staff`` and ``work``), its bounds and the scenario's own value."""

    name: str
    group: str
    department: str | None
    lo: float
    hi: float
    start: float
    integer: bool = False
    log: bool = False

    def describe(self, value: float) -> str:
        """The fitted value in words, for the comment in the calibrated scenario."""
        if self.group == "staff":
            return f"staff {int(value)} (was {int(self.start)}; searched {int(self.lo)}-{int(self.hi)})"
        what = self.group.replace("_", " ") + (f" of {self.department}" if self.department
                                               else "")
        if self.group in FACTOR_GROUPS:
            return f"{value:.3g} x the scenario's {what} (searched {self.lo:g}-{self.hi:g})"
        return f"{what} {value:.3g} (was {self.start:.3g}; searched {self.lo:g}-{self.hi:g})"


def load_bounds(path: str | Path | None) -> dict[str, tuple[float, float]]:
    """The default bounds, with those of the YAML file at ``path`` (see the module)."""
    bounds = dict(DEFAULT_BOUNDS)
    if path is None:
        return bounds
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ScenarioError([Problem(str(path), "", f"cannot read the bounds: {reason}")]
                            ) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem(str(path), "", "expected a mapping of group -> [lo, hi]")])
    for group, pair in data.items():
        if group not in GROUPS:
            raise ScenarioError([Problem(str(path), str(group),
                                         f"unknown group (known: {', '.join(GROUPS)})")])
        ok = (isinstance(pair, list) and len(pair) == 2
              and all(isinstance(v, int | float) and not isinstance(v, bool)
                      and math.isfinite(v) for v in pair) and pair[0] < pair[1])
        if ok and group in FACTOR_GROUPS:
            ok = pair[0] > 0
        elif ok:
            ok = 0 <= pair[0] and pair[1] <= 1
        if not ok:
            need = "factors > 0" if group in FACTOR_GROUPS else "probabilities in [0, 1]"
            raise ScenarioError([Problem(str(path), str(group),
                                         f"expected [lo, hi] with lo < hi, {need}; got {pair!r}")])
        bounds[group] = (float(pair[0]), float(pair[1]))
    return bounds


def search_space(scenario: Scenario, groups: tuple[str, ...] = GROUPS,
                 bounds: dict[str, tuple[float, float]] | None = None) -> list[Parameter]:
    """The parameters of ``groups`` for ``scenario``: ``staff`` and ``work`` for every
    department some case type needs (unlimited staff is not searched)."""
    bounds = bounds or DEFAULT_BOUNDS
    needed = sorted({d for ct in scenario.case_types.values() for d in ct.departments})
    params: list[Parameter] = []
    for group in groups:
        lo, hi = bounds[group]
        if group == "staff":
            for d in needed:
                staff = scenario.departments[d].staff
                if staff >= UNLIMITED:
                    continue
                low = max(1, math.floor(lo * staff))
                params.append(Parameter(f"staff.{d}", group, d, low,
                                        max(math.ceil(hi * staff), low + 1), staff,
                                        integer=True, log=True))
        elif group == "work":
            params += [Parameter(f"work.{d}", group, d, lo, hi, 1.0, log=True) for d in needed]
        elif group == "referral_delay":
            params.append(Parameter(group, group, None, lo, hi, 1.0, log=True))
        elif group == "admin_closure":
            for d in needed:
                shares = [ct.on_spot_share for ct in scenario.case_types.values()
                          if ct.departments[:1] == [d]]
                if shares:
                    start = min(max(sum(shares) / len(shares), lo), hi)
                    params.append(Parameter(f"admin_closure.{d}", group, d, lo, hi, start))
        else:
            values = [getattr(ct, group) for ct in scenario.case_types.values()]
            start = min(max(sum(values) / len(values), lo), hi)
            params.append(Parameter(group, group, None, lo, hi, start))
    return params


def scaled(distribution: dict, factor: float) -> dict:
    """A distribution mapping (resolved: hours) with its scale multiplied by ``factor``."""
    out = dict(distribution)
    for key in SCALE_KEYS:
        if out.get(key) is not None:
            out[key] = out[key] * factor
    if out.get("values") is not None:
        out["values"] = [v * factor for v in out["values"]]
    return out


def apply(scenario: Scenario, params: list[Parameter], values: dict[str, float],
          name: str | None = None) -> Scenario:
    """``scenario`` with ``values`` (by parameter name) set, validated."""
    data = resolved_dict(scenario)
    if name is not None:
        data["name"] = name
    for p in params:
        value = values[p.name]
        if p.group == "staff":
            data["departments"][p.department]["staff"] = int(value)
        elif p.group == "work":
            for ct in data["case_types"].values():
                if p.department not in ct["departments"]:
                    continue
                work = ct["work"]
                if "kind" not in work:
                    work[p.department] = scaled(work[p.department], value)
                elif len(ct["departments"]) == 1:
                    ct["work"] = scaled(work, value)
                else:   # one distribution for several departments: each its own copy
                    ct["work"] = {d: dict(work) for d in ct["departments"]}
                    ct["work"][p.department] = scaled(work, value)
        elif p.group == "admin_closure":
            for ct in data["case_types"].values():
                if ct["departments"][:1] == [p.department]:
                    ct["on_spot_share"] = float(value)
        elif p.group == "referral_delay":
            referral = data["referral"]
            referral["admin_delay_working_days"] = scaled(referral["admin_delay_working_days"],
                                                          value)
        else:
            for ct in data["case_types"].values():
                ct[p.group] = float(value)
    return scenario_from_dict(data, source=f"{scenario.name} (calibration candidate)")
