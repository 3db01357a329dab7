"""The report of a ``govsim city`` folder: the city-wide results by case type, every district
(ALL case types), how the districts were set up, the figures, and how it was run.

A city folder holds no per-district run folders (its cases are one partitioned dataset), so
the report reads ``summary.csv`` (scope = the city or a district) and the manifest."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.summary import ALL
from sim.report.captions import CaptionContext
from sim.report.html import link, table
from sim.report.page import PageSection, Titled, implementation_rows, render_page
from sim.report.results import figures_in, summary_display


def is_city_manifest(manifest: dict) -> bool:
    """``govsim city`` writes no ``kind``: its manifest names the city and its districts."""
    return "kind" not in manifest and "city" in manifest and isinstance(
        manifest.get("districts"), dict)


def _summary(folder: Path) -> pd.DataFrame:
    """``summary.csv`` with its scope and case type read as text (a district called "7")."""
    return pd.read_csv(folder / "summary.csv", dtype={"scope": str, "case_type": str})


def city_report(folder: Path, manifest: dict, root: Path) -> str:
    """The HTML page of a city folder; links are relative to ``root`` (where it is written)."""
    name = str(manifest.get("city", ""))
    districts: dict = manifest["districts"]
    conf = manifest.get("confidence", 0.95)
    csv = link(folder / "summary.csv", root)
    summary = _summary(folder) if (folder / "summary.csv").exists() else None
    tables = []
    if summary is not None:
        city = summary[~summary["scope"].isin(list(districts))]
        tables.append(Titled("City-wide, by case type", table(summary_display(city), csv=csv)))
        per_district = summary[summary["scope"].isin(list(districts))
                               & (summary["case_type"] == ALL)]
        shown = summary_display(per_district.assign(case_type=per_district["scope"]))
        tables.append(Titled("Each district (all case types)",
                             table(shown.rename(columns={"case type": "district"}), csv=csv)))
    setup = pd.DataFrame([{"district": d, "streets": str(v.get("streets", "")),
                           "expected cases per replication": f"{v.get('expected_cases', 0):,.0f}",
                           "seed": str(v.get("seed", "")), "cases folder": str(v.get("folder", ""))}
                          for d, v in districts.items() if isinstance(v, dict)])
    pools = link(folder / "pools.csv", root)
    sections = [
        PageSection("objectives", "Objectives", [
            f"Response times of the whole city {name}: {len(districts)} districts, each an "
            "independent simulation of its streets (the district scenario scaled to its volume), "
            "run in parallel; the city-wide statistics merge every district's cases.",
            f"City file: {manifest.get('city_file', '?')}; overrides: "
            f"{', '.join(manifest.get('overrides') or []) or 'none'}; "
            f"{manifest.get('replications', '?')} replication(s), seed "
            f"{manifest.get('seed', '?')} (each district's seed: "
            f"{manifest.get('district_seed_rule', '?')}).",
            f"Means across replications with {conf:.0%} confidence half-widths (±); quantiles "
            f"{manifest.get('quantiles', '')}."]),
        PageSection("results", "Results", tables=tables, figures=figures_in(
            folder, CaptionContext(name=name, confidence=f"{conf:.0%}"), "city")),
        PageSection("districts", "Districts",
                    tables=[Titled("How each district was set up", table(setup))],
                    links=[x for x in (pools, csv) if x]),
        PageSection("implementation", "Implementation", tables=[Titled("Run", table(
            pd.DataFrame(implementation_rows(manifest), columns=["item", "value"])))]),
    ]
    return render_page(f"City: {name}", str(folder), sections)
