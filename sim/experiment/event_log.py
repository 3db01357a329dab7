"""The event log of a run folder, for process mining: XES, or OCEL 2.0 (JSON).

One event per step of a case (``steps.parquet``, the model's step log: occurred, reported,
dispatched, referred, bounced, whistled, on site, resolved, closed, reopened; what each means is
in ``sim.model.steps`` and docs/model.md), with the unit that took it and a calendar time. A case
is a trace (XES) or an object (OCEL) identified as ``rep R case I``, with its attributes from
``cases.parquet``: scenario, replication, case type, street, grid, route, who discovered and
handled it, whether it was whistled, its bounces and reopenings, whether it was resolved.

**Calendar time.** Simulated hour 0 is ``start`` at 00:00, local time of the district; an
event's time is ``start + hours``, to the millisecond, written without a time zone (XES and
OCEL readers take it as it is: no shift). A run's week starts on a Monday (the calendars'
office hours are Monday to Friday from hour 0), so ``start`` must be a Monday, or the weekdays
of the log would not be those of the run.

Names from scenarios (streets, departments, case types) become XML or JSON text through real
the standard library's escaping (``xml.sax.saxutils.quoteattr``, ``json``), which escapes ``<``,
``&`` and quotes.
"""

from __future__ import annotations

import functools
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd

from sim.experiment.files import OutputError, atomic_write_bytes

FORMATS = {"xes": ".xes", "ocel": ".ocel.json"}
"""Export formats and the ending of their files."""

CASE_ATTRIBUTES = {
    "scenario": "string", "replication": "int", "case_id": "int", "case_type": "string",
    "street": "string", "grid": "int", "route": "string", "discovered_by": "string",
    "handled_by": "string", "whistled": "boolean", "bounces": "int", "reopens": "int",
    "resolved": "boolean",
}
"""Columns of ``cases.parquet`` given to each case, and their XES type."""

_OCEL_TYPES = {"string": "string", "int": "integer", "float": "float", "boolean": "boolean"}


def check_start(start: date) -> date:
    """``start`` if it is a Monday (hour 0 of a run is a Monday at 00:00); else ValueError
    naming the Monday before."""
    if isinstance(start, datetime):
        start = start.date()
    if start.weekday() != 0:
        monday = start - timedelta(days=start.weekday())
        raise ValueError(f"{start.isoformat()} is a {start:%A}; hour 0 of a run is a Monday "
                         f"at 00:00 (office calendars start then): give a Monday, e.g. "
                         f"{monday.isoformat()}")
    return start


def default_path(folder: Path, fmt: str, replication: int | None) -> Path:
    """Where the log goes without ``--out``: in the run folder, ``eventlog.xes`` (or
    ``eventlog.ocel.json``); ``eventlog-rep3.xes`` for replication 3 alone. No part of the
    name comes from a scenario."""
    suffix = "" if replication is None else f"-rep{replication}"
    return Path(folder) / f"eventlog{suffix}{FORMATS[fmt]}"


