"""Switchboard: a central social-media team filters and forwards everything.

MODEL.md 4.3; essay 003: "Replacing the old telephone switchboard with a social media
filtering and forwarding team is no good."

1. Every thread enters the comms team's shared queue (triage).
2. The team drafts topics that comms owns itself.
3. Others go to the owning silo's liaison, a cross-silo handoff whose delay grows as
   permeability falls (mean ``handoff_hours / permeability``).
4. The liaison assigns an expert (power of two choices on load).
5. A thread that needs a second silo's knowledge (MODEL.md 2) goes on, across that
   silo's wall, to its liaison, who assigns one of its experts for its part (the
   switchboard forwards to both liaisons, one after the other).
6. The draft returns across the silo wall to comms, is polished (authenticity x
   (1 - spin)), waits ``approval_depth`` levels up the comms hierarchy, and is posted
   in the brand's voice.

Triage reads each thread: severe complaints go first (``severity_weight_hours``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from sim.organization.routing import Routing
from sim.organization.structures.base import Leg, Structure
from sim.scenario.structure import StructureParams
from sim.threads import Stage, State

__all__ = ["Switchboard", "SwitchboardParams"]

COMMS_POOL = 0


class SwitchboardParams(StructureParams):
    """Switchboard: only the parameters every structure takes."""

    kind: Literal["switchboard"] = "switchboard"
    """Routing structure: ``switchboard``."""


class Switchboard(Structure):
    """Central team triages, forwards through liaisons, polishes, approves, posts."""

    name = "switchboard"
    Params = SwitchboardParams
    order = 10

    def setup(self, routing: Routing) -> None:
        org = routing.org
        team = (org.silo == org.comms) & (org.level == 0)
        self.liaisons, self.liaison_offsets = self._liaisons(routing)
        self.experts, self.expert_offsets = self.experts_by_silo(routing)
        serving = team.copy()
        serving[self.liaisons] = True
        serving[self.experts] = True
        self.set_social_shares(routing, serving)
        org.social_share[team] = routing.scenario.organization.social_share_onboard
        pool_of = np.where(team, COMMS_POOL, -1)
        routing.define_pools(pool_of, np.array([org.comms]))

    def _liaisons(self, routing: Routing) -> tuple[np.ndarray, np.ndarray]:
        """Each silo's liaisons: its first ``liaisons_per_silo`` managers (level 1),
        or front-line staff in a flat organization. Liaisons are on board."""
        org = routing.org
        k = routing.scenario.organization.liaisons_per_silo
        chosen = []
        for silo in range(org.n_silos):
            level = 1 if org.n_levels > 1 and org.members(silo, 1).size else 0
            chosen.append(org.members(silo, level)[:k])
        counts = np.array([c.size for c in chosen])
        liaisons = np.concatenate(chosen)
        org.on_board[liaisons] = True
        return liaisons, np.concatenate([[0], np.cumsum(counts)])

    def route(self, routing: Routing, ids: np.ndarray) -> None:
        routing.enqueue(ids, Stage.TRIAGE, State.TRIAGE, Leg.TRIAGE, pool=COMMS_POOL)

    def leg_handlers(self) -> dict[int, Callable[[Routing, np.ndarray], None]]:
        return {
            Leg.TRIAGE: self._triaged,
            Leg.LIAISON: self._assigned,
            Leg.DRAFT: self._drafted,
            Leg.SECOND_LIAISON: self._second_assigned,
            Leg.CONSULT: self._consulted,
            Leg.POLISH: self._polished,
        }

    def _triaged(self, routing: Routing, ids: np.ndarray) -> None:
        th, org = routing.threads, routing.org
        owner = org.topic_silo[th.topic[ids]]
        own = owner == org.comms
        mine = ids[own]
        routing.enqueue(mine, Stage.DRAFT, State.DRAFTING, Leg.DRAFT, holder=th.holder[mine])
        out, silo = ids[~own], owner[~own]
        th.fidelity[out] = routing.scenario.learning.switchboard_fidelity  # the paraphrase
        liaison = self.pick_least_loaded(routing, self.liaisons, self.liaison_offsets, silo)
        routing.enqueue(
            out,
            Stage.FORWARD,
            State.FORWARDED,
            Leg.LIAISON,
            holder=liaison,
            delay_hours=self.crossing_hours(routing, silo),
            delay_spec=routing.scenario.service.handoff,
        )

    def _assigned(self, routing: Routing, ids: np.ndarray) -> None:
        silo = routing.org.topic_silo[routing.threads.topic[ids]]
        expert = self.pick_least_loaded(routing, self.experts, self.expert_offsets, silo)
        routing.enqueue(ids, Stage.DRAFT, State.FORWARDED, Leg.DRAFT, holder=expert)

    def _drafted(self, routing: Routing, ids: np.ndarray) -> None:
        self.record_draft(routing, ids)
        self._onward(routing, ids)

    def _second_assigned(self, routing: Routing, ids: np.ndarray) -> None:
        """The second silo's liaison assigns one of its experts for that silo's part."""
        silo = routing.threads.second_silo[ids].astype(np.int64)
        expert = self.pick_least_loaded(routing, self.experts, self.expert_offsets, silo)
        routing.enqueue(ids, Stage.FORWARD, State.FORWARDED, Leg.CONSULT, holder=expert)

    def _consulted(self, routing: Routing, ids: np.ndarray) -> None:
        routing.threads.consulted[ids] = True
        self._onward(routing, ids)

    def _onward(self, routing: Routing, ids: np.ndarray) -> None:
        """A draft that still needs its second silo goes to that silo's liaison, across
        its wall; the others return to comms to be polished."""
        th, org = routing.threads, routing.org
        consult = self.needs_consult(routing, ids)
        if consult.any():
            ask, silo = ids[consult], th.second_silo[ids[consult]].astype(np.int64)
            liaison = self.pick_least_loaded(routing, self.liaisons, self.liaison_offsets, silo)
            routing.enqueue(
                ask,
                Stage.FORWARD,
                State.FORWARDED,
                Leg.SECOND_LIAISON,
                holder=liaison,
                delay_hours=self.crossing_hours(routing, silo),
                delay_spec=routing.scenario.service.handoff,
            )
            ids = ids[~consult]
        in_comms = org.silo[th.holder[ids]] == org.comms
        mine = ids[in_comms]
        if mine.size:  # the team polishes its own drafts as it writes
            self._polished(routing, mine)
        back = ids[~in_comms]
        routing.enqueue(
            back,
            Stage.POLISH,
            State.POLISHING,
            Leg.POLISH,
            pool=COMMS_POOL,
            delay_hours=self.crossing_hours(routing, org.comms),  # one mean for all
            delay_spec=routing.scenario.service.handoff,
        )

    def _polished(self, routing: Routing, ids: np.ndarray) -> None:
        th = routing.threads
        th.polished[ids] = True
        th.editor[ids] = th.holder[ids]
        self.approve_or_post(routing, ids)
