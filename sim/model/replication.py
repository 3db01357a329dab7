"""One replication: build the world from a scenario, run it, return columnar records.

``run_replication(scenario, seed, replication)`` returns a ``Replication`` holding three tables:

``cases``
    one row per case (``CASE_COLUMNS``; their meaning is in docs/model.md);
``pools``
    one row per staff pool: headcount, staff-hours busy, staff-hours open, utilisation;
``visits``
    one row per team sent to a case: which pool, whether whistled, when asked and when on site;
``steps``
    one row per step of a case's life (``STEP_COLUMNS``; the steps are in ``sim.model.steps``).
"""

from __future__ import annotations

import gc
import time
import types
from array import array
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.model.case import DISCOVERED_BY, HANDLED_BY
from sim.model.routing import ROUTES
from sim.model.steps import (
    CITIZEN_UNIT,
    CLOSED,
    DISPATCHED,
    GRID_UNIT,
    GRID_WORKER_UNIT,
    OCCURRED,
    ON_SITE,
    REPORTED,
    RESOLVED,
    STEPS,
)
from sim.model.streams import Streams
from sim.model.world import World
from sim.scenario.schema import UNLIMITED, Scenario

CASE_COLUMNS = [
    "scenario", "replication", "case_id", "case_type", "street", "grid", "discovered_by",
    "handled_by", "t_occur", "t_report", "t_dispatch", "t_whistle", "t_onsite", "t_resolved",
    "t_closed", "response_h", "wait_h", "resolved", "deadline_h", "deadline_met", "whistled",
    "bounces", "handoffs", "reopens", "route", "respond_within_h", "first_closure_solved",
    "in_warmup",
]

STEP_COLUMNS = ["scenario", "replication", "case_id", "step", "time", "unit"]


@dataclass
class Replication:
    """The records of one replication."""

    scenario: str
    seed: int
    replication: int
    cases: pd.DataFrame
    pools: pd.DataFrame
    visits: pd.DataFrame
    end_time: float
    wall_s: float
    steps: pd.DataFrame | None = None


def run_replication(scenario: Scenario, seed: int, replication: int) -> Replication:
    """Build, run and record one replication of ``scenario``."""
    started = time.perf_counter()
    world = World(scenario, Streams(seed, replication)).run()
    t_resolved = np.frombuffer(world.outcomes.t_resolved, dtype=float)
    # Problems fixed on the spot are resolved without the event loop, possibly after its end.
    last = [float(np.nanmax(t_resolved))] if (~np.isnan(t_resolved)).any() else []
    end_time = float(max([world.end_time, *last]))
    pools = pool_table(world, scenario, replication, end_time)
    records = _records(world)
    big = len(t_resolved) >= LARGE_RUN
    # The world is a web of references (environment, processes, pools, the case flow): once it
    # is dropped and collected, the case draws it holds (work contents, uniforms, recall delays)
    # are freed before the tables are built, so the two never sit in memory together.
    del world, t_resolved
    if big:
        gc.collect()
    visits = visit_table(records, scenario, replication)
    records.visits = None
    cases = case_table(records, scenario, replication)
    steps = step_table(records, scenario, replication, visits)
    return Replication(
        scenario=scenario.name, seed=seed, replication=replication, cases=cases,
        pools=pools, visits=visits, end_time=end_time, wall_s=time.perf_counter() - started,
        steps=steps)


LARGE_RUN = 50_000
"""From this many cases on, a replication collects its model's memory before writing the table
(a full collection costs a few milliseconds: not worth it for small runs)."""


def _records(world: World) -> types.SimpleNamespace:
    """What the tables need of a run world: a few case attributes, outcomes and visits."""
    c = world.cases
    attributes = types.SimpleNamespace(
        t_occur=c.t_occur, t_report=c.t_report, case_type=c.case_type, street=c.street,
        grid=c.grid, discovered_by=c.discovered_by)
    return types.SimpleNamespace(cases=attributes, outcomes=world.outcomes,
                                 visits=world.visits, end_time=world.end_time)