def read_run(folder: Path, replication: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cases and steps of a run folder (of one replication, if given); ``OutputError``
    with one line if the folder is not a run folder or lacks the replication."""
    folder = Path(folder)
    cases_path, steps_path = folder / "cases.parquet", folder / "steps.parquet"
    if not cases_path.is_file():
        inner = sorted(p.parent.name for p in folder.glob("*/steps.parquet"))
        hint = (f"; it holds the run folders {', '.join(inner)}: give one of them" if inner
                else ": give the folder `govsim run --out` wrote")
        raise OutputError(f"{folder}: not a run folder (no cases.parquet){hint}")
    if not steps_path.is_file():
        raise OutputError(f"{folder}: no steps.parquet (written by an earlier govsim): run the "
                          "scenario again with this version")
    cases = pd.read_parquet(cases_path, columns=list(CASE_ATTRIBUTES))
    steps = pd.read_parquet(steps_path)
    if replication is not None:
        present = sorted(cases["replication"].unique().tolist())
        if replication not in present:
            raise OutputError(f"{folder}: --replication: {replication} is not in this run "
                              f"(replications {present[0]} to {present[-1]})")
        cases = cases[cases["replication"] == replication]
        steps = steps[steps["replication"] == replication]
    return cases.reset_index(drop=True), steps.reset_index(drop=True)


def calendar_times(hours: pd.Series | np.ndarray, start: date) -> pd.Series:
    """Simulated ``hours`` as ISO local times (millisecond precision) from ``start`` 00:00."""
    delta = pd.to_timedelta(np.asarray(hours, dtype=float), unit="h").round("ms")
    stamps = pd.Timestamp(start) + delta
    return pd.Series(stamps.strftime("%Y-%m-%dT%H:%M:%S.%f")).str[:-3]


def _case_ids(replication, case_id) -> pd.Series:
    return ("rep " + pd.Series(replication).astype(str).to_numpy()
            + " case " + pd.Series(case_id).astype(str).to_numpy())


def export_event_log(folder: Path, start: date, fmt: str = "xes",
                     replication: int | None = None, out: Path | None = None) -> Path:
    """Write the event log of the run ``folder`` in ``fmt`` (``xes`` or ``ocel``); returns
    the file written (``out``, or ``default_path``)."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    start = check_start(start)
    cases, steps = read_run(folder, replication)
    path = Path(out) if out is not None else default_path(folder, fmt, replication)
    scenario = str(cases["scenario"].iloc[0]) if len(cases) else Path(folder).name
    writer = write_xes if fmt == "xes" else write_ocel
    atomic_write_bytes(path, writer(cases, steps, start, scenario))
    return path


def _value(kind: str, value) -> str:
    if kind == "boolean":
        return "true" if bool(value) else "false"
    if kind == "int":
        return str(int(value))
    return str(value)


def write_xes(cases: pd.DataFrame, steps: pd.DataFrame, start: date, name: str) -> bytes:
    """The XES document (IEEE 1849-2016) of ``cases`` and their ``steps``: one trace per case
    (concept:name ``rep R case I`` and the case attributes), one event per step (concept:name
    the step, org:resource the unit, time:timestamp the calendar time, ``hours`` the simulated
    hour).

    Every text is escaped by ``xml.sax.saxutils.quoteattr`` (the standard library's XML
    writer's own escaping); the texts that repeat (steps, units, case attributes) once each.
    Times and hours are numbers formatted here, with no character to escape.
    """
    quoted = functools.lru_cache(maxsize=None)(quoteattr)

    def leaf(tag: str, key: str, value: str) -> str:
        return f"<{tag} key={quoted(key)} value={quoted(value)}/>"

    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n',
             '<log xes.version="1849-2016" xes.features="nested-attributes" '
             'xmlns="http://www.xes-standard.org/">\n']
    parts += [f'<extension name="{ext}" prefix="{prefix}" '
              f'uri="http://www.xes-standard.org/{prefix}.xesext"/>\n'
              for ext, prefix in (("Concept", "concept"), ("Time", "time"),
                                  ("Organizational", "org"))]
    parts.append('<classifier name="Activity" keys="concept:name"/>\n')
    parts.append(leaf("string", "concept:name", name) + "\n")
    parts.append(leaf("string", "govsim:time",
                      "hour 0 of the run is the start date at 00:00 local time") + "\n")
    # The steps of each case, found by binary search on (replication, case) keys.
    key = steps["replication"].to_numpy(np.int64) * (1 << 32) + steps["case_id"].to_numpy(
        np.int64)
    order = np.argsort(key, kind="stable")
    key = key[order]
    hours = steps["time"].to_numpy()[order]
    events = [f"<event>{leaf('string', 'concept:name', step)}"
              f"{leaf('string', 'org:resource', unit)}"
              f'<date key="time:timestamp" value="{stamp}"/>'
              f'<float key="hours" value="{h!r}"/></event>\n'
              for step, unit, stamp, h in zip(
                  steps["step"].astype(str).to_numpy()[order].tolist(),
                  steps["unit"].astype(str).to_numpy()[order].tolist(),
                  calendar_times(hours, start).tolist(), hours.tolist(), strict=True)]
    case_keys = (cases["replication"].to_numpy(np.int64) * (1 << 32)
                 + cases["case_id"].to_numpy(np.int64))
    first = np.searchsorted(key, case_keys, side="left").tolist()
    last = np.searchsorted(key, case_keys, side="right").tolist()
    tag = {"string": "string", "int": "int", "boolean": "boolean"}
    columns = [(tag[kind], column, cases[column].tolist())
               for column, kind in CASE_ATTRIBUTES.items()]
    kinds = [CASE_ATTRIBUTES[column] for _, column, _ in columns]
    ids = _case_ids(cases["replication"], cases["case_id"]).tolist()
    for row, case in enumerate(ids):
        parts.append("<trace>" + leaf("string", "concept:name", case))
        parts += [leaf(t, column, _value(kind, values[row]))
                  for (t, column, values), kind in zip(columns, kinds, strict=True)]
        parts.append("\n")
        parts += events[first[row]:last[row]]
        parts.append("</trace>\n")
    parts.append("</log>\n")
    return "".join(parts).encode("utf-8")


