"""A plain report page of titled sections (paragraphs, tables, figures), for the folders whose
report is a summary rather than the seven STRESS-DES sections: ``govsim city`` and ``govsim
ablate`` (see ``city_page`` and ``ablation_page``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.report.html import Figure, Link, Table, render


@dataclass
class Titled:
    """A table with its heading."""

    title: str
    table: Table


@dataclass
class PageSection:
    """One section of a page: its anchor, heading, paragraphs (plain text), tables, figures
    and links to files of the folder."""

    anchor: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Titled] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def render_page(title: str, folder: str, sections: list[PageSection]) -> str:
    """The HTML page (every value escaped by the template)."""
    return str(render("page.html.j2", title=title, folder=folder, sections=sections))


def implementation_rows(manifest: dict) -> list[tuple[str, str]]:
    """Command, git commit, backend, wall time and package versions of a manifest."""
    timings = manifest.get("timings") or {}
    wall = timings.get("wall_s", timings.get("total_wall_s"))
    rows = [("command", " ".join(str(a) for a in manifest.get("command") or [])),
            ("git commit", str(manifest.get("git_commit") or "unknown")),
            ("backend / workers", f"{manifest.get('backend', '?')} / "
                                  f"{manifest.get('workers') or 'default'}"),
            ("wall time", f"{wall:.1f} s" if isinstance(wall, int | float) else "–")]
    rows += [(f"version: {k}", str(v)) for k, v in (manifest.get("versions") or {}).items()]
    return rows
