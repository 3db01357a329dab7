"""Plain-text tables for the terminal."""

from __future__ import annotations

import math

import pandas as pd


def fmt(value: float, hw: float | None = None, pct: bool = False, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if pct:
        text = f"{100 * value:.{digits}f}%"
        if hw is not None and not math.isnan(hw):
            text += f" ±{100 * hw:.{digits}f}"
        return text
    if math.isinf(value):
        return "inf"
    text = f"{value:,.{digits}f}"
    if hw is not None and not math.isnan(hw):
        text += f" ±{hw:,.{digits}f}" if not math.isinf(hw) else " ±inf"
    return text


def summary_lines(summary: pd.DataFrame) -> list[str]:
    """The summary table as aligned text: one line per case type, ALL first; the display
    labels last (CJK labels are twice as wide as they count, so no column follows them)."""
    header = ["case type", "cases/rep", "resolved", "within deadline", "mean h", "p50 h", "p90 h",
              "p95 h"]
    labelled = "case_type_label" in summary.columns and bool(
        (summary["case_type_label"].astype(str) != summary["case_type"].astype(str)).any())
    rows = [header]
    for _, r in summary.iterrows():
        rows.append([
            str(r["case_type"]), fmt(r["n"], None, digits=0),
            fmt(r["resolved_share"], r["resolved_share_hw"], pct=True),
            fmt(r["deadline_met_share"], r["deadline_met_share_hw"], pct=True),
            fmt(r["mean_h"], r["mean_h_hw"]), fmt(r["p50_h"], r["p50_h_hw"]),
            fmt(r["p90_h"], r["p90_h_hw"]), fmt(r["p95_h"], r["p95_h_hw"]),
        ])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]
    if labelled:
        shown = ["label", *["" if str(r["case_type_label"]) == str(r["case_type"])
                            else str(r["case_type_label"]) for _, r in summary.iterrows()]]
        lines = [f"{line}  {label}".rstrip() for line, label in zip(lines, shown, strict=True)]
    return lines + measures_line(summary)


MEASURES_SHOWN = (("response_rate", "response"), ("resolution_rate", "resolution"),
                  ("satisfaction_rate", "satisfaction (assumed model)"),
                  ("reopen_rate", "reopen"))


def measures_line(summary: pd.DataFrame) -> list[str]:
    """Beijing's hotline measures of the ALL row, in one line (none when not computed)."""
    if "response_rate" not in summary.columns:
        return []
    row = summary[summary["case_type"] == "ALL"]
    if row.empty:
        return []
    r = row.iloc[0]
    parts = [f"{label} {fmt(r[m], r.get(f'{m}_hw'), pct=True)}" for m, label in MEASURES_SHOWN
             if m in r.index]
    return ["Beijing's measures (ALL): " + ", ".join(parts)]


# What a metric is called in a sentence, its unit, and how a difference is scaled for it.
_SENTENCE = {
    "resolved_share": ("share resolved", "points", 100),
    "deadline_met_share": ("share within deadline", "points", 100),
    "mean_h": ("mean response time", "h", 1),
    "p50_h": ("median response time", "h", 1),
    "p90_h": ("p90 response time", "h", 1),
    "p95_h": ("p95 response time", "h", 1),
    "censored": ("censored cases per replication", "", 1),
    "response_rate": ("response rate", "points", 100),
    "resolution_rate": ("resolution rate", "points", 100),
    "satisfaction_rate": ("satisfaction rate", "points", 100),
    "reopen_rate": ("reopen rate", "points", 100),
}


def _num(x: float) -> str:
    return f"{x:,.1f}"


def difference_sentence(row, confidence: float = 0.95) -> str:
    """One plain sentence for one row of the comparison table (a scenario against the first)."""
    what, unit, scale = _SENTENCE.get(row["metric"], (row["metric"], "", 1))
    unit_text = f" {unit}" if unit else ""
    level = f"{confidence:.0%} CI"
    name, base = row["scenario"], row["baseline"]
    d, lo, hi = (float(row[k]) * scale for k in ("diff", "diff_lo", "diff_hi"))
    if math.isnan(d):
        return f"{name}: {what} cannot be compared with {base} (infinite or missing values)"
    if math.isnan(lo):
        return (f"{name} changes {what} by {d:+,.1f}{unit_text} "
                f"(one replication: no confidence interval)")
    if d == 0 and lo == 0 and hi == 0:
        return f"{name}: same {what} as {base} in every replication"
    if lo <= 0 <= hi:
        return (f"{name}: no significant difference in {what} from {base} "
                f"({d:+,.1f}{unit_text}, {level} {_num(lo)} to {_num(hi)})")
    verb = "lowers" if d < 0 else "raises"
    a, b = sorted((abs(lo), abs(hi)))
    return f"{name} {verb} {what} by {_num(abs(d))}{unit_text} ({level} {_num(a)} to {_num(b)})"


COMPARED_SHOWN = ["deadline_met_share", "resolved_share", "mean_h", "p50_h", "p90_h", "p95_h",
                  "censored", "response_rate", "resolution_rate", "satisfaction_rate",
                  "reopen_rate"]
"""The metrics of the terminal's comparison table, in its order."""


def _signed(x: float) -> str:
    return f"{x:+,.1f}"


