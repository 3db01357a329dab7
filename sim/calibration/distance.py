"""The loss of a fit: how far a candidate's simulated close times are from the log's.

The distances themselves are those ``govsim calibrate check`` scores a prediction with
(``sim.calibration.check.score``), per department, both sides censored by the same export
time: ``ks`` is the censoring-aware Kolmogorov-Smirnov distance (a case open at export never
counts as closed, so a different share of open cases counts as much as a different shape), ``w1``
the Wasserstein-1 distance in hours up to the longest observed time.

The **loss** is the departments' KS distances weighted by their observed number of cases: a
department with many cases weighs more, since its distance is known more precisely, and the
loss is the KS distance a case picked at random sees. A department the simulation has no case
for counts as KS 1 (the worst). The ``ALL`` row (every department pooled) is reported, not
counted: it would count every case twice.

A simulated log is stored as a frame (``to_frame``) and read back into the per-department
``(hours, censored)`` arrays the scores take (``to_groups``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.summary import ALL
from sim.calibration.check import score

DISTANCE_COLUMNS = ("department", "n", "open", "n_sim", "ks", "w1")

Groups = dict[str, tuple[np.ndarray, np.ndarray]]
"""department -> (hours, censored): close times, or the hours open at export when censored."""


def distances(observed: Groups, simulated: Groups) -> pd.DataFrame:
    """One row per observed department and ``ALL`` (``DISTANCE_COLUMNS``)."""
    table = score(observed, simulated, None).rename(columns={"ks_sim": "ks", "w1_sim": "w1"})
    return table[list(DISTANCE_COLUMNS)]


def loss(table: pd.DataFrame) -> float:
    """The departments' KS distances weighted by their observed counts (see the module)."""
    rows = table[table["department"] != ALL]
    weights = rows["n"].to_numpy(dtype=float)
    ks = rows["ks"].fillna(1.0).to_numpy(dtype=float)
    return float(np.sum(weights * ks) / np.sum(weights))


def to_frame(groups: Groups) -> pd.DataFrame:
    """The departments' arrays as one frame (``ALL`` left out: it is their union)."""
    parts = [pd.DataFrame({"department": d, "hours": h, "censored": c})
             for d, (h, c) in groups.items() if d != ALL]
    if not parts:
        return pd.DataFrame({"department": pd.Series(dtype=str), "hours": pd.Series(dtype=float),
                             "censored": pd.Series(dtype=bool)})
    return pd.concat(parts, ignore_index=True)


def to_groups(frame: pd.DataFrame) -> Groups:
    """The inverse of ``to_frame``, ``ALL`` included."""
    hours = frame["hours"].to_numpy(dtype=float)
    censored = frame["censored"].to_numpy(dtype=bool)
    out: Groups = {ALL: (hours, censored)}
    for d, rows in frame.groupby("department", sort=True).indices.items():
        out[str(d)] = (hours[rows], censored[rows])
    return out
