"""Sentiment, trust, fans and word of mouth (MODEL.md 4.7; honesty from 4.5).

Per tick, vectorized over this tick's events:

- **Own experience.** A problem costs ``problem``; an answer to one's own thread gives
  ``answered x quality + fast_bonus x exp(-wait / fast_hours)`` and ``resolved`` more
  when it resolves; being ignored (abandoned) costs ``ignored``.
- **What one sees.** Each exposure to an unanswered complaint costs
  ``seen_complaint``; to an answered thread gives ``seen_answer x authenticity x
  voice``; to a gaffe costs ``seen_gaffe`` and ``gaffe_trust`` trust. When an answer is
  posted, the thread's audience so far sees it too.
- **Trust** moves a step ``trust_rate`` toward the mean signal of the answers seen,
  ``authenticity x voice``, plus ``admit_bonus`` when the answer admitted fault
  ("stealing thunder") or ``spin_boost`` when it did not. A non-admitting answer is
  found out with probability ``spin_found_probability`` after about
  ``spin_found_hours``; its audience then loses ``spin_penalty`` trust (essay 000: "If
  you're glossing over the truth, you will be found out and discredited").
- **Memory.** Sentiment relaxes toward each customer's baseline on ``memory_hours``.
- **Word of mouth** (Bass 1969; essay 003: fans "communicate with non-fans to turn them
  into new fans"): a non-fan becomes a fan with hazard ``p + q x (share of
  in-neighbours who are fans)`` per ``bass_period_hours``. Only the customers drawn
  as candidates by thinning need their share, so only their rows of the graph are
  read.
"""

from __future__ import annotations

import numpy as np

from sim.public.cascade import bernoulli_positions
from sim.public.customers import Customers
from sim.scenario.schema import Scenario
from sim.threads import Kind, ThreadTable

__all__ = ["Opinions"]

COMPLAINT = Kind.COMPLAINT

_Queue = list[tuple[np.ndarray, np.ndarray | float]]
"""Queued events: (customers, one value for all of them or one value each)."""


