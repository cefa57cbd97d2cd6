"""The organization side of the tick, vectorized (MODEL.md section 3, steps 4-6).

:class:`OrgCore` owns the thread table, the employees' service slots and the
routing structure. Time inside a tick is continuous (MODEL.md 4.4): every service end, transit,
approval, follow-up and patience deadline is a time in hours (the thread table's
``*_at`` columns), and a tick is the window ``[t dt, (t + 1) dt)``. One
:meth:`OrgCore.step` is:

1. new threads enter routing (:meth:`OrgCore.admit`, called by the model first);
   threads posted by the public arrive spread over the window (:func:`arrival_offsets`);
2. the structure's own per-tick work (e.g. coaching raises training);
3. rounds, until nothing more happens before the window's end:

   a. every step (service, transit, approval, reply) that ends before the window's
      end advances at its own time through the structure; a server whose item ends
      is free from that moment; a thread still unanswered at its author's deadline is
      abandoned then (an answer posted at the deadline still counts), and a server
      working on it is free from then;
   b. free servers take waiting threads, ranked within queues
      (:mod:`sim.organization.dispatch`); each starts at the later of the server's free
      time and the thread's ready time, so a server whose items take less than a tick
      serves several in one tick; a thread whose deadline passed before its start is
      abandoned instead, and its server stays free;

4. busy and available work are accumulated for ``utilization``.

Each round is vectorized; nothing here loops in Python over threads or employees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.ids import union
from sim.levers import Levers
from sim.organization.answers import AnswerDraws, Voices, grade_answers
from sim.organization.dispatch import PoolFront, match_own_queues, match_pools
from sim.organization.front import Front
from sim.organization.legs import Leg
from sim.organization.org import Organization
from sim.organization.scratch import Scratch
from sim.organization.service import EXPONENTIAL, draw_hours
from sim.rng import Streams
from sim.scenario.schema import DelayShape, Scenario
from sim.threads import Kind, Phase, Stage, State, ThreadTable

if TYPE_CHECKING:
    from sim.organization.structures.base import Structure

__all__ = ["OrgCore", "TickEvents", "arrival_offsets"]

ROUNDS_PER_TURN = 48
"""Rounds per tick and conversation turn before the cap. Within a turn, steps that end
inside one tick chain at most a few stages, transits and one approval per level (up to
20); follow-ups chain up to ``max_turns`` turns."""
MAX_ROUNDS_PER_TICK = 100_000
"""The cap on rounds in one tick: ``max(ROUNDS_PER_TURN x (max_turns + 1), 4 x the
most items one server can finish in a tick)``, at most this; it only stops a structure
that never settles (e.g. service times of 0 in a pool)."""
LATE_LEVELS = 64.0
"""Queue ranks (in ticks) that span one tick of arrival times (:meth:`OrgCore._rank`);
the ranking resolves a quarter of a rank, so arrivals in a tick sort in 256 steps."""
FRONT_MIN_POOLED = 4096
"""Pooled threads a round must match before it marks a front for the tick's later
rounds (:mod:`sim.organization.front`); below it a round is cheap anyway."""
FRONT_PER_POOL = 256
"""Threads per pool on the front (0: no front). Later rounds serve a few servers; a
pool whose front runs short sends its round back to the whole backlog."""
GOLDEN = 0.6180339887498949
"""Fractional part of the golden ratio: the step of :func:`arrival_offsets`."""
TICK_STEP = 0.7548776662466927
"""Its shift per tick (the plastic number's inverse: independent of ``GOLDEN``)."""
_NO_IDS = np.zeros(0, dtype=np.int64)


def arrival_offsets(author: np.ndarray, tick: int) -> np.ndarray:
    """Where in its tick each posted thread arrives, as a share of the tick in [0, 1).

    Posting counts threads per tick; within the tick, Poisson arrivals are spread
    evenly. The offset is a golden-ratio (Weyl) sequence over the authors, or over the
    posts' places in the tick's batch for posts with no author (the Poisson test bed),
    shifted each tick. So a post keeps its time in every structure a seed runs (common
    random numbers), and threads added after the posts (a crisis) move none of them.
    It is deterministic and drawn from no random stream: every stream stays as it was.

    >>> arrival_offsets(np.full(4, -1), 0).round(3).tolist()
    [0.618, 0.236, 0.854, 0.472]
    >>> arrival_offsets(np.array([0, 1]), 1).round(3).tolist()
    [0.373, 0.991]
    """
    key = np.where(author >= 0, author, np.arange(author.size)).astype(np.float64) + 1.0
    return np.modf(key * GOLDEN + tick * TICK_STEP)[0]


_STAGE_STATE = np.array(  # the state of a thread in service, by Stage
    [
        State.TRIAGE,
        State.FORWARDED,
        State.DRAFTING,
        State.POLISHING,
    ],
    dtype=np.int8,
)


@dataclass
class TickEvents:
    """What the organization did this tick, for the public side to react to."""

    answered: list[np.ndarray] = field(default_factory=list)
    resolved: list[np.ndarray] = field(default_factory=list)
    gaffe: list[np.ndarray] = field(default_factory=list)
    """Whether each answer of :attr:`answered` was a gaffe (of the answer, not the thread)."""
    abandoned: list[np.ndarray] = field(default_factory=list)
    spin_found: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    """(threads, tick each is found out) for the spun answers posted this tick whose
    spin will be found out: one entry per spun answer, drawn once."""

    def answered_ids(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(threads answered this tick, whether each answer resolved its thread,
        whether each answer was a gaffe)."""
        if not self.answered:
            return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
        return (
            np.concatenate(self.answered),
            np.concatenate(self.resolved),
            np.concatenate(self.gaffe),
        )

    def abandoned_ids(self) -> np.ndarray:
        return np.concatenate(self.abandoned) if self.abandoned else np.zeros(0, np.int64)


class OrgCore:
    """Thread table + employees + structure, stepped one tick at a time.

    Parameters
    ----------
    scenario
        Validated scenario.
    org
        Built organization (:func:`sim.organization.org.build_organization`).
    structure
        A routing policy (:mod:`sim.organization.structures`).
    streams
        Random streams (:class:`sim.rng.Streams`).
    """

    def __init__(
        self,
        scenario: Scenario,
        org: Organization,
        structure: Structure,
        streams: Streams,
        levers: Levers,
    ) -> None:
        self.scenario = scenario
        self.levers = levers
        self.max_rounds = ROUNDS_PER_TURN * (scenario.conversation.max_turns + 1)
        self.org = org
        self.streams = streams
        self.structure = structure
        self.dt = scenario.time.tick_hours
        self.tick = 0
        self.threads = ThreadTable()
        n = org.n_employees
        self.serving = np.full(n, -1, dtype=np.int64)
        self.free_at = np.zeros(n, dtype=np.float64)
        self._arrivals = False
        """When each free server became free (hours; read only while ``serving < 0``)."""
        self.pool_of = np.full(n, -1, dtype=np.int32)
        self.pool_silo = np.zeros(0, dtype=np.int16)
        self._holder_silo = np.append(org.silo, -1).astype(np.int16)
        """Each employee's silo, then -1: indexed by a holder, -1 (none) gives -1."""
        self._pool_silo = np.full(1, -1, dtype=np.int16)
        """Each pool's silo, then -1 (as :attr:`_holder_silo`)."""
        self._in_pool = np.zeros(n, dtype=bool)
        """Whether each employee belongs to a pool (``pool_of >= 0``)."""
        self.voices = Voices.from_scenario(scenario)
        self.level_approval_hours = np.array(
            [lv.approval_hours for lv in scenario.levels], np.float64
        )
        self.stage_specs = [
            scenario.service.triage,
            scenario.service.forward,
            scenario.service.draft,
            scenario.service.polish,
        ]  # by Stage; approval is a wait (OrgCore.wait), not a served stage
        shortest = min((s.mean_hours for s in self.stage_specs if s.mean_hours > 0), default=0)
        if shortest > 0:  # a server may finish many short items in one tick
            per_tick = 4 * self.dt / shortest + ROUNDS_PER_TURN
            self.max_rounds = int(min(max(self.max_rounds, per_tick), MAX_ROUNDS_PER_TICK))
        self.counters = {
            "answered": 0,
            "resolved": 0,
            "abandoned": 0,
            "gaffes": 0,
            "first_answers": 0,
            "first_response_ticks": 0.0,
            "answered_within_1h": 0,
        }
        """Running totals: answers posted, threads resolved, abandonments, gaffe answers,
        first answers, the time those first answers waited in all (in ticks, continuous),
        and how many of them came within an hour of the thread's opening."""
        self._load_tick = -1
        self._load = np.zeros(n, dtype=np.int64)
        self._scratch = Scratch()
        """Work arrays of the backlog's size, reused tick after tick (:mod:`.scratch`)."""
        self._scratch_priority = Scratch()
        """:meth:`priority`'s own (structures rank with it while the routing's are in use)."""
        self.busy_work = 0.0
        self.capacity_work = 0.0
        self._opened_turns: list[np.ndarray] = []
        self.busy_share = 0.0
        self.events = TickEvents()
        self._set_up()

    def refresh_speed(self) -> None:
        """Social work-hours per hour of each employee for replying (MODEL.md 4.8).

        Social effort is fixed by staffing: capacity x social share. Listening divides
        it and creates none: the brand's broadcasts, ``rate_per_hour x (1 - listening)``
        an hour at ``hours_per_broadcast`` each, take their work-hours from everyone's
        social effort in proportion (all of it, at most), and replying gets the rest.
        With nothing to broadcast, or nobody to broadcast to (the Poisson mode has no
        customers), listening changes no reply capacity."""
        effort = self.org.capacity * self.org.social_share
        total = float(effort.sum())
        spec = self.scenario.broadcast
        wanted = spec.rate_per_hour * (1.0 - self.levers.culture.listening)
        wanted *= spec.hours_per_broadcast * (self.scenario.arrivals.mode == "customers")
        share = min(1.0, wanted / total) if total > 0 else 0.0
        self.broadcast_effort = total * share
        """Social work-hours per hour the broadcasts take."""
        self.speed = (effort * (1.0 - share)).astype(np.float32)
        self._serves = self.speed > 0
        """Whether each employee does social work (speed above 0)."""
        self._total_speed = float(self.speed.sum())
        """Social work-hours per hour of everyone: the capacity that ``_record`` adds."""

    def switch_structure(self, structure: Structure) -> None:
        """Rewire the organization mid-run (an intervention, MODEL.md 4.10). Work in
        progress is dropped and every thread still awaiting an answer re-enters
        routing in the new structure; answered threads are left alone."""
        th = self.threads
        live = th.live
        pending = live[th.state[live] < State.ANSWERED]
        self.serving[:] = -1
        th.phase[pending] = Phase.WAITING
        self.structure = structure
        self._set_up()
        self._route_again(pending)

    def restaff(self) -> None:
        """People came on board or were empowered (an intervention, MODEL.md 4.10):
        the structure works out again who serves, and work in progress carries on.
        Only threads left waiting for someone who no longer serves, or in a pool
        nobody serves, are routed again."""
        self._set_up()
        th = self.threads
        live = th.live
        waiting = live[(th.phase[live] == Phase.WAITING) & (th.state[live] < State.ANSWERED)]
        holder, pool = th.holder[waiting], th.pool[waiting]
        served = np.zeros(self.n_pools, dtype=bool)
        served[self.pool_of[self._in_pool & self._serves]] = True
        stranded = np.zeros(waiting.size, dtype=bool)
        held, pooled = holder >= 0, pool >= 0
        stranded[held] = self.speed[holder[held]] <= 0
        stranded[pooled] = ~served[pool[pooled]]
        self._route_again(waiting[stranded])

    def _set_up(self) -> None:
        """The structure's pools and social shares, the speeds they give, and each
        employee's engagement (the structure may have brought people on board)."""
        self.structure.setup(self)
        self.refresh_speed()
        self.engagement = np.where(
            self.org.on_board, 1.0, self.scenario.organization.offboard_engagement
        )
        """Each employee's answer engagement: 1 on board, else ``offboard_engagement``
        (MODEL.md 4.5). Recomputed here: whoever changes ``org.on_board`` afterwards
        must call :meth:`restaff` (as interventions do)."""
        self._load_tick = -1

    def _route_again(self, ids: np.ndarray) -> None:
        """Threads leave their queue and go through the structure's routing anew."""
        if ids.size == 0:
            return
        th = self.threads
        th.holder[ids] = -1
        th.pool[ids] = -1
        th.polished[ids] = False
        self.structure.route(self, ids)

    # ------------------------------------------------------------------ actions
    # The small vocabulary structures use to move threads. All are vectorized.

    @property
    def n_pools(self) -> int:
        return int(self.pool_silo.size)

    def define_pools(self, pool_of: np.ndarray, pool_silo: np.ndarray) -> None:
        """Set each employee's pool (-1: none) and each pool's silo."""
        self.pool_of = pool_of.astype(np.int32)
        self.pool_silo = pool_silo.astype(np.int16)
        self._pool_silo = np.append(self.pool_silo, -1).astype(np.int16)
        self._in_pool = self.pool_of >= 0

    def draw_delay(
        self,
        spec: DelayShape,
        mean_hours: np.ndarray | float,
        size: int,
        rng: np.random.Generator | None = None,
    ) -> np.ndarray:
        """Delay in hours (continuous; 0 when the mean is 0), from ``rng``: by default the
        service stream (approvals, handoffs, transits); the answers' own consequences
        (follow-up replies, spin found out) pass the answers stream, so that honesty or
        conversation never shift a service time (MODEL.md 7)."""
        rng = self.streams.service if rng is None else rng
        return draw_hours(spec, mean_hours, size, rng)

    def _silo_at(self, holder: np.ndarray | int, pool: np.ndarray | int) -> np.ndarray:
        """Silo of each place (holder, pool): the holder's, else the pool's, else -1.
        A thread is never held and pooled at once. The lookup tables end with -1, which
        a holder or pool of -1 (none) picks."""
        return np.where(holder >= 0, self._holder_silo[holder], self._pool_silo[pool])

    def enqueue(
        self,
        ids: np.ndarray,
        stage: Stage,
        state: State,
        leg: int,
        *,
        holder: np.ndarray | None = None,
        pool: np.ndarray | int | None = None,
        delay_hours: np.ndarray | float = 0.0,
        delay_spec: DelayShape | None = None,
    ) -> None:
        """Put threads in a queue (an employee's own, or a pool) for ``stage``.

        ``holder`` gives each thread's employee; ``pool`` each thread's pool, or one
        pool for all (an int). A move to another holder is a hop; one into another
        silo is also a silo crossing. ``delay_hours`` (mean) is transit time: the
        thread becomes eligible for service only after it (and sits in ``state``
        meanwhile), counted from the thread's own time (``clock``). A stage whose mean
        time is 0, queued for a named holder, is done as soon as the transit ends,
        without waiting for the holder to be free.
        """
        if ids.size == 0:
            return
        th = self.threads
        prev_holder, prev_pool = th.holder[ids], th.pool[ids]
        new_holder = -1 if holder is None else holder
        new_pool = -1 if pool is None else pool
        th.holder[ids] = new_holder
        th.pool[ids] = new_pool
        placed = np.maximum(prev_holder, prev_pool) >= 0  # held or pooled
        if placed.any():  # (new threads and new turns come from nowhere)
            moved = placed & ((new_holder != prev_holder) | (new_pool != prev_pool))
            before = self._silo_at(prev_holder, prev_pool)
            th.hops[ids] += moved
            th.silo_crossings[ids] += moved & (before != self._silo_at(new_holder, new_pool))
        th.stage[ids] = stage
        th.state[ids] = state
        th.leg[ids] = leg
        th.phase[ids] = Phase.WAITING
        delay = self.draw_delay(delay_spec or EXPONENTIAL, delay_hours, ids.size)
        th.ready_at[ids] = th.clock[ids] + delay
        if holder is not None and self.stage_specs[stage].mean_hours == 0:
            # a stage that takes no time is done as soon as its holder has it
            th.phase[ids] = Phase.DELAY

    def wait(
        self,
        ids: np.ndarray,
        state: State,
        leg: int | np.ndarray,
        hours: np.ndarray | float,
        spec: DelayShape | None = None,
    ) -> None:
        """Hold threads for a delay (approval, follow-up), then :meth:`Structure.advance`."""
        if ids.size == 0:
            return
        th = self.threads
        th.state[ids] = state
        th.leg[ids] = leg
        th.phase[ids] = Phase.DELAY
        delay = self.draw_delay(spec or EXPONENTIAL, hours, ids.size)
        th.ready_at[ids] = th.clock[ids] + delay

    def post(self, ids: np.ndarray) -> None:
        """Publish answers for ``ids``: draw their random numbers (a fixed amount per
        answer, from the answers stream), grade them (:func:`grade_answers`), and write
        what they are into the table, the counters and this tick's events."""
        if ids.size == 0:
            return
        th, spec = self.threads, self.scenario
        rng = self.streams.answers
        t = self.tick
        now = th.clock[ids]  # each answer is posted at its own time within the tick
        u = rng.random((5, ids.size))
        # one of each delay per answer, used or not: a fixed number of draws per answer
        found_after = self.draw_delay(EXPONENTIAL, spec.opinions.spin_found_hours, ids.size, rng)
        reply_after = self.draw_delay(EXPONENTIAL, spec.conversation.followup_hours, ids.size, rng)
        draws = AnswerDraws(uniforms=u, found_after=found_after, reply_after=reply_after)
        graded = grade_answers(
            th, ids, self.org, self.engagement, self.levers, self.voices, spec, draws
        )
        th.quality[ids] = graded.quality
        th.authenticity[ids] = graded.authenticity
        th.voice[ids] = graded.speaker
        th.voice_weight[ids] = graded.voice_weight
        th.gaffe[ids] |= graded.gaffe  # a gaffe stays on the thread
        th.turns[ids] = graded.turns
        first = th.first_response_tick[ids] < 0
        firsts = ids[first]
        th.first_response_tick[firsts] = t
        th.first_response_at[firsts] = now[first]
        waited = now[first] - th.created_at[firsts]  # hours
        self.counters["first_answers"] += int(waited.size)
        self.counters["first_response_ticks"] += float(waited.sum()) / self.dt
        self.counters["answered_within_1h"] += int(np.count_nonzero(waited <= 1.0))
        th.holder[ids] = -1
        th.pool[ids] = -1
        self.counters["answered"] += ids.size
        self.counters["gaffes"] += int(np.count_nonzero(graded.gaffe))
        th.admitted[ids] = graded.admitted
        th.spun[ids] = graded.spun
        found = ids[graded.spin_found]
        if found.size:  # found out later: the public side queues each discovery once
            at = now[graded.spin_found] + found_after[graded.spin_found]
            when = np.maximum(np.floor(at / self.dt), t + 1)  # a later tick's public side
            th.spin_found_tick[found] = when
            self.events.spin_found.append((found, when.astype(np.int64)))
        self.events.answered.append(ids)
        self.events.resolved.append(graded.resolved)
        self.events.gaffe.append(graded.gaffe)
        th.state[ids] = State.ANSWERED
        th.phase[ids] = Phase.IDLE
        done = ids[graded.resolved]
        th.state[done] = State.RESOLVED
        th.resolution_tick[done] = t
        th.resolution_at[done] = now[graded.resolved]
        self.counters["resolved"] += done.size
        again = ids[graded.talk]
        if again.size:
            th.phase[again] = Phase.DELAY
            th.leg[again] = Leg.FOLLOWUP
            th.ready_at[again] = now[graded.talk] + reply_after[graded.talk]

    def holder_load(self) -> np.ndarray:
        """Threads held by each employee, as of the start of this tick's routing.

        A snapshot taken once per tick: load balancing reads it without rescanning
        the live threads for every routing call (it may lag moves made this tick).
        """
        if self._load_tick != self.tick:
            work = self._scratch
            holders = work.take("holders", self.threads.holder, self.threads.live)
            held = work.compress("held holders", holders >= 0, holders)
            self._load = np.bincount(held, minlength=self.org.n_employees)
            self._load_tick = self.tick
        return self._load

    def approval_hours(self, approver: np.ndarray) -> np.ndarray:
        """Mean approval wait at each approver's level."""
        return self.level_approval_hours[self.org.level[approver]]

    # ------------------------------------------------------------------ the tick

    def begin_tick(self) -> None:
        """Clear the previous tick's events (call before admitting this tick's threads)."""
        self.events = TickEvents()

    def admit(self, ids: np.ndarray, *, spread: bool = False) -> None:
        """New threads (already appended to the table) enter routing. They arrive at the
        start of this tick, or with ``spread`` (the public's posts) at their own time
        within it (:func:`arrival_offsets`)."""
        if ids.size:
            th = self.threads
            start = self.tick * self.dt
            if spread:
                offset = arrival_offsets(th.author[ids], self.tick)
                th.created_at[ids] = start + offset * self.dt
            else:
                th.created_at[ids] = start
            th.clock[ids] = th.created_at[ids]
            self._open_turn(ids)
            self.structure.route(self, ids)

    def take_opened_turns(self) -> np.ndarray:
        """The threads whose turn opened since the last call (new threads, scripted ones
        admitted between ticks, follow-ups, escalations): each is an expectation of an
        answer (MODEL.md 4.7). Clears them."""
        turns, self._opened_turns = self._opened_turns, []
        return np.concatenate(turns) if turns else np.zeros(0, np.int64)

    def _open_turn(self, ids: np.ndarray) -> None:
        """A turn opens at each thread's ``clock``; its author waits ``patience`` from then."""
        self._opened_turns.append(ids)
        th = self.threads
        th.turn_tick[ids] = self.tick
        deadline = th.clock[ids] + th.patience_ticks[ids].astype(np.float64) * self.dt
        th.deadline_at[ids] = deadline
        th.deadline_tick[ids] = deadline / self.dt  # (the public side reads ticks)

    def step(self) -> None:
        """Advance the organization one tick (the caller has admitted new threads).

        The tick's answers and abandonments are left in :attr:`events` until the next
        :meth:`begin_tick`."""
        self.structure.on_tick(self)
        self._work()
        self._record()
        self.threads.compact()
        self.tick += 1

    def escalate(self, ids: np.ndarray) -> None:
        """The authors of these abandoned threads posted again, louder (MODEL.md 4.2,
        4.6): each comes back as a new turn at the start of the next tick, once."""
        if ids.size == 0:
            return
        th = self.threads
        th.escalations[ids] += 1
        th.state[ids] = State.OPEN  # no longer abandoned: waiting for its new turn
        th.holder[ids] = -1  # a new turn comes from nowhere: routing it is no handoff
        th.pool[ids] = -1
        th.phase[ids] = Phase.DELAY
        th.leg[ids] = Leg.FOLLOWUP
        th.ready_at[ids] = self.tick * self.dt
        th.revive(ids)

    def _abandon(self, ids: np.ndarray) -> None:
        """These threads' authors gave up at their deadline; a server working on one is
        free from then."""
        if ids.size == 0:
            return
        th = self.threads
        at = th.deadline_at[ids]
        in_service = th.phase[ids] == Phase.SERVICE
        if in_service.any():
            servers = th.holder[ids[in_service]]
            self.serving[servers] = -1
            self.free_at[servers] = at[in_service]
            left = th.ready_at[ids[in_service]] - at[in_service]  # work not done after all
            self.busy_work -= float(self.speed[servers] @ left) / self.dt
            th.service_ticks[ids[in_service]] -= left / self.dt
        th.state[ids] = State.ABANDONED
        th.phase[ids] = Phase.IDLE
        th.abandon_tick[ids] = self.tick
        th.abandon_at[ids] = at
        th.clock[ids] = at
        self.counters["abandoned"] += ids.size
        self.events.abandoned.append(ids)

    def _work(self) -> None:
        """Rounds of steps ending and servers starting, in the tick window (module
        docstring, step 3). The first round scans the live threads; later rounds only
        the threads the previous round moved or started, and those left waiting."""
        th = self.threads
        end = (self.tick + 1) * self.dt
        start = self.tick * self.dt
        free = self.serving < 0
        self.free_at[free] = np.maximum(self.free_at[free], start)
        live = th.live
        work = self._scratch
        # the waiting threads live in two work arrays, each round's in the other one
        slots = ("waiting", "waiting'")
        slot = 0
        phase = work.take("phase", th.phase, live)
        mask = work.get("mask", live.size, bool)  # (a mask read at once, before the next)
        busy = np.equal(phase, Phase.SERVICE, out=work.get("busy", live.size, bool))
        busy |= np.equal(phase, Phase.DELAY, out=mask)
        stepping = live.compress(busy)
        waiting = work.compress(slots[slot], np.equal(phase, Phase.WAITING, out=mask), live)
        ready = work.take("ready_at", th.ready_at, waiting)
        mask = mask[: waiting.size]
        early = np.less(ready, end, out=work.get("early", waiting.size, bool))
        # whose author may give up within the tick (deadlines of waiting turns are fixed)
        deadline = work.take("deadline_at", th.deadline_at, waiting)
        at_risk = waiting.compress(np.less(deadline, end, out=mask))
        # whether a thread waiting in this tick arrives after its start (else none is
        # late for any server, and _rank is the priority alone)
        self._arrivals = bool(np.logical_and(ready > start, early, out=mask).any())
        if not early.all():  # not ready this tick: gone only if the author gives up
            later = waiting[~early]
            self._abandon(later[self._awaiting(later) & (th.deadline_at[later] < end)])
            slot ^= 1
            waiting = work.compress(slots[slot], early, waiting)
        matchable = True  # in the first round every free server may find work
        front: Front | None = None  # later rounds: the backlog as a front and a rest
        for _ in range(self.max_rounds):
            moved, freed = self._advance(stepping, end)
            if moved.size:
                now_waiting = moved[th.phase[moved] == Phase.WAITING]
                now_waiting = now_waiting[th.ready_at[now_waiting] < end]
                if now_waiting.size:
                    if front is not None:
                        front.append(now_waiting)
                    else:
                        slot ^= 1
                        size = waiting.size + now_waiting.size
                        out = work.get(slots[slot], size, waiting.dtype)
                        waiting = np.concatenate([waiting, now_waiting], out=out)
                    self._arrivals = True
                    risky = now_waiting[th.deadline_at[now_waiting] < end]
                    at_risk = np.concatenate([at_risk, risky]) if risky.size else at_risk
            started, dropped = _NO_IDS, 0
            if matchable or moved.size or freed:
                # (else no thread came and no server freed: the last matching stands)
                matched = None if front is None else self._dispatch(front.threads(), front)
                if matched is None:
                    if front is not None:  # it could not decide: the whole backlog
                        waiting, front = front.backlog_now(), None
                    matched = self._dispatch(waiting)
                started, dropped, marked = matched
                if marked is not None:
                    front = marked
            if started.size or dropped:  # (kept distinct: none of it is waiting any more)
                if front is not None:
                    front.keep(th.phase[front.threads()] == Phase.WAITING)
                else:
                    phase = work.take("phase", th.phase, waiting)
                    mask = work.get("mask", phase.size, bool)
                    slot ^= 1
                    waiting = work.compress(
                        slots[slot], np.equal(phase, Phase.WAITING, out=mask), waiting
                    )
            if moved.size == 0 and started.size == 0 and dropped == 0 and not freed:
                break
            matchable = dropped > 0  # a server whose thread was gone may take another
            # (a thread moved into a queue may have started already: count it once)
            stepping = union(moved, started) if moved.size else started
        else:
            raise RuntimeError(
                f"tick {self.tick}: routing did not settle in {self.max_rounds} rounds"
            )
        at_risk = at_risk[(th.phase[at_risk] == Phase.WAITING) & self._awaiting(at_risk)]
        self._abandon(np.unique(at_risk))  # (a turn may have reopened: listed twice)

    def _awaiting(self, ids: np.ndarray) -> np.ndarray:
        """Whether each thread still waits for an answer (its author can give up)."""
        return self.threads.state[ids] < State.ANSWERED

    def _advance(self, candidates: np.ndarray, end: float) -> tuple[np.ndarray, int]:
        """Threads among ``candidates`` whose service or delay ends before ``end``
        move on, each at its own time; those whose author gives up first (before
        ``end`` and before the step ends) are abandoned. Returns the moved threads and
        how many threads were abandoned (servers may have been freed)."""
        th = self.threads
        phase = th.phase[candidates]
        stepping = candidates[(phase == Phase.SERVICE) | (phase == Phase.DELAY)]
        ready = th.ready_at[stepping]
        deadline = np.where(self._awaiting(stepping), th.deadline_at[stepping], np.inf)
        gives_up = (deadline < ready) & (deadline < end)
        gone = int(np.count_nonzero(gives_up))
        if gone:
            self._abandon(stepping[gives_up])
        due_mask = ~gives_up & (ready < end)
        due = stepping[due_mask]
        if due.size == 0:
            return _NO_IDS, gone
        th.clock[due] = ready[due_mask]
        served = due[th.phase[due] == Phase.SERVICE]
        servers = th.holder[served]
        self.serving[servers] = -1
        self.free_at[servers] = th.ready_at[served]
        followup = th.leg[due] == Leg.FOLLOWUP
        if followup.any():
            self._reopen(due[followup])
            self.structure.advance(self, due[~followup])
        else:
            self.structure.advance(self, due)
        return due, gone

    def _reopen(self, ids: np.ndarray) -> None:
        """The author replied: a new turn opens and goes back through routing."""
        if ids.size == 0:
            return
        th = self.threads
        th.state[ids] = State.OPEN
        th.phase[ids] = Phase.WAITING
        th.polished[ids] = False
        self._open_turn(ids)
        self.structure.route(self, ids)

    def priority(self, ids: np.ndarray) -> np.ndarray:
        """Oldest turn first. Where someone reads a thread before taking it (the
        switchboard's triage, every queue with analytics) severe complaints move ahead;
        with analytics, influential authors too (essay 003: "which influencers to engage
        with")."""
        return self._priority(ids, self._scratch_priority).copy()  # (the caller keeps it)

    def _priority(self, ids: np.ndarray, work: Scratch | None) -> np.ndarray:
        """:meth:`priority`, in work arrays of ``work`` if given (else fresh ones)."""
        th = self.threads

        def gather(name: str) -> np.ndarray:
            column = getattr(th, name)
            return column.take(ids) if work is None else work.take(name, column, ids)

        if work is None:
            priority = th.turn_tick.take(ids).astype(np.float64)
        else:
            priority = work.get("priority", ids.size, np.float64)
            np.copyto(priority, gather("turn_tick"))
        analytics = self.structure.uses_analytics(self)
        if analytics:
            ahead = self.levers.structure.analytics_weight_hours / self.dt
            weight = gather("influence")  # float32, worked in place (as the expression)
            np.maximum(weight, 1e-6, out=weight)
            np.log(weight, out=weight)
            weight *= ahead
            priority -= weight

        def equal(name: str, value: int) -> np.ndarray:
            out = None if work is None else work.get(f"{name} read", ids.size, bool)
            return np.equal(gather(name), value, out=out)

        read = equal("kind", Kind.COMPLAINT)
        if not analytics and read.any():  # (no complaint: no stage to read)
            read &= equal("stage", Stage.TRIAGE)
        if read.any():
            ahead = self.levers.structure.severity_weight_hours / self.dt
            priority -= np.where(read, ahead * th.severity[ids], 0.0)
        return priority

    def _dispatch(
        self, waiting: np.ndarray, front: Front | None = None
    ) -> tuple[np.ndarray, int, Front | None] | None:
        """Free servers take ``waiting`` threads (ready within the tick): own queues
        first, then the pools, then the structure's overflow, which is offered each
        thread at most once a tick (its chances are per tick). Each pair starts at the
        later of the server's free time and the thread's ready time; a thread whose
        author gave up before that is abandoned instead and its server stays free.
        With no thread waiting nothing starts and nothing is drawn (the matchings draw
        only for waiting threads).

        With ``front``, ``waiting`` is its threads (:meth:`Front.threads`) and the
        rest of the backlog is left out (:mod:`sim.organization.front`); when the front
        cannot decide the matching, nothing is done and ``None`` is returned. Without
        it, a large pooled backlog gets a front marked, for the later rounds.

        Returns the threads started, how many were dropped as abandoned, and the front
        marked (``None`` if none)."""
        if waiting.size == 0 and (front is None or not front.has_rest):
            return _NO_IDS, 0, None
        th = self.threads
        work = self._scratch
        free = (self.serving < 0) & self._serves
        holder = work.take("holder", th.holder, waiting)
        held = np.greater_equal(holder, 0, out=work.get("held", holder.size, bool))
        # (ranked only where the holder is free to take one; a holder of -1 reads the
        # last employee, and is no holder)
        can_take = work.take("can take", free, holder)
        mine = np.flatnonzero(np.logical_and(held, can_take, out=can_take))
        own, own_holder = waiting.take(mine), holder.take(mine)
        t_own, s_own = _NO_IDS, _NO_IDS
        if own.size:  # else no priority is needed
            rank = self._rank(own, self.free_at[own_holder], work)
            t_own, s_own = match_own_queues(own, own_holder, rank, free)
            free[s_own] = False
        free_members = (free & self._in_pool).nonzero()[0]
        pooled, chosen, s_pool = _NO_IDS, _NO_IDS, _NO_IDS
        if free_members.size:  # else neither the pools nor an overflow take any
            pool = work.take("pool", th.pool, waiting)
            in_pool = np.greater_equal(pool, 0, out=work.get("in pool", pool.size, bool))
            in_pool &= np.logical_not(held, out=held)  # (held is not read again)
            pooled = work.compress("pooled", in_pool, waiting)
        rest = front is not None and front.has_rest
        asked, marked = None, None  # the pools' fronts asked of this matching; the Front
        if free_members.size and (pooled.size or rest):  # else no priority is needed
            first_free = np.full(self.n_pools, np.inf)
            np.minimum.at(first_free, self.pool_of[free_members], self.free_at[free_members])
            if self.n_pools == 1:  # one pool, free from one time (a switchboard): no gathers
                pool = work.get("pooled pool", pooled.size, pool.dtype)
                pool.fill(0)
                free_from = first_free[0]
            else:
                pool = work.compress("pooled pool", in_pool, pool)
                free_from = work.take("free_from", first_free, pool)
            if rest and self._overflow_needs_rest(front, pool, free_members):
                return None
            if front is None and FRONT_PER_POOL > 0 and pooled.size >= FRONT_MIN_POOLED:
                asked = PoolFront(size=FRONT_PER_POOL)
            priority = self._rank(
                pooled, free_from, work, front.rest_max if front is not None else -np.inf
            )
            matched = match_pools(
                work.positions(pooled.size),
                pool,
                priority,
                free_members,
                self.pool_of[free_members],
                self.n_pools,
                self.streams.routing,
                self.free_at[free_members],
                work,
                front=asked,
                rest=front.pools if rest else None,
            )
            if matched is None:  # the front cannot decide: nothing was drawn
                return None
            chosen, s_pool = matched
            if asked is not None and asked.near is not None:
                marked = self._front_of(waiting, in_pool, pooled, priority, asked)
        t_pool = pooled[chosen]
        free[s_pool] = False
        t_over, s_over = _NO_IDS, _NO_IDS
        offered_all = not self.structure.overflows
        if self.structure.overflows:
            free_members = (free & self._in_pool).nonzero()[0]
            if free_members.size and chosen.size < pooled.size:
                offered_all = True  # (every pooled thread not taken is offered now or was)
                offered = work.take("offered", th.offered_tick, pooled)
                unoffered = np.not_equal(
                    offered, self.tick, out=work.get("left", offered.size, bool)
                )
                unoffered[chosen] = False  # the pooled threads nobody took, offered once a tick
                left = pooled.compress(unoffered)  # (fresh: the structure is handed it)
            if free_members.size and chosen.size < pooled.size and left.size:
                th.offered_tick[left] = self.tick
                # a claim is made from where the thread is, once it is there
                ready = work.take("left ready", th.ready_at, left)
                th.clock[left] = np.maximum(ready, self.tick * self.dt, out=ready)
                base = self._base_priority(priority, unoffered, left)
                t_over, s_over = self.structure.overflow(self, left, free_members, base)
        starts = [(t, s) for t, s in ((t_own, s_own), (t_pool, s_pool), (t_over, s_over)) if t.size]
        if not starts:
            return _NO_IDS, 0, self._finish_front(marked, offered_all, t_over)
        if len(starts) == 1:
            ids, servers = starts[0]
        else:
            threads, servers_ = zip(*starts, strict=True)
            ids, servers = np.concatenate(threads), np.concatenate(servers_)
        begin = np.maximum(self.free_at[servers], th.ready_at[ids])
        late = self._awaiting(ids) & (th.deadline_at[ids] < begin)
        if late.any():  # the author left before anyone could start: the server stays free
            self._abandon(ids[late])
            ids, servers, begin = ids[~late], servers[~late], begin[~late]
        self._start(ids, servers, begin)
        marked = self._finish_front(marked, offered_all, t_over)
        return ids, int(np.count_nonzero(late)), marked

    def _base_priority(
        self, priority: np.ndarray, unoffered: np.ndarray, left: np.ndarray
    ) -> np.ndarray:
        """:meth:`priority` of the pooled threads ``left`` to the overflow, from their
        ranks in this round's matching (``priority``, of every pooled thread): a rank is
        the plain priority except for a late arrival's (:meth:`_rank`), which is
        computed again. :meth:`_priority` is elementwise, so the values are those of
        ``priority(left)``, without its passes over every thread left."""
        base = priority.compress(unoffered)
        if self._arrivals:  # the late mask of the pooled ranking, as _rank left it
            late = self._scratch.get("late", unoffered.size, bool).compress(unoffered)
            if late.any():
                base[late] = self._priority(left[late], None)
        return base

    def _overflow_needs_rest(
        self, front: Front, pool: np.ndarray, free_members: np.ndarray
    ) -> bool:
        """Whether this round's overflow would be offered rest threads not yet offered
        this tick: some pool member stays free after the pools (a pool with no rest
        has fewer threads than free members; a pool with a rest serves them all, or
        the front cannot decide anyway), and the rest was not all offered."""
        if front.rest_offered or not self.structure.overflows:
            return False
        n_free = np.bincount(self.pool_of[free_members], minlength=self.n_pools)
        there = np.bincount(pool, minlength=self.n_pools)
        return bool(((n_free > there) & ~np.isfinite(front.pools.floor)).any())

    def _front_of(
        self,
        waiting: np.ndarray,
        in_pool: np.ndarray,
        pooled: np.ndarray,
        priority: np.ndarray,
        marked: PoolFront,
    ) -> Front:
        """The front for later rounds, from the pools' fronts marked in this round's
        matching (:mod:`sim.organization.front`): the marked threads, the held ones,
        and those that arrive within the tick; the rest stay out.

        Every thread that arrives within the tick is on the front, because every free
        server is free from the tick's start or later (:meth:`_work`), so a thread
        ready by then is never late; the rest's priorities are their plain ones."""
        near = np.copy(marked.near)
        if self._arrivals:  # a late arrival's rank changes with its server's free time
            # (the pooled threads' ready times, as _rank gathered them for this matching)
            ready = self._scratch.get("rank ready", pooled.size, np.float64)
            near |= ready > self.tick * self.dt
        off = np.logical_not(near)
        rest_max = float(np.max(priority, where=off, initial=-np.inf))
        top = _NO_IDS  # (read only if the overflow takes threads this round)
        if self.structure.overflows and rest_max > -np.inf:
            top = pooled.compress(off & (priority == rest_max))
        on_front = np.logical_not(in_pool)  # held threads (and any in no queue)
        on_front[in_pool] = near
        return Front(
            backlog=waiting.copy(),
            near=np.flatnonzero(on_front),
            rest=np.logical_not(on_front, out=on_front),
            pools=marked,
            rest_max=rest_max,
            rest_offered=False,
            rest_top=top,
        )

    def _finish_front(
        self, front: Front | None, offered_all: bool, overflowed: np.ndarray
    ) -> Front | None:
        """Settle a front marked in this round: whether its rest was all offered to the
        overflow, and without the rest threads the overflow took. If the overflow took
        every rest thread of the highest priority, ``rest_max`` is no longer known
        exactly: no front is kept (the later rounds match the whole backlog)."""
        if front is None:
            return None
        front.rest_offered = offered_all
        if overflowed.size:
            phase = self.threads.phase.take(front.backlog)
            front.rest &= phase == Phase.WAITING
            top = front.rest_top
            if top.size and not (self.threads.phase[top] == Phase.WAITING).any():
                return None
        return front

    def _rank(
        self,
        ids: np.ndarray,
        free_from: np.ndarray | float,
        work: Scratch | None = None,
        rest_max: float = -np.inf,
    ) -> np.ndarray:
        """Queue rank of waiting threads (lower first), for a queue whose first free
        server is free from ``free_from``: the threads already there by then in
        :meth:`priority` order, then those that come later within the tick, in the
        order they come (a free server takes the first to arrive; MODEL.md 4.4).
        Arrival times are resolved to 1/``LATE_LEVELS`` of a tick. With ``work``, the
        ranks are in its work arrays (valid until its next ranking). ``rest_max`` is
        the highest priority of waiting threads of these queues left out of ``ids``
        (:mod:`sim.organization.front`): late arrivals rank after them too."""
        priority = self._priority(ids, work)
        if not self._arrivals:
            return priority
        th = self.threads
        ready = th.ready_at.take(ids) if work is None else work.take("rank ready", th.ready_at, ids)
        late = np.greater(
            ready, free_from, out=None if work is None else work.get("late", ids.size, bool)
        )
        if late.any():
            after = max(float(priority.max()), rest_max) + 1.0
            offset = (ready[late] - self.tick * self.dt) / self.dt
            priority[late] = after + LATE_LEVELS * np.clip(offset, 0.0, 1.0)
        return priority

    def _start(self, ids: np.ndarray, server: np.ndarray, begin: np.ndarray) -> None:
        """Start service at ``begin``: draw each task's hours, stage by stage (in stage
        order)."""
        if ids.size == 0:
            return
        th = self.threads
        stage = th.stage[ids]
        stages = np.bincount(stage).nonzero()[0].tolist()  # as np.unique, in order
        if len(stages) == 1:
            hours = self._service_hours(stages[0], ids, server)
        else:
            hours = np.empty(ids.size, dtype=np.float64)
            for s in stages:
                sel = stage == s
                hours[sel] = self._service_hours(s, ids[sel], server[sel])
        th.holder[ids] = server
        th.pool[ids] = -1
        th.phase[ids] = Phase.SERVICE
        th.state[ids] = _STAGE_STATE[stage]
        th.clock[ids] = begin
        th.ready_at[ids] = begin + hours
        th.service_ticks[ids] += hours / self.dt
        self.serving[server] = ids
        self.busy_work += float(self.speed[server] @ hours) / self.dt

    def _service_hours(self, stage: int, ids: np.ndarray, server: np.ndarray) -> np.ndarray:
        """Hours of service of one ``stage`` for threads ``ids`` by ``server``: the
        stage's mean scaled by the server's speed and, for drafting, by its expertise
        in the topic (MODEL.md 4.4)."""
        spec = self.stage_specs[stage]
        mean = spec.mean_hours / self.speed[server].astype(np.float64)
        if stage == Stage.DRAFT:
            skill = self.org.expertise[server, self.threads.topic[ids]]
            mean = mean * (1.0 + self.scenario.service.expertise_slowdown * (1.0 - skill))
        return draw_hours(spec, mean, ids.size, self.streams.service)

    def _record(self) -> None:
        """Accumulate available social work for ``utilization`` (busy work is added as
        services start, less what an abandonment cuts short), and the busy share at
        the tick's end."""
        capacity = self._total_speed
        self.capacity_work += capacity
        busy_work = float(self.speed[self.serving >= 0].sum())
        self.busy_share = busy_work / capacity if capacity else 0.0
