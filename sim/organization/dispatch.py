"""Serving queues by ranking within queues (MODEL.md 4.4, process step 5).

A queue is either one employee's own queue or a *pool* (a team's shared queue, as a
switchboard's comms team or a silo's public feed). Each tick every free server takes
at most one thread: first from its own queue, then from its pool. Threads are ranked
within their queue by one ``argsort`` of an int64 composite key
``queue << 43 | priority << 22 | position`` (no ``lexsort``, which is 5-9x slower
here); the position term makes every key unique, so the order is the same on every
machine whatever the sort algorithm. Free pool servers are matched to the pool's
top-ranked threads rank for rank: the server free first takes the best thread (ties
in a random order).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.organization.scratch import Scratch

__all__ = ["PoolFront", "first_k", "match_own_queues", "match_pools", "rank_keys"]

_PRIORITY_BITS = 21
_POSITION_BITS = 22
_LEVEL_CAP = (1 << _PRIORITY_BITS) - 1  # quarter ticks above the origin; higher ties


def rank_keys(queue: np.ndarray, priority: np.ndarray, origin: float | None = None) -> np.ndarray:
    """Unique int64 sort keys: by queue, then priority (lower first), then position.

    ``priority`` is in ticks (float); it is quantised to quarter ticks relative to
    ``origin`` (default: its minimum; no priority may be below it). Queues must be
    below 2**20 and the batch below 2**22 rows.
    """
    n = queue.size
    if n >= 1 << _POSITION_BITS:
        raise ValueError(f"too many queued threads to rank at once: {n}")
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    q = _levels(priority, priority.min() if origin is None else origin).astype(np.int64)
    return (
        (queue.astype(np.int64) << (_PRIORITY_BITS + _POSITION_BITS))
        | (q << _POSITION_BITS)
        | np.arange(n, dtype=np.int64)
    )


def _levels(priority: np.ndarray, origin: float) -> np.ndarray:
    """Quarter-tick levels of ``priority`` above ``origin`` (floats), capped: the
    quantisation of :func:`rank_keys`, which :meth:`PoolFront.is_behind` must repeat."""
    return np.minimum(np.rint((priority - origin) * 4.0), _LEVEL_CAP)


def first_k(values: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest ``values``, smallest first, ties in position order:
    exactly ``np.argsort(values, kind="stable")[:k]``, without sorting them all.

    The ``k``-th smallest of an evenly spaced sample (about ``64 k`` values) is at least
    the ``k``-th smallest of all, so the values at most it include the ``k`` first of
    the full stable sort; only those are sorted.

    >>> first_k(np.array([3.0, 1.0, 2.0, 1.0, 0.5]), 3).tolist()
    [4, 1, 3]
    """
    n = values.size
    if k <= 0:
        return np.zeros(0, dtype=np.intp)
    if 4 * k >= n:  # a selection would save little
        return np.argsort(values, kind="stable")[:k]
    sample = values[:: max(1, n // (64 * k))]  # (at least 64 k values, so at least k)
    bound = np.partition(sample, k - 1)[k - 1]
    if bound != bound:  # NaN: fewer than k numbers; the stable sort puts NaN last
        return np.argsort(values, kind="stable")[:k]
    candidates = np.flatnonzero(values <= bound)
    return candidates[np.argsort(values.take(candidates), kind="stable")[:k]]


@dataclass
class PoolFront:
    """The front of each pool: what :func:`match_pools` is asked to mark for later rounds.

    The front of a pool is its ``size`` best threads (more where ``n_free`` is larger),
    rounded up to whole priority levels, so every thread off it is ranked behind every
    thread on it. Filled by :func:`match_pools` when its prefilter builds the histogram
    (``near`` stays ``None`` otherwise).
    """

    size: int
    near: np.ndarray | None = None
    """Whether each thread given is on its pool's front."""
    floor: np.ndarray | None = None
    """Per pool, a priority that no thread off its front is below (``inf``: none is off)."""
    last: np.ndarray | None = None
    """Per pool, the last level on its front, counted from ``origin``."""
    origin: float = 0.0
    """The lowest priority of the threads it was marked among (the levels' origin)."""

    def is_behind(self, pool: np.ndarray, priority: np.ndarray, n_free: np.ndarray) -> bool:
        """Whether matching only ``pool``, ``priority`` (some of a front's threads and
        newcomers) gives what matching them with the threads off the front would.

        It is exact when (1) no thread off the front can hold the batch's lowest
        priority, the origin of the rank keys' levels, and (2) every pool with a free
        server has at least that many threads here whose level is strictly below the
        lowest level a thread off its front can have: their keys then all come after
        the ones taken, whatever their positions. With the origin the front was marked
        from, that lowest level is the level after the front's last; else a level
        worked out from ``floor``."""
        off = np.isfinite(self.floor)
        if not off.any():
            return True
        need = off & (n_free > 0)
        if priority.size == 0:
            return not need.any()
        origin = float(priority.min())
        if (self.floor[off] < origin).any():
            return False  # (the origin might be off the front)
        if not need.any():
            return True
        limit = np.full(n_free.size, -1.0)
        if origin == self.origin:  # the same levels as when the front was marked
            limit[need] = np.minimum(self.last[need] + 1.0, _LEVEL_CAP)
        else:
            limit[need] = _levels(self.floor[need], origin)
        ahead = np.bincount(pool[_levels(priority, origin) < limit[pool]], minlength=n_free.size)
        return bool((ahead[need] >= n_free[need]).all())


def _group_starts(sorted_group: np.ndarray) -> np.ndarray:
    """For a sorted group array: whether each row is its group's first."""
    is_start = np.empty(sorted_group.size, dtype=bool)
    is_start[:1] = True
    np.not_equal(sorted_group[1:], sorted_group[:-1], out=is_start[1:])
    return is_start


def _group_rank(sorted_group: np.ndarray, n_groups: int) -> np.ndarray:
    """For a sorted array of groups in ``[0, n_groups)``: the rank of each row within
    its group (its position minus where its group starts)."""
    group_start = sorted_group.searchsorted(np.arange(n_groups))
    return np.arange(sorted_group.size) - group_start[sorted_group]


def match_own_queues(
    thread: np.ndarray, holder: np.ndarray, priority: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each free employee takes the best thread of its own queue.

    Parameters
    ----------
    thread, holder, priority
        Waiting threads with an individual holder, their holder and priority.
    free
        Bool per employee: may start a task this tick.

    Returns
    -------
    (threads, servers) that start service now.
    """
    eligible = free[holder]
    thread, holder, priority = thread[eligible], holder[eligible], priority[eligible]
    if thread.size == 0:
        return thread, holder
    order = rank_keys(holder, priority).argsort()
    first = order[_group_starts(holder[order])]  # each holder's best
    return thread[first], holder[first]


def _head_of_pools(
    pool: np.ndarray,
    priority: np.ndarray,
    n_free: np.ndarray,
    origin: float,
    work: Scratch | None = None,
    front: PoolFront | None = None,
) -> np.ndarray:
    """Mask of the threads that can be among each pool's ``n_free`` best (and, if
    asked, each pool's front: :class:`PoolFront`, from the same histogram).

    A histogram of quantised priority per pool gives, for each pool, the priority
    level at which the cumulative count reaches its number of free servers; threads
    above it cannot be served this tick, so they are dropped before the sort. The
    selection is exactly the one a full sort would make (the survivors are ranked
    from the same ``origin``), at the cost of one ``bincount`` instead of an
    ``argsort`` of every queued thread. The per-row work reads ``pool`` and
    ``priority`` once each and makes one integer key and the mask, in the work
    arrays of ``work`` if given (a tick's cost here is mostly fresh temporaries of the
    queue's size otherwise: :mod:`sim.organization.scratch`).
    """
    has_server = n_free > 0
    if pool.size < 4 * max(1, int(n_free.sum())):
        return has_server[pool]
    if (priority.max() - origin) * 4.0 >= _LEVEL_CAP - 1:
        return has_server[pool]  # levels reach the rank key's cap, where ties are by position
    n_pools = n_free.size
    n = priority.size
    scaled = np.subtract(
        priority, origin, out=None if work is None else work.get("scaled", n, float)
    )
    scaled *= 4.0
    np.rint(scaled, out=scaled)
    if work is None:
        level = scaled.astype(np.int64)
    else:
        level = work.get("level", n, np.int64)
        np.copyto(level, scaled, casting="unsafe")  # (as astype: whole numbers, in range)
    span = int(level.max()) + 1
    if n_pools * span > 1 << 22:  # too fine-grained to histogram: keep all
        return has_server[pool]
    if n_pools > 1:  # (pool, level) cells, pool-major
        level += np.multiply(
            pool, span, out=None if work is None else work.get("cell", n, pool.dtype)
        )
    hist = np.bincount(level, minlength=n_pools * span).reshape(n_pools, span)
    reached = np.cumsum(hist, axis=1) >= n_free[:, None]
    threshold = np.where(reached.any(axis=1), reached.argmax(axis=1), span)
    keep = (np.arange(span) <= threshold[:, None]) & has_server[:, None]  # by cell
    if front is not None:
        _mark_front(front, hist, level, n_free, origin)
    return keep.ravel()[level]


def _mark_front(
    front: PoolFront, hist: np.ndarray, cell: np.ndarray, n_free: np.ndarray, origin: float
) -> None:
    """Fill ``front`` from the prefilter's histogram (pools x levels) and each thread's
    cell in it. A thread off the front has a level above its pool's front's last,
    ``(priority - origin) x 4`` rounded, so its priority is at least that level's
    lower edge (less a rounding margin)."""
    n_pools, span = hist.shape
    counts = np.cumsum(hist, axis=1)
    wanted = np.maximum(front.size, n_free)
    reached = counts >= wanted[:, None]
    last = np.where(reached.any(axis=1), reached.argmax(axis=1), span - 1)
    front.near = (np.arange(span) <= last[:, None]).ravel()[cell]
    rest = counts[np.arange(n_pools), last] < counts[:, -1]
    edge = origin + (last + 0.5) / 4.0
    margin = 1e-9 * (1.0 + np.abs(edge))
    front.floor = np.where(rest, edge - margin, np.inf)
    front.last = last.astype(np.float64)
    front.origin = origin


def match_pools(
    thread: np.ndarray,
    pool: np.ndarray,
    priority: np.ndarray,
    free_servers: np.ndarray,
    server_pool: np.ndarray,
    n_pools: int,
    rng: np.random.Generator,
    free_from: np.ndarray | None = None,
    work: Scratch | None = None,
    *,
    front: PoolFront | None = None,
    rest: PoolFront | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Free members of each pool take the pool's best threads, one each: the member
    free first (``free_from``, hours) takes the best one; members free at the same time
    are taken in a random order.

    Parameters
    ----------
    thread, pool, priority
        Waiting pooled threads.
    free_servers, server_pool
        Free employees that belong to a pool, and their pool.
    free_from
        When each of them became free (default: all at once).
    work
        Work arrays for the per-thread steps (default: fresh ones).
    front
        If given, filled with each pool's front (:class:`PoolFront`), for later rounds.
    rest
        These threads are (what is left of) the fronts ``rest`` marked, and
        newcomers: the pools hold the threads off the fronts too. Whether they can
        change the matching is checked (:meth:`PoolFront.is_behind`) before anything
        is drawn.

    Returns
    -------
    (threads, servers) that start service now; ``None`` when a front given with
    ``rest`` cannot decide the matching (then nothing was drawn).
    """
    if free_servers.size == 0:
        return thread[:0], free_servers[:0]
    n_free = np.bincount(server_pool, minlength=n_pools)
    if rest is not None and not rest.is_behind(pool, priority, n_free):
        return None
    if thread.size == 0:
        return thread[:0], free_servers[:0]
    origin = float(priority.min())
    keep = np.flatnonzero(_head_of_pools(pool, priority, n_free, origin, work, front))
    thread, pool, priority = thread.take(keep), pool.take(keep), priority.take(keep)
    if thread.size == 0:
        return thread, free_servers[:0]
    order = rank_keys(pool, priority, origin).argsort()
    sorted_pool = pool[order]
    rank = _group_rank(sorted_pool, n_pools)
    take = rank < n_free[sorted_pool]
    chosen, chosen_pool, chosen_rank = order[take], sorted_pool[take], rank[take]
    # free servers by pool, then the first free first, ties in a random order
    tiebreak = rng.random(free_servers.size)
    if free_from is None or free_from.min() == free_from.max():
        server_order = (server_pool + tiebreak).argsort()  # pool first, then random
    else:
        server_order = np.lexsort((tiebreak, free_from, server_pool))
    pool_start = n_free.cumsum() - n_free  # where each pool's servers begin
    servers = free_servers[server_order][pool_start[chosen_pool] + chosen_rank]
    return thread[chosen], servers
