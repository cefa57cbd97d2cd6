"""The waiting threads of a tick's later matching rounds, kept as a front and a rest.

A tick is worked in rounds (:meth:`sim.organization.core.OrgCore._work`). The first
matches every free server against the whole backlog, about 100,000 threads at the
benchmark's load; the later ones serve the few servers whose item ended inside the
tick (0-3 against 30-110 in the first, docs/PERFORMANCE.md), and reading the whole
backlog again for them was most of a round's cost.

So the first round also marks each pool's *front*: its best few hundred threads
(:class:`sim.organization.dispatch.PoolFront`). Later rounds match only the front, the
threads held by one employee (own queues), those that arrive within the tick (a late
arrival's rank depends on when a server is free) and those that start waiting since.
The *rest* stays out of them. Nothing in a later round can take a rest thread unless
the front runs short, and that is checked before anything is drawn
(:meth:`sim.organization.dispatch.PoolFront.is_behind`): then the round
falls back to the whole backlog (:meth:`Front.backlog_now`), in its order, and the
result is exactly the one the whole backlog gives. The waiting threads keep the
order they had, which decides ties.

Within a tick a waiting thread's place and priority do not change (only the threads
that step, start or arrive do), so the rest needs no rereading.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.organization.dispatch import PoolFront

__all__ = ["Front"]


@dataclass
class Front:
    """The waiting threads of the later rounds: a front (matched) and a rest (not).

    Parameters
    ----------
    backlog
        The waiting threads when the front was marked, in their order (a copy).
    near
        Positions in ``backlog`` of the threads later rounds match (ascending).
    rest
        Per position in ``backlog``: whether the thread is in the rest.
    pools
        The pools' fronts as marked (:class:`PoolFront`): where the rest of each
        pool can be.
    rest_max
        The highest priority in the rest (``-inf``: none): a late arrival ranks after
        every thread of the whole backlog (:meth:`OrgCore._rank`). Exact as long as
        one of ``rest_top`` waits (a front whose ``rest_top`` all left is dropped).
    rest_offered
        Whether every rest thread has been offered to the overflow this tick, so that
        an overflow of a later round sees just what it would see with the rest.
    """

    backlog: np.ndarray
    near: np.ndarray
    rest: np.ndarray
    pools: PoolFront
    rest_max: float
    rest_offered: bool
    rest_top: np.ndarray | None = None
    """The rest threads of priority ``rest_max``, where an overflow could take them
    (empty: not needed)."""
    appended: np.ndarray | None = None
    """Threads that started waiting since, in the order they came."""

    def __post_init__(self) -> None:
        if self.appended is None:
            self.appended = np.zeros(0, dtype=self.backlog.dtype)
        if self.rest_top is None:
            self.rest_top = np.zeros(0, dtype=self.backlog.dtype)
        self.has_rest = bool(np.isfinite(self.pools.floor).any())
        """Whether any pool may have rest threads (as marked; it may have lost them
        since, which only makes the checks stricter than needed)."""

    def threads(self) -> np.ndarray:
        """The threads a later round matches, in backlog order, then the newcomers."""
        near = self.backlog.take(self.near)
        return np.concatenate([near, self.appended]) if self.appended.size else near

    def append(self, ids: np.ndarray) -> None:
        """Threads that started waiting (after all the others)."""
        self.appended = np.concatenate([self.appended, ids])

    def keep(self, still: np.ndarray) -> None:
        """Keep the threads of :meth:`threads` where ``still`` is true (those that
        are still waiting)."""
        n = self.near.size
        self.near = self.near.compress(still[:n])
        self.appended = self.appended.compress(still[n:])

    def backlog_now(self) -> np.ndarray:
        """Every waiting thread, in the order the whole backlog would have them."""
        mask = self.rest.copy()
        mask[self.near] = True
        return np.concatenate([self.backlog.compress(mask), self.appended])
