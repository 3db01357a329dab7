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
    """The summary table as aligned text: one line per case type, ALL first."""
    header = ["case type", "cases/rep", "resolved", "within deadline", "mean h", "p50 h", "p90 h",
              "p95 h"]
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
    return ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                      enumerate(zip(row, widths, strict=True))) for row in rows]
