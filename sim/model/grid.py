"""Grids (网格): where problems occur and grid workers find them.

Occurrences of each case type in a street form a Poisson process whose rate follows the
district's hour-of-day (or hour-of-week) profile; grids differ by a gamma-distributed weight (mean 1,
``grid_heterogeneity_cv``). A problem is discovered by the grid worker's patrol (if the grid is
covered) or by a citizen's hotline call, whichever comes first; a minor one found on patrol may be
fixed on the spot. Everything is drawn in vectorised form before the run, from one stream per
(street, case type, attribute).
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.case import CaseAttributes
from sim.model.streams import Streams

BOUNCE_DRAWS = 6
"""Uniforms kept per case for bounce decisions; further bounces are not drawn (accepted)."""

_BELOW_ONE = np.float32(1.0) - np.finfo(np.float32).epsneg


def _uniforms32(rng: np.random.Generator, shape) -> np.ndarray:
    """Uniforms on [0, 1) drawn as float64 (the stream is unchanged) and kept as float32.

    They only decide events of probability p by ``u < p``; rounding to float32 moves a
    decision only if u lies within 3e-8 of p, and halves the memory they take (the largest
    per-case attributes). Rounding never reaches 1.0: the result stays in [0, 1).
    """
    return np.minimum(rng.random(shape).astype(np.float32), _BELOW_ONE)


def grid_weights(streams: Streams, street_name: str, grids: int, cv: float) -> tuple:
    """Relative occurrence weights of a street's grids and a uniform per grid for coverage."""
    rng = streams.rng(f"grids/{street_name}")
    if cv > 0:
        shape = 1.0 / cv**2
        weights = rng.gamma(shape, 1.0 / shape, grids)
    else:
        weights = np.ones(grids)
    return weights, rng.random(grids)


def occurrence_times(rng: np.random.Generator, rate_per_hour: float, profile: np.ndarray,
                     horizon: float) -> np.ndarray:
    """Sorted occurrence times on [0, horizon) of a Poisson process with an hourly profile
    (24 weights repeat daily, 168 weekly), normalised to mean 1 by the caller."""
    bins = math.ceil(horizon)
    starts = np.arange(bins, dtype=float)
    widths = np.minimum(1.0, horizon - starts)
    # 24 weights repeat every day, 168 every week (the run starts on a Monday at 00:00).
    lam = rate_per_hour * profile[np.arange(bins) % len(profile)] * widths
    counts = rng.poisson(lam)
    times = np.repeat(starts, counts) + rng.random(counts.sum()) * np.repeat(widths, counts)
    return np.sort(times)


def generate_cases(scenario, streams: Streams, coverage_override: float | None = None
                   ) -> CaseAttributes:
    """Draw every case of one replication, ordered by occurrence time."""
    horizon = scenario.simulation.horizon
    profile = np.asarray(scenario.district.hour_profile, dtype=float)
    profile = profile / profile.mean()
    cv = scenario.district.grid_heterogeneity_cv
    rounds = scenario.reopen.max_reopens + 1
    types = list(scenario.case_types.items())
    width = max([len(ct.departments) for _, ct in types] + [1])
    parts: list[dict] = []
    for s_idx, (s_name, street) in enumerate(scenario.streets.items()):
        if street.grids == 0:
            continue
        weights, cover_u = grid_weights(streams, s_name, street.grids, cv)
        coverage = street.patrol.coverage if coverage_override is None else coverage_override
        covered = cover_u < coverage
        total_weight = weights.sum()
        for k_idx, (k_name, ct) in enumerate(types):
            if ct.rate <= 0:
                continue
            key = f"cases/{s_name}/{k_name}"
            rng = streams.rng(f"{key}/occurrence")
            t_occur = occurrence_times(rng, ct.rate / 24.0 * total_weight, profile, horizon)
            n = len(t_occur)
            if n == 0:
                continue
            grid = rng.choice(street.grids, n, p=weights / total_weight)
            rng = streams.rng(f"{key}/discovery")
            patrol = rng.exponential(street.patrol.mean_delay, n)
            patrol[~covered[grid]] = np.inf
            calls = rng.random(n) < ct.citizen_call_share
            call = ct.citizen_call_delay.sample(streams.rng(f"{key}/call_delay"), n)
            call[~calls] = np.inf
            by_citizen = call < patrol
            found = np.minimum(patrol, call)
            report_delay = street.report_delay.sample(streams.rng(f"{key}/report_delay"), n)
            t_report = t_occur + found + report_delay
            discovered = np.where(by_citizen, 1, 0)
            discovered[~np.isfinite(found)] = 2
            rng = streams.rng(f"{key}/on_spot")
            on_spot = (rng.random(n) < ct.on_spot_share) & ~by_citizen & np.isfinite(found)
            on_spot_time = ct.on_spot_time.sample(rng, n)
            work = np.zeros((n, width))
            for j, dept in enumerate(ct.departments):
                work[:, j] = ct.work_for(dept).sample(streams.rng(f"{key}/work/{dept}"), n)
            rng = streams.rng(f"{key}/decisions")
            bounce_u = _uniforms32(rng, (n, BOUNCE_DRAWS))
            misroute_u = _uniforms32(rng, (n, 2))
            # Drawn round by round (one block of n per round) and last in their streams, so a
            # case's draws for round r do not depend on how many rounds ``max_reopens`` allows.
            quality_u = _uniforms32(rng, (rounds, n)).T
            recall = scenario.reopen.citizen_recall.sample(streams.rng(f"{key}/recall"),
                                                           n * rounds).reshape(rounds, n).T
            parts.append(dict(
                case_type=np.full(n, k_idx, dtype=np.int16),
                street=np.full(n, s_idx, dtype=np.int16),
                grid=grid.astype(np.int32), t_occur=t_occur, t_report=t_report,
                discovered_by=discovered.astype(np.int8), on_spot=on_spot,
                on_spot_time=on_spot_time, work=work, bounce_u=bounce_u, quality_u=quality_u,
                misroute_u=misroute_u, recall_delay=recall))
    if not parts:
        return _empty(width, rounds)
    # Ties are broken by street and type so that the order never depends on anything else.
    order = np.lexsort(tuple(np.concatenate([p[k] for p in parts])
                             for k in ("case_type", "street", "t_occur")))
    # Merge and reorder one column at a time, dropping the parts' copy as we go, so that the
    # peak is the attributes once plus one column, not three times the attributes.
    columns = {}
    for key in list(parts[0]):
        columns[key] = np.concatenate([p.pop(key) for p in parts])[order]
    return CaseAttributes(**columns)


def _empty(width: int, rounds: int) -> CaseAttributes:
    f = np.zeros(0)
    return CaseAttributes(
        case_type=np.zeros(0, np.int16), street=np.zeros(0, np.int16), grid=np.zeros(0, np.int32),
        t_occur=f, t_report=f, discovered_by=np.zeros(0, np.int8), on_spot=np.zeros(0, bool),
        on_spot_time=f, work=np.zeros((0, width)), bounce_u=np.zeros((0, BOUNCE_DRAWS)),
        quality_u=np.zeros((0, rounds)), misroute_u=np.zeros((0, 2)),
        recall_delay=np.zeros((0, rounds)))
