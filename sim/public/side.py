"""The public side of one tick, behind one interface (MODEL.md section 3, steps 2, 3,
7 and 8).

:class:`CustomerPublic` is the model's public: customers on their graph post
(:mod:`sim.public.posting`), what they post spreads (:mod:`sim.public.spread`), the
brand broadcasts (:mod:`sim.public.broadcast`) and everyone reacts to what they
experienced and saw (:mod:`sim.public.opinions`). :class:`PoissonPublic` is the
queueing test bed (MODEL.md 6.1, 6.2): threads arrive from a Poisson process and
nobody is there to see the answers. Both have the same interface, so the model never
asks which one it has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.levers import Levers
from sim.public.arrivals import PoissonArrivals
from sim.public.broadcast import Broadcasting
from sim.public.customers import Customers, build_customers
from sim.public.opinions import Opinions
from sim.public.patience import Patience
from sim.public.posting import CustomerPosting
from sim.public.spread import Exposed, Spread
from sim.rng import Streams
from sim.scenario.schema import CultureSpec, Scenario
from sim.threads import Kind, ThreadTable

__all__ = ["CustomerPublic", "OrganizationActs", "PoissonPublic", "build_public"]

_NO_IDS = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class OrganizationActs:
    """What the organization did this tick that the public can see: answers (whether
    each resolved its thread, whether each was a gaffe), abandoned threads, and the
    spun answers whose spin will be found out, with when (one entry per answer, drawn
    once)."""

    answered: np.ndarray
    resolved: np.ndarray
    gaffe: np.ndarray
    abandoned: np.ndarray
    turns: np.ndarray
    """Threads whose turn opened this tick: their authors now expect an answer."""
    spin_found: list[tuple[np.ndarray, np.ndarray]]


class SpinLedger:
    """Spun answers waiting to be found out (MODEL.md 4.5): each costs its thread's
    audience a trust signal of ``-spin_penalty`` when its time comes, once."""

    def __init__(self) -> None:
        self.threads = _NO_IDS
        self.ticks = _NO_IDS
        self.next_tick: float = math.inf

    def add(self, found: list[tuple[np.ndarray, np.ndarray]]) -> None:
        for spun, when in found:
            self.threads = np.concatenate([self.threads, spun])
            self.ticks = np.concatenate([self.ticks, when])
        self.next_tick = int(self.ticks.min())

    def due(self, tick: int) -> tuple[np.ndarray, np.ndarray]:
        """(threads found out by ``tick``, how many spins each), and forget them."""
        due = self.ticks <= tick
        found, times = np.unique(self.threads[due], return_counts=True)
        self.threads, self.ticks = self.threads[~due], self.ticks[~due]
        self.next_tick = int(self.ticks.min()) if self.ticks.size else math.inf
        return found, times


class CustomerPublic:
    """Customers who post, spread, hear broadcasts and change their minds."""

    def __init__(self, scenario: Scenario, streams: Streams, threads: ThreadTable) -> None:
        self.scenario = scenario
        self.threads = threads
        self.customers: Customers | None = build_customers(scenario, streams.customers)
        people = self.customers
        self.posting = CustomerPosting(scenario, people, streams.posting)
        self.spread = Spread(scenario, people, threads, streams.spread)
        self.opinions = Opinions(scenario, people, streams.opinions)
        self.broadcasting = Broadcasting(scenario, people, streams.broadcasts, streams.opinions)
        self.patience = Patience(scenario.channels, scenario.time.tick_hours)
        self.spins = SpinLedger()
        self._problems = _NO_IDS
        self._exposed: Exposed | None = None

    # 2. posting
    def post(self, tick: int, levers: Levers) -> np.ndarray:
        """Open this tick's threads (MODEL.md 4.1); returns their ids."""
        posted = self.posting.open(
            self.threads, tick, levers.topic_quality, levers.culture.service_attitude
        )
        self._problems = posted.problem_customers
        return posted.threads

    def open_crisis(self, tick: int, n: int, topic: int, rng: np.random.Generator) -> np.ndarray:
        """A crisis burst (MODEL.md 4.10): ``n`` complaints on ``topic`` from customers
        drawn by activity, on channel 0 and with its patience."""
        u = rng.random((2, n))
        author = self.customers.sample_by_activity(u[0])
        influence = self.customers.influence[author]
        return _append_crisis(self, tick, topic, author, influence, u[1], rng)

    # 3. spread
    def spread_step(self, tick: int, opened: np.ndarray) -> None:
        """Live threads spread; ``opened`` are the threads opened since the last tick,
        in id order (MODEL.md 4.2)."""
        self._exposed = self.spread.step(tick, opened)

    # 7. broadcasts
    def broadcast(self, culture: CultureSpec, replies: int) -> int:
        """The brand's own posts this tick (MODEL.md 4.8); returns how many."""
        return self.broadcasting.step(culture, replies)

    # 8. opinion update
    def react(self, tick: int, acts: OrganizationActs) -> np.ndarray:
        """The public reacts to what it experienced and saw this tick (MODEL.md 4.7).
        Returns the ignored complaints whose authors escalate (MODEL.md 4.2): each
        comes back to the organization as a new turn."""
        th, opinions, exposed = self.threads, self.opinions, self._exposed
        opinions.had_problem(self._problems)
        opinions.expect(th, acts.turns)
        opinions.see(
            th,
            exposed.thread,
            exposed.customer,
            exposed.answered,
            exposed.gaffe,
            negative=exposed.negative,
        )
        answered = acts.answered
        if answered.size:
            opinions.answered(th, answered, tick, acts.resolved, acts.gaffe)
            thread, customer = self.spread.audience(answered)  # they see the answer now
            others = customer != th.author[thread]
            # whether a thread's answers of this tick include a gaffe
            order = np.argsort(answered, kind="stable")
            ids, starts = np.unique(answered[order], return_index=True)
            any_gaffe = np.logical_or.reduceat(acts.gaffe[order], starts)
            gaffe = any_gaffe[ids.searchsorted(thread[others])]
            opinions.see_answers(th, thread[others], customer[others], gaffe, tick)
        if acts.spin_found:  # found out later, once each
            self.spins.add(acts.spin_found)
        escalated = _NO_IDS
        if acts.abandoned.size:
            opinions.ignored(th, acts.abandoned)
            escalated = self._escalations(acts.abandoned)
            self.spread.escalate(tick, escalated)
        if self.spins.next_tick <= tick:  # each spin found out costs the audience trust
            found, times = self.spins.due(tick)
            thread, audience = self.spread.audience(found)
            spec = opinions.spec
            penalty = spec.trust_seen * spec.spin_penalty * times[np.searchsorted(found, thread)]
            opinions.believe(audience, -penalty)
        opinions.apply()
        return escalated

    def _escalations(self, abandoned: np.ndarray) -> np.ndarray:
        """Which of these abandoned threads' authors post again: complaints by a known
        author, not escalated before, each with chance ``escalation x 2 x severity``
        (one uniform per abandoned thread, from the spread stream)."""
        th = self.threads
        u = self.spread.rng.random(abandoned.size)
        chance = self.scenario.spread.escalation * 2.0 * th.severity[abandoned]
        again = (
            (u < chance)
            & (th.kind[abandoned] == Kind.COMPLAINT)
            & (th.author[abandoned] >= 0)
            & (th.escalations[abandoned] == 0)
        )
        return abandoned[again]

    # outputs
    def reach(self, ids: np.ndarray) -> np.ndarray:
        """Distinct customers each thread has reached."""
        return self.spread.reach(ids)

    @property
    def is_spreading(self) -> bool:
        """Whether some view of a thread is still to come (a cascade is under way)."""
        return self.spread.has_views_to_come

    @property
    def broadcasts(self) -> int:
        return self.broadcasting.count

    @property
    def negative_exposures(self) -> int:
        return self.spread.negative_exposures


