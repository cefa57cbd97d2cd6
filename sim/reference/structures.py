"""The routing structures of MODEL.md 4.3, one thread at a time (each registers itself
by its ``name``; a structure of the vectorized core without one here is not docked).

Each structure decides who serves social work and at what share of their time
(:meth:`ReferenceStructure.setup`), where a thread that opens a turn goes
(:meth:`~ReferenceStructure.route`), and what happens when a step ends, by the
thread's *leg* (:meth:`~ReferenceStructure.finished`).

- **switchboard**: the comms front line triages every thread from one shared queue and
  drafts the topics comms owns; other threads cross to the owning silo's liaison
  (transit ``handoff_hours / permeability``), who assigns a front-line expert by the
  power of two choices; a draft that needs a second silo then crosses to that silo's
  liaison, whose expert adds its part; the draft crosses back to the comms queue, is
  polished, climbs ``approval_depth`` levels of the comms chain and is posted in the
  brand's voice. Triage takes severe complaints first.
- **direct dial**: each silo's on-board people watch a feed of the silo's topics (a
  silo with no one on board sends its threads to another silo's feed, chosen by size).
  Own silo first: while a thread waits because all its silo's watchers are busy, each
  tick a free watcher of another silo claims it with probability ``1 - (1 -
  permeability x cross_claim) ** tick_hours``. A claimant outside the owning silo
  finds an expert: with the intranet, a free on-board watcher of the owning silo
  (after ``intranet_find_hours``), or with none free it drafts itself, backed by
  shared knowledge; offline, one of the silo's experts with probability
  ``offline_find_probability`` after ``offline_find_hours``, or it drafts as a
  generalist. A draft that needs a second silo asks that silo's feed (after
  ``consult_hours / permeability``, at most ``intranet_find_hours`` with the
  intranet), or with nobody of it on board one of its experts found as above, or goes
  without. Empowered drafters post at once; others wait for approval up their own
  chain.
- **expert routing**: each thread goes straight to a front-line expert of the owning
  silo (power of two choices); a draft that needs a second silo goes to one of that
  silo's experts (after ``handoff_hours / permeability``) and back; approvals as in
  direct dial.
- **coached direct dial**: direct dial whose comms people neither watch the feeds nor
  are found as experts but coach: on-board staff's training rises by
  ``coaching_per_week x (1 - training)`` a week, scaled down when trainees outnumber
  what the coaches can follow. The front-line coaches keep ``coach_answer_share`` of
  their social time for threads that have waited ``unclaimed_hours`` unclaimed, which
  they take first; analytics and the intranet are on.
"""

from __future__ import annotations

from typing import ClassVar

from sim.reference.agents import Employee, Pool, Stage, State, Thread
from sim.reference.organization import Organization

__all__ = [
    "CoachedDirectDial",
    "DirectDial",
    "ExpertRouting",
    "ReferenceStructure",
    "Switchboard",
    "make_structure",
]

HOURS_PER_WEEK = 168.0


class ReferenceStructure:
    """Base class: the interface and what the structures share."""

    name: ClassVar[str] = ""
    registry: ClassVar[dict[str, type[ReferenceStructure]]] = {}
    """Every reference structure, by ``name``."""

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__:
            ReferenceStructure.registry[cls.name] = cls

    def setup(self, org: Organization) -> None:
        raise NotImplementedError

    def route(self, org: Organization, thread: Thread) -> None:
        raise NotImplementedError

    def finished(self, org: Organization, thread: Thread) -> None:
        """A service or transit of ``thread`` has ended: move it on by its leg."""
        handler = getattr(self, f"_after_{thread.leg}", None)
        if handler is None:
            raise RuntimeError(f"{self.name}: no step after leg {thread.leg!r}")
        handler(org, thread)

    def on_tick(self, org: Organization) -> None:
        """Per-tick work of the structure's own (default: none)."""

    def overflow(
        self, org: Organization, waiting: list[Thread], free: list[Employee]
    ) -> list[tuple[Thread, Employee]]:
        """(thread, employee) pairs to start beyond the queues' own matching, given
        the pooled threads left waiting and the pool members left free (default:
        none)."""
        return []

    def uses_analytics(self, org: Organization) -> bool:
        return org.culture.analytics

    def uses_intranet(self, org: Organization) -> bool:
        return org.culture.social_intranet

    def approval_depth(self, org: Organization, thread: Thread) -> int:
        """Approval levels above the answer's holder (default: the lever)."""
        return org.spec.structure.approval_depth

    def front_line(self, org: Organization) -> dict[int, list[Employee]]:
        """Each silo's front-line employees: the topic experts."""
        return {s: org.silo_members(s, level=0) for s in range(len(org.spec.silos))}

    def _after_draft(self, org: Organization, thread: Thread) -> None:
        thread.drafter = thread.holder
        if self.needs_consult(org, thread):
            self.consult(org, thread)
            return
        org.start_approval(thread)

    def needs_consult(self, org: Organization, thread: Thread) -> bool:
        """Whether the thread still needs its second silo (a holder of that silo has it)."""
        if thread.second_silo is not None and thread.holder.silo == thread.second_silo:
            thread.consulted = True
        return thread.second_silo is not None and not thread.consulted

    def consult(self, org: Organization, thread: Thread) -> None:
        raise NotImplementedError

    def consult_expert(self, org: Organization, thread: Thread, hours: float) -> None:
        """To a front-line expert of the second silo, for its part."""
        org.enqueue(
            thread,
            Stage.FORWARD,
            State.FORWARDED,
            "consult",
            holder=org.pick_least_loaded(self.experts[thread.second_silo]),
            delay_hours=hours,
            delay_spec=org.spec.service.handoff,
        )

    def _after_consult(self, org: Organization, thread: Thread) -> None:
        """Back to the author (the consult was a question, not a handoff: no hop)."""
        thread.consulted = True
        org.hand_back(thread, thread.drafter)
        org.start_approval(thread)

    def crossing(self, org: Organization, silo: int) -> float:
        """Mean handoff hours into ``silo``: its ``handoff_hours`` / permeability."""
        return org.spec.silos[silo].handoff_hours / org.culture.silo_permeability


