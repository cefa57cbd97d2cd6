"""Coached direct dial: direct dial plus coaching, analytics and a social intranet.

MODEL.md 4.3; essay 003: "Communications professionals who coach the experts instead
of insisting of themselves being the voice of the company", "some analytical support
... to be made aware of which influencers to engage with", and "a social intranet
where they can get backed up by shared knowledge and easy-to-reach experts".

Comms answers nothing itself: its people coach. Each tick, on-board employees' training
rises by ``coaching_per_week x (1 - training)`` per week, scaled down when there are
more trainees than the comms team can coach (``coachees_per_coach`` each).
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from sim.organization.routing import Routing
from sim.organization.structures.direct_dial import DirectDial, DirectDialParams

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
        org.social_share[coach] = 0.0  # their social time goes to coaching
        experts = self.experts[~coach[self.experts]]  # comms is never "found" to answer
        counts = np.bincount(org.silo[experts], minlength=org.n_silos)
        self.experts, self.expert_offsets = experts, np.concatenate([[0], np.cumsum(counts)])
        self.trainees = np.flatnonzero(self.feed_members(routing))
        coaches = int(((org.silo == org.comms) & (org.level == 0)).sum())
        per_coach = routing.levers.structure.coachees_per_coach
        self.coverage = min(1.0, coaches * per_coach / max(1, self.trainees.size))

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
