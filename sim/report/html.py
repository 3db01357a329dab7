"""Turning report data into HTML: the jinja2 templates (autoescaping) and the shapes they render.

Escaping is by construction: no Python code of the report writes markup. The section modules
gather plain values (strings, numbers, ``Table``, ``Figure``, ``Segment`` lists) and hand them to
a template of ``sim/report/templates/``; jinja2 escapes every value it inserts, so a scenario,
case type or department called ``<script>…`` shows as text. The only strings inserted unescaped
are ``Markup`` objects, and those are the rendered sections themselves.

Figures are embedded as base64 PNGs, so the report is one self-contained file.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import quote

import jinja2
import pandas as pd
from markupsafe import Markup  # jinja2's own string type for markup (re-exported from here)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("sim.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt variable is an error, not an empty string
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context: Any) -> Markup:
    """Render a template of ``sim/report/templates/`` with ``context`` (every value escaped)."""
    return Markup(_ENV.get_template(template).render(**context))


class Segment(NamedTuple):
    """A piece of text and how it is highlighted: ``""`` plain, ``"src"`` a cited source,
    ``"assume"`` an ASSUMPTION, ``"ci"`` a confidence interval on a line of its own (the CSS
    classes of the style sheet)."""

    text: str
    kind: str = ""


# A cited source: [D§4] for the facts listed in docs/model.md, or a short bracketed reference such as
# [Pinggu 2017]; and the word ASSUMPTION.
_HIGHLIGHT = re.compile(r"(\[D§\d+\]|\[[A-Z][^\]]{0,40}\])|(ASSUMPTION)")


def tag_sources(comment: str) -> list[Segment]:
    """A scenario file's comment split into segments, cited sources and ASSUMPTIONs marked."""
    segments, last = [], 0
    for match in _HIGHLIGHT.finditer(comment):
        if match.start() > last:
            segments.append(Segment(comment[last:match.start()]))
        segments.append(Segment(match.group(), "src" if match.group(1) else "assume"))
        last = match.end()
    if last < len(comment):
        segments.append(Segment(comment[last:]))
    return segments


class Link(NamedTuple):
    """A file of the result folder: its name and its address relative to the report."""

    name: str
    href: str


def link(path: Path, root: Path) -> Link | None:
    """A link from a report in ``root`` to ``path`` (``None`` if there is no such file)."""
    if not path.exists():
        return None
    relative = Path(os.path.relpath(path, root)).as_posix()
    return Link(relative, quote(relative))


@dataclass(frozen=True)
class Table:
    """A table as the templates draw it: column names and rows of cells, each cell a string,
    or a list of ``Segment`` in a highlighted column; ``numeric`` columns are right-aligned;
    ``csv`` the file of the result folder it is read from, linked above it."""

    columns: list[str]
    rows: list[list[Any]]
    numeric: frozenset[str] = frozenset()
    csv: Link | None = None

    def __len__(self) -> int:
        return len(self.rows)


def table(frame: pd.DataFrame, numeric: Iterable[str] = (),
          highlighted: Iterable[str] = (), csv: Link | None = None) -> Table:
    """A DataFrame as a ``Table``: every cell as text; the cells of ``highlighted`` columns as
    segments with their sources and ASSUMPTIONs marked (see ``tag_sources``); a cell that is
    already a list of ``Segment`` as it is."""
    highlighted = set(highlighted)
    columns = [str(c) for c in frame.columns]
    rows = [[v if isinstance(v, list) else tag_sources(str(v)) if c in highlighted else str(v)
             for c, v in zip(columns, values, strict=True)]
            for values in frame.itertuples(index=False, name=None)]
    return Table(columns, rows, frozenset(str(c) for c in numeric), csv)


class Figure(NamedTuple):
    """An embedded image: its ``data:`` URI, its caption and a short name (the file's)."""

    src: str
    caption: str
    name: str = ""


def png_figure(path: Path, caption: str) -> Figure:
    """A PNG file as a ``Figure`` embedded in the page (base64 data URI)."""
    return Figure("data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii"),
                  caption, path.stem.replace("_", " "))
