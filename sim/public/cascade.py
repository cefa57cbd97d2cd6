"""Vectorized independent-cascade spreading of many threads over a CSR follower graph.

Every live thread spreads as an independent cascade (Kempe, Kleinberg & Tardos 2003): each
tick, every customer newly exposed to thread ``t`` in the previous tick exposes each of its
followers independently with probability ``p[t]``.  All threads advance together in one
vectorized step; there is no Python loop over threads, nodes or edges.

References
----------
.. [1] D. Kempe, J. Kleinberg and E. Tardos, "Maximizing the spread of influence through a
   social network", KDD 2003.
.. [2] V. Batagelj and U. Brandes, "Efficient generation of large random networks",
   Physical Review E 71, 036113, 2005.
"""

from __future__ import annotations

import math

import numpy as np

from sim.ids import not_in, sort_unique
from sim.public.graph import concatenated_ranges

__all__ = ["CascadeState", "Exposures", "bernoulli_positions", "cascade_step", "expand_frontier"]

#: Above this probability one uniform per edge is cheaper than geometric skipping.
DENSE_P = 0.25
#: Probabilities below 2**MIN_EXP share one skipping bucket (they are essentially never hit).
MIN_EXP = -60
_DENSE, _FULL, _DROP = 1, 2, 3  # group labels (sparse buckets use exponents <= -1)
_INT64_MAX = np.iinfo(np.int64).max
_EMPTY_I64 = np.empty(0, dtype=np.int64)


