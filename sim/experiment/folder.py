"""The output folder guard, shared by run, compare, sweep, warmup and city.

Every folder govsim writes holds ``govsim.json``: which kind of experiment it is (``run``,
``compare``, ``sweep``, ``city``), the experiment's *identity* (everything that decides its
numbers: the resolved scenario, the seed, the model code) and a short hash of it, the *key*.
``claim`` is the only way into a folder:

- a folder that does not exist, or is empty, is created and marked;
- a folder marked with the same kind and key is resumed (its finished replications reused);
- a folder marked with another kind or key is refused (``OutputConflict``) with the key paths
  whose values differ, unless ``force``, which clears what govsim wrote there;
- a folder holding files govsim did not write (no ``govsim.json``, or another program's file
  of that name) is refused even with ``force``: govsim never writes into, or clears, a folder
  it did not create; a damaged ``govsim.json`` is replaced with ``force`` only where govsim's
  own results (sealed replications, city parts, a govsim manifest) show the folder is its own;
- ``force`` removes only what govsim writes (``names.GOVSIM_ENTRIES``, its run sub-folders,
  its temporary files); a file of the user's own in the folder stays;
- a file where the folder should be, or a folder that cannot be written, is an ``OutputError``.

Settings that only change the analysis of the replications (``ANALYSIS_ONLY``) are left out of
the identity, so changing them (``reform.whistle.report_within``, the confidence level, which is
not part of a scenario at all) reuses every finished replication.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from sim.experiment.files import OutputConflict, OutputError, atomic_json, describe_os_error
from sim.scenario.paths import GOVSIM_ENTRIES

MARKER = "govsim.json"
ANALYSIS_ONLY = (
    # Only measured afterwards (reports.csv), never used by the model: see sim/model.
    "reform.whistle.report_within",
    # Words about the scenario, not part of it.
    "description",
    "label",
)
"""Key paths of a resolved scenario that do not enter the experiment key."""
IGNORED_ENTRIES = frozenset({".DS_Store", ".gitkeep", "Thumbs.db"})
"""Entries that do not make a folder someone's: file-manager droppings."""
_FORMAT = "govsim output folder"


def scenario_identity(resolved: dict) -> dict:
    """The resolved scenario without its ``ANALYSIS_ONLY`` key paths."""
    out = copy.deepcopy(resolved)
    for path in ANALYSIS_ONLY:
        *parents, last = path.split(".")
        node: Any = out
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(last, None)
    return out