def _difference_cells(row, adjust: str) -> list[str]:
    """Δ, CI, p and significant of one comparison (a scenario against the first)."""
    _, unit, scale = _SENTENCE.get(row["metric"], (row["metric"], "", 1))
    unit_text = f" {unit}" if unit else ""
    d, lo, hi = (float(row[k]) * scale for k in ("diff", "diff_lo", "diff_hi"))
    if math.isnan(d):
        return ["-", "infinite or missing values", "-", "-"]
    if math.isnan(lo):
        return [_signed(d) + unit_text, "one replication: none", "-", "-"]
    p_raw = float(row.get("p_value", math.nan))
    if math.isnan(p_raw) and d == 0:   # a CI but no test: no difference in any replication
        return [_signed(d) + unit_text, "same in every replication", "-", "-"]
    if adjust == "bonferroni":
        lo, hi = (float(row[k]) * scale for k in ("diff_lo_adjusted", "diff_hi_adjusted"))
    p = float(row["p_adjusted"]) if adjust != "none" else p_raw
    significant = row["significant_adjusted"] if adjust != "none" else row["significant"]
    p_text = "-" if math.isnan(p) else ("<0.001" if p < 0.001 else f"{p:.3f}")
    return [_signed(d) + unit_text, f"[{_signed(lo)}, {_signed(hi)}]", p_text,
            "yes" if significant else "no"]


def difference_table_lines(table: pd.DataFrame, confidence: float = 0.95,
                           adjust: str = "none", case_type: str = "ALL",
                           metrics: list[str] | None = None) -> list[str]:
    """The paired differences to the first scenario as an aligned table (one case type): one
    row per metric and scenario, with the difference, its CI, the paired t-test's p-value and
    whether it is significant; adjusted (p, and Bonferroni's CI) when ``adjust`` is given."""
    metrics = metrics or COMPARED_SHOWN
    sub = table[(table["case_type"] == case_type) & (table["scenario"] != table["baseline"])]
    level = f"{confidence:.0%} CI"
    if adjust == "bonferroni":
        level += " (simultaneous)"
    p_head = "p" if adjust == "none" else f"p ({adjust})"
    rows = [["metric", "scenario", "Δ", level, p_head, "significant"]]
    for metric in metrics:
        for _, row in sub[sub["metric"] == metric].iterrows():
            if metric == "censored" and row["value"] == 0 and row["diff"] == 0:
                continue  # nothing censored in either: not worth a line
            what = _SENTENCE.get(metric, (metric, "", 1))[0]
            rows.append([what, str(row["scenario"]),
                         *_difference_cells(row, adjust)])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in
                      enumerate(zip(r, widths, strict=True))).rstrip() for r in rows]


def family_line(table: pd.DataFrame, confidence: float = 0.95, adjust: str = "none",
                case_type: str = "ALL") -> str | None:
    """What a reader must know when several comparisons are made at once (None for one)."""
    sub = table[(table["case_type"] == case_type) & (table["scenario"] != table["baseline"])]
    m = int(sub["p_value"].notna().sum()) if "p_value" in sub else 0
    if m < 2:
        return None
    scenarios = sub.loc[sub["p_value"].notna(), "scenario"].nunique()
    metrics = sub.loc[sub["p_value"].notna(), "metric"].nunique()
    alpha = 1 - confidence
    what = (f"{m} comparisons at once ({metrics} metric{'s' * (metrics > 1)}, {scenarios} "
            f"scenario{'s' * (scenarios > 1)} against {sub['baseline'].iloc[0]})")
    if adjust == "holm":
        return (f"{what}, Holm step-down: the chance of any false 'significant' among them is "
                f"at most {alpha:.0%} (CIs unadjusted)")
    if adjust == "bonferroni":
        return (f"{what}, Bonferroni: each CI at {1 - alpha / m:.2%}, all {m} together at "
                f"{confidence:.0%}; the chance of any false 'significant' is at most "
                f"{alpha:.0%}")
    return (f"{what}, none adjusted: at {confidence:.0%} each, about {m * alpha:.1f} may be "
            f"'significant' by chance alone; --adjust holm keeps the chance of any false "
            f"'significant' (the family-wise error) at {alpha:.0%}")


def comparison_value_lines(table: pd.DataFrame, case_type: str = "ALL") -> list[str]:
    """Each scenario's values side by side (ALL): the table a comparison prints first."""
    sub = table[table["case_type"] == case_type]
    names = list(dict.fromkeys(sub["scenario"]))
    metrics = ["deadline_met_share", "resolved_share", "mean_h", "p50_h", "p90_h", "p95_h",
               "response_rate", "resolution_rate", "satisfaction_rate", "reopen_rate"]
    header = ["metric", *names]
    rows = [header]
    for metric in metrics:
        what, _, _ = _SENTENCE[metric]
        share = metric.endswith(("share", "rate"))
        cells = [what + ("" if share else " (h)")]
        for name in names:
            r = sub[(sub["scenario"] == name) & (sub["metric"] == metric)]
            if r.empty:
                cells.append("-")
                continue
            r = r.iloc[0]
            cells.append(fmt(r["value"], r["value_hw"], pct=share))
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(row, widths, strict=True))) for row in rows]
    return lines
