"""Closed forms of textbook queues, against which ``govsim validate`` checks the model.

Notation: arrivals form a Poisson process of rate ``lam`` (per hour), each of ``servers`` staff
works at rate ``mu`` (1 / mean work time), served first come, first served. The offered load is
``a = lam / mu`` (in erlangs) and the utilisation ``rho = a / servers``; the queue is stable only
when ``rho < 1``.

``erlang_c(c, a)``
    Erlang's C formula: the probability that an arriving case has to wait (all ``c`` busy).
``mmc(lam, mu, c)``
    The M/M/c queue: mean wait in the queue ``Wq = C(c, a) / (c mu - lam)``, mean sojourn
    ``W = Wq + 1/mu``, and by Little's law ``Lq = lam Wq`` and ``L = lam W``.
``mm1(lam, mu)``
    The special case ``c = 1``: ``Wq = rho / (mu - lam)``, ``W = 1 / (mu - lam)``.
``tandem(lam, stations)``
    A Jackson tandem network: cases pass through every station in turn. By Burke's theorem the
    departures of a stable M/M/c queue are again Poisson of rate ``lam``, so each station behaves
    as an M/M/c queue on its own and the network's mean wait and sojourn are the sums over the
    stations.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueMeans:
    """Steady-state means of a queue or network (times in the unit of ``1/lam``)."""

    wq: float
    """mean time waiting for staff"""
    w: float
    """mean time in the system (waiting plus work)"""
    lq: float
    """mean number waiting"""
    l: float  # noqa: E741 - the textbook name
    """mean number in the system"""
    p_wait: float
    """probability that an arrival waits (for a network: that it waits at the first station)"""


def erlang_b(c: int, a: float) -> float:
    """Erlang's B formula (blocking probability of M/M/c/c), by the stable recursion
    ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``."""
    if c < 0 or a < 0:
        raise ValueError(f"need c >= 0 and a >= 0, got c={c}, a={a}")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Erlang's C formula: the probability of waiting in M/M/c with offered load ``a``.

    Derived from Erlang B: ``C = B / (1 - rho (1 - B))`` with ``rho = a / c``; 1 when unstable.
    """
    if c < 1:
        raise ValueError(f"need at least one server, got {c}")
    rho = a / c
    if rho >= 1:
        return 1.0
    b = erlang_b(c, a)
    return b / (1.0 - rho * (1.0 - b))


def mmc(lam: float, mu: float, c: int) -> QueueMeans:
    """Steady-state means of the M/M/c queue; ``ValueError`` if it is not stable."""
    if lam <= 0 or mu <= 0:
        raise ValueError(f"need positive rates, got lam={lam}, mu={mu}")
    if lam >= c * mu:
        raise ValueError(f"unstable: utilisation {lam / (c * mu):.3f} >= 1")
    pw = erlang_c(c, lam / mu)
    wq = pw / (c * mu - lam)
    w = wq + 1.0 / mu
    return QueueMeans(wq=wq, w=w, lq=lam * wq, l=lam * w, p_wait=pw)


def mm1(lam: float, mu: float) -> QueueMeans:
    """Steady-state means of the M/M/1 queue (the closed form, not via Erlang C)."""
    if lam <= 0 or mu <= 0:
        raise ValueError(f"need positive rates, got lam={lam}, mu={mu}")
    if lam >= mu:
        raise ValueError(f"unstable: utilisation {lam / mu:.3f} >= 1")
    rho = lam / mu
    wq = rho / (mu - lam)
    w = 1.0 / (mu - lam)
    return QueueMeans(wq=wq, w=w, lq=lam * wq, l=lam * w, p_wait=rho)


def tandem(lam: float, stations: Sequence[tuple[int, float]]) -> QueueMeans:
    """A tandem Jackson network: ``stations`` are ``(servers, mu)`` visited in order."""
    if not stations:
        raise ValueError("a tandem needs at least one station")
    parts = [mmc(lam, mu, c) for c, mu in stations]
    wq = math.fsum(p.wq for p in parts)
    w = math.fsum(p.w for p in parts)
    return QueueMeans(wq=wq, w=w, lq=lam * wq, l=lam * w, p_wait=parts[0].p_wait)
