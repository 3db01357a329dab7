"""Reading a result folder: a run, compare or sweep folder and the run folders inside it.

Layouts (as ``govsim run``, ``compare`` and ``sweep`` write them):

run      ``cases.parquet summary.csv pools.csv manifest.json figures/``
compare  ``comparison.csv figures/ manifest.json{"kind": "compare"}`` and one run folder per
         scenario, ``DIR/<scenario name>/``
sweep    ``sweep.csv figures/ manifest.json{"kind": "sweep"}`` and ``points/<id>/`` run folders

Each run folder's ``manifest.json`` holds its resolved scenario, so the report describes exactly
what was simulated, whatever has happened to the YAML files since.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.scenario.loader import scenario_from_dict
from sim.scenario.schema import Scenario


@dataclass
class RunFolder:
    """One scenario's run folder."""

    path: Path
    manifest: dict
    scenario: Scenario
    summary: pd.DataFrame | None
    pools: pd.DataFrame | None

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass
class Study:
    """What a report is made of: the kind of folder, its manifest and its run folders."""

    folder: Path
    kind: str  # run, compare or sweep
    manifest: dict
    runs: list[RunFolder]
    table: pd.DataFrame | None = None  # comparison.csv or sweep.csv
    scenario_files: dict[str, list[Path]] = field(default_factory=dict)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def read_run(path: Path) -> RunFolder:
    manifest = _read_json(path / "manifest.json")
    scenario = scenario_from_dict(manifest["scenario"], source=str(path / "manifest.json"))
    return RunFolder(path, manifest, scenario, _read_csv(path / "summary.csv"),
                     _read_csv(path / "pools.csv"))


def read_study(folder: str | Path) -> Study:
    """Recognise and read a run, compare or sweep folder."""
    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise FileNotFoundError(f"{folder} has no manifest.json: not a govsim result folder")
    manifest = _read_json(folder / "manifest.json")
    kind = manifest.get("kind", "run")
    if kind == "compare":
        runs = []
        for name in manifest.get("scenarios", []):
            sub = folder / name
            if not (sub / "manifest.json").exists():
                sub = Path(manifest.get("folders", {}).get(name, sub))
            runs.append(read_run(sub))
        return Study(folder, kind, manifest, runs, _read_csv(folder / "comparison.csv"))
    if kind == "sweep":
        runs = [read_run(folder / "points" / p["id"]) for p in manifest.get("points", [])]
        return Study(folder, kind, manifest, runs, _read_csv(folder / "sweep.csv"))
    return Study(folder, "run", manifest, [read_run(folder)])