class Switchboard(ReferenceStructure):
    """Comms triages, forwards through liaisons, polishes, approves, posts."""

    name = "switchboard"

    def setup(self, org: Organization) -> None:
        comms, spec = org.comms, org.spec
        team = org.silo_members(comms, level=0)
        self.liaisons: dict[int, list[Employee]] = {}
        for silo in range(len(spec.silos)):
            managers = org.silo_members(silo, level=1) if len(spec.levels) > 1 else []
            chosen = managers or org.silo_members(silo, level=0)
            self.liaisons[silo] = chosen[: spec.organization.liaisons_per_silo]
            for liaison in self.liaisons[silo]:
                liaison.on_board = True
        self.experts = self.front_line(org)
        serving = set(team)
        for members in (*self.liaisons.values(), *self.experts.values()):
            serving.update(members)
        org.set_social_shares(serving)
        for member in team:
            member.social_share = spec.organization.social_share_onboard
        self.team: Pool = org.add_pool("comms team", comms, team)

    def route(self, org: Organization, thread: Thread) -> None:
        org.enqueue(thread, Stage.TRIAGE, State.TRIAGE, "triage", pool=self.team)

    def _after_triage(self, org: Organization, thread: Thread) -> None:
        owner = org.topic_silo[thread.topic]
        if owner == org.comms:  # the team drafts what comms owns
            org.enqueue(thread, Stage.DRAFT, State.DRAFTING, "draft", holder=thread.holder)
            return
        thread.fidelity = org.spec.learning.switchboard_fidelity  # the paraphrase
        org.enqueue(
            thread,
            Stage.FORWARD,
            State.FORWARDED,
            "liaison",
            holder=org.pick_least_loaded(self.liaisons[owner]),
            delay_hours=self.crossing(org, owner),
            delay_spec=org.spec.service.handoff,
        )

    def _after_liaison(self, org: Organization, thread: Thread) -> None:
        expert = org.pick_least_loaded(self.experts[org.topic_silo[thread.topic]])
        org.enqueue(thread, Stage.DRAFT, State.FORWARDED, "draft", holder=expert)

    def _after_draft(self, org: Organization, thread: Thread) -> None:
        thread.drafter = thread.holder
        self._onward(org, thread)

    def _after_second_liaison(self, org: Organization, thread: Thread) -> None:
        expert = org.pick_least_loaded(self.experts[thread.second_silo])
        org.enqueue(thread, Stage.FORWARD, State.FORWARDED, "consult", holder=expert)

    def _after_consult(self, org: Organization, thread: Thread) -> None:
        thread.consulted = True
        self._onward(org, thread)

    def _onward(self, org: Organization, thread: Thread) -> None:
        """To the second silo's liaison if the draft still needs it, else to comms."""
        if self.needs_consult(org, thread):
            second = thread.second_silo
            org.enqueue(
                thread,
                Stage.FORWARD,
                State.FORWARDED,
                "second_liaison",
                holder=org.pick_least_loaded(self.liaisons[second]),
                delay_hours=self.crossing(org, second),
                delay_spec=org.spec.service.handoff,
            )
            return
        if thread.holder.silo == org.comms:  # the team polishes its own drafts as it writes
            self._after_polish(org, thread)
            return
        org.enqueue(
            thread,
            Stage.POLISH,
            State.POLISHING,
            "polish",
            pool=self.team,
            delay_hours=self.crossing(org, org.comms),
            delay_spec=org.spec.service.handoff,
        )

    def _after_polish(self, org: Organization, thread: Thread) -> None:
        thread.polished = True
        thread.editor = thread.holder
        org.start_approval(thread)


