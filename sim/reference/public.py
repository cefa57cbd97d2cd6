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

**Spread.** Each thread is an independent cascade over the follower network. When it
opens, its author counts as exposed and each follower sees it with probability
``view_share x channel reach``. Every later tick while it is visible (younger than the
channel's ``visible_hours``), each customer who first saw it in the previous tick
passes it to each follower with probability ``channel reshare x kind multiplier x
state multiplier x (1 - age / visible_hours)``; the state multiplier is ``gaffe`` after
a gaffe, ``answered`` once answered, ``unanswered_complaint`` for an unanswered
complaint, 1 otherwise. Reach counts distinct customers, the author included.
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
    """Independent cascades of every visible thread (MODEL.md 4.2)."""

    def __init__(self, model: ReferenceModel) -> None:
        spec = model.spec
        dt = spec.time.tick_hours
        self.rnd = model.streams.spread
        self.spec = spec.spread
        self.channel = {c.name: c for c in spec.channels}
        self.first_hop = {c.name: min(1.0, spec.spread.view_share * c.reach) for c in spec.channels}
        self.visible_ticks = {c.name: c.visible_hours / dt for c in spec.channels}
        self.visible: list[Thread] = []
        self.negative_exposures = 0

    def _state_factor(self, thread: Thread) -> float:
        spec = self.spec
        if thread.gaffe:
            return spec.gaffe
        if thread.answered:
            return spec.answered
        if thread.kind == "complaint":
            return spec.unanswered_complaint
        return 1.0

    def step(self, tick: int, new: list[Thread]) -> list[Exposure]:
        """Advance every visible cascade one tick and open the new threads' cascades.
        Returns this tick's first-time exposures (authors excluded)."""
        rnd = self.rnd
        exposures: list[Exposure] = []
        still_visible = []
        for thread in self.visible:
            age = tick - thread.created_tick
            visible_ticks = self.visible_ticks[thread.channel]
            if age >= visible_ticks:  # out of sight: its audience is forgotten
                thread.visible, thread.audience, thread.frontier = False, set(), []
                continue
            still_visible.append(thread)
            if not thread.frontier:
                continue
            fade = min(1.0, max(0.0, 1.0 - age / visible_ticks))
            p = self.channel[thread.channel].reshare * getattr(self.spec, thread.kind) * fade
            p = min(1.0, max(0.0, p * self._state_factor(thread)))
            reached = []
            if p > 0:
                for sharer in thread.frontier:
                    for follower in sharer.followers:
                        if rnd.random() < p and follower.index not in thread.audience:
                            thread.audience.add(follower.index)
                            reached.append(follower)
            thread.frontier = reached
            thread.reach = len(thread.audience)
            exposures.extend(self._exposed(thread, reached))
        self.visible = still_visible
        for thread in new:
            author = thread.author
            thread.visible = True
            thread.audience = {author.index}
            p = self.first_hop[thread.channel]
            reached = [f for f in author.followers if rnd.random() < p]
            thread.audience.update(f.index for f in reached)
            thread.frontier = reached
            thread.reach = len(thread.audience)
            self.visible.append(thread)
            exposures.extend(self._exposed(thread, reached))
        return exposures

    def _exposed(self, thread: Thread, customers: list[Customer]) -> list[Exposure]:
        negative = thread.gaffe or (thread.kind == "complaint" and not thread.answered)
        if negative:
            self.negative_exposures += len(customers)
        return [Exposure(thread, c, negative, thread.gaffe, thread.answered) for c in customers]
