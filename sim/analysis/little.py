"""Little's law, L = λW, checked on the timestamps of a run.

Over an observation window [start, end):

- ``L`` is the time-average number of cases in the system (reported, not yet resolved);
- ``lambda`` the rate at which cases were reported in the window;
- ``W`` the mean time in the system of the cases reported in the window (to their resolution,
  or to the last timestamp of the run for censored ones).

Little's law says L ≈ λW; the gap (``rel_gap``) comes only from edge effects (cases present when
the window opens, stays running past its end) and shrinks as the window grows relative to W.

The same area can also be counted exactly: L·T equals the stays of the cases reported in the
window, clipped to it, plus the in-window part of the stays of cases reported before it (the
``edge``). ``identity_gap`` is the relative error of that identity: anything above rounding
error means timestamps out of order or cases lost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def littles_law(cases: pd.DataFrame, start: float, end: float) -> dict:
    """L, λ, W, their relative gap and the exact identity's gap, per replication and overall."""
    rows = []
    T = end - start
    for rep, g in cases.groupby("replication", sort=True):
        report = g["t_report"].to_numpy(dtype=float)
        resolved = g["t_resolved"].to_numpy(dtype=float)
        ok = ~np.isnan(report)
        report, resolved = report[ok], resolved[ok]
        if T <= 0 or len(report) == 0:
            continue
        last = np.nanmax(np.concatenate([resolved, report]))
        resolved = np.where(np.isnan(resolved), np.inf, resolved)
        clipped = np.clip(np.minimum(resolved, end) - np.maximum(report, start), 0, None)
        area = clipped.sum()
        L = area / T
        arrived = (report >= start) & (report < end)
        lam = arrived.sum() / T
        W = float((np.minimum(resolved[arrived], last) - report[arrived]).mean()) \
            if arrived.any() else 0.0
        edge = clipped[report < start].sum()
        # Not clipped at zero: a case resolved before it was reported must break the identity.
        stays = (np.minimum(resolved[arrived], end) - report[arrived]).sum()
        identity = abs(area - (stays + edge)) / area if area > 0 else 0.0
        rows.append({"replication": int(rep), "L": L, "lambda": lam, "W": W,
                     "lambda_W": lam * W,
                     "rel_gap": abs(L - lam * W) / L if L > 0 else 0.0,
                     "identity_gap": float(identity)})
    if not rows:
        return {"window": [start, end], "replications": []}
    frame = pd.DataFrame(rows)
    return {"window": [start, end], "L": float(frame["L"].mean()),
            "lambda_W": float(frame["lambda_W"].mean()),
            "max_rel_gap": float(frame["rel_gap"].max()),
            "max_identity_gap": float(frame["identity_gap"].max()),
            "replications": rows}