def _gather(parts: _Queue, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """The queued customers and their values, concatenated in queue order; each value
    is cast to ``dtype`` once (a scalar is repeated for every customer of its part)."""
    customer = parts[0][0] if len(parts) == 1 else np.concatenate([c for c, _ in parts])
    value = np.empty(customer.size, dtype)
    end = 0
    for c, v in parts:
        start, end = end, end + c.size
        value[start:end] = v
    return customer, value


class Opinions:
    """Applies one tick's experiences and exposures to the customers' arrays.

    Events are queued by :meth:`feel`, :meth:`believe` and :meth:`distrust` and applied
    together, in the order they were queued, by :meth:`apply`; queued arrays are read
    then, so callers must not change them in between.
    """

    def __init__(self, scenario: Scenario, customers: Customers, rng: np.random.Generator) -> None:
        self.spec = spec = scenario.opinions
        self.people = customers
        self.rng = rng
        dt = scenario.time.tick_hours
        self.relax = 1.0 - np.exp(-dt / spec.memory_hours)
        self.bass_step = dt / spec.bass_period_hours
        self.fast_ticks = spec.fast_hours / dt
        self._delta: _Queue = []
        self._signal: _Queue = []
        self._trust_loss: _Queue = []
        self._gap = np.empty(customers.n, dtype=np.float32)
        self._slot = np.empty(customers.n, dtype=np.int32)
        """Scratch for :meth:`_mean_by_customer`: only slots written in a call are read."""
        self._relax32 = np.float32(self.relax)
        self._bass = spec.p_innovation != 0 or spec.q_imitation != 0
        """Whether word of mouth converts anyone at all."""
        self._bass_most = -np.expm1(-(spec.p_innovation + spec.q_imitation) * self.bass_step)
        """The largest conversion probability a tick (thinning's candidate rate)."""

    # ---------------------------------------------------------------- events

    def feel(self, customer: np.ndarray, delta: np.ndarray | float) -> None:
        """Queue a sentiment change: one ``delta`` for all of ``customer``, or one each."""
        if customer.size:
            self._delta.append((customer, delta))

    def believe(self, customer: np.ndarray, signal: np.ndarray) -> None:
        """Queue a trust signal (trust steps toward the mean signal)."""
        if customer.size:
            self._signal.append((customer, signal))

    def distrust(self, customer: np.ndarray, loss: np.ndarray | float) -> None:
        """Queue a direct loss of trust: one ``loss`` for all of ``customer``, or one each."""
        if customer.size:
            self._trust_loss.append((customer, loss))

    def answer_signal(
        self, threads: ThreadTable, ids: np.ndarray, lift: np.ndarray | None = None
    ) -> np.ndarray:
        """What an answer tells its audience about the organization's voice.

        ``lift`` is ``authenticity x voice_weight`` of ``ids``, if the caller has it.
        """
        spec = self.spec
        if lift is None:
            lift = threads.authenticity[ids] * threads.voice_weight[ids]
        signal = lift + np.where(threads.admitted[ids], spec.admit_bonus, 0.0)
        signal += np.where(threads.spun[ids], spec.spin_boost, 0.0)
        return signal.clip(0.0, 1.0, out=signal)

    def see(
        self,
        threads: ThreadTable,
        thread: np.ndarray,
        customer: np.ndarray,
        answered: np.ndarray,
        gaffe: np.ndarray,
        negative: np.ndarray | None = None,
    ) -> None:
        """Exposures to threads as they stood when seen: an unanswered complaint
        hurts, a gaffe hurts more and costs trust, an answer helps.

        ``negative``, if given, is ``(kind == complaint & ~answered) | gaffe`` of the
        exposures (:attr:`sim.public.spread.Exposed.negative`), which saves recomputing it.
        """
        if not thread.size:
            return
        if negative is None:
            negative = ((threads.kind[thread] == COMPLAINT) & ~answered) | gaffe
        if gaffe.any():
            clean = ~gaffe
            self.feel(customer[negative & clean], -self.spec.seen_complaint)
            self._see_gaffes(customer[gaffe])
            helpful = answered & clean
        else:
            self.feel(customer[negative], -self.spec.seen_complaint)
            helpful = answered
        self._see_helpful(threads, thread[helpful], customer[helpful])

    def see_answers(self, threads: ThreadTable, thread: np.ndarray, customer: np.ndarray) -> None:
        """Exposures to answers just posted: :meth:`see` with every thread answered
        (a gaffe hurts, any other answer helps)."""
        if not thread.size:
            return
        gaffe = threads.gaffe[thread]
        if gaffe.any():
            self._see_gaffes(customer[gaffe])
            clean = ~gaffe
            thread, customer = thread[clean], customer[clean]
        self._see_helpful(threads, thread, customer)

    def _see_gaffes(self, customer: np.ndarray) -> None:
        """A gaffe seen hurts sentiment and costs trust."""
        self.feel(customer, -self.spec.seen_gaffe)
        self.distrust(customer, self.spec.gaffe_trust)

    def _see_helpful(self, threads: ThreadTable, thread: np.ndarray, customer: np.ndarray) -> None:
        """Answers without a gaffe lift sentiment and signal trust."""
        if not thread.size:
            return
        lift = threads.authenticity[thread] * threads.voice_weight[thread]
        self.feel(customer, self.spec.seen_answer * lift)
        self.believe(customer, self.answer_signal(threads, thread, lift))

    def answered(
        self, threads: ThreadTable, ids: np.ndarray, tick: int, resolved: np.ndarray
    ) -> None:
        """Authors of this tick's answers: quicker and resolving answers please more."""
        spec = self.spec
        wait = tick - threads.turn_tick[ids]
        gain = spec.answered * threads.quality[ids] + spec.fast_bonus * np.exp(
            -wait / self.fast_ticks
        )
        gain += np.where(resolved, spec.resolved, 0.0)
        gain[threads.gaffe[ids]] = -spec.seen_gaffe
        author = threads.author[ids]
        known = author >= 0  # scripted threads may have no author
        self.feel(author[known], gain[known])
        self.believe(author[known], self.answer_signal(threads, ids[known]))

    def ignored(self, authors: np.ndarray) -> None:
        self.feel(authors, -self.spec.ignored)

    def had_problem(self, customers: np.ndarray) -> None:
        self.feel(customers, -self.spec.problem)

    # ------------------------------------------------------------------ apply

    def apply(self) -> None:
        """Apply the queued changes, relax toward the baseline, then word of mouth.

        Changes cost O(events), not O(customers): they are scattered onto the
        customers concerned, in the order they were queued (``np.add.at`` adds one
        element after another), and only those are clipped (relaxation toward a
        baseline in range, and becoming a fan, cannot leave the range). A customer
        touched twice is clipped twice, to the same value, so no ``np.unique`` is needed.
        """
        people = self.people
        s, trust = people.sentiment, people.trust
        if self._delta:
            customer, delta = _gather(self._delta, np.float32)
            np.add.at(s, customer, delta)
            s[customer] = s[customer].clip(-1.0, 1.0)
        changed_trust = []
        if self._signal:
            customer, signal = _gather(self._signal, np.float64)
            seen, mean = self._mean_by_customer(customer, signal)
            trust[seen] += (self.spec.trust_rate * (mean - trust[seen])).astype(np.float32)
            changed_trust.append(seen)
        if self._trust_loss:
            customer, loss = _gather(self._trust_loss, np.float32)
            np.subtract.at(trust, customer, loss)
            changed_trust.append(customer)
        if changed_trust:
            touched = changed_trust[0] if len(changed_trust) == 1 else np.concatenate(changed_trust)
            trust[touched] = trust[touched].clip(0.0, 1.0)
        self._delta, self._signal, self._trust_loss = [], [], []
        gap = np.subtract(people.baseline, s, out=self._gap)
        gap *= self._relax32
        s += gap
        self.word_of_mouth()

    def _mean_by_customer(
        self, customer: np.ndarray, value: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The distinct customers of ``customer`` and the mean of each one's values.

        Each event is labelled with the position of one event of the same customer,
        through a scratch array indexed by customer: O(events), no sort. Each sum adds
        the customer's values in queue order, exactly as ``np.bincount`` over the
        inverse of ``np.unique`` does; only the order of the customers differs.
        """
        position = np.arange(customer.size)
        slot = self._slot
        slot[customer] = position  # a repeated customer keeps one of its positions
        label = slot[customer]
        labels_itself = label == position  # exactly one event per customer
        total = np.bincount(label, weights=value, minlength=customer.size)
        count = np.bincount(label, minlength=customer.size)
        return customer[labels_itself], total[labels_itself] / count[labels_itself]

    def word_of_mouth(self) -> None:
        """Bass diffusion on the graph: hazard ``p + q x fan share of in-neighbours``.

        Conversions are drawn by thinning (Lewis and Shedler 1979): candidates at the
        largest hazard ``p + q`` by geometric skipping, each kept with probability
        ``(1 - e^-h) / (1 - e^-hmax)`` -- the same distribution as one uniform per
        customer. Only the candidates' fan shares are needed, so only their rows of the
        graph are read: O(candidates x degree) instead of one sparse product over every
        edge (about 300 candidates per tick at 1M customers and the default p, q).
        Without candidates who are not fans yet, no uniform is drawn (there would be
        none to draw).
        """
        if not self._bass:
            return
        spec, people, most = self.spec, self.people, self._bass_most
        candidate = bernoulli_positions(people.n, most, self.rng)
        if not candidate.size:
            return
        threshold = np.float32(people.fan_threshold)
        candidate = candidate[people.sentiment[candidate] < threshold]
        if not candidate.size:
            return
        share = people.fan_share(candidate)
        hazard = (spec.p_innovation + spec.q_imitation * share) * self.bass_step
        keep = self.rng.random(candidate.size) * most < -np.expm1(-hazard)
        converts = candidate[keep]
        people.sentiment[converts] = np.maximum(people.sentiment[converts], threshold)
        people.baseline[converts] = np.maximum(people.baseline[converts], threshold)
