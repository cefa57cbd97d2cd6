"""What customers make of it, customer by customer (MODEL.md 4.5, 4.7-4.9).

During a tick each customer collects what happened to them: sentiment changes, the
trust signals of the answers they saw, and direct trust losses. :meth:`Opinions.apply`
then updates everyone at once, in this order:

1. sentiment moves by the sum of the tick's changes and is kept in [-1, 1];
2. trust steps ``trust_rate`` toward the mean signal seen (``authenticity x voice``,
   plus ``admit_bonus`` for an admission or ``spin_boost`` for spin, at most 1), then
   loses the tick's direct losses (gaffes, say-do gaps, spin found out), and is kept
   in [0, 1];
3. sentiment relaxes toward the customer's baseline on ``memory_hours``;
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
        self.bass_step = dt / self.spec.bass_period_hours
        self.fast_ticks = self.spec.fast_hours / dt
        self.touched: set[Customer] = set()

    # -------------------------------------------------------------- experiences

    def feel(self, customer: Customer, change: float) -> None:
        customer.feel += change
        self.touched.add(customer)

    def believe(self, customer: Customer, signal: float) -> None:
        customer.signal_sum += signal
        customer.signal_count += 1
        self.touched.add(customer)

    def distrust(self, customer: Customer, loss: float) -> None:
        customer.trust_loss += loss
        self.touched.add(customer)

    def signal(self, thread: Thread) -> float:
        """What an answer tells about the organization's voice."""
        spec = self.spec
        value = thread.authenticity * thread.voice_weight
        value += spec.admit_bonus if thread.admitted else 0.0
        value += spec.spin_boost if thread.spun else 0.0
        return min(1.0, max(0.0, value))

    def saw(self, exposure: Exposure) -> None:
        """A first sight of a thread, judged by the state it was in then."""
        spec, customer, thread = self.spec, exposure.customer, exposure.thread
        if exposure.gaffe:
            self.feel(customer, -spec.seen_gaffe)
            self.distrust(customer, spec.gaffe_trust)
        elif exposure.negative:
            self.feel(customer, -spec.seen_complaint)
        elif exposure.answered:
            self.feel(customer, spec.seen_answer * thread.authenticity * thread.voice_weight)
            self.believe(customer, self.signal(thread))

    def saw_answer(self, thread: Thread, customer: Customer) -> None:
        """Someone in the thread's audience sees the answer just posted."""
        spec = self.spec
        if thread.gaffe:
            self.feel(customer, -spec.seen_gaffe)
            self.distrust(customer, spec.gaffe_trust)
        else:
            self.feel(customer, spec.seen_answer * thread.authenticity * thread.voice_weight)
            self.believe(customer, self.signal(thread))

    def got_answer(self, thread: Thread, tick: int, resolved: bool) -> None:
        """The author of an answered thread: a quick, resolving answer pleases more;
        a thread with a gaffe in it hurts."""
        spec = self.spec
        if thread.gaffe:
            gain = -spec.seen_gaffe
        else:
            wait = tick - thread.turn_tick
            gain = spec.answered * thread.quality
            gain += spec.fast_bonus * math.exp(-wait / self.fast_ticks)
            gain += spec.resolved if resolved else 0.0
        self.feel(thread.author, gain)
        self.believe(thread.author, self.signal(thread))

    # ------------------------------------------------------------------- apply

    def apply(self, customers: list[Customer]) -> None:
        """Update every customer from the tick's experiences (steps 1-5 above)."""
        spec = self.spec
        for c in self.touched:
            c.sentiment = min(1.0, max(-1.0, c.sentiment + c.feel))
            if c.signal_count:
                c.trust += spec.trust_rate * (c.signal_sum / c.signal_count - c.trust)
            c.trust = min(1.0, max(0.0, c.trust - c.trust_loss))
            c.feel = c.signal_sum = c.trust_loss = 0.0
            c.signal_count = 0
        threshold = self.model.fan_threshold
        relax = self.relax
        for c in customers:
            c.sentiment += relax * (c.baseline - c.sentiment)
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

    def step(self, replies: int, opinions: Opinions) -> int:
        """This tick's broadcasts: followers warm a little, followers who are unhappy
        lose trust by the say-do gap, and some stop following. Returns how many."""
        spec, culture = self.spec, self.model.spec.culture
        k = self._poisson(spec.rate_per_hour * (1.0 - culture.listening) * self.dt)
        if k == 0:
            return 0
        self.count += k
        integrity = culture.leadership_integrity
        share = interactivity(replies, self.count)
        p_leave = 1.0 - (1.0 - spec.unfollow * (1.0 - share)) ** k
        for c in self.model.customers:
            if not c.follows_brand:
                continue
            opinions.feel(c, k * spec.sentiment * integrity)
            if c.sentiment < 0:
                opinions.distrust(c, k * spec.say_do_trust * (1.0 - integrity))
            if self.unfollow.random() < p_leave:
                c.follows_brand = False
        return k


def learn(model: ReferenceModel, answered: list[tuple[Thread, bool]]) -> None:
    """Complaints answered by the owning silo teach their topic, with the fidelity
    they were heard with (MODEL.md 4.9): quality rises by ``rate x leadership
    integrity x (sum of fidelities) x (1 - quality)``."""
    org, spec = model.org, model.spec.learning
    if spec.rate == 0:
        return
    heard: dict[str, float] = {}
    for thread, _ in answered:
        owner_heard = thread.drafter.silo == org.topic_silo[thread.topic]
        if thread.kind == "complaint" and owner_heard and thread.fidelity >= spec.min_fidelity:
            heard[thread.topic] = heard.get(thread.topic, 0.0) + thread.fidelity
    integrity = model.spec.culture.leadership_integrity
    for topic, amount in heard.items():
        quality = org.topic_quality[topic]
        org.topic_quality[topic] = min(
            1.0, quality + spec.rate * integrity * amount * (1 - quality)
        )
