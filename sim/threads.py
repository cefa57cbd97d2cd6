"""The thread table: a growable structure of arrays (MODEL.md section 2, messages).

One row per public thread. Columns are numpy arrays that grow by doubling, so
appending is amortised O(1) and never quadratic. The per-tick core works on the index
array of *live* threads (not yet resolved, abandoned or closed) so that its cost
follows the open workload, not the run's history.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from sim.ids import not_in

__all__ = ["NO_TICK", "Kind", "Phase", "Speaker", "Stage", "State", "ThreadTable", "names"]

NO_TICK = np.int32(-1)


class State(IntEnum):
    """Lifecycle (MODEL.md 2): open -> triage -> forwarded -> drafting -> polishing
    -> approval -> answered -> resolved | open (follow-up turn) | abandoned."""

    OPEN = 0
    TRIAGE = 1
    FORWARDED = 2
    DRAFTING = 3
    POLISHING = 4
    APPROVAL = 5
    ANSWERED = 6
    RESOLVED = 7
    ABANDONED = 8


class Stage(IntEnum):
    """Work stages with a service time (MODEL.md 4.4). Approval is a wait, not a served
    stage (:meth:`sim.organization.core.OrgCore.wait`); posting takes no time."""

    TRIAGE = 0
    FORWARD = 1
    DRAFT = 2
    POLISH = 3


class Phase(IntEnum):
    """Where a live thread sits inside its state."""

    WAITING = 0  # in a queue (an employee's own, or a pool's)
    SERVICE = 1  # being worked on until ``ready_at``
    DELAY = 2  # in transit, awaiting approval or a follow-up until ``ready_at``
    IDLE = 3  # answered and done talking, or terminal


class Kind(IntEnum):
    """What a thread is (MODEL.md 2, messages); the schema's names are these, lower case."""

    COMPLAINT = 0
    QUESTION = 1
    PRAISE = 2


def names(codes: type[IntEnum]) -> tuple[str, ...]:
    """The lower-case names of an enum's codes 0, 1, 2, ... in order: the words the
    scenario files and output tables use for them.

    >>> names(Kind)
    ('complaint', 'question', 'praise')
    >>> names(Speaker)
    ('expert', 'generalist', 'brand', 'executive')
    """
    members = sorted((m for m in codes if m.value >= 0), key=lambda m: m.value)
    assert [m.value for m in members] == list(range(len(members))), "codes must be 0, 1, ..."
    return tuple(m.name.lower() for m in members)


class Speaker(IntEnum):
    """Who spoke an answer (MODEL.md 4.5)."""

    NONE = -1
    EXPERT = 0
    GENERALIST = 1
    BRAND = 2
    EXECUTIVE = 3


