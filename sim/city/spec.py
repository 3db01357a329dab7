"""City files: a district model, a list of districts, and the city's yearly volume.

A city file is an ordinary scenario file (it may ``extend`` another, and ``--set`` applies to it)
with one extra top-level block::

    city:
      cases_per_year: 10_000_000     # occurrences in the whole city in one year of the horizon
      grids_per_street: 27
      districts:
        dongcheng: {label: 东城, streets: 17}
        chaoyang: {label: 朝阳, streets: 43}

Each district becomes one scenario: the file's scenario with its streets replaced by
``streets`` streets of ``grids_per_street`` grids (named ``<district>_01``...), every case
type's rate scaled so that the city sees ``cases_per_year``, and every staff count (street staff,
dispatchers, departments) scaled with the volume it serves, so each pool keeps the offered load
it has in the template district. Districts are independent: each gets its own root seed, derived
from (seed, district name), so no two districts share a random stream.
"""

from __future__ import annotations

import copy
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_raw, validate
from sim.scenario.names import name_problem
from sim.scenario.numbers import MAX_ENTRIES, MAX_GRIDS, Count, Number
from sim.scenario.schema import UNLIMITED, Scenario

DAYS_PER_YEAR = 365.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DistrictSpec(_Model):
    label: str = ""
    # Street names are "<district>_01"...: a district's streets are a scenario's streets.
    streets: Count = Field(ge=1, le=MAX_ENTRIES)


class CitySpec(_Model):
    """The ``city`` block of a city file."""

    cases_per_year: Number = Field(gt=0, description="occurrences in the whole city per year")
    grids_per_street: Count = Field(default=27, ge=1, le=MAX_GRIDS)
    districts: dict[str, DistrictSpec] = Field(min_length=1, max_length=MAX_ENTRIES)

    @field_validator("districts")
    @classmethod
    def _names(cls, districts: dict) -> dict:
        # A district's name is the scope of its summary rows, next to the city-wide CITY.
        for name in districts:
            problem = name_problem(name)
            if problem is None and name.upper() == "CITY":
                problem = "'CITY' is reserved for the city-wide rows of the summary"
            if problem:
                raise ValueError(f"district {name!r}: {problem}")
        return districts

    @property
    def streets(self) -> int:
        return sum(d.streets for d in self.districts.values())


@dataclass
class City:
    """A loaded city: its name, spec, and one validated scenario per district (largest first)."""

    name: str
    spec: CitySpec
    districts: dict[str, Scenario]
    source: str

    def expected_cases(self, horizon_h: float | None = None) -> dict[str, float]:
        """Expected occurrences per district over the horizon (default: each scenario's)."""
        out = {}
        for name, s in self.districts.items():
            h = s.simulation.horizon if horizon_h is None else horizon_h
            per_day = sum(st.grids for st in s.streets.values()) * sum(
                ct.rate for ct in s.case_types.values())
            out[name] = per_day * h / 24.0
        return out


def district_seed(seed: int, district: str) -> int:
    """The root seed of one district: a hash of (seed, district name), stable across runs."""
    digest = hashlib.blake2b(f"{int(seed)}/{district}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def load_city(path: str | Path, overrides: list[str] | tuple = ()) -> City:
    """Read a city file and build every district's scenario; refuse it with every problem."""
    raw, origins = load_raw(path, overrides)
    source = str(path)
    block = raw.pop("city", None)
    if block is None:
        raise ScenarioError([Problem(source, "city", "missing: a city file needs a 'city' block "
                                     "(cases_per_year, districts)")])
    try:
        spec = CitySpec.model_validate(block)
    except ValidationError as exc:
        raise ScenarioError([
            Problem(source, ".".join(["city", *(str(p) for p in err["loc"])]),
                    err["msg"].removeprefix("Value error, "))
            for err in exc.errors()]) from None
    template = validate(raw, origins, source)
    districts = {}
    order = sorted(spec.districts.items(), key=lambda kv: -kv[1].streets)  # longest jobs first
    for name, district in order:
        districts[name] = validate(district_dict(raw, template, spec, name, district), origins,
                                   f"{source} (district {name})")
    return City(name=template.name, spec=spec, districts=districts, source=source)


def _scaled(staff: Any, factor: float) -> Any:
    if isinstance(staff, str) or staff >= UNLIMITED:
        return staff
    return int(math.ceil(staff * factor)) if staff > 0 else 0


def district_dict(raw: dict, template: Scenario, spec: CitySpec, name: str,
                  district: DistrictSpec) -> dict:
    """The raw scenario of one district (see the module docstring for the scaling)."""
    template_grids = sum(s.grids for s in template.streets.values())
    rate_sum = sum(ct.rate for ct in template.case_types.values())
    if template_grids == 0 or rate_sum <= 0:
        raise ScenarioError([Problem("", "streets", "the template district has no occurrences "
                                     "to scale")])
    per_street_day = spec.cases_per_year / DAYS_PER_YEAR / spec.streets
    rate_scale = per_street_day / (spec.grids_per_street * rate_sum)
    template_per_street = template_grids * rate_sum / len(template.streets)
    street_scale = per_street_day / template_per_street
    dept_scale = district.streets * per_street_day / (template_grids * rate_sum)

    d = copy.deepcopy(raw)
    d["name"] = name
    d["description"] = (f"District {name} {district.label} of the city {template.name}: "
                        f"{district.streets} streets, ~{per_street_day * district.streets:,.0f} "
                        f"occurrences a day.")
    defaults = d.setdefault("street_defaults", {})
    template_street = next(iter(template.streets.values()))
    for key in ("dispatchers", "staff"):
        defaults[key] = _scaled(defaults.get(key, getattr(template_street, key)), street_scale)
    d["streets"] = {f"{name}_{k + 1:02d}": {"grids": spec.grids_per_street}
                    for k in range(district.streets)}
    for type_name, ct in template.case_types.items():
        d["case_types"][type_name]["rate"] = ct.rate * rate_scale
    for dept_name, dept in template.departments.items():
        d.setdefault("departments", {}).setdefault(dept_name, {})["staff"] = _scaled(
            dept.staff, dept_scale)
    return d