def bernoulli_positions(length: int, q: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted positions in ``[0, length)`` of a Bernoulli(``q``) sequence, by geometric jumps.

    The gaps between successive successes are i.i.d. Geometric(``q``) on {1, 2, ...} [2]_, so
    the cost is O(number of successes) instead of O(``length``). When the first gap already
    passes ``length`` (the usual case for a short sequence and a small ``q``) the shared
    empty array is returned without further work; the draws are the same either way.
    ``q = 0`` gives no position and ``q = 1`` every position, without drawing (a broadcast's
    unfollow probability can be exactly either).
    """
    if q <= 0.0:
        return _EMPTY_I64
    if q >= 1.0:
        return np.arange(length, dtype=np.int64)
    mean = length * q
    chunk = int(mean + 4.0 * math.sqrt(mean) + 16.0)
    scale = min(-1.0 / math.log1p(-q), 1e300)  # Geometric(q) gap = 1 + floor(Exp(1) * scale)
    parts: list[np.ndarray] = []
    last = -1
    while last < length:  # almost always a single iteration
        gaps = rng.standard_exponential(chunk)
        if last < 0 and gaps[0] * scale >= length:  # the first success lies past the end
            return _EMPTY_I64
        gaps *= scale
        np.minimum(gaps, length, out=gaps)  # caps tiny-q gaps; avoids int64 overflow
        pos = (gaps.astype(np.int64) + 1).cumsum()
        pos += last
        parts.append(pos)
        last = int(pos[-1])
        chunk = max(16, chunk // 4)
    pos = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return pos[: pos.searchsorted(length)]


def expand_frontier(
    indptr: np.ndarray,
    indices: np.ndarray,
    thread: np.ndarray,
    node: np.ndarray,
    p_by_thread: np.ndarray,
    rng: np.random.Generator,
    validate: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample the transmissions of one cascade tick for many (thread, node) frontier pairs.

    Parameters
    ----------
    indptr : ndarray of int64, shape (n + 1,)
        CSR row pointer; ``indices[indptr[i]:indptr[i + 1]]`` are the followers of ``i``.
    indices : ndarray of int32, shape (n_edges,)
        CSR column indices (followers).
    thread, node : array_like of int, shape (f,)
        Frontier pairs. Duplicated pairs are sampled independently.
    p_by_thread : ndarray of float, shape (n_threads,)
        Reshare probability of each thread id, in ``[0, 1]``.
    rng : numpy.random.Generator
        Sole source of randomness.
    validate : bool, optional
        Check that threads and nodes are in range and probabilities in ``[0, 1]``
        (raising ``ValueError``). A caller whose pairs come from this graph and whose
        probabilities are clipped to ``[0, 1]`` may skip the checks; the draws are the
        same either way.

    Returns
    -------
    thread : ndarray of int64
    node : ndarray of int32
        The (thread, follower) pairs of successful transmissions. May contain duplicates and
        already-exposed customers; deduplication is :class:`Exposures`' job.

    Notes
    -----
    Each edge of each frontier pair succeeds independently with probability ``p[thread]``
    (exact in distribution). Pairs are split by probability: ``p == 0`` is dropped, ``p >= 1``
    takes every edge without randomness, ``p > DENSE_P`` draws one uniform per edge, and the
    rest is bucketed by binary exponent (``p`` in ``[2**(e-1), 2**e)``). Within a bucket the
    concatenated neighbour ranges (length ``L``) are sampled by geometric skipping [2]_ at
    ``q = max p`` of the bucket and then thinned with acceptance ``p / q >= 1/2``, so the cost
    is O(f + successes) rather than O(L), for any mix of float probabilities, with a Python
    loop over at most a handful of buckets.

    References
    ----------
    .. [1] Kempe, Kleinberg & Tardos (2003), KDD.
    .. [2] Batagelj & Brandes (2005), Phys. Rev. E 71, 036113.
    """
    thread = np.asarray(thread, dtype=np.int64)
    node = np.asarray(node, dtype=np.int64)
    if thread.shape != node.shape or thread.ndim != 1:
        raise ValueError("thread and node must be 1-D arrays of equal length")
    if thread.size == 0:
        return _EMPTY_I64, np.empty(0, dtype=indices.dtype)
    if validate and (thread.min() < 0 or node.min() < 0 or node.max() >= indptr.size - 1):
        raise ValueError("frontier threads must be >= 0 and nodes in [0, n)")
    p = np.asarray(p_by_thread)[thread].astype(np.float64, copy=False)
    if validate and not (p.min() >= 0.0 and p.max() <= 1.0):  # also rejects NaN
        raise ValueError("reshare probabilities must lie in [0, 1]")
    start = indptr[node]
    deg = indptr[node + 1] - start
    # Group label: binary exponent (<= -1) for sparse p, or one of the positive labels below.
    _, exp = np.frexp(p)
    group = np.maximum(exp, MIN_EXP)
    group[p > DENSE_P] = _DENSE
    group[p >= 1.0] = _FULL
    group[(p == 0.0) | (deg == 0)] = _DROP
    count = np.bincount(group - MIN_EXP, minlength=_DROP - MIN_EXP + 1)
    present = (count[:-1].nonzero()[0] + MIN_EXP).tolist()  # never _DROP, the last label
    whole = len(present) == 1 and count[-1] == 0  # one bucket holds every pair
    out_t: list[np.ndarray] = []
    out_e: list[np.ndarray] = []
    for g in present:  # a handful of probability buckets
        if whole:
            d, s, t, pg = deg, start, thread, p
        else:
            idx = (group == g).nonzero()[0]
            d, s, t, pg = deg[idx], start[idx], thread[idx], p[idx]
        ends = d.cumsum()
        length = int(ends[-1])
        if g in (_DENSE, _FULL):  # concatenate the ranges; one uniform per edge unless p == 1
            edge = concatenated_ranges(s, d, ends)
            te = t.repeat(d)
            if g == _DENSE:
                keep = (rng.random(length) < pg.repeat(d)).nonzero()[0]
                edge, te = edge[keep], te[keep]
            out_e.append(edge)
            out_t.append(te)
            continue
        q = float(pg.max())
        pos = bernoulli_positions(length, q, rng)
        if pos.size == 0:  # nothing to locate or thin (thinning would draw 0 uniforms)
            continue
        seg = ends.searchsorted(pos, side="right")
        if float(pg.min()) < q:  # thinning: accept with probability p / q
            keep = rng.random(seg.size) * q < pg[seg]
            pos, seg = pos[keep], seg[keep]
        out_e.append(pos + (s - (ends - d))[seg])
        out_t.append(t[seg])
    if not out_t:
        return _EMPTY_I64, np.empty(0, dtype=indices.dtype)
    edges = out_e[0] if len(out_e) == 1 else np.concatenate(out_e)
    threads = out_t[0] if len(out_t) == 1 else np.concatenate(out_t)
    return threads, indices[edges]


#: Below this many indices, :func:`_set_bits` is one ``np.bitwise_or.at``.
_SMALL_AT = 2048


def _set_bits(bits: np.ndarray, index: np.ndarray, bit: np.ndarray) -> None:
    """``bits[index] |= bit`` for repeated indices too (``np.bitwise_or.at``): a plain
    fancy update keeps one write of each repeated index, so the bits it lost are set
    again, a few rounds, then by ``np.bitwise_or.at`` if any remain. Below a few
    thousand indices ``np.bitwise_or.at`` alone is faster (measured at 1M customers)."""
    if index.size < _SMALL_AT:
        np.bitwise_or.at(bits, index, bit)
        return
    for _ in range(4):
        bits[index] |= bit
        lost = ((bits[index] & bit) == 0).nonzero()[0]
        if lost.size == 0:
            return
        index, bit = index[lost], bit[lost]
    np.bitwise_or.at(bits, index, bit)


#: From this many pairs on, levels are merged by placing, not sorting (less scratch).
_PLACE_MERGE = 1 << 25
#: Pairs compacted per block (bounds the scratch of :meth:`Exposures.compact`).
_BLOCK = 1 << 22


def _merge(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Merge two disjoint sorted int64 arrays in O(|a| + |b|): timsort merges the two
    runs (scratch: the concatenation and half of it); above :data:`_PLACE_MERGE` pairs,
    ``b`` is placed by binary search and ``a`` fills the rest (scratch: one byte a pair)."""
    if a.size + b.size < _PLACE_MERGE:
        merged = np.concatenate((a, b))
        merged.sort(kind="stable")
        return merged
    at = a.searchsorted(b)
    at += np.arange(b.size)
    merged = np.empty(a.size + b.size, dtype=a.dtype)
    merged[at] = b
    rest = np.ones(merged.size, dtype=bool)
    rest[at] = False
    del at
    merged[rest] = a
    return merged


class Exposures:
    """Distinct (thread, customer) exposure set with per-thread reach counts, vectorized.

    Pairs are int64 keys ``thread * n_customers + node`` held in a few sorted, disjoint levels
    whose sizes shrink by at least ``level_ratio`` (a log-structured merge: the two-level
    big/small scheme generalised). A batch is deduplicated (sort), looked up in every level
    (binary search) and appended as the newest level; the newest level is merged (O(size))
    into the previous one while it is at least ``1/level_ratio`` of its size. With ``N``
    stored pairs there are O(log N) levels and :meth:`add` of ``k`` pairs costs
    O(k log N) lookups plus O(k * level_ratio * log N) amortized copying, instead of the
    O(N) of re-sorting or inserting into one big array.

    Parameters
    ----------
    n_customers : int
        Number of customers (node ids lie in ``[0, n_customers)``).
    capacity_threads : int, optional
        Initial size of the per-thread arrays; they grow by doubling.
    level_ratio : int, optional
        Size ratio between consecutive levels (8: few levels, cheap lookups).

    Notes
    -----
    :meth:`forget` is lazy: forgotten threads are flagged dead at once (their later
    :meth:`add`/:meth:`seed` pairs are ignored, their reach is frozen) and their pairs are
    physically dropped when dead pairs exceed a quarter of storage, or by :meth:`compact`.
    Storage is therefore bounded by about 4/3 of the live pairs.
    """

    def __init__(self, n_customers: int, capacity_threads: int = 1024, level_ratio: int = 8):
        n = int(n_customers)
        if not 0 < n <= np.iinfo(np.int32).max:
            raise ValueError("n_customers must be in [1, 2**31 - 1] (int32 node ids)")
        self.n_customers = n
        self._max_threads = _INT64_MAX // n  # thread * n + node must fit in int64
        cap = max(1, int(capacity_threads))
        self._counts = np.zeros(cap, dtype=np.int64)
        self._dead = np.zeros(cap, dtype=bool)
        self._n_dead_threads = 0
        self._dead_stored = 0  # pairs of dead threads still held in storage
        self._levels: list[np.ndarray] = []  # sorted, disjoint; sizes shrink geometrically
        self._n_stored = 0  # pairs in the levels
        self._ratio = int(level_ratio)
        self._seen: np.ndarray | None = None  # see _seen_bits
        self._seed_t: list[np.ndarray] = []
        self._seed_n: list[np.ndarray] = []

    def _grow(self, max_thread: int) -> None:
        if max_thread >= self._max_threads:
            raise OverflowError(
                f"thread id {max_thread} * n_customers {self.n_customers} overflows int64"
            )
        if max_thread >= self._counts.size:
            cap = max(max_thread + 1, 2 * self._counts.size)
            self._counts = np.pad(self._counts, (0, cap - self._counts.size))
            self._dead = np.pad(self._dead, (0, cap - self._dead.size))

    @property
    def n_pairs(self) -> int:
        """Number of stored (thread, customer) pairs of live threads."""
        return self.n_stored - self._dead_stored

    @property
    def n_stored(self) -> int:
        """Number of pairs physically held, including not-yet-compacted dead ones."""
        return self._n_stored

    def add(
        self, thread: np.ndarray, node: np.ndarray, validate: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Record exposures and return only the new ones.

        Parameters
        ----------
        thread, node : array_like of int, shape (k,)
            Exposure pairs; duplicates and already-known pairs are allowed.
        validate : bool, optional
            Check that threads are ``>= 0`` and nodes in ``[0, n_customers)`` (raising
            ``ValueError``); a caller whose pairs are known to be valid may skip it.

        Returns
        -------
        thread : ndarray of int64
        node : ndarray of int32
            Pairs not seen before (deduplicated within the batch and against history), sorted
            by (thread, node). Pairs of forgotten threads are ignored.
        """
        thread = np.asarray(thread, dtype=np.int64)
        node = np.asarray(node, dtype=np.int64)
        if thread.shape != node.shape or thread.ndim != 1:
            raise ValueError("thread and node must be 1-D arrays of equal length")
        if thread.size == 0:
            return _EMPTY_I64, np.empty(0, dtype=np.int32)
        if validate and (thread.min() < 0 or node.min() < 0 or node.max() >= self.n_customers):
            raise ValueError("thread ids must be >= 0 and nodes in [0, n_customers)")
        self._grow(int(thread.max()))
        keys = sort_unique(thread * self.n_customers + node)
        new = self._insert(keys)
        if new is not None:
            keys = keys[new]
        new_t, new_n = np.divmod(keys, self.n_customers)
        return new_t, new_n.astype(np.int32)

    def add_keys(self, keys: np.ndarray) -> np.ndarray | None:
        """:meth:`add` for pairs given as sorted, distinct int64 keys ``thread x
        n_customers + node`` of valid threads and nodes (not checked): record them and
        return the positions in ``keys`` of the new ones, or ``None`` when all are new."""
        if keys.size == 0:
            return None
        self._grow(int(keys[-1] // self.n_customers))
        return self._insert(keys)

    def _insert(self, keys: np.ndarray) -> np.ndarray | None:
        """Store the new ones of sorted, distinct ``keys``; their positions (``None``:
        all). Each key is looked up in the levels only when :attr:`_seen` says its
        customer has seen a thread of the same id modulo 64: the others cannot be
        stored (every stored pair sets its bit), so the lookups are the same as of
        every key in every level, at a fraction of the cost."""
        n, levels = self.n_customers, self._levels
        if keys.size == 0:
            return np.zeros(0, dtype=np.int64)
        thread, node = np.divmod(keys, n)
        live = None
        if self._n_dead_threads:
            dead = self._dead[thread]
            if dead.any():
                live = (~dead).nonzero()[0]
        if live is not None:
            thread, node = thread[live], node[live]
        bit = np.left_shift(np.uint64(1), (thread & 63).astype(np.uint64))
        if levels:
            seen = self._seen_bits()
            check = ((seen[node] & bit) != 0).nonzero()[0]
            if check.size:
                probe = keys[check] if live is None else keys[live[check]]
                old = np.zeros(probe.size, dtype=bool)
                for level in levels:
                    if probe[0] <= level[-1] and probe[-1] >= level[0]:  # else none is in it
                        old |= ~not_in(probe, level)
                if old.any():
                    fresh = np.ones(thread.size, dtype=bool)
                    fresh[check[old]] = False
                    fresh = fresh.nonzero()[0]
                    live = fresh if live is None else live[fresh]
                    thread, node, bit = thread[fresh], node[fresh], bit[fresh]
        if thread.size == 0:
            return live
        new = keys if live is None else keys[live]
        _set_bits(self._seen_bits(), node, bit)
        levels.append(new)
        self._n_stored += new.size
        while len(levels) > 1 and levels[-1].size * self._ratio >= levels[-2].size:
            small = levels.pop()
            levels[-1] = _merge(levels[-1], small)
        # per-thread counts: thread is sorted, so each thread is one run; bounds = run starts + end
        change = np.empty(thread.size + 1, dtype=bool)
        change[0] = change[-1] = True
        np.not_equal(thread[1:], thread[:-1], out=change[1:-1])
        bounds = change.nonzero()[0]
        self._counts[thread[bounds[:-1]]] += bounds[1:] - bounds[:-1]
        return live

    def _seen_bits(self) -> np.ndarray:
        """Per customer, bit ``t mod 64`` set for every thread ``t`` of a stored pair
        (and perhaps of pairs compacted away since): a filter with false positives only."""
        if self._seen is None:
            self._seen = np.zeros(self.n_customers, dtype=np.uint64)
        return self._seen

    def seed(self, thread: np.ndarray, author: np.ndarray) -> None:
        """Expose authors to their threads and queue them as frontier (see :meth:`take_seeds`)."""
        t, n = self.add(thread, author)
        self._seed_t.append(t)
        self._seed_n.append(n)

    def take_seeds(self) -> tuple[np.ndarray, np.ndarray]:
        """Return and clear the newly seeded (thread, author) pairs, to join the frontier."""
        t = np.concatenate(self._seed_t) if self._seed_t else _EMPTY_I64
        n = np.concatenate(self._seed_n) if self._seed_n else np.empty(0, np.int32)
        self._seed_t, self._seed_n = [], []
        return t, n

    def reach(self, thread: np.ndarray) -> np.ndarray:
        """Number of distinct customers exposed to each thread id (0 for unknown ids)."""
        thread = np.asarray(thread, dtype=np.int64)
        out = np.zeros(thread.shape, dtype=np.int64)
        known = (thread >= 0) & (thread < self._counts.size)
        out[known] = self._counts[thread[known]]
        return out

    def members(self, thread: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every stored (thread, customer) pair of the given live threads: a thread's
        audience so far. Each level holds a thread's pairs contiguously, so this is two
        binary searches per level and one gather, O(threads log N + audience).

        Returns
        -------
        thread : ndarray of int64
        node : ndarray of int32
        """
        thread = sort_unique(np.array(thread, dtype=np.int64).ravel())  # a copy: sorted in place
        if thread.size == 0:
            return _EMPTY_I64, np.empty(0, dtype=np.int32)
        n = self.n_customers
        lo, hi = thread * n, (thread + 1) * n
        parts = []
        for level in self._levels:
            if hi[-1] <= level[0] or lo[0] > level[-1]:  # no thread's keys reach this level
                continue
            start, stop = level.searchsorted(lo), level.searchsorted(hi)
            count = stop - start
            if count.sum() == 0:
                continue
            parts.append(level[concatenated_ranges(start, count)])
        if not parts:
            return _EMPTY_I64, np.empty(0, dtype=np.int32)
        owner, node = np.divmod(parts[0] if len(parts) == 1 else np.concatenate(parts), n)
        return owner, node.astype(np.int32)

    def forget(self, thread: np.ndarray) -> None:
        """Mark threads as no longer live; drop their pairs (lazily); keep their reach."""
        thread = sort_unique(np.array(thread, dtype=np.int64).ravel())  # a copy: sorted in place
        thread = thread[(thread >= 0) & (thread < self._counts.size)]
        thread = thread[~self._dead[thread]]
        if thread.size == 0:
            return
        self._dead[thread] = True
        self._n_dead_threads += thread.size
        # a live thread's pairs are all stored (only dead ones are compacted away), and
        # its count is the number of them
        self._dead_stored += int(self._counts[thread].sum())
        if self._dead_stored > max(4096, self.n_stored // 4):
            self.compact()

    def _live_mask(self, level: np.ndarray) -> np.ndarray:
        """Which pairs of ``level`` belong to live threads, by blocks (small scratch)."""
        n, dead = self.n_customers, self._dead
        live = np.empty(level.size, dtype=bool)
        for start in range(0, level.size, _BLOCK):
            block = level[start : start + _BLOCK]
            np.logical_not(dead[block // n], out=live[start : start + block.size])
        return live

    def compact(self) -> None:
        """Physically remove the pairs of forgotten threads (O(stored pairs))."""
        if self._dead_stored:
            levels = [level[self._live_mask(level)] for level in self._levels]
            self._levels = [level for level in levels if level.size]
            self._n_stored = sum(level.size for level in self._levels)
            self._dead_stored = 0


def cascade_step(
    indptr: np.ndarray,
    indices: np.ndarray,
    exposures: Exposures,
    frontier_thread: np.ndarray,
    frontier_node: np.ndarray,
    p_by_thread: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Advance all cascades by one tick.

    Parameters
    ----------
    indptr, indices : ndarray
        CSR follower graph (see :func:`expand_frontier`).
    exposures : Exposures
        Exposure set, updated in place.
    frontier_thread, frontier_node : ndarray, shape (f,)
        Pairs newly exposed in the previous tick.
    p_by_thread : ndarray of float
        Current reshare probability per thread id.
    rng : numpy.random.Generator
        Sole source of randomness.

    Returns
    -------
    thread : ndarray of int64
    node : ndarray of int32
        The new frontier: pairs exposed for the first time this tick, sorted by (thread, node).

    References
    ----------
    .. [1] Kempe, Kleinberg & Tardos (2003), KDD.
    """
    t, v = expand_frontier(indptr, indices, frontier_thread, frontier_node, p_by_thread, rng)
    return exposures.add(t, v)


class CascadeState:
    """Convenience bundle of a graph, an :class:`Exposures` set and the current frontier.

    Parameters
    ----------
    indptr, indices : ndarray
        CSR follower graph; ``n_customers = len(indptr) - 1``.
    capacity_threads : int, optional
        Initial thread capacity of the exposure set.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, capacity_threads: int = 1024):
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices)
        self.exposures = Exposures(self.indptr.size - 1, capacity_threads)
        self.frontier_thread = _EMPTY_I64
        self.frontier_node = np.empty(0, dtype=np.int32)

    def seed(self, thread: np.ndarray, author: np.ndarray) -> None:
        """Create threads: authors are exposed and join the frontier of the next step."""
        self.exposures.seed(thread, author)
        t, n = self.exposures.take_seeds()
        self.frontier_thread = np.concatenate([self.frontier_thread, t])
        self.frontier_node = np.concatenate([self.frontier_node, n])

    def step(
        self, p_by_thread: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """One tick; returns (and keeps as frontier) the newly exposed pairs."""
        ex, ft, fn = self.exposures, self.frontier_thread, self.frontier_node
        ft, fn = cascade_step(self.indptr, self.indices, ex, ft, fn, p_by_thread, rng)
        self.frontier_thread, self.frontier_node = ft, fn
        return ft, fn

    def forget(self, thread: np.ndarray) -> None:
        """Retire threads: drop their frontier and stored pairs, keep their reach."""
        self.exposures.forget(thread)
        live = ~np.isin(self.frontier_thread, np.asarray(thread, dtype=np.int64))
        self.frontier_thread = self.frontier_thread[live]
        self.frontier_node = self.frontier_node[live]

    def reach(self, thread: np.ndarray) -> np.ndarray:
        """Distinct exposed customers per thread id."""
        return self.exposures.reach(thread)
