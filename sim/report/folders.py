"""Reading a result folder: a run, compare or sweep folder and the run folders inside it.

Layouts (as ``govsim run``, ``compare`` and ``sweep`` write them):

run      ``cases.parquet summary.csv pools.csv manifest.json figures/``, and the tables of
         Beijing's measures per unit and of capacity, ``streets.csv departments.csv
         backlog.csv capacity.csv`` (absent from folders written before them: ``None``)
compare  ``comparison.csv figures/ manifest.json{"kind": "compare"}`` and one run folder per
         scenario, ``DIR/<scenario name>/`` (the name made safe by ``safe_component``)
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
from sim.scenario.paths import is_single_component, safe_component
from sim.scenario.schema import Scenario


@dataclass
class RunFolder:
    """One scenario's run folder."""

    path: Path
    manifest: dict
    scenario: Scenario
    summary: pd.DataFrame | None
    pools: pd.DataFrame | None
    streets: pd.DataFrame | None = None
    departments: pd.DataFrame | None = None
    capacity: pd.DataFrame | None = None

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


class NotAResultFolder(ValueError):
    """A folder (or a manifest in it) that is not a readable govsim result."""


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotAResultFolder(f"{path}: damaged or unreadable ({type(exc).__name__}); rerun "
                               "the command that wrote it") from None
    if not isinstance(value, dict):
        raise NotAResultFolder(f"{path}: not a govsim manifest (a JSON object is expected)")
    return value


def _sub_folder(folder: Path, *parts: str) -> Path:
    """``folder/parts...``, refusing a part (read from a manifest) that would leave it."""
    for part in parts:
        if not isinstance(part, str) or not is_single_component(part):
            raise NotAResultFolder(f"{folder / 'manifest.json'}: {part!r} is not a folder name "
                                   "inside the result folder")
    return folder.joinpath(*parts)


UNIT_TABLES = ("streets", "departments", "capacity")
"""The per-unit tables a report shows (``backlog.csv`` is shown by its figure)."""


NAME_COLUMNS = ("scenario", "street", "department", "unit")


def _read_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.exists() else None


def _read_unit_table(path: Path) -> pd.DataFrame | None:
    """A per-unit table with its names read as text (a street called "1", "NA" or "" is a
    name, not a number or a gap) and every other column as numbers."""
    if not path.exists():
        return None
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame.assign(**{c: pd.to_numeric(frame[c], errors="coerce")
                           for c in frame.columns if c not in NAME_COLUMNS})


def recorded_overrides(manifest: dict) -> list[str]:
    """The ``--set KEY=VALUE`` overrides of the command a manifest records, in order
    (``--set X`` and ``--set=X`` alike): what the run changed on top of its scenario files."""
    command = [str(a) for a in manifest.get("command") or []]
    out = []
    for i, arg in enumerate(command):
        if arg == "--set" and i + 1 < len(command):
            out.append(command[i + 1])
        elif arg.startswith("--set="):
            out.append(arg.removeprefix("--set="))
    return out


def read_run(path: Path) -> RunFolder:
    if not (path / "manifest.json").exists():
        raise FileNotFoundError(f"{path} has no manifest.json: not a govsim run folder")
    manifest = _read_json(path / "manifest.json")
    if not isinstance(manifest.get("scenario"), dict):
        raise NotAResultFolder(f"{path / 'manifest.json'}: scenario: missing; not a run's "
                               "manifest")
    scenario = scenario_from_dict(manifest["scenario"], source=str(path / "manifest.json"))
    units = {name: _read_unit_table(path / f"{name}.csv") for name in UNIT_TABLES}
    return RunFolder(path, manifest, scenario, _read_csv(path / "summary.csv"),
                     _read_csv(path / "pools.csv"), **units)


def read_study(folder: str | Path) -> Study:
    """Recognise and read a run, compare or sweep folder."""
    folder = Path(folder)
    if not (folder / "manifest.json").exists():
        raise FileNotFoundError(f"{folder} has no manifest.json: not a govsim result folder")
    manifest = _read_json(folder / "manifest.json")
    kind = manifest.get("kind", "run")
    if kind == "compare":
        runs = [read_run(folder / safe_component(str(name)))
                for name in manifest.get("scenarios", [])]
        return Study(folder, kind, manifest, runs, _read_csv(folder / "comparison.csv"))
    if kind == "sweep":
        runs = [read_run(_sub_folder(folder, "points", p.get("id") if isinstance(p, dict)
                                     else p)) for p in manifest.get("points", [])]
        return Study(folder, kind, manifest, runs, _read_csv(folder / "sweep.csv"))
    return Study(folder, "run", manifest, [read_run(folder)])