def identity_key(identity: dict) -> str:
    """A 16-hex-digit hash of an experiment's identity."""
    text = json.dumps(identity, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        out = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def differing_paths(found: Any, mine: dict) -> list[tuple[str, Any, Any]]:
    """(key path, value found, value now) of every leaf where two identities differ."""
    a = _flatten(found if isinstance(found, dict) else {})
    b = _flatten(mine)
    paths = sorted(set(a) | set(b))
    return [(p, a.get(p), b.get(p)) for p in paths if a.get(p) != b.get(p)]


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if value is not None else "unset"
    return text if len(text) <= 24 else text[:21] + "..."


def _shown_path(path: str) -> str:
    # A run's identity nests the scenario under "scenario": show the scenario's own key path,
    # as --set would name it.
    return path.removeprefix("scenario.")


def conflict_message(root: Path, found: dict, kind: str, identity: dict) -> str:
    """One line: the marker file, the key paths that differ, and what to do."""
    where = root / MARKER
    theirs = found.get("kind")
    if theirs != kind:
        return (f"{where}: kind: the folder holds another experiment (a {theirs}, not a {kind}: "
                f"{found.get('describe', 'unknown')}); use --force to replace it, or choose "
                "another --out")
    diffs = differing_paths(found.get("identity"), identity)
    paths = ", ".join(_shown_path(p) for p, _, _ in diffs[:6]) or "key"
    detail = "; ".join(f"{_shown_path(p)} {_short(a)} -> {_short(b)}" for p, a, b in diffs[:3])
    more = f" (and {len(diffs) - 3} more)" if len(diffs) > 3 else ""
    return (f"{where}: {paths}: the folder holds another experiment "
            f"({found.get('describe', 'unknown')}; {detail}{more}); use --force to replace it, "
            "or choose another --out")


class DamagedMarker(OutputConflict):
    """``govsim.json`` cannot be read: whose results the folder holds is not known."""


def read_marker(root: Path) -> dict | None:
    """The folder's ``govsim.json``; ``None`` if there is none; ``DamagedMarker`` if it cannot
    be read, ``OutputConflict`` if it is some other program's file of that name."""
    path = Path(root) / MARKER
    if not path.exists():
        return None
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DamagedMarker(f"{path}: --out: damaged ({type(exc).__name__}), so it is not "
                            "known whose results these are; use --force to replace them, or "
                            "choose another --out") from None
    if not isinstance(found, dict) or found.get("format") != _FORMAT:
        raise OutputConflict(f"{path}: format: not written by govsim; govsim never writes "
                             "into, or clears, a folder it did not create (not even with "
                             "--force); choose another --out")
    return found


def _has_govsim_results(root: Path) -> bool:
    """Results govsim wrote, recognisable without ``govsim.json`` (an earlier govsim, or a
    marker lost or damaged): sealed or keyed replications, city parts, a govsim manifest."""
    reps = root / "reps"
    if (reps / "key.json").is_file() or (root / "city_key.json").is_file():
        return True
    if reps.is_dir() and any(reps.glob("rep-*.json")):
        return True
    if any((root / "cases.parquet").glob("district=*/_part-*.json")):
        return True
    try:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and "versions" in manifest and "command" in manifest


def _is_temporary(name: str) -> bool:
    """A temporary file of ``atomic_write_bytes`` left by a killed process."""
    return re.fullmatch(r"\..+\.tmp\d+", name) is not None


def _foreign_entries(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir()
                  if p.name not in IGNORED_ENTRIES and not _is_temporary(p.name))


def _clear(root: Path) -> None:
    """Remove what govsim wrote in ``root``: its own files, its run sub-folders, its temporary
    files; anything else stays."""
    for entry in root.iterdir():
        directory = entry.is_dir() and not entry.is_symlink()
        ours = (entry.name in GOVSIM_ENTRIES or _is_temporary(entry.name)
                or directory and (entry / MARKER).is_file())
        if not ours:
            continue
        if directory:
            shutil.rmtree(entry)
        else:
            entry.unlink()


def claim(root: Path, kind: str, identity: dict, force: bool = False,
          describe: str = "") -> str:
    """Make ``root`` this experiment's folder (see the module docstring); return its key."""
    root = Path(root)
    key = identity_key(identity)
    try:
        if root.exists() and not root.is_dir():
            raise OutputError(f"{root}: --out: is a file, not a folder; choose another --out")
        if root.is_dir():
            _check_owner(root, kind, key, identity, force)
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(_folder_error(root, exc)) from exc
    atomic_json(root / MARKER, {"format": _FORMAT, "kind": kind, "key": key,
                                "describe": describe, "identity": identity}, default=str)
    return key


def _check_owner(root: Path, kind: str, key: str, identity: dict, force: bool) -> None:
    try:
        found = read_marker(root)
    except DamagedMarker:
        if not force:
            raise
        if not _has_govsim_results(root):
            raise OutputConflict(f"{root / MARKER}: --out: damaged, and nothing else in the "
                                 "folder is govsim's: not cleared; choose another --out") from None
        _clear(root)
        return
    if found is None:
        entries = _foreign_entries(root)
        if not entries:
            return
        if not _has_govsim_results(root):
            shown = ", ".join(entries[:4]) + (", ..." if len(entries) > 4 else "")
            raise OutputConflict(
                f"{root}: --out: holds files govsim did not write ({shown}); govsim writes "
                "only into an empty folder or one of its own, and never clears another "
                "(not even with --force); choose another --out")
        if not force:
            raise OutputConflict(f"{root}: --out: holds govsim results without a {MARKER} (an "
                                 "earlier govsim version); use --force to replace them, or "
                                 "choose another --out")
        _clear(root)
        return
    if force:
        _clear(root)
    elif found.get("kind") != kind or found.get("key") != key:
        raise OutputConflict(conflict_message(root, found, kind, identity))


def _folder_error(root: Path, exc: OSError) -> str:
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return f"{root}: --out: a part of the path is a file, not a folder; choose another --out"
    return describe_os_error(root, exc).replace("cannot write", "cannot create the folder")
