"""Section 7 of STRESS-DES: results, as ``value ± half-width`` tables, figures, Beijing's
hotline measures (overall, per department and per street, as the district's assessment ranks
them), capacity, pool utilisation and the Little's-law check."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.analysis.measures import MEASURE_LABELS, MEASURES, SatisfactionModel
from sim.analysis.summary import ALL, METRIC_LABELS, METRICS
from sim.analysis.tables import UNIT_METRIC_LABELS
from sim.report.captions import CaptionContext, figure_caption
from sim.report.folders import RunFolder, Study
from sim.report.html import (
    Figure,
    Link,
    Markup,
    Segment,
    Table,
    link,
    png_figure,
    render,
    table,
)
from sim.scenario.diff import show
from sim.scenario.units import duration_unit, format_duration

LABELS = METRIC_LABELS | MEASURE_LABELS
"""Every metric of ``summary.csv``, ``comparison.csv`` and ``sweep.csv`` in words."""

LINKED_FILES = ("streets.csv", "departments.csv", "capacity.csv", "backlog.csv",
                "reports.csv", "pools.csv", "summary.csv")
"""The tables of a run folder the report links to (besides the tables it shows)."""

STUDY_FILES = ("comparison.csv", "sweep.csv", "manifest.json")
"""The files of a study folder (and a run's manifest) the report links to."""


def fmt_ci(value: float, hw: float | None, digits: int = 2, pct: bool = False) -> str:
    """``value ± hw`` (``pct``: both as percentages); ``–`` for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    scale, suffix = (100.0, "%") if pct else (1.0, "")
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    text = f"{value * scale:,.{digits}f}{suffix}"
    if hw is not None and not (isinstance(hw, float) and math.isnan(hw)):
        text += " ± ∞" if math.isinf(hw) else f" ± {hw * scale:,.{digits}f}"
    return text


_PCT_METRICS = {"resolved_share", "deadline_met_share", "utilisation", *MEASURES}


def is_duration_metric(metric: str) -> bool:
    """A metric in hours (``mean_h``, ``p90_h``): shown with a unit, not as raw hours."""
    return metric.endswith("_h")


def label(metric: str, labels: dict[str, str] = LABELS) -> str:
    """A metric in words; a duration's label loses its ``(h)``: its cells carry their unit."""
    text = labels.get(metric, metric)
    return text.removesuffix(" (h)") if is_duration_metric(metric) else text


def _is_number(x) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def fmt_duration_ci(value: float, hw: float | None, digits: int = 1,
                    unit: str | None = None) -> str:
    """``42.3d ± 1.2d``: a duration in hours and its half-width, both in ``unit`` or else the
    unit the value reads best in (``format_duration``); ``–`` for a missing value, ``∞`` for
    a censored one."""
    if not _is_number(value):
        return "–"
    if math.isinf(value):
        return "∞"
    unit = unit or duration_unit(value)
    text = format_duration(value, digits, unit)
    if _is_number(hw):
        text += " ± ∞" if math.isinf(hw) else f" ± {format_duration(hw, digits, unit)}"
    return text


def fmt_metric(metric: str, value: float, hw: float | None, digits: int = 1,
               unit: str | None = None) -> str:
    """A metric's value ± half-width as its kind reads: a duration with its unit (``unit``,
    else its own), a share as a percentage, a count as a number."""
    if is_duration_metric(metric):
        return fmt_duration_ci(value, hw, digits, unit)
    return fmt_ci(value, hw, digits, metric in _PCT_METRICS)


def format_difference(metric: str, diff: float, lo: float, hi: float, digits: int,
                    unit: str | None = None) -> str:
    """A paired difference and its CI, ``+3.2d [1.0d, 5.4d]`` (one unit for all three)."""
    if is_duration_metric(metric):
        unit = unit or duration_unit(max(abs(diff), abs(lo), abs(hi)))
        sign = "+" if diff >= 0 else ""
        return (f"{sign}{format_duration(diff, digits, unit)} [{format_duration(lo, digits, unit)}"
                f", {format_duration(hi, digits, unit)}]")
    scale = 100 if metric in _PCT_METRICS else 1
    return f"{diff * scale:+,.{digits}f} [{lo * scale:,.{digits}f}, {hi * scale:,.{digits}f}]"


def difference_cell(text: str, mark: str = "") -> list[Segment]:
    """``+3.2d [1.0d, 5.4d]`` as two segments, the interval on a line of its own, so that a
    comparison of several scenarios fits the page without breaking a number; ``mark`` follows
    the value (`` *`` for a significant effect)."""
    value, _, interval = text.partition(" [")
    return ([Segment(value + mark), Segment("[" + interval, "ci")] if interval
            else [Segment(text + mark)])


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary.csv``'s response-time metrics as a table of ``value ± half-width`` strings
    (the measures are shown by ``measures_display``)."""
    rows = []
    for _, r in summary.iterrows():
        row = {"case type": r["case_type"]}
        for m in METRICS:
            if m not in r:
                continue
            digits = 0 if m in ("n", "censored") else 1
            row[label(m, METRIC_LABELS)] = fmt_metric(m, r[m], r.get(f"{m}_hw"), digits)
        rows.append(row)
    return pd.DataFrame(rows)


def _comparison_display(table: pd.DataFrame, confidence: float) -> pd.DataFrame:
    data = table[table["case_type"] == "ALL"]
    rows = []
    for metric, g in data.groupby("metric", sort=False):
        digits = 0 if metric in ("n", "censored") else 1
        row = {"metric": label(metric)}
        # One unit per row, the first scenario's, so a row reads across without conversion.
        first = g["value"].iloc[0]
        unit = (duration_unit(first) if is_duration_metric(metric) and _is_number(first)
                and math.isfinite(first) else None)
        for _, r in g.iterrows():
            row[str(r["scenario"])] = fmt_metric(metric, r["value"], r.get("value_hw"), digits,
                                                 unit)
            if r["scenario"] != r.get("baseline", None):
                lo, hi = r.get("diff_lo"), r.get("diff_hi")
                finite = all(pd.notna(x) and math.isfinite(x) for x in (r.get("diff"), lo, hi))
                row[f"Δ {r['scenario']}"] = (
                    difference_cell(format_difference(metric, r["diff"], lo, hi, digits, unit))
                    if finite else "–")
        rows.append(row)
    return pd.DataFrame(rows)


def _sweep_display(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    data = table[table["case_type"] == "ALL"]
    rows = []
    for _, g in data.groupby("point", sort=False):
        row = {k: g[k].iloc[0] for k in keys if k in g}
        for _, r in g.iterrows():
            m = r["metric"]
            if m in ("n", "censored"):
                continue
            row[label(m)] = fmt_metric(m, r["value"], r.get("value_hw"), 1)
        rows.append(row)
    return pd.DataFrame(rows)


MEASURE_COLUMNS = [*MEASURES, "deadline_met_share"]
"""Beijing's four measures, shown alongside the share within deadline."""


def measures_display(summary: pd.DataFrame, first: str) -> pd.DataFrame:
    """The measures of ``summary.csv`` rows as ``value ± half-width`` percentages; the first
    column ``first`` (``scenario`` or ``case_type``) names each row. Empty if the summary
    predates the measures."""
    if not set(MEASURES) <= set(summary.columns):
        return pd.DataFrame()
    rows = []
    for _, r in summary.iterrows():
        row = {first.replace("_", " "): str(r[first])}
        for m in MEASURE_COLUMNS:
            row[LABELS[m]] = fmt_ci(r[m], r.get(f"{m}_hw"), 1, pct=True)
        rows.append(row)
    return pd.DataFrame(rows)


def _measures_overview(runs: list[RunFolder]) -> pd.DataFrame:
    """One row per scenario (all case types): its four measures and share within deadline."""
    rows = [r.summary[r.summary["case_type"].astype(str) == ALL].assign(scenario=r.name)
            for r in runs if r.summary is not None]
    return measures_display(pd.concat(rows, ignore_index=True), "scenario") if rows else \
        pd.DataFrame()


UNIT_COLUMNS = ["n", *MEASURES, "deadline_met_share", "p90_h", "bounces_per_case",
                "utilisation"]


def unit_display(units: pd.DataFrame, by: str) -> pd.DataFrame:
    """``streets.csv`` or ``departments.csv`` (``by``): the district (ALL) first, then the
    units by rank, each figure as ``value ± half-width``."""
    data = units.assign(_all=units[by] != ALL).sort_values(["scenario", "_all", "rank", by],
                                                           kind="stable")
    rows = []
    for _, r in data.iterrows():
        rank = r.get("rank")
        row = {"rank": "–" if pd.isna(rank) else f"{rank:.0f}", by: str(r[by])}
        for m in UNIT_COLUMNS:
            if m not in r:
                continue
            digits = 0 if m == "n" else (2 if m == "bounces_per_case" else 1)
            row[label(m, UNIT_METRIC_LABELS)] = fmt_metric(m, r[m], r.get(f"{m}_hw"), digits)
        rows.append(row)
    return pd.DataFrame(rows)


CAPACITY_COLUMNS = {"people": "people", "roster_h": "roster", "duties_h": "other duties",
                    "on_call_h": "on call", "rest_h": "rest for on-call nights",
                    "overtime_h": "overtime", "busy_h": "busy on cases"}


def capacity_display(capacity: pd.DataFrame) -> pd.DataFrame:
    """The totals of ``capacity.csv`` (per department, and all streets' own staff): staff-hours
    per week (means over replications)."""
    totals = capacity[capacity["unit"] == "total"]
    rows = []
    for _, r in totals.iterrows():
        row = {"department": str(r["department"])}
        for column, label in CAPACITY_COLUMNS.items():
            if column in r:
                row[label] = f"{r[column]:,.0f}"
        rows.append(row)
    return pd.DataFrame(rows)


def figures_in(folder: Path, context: CaptionContext, kind: str = "run") -> list[Figure]:
    """The PNG figures of ``folder/figures/`` (or of ``folder`` itself where a command writes
    its figure there), each with a caption saying what it shows."""
    where = folder / "figures" if (folder / "figures").is_dir() else folder
    return [png_figure(p, figure_caption(p.stem, context, kind))
            for p in sorted(where.glob("*.png"))]


def _window(window) -> str:
    """Little's-law window ``[start, end]`` in hours, as durations from the start of the run."""
    if isinstance(window, list | tuple) and all(isinstance(x, int | float) for x in window):
        return " to ".join(format_duration(float(x)) for x in window)
    return show(window)


def _little_table(runs: list[RunFolder]) -> pd.DataFrame:
    rows = []
    for r in runs:
        little = r.manifest.get("littles_law") or {}
        if "L" in little:
            rows.append({"scenario": r.name, "L (time-average in system)": f"{little['L']:.2f}",
                         "λW (reported rate × mean stay)": f"{little['lambda_W']:.2f}",
                         "largest relative gap (edge effects)": f"{little.get('max_rel_gap', float('nan')):.2%}",
                         "exact identity, largest error": f"{little.get('max_identity_gap', float('nan')):.1e}",
                         "window": _window(little.get("window"))})
    return pd.DataFrame(rows)


@dataclass
class _RunResults:
    """One scenario's results: its summary table, Beijing's measures by case type, the ranked
    departments and streets, capacity, staff pools, figures and links to the full tables."""

    name: str
    summary: Table | None
    pools: Table | None
    figures: list[Figure]
    measures: Table | None = None
    departments: Table | None = None
    streets: Table | None = None
    capacity: Table | None = None
    links: list[Link] = field(default_factory=list)


def _pools_table(pools: pd.DataFrame, csv: Link | None) -> Table:
    pools = pools[pools["kind"] != "dispatch"] if len(pools) > 40 else pools
    show_cols = [c for c in ("pool", "kind", "staff", "served", "busy_hours", "utilisation")
                 if c in pools]
    p = pools[show_cols].copy()
    if "utilisation" in p:
        p["utilisation"] = p["utilisation"].map(lambda u: "–" if pd.isna(u) else f"{100 * u:.1f}%")
    for c in ("served", "busy_hours"):
        if c in p:
            p[c] = p[c].map(lambda v: f"{v:,.0f}")
    return table(p, numeric=("staff", "served", "busy_hours", "utilisation"), csv=csv)


@dataclass
class KeyResults:
    """What a reader looks for first: the study's main table (the comparison, the sweep, or a
    run's summary), Beijing's measures per scenario, and the study's own figures."""

    comparison: Table | None
    sweep: Table | None
    measures: Table | None
    figures: list[Figure]
    confidence: str
    baseline: str


def key_results(study: Study, root: Path) -> KeyResults:
    """The key results of a run, compare or sweep folder, tables linked from ``root``."""
    conf = study.manifest.get("confidence", study.runs[0].manifest.get("confidence", 0.95))
    has_table = study.table is not None and len(study.table) > 0
    comparison = (table(_comparison_display(study.table, conf),
                        csv=link(study.folder / "comparison.csv", root))
                  if study.kind == "compare" and has_table else None)
    sweep = (table(_sweep_display(study.table, list(study.manifest.get("vary", {}))),
                   csv=link(study.folder / "sweep.csv", root))
             if study.kind == "sweep" and has_table else None)
    context = CaptionContext(confidence=f"{conf:.0%}", baseline=study.runs[0].name,
                             x_key=next(iter(study.manifest.get("vary", {})), ""))
    figures = figures_in(study.folder, context, study.kind) if study.kind != "run" else []
    overview = _measures_overview(study.runs)
    measures_csv = (link(study.folder / "comparison.csv", root) if study.kind == "compare"
                    else link(study.runs[0].path / "summary.csv", root))
    return KeyResults(comparison, sweep,
                      table(overview, csv=measures_csv) if len(overview) else None,
                      figures, f"{conf:.0%}", study.runs[0].name)


def key_results_section(study: Study, root: Path) -> Markup:
    """The key results, at the top of the page (before the STRESS-DES sections)."""
    key = key_results(study, root)
    run = _run_results(study.runs[0], root, key.confidence) if study.kind == "run" else None
    return render("key_results.html.j2", kind=study.kind, key=key, run=run)


def results_section(study: Study, root: Path | None = None) -> Markup:
    """Section 7: the key results again in full context, then each scenario's tables and
    figures (folded, so the page stays readable with many scenarios), and Little's law."""
    root = root or study.folder
    key = key_results(study, root)
    runs = [_run_results(r, root, key.confidence)
            for r in (study.runs if study.kind != "sweep" else [])]
    little = _little_table(study.runs)
    return render("results.html.j2", kind=study.kind, key=key, runs=runs,
                  satisfaction=SatisfactionModel(),   # the model every run folder uses
                  little=table(little), little_source=[
                      x for x in (link(r.path / STUDY_FILES[2], root) for r in study.runs) if x])


def _optional(frame: pd.DataFrame | None, display, csv: Link | None, *args) -> Table | None:
    """``display(frame, *args)`` as a table; None where the file is missing or empty."""
    if frame is None or frame.empty:
        return None
    shown = display(frame, *args)
    return table(shown, csv=csv) if len(shown) else None


def _run_results(r: RunFolder, root: Path, confidence: str) -> _RunResults:
    def csv(name: str) -> Link | None:
        return link(r.path / name, root)

    context = CaptionContext(name=r.name, confidence=confidence)
    return _RunResults(
        r.name,
        table(summary_display(r.summary), csv=csv("summary.csv"))
        if r.summary is not None else None,
        _pools_table(r.pools, csv("pools.csv")) if r.pools is not None and len(r.pools)
        else None,
        figures_in(r.path, context),
        measures=_optional(r.summary, measures_display, csv("summary.csv"), "case_type"),
        departments=_optional(r.departments, unit_display, csv("departments.csv"),
                              "department"),
        streets=_optional(r.streets, unit_display, csv("streets.csv"), "street"),
        capacity=_optional(r.capacity, capacity_display, csv("capacity.csv")),
        links=[x for x in (csv(name) for name in LINKED_FILES) if x])
