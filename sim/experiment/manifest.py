"""What every manifest records of how its results were made, and how a manifest is written.

``run``, ``compare``, ``sweep`` and ``city`` each write ``manifest.json`` with the entries of
``provenance`` (package versions, git commit, model fingerprint, command, backend, workers) next
to their own, always through ``write_manifest`` (atomic, NaN written as ``null``).
"""

from __future__ import annotations

import json
import math
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from sim.experiment.files import atomic_write_bytes
from sim.experiment.workspace import model_fingerprint

PACKAGES = ("simpy", "numpy", "pandas", "pyarrow", "pydantic", "matplotlib", "scipy", "dask",
            "distributed", "pyyaml", "tqdm")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("govsim", *PACKAGES):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def git_commit() -> str | None:
    try:
        root = Path(__file__).resolve().parents[2]
        res = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5)
        if res.returncode == 0:
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--",
                                    "sim", "scenarios"], capture_output=True, text=True,
                                   timeout=5).stdout.strip()
            return res.stdout.strip() + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        pass
    return None


def provenance(command: list[str], backend: str, workers: int | None) -> dict:
    """What every manifest records of how its results were made."""

    return {"versions": package_versions(), "git_commit": git_commit(),
            "model_fingerprint": model_fingerprint(), "command": command, "backend": backend,
            "workers": workers}


def write_manifest(out: Path, manifest: dict) -> None:
    """``out/manifest.json``, written atomically."""
    atomic_write_bytes(Path(out) / "manifest.json",
                       json.dumps(manifest, indent=2, default=json_default).encode())


def json_default(value):
    """JSON for what ``json`` cannot write itself: NumPy scalars, NaN (as null), paths."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return str(value)
