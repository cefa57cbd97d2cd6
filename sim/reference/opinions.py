"""What customers make of it, customer by customer (MODEL.md 4.5, 4.7-4.9).

During a tick each customer collects what happened to them: sentiment changes and
signed trust signals (one's own thread counts 1, what one sees in others' threads
``trust_seen``). Every turn is an expectation ``E`` of its kind (``expect_*``). An
answer signals ``c x L - E`` to its author, with ``c = clip(authenticity x voice +
admit_bonus or spin_boost, 0, 1)`` and ``L = 1 / (1 + wait / late_hours)``; a gaffe
answer ``-E - gaffe_trust``; silence past patience ``-E x (1 + severity)``. Someone
who sees a thread signals ``-E`` if unanswered, ``c x L - E`` if answered (``L`` from
its first response), ``-gaffe_trust`` if it carries a gaffe; an answer posted to an
audience signals ``c x L`` to it (``-gaffe_trust`` for a gaffe answer, once per
answer); a spun answer found out signals ``-spin_penalty``. :meth:`Opinions.apply`
then updates everyone at once, in this order:

1. sentiment moves by the sum of the tick's changes and is kept in [-1, 1];
2. trust moves by the sum ``S`` of the tick's signals: ``trust_rate x S x (1 -
   trust)`` when ``S > 0``, ``trust_rate x S x trust`` when ``S < 0``;
3. sentiment relaxes toward the customer's baseline on ``memory_hours``, trust toward
   ``trust_initial`` on ``trust_memory_hours``;
4. word of mouth: a customer who is not a fan becomes one with probability ``1 -
   exp(-hazard)``, hazard = ``(p + q x share of followed customers who are fans) x
   tick / bass_period`` (Bass 1969), judged on everyone's state after steps 1-3; a
   convert's sentiment and baseline rise to the fan threshold.

Also here: the organization's broadcasts (MODEL.md 4.8) and learning (4.9).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.reference.agents import Customer, Thread
from sim.reference.draws import geometric

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel
    from sim.reference.public import Exposure

__all__ = ["Broadcasting", "Opinions", "interactivity", "learn"]


def interactivity(replies: int, broadcasts: int) -> float:
    """Replies / (replies + broadcasts); NaN before the organization said anything."""
    total = replies + broadcasts
    return replies / total if total else math.nan


class Opinions:
    """Collects each customer's experiences of a tick and applies them."""

    def __init__(self, model: ReferenceModel) -> None:
        spec = model.spec
        self.model = model
        self.spec = spec.opinions
        self.rnd = model.streams.opinions
        dt = spec.time.tick_hours
        self.relax = 1.0 - math.exp(-dt / self.spec.memory_hours)
        self.trust_relax = 1.0 - math.exp(-dt / self.spec.trust_memory_hours)
        self.trust_initial = spec.customers.trust_initial
        self.bass_step = dt / self.spec.bass_period_hours
        self.fast_ticks = self.spec.fast_hours / dt
        self.late_ticks = self.spec.late_hours / dt
        self.touched: set[Customer] = set()

    # -------------------------------------------------------------- experiences

    def feel(self, customer: Customer, change: float) -> None:
        customer.feel += change
        self.touched.add(customer)

    def believe(self, customer: Customer, signal: float) -> None:
        """A signed trust signal (already weighted: 1 for one's own thread)."""
        customer.signal_sum += signal
        self.touched.add(customer)

    def expected(self, thread: Thread) -> float:
        """What a turn of this kind is expected to be worth (``E``)."""
        return getattr(self.spec, f"expect_{thread.kind}")

    def credibility(self, thread: Thread, wait_ticks: float) -> float:
        """What the thread's latest answer tells, ``c x L``, after ``wait_ticks``."""
        spec = self.spec
        value = thread.authenticity * thread.voice_weight
        value += spec.admit_bonus if thread.admitted else 0.0
        value += spec.spin_boost if thread.spun else 0.0
        return min(1.0, max(0.0, value)) / (1.0 + wait_ticks / self.late_ticks)

    def _gaffe_seen(self, customer: Customer) -> None:
        self.feel(customer, -self.spec.seen_gaffe)
        self.believe(customer, -self.spec.trust_seen * self.spec.gaffe_trust)

    def saw(self, exposure: Exposure) -> None:
        """A first sight of a thread, judged by the state it was in then."""
        spec, customer, thread = self.spec, exposure.customer, exposure.thread
        if exposure.gaffe:
            self._gaffe_seen(customer)
            return
        if exposure.negative:
            self.feel(customer, -spec.seen_complaint)
        if exposure.answered:
            self.feel(customer, spec.seen_answer * thread.authenticity * thread.voice_weight)
            first_wait = thread.first_response_tick - thread.created_tick
            signal = self.credibility(thread, first_wait) - self.expected(thread)
        else:
            signal = -self.expected(thread)
        self.believe(customer, spec.trust_seen * signal)

    def saw_answer(self, thread: Thread, customer: Customer, gaffe: bool, tick: int) -> None:
        """Someone in the thread's audience sees this tick's answer (``gaffe``: whether
        an answer of this tick was a gaffe)."""
        spec = self.spec
        if gaffe:
            self._gaffe_seen(customer)
            return
        self.feel(customer, spec.seen_answer * thread.authenticity * thread.voice_weight)
        self.believe(customer, spec.trust_seen * self.credibility(thread, tick - thread.turn_tick))

    def got_answer(self, thread: Thread, tick: int, resolved: bool, gaffe: bool) -> None:
        """The author of an answered thread: a quick, resolving answer pleases more;
        a gaffe answer hurts and signals distrust; any other answer makes good the
        turn's expectation (charged when it opened) by its credibility x lateness."""
        spec = self.spec
        wait = tick - thread.turn_tick
        if gaffe:
            gain = -spec.seen_gaffe
            signal = -spec.gaffe_trust
        else:
            gain = spec.answered * thread.quality
            gain += spec.fast_bonus * math.exp(-wait / self.fast_ticks)
            gain += spec.resolved if resolved else 0.0
            signal = self.credibility(thread, wait)
        self.feel(thread.author, gain)
        self.believe(thread.author, signal)

    def ignored(self, thread: Thread) -> None:
        """The author of an abandoned thread."""
        self.feel(thread.author, -self.spec.ignored * (0.5 + thread.severity))
        self.believe(thread.author, -self.expected(thread) * thread.severity)

    # ------------------------------------------------------------------- apply

    def apply(self, customers: list[Customer]) -> None:
        """Update every customer from the tick's experiences (steps 1-4 above)."""
        rate = self.spec.trust_rate
        for c in self.touched:
            c.sentiment = min(1.0, max(-1.0, c.sentiment + c.feel))
            step = rate * c.signal_sum
            if step > 0:
                c.trust += step * (1.0 - c.trust)
            elif step < 0:
                c.trust += step * c.trust
            c.trust = min(1.0, max(0.0, c.trust))
            c.feel = c.signal_sum = 0.0
        threshold = self.model.fan_threshold
        relax, trust_relax, trust_initial = self.relax, self.trust_relax, self.trust_initial
        for c in customers:
            c.sentiment += relax * (c.baseline - c.sentiment)
            c.trust += trust_relax * (trust_initial - c.trust)
            if (c.sentiment >= threshold) != c.was_fan:
                self._fan_changed(c)
        self.touched = set()
        self._word_of_mouth(customers, threshold)

    @staticmethod
    def _fan_changed(customer: Customer) -> None:
        customer.was_fan = not customer.was_fan
        change = 1 if customer.was_fan else -1
        for follower in customer.followers:
            follower.fans_followed += change

    def _word_of_mouth(self, customers: list[Customer], threshold: float) -> None:
        spec = self.spec
        p, q = spec.p_innovation, spec.q_imitation
        if p == 0 and q == 0:
            return
        rnd, step = self.rnd, self.bass_step
        converts = []
        for c in customers:
            if c.was_fan:
                continue
            share = c.fans_followed / c.n_following if c.n_following else 0.0
            if rnd.random() < -math.expm1(-(p + q * share) * step):
                converts.append(c)
        for c in converts:
            c.sentiment = max(c.sentiment, threshold)
            c.baseline = max(c.baseline, threshold)
            self._fan_changed(c)


