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

from collections.abc import Sequence

import numpy as np

from sim.customers import Customers
from sim.scenario.schema import Scenario
from sim.spread import bernoulli_positions
from sim.threads import ThreadTable

__all__ = ["Opinions"]


def _spread(value: np.ndarray | float, customer: np.ndarray) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float), customer.shape)


class Opinions:
    """Applies one tick's experiences and exposures to the customers' arrays."""

    def __init__(self, scenario: Scenario, customers: Customers, rng: np.random.Generator) -> None:
        self.spec = scenario.opinions
        self.people = customers
        self.rng = rng
        dt = scenario.time.tick_minutes / 60.0
        self.relax = 1.0 - np.exp(-dt / self.spec.memory_hours)
        self.bass_step = dt / self.spec.bass_period_hours
        self.fast_ticks = self.spec.fast_hours / dt
        self._delta: list[tuple[np.ndarray, np.ndarray]] = []
        self._signal: list[tuple[np.ndarray, np.ndarray]] = []
        self._trust_loss: list[tuple[np.ndarray, np.ndarray]] = []
        self._gap = np.empty(customers.n, dtype=np.float32)

    # ---------------------------------------------------------------- events

    def feel(self, customer: np.ndarray, delta: np.ndarray | float) -> None:
        """Queue a sentiment change."""
        if customer.size:
            self._delta.append(
                (customer, np.broadcast_to(np.asarray(delta, float), customer.shape))
            )

    def believe(self, customer: np.ndarray, signal: np.ndarray) -> None:
        """Queue a trust signal (trust steps toward the mean signal)."""
        if customer.size:
            self._signal.append((customer, signal))

    def distrust(self, customer: np.ndarray, loss: np.ndarray | float) -> None:
        """Queue a direct loss of trust."""
        if customer.size:
            self._trust_loss.append(
                (customer, np.broadcast_to(np.asarray(loss, float), customer.shape))
            )

    def answer_signal(self, threads: ThreadTable, ids: np.ndarray) -> np.ndarray:
        """What an answer tells its audience about the organization's voice."""
        spec = self.spec
        signal = threads.authenticity[ids] * threads.voice_weight[ids]
        signal = signal + np.where(threads.admitted[ids], spec.admit_bonus, 0.0)
        signal = signal + np.where(threads.spun[ids], spec.spin_boost, 0.0)
        return np.clip(signal, 0.0, 1.0)

    def see(
        self,
        threads: ThreadTable,
        thread: np.ndarray,
        customer: np.ndarray,
        answered: np.ndarray,
        gaffe: np.ndarray,
    ) -> None:
        """Exposures to threads as they stood when seen: an unanswered complaint
        hurts, a gaffe hurts more and costs trust, an answer helps."""
        spec = self.spec
        open_complaint = (threads.kind[thread] == 0) & ~answered & ~gaffe
        self.feel(customer[open_complaint], -spec.seen_complaint)
        self.feel(customer[gaffe], -spec.seen_gaffe)
        self.distrust(customer[gaffe], spec.gaffe_trust)
        helpful = answered & ~gaffe
        a_thread, a_customer = thread[helpful], customer[helpful]
        lift = threads.authenticity[a_thread] * threads.voice_weight[a_thread]
        self.feel(a_customer, spec.seen_answer * lift)
        self.believe(a_customer, self.answer_signal(threads, a_thread))

    def answered(
        self, threads: ThreadTable, ids: np.ndarray, tick: int, resolved: np.ndarray
    ) -> None:
        """Authors of this tick's answers: quicker and resolving answers please more."""
        spec = self.spec
        wait = tick - threads.turn_tick[ids]
        gain = spec.answered * threads.quality[ids] + spec.fast_bonus * np.exp(
            -wait / self.fast_ticks
        )
        gain = gain + np.where(resolved, spec.resolved, 0.0)
        gain = np.where(threads.gaffe[ids], -spec.seen_gaffe, gain)
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
        customers concerned, and only those are clipped (relaxation toward a baseline
        in range, and becoming a fan, cannot leave the range).
        """
        people = self.people
        s, trust = people.sentiment, people.trust
        if self._delta:
            customer, delta = self._concat(self._delta)
            np.add.at(s, customer, delta.astype(np.float32))
            touched = np.unique(customer)
            s[touched] = np.clip(s[touched], -1.0, 1.0)
        changed_trust = []
        if self._signal:
            customer, signal = self._concat(self._signal)
            seen, which = np.unique(customer, return_inverse=True)
            mean = np.bincount(which, weights=signal) / np.bincount(which)
            trust[seen] += (self.spec.trust_rate * (mean - trust[seen])).astype(np.float32)
            changed_trust.append(seen)
        if self._trust_loss:
            customer, loss = self._concat(self._trust_loss)
            np.add.at(trust, customer, -loss.astype(np.float32))
            changed_trust.append(customer)
        if changed_trust:
            touched = np.unique(np.concatenate(changed_trust))
            trust[touched] = np.clip(trust[touched], 0.0, 1.0)
        self._delta, self._signal, self._trust_loss = [], [], []
        gap = np.subtract(people.baseline, s, out=self._gap)
        gap *= np.float32(self.relax)
        s += gap
        self.word_of_mouth()

    def word_of_mouth(self) -> None:
        """Bass diffusion on the graph: hazard ``p + q x fan share of in-neighbours``.

        Conversions are drawn by thinning (Lewis and Shedler 1979): candidates at the
        largest hazard ``p + q`` by geometric skipping, each kept with probability
        ``(1 - e^-h) / (1 - e^-hmax)`` -- the same distribution as one uniform per
        customer. Only the candidates' fan shares are needed, so only their rows of the
        graph are read: O(candidates x degree) instead of one sparse product over every
        edge (about 300 candidates per tick at 1M customers and the default p, q).
        """
        spec, people = self.spec, self.people
        if spec.p_innovation == 0 and spec.q_imitation == 0:
            return
        most = -np.expm1(-(spec.p_innovation + spec.q_imitation) * self.bass_step)
        candidate = bernoulli_positions(people.n, most, self.rng)
        threshold = np.float32(people.fan_threshold)
        candidate = candidate[people.sentiment[candidate] < threshold]
        share = people.fan_share(candidate)
        hazard = (spec.p_innovation + spec.q_imitation * share) * self.bass_step
        keep = self.rng.random(candidate.size) * most < -np.expm1(-hazard)
        converts = candidate[keep]
        people.sentiment[converts] = np.maximum(people.sentiment[converts], threshold)
        people.baseline[converts] = np.maximum(people.baseline[converts], threshold)

    @staticmethod
    def _concat(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.concatenate([c for c, _ in parts]).astype(np.int64),
            np.concatenate([v for _, v in parts]).astype(np.float64),
        )
