"""The routing-structure interface (MODEL.md 4.3).

A structure is a policy object. The routing calls four methods and never asks for a
structure's name:

- :meth:`Structure.setup` decides who serves social work, at what share of their
  capacity, and which pools (shared queues) exist;
- :meth:`Structure.route` places threads that open (new, or a follow-up turn);
- :meth:`Structure.advance` moves threads whose current step (service or delay) has
  finished, grouped by the structure's own progress marker, the *leg*;
- :meth:`Structure.on_tick` does per-tick work of the structure's own (coaching).

Levers (approval depth, permeability, intranet, analytics, spin) are read here, each
structure in its own way. All methods are vectorized over the threads they get.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from functools import cached_property
from typing import ClassVar

import numpy as np

from sim.organization.legs import Leg
from sim.organization.routing import Routing
from sim.scenario.structure import StructureParams
from sim.threads import Stage, State

__all__ = ["Leg", "Structure"]


class Structure(ABC):
    """Base class of the routing policies."""

    name: ClassVar[str]
    """The ``structure.kind`` that selects this structure."""
    Params: ClassVar[type[StructureParams]] = StructureParams
    """Its parameters: a subclass of :class:`~sim.scenario.structure.StructureParams`
    whose ``kind`` is :attr:`name` (a scenario's ``[structure]`` table)."""
    order: ClassVar[int] = 100
    """Where it sits in listings, from the most central (switchboard, 10) to the most
    distributed; ties are broken by name."""
    registry: ClassVar[dict[str, type[Structure]]] = {}
    overflows: ClassVar[bool] = False
    """Whether :meth:`overflow` may pair leftover threads and servers (the routing then
    computes what is left after the pools are served)."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            kind = cls.Params.model_fields["kind"].default
            if kind != cls.name:
                raise TypeError(f"{cls.__name__}.Params has kind {kind!r}, not {cls.name!r}")
            Structure.registry[cls.name] = cls

    # --------------------------------------------------------------- interface

    @abstractmethod
    def setup(self, routing: Routing) -> None:
        """Set social shares and pools. Called once, before the first tick."""

    @abstractmethod
    def route(self, routing: Routing, ids: np.ndarray) -> None:
        """Place threads that have just opened a turn."""

    @abstractmethod
    def leg_handlers(self) -> dict[int, Callable[[Routing, np.ndarray], None]]:
        """What to do when a step ends, by leg."""

    @cached_property
    def handlers(self) -> dict[int, Callable[[Routing, np.ndarray], None]]:
        """:meth:`leg_handlers`, built once (:meth:`advance` runs every tick)."""
        return self.leg_handlers()

    def on_tick(self, routing: Routing) -> None:  # noqa: B027 - optional hook
        """Per-tick work of the structure's own (default: none)."""

    def overflow(
        self,
        routing: Routing,
        waiting: np.ndarray,
        free: np.ndarray,
        priority: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (thread, server) to start beyond the queues' own matching: called
        with the pooled threads left waiting and the pool members left free (only
        when there are both), and the waiting threads' :meth:`Routing.priority` if
        the caller has it (else it is computed where needed). Default: none."""
        return waiting[:0], free[:0]

    def uses_analytics(self, routing: Routing) -> bool:
        """Prioritise influential authors in queues (essay 003, analytics)."""
        return routing.levers.culture.analytics

    def uses_intranet(self, routing: Routing) -> bool:
        """Expert finding through the social intranet (essay 003)."""
        return routing.levers.culture.social_intranet

    def advance(self, routing: Routing, ids: np.ndarray) -> None:
        """Dispatch finished threads to the handler of their leg."""
        if ids.size == 0:
            return
        legs = routing.threads.leg[ids]
        approvals = legs >= Leg.APPROVAL
        if approvals.any():
            self.continue_approval(routing, ids[approvals])
            ids, legs = ids[~approvals], legs[~approvals]
            if ids.size == 0:
                return
        present = np.bincount(legs).nonzero()[0].tolist()  # the legs, in order (np.unique)
        for leg in present:
            handler = self.handlers.get(leg)
            if handler is None:
                raise RuntimeError(f"{self.name}: no handler for leg {leg}")
            handler(routing, ids if len(present) == 1 else ids[legs == leg])

    # ----------------------------------------------------------------- helpers

    def set_social_shares(self, routing: Routing, serving: np.ndarray) -> None:
        """On-board employees give ``social_share_onboard`` of their capacity to
        social work; the others in ``serving`` give ``social_share_offboard``
        (essay 003: experts "who aren't on board" treat it as low priority)."""
        spec = routing.scenario.organization
        org = routing.org
        share = np.where(org.on_board, spec.social_share_onboard, spec.social_share_offboard)
        org.social_share[:] = np.where(serving, share, 0.0)

    def experts_by_silo(self, routing: Routing) -> tuple[np.ndarray, np.ndarray]:
        """Front-line employees sorted by silo, and each silo's start offset."""
        org = routing.org
        front = np.flatnonzero(org.level == 0)
        front = front[np.argsort(org.silo[front], kind="stable")]
        counts = np.bincount(org.silo[front], minlength=org.n_silos)
        return front, np.concatenate([[0], np.cumsum(counts)])

    def pick_least_loaded(
        self, routing: Routing, members: np.ndarray, offsets: np.ndarray, group: np.ndarray
    ) -> np.ndarray:
        """For each thread, one member of its group by the power of two choices:
        draw two members at random and take the one holding fewer threads
        (Mitzenmacher 2001, "The power of two choices in randomized load
        balancing"). Close to join-the-shortest-queue, so separate queues are not
        penalised by an artefact of random assignment (MODEL.md 4.3)."""
        start = offsets[group]
        count = offsets[group + 1] - start
        if (count == 0).any():
            raise ValueError("a silo has no one to route to")
        u = routing.streams.routing.random((2, group.size))
        a = members[start + (u[0] * count).astype(np.int64)]
        b = members[start + (u[1] * count).astype(np.int64)]
        load = routing.holder_load()
        return np.where(load[b] < load[a], b, a)

    def pick_free(
        self, routing: Routing, members: np.ndarray, offsets: np.ndarray, group: np.ndarray
    ) -> np.ndarray:
        """For each thread, a member of its group who holds no thread now (an available
        expert the social intranet can show, MODEL.md 4.3), drawn at random among them;
        -1 where no member of the group is free. One uniform per thread."""
        u = routing.streams.routing.random(group.size)
        free = routing.holder_load()[members] == 0
        before = np.concatenate([[0], np.cumsum(free)])  # free members before each position
        start = before[offsets[:-1]]
        n = (before[offsets[1:]] - start)[group]
        k = start[group] + np.minimum((u * n).astype(np.int64), np.maximum(n - 1, 0))
        chosen = np.full(group.size, -1, dtype=np.int64)
        has = n > 0
        chosen[has] = members[free][k[has]]
        return chosen

    def needs_consult(self, routing: Routing, ids: np.ndarray) -> np.ndarray:
        """Whether each thread still needs its second silo's knowledge (MODEL.md 2, 4.3).
        A holder who belongs to that silo has it: the thread counts as consulted."""
        th = routing.threads
        second = th.second_silo[ids]
        has_it = (second >= 0) & (routing.org.silo[th.holder[ids]] == second)
        th.consulted[ids[has_it]] = True
        return (second >= 0) & ~th.consulted[ids]

    def consult_expert(self, routing: Routing, ids: np.ndarray, hours: np.ndarray | float) -> None:
        """Send threads to a front-line expert of their second silo (power of two
        choices) for that silo's part, arriving after ``hours`` (mean)."""
        second = routing.threads.second_silo[ids].astype(np.int64)
        expert = self.pick_least_loaded(routing, self.experts, self.expert_offsets, second)
        routing.enqueue(
            ids,
            Stage.FORWARD,
            State.FORWARDED,
            Leg.CONSULT,
            holder=expert,
            delay_hours=hours,
            delay_spec=routing.scenario.service.handoff,
        )

    def back_to_author(self, routing: Routing, ids: np.ndarray) -> None:
        """The second silo gave its part: the answer goes back to its author, who posts
        it or sends it up for approval. The consult was a question across the wall, not
        a handoff of the thread, so the way back counts no hop."""
        th = routing.threads
        th.consulted[ids] = True
        th.holder[ids] = th.drafter[ids]
        self.approve_or_post(routing, ids)

    def crossing_hours(self, routing: Routing, silo: np.ndarray | int) -> np.ndarray | float:
        """Mean handoff hours into each ``silo``, slower as permeability falls (the silo's
        ``handoff_hours`` / permeability)."""
        handoff = np.array([s.handoff_hours for s in routing.scenario.silos])
        return handoff[silo] / routing.levers.culture.silo_permeability

    def approve_or_post(self, routing: Routing, ids: np.ndarray) -> None:
        """Start the approval chain above the current holder (MODEL.md 4.4): wait at
        each level up to :meth:`approval_depth` levels, then post."""
        if ids.size == 0:
            return
        routing.threads.leg[ids] = Leg.APPROVAL
        done = np.zeros(ids.size, dtype=np.int64)  # (what the leg just set says)
        self._approval_step(routing, ids, self.approval_depth(routing, ids), done)

    def continue_approval(self, routing: Routing, ids: np.ndarray) -> None:
        """One more level of approval, or post when the chain is done."""
        if ids.size == 0:
            return
        done = routing.threads.leg[ids].astype(np.int64) - Leg.APPROVAL
        self._approval_step(routing, ids, self.approval_depth(routing, ids), done)

    def record_draft(self, routing: Routing, ids: np.ndarray) -> None:
        """The holder who finished drafting is the answer's author."""
        routing.threads.drafter[ids] = routing.threads.holder[ids]

    def approval_depth(self, routing: Routing, ids: np.ndarray) -> np.ndarray:
        """Approval levels this structure requires for each thread (default: the
        lever, for every thread)."""
        return np.full(ids.size, routing.levers.structure.approval_depth)

    def _approval_step(
        self, routing: Routing, ids: np.ndarray, depth: np.ndarray, done: np.ndarray
    ) -> None:
        """Threads below their ``depth`` with a manager above climb one level and wait
        for that approver; the others post. ``done`` counts the approvals each thread
        has had in this turn (its leg minus ``Leg.APPROVAL``)."""
        th = routing.threads
        approver = routing.org.manager[th.holder[ids]]
        more = (done < depth) & (approver >= 0)
        if not more.any():
            routing.post(ids)
            return
        climbing, approvers = ids[more], approver[more]
        th.holder[climbing] = approvers
        th.approvals_waited[climbing] += 1
        routing.wait(
            climbing,
            State.APPROVAL,
            Leg.APPROVAL + done[more] + 1,
            routing.approval_hours(approvers),
            routing.scenario.service.approve,
        )
        routing.post(ids[~more])
