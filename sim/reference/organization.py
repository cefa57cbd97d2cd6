"""The organization at work, one thread and one employee at a time (MODEL.md 3, steps
4-6; 4.4-4.6).

:class:`Organization` holds the employees, the shared queues (pools) and the threads
still in play. Its tick is:

1. the structure's own per-tick work (coaching);
2. every step that ends this tick is settled: finished services, transits, approvals
   and follow-up replies move on through the structure, again and again while a step
   of zero length follows (e.g. drafting can start the tick triage ends);
3. threads still unanswered past their author's patience are abandoned (an answer due
   this tick is posted first);
4. free employees take work: first from their own inbox, then from their pool, the
   oldest turn first (or, with analytics, influential authors ahead); then the
   structure may hand threads still waiting to people still free (direct dial's
   cross-silo claims);
5. busy and available social work are added up for ``utilization``.

Structures move threads with a small vocabulary: :meth:`Organization.enqueue`
(queue a thread for a stage, with an optional transit delay), :meth:`wait`,
:meth:`start_approval`, :meth:`pick_least_loaded` and :meth:`post_answer`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.reference.agents import (
    AWAITING_ANSWER,
    STAGE_STATE,
    Employee,
    Phase,
    Pool,
    Stage,
    State,
    Thread,
)
from sim.reference.draws import delay_ticks, service_ticks
from sim.scenario.schema import DelayShape

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel
    from sim.reference.structures import ReferenceStructure

__all__ = ["APPROVAL", "FOLLOWUP", "Organization"]

APPROVAL = "approval"
FOLLOWUP = "followup"
ROUNDS_PER_TURN = 48  # as the core: zero-hour steps and follow-ups chain


class Organization:
    """Employees, pools and live threads of one run.

    Parameters
    ----------
    model
        The reference model (for its scenario, clock and streams).
    employees
        The employees, in index order.
    structure
        The routing structure (:mod:`sim.reference.structures`).
    """

    def __init__(
        self, model: ReferenceModel, employees: list[Employee], structure: ReferenceStructure
    ) -> None:
        spec = model.spec
        self.model = model
        self.spec = spec
        self.culture = spec.culture
        self.dt = spec.time.tick_hours
        self.employees = employees
        self.pools: list[Pool] = []
        self.live: list[Thread] = []
        self.topic_silo = {t: i for i, silo in enumerate(spec.silos) for t in silo.topics}
        self.comms = [s.name for s in spec.silos].index("comms")
        self.top_level = len(spec.levels) - 1
        self.topic_quality = {t: spec.culture.product_quality for t in spec.topics}
        self.stage_spec = {
            Stage.TRIAGE: spec.service.triage,
            Stage.FORWARD: spec.service.forward,
            Stage.DRAFT: spec.service.draft,
            Stage.POLISH: spec.service.polish,
        }
        self.counters = {"answered": 0, "resolved": 0, "abandoned": 0, "gaffes": 0}
        """Answers posted, threads resolved, abandonments, gaffe answers."""
        self.answered_now: list[tuple[Thread, bool, bool]] = []
        """This tick's answers: (thread, whether it resolved, whether it was a gaffe)."""
        self.abandoned_now: list[Thread] = []
        self.opened_now: list[Thread] = []
        """Turns opened since the public last reacted (each an expectation, MODEL.md 4.7)."""
        self.spin_found: list[tuple[int, Thread]] = []
        self.busy_work = 0.0
        self.capacity_work = 0.0
        self.busy_share = 0.0
        self.structure = structure
        structure.setup(self)
        # listening divides a fixed social effort: the broadcasts' work-hours come out
        # of everyone's social time in proportion (MODEL.md 4.8)
        effort = sum(e.capacity * e.social_share for e in employees)
        b = spec.broadcast
        wanted = b.rate_per_hour * (1.0 - self.culture.listening) * b.hours_per_broadcast
        share = min(1.0, wanted / effort) if effort > 0 else 0.0
        for employee in employees:
            employee.speed = employee.capacity * employee.social_share * (1.0 - share)

    @property
    def tick(self) -> int:
        return self.model.tick

    # ------------------------------------------------------------- vocabulary

    def silo_members(self, silo: int, level: int | None = None) -> list[Employee]:
        return [e for e in self.employees if e.silo == silo and (level is None or e.level == level)]

    def set_social_shares(self, serving: set[Employee]) -> None:
        """On-board people in ``serving`` give ``social_share_onboard`` of their time to
        social work, the others ``social_share_offboard``; everyone else none."""
        spec = self.spec.organization
        for e in self.employees:
            share = spec.social_share_onboard if e.on_board else spec.social_share_offboard
            e.social_share = share if e in serving else 0.0

    def add_pool(self, name: str, silo: int, members: list[Employee]) -> Pool:
        pool = Pool(name, silo, members)
        for member in members:
            member.pool = pool
        self.pools.append(pool)
        return pool

    def _location(self, thread: Thread) -> int | None:
        if thread.holder is not None:
            return thread.holder.silo
        if thread.pool is not None:
            return thread.pool.silo
        return None

    def hand_back(self, thread: Thread, employee: Employee) -> None:
        """Put ``thread`` back in ``employee``'s hands without counting a hop (an answer
        to a consult coming back to its author)."""
        self._place(thread, employee, None)

    def _place(self, thread: Thread, holder: Employee | None, pool: Pool | None) -> None:
        if thread.holder is not None:
            del thread.holder.held[thread.id]
        if thread.pool is not None:
            del thread.pool.queue[thread.id]
        thread.holder, thread.pool = holder, pool
        if holder is not None:
            holder.held[thread.id] = thread
        if pool is not None:
            pool.queue[thread.id] = thread

    def enqueue(
        self,
        thread: Thread,
        stage: Stage,
        state: State,
        leg: str,
        *,
        holder: Employee | None = None,
        pool: Pool | None = None,
        delay_hours: float = 0.0,
        delay_spec: DelayShape | None = None,
    ) -> None:
        """Queue ``thread`` for ``stage`` with a named employee or in a pool.

        Moving to another holder or queue is a hop, and into another silo also a silo
        crossing. The thread can be served after a transit of mean ``delay_hours``.
        """
        before = self._location(thread)
        was_somewhere = thread.holder is not None or thread.pool is not None
        moved = was_somewhere and (thread.holder is not holder or thread.pool is not pool)
        self._place(thread, holder, pool)
        if moved:
            thread.hops += 1
            if self._location(thread) != before:
                thread.silo_crossings += 1
        thread.stage, thread.state, thread.leg = stage, state, leg
        thread.phase = Phase.WAITING
        delay = delay_ticks(delay_spec, delay_hours, self.dt, self.model.streams.service)
        thread.ready_tick = self.tick + delay
        if holder is not None and delay == 0 and self.stage_spec[stage].mean_hours == 0:
            thread.phase = Phase.DELAY  # a stage that takes no time is done at once

    def wait(
        self, thread: Thread, state: State, leg: str, hours: float, spec: DelayShape | None
    ) -> None:
        """Hold ``thread`` for a delay of mean ``hours``; then its leg moves it on."""
        thread.state, thread.leg, thread.phase = state, leg, Phase.DELAY
        thread.ready_tick = self.tick + delay_ticks(
            spec, hours, self.dt, self.model.streams.service
        )

    def pick_least_loaded(self, members: list[Employee]) -> Employee:
        """Power of two choices: two members at random, the one holding fewer threads
        (the first on a tie)."""
        if not members:
            raise ValueError("a silo has no one to route to")
        rnd = self.model.streams.routing
        first = members[int(rnd.random() * len(members))]
        second = members[int(rnd.random() * len(members))]
        return second if second.load < first.load else first

    # ---------------------------------------------------------------- approvals

    def start_approval(self, thread: Thread) -> None:
        """The answer climbs its holder's chain: one wait per level, up to the
        structure's approval depth (or the top), then it is posted."""
        thread.leg = APPROVAL
        thread.approvals_done = 0
        self.continue_approval(thread)

    def continue_approval(self, thread: Thread) -> None:
        approver = thread.holder.manager
        depth = self.structure.approval_depth(self, thread)
        if thread.approvals_done >= depth or approver is None:
            self.post_answer(thread)
            return
        self._place(thread, approver, None)
        thread.approvals_waited += 1
        thread.approvals_done += 1
        hours = self.spec.levels[approver.level].approval_hours
        self.wait(thread, State.APPROVAL, APPROVAL, hours, self.spec.service.approve)

    # ------------------------------------------------------------------ answers

    def fixability(self, thread: Thread) -> float:
        """Chance a perfect answer resolves: complaints need the product and the
        attitude, questions the attitude, praise nothing (MODEL.md 4.6)."""
        attitude = 0.5 + 0.5 * self.culture.service_attitude
        if thread.kind == "complaint":
            return self.topic_quality[thread.topic] * attitude
        if thread.kind == "question":
            return attitude
        return 1.0

    def post_answer(self, thread: Thread) -> None:
        """Publish the drafter's answer (MODEL.md 4.5, 4.6): quality, authenticity,
        voice, gaffe, honesty, resolution, and whether the author replies."""
        spec, t = self.spec, self.tick
        rnd = self.model.streams.answers
        author = thread.drafter
        poster = thread.editor if thread.polished else author
        owns = author.silo == self.topic_silo[thread.topic]
        engaged = 1.0 if author.on_board else spec.organization.offboard_engagement
        quality = author.expertise[thread.topic] * (0.5 + 0.5 * author.training) * engaged
        general = spec.structure.generalist_quality
        if thread.backed:  # shared knowledge closes part of the gap
            general += (1.0 - general) * spec.structure.intranet_knowledge
        if not owns:
            quality *= general
        second = thread.second_silo
        if second is not None and not thread.consulted and author.silo != second:
            quality *= general  # answered without the second silo's knowledge
        polish = self.culture.spin if thread.polished else 0.0
        if thread.polished:
            speaker, voice = "brand", spec.voice.brand
        else:
            if author.level == self.top_level:
                speaker = "executive"
            else:
                speaker = "expert" if owns else "generalist"
            voice = getattr(spec.voice, speaker) * spec.levels[author.level].voice_weight
        gaffe = rnd.random() < spec.conversation.gaffe_base * (1.0 - poster.training)
        resolved = not gaffe and rnd.random() < quality * self.fixability(thread)

        thread.quality = quality
        thread.authenticity = author.authenticity * (1.0 - polish) * engaged
        thread.voice, thread.voice_weight = speaker, voice
        thread.gaffe = thread.gaffe or gaffe
        thread.turns += 1
        if thread.first_response_tick is None:
            thread.first_response_tick = t
        self._place(thread, None, None)
        self.counters["answered"] += 1
        self.counters["gaffes"] += gaffe
        self._decide_honesty(thread)
        self.answered_now.append((thread, resolved, gaffe))
        if resolved:
            thread.state, thread.phase = State.RESOLVED, Phase.IDLE
            thread.resolution_tick = t
            self.counters["resolved"] += 1
            return
        conversation = spec.conversation
        thread.state = State.ANSWERED
        replies = rnd.random() < conversation.followup_probability
        if replies and thread.turns < conversation.max_turns:
            thread.leg = FOLLOWUP
            thread.phase = Phase.DELAY
            thread.ready_tick = t + delay_ticks(
                None, conversation.followup_hours, self.dt, self.model.streams.answers
            )
        else:
            thread.phase = Phase.IDLE

    def _decide_honesty(self, thread: Thread) -> None:
        """A complaint means the organization was at fault: the answer admits it with
        probability ``honesty``, else it spins, found out with some chance later."""
        spec = self.spec.opinions
        rnd = self.model.streams.answers
        complaint = thread.kind == "complaint"
        thread.admitted = complaint and rnd.random() < self.culture.honesty
        thread.spun = complaint and not thread.admitted
        if thread.spun and rnd.random() < spec.spin_found_probability:
            delay = delay_ticks(None, spec.spin_found_hours, self.dt, rnd)
            self.spin_found.append((self.tick + max(delay, 1), thread))

    # ------------------------------------------------------------------ the tick

    def open_turn(self, thread: Thread) -> None:
        self.opened_now.append(thread)
        thread.turn_tick = self.tick
        thread.deadline = self.tick + thread.patience_ticks

    def admit(self, thread: Thread) -> None:
        """A new thread enters routing."""
        self.live.append(thread)
        self.open_turn(thread)
        self.structure.route(self, thread)

    def step(self) -> None:
        """The organization's part of one tick (steps 1-5 of the module docstring)."""
        self.answered_now, self.abandoned_now = [], []
        self.structure.on_tick(self)
        self._advance_finished()
        self._abandon()
        self._dispatch()
        self._record()
        self.live = [thread for thread in self.live if thread.phase is not Phase.IDLE]

    def _abandon(self) -> None:
        t = self.tick
        for thread in self.live:
            if thread.state in AWAITING_ANSWER and thread.deadline <= t:
                if thread.phase is Phase.SERVICE:
                    thread.holder.serving = None
                self._place(thread, None, None)
                thread.state, thread.phase = State.ABANDONED, Phase.IDLE
                thread.abandon_tick = t
                self.counters["abandoned"] += 1
                self.abandoned_now.append(thread)

    def _advance_finished(self) -> None:
        t = self.tick
        candidates = self.live
        max_rounds = ROUNDS_PER_TURN * (self.spec.conversation.max_turns + 1)
        for _ in range(max_rounds):
            due = [
                thread
                for thread in candidates
                if thread.phase in (Phase.SERVICE, Phase.DELAY) and thread.ready_tick <= t
            ]
            if not due:
                return
            for thread in due:
                if thread.phase is Phase.SERVICE:
                    thread.holder.serving = None
                if thread.leg == FOLLOWUP:
                    self._reopen(thread)
                elif thread.leg == APPROVAL:
                    self.continue_approval(thread)
                else:
                    self.structure.finished(self, thread)
            candidates = due
        raise RuntimeError(f"tick {t}: routing did not settle in {max_rounds} rounds")

    def escalate(self, thread: Thread) -> None:
        """The author of this abandoned thread posted again, louder (MODEL.md 4.2): the
        thread comes back as a new turn at the start of the next tick."""
        thread.escalations += 1
        thread.state, thread.phase, thread.leg = State.OPEN, Phase.DELAY, FOLLOWUP
        thread.ready_tick = self.tick + 1
        self.live.append(thread)

    def _reopen(self, thread: Thread) -> None:
        """The author replied: a new turn goes back through routing."""
        thread.state, thread.phase, thread.polished = State.OPEN, Phase.WAITING, False
        self.open_turn(thread)
        self.structure.route(self, thread)

    def priority(self, thread: Thread) -> tuple[float, int]:
        """Oldest turn first. Severe complaints move ahead in triage and, with
        analytics, in every queue, where influential authors move ahead too."""
        key = float(thread.turn_tick)
        analytics = self.structure.uses_analytics(self)
        if analytics:
            ahead = self.spec.structure.analytics_weight_hours / self.dt
            key -= ahead * math.log(max(thread.influence, 1e-6))
        if thread.kind == "complaint" and (analytics or thread.stage == Stage.TRIAGE):
            key -= self.spec.structure.severity_weight_hours / self.dt * thread.severity
        return key, thread.id

    def _dispatch(self) -> None:
        t = self.tick
        for employee in self.employees:
            if employee.serving is not None or employee.speed <= 0:
                continue
            queued = [
                thread
                for thread in employee.held.values()
                if thread.phase is Phase.WAITING and thread.ready_tick <= t
            ]
            if queued:
                self._start(min(queued, key=self.priority), employee)
        rnd = self.model.streams.routing
        left: list[Thread] = []
        for pool in self.pools:
            free = [e for e in pool.members if e.serving is None and e.speed > 0]
            queued = [
                thread
                for thread in pool.queue.values()
                if thread.phase is Phase.WAITING and thread.ready_tick <= t
            ]
            queued.sort(key=self.priority)
            rnd.shuffle(free)
            for thread, employee in zip(queued, free, strict=False):
                self._start(thread, employee)
            left.extend(queued[len(free) :])
        if left:
            idle = [
                e for pool in self.pools for e in pool.members if e.serving is None and e.speed > 0
            ]
            for thread, employee in self.structure.overflow(self, left, idle):
                self._start(thread, employee)

    def _start(self, thread: Thread, employee: Employee) -> None:
        """Service starts: its length is the stage's time at the employee's speed,
        and drafting is slower outside the employee's expertise (MODEL.md 4.4)."""
        spec = self.stage_spec[thread.stage]
        mean = spec.mean_hours / employee.speed
        if thread.stage is Stage.DRAFT:
            skill = employee.expertise[thread.topic]
            mean *= 1.0 + self.spec.service.expertise_slowdown * (1.0 - skill)
        ticks = service_ticks(spec, mean, self.dt, self.model.streams.service)
        self._place(thread, employee, None)
        thread.phase = Phase.SERVICE
        thread.state = STAGE_STATE[thread.stage]
        thread.ready_tick = self.tick + ticks
        employee.serving = thread

    def _record(self) -> None:
        capacity = sum(e.speed for e in self.employees)
        busy = sum(e.speed for e in self.employees if e.serving is not None)
        self.busy_work += busy
        self.capacity_work += capacity
        self.busy_share = busy / capacity if capacity else 0.0
