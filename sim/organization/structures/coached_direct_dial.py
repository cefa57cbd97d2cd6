"""Coached direct dial: direct dial plus coaching, analytics and a social intranet.

MODEL.md 4.3; essay 003: "Communications professionals who coach the experts instead
of insisting of themselves being the voice of the company", "some analytical support
... to be made aware of which influencers to engage with", and "a social intranet
where they can get backed up by shared knowledge and easy-to-reach experts".

Comms' people coach instead of being the voice. Each tick, on-board employees' training
rises by ``coaching_per_week x (1 - training)`` per week, scaled down when there are
more trainees than the comms team can coach (``coachees_per_coach`` each). The coaches
keep ``coach_answer_share`` of their social time to answer what no one else claims: a
thread left waiting in a feed for ``unclaimed_hours`` may be taken by a free coach, in
priority order, wherever its silo's wall stands (the comms team is the brand's own).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from sim.organization.dispatch import first_k
from sim.organization.routing import Routing
from sim.organization.structures.base import Leg
from sim.organization.structures.direct_dial import DirectDial, DirectDialParams
from sim.scenario.base import Hours, Share
from sim.threads import Stage, State

__all__ = ["CoachedDirectDial", "CoachedDirectDialParams"]

HOURS_PER_WEEK = 168.0


class CoachedDirectDialParams(DirectDialParams):
    """Direct dial's parameters plus coaching."""

    kind: Literal["coached_direct_dial"] = "coached_direct_dial"  # type: ignore[assignment]
    """Routing structure: ``coached_direct_dial``."""
    coaching_per_week: Annotated[float, Field(ge=0.0, le=1.0)] = 0.3
    """Training gained per week by on-board staff, times ``(1 - training)`` and the coaching
    coverage."""
    coachees_per_coach: Annotated[float, Field(gt=0.0, le=10_000.0)] = 20.0
    """On-board employees one comms front-line coach can follow (count); fewer coaches
    scale coaching down."""
    coach_answer_share: Share = 0.2
    """Share of a coach's social time kept for answering threads no one else claims."""
    unclaimed_hours: Hours = 1.0
    """Hours a thread waits unclaimed in a feed before a free coach may take it."""


class CoachedDirectDial(DirectDial):
    """Direct dial whose comms team coaches instead of answering."""

    name = "coached_direct_dial"
    Params = CoachedDirectDialParams
    order = 40

    def feed_members(self, routing: Routing) -> np.ndarray:
        org = routing.org
        return org.on_board & (org.silo != org.comms)

    def setup(self, routing: Routing) -> None:
        super().setup(routing)
        org = routing.org
        coach = org.silo == org.comms
        # their social time goes to coaching, but for what no one else claims
        org.social_share[coach] = 0.0
        self.coaches = np.flatnonzero(coach & (org.level == 0))
        org.social_share[self.coaches] = (
            routing.scenario.organization.social_share_onboard
            * routing.levers.structure.coach_answer_share
        )
        pool_of = np.where(self.feed_members(routing), org.silo, -1)
        pool_of[self.coaches] = org.comms  # (no thread is routed to comms' own feed)
        routing.define_pools(pool_of, np.arange(org.n_silos))
        experts = self.experts[~coach[self.experts]]  # comms is never "found" to answer
        counts = np.bincount(org.silo[experts], minlength=org.n_silos)
        self.experts, self.expert_offsets = experts, np.concatenate([[0], np.cumsum(counts)])
        self.trainees = np.flatnonzero(self.feed_members(routing))
        coaches = int(((org.silo == org.comms) & (org.level == 0)).sum())
        per_coach = routing.levers.structure.coachees_per_coach
        self.coverage = min(1.0, coaches * per_coach / max(1, self.trainees.size))

    def overflow(
        self,
        routing: Routing,
        waiting: np.ndarray,
        free: np.ndarray,
        priority: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Free coaches first take the threads that have waited unclaimed for
        ``unclaimed_hours`` (oldest, or by analytics' priority, first); then free
        watchers of other silos claim across walls as in direct dial."""
        th, org = routing.threads, routing.org
        coach = org.silo[free] == org.comms
        coaches, watchers = free[coach], free[~coach]
        taken, by = waiting[:0], free[:0]
        draft = th.leg.take(waiting) == Leg.DRAFT
        if coaches.size:
            waited = (routing.tick - th.turn_tick.take(waiting)) * routing.dt
            unclaimed = np.logical_and(waited >= routing.levers.structure.unclaimed_hours, draft)
            at = np.flatnonzero(unclaimed)
            k = min(at.size, coaches.size)
            if k:
                drafts = (
                    routing.priority(waiting.take(at))
                    if priority is None
                    else priority.compress(unclaimed)
                )
                at = at.take(first_k(drafts, k))
                taken = waiting.take(at)
                by = coaches[routing.streams.routing.permutation(coaches.size)[:k]]
                routing.enqueue(taken, Stage.DRAFT, State.DRAFTING, Leg.DRAFT, holder=by)
                draft[at] = False  # (the rest wait on, in their order)
        if watchers.size == 0:
            return taken, by
        claimed, claimant = self._cross_claims(routing, waiting.compress(draft), watchers)
        return np.concatenate([taken, claimed]), np.concatenate([by, claimant])

    def on_tick(self, routing: Routing) -> None:
        weekly = routing.levers.structure.coaching_per_week
        rate = weekly * routing.dt / HOURS_PER_WEEK * self.coverage
        training = routing.org.training
        before = training[self.trainees]  # (trainees are distinct: as ``+=``)
        training[self.trainees] = before + rate * (1.0 - before)

    def uses_analytics(self, routing: Routing) -> bool:
        return True

    def uses_intranet(self, routing: Routing) -> bool:
        return True
