"""The calibrated scenario, written as a YAML file a researcher can read and run.

When the fitted scenario came from a file, that file is kept as it was, its comments included
(the ``ASSUMPTION`` marks of ``govsim calibrate build`` among them), with only the fitted values
changed, each followed by a comment saying what was fitted, within which bounds, and with what
loss (ruamel.yaml's round trip). An ``extends`` path is rewritten to point at the same parent
from the new file's folder.

The written file is then loaded back and must resolve to exactly the calibrated candidate; if it
does not (e.g. the fit ran with ``--set`` overrides the file lacks), the resolved scenario is
written instead, with the same comments, so the file always runs the calibrated scenario.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.calibration.space import Parameter
from sim.experiment.files import atomic_write_bytes
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, resolved_dict
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.calibration.fit import FitResult


def fitted_keys(res: FitResult) -> dict[str, list[Parameter]]:
    """Each key path of the calibrated scenario a fit set -> the parameters that set it (a
    joint case type's ``work`` is set by each of its departments' ``work`` parameters)."""
    data = resolved_dict(res.calibrated)
    keys: dict[str, list[Parameter]] = {}
    for p in res.params:
        if p.group == "staff":
            paths = [f"departments.{p.department}.staff"]
        elif p.group == "work":
            paths = [f"case_types.{k}.work" for k, ct in data["case_types"].items()
                     if p.department in ct["departments"]]
        elif p.group == "referral_delay":
            paths = ["referral.admin_delay_working_days"]
        elif p.group == "admin_closure":
            paths = [f"case_types.{k}.on_spot_share" for k, ct in data["case_types"].items()
                     if ct["departments"][:1] == [p.department]]
        else:
            paths = [f"case_types.{k}.{p.group}" for k in data["case_types"]]
        for path in paths:
            keys.setdefault(path, []).append(p)
    return keys


def comment(res: FitResult, params: list[Parameter], evaluations: int) -> str:
    """What was fitted for one key, with the department's KS distance where it has one."""
    ks = dict(zip(res.distances["department"], res.distances["ks"], strict=True))
    parts = []
    for p in params:
        text = p.describe(res.best_values[p.name])
        if p.department in ks:
            text += f", KS of {p.department} {ks[p.department]:.3f}"
        parts.append(text)
    return (f"fitted: {'; '.join(parts)}; loss {res.best_loss:.4f} (weighted KS, best of "
            f"{evaluations} evaluations)")


def _plain(value: Any) -> Any:
    """Resolved values without the unset (None) fields of distributions."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _flow(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if isinstance(value, dict):
        node = CommentedMap({k: _flow(v) for k, v in value.items()})
        if all(not isinstance(v, dict) for v in value.values()):
            node.fa.set_flow_style()
        return node
    return value


def _set(data: Any, path: str, value: Any, note: str) -> None:
    from ruamel.yaml.comments import CommentedMap

    *parents, last = path.split(".")
    node = data
    for part in parents:
        if part not in node or node[part] is None:
            node[part] = CommentedMap()
        node = node[part]
    node[last] = _flow(value)
    node.yaml_add_eol_comment(note, last)


def _dump(data: Any) -> str:
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.width = 200
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def _header(res: FitResult, evaluations: int) -> str:
    return (f"# Calibrated by govsim calibrate fit: {evaluations} evaluations, loss "
            f"{res.best_loss:.4f}\n# (count-weighted censoring-aware KS over departments); "
            "see trace.csv, distances.csv and the figures next to this file.\n")


def round_trip(source: Path, target: Path, res: FitResult, evaluations: int) -> str:
    """The text of ``source`` with the fitted values set and commented."""
    from ruamel.yaml import YAML

    data = YAML().load(Path(source).read_text(encoding="utf-8"))
    resolved = resolved_dict(res.calibrated)
    for path, params in fitted_keys(res).items():
        _set(data, path, _plain(_at(resolved, path)), comment(res, params, evaluations))
    parent = data.get("extends") if hasattr(data, "get") else None
    if isinstance(parent, str):
        data["extends"] = os.path.relpath(Path(source).resolve().parent / parent,
                                          Path(target).resolve().parent)
    return _header(res, evaluations) + _dump(data)


def resolved_text(res: FitResult, evaluations: int) -> str:
    """The resolved calibrated scenario, fitted values commented."""
    from ruamel.yaml.comments import CommentedMap

    data = _to_commented(_plain(resolved_dict(res.calibrated)))
    for path, params in fitted_keys(res).items():
        _set(data, path, _plain(_at(resolved_dict(res.calibrated), path)),
             comment(res, params, evaluations))
    assert isinstance(data, CommentedMap)
    return (_header(res, evaluations) + "# Written resolved (every value explicit): the "
            "scenario file could not be kept as it was.\n" + _dump(data))


def _to_commented(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if isinstance(value, dict):
        return CommentedMap({k: _to_commented(v) for k, v in value.items()})
    return value


def _at(data: dict, path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _resolves_to(path: Path, scenario: Scenario) -> bool:
    try:
        return resolved_dict(load_scenario(path)) == resolved_dict(scenario)
    except (ScenarioError, OSError):
        return False


def write_calibrated(path: Path, res: FitResult, evaluations: int,
                     source: Path | None = None) -> Path:
    """Write the calibrated scenario to ``path`` (see the module); return ``path``."""
    path = Path(path)
    if source is not None:
        atomic_write_bytes(path, round_trip(source, path, res, evaluations).encode())
        if _resolves_to(path, res.calibrated):
            return path
    atomic_write_bytes(path, resolved_text(res, evaluations).encode())
    if not _resolves_to(path, res.calibrated):
        raise RuntimeError(f"{path}: the written scenario does not resolve to the calibrated "
                           "one (a bug: please report it)")
    return path
