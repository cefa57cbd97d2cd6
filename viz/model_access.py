"""Every read of the model's internals that the dashboard makes, in one place.

The dashboard otherwise uses only the public model API (``step``, ``kpis``, ``series``,
``threads``, ``scenario_spec``, ``timeline``). The organization view and the thread
paths need the arrays behind it: ``model.core.org`` (each employee's silo, level, on
board), ``model.core.serving`` (who is busy) and ``model.core.threads`` (each thread's
holder or pool, and the live index). When the core is refactored, only this module
needs rewiring; each function says what it reads.

Nothing here loops in Python over customers, employees or threads: counts are
``numpy.bincount`` over the arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim import OrgModel

__all__ = [
    "FlowTracker",
    "OrgGrid",
    "level_names",
    "org_grid",
    "silo_names",
    "thread_places",
]

_WAITING = 0  # sim.threads.Phase.WAITING
_ANSWERED = 6  # sim.threads.State.ANSWERED: states below it await an answer


def silo_names(model: OrgModel) -> list[str]:
    """The silos, in the org chart's order (reads ``core.org.silo_names``)."""
    return list(model.core.org.silo_names)


def level_names(model: OrgModel) -> list[str]:
    """The hierarchy levels, front line first (from the scenario)."""
    return [level.name for level in model.scenario_spec.levels]


@dataclass(frozen=True)
class OrgGrid:
    """Silos x levels counts of the organization now.

    Attributes
    ----------
    silos, levels
        Row and column names.
    employees, on_board, busy, queued
        ``(silos, levels)`` int arrays: people; people on board; people serving a
        thread now; threads waiting in the own queue of someone in that cell.
    pooled
        Per silo: threads waiting in a pool of that silo (a shared queue, not one
        person's).
    """

    silos: list[str]
    levels: list[str]
    employees: np.ndarray
    on_board: np.ndarray
    busy: np.ndarray
    queued: np.ndarray
    pooled: np.ndarray


def org_grid(model: OrgModel) -> OrgGrid:
    """Counts per silo and level, from the employee and thread arrays.

    Reads ``core.org.silo``, ``level``, ``on_board``; ``core.serving``; and, for the
    live threads, ``threads.phase``, ``state``, ``holder``, ``pool`` and
    ``core.pool_silo``.
    """
    core = model.core
    org = core.org
    n_silos, n_levels = org.n_silos, org.n_levels
    cell = org.silo.astype(np.int64) * n_levels + org.level.astype(np.int64)
    size = n_silos * n_levels

    def per_cell(weights: np.ndarray | None = None, index: np.ndarray = cell) -> np.ndarray:
        return np.bincount(index, weights=weights, minlength=size).reshape(n_silos, n_levels)

    th = core.threads
    live = th.live
    waiting = live[(th.phase[live] == _WAITING) & (th.state[live] < _ANSWERED)]
    holder, pool = th.holder[waiting], th.pool[waiting]
    held = holder[holder >= 0]
    pools = pool[(holder < 0) & (pool >= 0)]
    pool_silo = core.pool_silo[pools].astype(np.int64) if pools.size else np.zeros(0, np.int64)
    return OrgGrid(
        silos=silo_names(model),
        levels=level_names(model),
        employees=per_cell().astype(np.int64),
        on_board=per_cell(org.on_board.astype(float)).astype(np.int64),
        busy=per_cell((core.serving >= 0).astype(float)).astype(np.int64),
        queued=per_cell(index=cell[held]).astype(np.int64),
        pooled=np.bincount(pool_silo, minlength=n_silos).astype(np.int64),
    )


