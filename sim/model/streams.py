"""Named random streams, one per activity, spawned from a ``SeedSequence``.

A stream is identified by (root seed, replication, name), never by a worker or by the order in
which streams are asked for, so two scenarios that share a name draw the same numbers from it and
adding a street or a department leaves every other stream untouched (common random numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

BLOCK = 1024
"""How many values a buffered draw takes from numpy at once."""


def _name_key(name: str) -> tuple[int, ...]:
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=16).digest()
    return tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))


class Streams:
    """The random streams of one replication."""

    def __init__(self, seed: int, replication: int):
        self.seed = int(seed)
        self.replication = int(replication)

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.replication, *_name_key(name)))

    def rng(self, name: str) -> np.random.Generator:
        """A fresh generator for the stream ``name``."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name)))

    def draw(self, name: str, distribution) -> Callable[[], float]:
        """A function returning the next value of ``distribution`` from stream ``name``.

        Values come from numpy in blocks of ``BLOCK``; a fixed distribution costs nothing.
        """
        if getattr(distribution, "kind", None) == "fixed":
            value = float(distribution.value)
            return lambda: value
        return BufferedDraw(self.rng(name), distribution)


class BufferedDraw:
    """Calls ``distribution.sample(rng, BLOCK)`` once per block and hands out Python floats."""

    __slots__ = ("_rng", "_distribution", "_next")

    def __init__(self, rng: np.random.Generator, distribution):
        self._rng = rng
        self._distribution = distribution
        self._next = iter(()).__next__

    def __call__(self) -> float:
        try:
            return self._next()
        except StopIteration:
            block = self._distribution.sample(self._rng, BLOCK).tolist()
            self._next = iter(block).__next__
            return self._next()
