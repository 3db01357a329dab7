"""A run's workspace: one folder holding its config, its replications and its results.

``DIR/reps/`` holds one set of Parquet files per finished replication, each written atomically
(to a temporary name, then renamed), so a killed run loses nothing it had finished.
``DIR/reps/key.json`` records the key of the experiment (a hash of the resolved scenario, the seed
and the model version): a folder with the same key is resumed, one with another key is refused
unless ``force``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from sim.model.replication import Replication
from sim.version import __version__

TABLES = ("cases", "pools", "visits")


class OutputConflict(Exception):
    """The output folder holds results of another scenario or seed."""


@functools.cache
def model_fingerprint() -> str:
    """A hash of the code that decides a replication's numbers (the model, one replication, the
    scenario schema). Part of every experiment key: after a change to the model, finished
    replications are recomputed rather than silently reused."""
    package = Path(__file__).resolve().parents[1]
    files = sorted([*(package / "model").glob("*.py"), *(package / "scenario").glob("*.py")])
    digest = hashlib.sha256(__version__.encode())
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def experiment_key(resolved: dict, seed: int) -> str:
    text = json.dumps({"scenario": resolved, "seed": int(seed), "model": model_fingerprint()},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)


class Workspace:
    """The folder of one scenario's experiment."""

    def __init__(self, root: Path, key: str, describe: str):
        self.root = Path(root)
        self.reps_dir = self.root / "reps"
        self.key = key
        self.describe = describe

    def open(self, force: bool = False) -> None:
        """Create the folder, or check that an existing one belongs to this experiment."""
        key_file = self.reps_dir / "key.json"
        if key_file.exists():
            found = json.loads(key_file.read_text())
            if found.get("key") != self.key:
                if not force:
                    raise OutputConflict(
                        f"{self.root} holds results of another experiment "
                        f"({found.get('describe', 'unknown')}); use --force to replace them, "
                        "or choose another --out")
                shutil.rmtree(self.reps_dir)
            elif force:
                shutil.rmtree(self.reps_dir)
        elif self.root.exists() and any(self.root.iterdir()) and not force:
            if (self.root / "manifest.json").exists() or (self.root / "cases.parquet").exists():
                raise OutputConflict(
                    f"{self.root} holds results that are not this experiment's; use --force "
                    "to replace them, or choose another --out")
        self.reps_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(key_file, json.dumps({"key": self.key, "describe": self.describe},
                                                indent=1).encode())

    def _path(self, rep: int, table: str) -> Path:
        return self.reps_dir / f"rep-{rep:05d}.{table}.parquet"

    def finished(self) -> set[int]:
        """Replications whose every table is on disk (the cases table is written last)."""
        done = set()
        for p in self.reps_dir.glob("rep-*.cases.parquet"):
            rep = int(p.name.split(".")[0].split("-")[1])
            if all(self._path(rep, t).exists() for t in TABLES):
                done.add(rep)
        return done

    def save(self, rep: Replication) -> None:
        for table in ("pools", "visits", "cases"):
            atomic_parquet(getattr(rep, table), self._path(rep.replication, table))
        meta = {"replication": rep.replication, "wall_s": rep.wall_s, "end_time": rep.end_time}
        atomic_write_bytes(self.reps_dir / f"rep-{rep.replication:05d}.json",
                           json.dumps(meta).encode())

    def load(self, reps: list[int], table: str) -> pd.DataFrame:
        frames = [pd.read_parquet(self._path(r, table)) for r in sorted(reps)]
        frames = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def rep_meta(self, reps: list[int]) -> list[dict]:
        out = []
        for r in sorted(reps):
            p = self.reps_dir / f"rep-{r:05d}.json"
            if p.exists():
                out.append(json.loads(p.read_text()))
        return out
