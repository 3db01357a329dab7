"""Section 7 of STRESS-DES: results, as ``value ± half-width`` tables, figures, pool
utilisation and the Little's-law check."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.diff import show
from sim.report.folders import RunFolder, Study
from sim.report.html import esc, figure_html, html_table, section


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


def _figures_in(folder: Path, label: str) -> list[str]:
    figs = sorted((folder / "figures").glob("*.png")) if (folder / "figures").exists() else []
    return [figure_html(p, f"{label}: {p.stem.replace('_', ' ')}") for p in figs]


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


def results_section(study: Study) -> str:
    conf = study.manifest.get("confidence", study.runs[0].manifest.get("confidence", 0.95))
    parts = [f"<p>Means across replications with {conf:.0%} confidence half-widths (±). "
             "Warm-up cases are left out; censored cases count as infinitely long in the "
             "quantiles.</p>"]
    if study.kind == "compare" and study.table is not None and len(study.table):
        parts.append("<h3>Comparison (all case types)</h3><p>Δ: paired difference to "
                     f"<b>{esc(study.runs[0].name)}</b> with its {conf:.0%} CI in brackets; an "
                     "interval that excludes 0 is a difference beyond the simulation noise.</p>")
        parts.append(html_table(_comparison_display(study.table, conf)))
        parts += _figures_in(study.folder, "comparison")
    if study.kind == "sweep" and study.table is not None and len(study.table):
        keys = list(study.manifest.get("vary", {}))
        parts.append("<h3>Sweep (all case types)</h3>"
                     + html_table(_sweep_display(study.table, keys)))
        parts += _figures_in(study.folder, "sweep")
    runs = study.runs if study.kind != "sweep" else []
    for r in runs:
        parts.append(f"<h3>{esc(r.name)}</h3>")
        if r.summary is not None:
            parts.append(html_table(summary_display(r.summary)))
        if r.pools is not None and len(r.pools):
            pools = r.pools.copy()
            pools = pools[pools["kind"] != "dispatch"] if len(pools) > 40 else pools
            show_cols = [c for c in ("pool", "kind", "staff", "served", "busy_hours",
                                     "utilisation") if c in pools]
            p = pools[show_cols].copy()
            if "utilisation" in p:
                p["utilisation"] = p["utilisation"].map(
                    lambda u: "–" if pd.isna(u) else f"{100 * u:.1f}%")
            for c in ("served", "busy_hours"):
                if c in p:
                    p[c] = p[c].map(lambda v: f"{v:,.0f}")
            parts.append(f"<details><summary>Staff pools ({len(p)}): utilisation</summary>"
                         + html_table(p, numeric=("staff", "served", "busy_hours",
                                                  "utilisation")) + "</details>")
        parts += _figures_in(r.path, r.name)
    little = _little_table(study.runs)
    if len(little):
        parts.append("<h3>Little's law (L = λW), from the timestamps</h3><p>L is the "
                     "time-average number of cases in the system over the window, λW the rate "
                     "of reports times their mean stay (truncated at the window's end); they "
                     "differ only by the cases already present when the window opens.</p>"
                     + html_table(little))
    return section("results", "7. Results", "".join(parts))
