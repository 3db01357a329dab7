"""Resource sinking (资源下沉): how many of a department's staff go to each street.

Staff are whole people, so a fraction of a department's headcount is split among streets by the
largest-remainder method: every street gets the whole part of its share, and the people left
over go to the largest remainders. The total moved is exactly ``round(fraction * staff)``, and
what stays central is the rest, so headcount is preserved. A street may get nobody.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sim.scenario.schema import UNLIMITED


def largest_remainder(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` whole people in proportion to ``weights`` (ties to the earlier street)."""
    if total < 0:
        raise ValueError("total must be >= 0")
    n = len(weights)
    if n == 0:
        return []
    weight_sum = float(sum(weights))
    if weight_sum <= 0:
        weights, weight_sum = [1.0] * n, float(n)
    quotas = [total * w / weight_sum for w in weights]
    shares = [math.floor(q) for q in quotas]
    left = total - sum(shares)
    order = sorted(range(n), key=lambda i: (-(quotas[i] - shares[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


def stationed_staff(staff: int, fraction: float, weights: Sequence[float]) -> list[int]:
    """People of one department stationed at each street; the rest stay in the central pool."""
    if staff >= UNLIMITED:  # unlimited staff: every street gets an unlimited team too
        return [staff if fraction > 0 else 0 for _ in weights]
    moved = round(fraction * staff)
    return largest_remainder(moved, weights)