def case_table(world: World, scenario: Scenario, replication: int) -> pd.DataFrame:
    """One row per case, in the columns of ``CASE_COLUMNS``. ``world`` is a run ``World`` or
    anything with its ``cases`` (attribute columns), ``outcomes`` and ``end_time``."""
    c, o = world.cases, world.outcomes
    n = len(c.t_occur)
    type_names = list(scenario.case_types)
    street_names = list(scenario.streets)
    limit = scenario.simulation.horizon + scenario.simulation.drain_limit
    t_report = c.t_report.copy()
    t_report[t_report > limit] = np.nan
    t_resolved = _column(o.t_resolved, float)
    response = t_resolved - t_report
    resolved = ~np.isnan(response)
    deadlines = np.array([ct.deadline for ct in scenario.case_types.values()])[c.case_type] \
        if n else np.zeros(0)
    end = max(world.end_time, float(np.nanmax(t_resolved)) if resolved.any() else 0.0)
    # A team still travelling when the run stopped (at the drain limit) never got on site.
    t_onsite = _column(o.t_onsite, float)
    if (t_onsite > world.end_time).any():
        t_onsite = np.where(t_onsite > world.end_time, np.nan, t_onsite)
    respond_within = (np.array([ct.respond_within for ct in scenario.case_types.values()])
                      [c.case_type] if n else np.zeros(0))
    solved = _column(o.first_closure_solved, np.int8)
    first_solved = pd.array(solved == 1, dtype="boolean")
    first_solved[solved < 0] = pd.NA
    # deadline_met: known once resolved, or once the deadline has passed while still open.
    met = pd.array(np.where(resolved, response <= deadlines, False), dtype="boolean")
    unknown = ~resolved & ~((end - t_report) > deadlines)
    met[unknown] = pd.NA
    # copy=False: the frame takes these arrays as its columns (views of the outcome columns
    # where possible) instead of consolidating them into new blocks: no second copy of the
    # records at the memory peak. pandas' copy-on-write keeps the inputs safe from edits.
    frame = pd.DataFrame({
        "scenario": pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), [scenario.name]),
        "replication": np.full(n, replication, dtype=np.int32),
        "case_id": np.arange(n, dtype=np.int64),
        "case_type": pd.Categorical.from_codes(c.case_type.astype(np.int16), type_names),
        "street": pd.Categorical.from_codes(c.street.astype(np.int16), street_names),
        "grid": c.grid,
        "discovered_by": pd.Categorical.from_codes(c.discovered_by, DISCOVERED_BY),
        "handled_by": pd.Categorical.from_codes(_column(o.handled_by, np.int8), HANDLED_BY),
        "t_occur": c.t_occur,
        "t_report": t_report,
        "t_dispatch": _column(o.t_dispatch, float),
        "t_whistle": _column(o.t_whistle, float),
        "t_onsite": t_onsite,
        "t_resolved": t_resolved,
        "t_closed": _column(o.t_closed, float),
        "response_h": response,
        "wait_h": np.where(np.isnan(t_report), np.nan, _column(o.wait_h, float)),
        "resolved": resolved,
        "deadline_h": deadlines.astype(float),
        "deadline_met": met,
        "whistled": _column(o.whistled, np.int8).astype(bool),
        "bounces": _column(o.bounces, np.int16),
        "handoffs": _column(o.handoffs, np.int16),
        "reopens": _column(o.reopens, np.int16),
        "route": pd.Categorical.from_codes(_column(o.route, np.int8), ROUTES),
        "respond_within_h": respond_within.astype(float),
        "first_closure_solved": first_solved,
        "in_warmup": ~(t_report >= scenario.simulation.warmup),
    }, copy=False)
    # Selecting columns copies the whole frame: only when the order is not already right.
    return frame if list(frame.columns) == CASE_COLUMNS else frame[CASE_COLUMNS]


