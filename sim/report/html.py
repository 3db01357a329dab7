"""HTML building blocks: the inline style sheet, escaping, tables, embedded figures, sections.

Everything the report shows goes through ``esc`` (or a ``markup`` function of ``html_table``
that escapes what it does not mark up), and figures are embedded as base64 PNGs, so the report
is one self-contained file.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans CJK SC",sans-serif;
 max-width:1180px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{border-bottom:2px solid #4477aa;padding-bottom:.2em;
 margin-top:2em}h3{margin-top:1.4em}
table{border-collapse:collapse;margin:.6em 0;font-size:.86em}
th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef2f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:.85em;color:#555}
.src{color:#1a6b2e}.assume{color:#a0522d}.muted{color:#666;font-size:.9em}
code{background:#f4f4f4;padding:0 3px}details{margin:.5em 0}
nav ol{columns:2}
"""


def esc(value: Any) -> str:
    """Any value as HTML text (quotes escaped too, so it is safe in attributes)."""
    return html.escape(str(value), quote=True)


def html_table(frame: pd.DataFrame, numeric: Iterable[str] = (),
               markup: dict | None = None) -> str:
    """A DataFrame as an HTML table; cell text is escaped, except that a column in ``markup``
    is rendered by its function (which must escape what it does not mark up)."""
    numeric, markup = set(numeric), markup or {}
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for _, r in frame.iterrows():
        cells = "".join(
            f"<td>{markup[c](v)}</td>" if c in markup else
            f'<td class="num">{esc(v)}</td>' if c in numeric else f"<td>{esc(v)}</td>"
            for c, v in r.items())
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def figure_html(path: Path, caption: str) -> str:
    """A PNG file embedded as a base64 data URI, with its caption."""
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def section(anchor: str, title: str, body: str) -> str:
    """A report section: ``anchor`` is its id (the table of contents links to it)."""
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>'
