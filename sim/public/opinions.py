"""Sentiment, trust, fans and word of mouth (MODEL.md 4.7; honesty from 4.5).

Per tick, vectorized over this tick's events:

- **Own experience.** A problem costs ``problem``; an answer to one's own thread gives
  ``answered x quality + fast_bonus x exp(-wait / fast_hours)`` and ``resolved`` more
  when it resolves; being ignored (abandoned) costs ``ignored x (0.5 + severity)``.
- **What one sees.** Each exposure to an unanswered complaint costs
  ``seen_complaint``; to an answered thread gives ``seen_answer x authenticity x
  voice``; to a gaffe costs ``seen_gaffe``. When an answer is
  posted, the thread's audience so far sees it too.
- **Trust is earned by answers and lost by silence** (MODEL.md 4.7; essay 000: the
  public expects that "it will tell you immediately"). Every turn a customer opens
  is an expectation ``E`` of its kind (``expect_complaint``, ``expect_question``,
  ``expect_praise``), a signal of ``-E`` when the turn opens. Its outcome is a signed
  trust signal: an answer makes good ``c x L`` (``c x L - E`` in all), with ``c`` its
  credibility (authenticity x voice, plus ``admit_bonus`` when it
  admitted fault -- "stealing thunder" -- or ``spin_boost`` when it did not) and ``L =
  1 / (1 + wait / late_hours)`` its lateness; silence past patience signals ``-E x
  severity`` more, so no answer is below silence, and a turn never answered costs
  ``-E`` even when nobody gives up. The
  audience gets the same signals weighted ``trust_seen``: ``-E`` on seeing an
  unanswered turn, ``c x L`` when its answer comes, ``c x L - E`` on seeing a turn
  already answered. A tick's signals add up per customer ``S``, and trust moves by
  ``trust_rate x S x (1 - trust)`` up or ``trust_rate x S x trust`` down. A gaffe
  signals ``-gaffe_trust`` to its author and to everyone who sees it (weighted), once
  per answer. A non-admitting answer is found out with probability
  ``spin_found_probability`` after about ``spin_found_hours``; its audience then gets a
  signal of ``-spin_penalty`` (essay 000: "If you're glossing over the truth, you will be
  found out and discredited"). Every signal is in the same unit, so none of them can
  drown the others by its scale alone.
- **Memory.** Sentiment relaxes toward each customer's baseline on ``memory_hours``,
  trust toward ``trust_initial`` on ``trust_memory_hours``.
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
from sim.threads import Kind, ThreadTable, names

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

    Events are queued by :meth:`feel` and :meth:`believe` and applied
    together, in the order they were queued, by :meth:`apply`; queued arrays are read
    then, so callers must not change them in between.
    """

    def __init__(self, scenario: Scenario, customers: Customers, rng: np.random.Generator) -> None:
        self.spec = spec = scenario.opinions
        self.people = customers
        self.rng = rng
        self.dt = dt = scenario.time.tick_hours
        self.relax = 1.0 - np.exp(-dt / spec.memory_hours)
        self.bass_step = dt / spec.bass_period_hours
        self.fast_ticks = spec.fast_hours / dt
        self.late_ticks = spec.late_hours / dt
        self.expect_by_kind = np.array([getattr(spec, f"expect_{k}") for k in names(Kind)])
        """What an answer is expected to be worth, by kind (MODEL.md 4.7)."""
        self._delta: _Queue = []
        self._signal: _Queue = []
        self._gap = np.empty(customers.n, dtype=np.float32)
        self._slot = np.empty(customers.n, dtype=np.int32)
        """Scratch for :meth:`_sum_by_customer`: only slots written in a call are read."""
        self._relax32 = np.float32(self.relax)
        self._trust_relax32 = np.float32(1.0 - np.exp(-dt / spec.trust_memory_hours))
        self._trust_initial = np.float32(scenario.customers.trust_initial)
        self._bass = spec.p_innovation != 0 or spec.q_imitation != 0
        """Whether word of mouth converts anyone at all."""
        self._bass_most = -np.expm1(-(spec.p_innovation + spec.q_imitation) * self.bass_step)
        """The largest conversion probability a tick (thinning's candidate rate)."""

    # ---------------------------------------------------------------- events

    def feel(self, customer: np.ndarray, delta: np.ndarray | float) -> None:
        """Queue a sentiment change: one ``delta`` for all of ``customer``, or one each."""
        if customer.size:
            self._delta.append((customer, delta))

    def believe(self, customer: np.ndarray, signal: np.ndarray | float) -> None:
        """Queue a signed trust signal (one's own thread counts 1, others' ``trust_seen``)."""
        if customer.size:
            self._signal.append((customer, signal))

    def answer_signal(
        self,
        threads: ThreadTable,
        ids: np.ndarray,
        wait_ticks: np.ndarray,
        lift: np.ndarray | None = None,
    ) -> np.ndarray:
        """What an answer tells about the organization's voice: its credibility
        (``lift = authenticity x voice_weight`` of ``ids`` plus the honesty bonuses,
        clipped to [0, 1]) times its lateness ``1 / (1 + wait / late_hours)``."""
        spec = self.spec
        if lift is None:
            lift = threads.authenticity[ids] * threads.voice_weight[ids]
        signal = lift + np.where(threads.admitted[ids], spec.admit_bonus, 0.0)
        signal += np.where(threads.spun[ids], spec.spin_boost, 0.0)
        signal.clip(0.0, 1.0, out=signal)
        signal /= 1.0 + wait_ticks / self.late_ticks
        return signal

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
        hurts, a gaffe hurts more and costs trust, an answer helps. An unanswered turn
        signals ``-E`` of trust, an answered one ``c x L - E`` (weighted ``trust_seen``).

        ``negative``, if given, is ``(kind == complaint & ~answered) | gaffe`` of the
        exposures (:attr:`sim.public.spread.Exposed.negative`), which saves recomputing it.
        """
        if not thread.size:
            return
        spec = self.spec
        if negative is None:
            negative = ((threads.kind[thread] == COMPLAINT) & ~answered) | gaffe
        clean = ~gaffe
        self.feel(customer[negative & clean], -spec.seen_complaint)
        if gaffe.any():
            self._see_gaffes(customer[gaffe])
        waiting = ~answered & clean
        expected = self.expect_by_kind[threads.kind[thread[waiting]]]
        self.believe(customer[waiting], -spec.trust_seen * expected)
        helpful = answered & clean
        t = thread[helpful]
        lift = threads.authenticity[t] * threads.voice_weight[t]
        self.feel(customer[helpful], spec.seen_answer * lift)
        wait = threads.first_response_tick[t] - threads.created_tick[t]
        signal = self.answer_signal(threads, t, wait, lift) - self.expect_by_kind[threads.kind[t]]
        self.believe(customer[helpful], spec.trust_seen * signal)

    def see_answers(
        self,
        threads: ThreadTable,
        thread: np.ndarray,
        customer: np.ndarray,
        gaffe: np.ndarray,
        tick: int,
    ) -> None:
        """The audience of this tick's answers sees them: a gaffe (``gaffe``, of each
        answer, not of its thread: a gaffe penalizes once) hurts, any other answer helps
        and signals ``trust_seen x c x L``."""
        if not thread.size:
            return
        if gaffe.any():
            self._see_gaffes(customer[gaffe])
            clean = ~gaffe
            thread, customer = thread[clean], customer[clean]
        lift = threads.authenticity[thread] * threads.voice_weight[thread]
        self.feel(customer, self.spec.seen_answer * lift)
        wait = tick - threads.turn_tick[thread]
        signal = self.answer_signal(threads, thread, wait, lift)
        self.believe(customer, self.spec.trust_seen * signal)

    def _see_gaffes(self, customer: np.ndarray) -> None:
        """A gaffe seen hurts sentiment and costs trust."""
        self.feel(customer, -self.spec.seen_gaffe)
        self.believe(customer, -self.spec.trust_seen * self.spec.gaffe_trust)

    def expect(self, threads: ThreadTable, ids: np.ndarray) -> None:
        """Authors whose turn opened this tick expect an answer: a signal of ``-E``,
        which the answer makes good by ``c x L`` (so a turn answered signals ``c x L -
        E`` in all, one never answered at least ``-E``, whatever the patience)."""
        author = threads.author[ids]
        known = author >= 0
        self.believe(author[known], -self.expect_by_kind[threads.kind[ids[known]]])

    def answered(
        self,
        threads: ThreadTable,
        ids: np.ndarray,
        tick: int,
        resolved: np.ndarray,
        gaffe: np.ndarray,
    ) -> None:
        """Authors of this tick's answers: quicker and resolving answers please more;
        the answer makes good the turn's expectation by its signal ``c x L``. A gaffe
        (``gaffe`` of each answer) hurts its author like anyone who sees it, and makes
        nothing good."""
        spec = self.spec
        author = threads.author[ids]
        known = author >= 0  # scripted threads may have no author
        ids, author, resolved, gaffe = ids[known], author[known], resolved[known], gaffe[known]
        wait = tick - threads.turn_tick[ids]
        gain = spec.answered * threads.quality[ids] + spec.fast_bonus * np.exp(
            -wait / self.fast_ticks
        )
        gain += np.where(resolved, spec.resolved, 0.0)
        gain[gaffe] = -spec.seen_gaffe
        self.feel(author, gain)
        signal = np.where(gaffe, -spec.gaffe_trust, self.answer_signal(threads, ids, wait))
        self.believe(author, signal)

    def ignored(self, threads: ThreadTable, ids: np.ndarray) -> None:
        """Authors of threads abandoned this tick: sentiment falls by ``ignored x (0.5
        + severity)``, and silence past patience signals ``-E x severity`` more (``-E x
        (1 + severity)`` in all with the expectation of :meth:`expect`)."""
        author = threads.author[ids]
        known = author >= 0
        ids, author = ids[known], author[known]
        severity = threads.severity[ids]
        self.feel(author, -self.spec.ignored * (0.5 + severity))
        self.believe(author, -self.expect_by_kind[threads.kind[ids]] * severity)

    def had_problem(self, customers: np.ndarray) -> None:
        self.feel(customers, -self.spec.problem)

    # ------------------------------------------------------------------ apply

    def apply(self) -> None:
        """Apply the queued changes, relax toward the baselines, then word of mouth.

        Changes cost O(events), not O(customers): they are scattered onto the
        customers concerned, in the order they were queued (``np.add.at`` adds one
        element after another), and only those are clipped (relaxation toward a
        baseline in range, and becoming a fan, cannot leave the range). A customer
        touched twice is clipped twice, to the same value, so no ``np.unique`` is needed.
        A customer's trust signals of the tick add up, and trust moves by ``trust_rate``
        times their sum, toward 1 when it is positive and toward 0 when it is negative.
        """
        people = self.people
        s, trust = people.sentiment, people.trust
        if self._delta:
            customer, delta = _gather(self._delta, np.float32)
            np.add.at(s, customer, delta)
            s[customer] = s[customer].clip(-1.0, 1.0)
        if self._signal:
            customer, signal = _gather(self._signal, np.float64)
            seen, total = self._sum_by_customer(customer, signal)
            step = self.spec.trust_rate * total
            now = trust[seen].astype(np.float64)
            now += np.where(step > 0, step * (1.0 - now), step * now)
            trust[seen] = now.clip(0.0, 1.0).astype(np.float32)
        self._delta, self._signal = [], []
        gap = np.subtract(people.baseline, s, out=self._gap)
        gap *= self._relax32
        s += gap
        gap = np.subtract(self._trust_initial, trust, out=self._gap)
        gap *= self._trust_relax32
        trust += gap
        self.word_of_mouth()

    def _sum_by_customer(
        self, customer: np.ndarray, value: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The distinct customers of ``customer`` and the sum of each one's values.

        Each event is labelled with the position of one event of the same customer,
        through a scratch array indexed by customer: O(events), no sort. Each sum adds
        the customer's values in queue order.
        """
        position = np.arange(customer.size)
        slot = self._slot
        slot[customer] = position  # a repeated customer keeps one of its positions
        label = slot[customer]
        labels_itself = label == position  # exactly one event per customer
        total = np.bincount(label, weights=value, minlength=customer.size)
        return customer[labels_itself], total[labels_itself]

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
