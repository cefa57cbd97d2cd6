"""Direct dial: enabled, empowered employees answer directly.

MODEL.md 4.3; essay 003: "'Direct dial' translates ... into 'Enabled and Empowered
Employees'"; essay 000: "Social interactions on the net are blind to internal silos."

1. On-board employees watch the public feed; each silo's on-board staff form a pool
   that claims threads on the silo's own topics first.
2. While a thread waits because every watcher of its silo is busy, a free watcher of
   another silo claims it at ``permeability x cross_claim`` (a chance per hour, made a
   chance per tick as ``1 - (1 - p) ** tick_hours``): the public is blind to silos; a
   silo wall makes others leave it alone. Threads of a silo with no one on board go to
   the other silos' feeds at once.
3. That claimant finds an expert. With the social intranet it sees who of the owning
   silo's on-board staff is free and hands the thread over in ``intranet_find_hours``;
   with no one free it answers itself, backed by shared knowledge (essay 003: "a social
   intranet where they can get backed up by shared knowledge and easy-to-reach
   experts"). Without the intranet it finds an expert only with
   ``offline_find_probability``, after ``offline_find_hours``, or answers as a
   generalist with lower quality.
4. A draft that needs a second silo's knowledge (MODEL.md 2) makes its author consult
   that silo's on-board staff: a question across the wall that arrives after
   ``consult_hours / permeability`` (``intranet_find_hours`` at most with the intranet).
   When no one of that silo is on board, the author finds one of its experts as in 3,
   or answers without that knowledge at ``generalist_quality``. So silo walls slow
   direct dial too, less than a switchboard, whose forwarding crosses them in formal
   handoffs of ``handoff_hours / permeability``.
5. Empowered employees post in their own voice; the others wait for approval up their
   own chain (``approval_depth`` levels).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from sim.organization.dispatch import first_k
from sim.organization.routing import Routing
from sim.organization.structures.base import Leg, Structure
from sim.scenario.base import Hours, Share
from sim.scenario.structure import StructureParams
from sim.threads import Stage, State

__all__ = ["DirectDial", "DirectDialParams"]


class DirectDialParams(StructureParams):
    """Direct dial's own parameters: cross-silo claims and expert finding."""

    kind: Literal["direct_dial"] = "direct_dial"
    """Routing structure: ``direct_dial``."""
    cross_claim: Share = 0.76
    """Chance per hour, at permeability 1, that a free watcher of another silo claims a
    thread whose own silo's watchers are all busy; times permeability."""
    consult_hours: Hours = 0.5
    """Mean hours, at permeability 1, for a question to another silo's on-board staff to
    reach them (divided by permeability): an informal message, faster than a
    switchboard's formal handoff."""
    intranet_find_hours: Hours = 0.25
    """Mean hours a cross-silo claimant needs to find an expert of the owning silo through
    the social intranet."""
    offline_find_hours: Hours = 8.0
    """Without the intranet: mean hours to find an expert."""
    offline_find_probability: Share = 0.3
    """Without the intranet: chance of finding an expert at all; otherwise the claimant
    answers as a generalist."""


