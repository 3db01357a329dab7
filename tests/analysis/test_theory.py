"""Queueing closed forms against known table values and exact small cases."""

from __future__ import annotations

import math

import pytest

from sim.analysis.theory import erlang_b, erlang_c, mm1, mmc, tandem


def _erlang_c_direct(c: int, a: float) -> float:
    """The textbook sum formula (fine for small c), independent of the recursion."""
    head = sum(a**k / math.factorial(k) for k in range(c))
    tail = a**c / math.factorial(c) * c / (c - a)
    return tail / (head + tail)


@pytest.mark.parametrize("c, a, table", [
    (1, 1.0, 0.5),          # B(1, a) = a / (1 + a)
    (2, 1.0, 0.2),          # 0.5 / 2.5
    (10, 5.0, 0.01838),     # Erlang B table: 10 circuits, 5 erlangs -> 1.84% blocked
])
def test_erlang_b_table_values(c, a, table):
    assert erlang_b(c, a) == pytest.approx(table, abs=5e-6)


@pytest.mark.parametrize("c, a, table", [
    (2, 1.0, 1 / 3),        # M/M/2 at rho 0.5: 2 rho^2 / (1 + rho)
    (3, 2.0, 4 / 9),
    (5, 4.0, 0.5541),       # Erlang C table values
    (10, 8.0, 0.4092),
])
def test_erlang_c_table_values(c, a, table):
    assert erlang_c(c, a) == pytest.approx(table, abs=5e-5)


@pytest.mark.parametrize("c", [1, 2, 4, 7, 12])
@pytest.mark.parametrize("rho", [0.1, 0.5, 0.8, 0.95])
def test_erlang_c_matches_sum_formula(c, rho):
    assert erlang_c(c, rho * c) == pytest.approx(_erlang_c_direct(c, rho * c), rel=1e-10)


def test_erlang_c_is_rho_for_one_server_and_one_when_unstable():
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(3, 3.0) == 1.0


def test_mm1_closed_form():
    q = mm1(0.5, 1.0)
    assert (q.wq, q.w, q.lq, q.l) == pytest.approx((1.0, 2.0, 0.5, 1.0))
    q = mm1(0.8, 1.0)
    assert (q.wq, q.w) == pytest.approx((4.0, 5.0))


@pytest.mark.parametrize("lam, mu", [(0.3, 1.0), (0.9, 2.0), (4.0, 5.0)])
def test_mmc_with_one_server_is_mm1(lam, mu):
    a, b = mmc(lam, mu, 1), mm1(lam, mu)
    assert (a.wq, a.w, a.l) == pytest.approx((b.wq, b.w, b.l))


def test_mmc_textbook_example():
    # M/M/3, lam 2, mu 1: C = 4/9, Wq = C / (3 - 2) = 4/9, W = Wq + 1, L = lam W (Little).
    q = mmc(2.0, 1.0, 3)
    assert q.wq == pytest.approx(4 / 9)
    assert q.w == pytest.approx(13 / 9)
    assert q.l == pytest.approx(26 / 9)
    assert q.lq == pytest.approx(8 / 9)


def test_more_servers_never_wait_longer():
    waits = [mmc(3.0, 1.0, c).wq for c in range(4, 12)]
    assert all(a > b for a, b in zip(waits, waits[1:], strict=False))


def test_tandem_is_sum_of_stations():
    net = tandem(1.0, [(1, 2.0), (2, 0.8), (3, 0.5)])
    parts = [mmc(1.0, 2.0, 1), mmc(1.0, 0.8, 2), mmc(1.0, 0.5, 3)]
    assert net.wq == pytest.approx(sum(p.wq for p in parts))
    assert net.w == pytest.approx(sum(p.w for p in parts))
    assert net.l == pytest.approx(1.0 * net.w)


@pytest.mark.parametrize("args", [(1.0, 1.0, 1), (5.0, 1.0, 4), (0.0, 1.0, 1), (1.0, 0.0, 2)])
def test_unstable_or_invalid_queues_are_refused(args):
    with pytest.raises(ValueError):
        mmc(*args)
