"""Named random streams: identified by (seed, replication, name), never by order of use."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.streams import BLOCK, BufferedDraw, Streams
from sim.scenario.distributions import Exponential, fixed


def numbers(streams: Streams, name: str, n: int = 8) -> np.ndarray:
    return streams.rng(name).random(n)


def test_same_identity_same_numbers():
    assert np.array_equal(numbers(Streams(7, 2), "travel/um"), numbers(Streams(7, 2), "travel/um"))


def test_every_part_of_the_identity_matters():
    base = numbers(Streams(7, 2), "travel/um")
    for other in (numbers(Streams(8, 2), "travel/um"), numbers(Streams(7, 3), "travel/um"),
                  numbers(Streams(7, 2), "travel/housing")):
        assert not np.array_equal(base, other)


def test_order_of_creation_does_not_matter():
    """Asking for other streams first (a new street, a new department) shifts nothing."""
    alone = numbers(Streams(1, 0), "cases/a/parking/occurrence")
    s = Streams(1, 0)
    for name in ("cases/new_street/parking/occurrence", "travel/new_department", "grids/a"):
        s.rng(name).random(1000)
    assert np.array_equal(numbers(s, "cases/a/parking/occurrence"), alone)


def test_buffered_draws_equal_block_draws():
    """Buffering changes nothing: the values are numpy's blocks, handed out one by one."""
    d = Exponential(kind="exponential", mean=2.0)
    draw = Streams(5, 1).draw("work", d)
    got = np.array([draw() for _ in range(BLOCK * 2 + 3)])
    rng = Streams(5, 1).rng("work")
    want = np.concatenate([d.sample(rng, BLOCK) for _ in range(3)])[: len(got)]
    assert np.array_equal(got, want)
    assert all(isinstance(v, float) for v in got[:3].tolist())


def test_fixed_draws_use_no_stream():
    draw = Streams(5, 1).draw("anything", fixed(0.75))
    assert not isinstance(draw, BufferedDraw)
    assert [draw() for _ in range(3)] == [0.75, 0.75, 0.75]


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=2**63 - 1), st.integers(min_value=0, max_value=10**6),
       st.text(min_size=1, max_size=30))
def test_any_identity_is_reproducible(seed: int, replication: int, name: str):
    a = Streams(seed, replication).rng(name).integers(0, 2**62, 4)
    b = Streams(seed, replication).rng(name).integers(0, 2**62, 4)
    assert np.array_equal(a, b)


@settings(deadline=None)
@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_distinct_names_give_distinct_streams(a: str, b: str):
    if a != b:
        assert not np.array_equal(Streams(1, 0).rng(a).integers(0, 2**62, 4),
                                  Streams(1, 0).rng(b).integers(0, 2**62, 4))
