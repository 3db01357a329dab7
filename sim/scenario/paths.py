"""Names that become file and folder names: one function makes every one of them safe.

Scenario names, city district names, sweep point labels and the default output folders built
from them all end up as a path component. ``safe_component`` turns any text into one that

- is a single component: no ``/``, ``\\`` or NUL, never ``.``, ``..``, empty or hidden, so the
  path stays inside the folder it is joined to;
- is short (at most ``MAX_BYTES`` bytes of UTF-8, far below the 255 of common file systems);
- is unique: two different names never give the same component (``injective``), even on a
  file system that ignores case; and
- is readable: a plain name (lowercase ASCII letters, digits and ``_ . , = + -``, such as
  ``baseline`` or ``fraction=0.25``) is kept as it is; any other name becomes a readable slug
  plus ``~`` and a short hash of the original (``../victim`` -> ``victim~3f2a…``).

Plain names never contain ``~`` and every hashed one does, so the two kinds cannot meet; two
hashed ones differ by their hash (48 bits of SHA-256). Names govsim gives its own files
(``figures``, ``manifest.json``, ...) are hashed too, so a scenario called ``figures`` cannot
land on the comparison's figure folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_BYTES = 80
"""The longest component made (UTF-8 bytes): room for prefixes and temporary-file suffixes."""
HASH_CHARS = 12
SLUG_BYTES = MAX_BYTES - HASH_CHARS - 1

GOVSIM_ENTRIES = frozenset({
    "govsim.json", "manifest.json", "reps", "figures", "points", "cases.parquet",
    "summary.csv", "pools.csv", "reports.csv", "comparison.csv", "per_replication.csv",
    "sweep.csv", "pools_raw.parquet", "warmup.json", "backlog.csv", "report.html",
    "city_key.json",   # the marker of an earlier layout
    "steps.parquet", "eventlog.xes", "eventlog.ocel.json",
})
"""The entries govsim writes into an output folder (besides its run sub-folders)."""

_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                      *(f"lpt{i}" for i in range(10))})
"""Names Windows reserves whatever their extension (``nul.txt`` included)."""
_PLAIN = re.compile(r"[a-z0-9_][a-z0-9_.,=+-]*")
_SLUG_KEEP = re.compile(r"[A-Za-z0-9_.,=+-]")


def _is_plain(name: str) -> bool:
    return (_PLAIN.fullmatch(name) is not None and len(name) <= MAX_BYTES
            and not name.endswith(".") and not _reserved(name))


def _reserved(name: str) -> bool:
    folded = name.casefold()
    return folded in GOVSIM_ENTRIES or folded.split(".", 1)[0] in _DEVICES


def _slug(name: str) -> str:
    """A readable stand-in: letters and digits kept (any script), anything else ``_``."""
    chars = []
    for ch in unicodedata.normalize("NFC", name):
        keep = _SLUG_KEEP.fullmatch(ch) is not None or (not ch.isascii() and ch.isalnum())
        chars.append(ch if keep else "_")
    slug = re.sub(r"_+", "_", "".join(chars))
    if not slug or slug[0] in ".-" or slug.split(".", 1)[0].casefold() in _DEVICES:
        slug = "_" + slug   # not hidden, not an option, not a Windows device
    while len(slug.encode()) > SLUG_BYTES:
        slug = slug[:-1]
    return slug


def safe_component(name: str) -> str:
    """The file or folder name for ``name`` (a scenario, district, sweep point or default
    output folder): ``name`` itself when it is plain, otherwise a slug and a hash of it."""
    if _is_plain(name):
        return name
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]
    return f"{_slug(name)}~{digest}"


def is_single_component(text: str) -> bool:
    """Whether ``text`` (read back from a manifest) can be joined to a folder without leaving
    it: one non-empty component, not ``.`` or ``..``, no separator or NUL, not too long."""
    return (bool(text) and text not in (".", "..") and not any(c in text for c in "/\\\0")
            and len(text.encode("utf-8", "surrogatepass")) <= 255)