def thread_places(model: OrgModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where every live thread is now.

    Returns
    -------
    (ids, silo, holder)
        The live threads' ids, the silo each sits in (its holder's, else its pool's,
        else -1: with the public, e.g. answered and waiting for a reply) and its holder
        (-1 if none). Reads ``threads.live``, ``holder``, ``pool``, ``core.org.silo``
        and ``core.pool_silo``.
    """
    core = model.core
    th = core.threads
    ids = th.live.copy()
    holder = th.holder[ids].astype(np.int64)
    pool = th.pool[ids].astype(np.int64)
    silo = np.full(ids.size, -1, dtype=np.int64)
    held = holder >= 0
    silo[held] = core.org.silo[holder[held]]
    pooled = ~held & (pool >= 0)
    if pooled.any():
        silo[pooled] = core.pool_silo[pool[pooled]]
    return ids, silo, holder


class FlowTracker:
    """Watches one model between ticks: thread moves between silos, and each thread's
    path of places.

    Call :meth:`observe` after every ``model.step()``. A move is a change of a live
    thread's silo between two ticks; several moves inside one tick are seen as one
    (the model settles zero-length steps within a tick), so these are the moves an
    observer sampling once a tick sees. The model's own ``silo_crossings`` per thread
    counts every crossing.

    Parameters
    ----------
    model
        The model to watch, before or after its first tick.
    """

    def __init__(self, model: OrgModel) -> None:
        self.model = model
        self.n_silos = model.core.org.n_silos
        self._last_silo = np.full(1024, -1, dtype=np.int64)
        self._last_holder = np.full(1024, -1, dtype=np.int64)
        self._seen = np.zeros(1024, dtype=bool)
        # moves: one row per observed change of silo (tick, from, to)
        self._move_tick = np.zeros(0, dtype=np.int64)
        self._move_from = np.zeros(0, dtype=np.int64)
        self._move_to = np.zeros(0, dtype=np.int64)
        # path events: one row per change of place (thread, tick, silo, holder)
        self._events: list[np.ndarray] = []

    def _grow(self, size: int) -> None:
        if size <= self._last_silo.size:
            return
        capacity = max(size, 2 * self._last_silo.size)
        for name, fill in (("_last_silo", -1), ("_last_holder", -1), ("_seen", False)):
            old = getattr(self, name)
            new = np.full(capacity, fill, dtype=old.dtype)
            new[: old.size] = old
            setattr(self, name, new)

    def observe(self) -> None:
        """Record what changed since the last observation (once per tick)."""
        tick = self.model.tick
        ids, silo, holder = thread_places(self.model)
        if ids.size == 0:
            return
        self._grow(int(ids.max()) + 1)
        seen = self._seen[ids]
        before_silo, before_holder = self._last_silo[ids], self._last_holder[ids]
        changed = ~seen | (before_silo != silo) | (before_holder != holder)
        crossed = seen & (before_silo >= 0) & (silo >= 0) & (before_silo != silo)
        if crossed.any():
            self._move_tick = np.concatenate([self._move_tick, np.full(crossed.sum(), tick)])
            self._move_from = np.concatenate([self._move_from, before_silo[crossed]])
            self._move_to = np.concatenate([self._move_to, silo[crossed]])
        if changed.any():
            rows = np.column_stack(
                [ids[changed], np.full(changed.sum(), tick), silo[changed], holder[changed]]
            )
            self._events.append(rows)
        self._last_silo[ids], self._last_holder[ids] = silo, holder
        self._seen[ids] = True

    def flows(self, hours: float = 24.0) -> np.ndarray:
        """``(silos, silos)`` counts of moves from row silo to column silo in the last
        ``hours`` of simulated time."""
        since = self.model.tick - round(hours / self.model.dt_hours)
        recent = self._move_tick > since
        index = self._move_from[recent] * self.n_silos + self._move_to[recent]
        counts = np.bincount(index, minlength=self.n_silos * self.n_silos)
        return counts.reshape(self.n_silos, self.n_silos)

    def path(self, thread: int) -> list[tuple[float, str, int, str]]:
        """A thread's places as observed: ``(hours, silo name or "public", holder,
        holder's level name or "")`` each time it changed, oldest first. Reads
        ``core.org.level`` for the holders."""
        if not self._events:
            return []
        if len(self._events) > 1:
            self._events = [np.concatenate(self._events)]
        events = self._events[0]
        rows = events[events[:, 0] == thread]
        names = silo_names(self.model)
        levels = level_names(self.model)
        level = self.model.core.org.level
        dt = self.model.dt_hours
        return [
            (
                float(tick * dt),
                names[silo] if silo >= 0 else "public",
                int(holder),
                levels[int(level[holder])] if holder >= 0 else "",
            )
            for _, tick, silo, holder in rows.tolist()
        ]
