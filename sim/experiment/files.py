"""Writing output files so that a failure never leaves a half-written or stray file behind.

Every file govsim writes into an output folder goes through ``atomic_write_bytes``: the bytes go
to a hidden temporary file beside the target, which is then renamed over it, so a reader (or a
resumed run) sees the old file or the new one, never a mixture. If writing fails (a full disk,
a read-only folder) the temporary file is removed and the failure becomes an ``OutputError``
naming the file, which the command line prints as one line.

Stored replications are *sealed*: ``write_sealed`` records, after the data files, a JSON file
holding the replication's identity and the SHA-256 of each data file's bytes, plus a checksum of
the JSON itself; ``read_sealed`` and ``check_files`` tell whether what is on disk is still
exactly what was written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import pandas as pd


class OutputError(Exception):
    """An output folder or file cannot be used (a file where a folder should be, no space, no
    permission, another experiment's results, files govsim did not write)."""


class OutputConflict(OutputError):
    """The output folder holds another experiment's results, or files govsim did not write."""


class Damaged(Exception):
    """A stored file is not what was written (truncated, changed, swapped or unreadable)."""


def describe_os_error(path: Path, exc: OSError) -> str:
    """``PATH: --out: reason`` for a failed write, in words."""
    reason = exc.strerror or str(exc)
    return f"{path}: --out: cannot write ({reason})"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once: a temporary file, then a rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        _remove_quietly(tmp)
        raise OutputError(describe_os_error(path, exc)) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def atomic_parquet(frame: pd.DataFrame, path: Path) -> str:
    """Write ``frame`` as Parquet, atomically; return the SHA-256 of the bytes written."""
    data = parquet_bytes(frame)
    atomic_write_bytes(path, data)
    return hashlib.sha256(data).hexdigest()


def atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV (six significant digits, no index), atomically."""
    atomic_write_bytes(path, frame.to_csv(index=False, float_format="%.6g").encode())


def atomic_json(path: Path, value: dict, default=None) -> None:
    atomic_write_bytes(path, json.dumps(value, indent=2, default=default).encode())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def write_sealed(path: Path, body: dict) -> None:
    """``body`` with a checksum of itself, atomically (write it after the files it describes)."""
    atomic_write_bytes(path, json.dumps(
        {"body": body, "sha256": hashlib.sha256(_canonical(body)).hexdigest()}).encode())


def read_sealed(path: Path) -> dict:
    """The body of a sealed JSON file; ``Damaged`` if it is unreadable or was changed."""
    try:
        sealed = json.loads(Path(path).read_bytes())
        body, digest = sealed["body"], sealed["sha256"]
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise Damaged(f"{Path(path).name} is unreadable") from exc
    if not isinstance(body, dict) or hashlib.sha256(_canonical(body)).hexdigest() != digest:
        raise Damaged(f"{Path(path).name} was changed after it was written")
    return body


def check_identity(body: dict, identity: dict) -> None:
    """``Damaged`` unless the sealed ``body`` belongs to ``identity`` (key, seed, replication)."""
    found = body.get("identity")
    if found != identity:
        diffs = [k for k in identity if not isinstance(found, dict) or found.get(k) != identity[k]]
        shown = ", ".join(f"{k} {found.get(k) if isinstance(found, dict) else None!r}"
                          for k in diffs)
        raise Damaged(f"it belongs to another replication ({shown})")


def check_files(body: dict, files: dict[str, Path]) -> None:
    """``Damaged`` unless every file in ``files`` has the SHA-256 the sealed ``body`` records."""
    recorded = body.get("sha256") or {}
    for name, path in files.items():
        if name not in recorded:
            raise Damaged(f"no checksum recorded for {path.name}")
        try:
            actual = file_sha256(path)
        except OSError as exc:
            raise Damaged(f"{path.name} is unreadable ({exc.strerror or exc})") from exc
        if actual != recorded[name]:
            raise Damaged(f"{path.name} differs from what was written (checksum)")