class Broadcasting:
    """The brand account's own posts (MODEL.md 4.8; essay 004)."""

    def __init__(self, model: ReferenceModel) -> None:
        self.model = model
        self.spec = model.spec.broadcast
        self.rnd = model.streams.broadcasts  # how many: common to every structure
        self.unfollow = model.streams.opinions  # who leaves: the public's reaction
        self.dt = model.spec.time.tick_hours
        self.count = 0

    def _poisson(self, mean: float) -> int:
        k, product, limit = 0, self.rnd.random(), math.exp(-mean)
        while product > limit:
            k += 1
            product *= self.rnd.random()
        return k

    def step(self, replies: int) -> int:
        """This tick's broadcasts: fans may start to follow; then followers warm a
        little, followers who are unhappy lose trust by the say-do gap (a seen signal,
        applied now), and some stop following. Returns how many."""
        spec, culture = self.spec, self.model.spec.culture
        self._fans_follow()
        k = self._poisson(spec.rate_per_hour * (1.0 - culture.listening) * self.dt)
        if k == 0:
            return 0
        self.count += k
        integrity = culture.leadership_integrity
        share = interactivity(replies, self.count)
        p_leave = 1.0 - (1.0 - spec.unfollow * (1.0 - share)) ** k
        opinions = self.model.opinions
        said = k * spec.say_do_trust * (1.0 - integrity)
        kept = max(0.0, 1.0 - opinions.spec.trust_rate * opinions.spec.trust_seen * said)
        for c in self.model.customers:
            if not c.follows_brand:
                continue
            if c.sentiment < 0:
                c.trust *= kept
            opinions.feel(c, k * spec.sentiment * integrity)
            if self.unfollow.random() < p_leave:
                c.follows_brand = False
        return k

    def _fans_follow(self) -> None:
        """Each customer is a candidate with probability ``1 - exp(-follow_rate x
        tick)``; fans among the candidates start following the brand (MODEL.md 4.8)."""
        p = -math.expm1(-self.spec.follow_rate * self.dt)
        if p <= 0:
            return
        customers = self.model.customers
        position = geometric(p, self.unfollow) - 1
        while position < len(customers):
            customer = customers[position]
            if customer.fan:
                customer.follows_brand = True
            position += geometric(p, self.unfollow)


def learn(model: ReferenceModel, answered: list[tuple[Thread, bool, bool]]) -> None:
    """Complaints answered by the owning silo teach their topic, with the fidelity
    they were heard with (MODEL.md 4.9): quality rises by ``rate x leadership
    integrity x (sum of fidelities) x (1 - quality)``."""
    org, spec = model.org, model.spec.learning
    if spec.rate == 0:
        return
    heard: dict[str, float] = {}
    for thread, _, _ in answered:
        owner_heard = thread.drafter.silo == org.topic_silo[thread.topic]
        if thread.kind == "complaint" and owner_heard and thread.fidelity >= spec.min_fidelity:
            heard[thread.topic] = heard.get(thread.topic, 0.0) + thread.fidelity
    integrity = model.spec.culture.leadership_integrity
    for topic, amount in heard.items():
        quality = org.topic_quality[topic]
        org.topic_quality[topic] = min(
            1.0, quality + spec.rate * integrity * amount * (1 - quality)
        )