def _column(values, dtype) -> np.ndarray:
    """An outcome column as numpy: a view of an ``array.array`` of that item type (no copy),
    else a converted copy."""
    if isinstance(values, array) and np.dtype(dtype).itemsize == values.itemsize:
        return np.frombuffer(values, dtype=dtype)
    return np.asarray(values, dtype=dtype)


def step_table(world: World, scenario: Scenario, replication: int,
               visits: pd.DataFrame) -> pd.DataFrame:
    """One row per step of a case (``STEP_COLUMNS``), each case's steps in time order (steps
    of one moment in the order of ``STEPS``). ``world`` is as for ``case_table``, ``visits``
    its ``visit_table``.

    What the other records hold is read from them (``sim.model.steps`` says which steps):
    ``occurred`` and ``reported`` (as ``t_occur`` and ``t_report`` in the case table), the
    first ``dispatched``, ``resolved``, the last ``closed``, and ``on site`` from the visits
    (less the arrivals after the run stopped, as ``t_onsite``, and those a preemptive whistle
    called back); the rest from the step log.
    """
    c, o = world.cases, world.outcomes
    log = o.steps
    n = len(c.t_occur)
    limit = scenario.simulation.horizon + scenario.simulation.drain_limit
    t_report = np.asarray(c.t_report)
    t_dispatch, t_resolved, t_closed = (_column(x, float)
                                        for x in (o.t_dispatch, o.t_resolved, o.t_closed))
    reported = np.isfinite(t_report) & (t_report <= limit)
    dispatched, resolved, closed = ~np.isnan(t_dispatch), ~np.isnan(t_resolved), ~np.isnan(
        t_closed)
    # Unit codes become the codes of the table's unit categories (two units may share a name,
    # a street and a department both called "x": one category), in the smallest integer type.
    names, name_code = np.unique(np.asarray(log.unit_names, dtype=object), return_inverse=True)
    name_code = name_code.astype(np.int8 if len(names) < 2**7 else
                                 np.int16 if len(names) < 2**15 else np.int32)
    # A case's steps are: the head (occurred, reported, first dispatch), any number in the
    # middle (teams on site, the logged steps), the tail (resolved, last closed). Only the
    # middle needs sorting (by case, time and the order of STEPS); each part is then placed
    # case by case, in that order, straight into the table's columns (a large run's table is
    # built with few temporary arrays).
    arrived = visits["t_onsite"].to_numpy() <= world.end_time
    arrived[log.withdrawn_visits] = False
    pool_codes, pool_names = pd.factorize(visits["pool"][arrived])
    index = {name: code for code, name in enumerate(log.unit_names)}
    log_case, log_step, log_time, log_unit = log.columns()
    kept = ~np.isnan(log_time) & ~((log_step == ON_SITE) & (log_time > world.end_time))
    m_case = np.concatenate([visits["case_id"].to_numpy()[arrived], log_case[kept]])
    m_time = np.concatenate([visits["t_onsite"].to_numpy()[arrived], log_time[kept]])
    m_step = np.concatenate([np.full(len(pool_codes), ON_SITE, np.int8), log_step[kept]])
    m_unit = np.concatenate([np.array([index[p] for p in pool_names], np.int32)[pool_codes],
                             log_unit[kept]])
    del log_case, log_step, log_time, log_unit, pool_codes, kept
    m_order = np.lexsort((m_step, m_time, m_case))
    m_case, m_step, m_time, m_unit = (x[m_order] for x in (m_case, m_step, m_time, m_unit))
    del m_order
    filled = reported.astype(np.int64) + dispatched + resolved + closed + 1
    filled += np.bincount(m_case, minlength=n)
    rows = int(filled.sum())
    filled = np.cumsum(filled) - filled   # each case's next free row
    case_id, steps = np.empty(rows, np.int32), np.empty(rows, np.int8)
    times, units = np.empty(rows), np.empty(rows, name_code.dtype)

    def place(cases, step, when, unit, rank=0) -> None:
        at = filled[cases] + rank
        case_id[at], steps[at], times[at], units[at] = cases, step, when, name_code[unit]
        filled[cases] += 1   # cases are distinct within a part (the middle adds its own)

    everyone = np.arange(n)
    place(everyone, OCCURRED, c.t_occur, GRID_UNIT)
    at = np.flatnonzero(reported)
    patrol = np.asarray(c.discovered_by)[at] == DISCOVERED_BY.index("patrol")
    place(at, REPORTED, t_report[at], np.where(patrol, GRID_WORKER_UNIT, CITIZEN_UNIT))
    at = np.flatnonzero(dispatched)
    place(at, DISPATCHED, t_dispatch[at],
          np.asarray(log.dispatch_units, dtype=np.int64)[c.street[at]])
    # The middle: a row's rank among its case's rows (the rows are sorted by case).
    rank = np.arange(len(m_case)) - np.searchsorted(m_case, m_case)
    at = filled[m_case] + rank
    case_id[at], steps[at], times[at], units[at] = m_case, m_step, m_time, name_code[m_unit]
    filled += np.bincount(m_case, minlength=n)
    del m_case, m_step, m_time, m_unit, rank
    at = np.flatnonzero(resolved)
    place(at, RESOLVED, t_resolved[at], _column(log.handler, np.int32)[at])
    at = np.flatnonzero(closed)
    place(at, CLOSED, t_closed[at], _column(log.closer, np.int32)[at])
    return pd.DataFrame({
        "scenario": pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), [scenario.name]),
        "replication": np.full(rows, replication, dtype=np.int32),
        "case_id": case_id,
        "step": pd.Categorical.from_codes(steps, STEPS),
        "time": times,
        "unit": pd.Categorical.from_codes(units, list(names)),
    }, copy=False)