class DirectDial(Structure):
    """Silo feeds claimed by on-board staff; cross-silo claims; own voice."""

    name = "direct_dial"
    Params = DirectDialParams
    order = 20
    overflows = True

    def feed_members(self, routing: Routing) -> np.ndarray:
        """Who watches the public feed: every on-board employee."""
        return routing.org.on_board.copy()

    def setup(self, routing: Routing) -> None:
        org = routing.org
        watching = self.feed_members(routing)
        self.experts, self.expert_offsets = self.experts_by_silo(routing)
        self.watchers = np.flatnonzero(watching)
        self.watchers = self.watchers[np.argsort(org.silo[self.watchers], kind="stable")]
        counts = np.bincount(org.silo[self.watchers], minlength=org.n_silos)
        self.watcher_offsets = np.concatenate([[0], np.cumsum(counts)])
        """The feed's watchers sorted by silo, and each silo's start offset."""
        serving = watching.copy()
        serving[self.experts] = True
        self.set_social_shares(routing, serving)
        routing.define_pools(np.where(watching, org.silo, -1), np.arange(org.n_silos))
        self.feed_size = np.bincount(org.silo[watching], minlength=org.n_silos).astype(float)
        self.unwatched = self.feed_size == 0
        """Silos none of whose people watch the feed: their threads go to other feeds."""
        self.all_watched = not self.unwatched.any()
        """Whether every silo has someone watching its feed (then no thread crosses)."""

    def route(self, routing: Routing, ids: np.ndarray) -> None:
        th, org = routing.threads, routing.org
        owner = org.topic_silo[th.topic[ids]].astype(np.int64)
        if self.all_watched:
            routing.enqueue(ids, Stage.DRAFT, State.OPEN, Leg.DRAFT, pool=owner)
            return
        cross = self.unwatched[owner]  # no one of the owning silo watches
        if not cross.any():
            routing.enqueue(ids, Stage.DRAFT, State.OPEN, Leg.DRAFT, pool=owner)
            return
        own = ids[~cross]
        routing.enqueue(own, Stage.DRAFT, State.OPEN, Leg.DRAFT, pool=owner[~cross])
        u = routing.streams.routing.random(int(cross.sum()))
        other = self._other_feed(owner[cross], u)
        routing.enqueue(ids[cross], Stage.FORWARD, State.OPEN, Leg.CLAIM, pool=other)

    def overflow(
        self,
        routing: Routing,
        waiting: np.ndarray,
        free: np.ndarray,
        priority: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Own silo first (MODEL.md 4.3): a thread left waiting in its own silo's
        feed -- every watcher there is busy -- is seen by the free watchers of other
        silos with probability ``permeability x cross_claim`` an hour; the oldest
        of those are claimed, one per free watcher, who starts looking for an expert."""
        th = routing.threads
        return self._cross_claims(routing, waiting[th.leg[waiting] == Leg.DRAFT], free)

    def _cross_claims(
        self, routing: Routing, waiting: np.ndarray, free: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`overflow` of threads known to wait for a draft (their leg)."""
        if waiting.size == 0 or free.size == 0:
            return waiting[:0], free[:0]
        per_hour = routing.levers.culture.silo_permeability * routing.levers.structure.cross_claim
        p_cross = -np.expm1(routing.dt * np.log1p(-per_hour)) if per_hour < 1.0 else 1.0
        rng = routing.streams.routing
        seen = waiting[rng.random(waiting.size) < p_cross]
        k = min(seen.size, free.size)
        if k == 0:
            return waiting[:0], free[:0]
        # (the few threads seen are ranked directly: cheaper than selecting ``priority``)
        claimed = seen.take(first_k(routing.priority(seen), k))
        claimant = free[rng.permutation(free.size)[:k]]
        routing.enqueue(claimed, Stage.FORWARD, State.OPEN, Leg.CLAIM, holder=claimant)
        return claimed, claimant

    def _other_feed(self, owner: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A feed other than the owner's, chosen in proportion to its size."""
        weights = np.repeat(self.feed_size[None, :], owner.size, axis=0)
        weights[np.arange(owner.size), owner] = 0.0
        total = weights.sum(axis=1)
        cum = np.cumsum(weights, axis=1)
        pick = (cum < (u * total)[:, None]).sum(axis=1)
        # no other silo on board: the owner's feed after all (it may be empty too)
        return np.where(total > 0, pick, owner)

    def leg_handlers(self) -> dict[int, Callable[[Routing, np.ndarray], None]]:
        return {Leg.CLAIM: self._claimed, Leg.DRAFT: self._drafted, Leg.CONSULT: self._consulted}

    def _claimed(self, routing: Routing, ids: np.ndarray) -> None:
        """A claimant outside the owning silo looks for an expert (essay 003: "a
        social intranet ... will speed up answering the tricky questions")."""
        th, org, spec = routing.threads, routing.org, routing.levers.structure
        owner = org.topic_silo[th.topic[ids]].astype(np.int64)
        if self.uses_intranet(routing):
            # it shows who of the owning silo's on-board staff is free; with nobody
            # free, the claimant answers itself, backed by shared knowledge
            expert = self.pick_free(routing, self.watchers, self.watcher_offsets, owner)
            found = expert >= 0
            th.backed[ids[~found]] = True
            expert, hours = expert[found], spec.intranet_find_hours
        else:
            found = routing.streams.routing.random(ids.size) < spec.offline_find_probability
            found &= np.diff(self.expert_offsets)[owner] > 0  # a silo may have no experts
            expert = self.pick_least_loaded(
                routing, self.experts, self.expert_offsets, owner[found]
            )
            hours = spec.offline_find_hours
        routing.enqueue(
            ids[found],
            Stage.DRAFT,
            State.FORWARDED,
            Leg.DRAFT,
            holder=expert,
            delay_hours=hours,
            delay_spec=routing.scenario.service.handoff,
        )
        alone = ids[~found]
        left = routing.speed[th.holder[alone]] <= 0  # the claimant left the feed meanwhile
        keep = alone[~left]
        routing.enqueue(keep, Stage.DRAFT, State.DRAFTING, Leg.DRAFT, holder=th.holder[keep])
        if left.any():  # (an intervention took people off board): back to the feeds
            self.route(routing, alone[left])

    def _drafted(self, routing: Routing, ids: np.ndarray) -> None:
        self.record_draft(routing, ids)
        consult = self.needs_consult(routing, ids)
        if consult.any():
            self._consult(routing, ids[consult])
            ids = ids[~consult]
        self.approve_or_post(routing, ids)

    def _consult(self, routing: Routing, ids: np.ndarray) -> None:
        """The author asks the second silo across its wall (MODEL.md 4.3): its on-board
        staff, through their feed; with none on board, one of its experts found as a
        cross-silo claimant finds one, or nobody (the answer goes out without it)."""
        th, spec = routing.threads, routing.levers.structure
        second = th.second_silo[ids].astype(np.int64)
        intranet = self.uses_intranet(routing)
        hours = spec.consult_hours / routing.levers.culture.silo_permeability
        if intranet:
            hours = min(hours, spec.intranet_find_hours)
        watched = self.feed_size[second] > 0
        routing.enqueue(
            ids[watched],
            Stage.FORWARD,
            State.FORWARDED,
            Leg.CONSULT,
            pool=second[watched],
            delay_hours=hours,
            delay_spec=routing.scenario.service.handoff,
        )
        rest, second = ids[~watched], second[~watched]
        if rest.size == 0:
            return
        if intranet:
            found = np.ones(rest.size, dtype=bool)
            hours = spec.intranet_find_hours
        else:
            found = routing.streams.routing.random(rest.size) < spec.offline_find_probability
            hours = spec.offline_find_hours
        found &= np.diff(self.expert_offsets)[second] > 0
        self.consult_expert(routing, rest[found], hours)
        self.approve_or_post(routing, rest[~found])  # without it: lower quality

    def _consulted(self, routing: Routing, ids: np.ndarray) -> None:
        self.back_to_author(routing, ids)

    def approval_depth(self, routing: Routing, ids: np.ndarray) -> np.ndarray:
        """Empowered authors post without approval; the others climb their chain."""
        empowered = routing.org.empowered[routing.threads.drafter[ids]]
        return np.where(empowered, 0, routing.levers.structure.approval_depth)