class PoissonPublic:
    """The queueing test bed: Poisson arrivals per topic and channel, no customers, so
    nothing spreads, nobody broadcasts to and nobody reacts."""

    customers: Customers | None = None

    def __init__(self, scenario: Scenario, streams: Streams, threads: ThreadTable) -> None:
        self.threads = threads
        self.arrivals = PoissonArrivals(scenario, streams.posting)
        self.patience = Patience(scenario.channels, scenario.time.tick_hours)

    def post(self, tick: int, levers: Levers) -> np.ndarray:
        return self.arrivals.open(self.threads, tick)

    def open_crisis(self, tick: int, n: int, topic: int, rng: np.random.Generator) -> np.ndarray:
        u = rng.random((2, n))  # (the author's uniform is drawn too: the same stream use)
        return _append_crisis(self, tick, topic, np.full(n, -1, np.int32), 1.0, u[1], rng)

    def spread_step(self, tick: int, opened: np.ndarray) -> None:
        pass

    def broadcast(self, culture: CultureSpec, replies: int) -> int:
        return 0

    def react(self, tick: int, acts: OrganizationActs) -> np.ndarray:
        return _NO_IDS

    def reach(self, ids: np.ndarray) -> np.ndarray:
        return np.zeros(ids.size, dtype=np.int64)

    broadcasts = 0
    negative_exposures = 0
    is_spreading = False


def _append_crisis(
    public: CustomerPublic | PoissonPublic,
    tick: int,
    topic: int,
    author: np.ndarray,
    influence: np.ndarray | float,
    u_patience: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Append crisis complaints on channel 0 (patience from ``u_patience``, severity
    drawn now) and return their ids."""
    n = author.size
    return public.threads.append(
        n,
        kind=Kind.COMPLAINT,
        topic=topic,
        channel=0,
        severity=rng.random(n),
        author=author,
        influence=influence,
        created_tick=tick,
        patience_ticks=public.patience.ticks(np.zeros(n, dtype=np.int64), u_patience),
    )


def build_public(
    scenario: Scenario, streams: Streams, threads: ThreadTable
) -> CustomerPublic | PoissonPublic:
    """The public of ``scenario``'s ``arrivals.mode``."""
    kind = CustomerPublic if scenario.arrivals.mode == "customers" else PoissonPublic
    return kind(scenario, streams, threads)