class DirectDial(ReferenceStructure):
    """Silo feeds claimed by on-board staff; cross-silo claims; own voice."""

    name = "direct_dial"

    def watches_feed(self, org: Organization, employee: Employee) -> bool:
        return employee.on_board

    def setup(self, org: Organization) -> None:
        watching = [e for e in org.employees if self.watches_feed(org, e)]
        self.experts = self.front_line(org)
        serving = set(watching)
        for members in self.experts.values():
            serving.update(members)
        org.set_social_shares(serving)
        self.feeds: list[Pool] = []
        for silo, silo_spec in enumerate(org.spec.silos):
            members = [e for e in watching if e.silo == silo]
            self.feeds.append(org.add_pool(f"{silo_spec.name} feed", silo, members))
        self.watchers = {s: list(f.members) for s, f in enumerate(self.feeds)}

    def route(self, org: Organization, thread: Thread) -> None:
        """Into the owning silo's feed; if no one of that silo watches, into another
        silo's feed, whose watcher will claim it."""
        owner = org.topic_silo[thread.topic]
        if self.feeds[owner].members:
            org.enqueue(thread, Stage.DRAFT, State.OPEN, "draft", pool=self.feeds[owner])
            return
        feed = self._other_feed(owner, org.model.streams.routing.random())
        org.enqueue(thread, Stage.FORWARD, State.OPEN, "claim", pool=feed)

    def overflow(
        self, org: Organization, waiting: list[Thread], free: list[Employee]
    ) -> list[tuple[Thread, Employee]]:
        """Own silo first: a thread still waiting in its own silo's feed (all its
        watchers are busy) is noticed by the free watchers of other silos with
        probability ``permeability x cross_claim`` an hour; the oldest noticed are
        claimed, one per free watcher, who starts looking for an expert."""
        rnd = org.model.streams.routing
        per_hour = org.culture.silo_permeability * org.spec.structure.cross_claim
        p_cross = 1.0 - (1.0 - per_hour) ** org.dt
        own_feed = [thread for thread in waiting if thread.leg == "draft"]
        if not own_feed or not free:
            return []
        noticed = sorted((t for t in own_feed if rnd.random() < p_cross), key=org.priority)
        claimants = rnd.sample(free, min(len(noticed), len(free)))
        for thread, claimant in zip(noticed, claimants, strict=False):
            org.enqueue(thread, Stage.FORWARD, State.OPEN, "claim", holder=claimant)
        return list(zip(noticed, claimants, strict=False))

    def _other_feed(self, owner: int, u: float) -> Pool:
        """A feed other than the owner's, chosen in proportion to its watchers (the
        owner's after all when no other silo watches)."""
        sizes = [0 if i == owner else len(f.members) for i, f in enumerate(self.feeds)]
        total = sum(sizes)
        if total == 0:
            return self.feeds[owner]
        target, running = u * total, 0.0
        for feed, size in zip(self.feeds, sizes, strict=True):
            running += size
            if size and running >= target:
                return feed
        return next(f for f, size in zip(self.feeds, sizes, strict=True) if size)

    def _after_claim(self, org: Organization, thread: Thread) -> None:
        """The claimant, outside the owning silo, looks for an expert."""
        spec = org.spec.structure
        owner = org.topic_silo[thread.topic]
        if self.uses_intranet(org):
            free = [e for e in self.watchers[owner] if e.load == 0]
            u = org.model.streams.routing.random()
            if not free:  # answers itself, backed by shared knowledge
                thread.backed = True
                org.enqueue(thread, Stage.DRAFT, State.DRAFTING, "draft", holder=thread.holder)
                return
            expert, hours = free[min(int(u * len(free)), len(free) - 1)], spec.intranet_find_hours
        else:
            found = org.model.streams.routing.random() < spec.offline_find_probability
            experts = self.experts[owner]
            if not (found and experts):  # answers as a generalist
                org.enqueue(thread, Stage.DRAFT, State.DRAFTING, "draft", holder=thread.holder)
                return
            expert, hours = org.pick_least_loaded(experts), spec.offline_find_hours
        org.enqueue(
            thread,
            Stage.DRAFT,
            State.FORWARDED,
            "draft",
            holder=expert,
            delay_hours=hours,
            delay_spec=org.spec.service.handoff,
        )

    def consult(self, org: Organization, thread: Thread) -> None:
        """Ask the second silo's feed across its wall; with nobody of it on board, one
        of its experts (found as a claimant finds one), or nobody."""
        spec, second = org.spec.structure, thread.second_silo
        intranet = self.uses_intranet(org)
        if self.feeds[second].members:
            hours = spec.consult_hours / org.culture.silo_permeability
            if intranet:
                hours = min(hours, spec.intranet_find_hours)
            org.enqueue(
                thread,
                Stage.FORWARD,
                State.FORWARDED,
                "consult",
                pool=self.feeds[second],
                delay_hours=hours,
                delay_spec=org.spec.service.handoff,
            )
            return
        if intranet:
            found, hours = True, spec.intranet_find_hours
        else:
            found = org.model.streams.routing.random() < spec.offline_find_probability
            hours = spec.offline_find_hours
        if found and self.experts[second]:
            self.consult_expert(org, thread, hours)
        else:  # without it: lower quality
            org.start_approval(thread)

    def approval_depth(self, org: Organization, thread: Thread) -> int:
        """Empowered drafters post without approval."""
        return 0 if thread.drafter.empowered else org.spec.structure.approval_depth