def write_ocel(cases: pd.DataFrame, steps: pd.DataFrame, start: date, name: str) -> bytes:
    """The OCEL 2.0 JSON document of ``cases`` and their ``steps``: objects of type ``case``
    (id ``rep R case I``, the case attributes) and ``unit`` (id ``unit NAME``); one event per
    step, of the step's type, related to its case (qualifier ``case``) and its unit
    (qualifier ``by``), with ``hours`` the simulated hour."""
    ids = _case_ids(cases["replication"], cases["case_id"]).tolist()
    static = "1970-01-01T00:00:00"   # OCEL's time of an attribute that never changes
    columns = {c: cases[c].tolist() for c in CASE_ATTRIBUTES}

    def plain(kind, value):
        return bool(value) if kind == "boolean" else int(value) if kind == "int" else str(value)

    objects = [{"id": case, "type": "case", "attributes": [
        {"name": c, "time": static, "value": plain(kind, columns[c][row])}
        for c, kind in CASE_ATTRIBUTES.items()], "relationships": []}
        for row, case in enumerate(ids)]
    unit_names = sorted(steps["unit"].astype(str).unique().tolist())
    objects += [{"id": f"unit {u}", "type": "unit", "attributes": [], "relationships": []}
                for u in unit_names]
    step_ids = _case_ids(steps["replication"], steps["case_id"]).tolist()
    times = calendar_times(steps["time"].to_numpy(), start).tolist()
    events = [{"id": f"e{n}", "type": step, "time": t,
               "attributes": [{"name": "hours", "value": h}],
               "relationships": [{"objectId": case, "qualifier": "case"},
                                 {"objectId": f"unit {unit}", "qualifier": "by"}]}
              for n, (step, t, h, case, unit) in enumerate(zip(
                  steps["step"].astype(str).tolist(), times, steps["time"].tolist(), step_ids,
                  steps["unit"].astype(str).tolist(), strict=True))]
    step_types = sorted(steps["step"].astype(str).unique().tolist())
    document = {
        "objectTypes": [
            {"name": "case", "attributes": [{"name": c, "type": _OCEL_TYPES[kind]}
                                            for c, kind in CASE_ATTRIBUTES.items()]},
            {"name": "unit", "attributes": []}],
        "eventTypes": [{"name": s, "attributes": [{"name": "hours", "type": "float"}]}
                       for s in step_types],
        "objects": objects,
        "events": events,
    }
    del name   # OCEL 2.0 has no log-level name
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
