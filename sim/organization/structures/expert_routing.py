"""Expert routing: an automatic router sends each thread to the topic's experts.

MODEL.md 4.3; essay 003: "Automatically channeling them to identified experts who
aren't on board is not much better (but a little)."

No triage and no comms hop: each thread goes straight into the queue of one of its
owning silo's front-line experts (power of two choices on load). Experts who are not
on board give social work only ``social_share_offboard`` of their capacity and answer
less engaged (``offboard_engagement``). A thread that needs a second silo's knowledge
is routed on, after drafting, to an expert of that silo for its part: a formal handoff
across the wall (``handoff_hours / permeability``), and back to the author. Approval as
for direct dial.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from sim.organization.routing import Routing
from sim.organization.structures.base import Leg, Structure
from sim.scenario.structure import StructureParams
from sim.threads import Stage, State

__all__ = ["ExpertRouting", "ExpertRoutingParams"]


class ExpertRoutingParams(StructureParams):
    """Expert routing: only the parameters every structure takes."""

    kind: Literal["expert_routing"] = "expert_routing"
    """Routing structure: ``expert_routing``."""


class ExpertRouting(Structure):
    """Straight to an expert's own queue; no triage, no pools."""

    name = "expert_routing"
    Params = ExpertRoutingParams
    order = 30

    def setup(self, routing: Routing) -> None:
        self.experts, self.expert_offsets = self.experts_by_silo(routing)
        serving = np.zeros(routing.org.n_employees, dtype=bool)
        serving[self.experts] = True
        self.set_social_shares(routing, serving)
        routing.define_pools(np.full(routing.org.n_employees, -1), np.zeros(0))

    def route(self, routing: Routing, ids: np.ndarray) -> None:
        owner = routing.org.topic_silo[routing.threads.topic[ids]].astype(np.int64)
        expert = self.pick_least_loaded(routing, self.experts, self.expert_offsets, owner)
        routing.enqueue(ids, Stage.DRAFT, State.OPEN, Leg.DRAFT, holder=expert)

    def leg_handlers(self) -> dict[int, Callable[[Routing, np.ndarray], None]]:
        return {Leg.DRAFT: self._drafted, Leg.CONSULT: self.back_to_author}

    def _drafted(self, routing: Routing, ids: np.ndarray) -> None:
        self.record_draft(routing, ids)
        consult = self.needs_consult(routing, ids)
        if consult.any():
            ask = ids[consult]
            second = routing.threads.second_silo[ask].astype(np.int64)
            self.consult_expert(routing, ask, self.crossing_hours(routing, second))
            ids = ids[~consult]
        self.approve_or_post(routing, ids)

    def approval_depth(self, routing: Routing, ids: np.ndarray) -> np.ndarray:
        empowered = routing.org.empowered[routing.threads.drafter[ids]]
        return np.where(empowered, 0, routing.levers.structure.approval_depth)
