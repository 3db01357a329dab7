"""Display labels: the names figures and tables show for case types, departments and scenarios,
and readable titles for scenario key paths.

A scenario names things by keys (``environment``, ``housing``) that must be identifiers; a paper
wants the names its readers know (环境脏乱, 住建). Each case type, department and street may have
a ``label:`` and the scenario itself a ``label:`` (``sim.scenario.schema``); ``Labels`` maps keys
to what is shown, falling back to the key. Keys stay the keys of every table: labels are added
as columns beside them, never in their place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Labels:
    """Display names by key; a key without a label is shown as itself."""

    case_types: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)
    scenarios: Mapping[str, str] = field(default_factory=dict)
    streets: Mapping[str, str] = field(default_factory=dict)

    def case_type(self, key: str) -> str:
        return self.case_types.get(str(key)) or str(key)

    def department(self, key: str) -> str:
        return self.departments.get(str(key)) or str(key)

    def scenario(self, key: str) -> str:
        return self.scenarios.get(str(key)) or str(key)

    def street(self, key: str) -> str:
        return self.streets.get(str(key)) or str(key)

    def texts(self) -> list[str]:
        """Every label, for ``sim.analysis.canvas.check_glyphs``."""
        return [*self.case_types.values(), *self.departments.values(),
                *self.scenarios.values()]


NO_LABELS = Labels()


def labels_of(scenarios: Iterable[Scenario]) -> Labels:
    """The labels the ``scenarios`` give (the first one wins where two disagree)."""
    case_types: dict[str, str] = {}
    departments: dict[str, str] = {}
    names: dict[str, str] = {}
    streets: dict[str, str] = {}
    for s in scenarios:
        for key, st in s.streets.items():
            if st.label:
                streets.setdefault(key, st.label)
        for key, ct in s.case_types.items():
            if ct.label:
                case_types.setdefault(key, ct.label)
        for key, d in s.departments.items():
            if d.label:
                departments.setdefault(key, d.label)
        if s.label:
            names.setdefault(s.name, s.label)
    return Labels(case_types, departments, names, streets)


def with_label_column(frame: pd.DataFrame, column: str, label_of: Callable[[str], str]
                      ) -> pd.DataFrame:
    """``frame`` with ``<column>_label`` (each key's display label, the key itself where it
    has none) inserted right after ``column``; the key column stays as it is."""
    if column not in frame.columns:
        return frame
    out = frame.copy()
    out.insert(out.columns.get_loc(column) + 1, f"{column}_label",
               [label_of(str(k)) for k in out[column]])
    return out


def labelled(frame: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    """``frame`` with a ``_label`` column beside each of ``scenario``, ``case_type``,
    ``street`` and ``department`` it has (what the CSV files write next to the keys)."""
    for column, label_of in (("scenario", labels.scenario), ("case_type", labels.case_type),
                             ("street", labels.street), ("department", labels.department)):
        frame = with_label_column(frame, column, label_of)
    return frame


KEY_TITLES = {
    "reform.sinking.fraction": "Sinking fraction",
    "reform.sinking.grid_coverage": "Grid coverage after sinking",
    "reform.sinking.enabled": "Sinking on",
    "reform.whistle.enabled": "Whistle on",
    "reform.whistle.on_call_share": "On-call share (whistle)",
    "reform.whistle.signal_delay": "Whistle signal delay (h)",
    "reform.whistle.report_within": "Report within, after a whistle (h)",
    "reform.whistle.joint_wait_limit": "Joint-work wait limit (h)",
    "reform.whistle.bounce_factor": "Bounce factor under the whistle",
    "reform.whistle.trigger.after_wait": "Whistle after waiting (h)",
    "reform.whistle.trigger.min_departments": "Departments needed to whistle",
    "simulation.horizon": "Horizon (h)",
    "simulation.warmup": "Warm-up (h)",
    "district.grid_heterogeneity_cv": "Grid heterogeneity (CV)",
    "street_defaults.staff": "Street staff",
    "street_defaults.dispatchers": "Street dispatchers",
    "street_defaults.grid_workers": "Grid workers per street",
}
"""Titles of keys often varied; any other key gets ``key_title``'s humanised fallback."""

DEPARTMENT_FIELDS = {"staff": "staff", "travel_time": "travel time"}


def key_title(key: str, labels: Labels = NO_LABELS) -> str:
    """A readable axis title for a scenario key path: ``reform.sinking.fraction`` ->
    "Sinking fraction", ``departments.housing.staff`` -> "Housing staff" (or the department's
    label), else the last parts of the path in words ("Case types parking rate" ->
    "Parking: rate")."""
    if key in KEY_TITLES:
        return KEY_TITLES[key]
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "departments":
        name = labels.department(parts[1])
        return f"{_words(name)} {DEPARTMENT_FIELDS.get(parts[2], _words(parts[2]).lower())}"
    if len(parts) >= 3 and parts[0] == "case_types":
        return f"{_words(labels.case_type(parts[1]))}: {_words(' '.join(parts[2:])).lower()}"
    if len(parts) >= 3 and parts[0] == "streets":
        return f"Street {parts[1]}: {_words(' '.join(parts[2:])).lower()}"
    tail = parts[-2:] if len(parts) >= 2 and parts[-1] in ("mean", "value", "cv") else parts[-1:]
    return _words(" ".join(tail))


def _words(text: str) -> str:
    text = text.replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:] if text else text
