"""The organization at work, one thread and one employee at a time (MODEL.md 3, steps
4-6; 4.4-4.6).

:class:`Organization` holds the employees, the shared queues (pools) and the threads
still in play. Time within a tick is continuous (MODEL.md 4.4): the tick is the window
``[t dt, (t + 1) dt)`` and every step ends at its own time in hours. Its tick is:

1. the structure's own per-tick work (coaching);
2. rounds, until a round changes nothing:

   a. every step that ends before the window's end (a service, transit, approval or
      follow-up reply) moves on through the structure at its own time, and its server
      is free from then; a thread still unanswered at its author's deadline is
      abandoned then, before any step that would end later (an answer posted at the
      deadline counts), and its server is free from then;
   b. free employees take work: first from their own inbox, then from their pool;
      threads already there when the employee is free come first, the oldest turn
      first (or, with analytics, influential authors ahead), then those that arrive
      later in the tick, first come first; in a pool the member free first takes the
      best thread. Then the structure may hand threads still waiting to people still
      free (direct dial's cross-silo claims), each thread once a tick. Work starts at
      the later of the employee's free time and the thread's arrival, unless the
      author has given up by then (abandoned; the employee stays free);

3. threads still waiting whose author gives up within the tick are abandoned;
4. busy and available social work are added up for ``utilization``.

Threads posted by the public arrive spread over their tick (a golden-ratio sequence
over their authors, :func:`arrival_offset`).

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
from sim.reference.draws import delay_hours as draw_delay
from sim.reference.draws import service_hours
from sim.scenario.schema import DelayShape

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel
    from sim.reference.structures import ReferenceStructure

__all__ = ["APPROVAL", "FOLLOWUP", "Organization", "arrival_offset"]

APPROVAL = "approval"
FOLLOWUP = "followup"
ROUNDS_PER_TURN = 48  # as the core: steps and follow-ups chain within a tick
LATE_LEVELS = 64.0  # as the core: later arrivals rank after, by arrival (in ticks)
GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
PLASTIC_INVERSE = 0.7548776662466927  # 1 / the plastic number: the shift per tick


def arrival_offset(author: int, place: int, tick: int) -> float:
    """Where in its tick a post arrives, as a share of the tick: the fractional part
    of ``(author + 1) x golden ratio + tick / plastic number`` (``place``, the post's
    place in the tick's batch, stands in for a post with no author, ``author < 0``)."""
    key = (author if author >= 0 else place) + 1.0
    return math.modf(key * GOLDEN + tick * PLASTIC_INVERSE)[0]


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
        self.max_rounds = ROUNDS_PER_TURN * (spec.conversation.max_turns + 1)
        means = [s.mean_hours for s in self.stage_spec.values() if s.mean_hours > 0]
        if means:  # many short items may end in one tick
            per_tick = 4 * self.dt / min(means) + ROUNDS_PER_TURN
            self.max_rounds = int(min(max(self.max_rounds, per_tick), 100_000))
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
        crossing. The thread can be served after a transit of mean ``delay_hours``
        from its own time; a stage that takes no time, for a named holder, is done
        when it arrives.
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
        delay = draw_delay(delay_spec, delay_hours, self.model.streams.service)
        thread.ready_at = thread.clock + delay
        if holder is not None and self.stage_spec[stage].mean_hours == 0:
            thread.phase = Phase.DELAY  # a stage that takes no time is done at once

    def wait(
        self, thread: Thread, state: State, leg: str, hours: float, spec: DelayShape | None
    ) -> None:
        """Hold ``thread`` for a delay of mean ``hours``; then its leg moves it on."""
        thread.state, thread.leg, thread.phase = state, leg, Phase.DELAY
        thread.ready_at = thread.clock + draw_delay(spec, hours, self.model.streams.service)

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
            thread.first_response_at = thread.clock
        self._place(thread, None, None)
        self.counters["answered"] += 1
        self.counters["gaffes"] += gaffe
        self._decide_honesty(thread)
        self.answered_now.append((thread, resolved, gaffe))
        if resolved:
            thread.state, thread.phase = State.RESOLVED, Phase.IDLE
            thread.resolution_tick = t
            thread.resolution_at = thread.clock
            self.counters["resolved"] += 1
            return
        conversation = spec.conversation
        thread.state = State.ANSWERED
        replies = rnd.random() < conversation.followup_probability
        if replies and thread.turns < conversation.max_turns:
            thread.leg = FOLLOWUP
            thread.phase = Phase.DELAY
            thread.ready_at = thread.clock + draw_delay(
                None, conversation.followup_hours, self.model.streams.answers
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
            at = thread.clock + draw_delay(None, spec.spin_found_hours, rnd)
            self.spin_found.append((max(math.floor(at / self.dt), self.tick + 1), thread))

    # ------------------------------------------------------------------ the tick

    def open_turn(self, thread: Thread) -> None:
        """A turn opens at the thread's own time; its author waits ``patience`` from then."""
        self.opened_now.append(thread)
        thread.turn_tick = self.tick
        thread.deadline_at = thread.clock + thread.patience_ticks * self.dt
        thread.deadline = thread.deadline_at / self.dt

    def admit(self, thread: Thread, place: int | None = None) -> None:
        """A new thread enters routing: at the start of the tick, or, for the public's
        posts (``place``: its place in the tick's batch), at its own time within it."""
        start = self.tick * self.dt
        if place is None:
            thread.created_at = start
        else:
            offset = arrival_offset(thread.author.index, place, self.tick)
            thread.created_at = start + offset * self.dt
        thread.clock = thread.created_at
        self.live.append(thread)
        self.open_turn(thread)
        self.structure.route(self, thread)

    def step(self) -> None:
        """The organization's part of one tick (steps 1-4 of the module docstring)."""
        self.answered_now, self.abandoned_now = [], []
        self.structure.on_tick(self)
        start, end = self.tick * self.dt, (self.tick + 1) * self.dt
        for employee in self.employees:
            if employee.serving is None:
                employee.free_at = max(employee.free_at, start)
        for _ in range(self.max_rounds):
            changed = self._advance_finished(end)
            changed |= self._dispatch(end)
            if not changed:
                break
        else:
            raise RuntimeError(
                f"tick {self.tick}: routing did not settle in {self.max_rounds} rounds"
            )
        for thread in list(self.live):
            if (
                thread.phase is Phase.WAITING
                and thread.state in AWAITING_ANSWER
                and thread.deadline_at < end
            ):
                self._abandon(thread)
        self._record()
        self.live = [thread for thread in self.live if thread.phase is not Phase.IDLE]

    def _abandon(self, thread: Thread) -> None:
        """The author gave up at the deadline; a server working on it is free from then."""
        at = thread.deadline_at
        if thread.phase is Phase.SERVICE:
            server = thread.holder
            server.serving = None
            server.free_at = at
            self.busy_work -= server.speed * (thread.ready_at - at) / self.dt
        self._place(thread, None, None)
        thread.state, thread.phase = State.ABANDONED, Phase.IDLE
        thread.abandon_tick, thread.abandon_at, thread.clock = self.tick, at, at
        self.counters["abandoned"] += 1
        self.abandoned_now.append(thread)

    def _advance_finished(self, end: float) -> bool:
        """Every step ending before ``end`` moves on, each at its own time; authors who
        give up first are gone. Whether anything happened."""
        changed = False
        for thread in list(self.live):
            if thread.phase not in (Phase.SERVICE, Phase.DELAY):
                continue
            deadline = thread.deadline_at if thread.state in AWAITING_ANSWER else math.inf
            if deadline < thread.ready_at and deadline < end:
                self._abandon(thread)
                changed = True
                continue
            if thread.ready_at >= end:
                continue
            changed = True
            thread.clock = thread.ready_at
            if thread.phase is Phase.SERVICE:
                thread.holder.serving = None
                thread.holder.free_at = thread.ready_at
            if thread.leg == FOLLOWUP:
                self._reopen(thread)
            elif thread.leg == APPROVAL:
                self.continue_approval(thread)
            else:
                self.structure.finished(self, thread)
        return changed

    def escalate(self, thread: Thread) -> None:
        """The author of this abandoned thread posted again, louder (MODEL.md 4.2): the
        thread comes back as a new turn at the start of the next tick."""
        thread.escalations += 1
        thread.state, thread.phase, thread.leg = State.OPEN, Phase.DELAY, FOLLOWUP
        thread.ready_at = (self.tick + 1) * self.dt
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

    def _rank(self, thread: Thread, free_from: float) -> tuple[float, int]:
        """Queue order for a server free from ``free_from``: the threads already there
        by :meth:`priority`, then those arriving later in the tick, first come first
        (to a 256th of a tick, as the core)."""
        if thread.ready_at <= free_from:
            return self.priority(thread)
        offset = min(max((thread.ready_at - self.tick * self.dt) / self.dt, 0.0), 1.0)
        return math.inf, math.floor(offset * LATE_LEVELS * 4), thread.id

    def _dispatch(self, end: float) -> bool:
        """Free employees take work (module docstring, step 2b). Whether anything
        happened."""
        changed = False
        for employee in self.employees:
            if employee.serving is not None or employee.speed <= 0:
                continue
            queued = [
                thread
                for thread in employee.held.values()
                if thread.phase is Phase.WAITING and thread.ready_at < end
            ]
            if queued:
                best = min(queued, key=lambda t, f=employee.free_at: self._rank(t, f))
                changed |= self._start(best, employee)
        rnd = self.model.streams.routing
        left: list[Thread] = []
        for pool in self.pools:
            free = [e for e in pool.members if e.serving is None and e.speed > 0]
            queued = [
                thread
                for thread in pool.queue.values()
                if thread.phase is Phase.WAITING and thread.ready_at < end
            ]
            if not queued:
                continue
            first_free = min((e.free_at for e in free), default=math.inf)
            queued.sort(key=lambda t, f=first_free: self._rank(t, f))
            rnd.shuffle(free)
            free.sort(key=lambda e: e.free_at)  # the first free first, ties at random
            for thread, employee in zip(queued, free, strict=False):
                changed |= self._start(thread, employee)
            left.extend(queued[len(free) :])
        left = [thread for thread in left if thread.offered_tick != self.tick]
        if left:
            idle = [
                e for pool in self.pools for e in pool.members if e.serving is None and e.speed > 0
            ]
            if idle:
                for thread in left:
                    thread.offered_tick = self.tick
                    thread.clock = max(thread.ready_at, self.tick * self.dt)
                for thread, employee in self.structure.overflow(self, left, idle):
                    changed |= self._start(thread, employee)
        return changed

    def _start(self, thread: Thread, employee: Employee) -> bool:
        """Service starts at the later of the employee's free time and the thread's
        arrival: its length is the stage's time at the employee's speed, and drafting is
        slower outside the employee's expertise (MODEL.md 4.4). A thread whose author
        has given up by then is abandoned instead. Whether it happened (always)."""
        begin = max(employee.free_at, thread.ready_at)
        if thread.state in AWAITING_ANSWER and thread.deadline_at < begin:
            self._abandon(thread)
            return True
        spec = self.stage_spec[thread.stage]
        mean = spec.mean_hours / employee.speed
        if thread.stage is Stage.DRAFT:
            skill = employee.expertise[thread.topic]
            mean *= 1.0 + self.spec.service.expertise_slowdown * (1.0 - skill)
        hours = service_hours(spec, mean, self.model.streams.service)
        self._place(thread, employee, None)
        thread.phase = Phase.SERVICE
        thread.state = STAGE_STATE[thread.stage]
        thread.clock = begin
        thread.ready_at = begin + hours
        employee.serving = thread
        self.busy_work += employee.speed * hours / self.dt
        return True

    def _record(self) -> None:
        capacity = sum(e.speed for e in self.employees)
        busy = sum(e.speed for e in self.employees if e.serving is not None)
        self.capacity_work += capacity
        self.busy_share = busy / capacity if capacity else 0.0