def pool_table(world: World, scenario: Scenario, replication: int, end: float) -> pd.DataFrame:
    """One row per staff pool. ``busy_hours``, ``open_hours`` and ``utilisation`` cover the
    observation window (after the warm-up, up to the horizon): the steady-state figures. The
    ``_run`` columns cover the whole run, drain included, where the load falls away."""
    start, horizon = scenario.simulation.warmup, scenario.simulation.horizon
    rows = []
    for p in world.pools:
        if p.capacity >= UNLIMITED:
            open_window = open_run = float("nan")
        else:
            open_window = p.capacity * p.calendar.open_hours_between(start, horizon)
            open_run = p.capacity * p.calendar.open_hours_between(0.0, end)
        rows.append({
            "scenario": scenario.name, "replication": replication, "pool": p.name,
            "kind": p.kind, "department": p.department, "street": p.street,
            "staff": p.capacity if p.capacity < UNLIMITED else np.nan,
            "served": p.served, "busy_hours": p.busy_in_window, "open_hours": open_window,
            "utilisation": p.busy_in_window / open_window if open_window else np.nan,
            "overtime_hours": p.overtime_in_window, "rest_hours": p.rest_in_window,
            "busy_hours_run": p.busy_hours, "open_hours_run": open_run,
        })
    return pd.DataFrame(rows)


def visit_table(world: World, scenario: Scenario, replication: int) -> pd.DataFrame:
    v = world.visits
    frame = pd.DataFrame({
        "case_id": np.asarray(v.case_id, dtype=np.int64),
        "pool": v.pool, "department": v.department,
        "whistled": np.asarray(v.whistled, dtype=bool),
        "t_request": np.asarray(v.t_request, dtype=float),
        "t_start": np.asarray(v.t_start, dtype=float),
        "t_onsite": np.asarray(v.t_onsite, dtype=float),
    })
    frame.insert(0, "replication", replication)
    frame.insert(0, "scenario", scenario.name)
    return frame
