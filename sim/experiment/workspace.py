"""A run's workspace: one folder holding its config, its replications and its results.

``DIR/reps/`` holds one set of Parquet files per finished replication (``rep-00003.cases.parquet``
and its ``pools``, ``visits`` and ``steps`` tables), each written atomically, then a sealed
``rep-00003.json`` recording the replication's identity (experiment key, seed, replication) and
the SHA-256 of each table's bytes. A replication is reused only if its seal is intact, belongs to
this experiment and replication, and every table still has the recorded checksum; a truncated,
changed or swapped one is recomputed (with a warning), so a killed run loses nothing it had
finished and a damaged file never becomes a wrong result.

The folder itself is claimed through ``sim.experiment.folder`` (``govsim.json`` holds the key:
a hash of the resolved scenario without its analysis-only settings, the seed and the model code).
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

import pandas as pd

from sim.experiment.files import (
    Damaged,
    OutputConflict,
    OutputError,
    atomic_parquet,
    atomic_write_bytes,
    check_files,
    check_identity,
    read_sealed,
    write_sealed,
)
from sim.experiment.folder import claim, identity_key, scenario_identity
from sim.model.replication import Replication
from sim.version import __version__

__all__ = ["OutputConflict", "OutputError", "Workspace", "atomic_parquet", "atomic_write_bytes",
           "experiment_key", "model_fingerprint", "run_identity"]

TABLES = ("cases", "pools", "visits", "steps")


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


def run_identity(resolved: dict, seed: int) -> dict:
    """What decides a run's replications: the scenario (analysis-only settings left out), the
    seed and the model code."""
    return {"scenario": scenario_identity(resolved), "seed": int(seed),
            "model": model_fingerprint()}


def experiment_key(resolved: dict, seed: int) -> str:
    return identity_key(run_identity(resolved, seed))


class Workspace:
    """The folder of one scenario's experiment."""

    def __init__(self, root: Path, identity: dict, describe: str):
        self.root = Path(root)
        self.reps_dir = self.root / "reps"
        self.identity = identity
        self.key = identity_key(identity)
        self.describe = describe

    def open(self, force: bool = False) -> None:
        """Create the folder, or check that an existing one belongs to this experiment."""
        claim(self.root, "run", self.identity, force, self.describe)
        try:
            self.reps_dir.mkdir(exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.reps_dir}: --out: cannot create the folder "
                              f"({exc.strerror or exc})") from exc

    def _path(self, rep: int, table: str) -> Path:
        return self.reps_dir / f"rep-{rep:05d}.{table}.parquet"

    def seal_path(self, rep: int) -> Path:
        return self.reps_dir / f"rep-{rep:05d}.json"

    def rep_identity(self, rep: int) -> dict:
        return {"experiment": self.key, "seed": self.identity["seed"], "replication": rep}

    def verified(self, reps: int) -> tuple[list[int], dict[int, str]]:
        """Of replications ``0..reps-1``: those stored intact, and why each damaged one is not.

        A replication without a seal was never finished (or was killed while being stored):
        it is neither intact nor damaged, just still to do.
        """
        intact, damaged = [], {}
        for rep in range(reps):
            seal = self.seal_path(rep)
            if not seal.exists():
                continue
            try:
                body = read_sealed(seal)
                check_identity(body, self.rep_identity(rep))
                check_files(body, {t: self._path(rep, t) for t in TABLES})
            except Damaged as exc:
                damaged[rep] = str(exc)
            else:
                intact.append(rep)
        return intact, damaged

    def save(self, rep: Replication) -> None:
        """Store a replication: the tables first, then the seal that vouches for them."""
        seal = self.seal_path(rep.replication)
        seal.unlink(missing_ok=True)   # a recomputation killed half-way must not look finished
        digests = {t: atomic_parquet(getattr(rep, t), self._path(rep.replication, t))
                   for t in TABLES}
        write_sealed(seal, {"identity": self.rep_identity(rep.replication), "sha256": digests,
                            "wall_s": rep.wall_s, "end_time": rep.end_time})

    def load(self, reps: list[int], table: str) -> pd.DataFrame:
        frames = [pd.read_parquet(self._path(r, table)) for r in sorted(reps)]
        frames = [f for f in frames if len(f)] or frames[:1]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def rep_meta(self, reps: list[int]) -> list[dict]:
        return [read_sealed(self.seal_path(r)) for r in sorted(reps)]