# name -> (dtype, fill value for new rows). Columns ``*_tick`` count whole ticks (the
# tick an event fell in, which the public side reads); columns ``*_at`` are continuous
# times in hours since the run began (MODEL.md 4.4: time does not depend on the tick).
# ``clock`` is the time of a thread's latest step, ``ready_at`` when its current step
# (service, transit, approval, follow-up) ends; ``service_ticks`` is continuous.
COLUMNS: dict[str, tuple[type, float]] = {
    # set at creation (the public's side)
    "kind": (np.int8, 0),
    "topic": (np.int16, 0),
    "channel": (np.int8, 0),
    "severity": (np.float32, 0.0),
    "influence": (np.float32, 1.0),
    "author": (np.int32, -1),
    "created_tick": (np.int32, 0),
    "created_at": (np.float64, 0.0),
    "patience_ticks": (np.float32, np.inf),
    "second_silo": (np.int16, -1),
    # lifecycle
    "state": (np.int8, State.OPEN),
    "phase": (np.int8, Phase.WAITING),
    "stage": (np.int8, Stage.TRIAGE),
    "leg": (np.int8, 0),
    "holder": (np.int32, -1),
    "pool": (np.int32, -1),
    "ready_at": (np.float64, -1.0),
    "clock": (np.float64, 0.0),
    "turn_tick": (np.int32, 0),
    "deadline_tick": (np.float32, np.inf),
    "deadline_at": (np.float64, np.inf),
    "drafter": (np.int32, -1),
    "editor": (np.int32, -1),
    "polished": (np.bool_, False),
    "consulted": (np.bool_, False),
    "backed": (np.bool_, False),
    "offered_tick": (np.int32, -1),
    # counters
    "hops": (np.int16, 0),
    "silo_crossings": (np.int16, 0),
    "approvals_waited": (np.int16, 0),
    "turns": (np.int16, 0),
    "escalations": (np.int8, 0),
    "service_ticks": (np.float64, 0.0),
    # outcomes
    "first_response_tick": (np.int32, -1),
    "first_response_at": (np.float64, -1.0),
    "resolution_tick": (np.int32, -1),
    "resolution_at": (np.float64, -1.0),
    "abandon_tick": (np.int32, -1),
    "abandon_at": (np.float64, -1.0),
    "voice": (np.int8, Speaker.NONE),
    "voice_weight": (np.float32, 0.0),
    "authenticity": (np.float32, 0.0),
    "quality": (np.float32, 0.0),
    "gaffe": (np.bool_, False),
    "admitted": (np.bool_, False),
    "spun": (np.bool_, False),
    "spin_found_tick": (np.int32, -1),
    "fidelity": (np.float32, 1.0),
}


class ThreadTable:
    """Structure of arrays, one row per thread, grown by doubling.

    Attributes are full-capacity arrays; only the first :attr:`size` rows are real.
    Use :meth:`column` for a view of the real rows.
    """

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self._capacity = max(16, int(capacity))
        for name, (dtype, fill) in COLUMNS.items():
            setattr(self, name, np.full(self._capacity, fill, dtype=dtype))
        self.live = np.zeros(0, dtype=np.int64)

    def _grow(self, needed: int) -> None:
        capacity = self._capacity
        while capacity < needed:
            capacity *= 2
        for name, (dtype, fill) in COLUMNS.items():
            old = getattr(self, name)
            new = np.full(capacity, fill, dtype=dtype)
            new[: self.size] = old[: self.size]
            setattr(self, name, new)
        self._capacity = capacity

    def append(self, n: int, **values: np.ndarray | float | int) -> np.ndarray:
        """Append ``n`` rows, set the given columns, and return their ids."""
        if n <= 0:
            return np.zeros(0, dtype=np.int64)
        if self.size + n > self._capacity:
            self._grow(self.size + n)
        ids = np.arange(self.size, self.size + n, dtype=np.int64)
        for name, value in values.items():
            if name not in COLUMNS:
                raise KeyError(f"unknown thread column {name!r}")
            getattr(self, name)[ids] = value
        self.size += n
        self.live = np.concatenate([self.live, ids])
        return ids

    def revive(self, ids: np.ndarray) -> None:
        """Make threads live again: the live index stays sorted, each id once
        (``np.union1d(live, ids)``, placing the few new ids by binary search instead of
        sorting the whole index again)."""
        if ids.size == 0:
            return
        live = self.live
        ids = np.unique(ids).astype(live.dtype, copy=False)
        ids = ids[not_in(ids, live)]
        if ids.size:
            self.live = np.insert(live, live.searchsorted(ids), ids)

    def column(self, name: str) -> np.ndarray:
        """A view of one column's real rows."""
        return getattr(self, name)[: self.size]

    def compact(self) -> None:
        """Drop terminal and idle threads from the live index."""
        live = self.live
        keep = self.phase.take(live) != Phase.IDLE
        if not keep.all():
            self.live = live.compress(keep)

    def count_by_state(self) -> np.ndarray:
        """Number of threads in each :class:`State` (all rows, not only live)."""
        return np.bincount(self.state[: self.size], minlength=len(State))
