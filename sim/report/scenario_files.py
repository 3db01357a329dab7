"""Finding the YAML file each scenario of a result folder was loaded from.

The manifests hold the resolved scenarios but not their comments; those are only in the YAML
files, which have to be found again (see ``find_scenario_files``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sim.report.folders import Study
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_raw

# The project folder (this file is sim/report/scenario_files.py); its scenarios/ are the
# bundled scenario files.
_PROJECT = Path(__file__).resolve().parents[2]


def _scenario_name(path: Path) -> str | None:
    """The ``name`` a scenario file resolves to (its own, or the one it inherits through
    ``extends``). The loader follows the chain, so a cycle or a missing parent is a
    ``ScenarioError``, never an endless walk."""

    name = load_raw(path)[0].get("name")
    return name if isinstance(name, str) else None


def find_scenario_files(study: Study, extra: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Scenario name -> the YAML file it was loaded from, when it can be found.

    Candidates are ``extra``, the ``.yaml`` arguments of the recorded command (tried as given,
    relative to the result folder and its parents, and in the bundled ``scenarios/``), then every
    file of ``./scenarios/`` and the bundled ``scenarios/``. A file counts only if its ``name``
    matches a scenario of the study; ``data_section`` then checks that it resolves to the
    scenario that was run.

    A file of ``extra`` was named by the user, so one that is missing or cannot be read (bad
    YAML, ``extends`` in a cycle or to a missing file) is a ``ScenarioError``; any other
    candidate that cannot be read is passed over.
    """

    given = [Path(a) for a in extra]
    for p in given:
        if not p.is_file():
            raise ScenarioError([Problem(str(p), "", "file not found (--scenario-file)")])
        _scenario_name(p)
    args = [str(p) for p in given]
    for m in [study.manifest, *[r.manifest for r in study.runs]]:
        args += [a for a in m.get("command") or [] if str(a).endswith((".yaml", ".yml"))]
    # Then any scenario file of the current and the bundled scenarios folders, by name.
    for folder in (Path.cwd() / "scenarios", _PROJECT / "scenarios"):
        args += sorted(str(p) for p in folder.glob("*.yaml"))
    roots = [Path.cwd(), study.folder, *study.folder.resolve().parents, _PROJECT]
    wanted = {r.name for r in study.runs} | {study.manifest.get("base", "")}
    found: dict[str, Path] = {}
    for arg in dict.fromkeys(args):
        p = Path(arg)
        options = [p] if p.is_absolute() else [root / p for root in roots]
        options.append(_PROJECT / "scenarios" / p.name)
        for option in options:
            if not option.is_file():
                continue
            try:
                name = _scenario_name(option)
            except ScenarioError:
                continue
            if name in wanted and name not in found:
                found[name] = option
                break
    return found
