"""Sorted id sets: the live index of the thread table and the helpers of
:mod:`sim.ids` give exactly what :func:`numpy.union1d` gives."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.ids import sort_unique, union
from sim.threads import ThreadTable

ids = st.lists(st.integers(0, 60), max_size=40).map(lambda v: np.array(v, dtype=np.int64))


@given(a=ids, b=ids)
def test_union_is_union1d(a: np.ndarray, b: np.ndarray) -> None:
    got = union(a, b)
    assert got.dtype == np.int64
    assert np.array_equal(got, np.union1d(a, b))
    assert np.array_equal(sort_unique(a.copy()), np.unique(a))


@given(n=st.integers(0, 50), kept=st.lists(st.booleans(), max_size=50), again=ids)
def test_reviving_threads_keeps_the_live_index_sorted_and_distinct(n, kept, again) -> None:
    table = ThreadTable()
    table.append(n)
    keep = np.zeros(n, dtype=bool)
    keep[: len(kept)] = kept[:n]
    table.live = table.live[keep]  # some threads finished
    again = again[again < max(n, 1)] if n else again[:0]
    want = np.union1d(table.live, again)
    table.revive(again)
    assert table.live.dtype == np.int64
    assert np.array_equal(table.live, want)