class ExpertRouting(ReferenceStructure):
    """Straight to an expert's own inbox; no triage, no pools."""

    name = "expert_routing"

    def setup(self, org: Organization) -> None:
        self.experts = self.front_line(org)
        org.set_social_shares({e for members in self.experts.values() for e in members})

    def route(self, org: Organization, thread: Thread) -> None:
        expert = org.pick_least_loaded(self.experts[org.topic_silo[thread.topic]])
        org.enqueue(thread, Stage.DRAFT, State.OPEN, "draft", holder=expert)

    def consult(self, org: Organization, thread: Thread) -> None:
        self.consult_expert(org, thread, self.crossing(org, thread.second_silo))

    def approval_depth(self, org: Organization, thread: Thread) -> int:
        return 0 if thread.drafter.empowered else org.spec.structure.approval_depth


class CoachedDirectDial(DirectDial):
    """Direct dial whose comms people coach instead of watching the feed."""

    name = "coached_direct_dial"

    def watches_feed(self, org: Organization, employee: Employee) -> bool:
        return employee.on_board and employee.silo != org.comms

    def setup(self, org: Organization) -> None:
        super().setup(org)
        for coach in org.silo_members(org.comms):
            coach.social_share = 0.0  # their social time goes to coaching ...
        self.coaches = org.silo_members(org.comms, level=0)
        answering = org.spec.organization.social_share_onboard
        for coach in self.coaches:  # ... but for what no one else claims
            coach.social_share = answering * org.spec.structure.coach_answer_share
        self.coach_pool = org.add_pool("coaches", org.comms, list(self.coaches))
        self.experts[org.comms] = []  # comms is never found as an expert
        self.trainees = [e for e in org.employees if self.watches_feed(org, e)]
        coaches = len(org.silo_members(org.comms, level=0))
        per_coach = org.spec.structure.coachees_per_coach
        self.coverage = min(1.0, coaches * per_coach / max(1, len(self.trainees)))

    def overflow(
        self, org: Organization, waiting: list[Thread], free: list[Employee]
    ) -> list[tuple[Thread, Employee]]:
        """Free coaches first take the threads unclaimed for ``unclaimed_hours``."""
        coaches = [e for e in free if e.silo == org.comms]
        watchers = [e for e in free if e.silo != org.comms]
        limit = org.spec.structure.unclaimed_hours
        due = sorted(
            (t for t in waiting if t.leg == "draft" and (org.tick - t.turn_tick) * org.dt >= limit),
            key=org.priority,
        )[: len(coaches)]
        pairs: list[tuple[Thread, Employee]] = []
        if due:
            chosen = org.model.streams.routing.sample(coaches, len(due))
            for thread, coach in zip(due, chosen, strict=True):
                org.enqueue(thread, Stage.DRAFT, State.DRAFTING, "draft", holder=coach)
                pairs.append((thread, coach))
        taken = {id(t) for t, _ in pairs}
        rest = [t for t in waiting if id(t) not in taken]
        if watchers and rest:
            pairs.extend(super().overflow(org, rest, watchers))
        return pairs

    def on_tick(self, org: Organization) -> None:
        weekly = org.spec.structure.coaching_per_week
        rate = weekly * org.dt / HOURS_PER_WEEK * self.coverage
        for trainee in self.trainees:
            trainee.training += rate * (1.0 - trainee.training)

    def uses_analytics(self, org: Organization) -> bool:
        return True

    def uses_intranet(self, org: Organization) -> bool:
        return True


def make_structure(kind: str) -> ReferenceStructure:
    """The reference structure for a scenario's ``structure.kind``."""
    try:
        return ReferenceStructure.registry[kind]()
    except KeyError:
        known = sorted(ReferenceStructure.registry)
        raise ValueError(
            f"no reference implementation of {kind!r}; there is one of {known}"
        ) from None
