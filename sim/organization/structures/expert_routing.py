"""Expert routing: an automatic router sends each thread to the topic's experts.

MODEL.md 4.3; essay 003: "Automatically channeling them to identified experts who
aren't on board is not much better (but a little)."

No triage and no comms hop: each thread goes straight into the queue of one of its
owning silo's front-line experts (power of two choices on load). Experts who are not
on board give social work only ``social_share_offboard`` of their capacity and answer
less engaged (``offboard_engagement``). Approval as for direct dial.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import numpy as np

from sim.organization.structures.base import Leg, Structure
from sim.scenario.structure import StructureParams
from sim.threads import Stage, State

if TYPE_CHECKING:
    from sim.organization.core import OrgCore

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

    def setup(self, core: OrgCore) -> None:
        self.experts, self.expert_offsets = self.experts_by_silo(core)
        serving = np.zeros(core.org.n_employees, dtype=bool)
        serving[self.experts] = True
        self.set_social_shares(core, serving)
        core.define_pools(np.full(core.org.n_employees, -1), np.zeros(0))

    def route(self, core: OrgCore, ids: np.ndarray) -> None:
        owner = core.org.topic_silo[core.threads.topic[ids]].astype(np.int64)
        expert = self.pick_least_loaded(core, self.experts, self.expert_offsets, owner)
        core.enqueue(ids, Stage.DRAFT, State.OPEN, Leg.DRAFT, holder=expert)

    def leg_handlers(self) -> dict[int, Callable[[OrgCore, np.ndarray], None]]:
        return {Leg.DRAFT: self._drafted}

    def _drafted(self, core: OrgCore, ids: np.ndarray) -> None:
        self.record_draft(core, ids)
        self.approve_or_post(core, ids)

    def approval_depth(self, core: OrgCore, ids: np.ndarray) -> np.ndarray:
        empowered = core.org.empowered[core.threads.drafter[ids]]
        return np.where(empowered, 0, core.structure_spec.approval_depth)
