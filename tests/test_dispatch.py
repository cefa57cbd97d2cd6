"""Tests for sim.organization.dispatch: the prefilter before the sort never changes who is served.

``match_pools`` drops the threads that cannot be among a pool's best before it sorts
(a priority histogram per pool, one pool included). The result must be exactly what
sorting every queued thread gives. ``first_k`` must pick what a stable sort picks.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.organization.dispatch as dispatch


def _every_thread(pool, priority, n_free, origin, work=None, front=None):  # no prefilter
    return n_free[pool] > 0


def _match(case: dict) -> tuple[np.ndarray, np.ndarray]:
    return dispatch.match_pools(
        case["thread"],
        case["pool"],
        case["priority"],
        case["free_servers"],
        case["server_pool"],
        case["n_pools"],
        np.random.default_rng(case["seed"]),
    )


@st.composite
def queues(draw: st.DrawFn) -> dict:
    n_pools = draw(st.integers(1, 4))
    n = draw(st.integers(1, 300))
    one_pool = draw(st.booleans())
    pool = np.zeros(n, dtype=np.int64) if one_pool else draw(_ints(n, 0, n_pools - 1))
    continuous = draw(st.booleans())  # analytics: influence shifts priorities off the grid
    base = draw(_ints(n, 0, 40)).astype(np.float64)
    if draw(st.booleans()):  # beyond the rank key's cap (2**21 quarter ticks): ties
        base *= draw(st.sampled_from([1.0, 2.0e4, 3.0e4]))
    shift = draw(_floats(n)) if continuous else np.zeros(n)
    n_servers = draw(st.integers(1, 12))
    return {
        "thread": np.arange(1000, 1000 + n, dtype=np.int64),
        "pool": pool,
        "priority": base - shift,
        "free_servers": np.arange(n_servers, dtype=np.int64) * 3,
        "server_pool": np.sort(draw(_ints(n_servers, 0, n_pools - 1))),
        "n_pools": n_pools,
        "seed": draw(st.integers(0, 2**32 - 1)),
    }


def _ints(size: int, low: int, high: int) -> st.SearchStrategy[np.ndarray]:
    return st.lists(st.integers(low, high), min_size=size, max_size=size).map(np.array)


def _floats(size: int) -> st.SearchStrategy[np.ndarray]:
    values = st.floats(0.0, 3.0, allow_nan=False, allow_subnormal=False)
    return st.lists(values, min_size=size, max_size=size).map(np.array)


@settings(max_examples=300, deadline=None)
@given(queues())
def test_prefilter_serves_exactly_whom_a_full_sort_serves(case: dict) -> None:
    threads, servers = _match(case)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatch, "_head_of_pools", _every_thread)
        full_threads, full_servers = _match(case)
    np.testing.assert_array_equal(threads, full_threads)
    np.testing.assert_array_equal(servers, full_servers)
    n_free = np.bincount(case["server_pool"], minlength=case["n_pools"])
    queued = np.bincount(case["pool"], minlength=case["n_pools"])
    assert threads.size == np.minimum(n_free, queued).sum()


def test_one_pool_serves_the_oldest_threads_first() -> None:
    """Scripted: 12 threads in one pool, turn ticks 11, 10, ..., 0; 3 free servers
    take the three oldest (ticks 0, 1, 2), the oldest first in the rank order."""
    priority = np.arange(11, -1, -1, dtype=np.float64)
    threads, servers = dispatch.match_pools(
        np.arange(12),
        np.zeros(12, dtype=np.int64),
        priority,
        np.array([7, 8, 9]),
        np.zeros(3, dtype=np.int64),
        1,
        np.random.default_rng(0),
    )
    assert sorted(priority[threads].tolist()) == [0.0, 1.0, 2.0]
    assert sorted(servers.tolist()) == [7, 8, 9]


def test_a_pool_without_free_servers_serves_nobody() -> None:
    mask = dispatch._head_of_pools(
        np.zeros(50, dtype=np.int64), np.arange(50.0), np.array([0, 2]), 0.0
    )
    assert not mask.any()


def test_ranking_origin_is_every_queued_thread_not_the_survivors() -> None:
    """Scripted: priorities are ranked at quarter-tick resolution from one origin, the
    lowest priority of every queued thread. The oldest thread (0.0) waits in pool 0,
    which has no free server. Pool 1's A (0.37) and B (0.20) are both at level 1 from
    0.0, so A, queued first, is served. Ranked instead from the lowest priority left
    after dropping pools without a free server (0.20), B would be served: what a
    prefilter drops must not move the origin (it did before 2026-11-22)."""
    thread = np.array([0, 1, 2, 3, 4, 5])  # 1 = A, 2 = B
    pool = np.array([0, 1, 1, 1, 1, 1])
    priority = np.array([0.0, 0.37, 0.20, 10.0, 11.0, 12.0])
    args = (thread, pool, priority, np.array([9]), np.array([1]), 2)
    served, _ = dispatch.match_pools(*args, np.random.default_rng(0))
    assert served.tolist() == [1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dispatch, "_head_of_pools", _every_thread)
        full, _ = dispatch.match_pools(*args, np.random.default_rng(0))
    assert full.tolist() == [1]


def test_priorities_beyond_the_rank_cap_tie_and_the_prefilter_keeps_them() -> None:
    """Scripted: ranking caps priorities 2**21 quarter ticks (524,288 ticks) above the
    lowest; above that they tie and the earlier-queued thread wins. Threads 1 (9e5) and
    2 (6e5) are both above the cap, so with two servers the full sort serves 0 and 1;
    keeping only priorities near the 2nd smallest (6e5) would wrongly serve 2."""
    priority = np.array([0.0, 9.0e5, 6.0e5, 6.0e5 + 1, 7.0e5, 8.0e5, 9.5e5, 9.9e5])
    n = priority.size
    args = (np.arange(n), np.zeros(n, dtype=np.int64), priority, np.array([5, 6]))
    served, _ = dispatch.match_pools(
        *args, np.zeros(2, dtype=np.int64), 1, np.random.default_rng(0)
    )
    assert sorted(served.tolist()) == [0, 1]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=0, max_size=400).map(np.array),
    st.integers(0, 50),
    st.booleans(),
)
def test_first_k_is_the_head_of_a_stable_sort(base: np.ndarray, k: int, shift: bool) -> None:
    """``first_k`` picks what ``argsort(kind="stable")[:k]`` picks, in its order, with
    many ties (whole ticks) or none (analytics' continuous shifts)."""
    values = base.astype(np.float64)
    if shift:
        values -= np.random.default_rng(k).random(values.size)
    expected = np.argsort(values, kind="stable")[:k]
    np.testing.assert_array_equal(dispatch.first_k(values, k), expected)


@pytest.mark.parametrize("k", [1, 7, 300])
def test_first_k_of_a_backlog_samples_and_stays_exact(k: int) -> None:
    """Scripted: 100,000 priorities (whole ticks with ties, then shifted off the grid,
    then with NaN) are many more than 64 k, so ``first_k`` bounds the k-th by a sample."""
    rng = np.random.default_rng(k)
    ticks = rng.integers(0, 200, 100_000).astype(np.float64)
    shifted = ticks - rng.random(ticks.size)
    holes = shifted.copy()
    holes[rng.random(holes.size) < 0.5] = np.nan
    for values in (ticks, shifted, holes):
        expected = np.argsort(values, kind="stable")[:k]
        np.testing.assert_array_equal(dispatch.first_k(values, k), expected)
