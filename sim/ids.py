"""Sorted sets of integer ids (threads, customers, pair keys), shared by both wings."""

from __future__ import annotations

import numpy as np

__all__ = ["not_in", "sort_unique", "union"]


def sort_unique(key: np.ndarray) -> np.ndarray:
    """Sort ``key`` in place (pass an array you own) and drop repeats: ``np.unique`` of
    a 1-D int64 array without its extra bookkeeping."""
    key.sort()
    if key.size < 2:
        return key
    first = np.empty(key.size, dtype=bool)
    first[0] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    return key[first]


def union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.union1d(a, b)`` of two 1-D id arrays: their sorted distinct ids."""
    return sort_unique(np.concatenate((a, b)))


def not_in(x: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Boolean mask of the ``x`` absent from the sorted ``table`` (O(|x| log |table|))."""
    if table.size == 0:
        return np.ones(x.size, dtype=bool)
    return table.take(table.searchsorted(x), mode="clip") != x  # clip: past-the-end -> last
