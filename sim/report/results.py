"""Section 7 of STRESS-DES: results, as ``value ± half-width`` tables, figures, pool
utilisation and the Little's-law check."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.report.folders import RunFolder, Study
from sim.report.html import Figure, Markup, Table, png_figure, render, table
from sim.scenario.diff import show


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


_PCT_METRICS = {"resolved_share", "deadline_met_share"}


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary.csv`` as a table of ``value ± half-width`` strings."""
    from sim.analysis.summary import METRIC_LABELS, METRICS

    rows = []
    for _, r in summary.iterrows():
        row = {"case type": r["case_type"]}
        for m in METRICS:
            if m not in r:
                continue
            digits = 0 if m in ("n", "censored") else 1
            row[METRIC_LABELS.get(m, m)] = fmt_ci(r[m], r.get(f"{m}_hw"), digits,
                                                  m in _PCT_METRICS)
        rows.append(row)
    return pd.DataFrame(rows)


def _comparison_display(table: pd.DataFrame, confidence: float) -> pd.DataFrame:
    from sim.analysis.summary import METRIC_LABELS

    data = table[table["case_type"] == "ALL"]
    rows = []
    for metric, g in data.groupby("metric", sort=False):
        pct = metric in _PCT_METRICS
        digits = 0 if metric in ("n", "censored") else 1
        row = {"metric": METRIC_LABELS.get(metric, metric)}
        for _, r in g.iterrows():
            row[str(r["scenario"])] = fmt_ci(r["value"], r.get("value_hw"), digits, pct)
            if r["scenario"] != r.get("baseline", None):
                lo, hi = r.get("diff_lo"), r.get("diff_hi")
                scale = 100 if pct else 1
                row[f"Δ {r['scenario']}"] = (
                    f"{r['diff'] * scale:+,.{digits}f} [{lo * scale:,.{digits}f}, "
                    f"{hi * scale:,.{digits}f}]" if pd.notna(r.get("diff")) and pd.notna(lo)
                    else "–")
        rows.append(row)
    return pd.DataFrame(rows)


def _sweep_display(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    from sim.analysis.summary import METRIC_LABELS

    data = table[table["case_type"] == "ALL"]
    rows = []
    for _, g in data.groupby("point", sort=False):
        row = {k: g[k].iloc[0] for k in keys if k in g}
        for _, r in g.iterrows():
            m = r["metric"]
            if m in ("n", "censored"):
                continue
            row[METRIC_LABELS.get(m, m)] = fmt_ci(r["value"], r.get("value_hw"), 1,
                                                  m in _PCT_METRICS)
        rows.append(row)
    return pd.DataFrame(rows)


def _figures_in(folder: Path, label: str) -> list[Figure]:
    figs = sorted((folder / "figures").glob("*.png")) if (folder / "figures").exists() else []
    return [png_figure(p, f"{label}: {p.stem.replace('_', ' ')}") for p in figs]


def _little_table(runs: list[RunFolder]) -> pd.DataFrame:
    rows = []
    for r in runs:
        little = r.manifest.get("littles_law") or {}
        if "L" in little:
            rows.append({"scenario": r.name, "L (time-average in system)": f"{little['L']:.2f}",
                         "λW (reported rate × mean stay)": f"{little['lambda_W']:.2f}",
                         "largest relative gap (edge effects)": f"{little.get('max_rel_gap', float('nan')):.2%}",
                         "exact identity, largest error": f"{little.get('max_identity_gap', float('nan')):.1e}",
                         "window (h)": show(little.get("window"))})
    return pd.DataFrame(rows)


@dataclass
class _RunResults:
    """One scenario's results: its summary table, staff pools and figures."""

    name: str
    summary: Table | None
    pools: Table | None
    figures: list[Figure]


def _pools_table(pools: pd.DataFrame) -> Table:
    pools = pools[pools["kind"] != "dispatch"] if len(pools) > 40 else pools
    show_cols = [c for c in ("pool", "kind", "staff", "served", "busy_hours", "utilisation")
                 if c in pools]
    p = pools[show_cols].copy()
    if "utilisation" in p:
        p["utilisation"] = p["utilisation"].map(lambda u: "–" if pd.isna(u) else f"{100 * u:.1f}%")
    for c in ("served", "busy_hours"):
        if c in p:
            p[c] = p[c].map(lambda v: f"{v:,.0f}")
    return table(p, numeric=("staff", "served", "busy_hours", "utilisation"))


def results_section(study: Study) -> Markup:
    conf = study.manifest.get("confidence", study.runs[0].manifest.get("confidence", 0.95))
    has_table = study.table is not None and len(study.table) > 0
    comparison = (table(_comparison_display(study.table, conf))
                  if study.kind == "compare" and has_table else None)
    sweep = (table(_sweep_display(study.table, list(study.manifest.get("vary", {}))))
             if study.kind == "sweep" and has_table else None)
    study_figures = (_figures_in(study.folder, "comparison" if comparison is not None else "sweep")
                     if comparison is not None or sweep is not None else [])
    runs = [_RunResults(r.name, table(summary_display(r.summary)) if r.summary is not None
                        else None,
                        _pools_table(r.pools) if r.pools is not None and len(r.pools) else None,
                        _figures_in(r.path, r.name))
            for r in (study.runs if study.kind != "sweep" else [])]
    return render("results.html.j2", confidence=f"{conf:.0%}", baseline=study.runs[0].name,
                  comparison=comparison, sweep=sweep, study_figures=study_figures, runs=runs,
                  little=table(_little_table(study.runs)))
