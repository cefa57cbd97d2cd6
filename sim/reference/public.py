"""The public's side, customer by customer: posting and spreading (MODEL.md 4.1, 4.2).

**Posting.** Every customer carries three Poisson clocks (exponential gaps, in hours):
problems at ``problem_rate x activity``, questions at ``question_rate x activity`` and
praise at ``praise_rate``. When a problem clock rings, the problem lands on a topic
drawn by traffic weight and is a real problem with probability ``badness = (1 -
attitude_weight)(1 - topic quality) + attitude_weight (1 - service attitude)``; a real
problem is posted as a complaint with probability ``post_probability +
post_negativity x max(0, -sentiment)``. A praise clock posts only if the customer is a
fan when it rings. The thread's channel follows the channels' shares, and its author's
patience the channel's (exponential, fixed or infinite).

**Spread.** Each thread is an independent cascade over the follower network, in
continuous time (hours). When it opens (at the start of its tick), its author counts as
exposed and each follower will see it with probability ``view_share x channel reach``,
after a delay drawn from the channel's attention decay: exponential with mean
``half_life_hours / ln 2``. A customer who sees it for the first time passes it to each
follower with probability ``channel reshare x kind multiplier x state multiplier x
severity factor``, judged at the time of the view: the state multiplier is ``gaffe``
after a gaffe, ``answered`` once answered (both as of the start of the tick being
processed), ``ignored_complaint`` for a complaint never answered once its turn's
patience ran out (at the view's time), ``unanswered_complaint`` before, 1 otherwise; the
severity factor is ``1 + spread.severity x (2 x severity - 1)`` for complaints. Each
follower passed to sees it after a fresh delay. A view at or after the thread's
``visible_hours`` never comes. Views wait in one time-ordered heap; a tick processes,
in time order, every view due before its end. Reach counts distinct customers, the
author included. An ignored complaint's author may post it again at the end of the
tick (an escalation): each follower sees the repost with probability ``first hop x
escalation_reach`` (at most 1), after a delay from the end of the tick.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.reference.agents import Customer, Thread

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel

__all__ = ["Exposure", "Posting", "Spread"]


def _pick(weights: list[float], u: float) -> int:
    """Index drawn in proportion to ``weights`` from a uniform ``u``."""
    target, running = u * sum(weights), 0.0
    for i, w in enumerate(weights):
        running += w
        if w > 0 and running > target:
            return i
    return max(i for i, w in enumerate(weights) if w > 0)


class Posting:
    """Opens the threads customers post (MODEL.md 4.1)."""

    def __init__(self, model: ReferenceModel) -> None:
        spec = model.spec
        self.model = model
        self.spec = spec.posting
        self.dt = spec.time.tick_hours
        self.rnd = model.streams.posting
        self.topics = spec.topics
        self.topic_weight = [s.topic_weight for s in spec.silos for _ in s.topics]
        self.channels = spec.channels
        self.channel_weight = [c.share for c in spec.channels]
        self.clocks: list[tuple[float, int, str]] = []
        for customer in model.customers:
            for process in ("problem", "question", "praise"):
                self._schedule(0.0, customer, process)

    def _rate(self, customer: Customer, process: str) -> float:
        if process == "problem":
            return self.spec.problem_rate * customer.activity
        if process == "question":
            return self.spec.question_rate * customer.activity
        return self.spec.praise_rate

    def _schedule(self, now: float, customer: Customer, process: str) -> None:
        rate = self._rate(customer, process)
        if rate > 0:
            when = now + self.rnd.expovariate(rate)
            heapq.heappush(self.clocks, (when, customer.index, process))

    def open(self, tick: int) -> tuple[list[Thread], list[Customer]]:
        """The clocks that ring during this tick: (threads opened, customers who had a
        problem)."""
        end = (tick + 1) * self.dt
        threads: list[Thread] = []
        problems: list[Customer] = []
        rnd, spec, org = self.rnd, self.spec, self.model.org
        while self.clocks and self.clocks[0][0] < end:
            when, index, process = heapq.heappop(self.clocks)
            customer = self.model.customers[index]
            self._schedule(when, customer, process)
            topic = self.topics[_pick(self.topic_weight, rnd.random())]
            if process == "problem":
                w = spec.attitude_weight
                badness = (1 - w) * (1 - org.topic_quality[topic]) + w * (
                    1 - org.culture.service_attitude
                )
                if rnd.random() >= badness:
                    continue
                problems.append(customer)
                p_post = spec.post_probability + spec.post_negativity * max(
                    0.0, -customer.sentiment
                )
                if rnd.random() < p_post:
                    threads.append(self._thread(tick, "complaint", topic, customer))
            elif process == "question":
                threads.append(self._thread(tick, "question", topic, customer))
            elif customer.fan:
                threads.append(self._thread(tick, "praise", topic, customer))
        return threads, problems

    def _thread(self, tick: int, kind: str, topic: str, author: Customer) -> Thread:
        rnd = self.rnd
        channel = self.channels[_pick(self.channel_weight, rnd.random())]
        mean = channel.patience_hours / self.dt
        if channel.patience == "exponential":
            patience = rnd.expovariate(1.0 / mean)
        elif channel.patience == "fixed":
            patience = mean
        else:
            patience = math.inf
        return self.model.new_thread(
            kind=kind,
            topic=topic,
            channel=channel.name,
            severity=rnd.random(),
            author=author,
            created_tick=tick,
            patience_ticks=patience,
        )


@dataclass(frozen=True, slots=True)
class Exposure:
    """A customer saw a thread for the first time, in the state it had then."""

    thread: Thread
    customer: Customer
    negative: bool  # an unanswered complaint or a gaffe
    gaffe: bool
    answered: bool


class Spread:
    """Independent cascades of every visible thread (MODEL.md 4.2), in continuous time."""

    def __init__(self, model: ReferenceModel) -> None:
        spec = model.spec
        self.dt = spec.time.tick_hours
        self.rnd = model.streams.spread
        self.spec = spec.spread
        self.channel = {c.name: c for c in spec.channels}
        self.first_hop = {c.name: min(1.0, spec.spread.view_share * c.reach) for c in spec.channels}
        self.repost_hop = {
            name: min(1.0, p * spec.spread.escalation_reach) for name, p in self.first_hop.items()
        }
        self.rate = {c.name: math.log(2.0) / c.half_life_hours for c in spec.channels}
        """Rate of the exponential delay before each view, per hour."""
        self.visible: list[Thread] = []
        self.pending: list[tuple[float, int, Thread, Customer]] = []
        """Views to come: (time in hours, sequence number, thread, viewer), a heap."""
        self._sequence = 0
        self.negative_exposures = 0

    def _visible_until(self, thread: Thread) -> float:
        return thread.created_tick * self.dt + self.channel[thread.channel].visible_hours

    def _send(self, thread: Thread, sharer: Customer, now: float, p: float) -> None:
        """``sharer`` passes ``thread`` at hour ``now`` to each follower with chance
        ``p``; each will see it after an exponential delay, if still visible then."""
        if p <= 0:
            return
        rnd, rate, until = self.rnd, self.rate[thread.channel], self._visible_until(thread)
        for follower in sharer.followers:
            if rnd.random() < p:
                when = now + rnd.expovariate(rate)
                if when < until:
                    self._sequence += 1
                    heapq.heappush(self.pending, (when, self._sequence, thread, follower))

    def _reshare(self, thread: Thread, when: float) -> float:
        """The chance a viewer at hour ``when`` passes ``thread`` to each follower."""
        spec = self.spec
        complaint = thread.kind == "complaint"
        if thread.gaffe:
            state = spec.gaffe
        elif thread.answered:
            state = spec.answered
        elif complaint:
            deadline = thread.deadline
            if deadline == math.inf:  # its first turn has not opened yet
                deadline = thread.created_tick + thread.patience_ticks
            ignored = when >= deadline * self.dt
            state = spec.ignored_complaint if ignored else spec.unanswered_complaint
        else:
            state = 1.0
        p = self.channel[thread.channel].reshare * getattr(spec, thread.kind) * state
        if complaint:
            p *= 1.0 + spec.severity * (2.0 * thread.severity - 1.0)
        return min(1.0, max(0.0, p))

    def step(self, tick: int, new: list[Thread]) -> list[Exposure]:
        """Forget the threads out of sight, open the new threads' cascades and process
        every view due before the end of this tick, in time order. Returns this tick's
        first-time exposures (authors excluded)."""
        start, end = tick * self.dt, (tick + 1) * self.dt
        still_visible = []
        for thread in self.visible:
            if start >= self._visible_until(thread):  # out of sight: audience forgotten
                thread.visible, thread.audience = False, set()
            else:
                still_visible.append(thread)
        self.visible = still_visible
        for thread in new:
            thread.visible = True
            thread.audience = {thread.author.index}
            thread.reach = 1
            self.visible.append(thread)
            self._send(thread, thread.author, start, self.first_hop[thread.channel])
        exposures: list[Exposure] = []
        pending = self.pending
        while pending and pending[0][0] < end:
            when, _, thread, customer = heapq.heappop(pending)
            if not thread.visible or customer.index in thread.audience:
                continue
            thread.audience.add(customer.index)
            thread.reach = len(thread.audience)
            negative = thread.gaffe or (thread.kind == "complaint" and not thread.answered)
            self.negative_exposures += negative
            exposures.append(Exposure(thread, customer, negative, thread.gaffe, thread.answered))
            self._send(thread, customer, when, self._reshare(thread, when))
        return exposures

    def escalate(self, tick: int, thread: Thread) -> None:
        """The author of ``thread`` posts it again at the end of ``tick``."""
        if thread.visible:
            at = (tick + 1) * self.dt
            self._send(thread, thread.author, at, self.repost_hop[thread.channel])
