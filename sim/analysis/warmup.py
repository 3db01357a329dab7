"""Warm-up detection with MSER-5 on the backlog series.

A run starts empty: no case is in the system at time 0, so early cases meet short queues and
their response times are biased low. The warm-up is the start of the run to discard.

The series analysed is the **backlog**, the number of cases in the system (reported, not yet
resolved) sampled every ``step`` hours over ``[0, horizon)``. It is derived from the case
timestamps after the run, so the model needs no extra instrumentation. The series is averaged over
replications (which smooths it without biasing the mean), then cut into batches of 5 observations.
MSER (the Marginal Standard Error Rule, White 1997) picks the number ``d`` of batches to drop
that minimises

    MSER(d) = Σ_{i>d} (Y_i − Ȳ_d)² / (n − d)²

the squared standard error of the mean of what is left. ``d`` is searched over the first half of
the series only: a minimum further out means the series has no steady state to find (or is too
short), and is flagged as such.

Departments keep office hours, so the backlog has a strong weekly cycle (it grows over every
weekend). MSER applied to such a series picks the cut that balances the cycle's phases in what is
left, not the end of the transient. So the weekly profile is removed first: the mean profile by
hour of the week is estimated on the second half of the run (taken to be in steady state, which
MSER assumes anyway) and subtracted from the whole series. ``period=0`` skips this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BATCH = 5
"""Observations per batch (the 5 of MSER-5)."""


def backlog_series(cases: pd.DataFrame, end: float, step: float = 1.0) -> pd.DataFrame:
    """Cases in the system at ``t = 0, step, 2·step, … < end``, per replication.

    A case is in the system from ``t_report`` until ``t_resolved`` (forever if never resolved).
    Returns a frame indexed by time (hours) with one column per replication.
    """
    grid = np.arange(0.0, end, step)
    columns = {}
    for rep, g in cases.groupby("replication", sort=True):
        report = g["t_report"].to_numpy(dtype=float)
        resolved = g["t_resolved"].to_numpy(dtype=float)
        ok = ~np.isnan(report)
        starts = np.sort(report[ok])
        ends = np.sort(np.where(np.isnan(resolved[ok]), np.inf, resolved[ok]))
        # In the system at t: reported at or before t, not yet resolved at t.
        columns[int(rep)] = (np.searchsorted(starts, grid, side="right")
                             - np.searchsorted(ends, grid, side="right"))
    return pd.DataFrame(columns, index=pd.Index(grid, name="t_h"))


def deseasonalise(values: np.ndarray, period: int) -> np.ndarray:
    """Remove a cycle of ``period`` observations, estimated on the second half of ``values``."""
    x = np.asarray(values, dtype=float)
    half = len(x) // 2
    if period <= 1 or len(x) - half < period:
        return x
    phase = np.arange(len(x)) % period
    tail, tail_phase = x[half:], phase[half:]
    profile = np.array([tail[tail_phase == k].mean() for k in range(period)])
    return x - profile[phase] + profile.mean()


def mser(values: np.ndarray, batch: int = BATCH) -> tuple[int, np.ndarray]:
    """MSER-``batch`` of a series: (batches to drop, MSER statistic for each candidate ``d``).

    The statistic is computed for ``d = 0 … n//2`` (``n`` batches); the trailing observations
    that do not fill a batch are dropped.
    """
    x = np.asarray(values, dtype=float)
    n = len(x) // batch
    if n < 2:
        raise ValueError(f"MSER-{batch} needs at least {2 * batch} observations, got {len(x)}")
    y = x[: n * batch].reshape(n, batch).mean(axis=1)
    stat = np.empty(n // 2 + 1)
    for d in range(len(stat)):
        rest = y[d:]
        stat[d] = ((rest - rest.mean()) ** 2).sum() / len(rest) ** 2
    return int(np.argmin(stat)), stat


@dataclass
class WarmupResult:
    """What ``suggest_warmup`` found."""

    warmup_h: float
    """Suggested warm-up in hours: the batches to drop times their length."""
    batches_dropped: int
    batch_h: float
    step_h: float
    period_h: float
    """Length of the cycle removed before MSER (0: none)."""
    series: pd.DataFrame
    """Backlog per replication (columns) over time (index, hours)."""
    analysed: np.ndarray
    """The series MSER was applied to: the replication mean with the cycle removed."""
    statistic: np.ndarray
    """MSER statistic for each number of dropped batches."""
    per_replication_h: list[float] = field(default_factory=list)
    """MSER-5 applied to each replication alone (shows how much one run scatters)."""

    @property
    def at_limit(self) -> bool:
        """True when the minimum is at the end of the searched half: no steady state found."""
        return self.batches_dropped >= len(self.statistic) - 1


def suggest_warmup(cases: pd.DataFrame, horizon: float, step: float = 1.0,
                   batch: int = BATCH, period: float = 168.0) -> WarmupResult:
    """MSER-``batch`` on the replication-averaged backlog over ``[0, horizon)``, after removing
    a cycle of ``period`` hours (a week by default; 0 for none)."""
    series = backlog_series(cases, horizon, step)
    cycle = int(round(period / step)) if period else 0

    def cut(x: np.ndarray) -> tuple[int, np.ndarray]:
        return mser(deseasonalise(x, cycle), batch)

    analysed = deseasonalise(series.mean(axis=1).to_numpy(), cycle)
    d, stat = mser(analysed, batch)
    each = [cut(series[c].to_numpy())[0] * batch * step for c in series.columns]
    return WarmupResult(warmup_h=d * batch * step, batches_dropped=d, batch_h=batch * step,
                        step_h=step, period_h=period if cycle > 1 else 0.0, series=series,
                        analysed=analysed, statistic=stat, per_replication_h=each)
