"""Threads spread over the customer graph (MODEL.md 4.2).

Every thread is an independent cascade (Kempe, Kleinberg and Tardos 2003). When a
thread opens, its author's followers see it with probability ``view_share x channel
reach``. Then, every tick while the thread is visible, each customer who saw it last
tick exposes each of their followers with probability

    p = channel reshare x kind multiplier x state multiplier x (1 - age / visible_hours)

where the state multiplier is the negativity bias: ``unanswered_complaint`` for a
complaint nobody has answered, ``gaffe`` once a gaffe was posted (gaffes spread most),
``answered`` once answered (it cools down), 1 otherwise. Reach counts distinct
customers. The frontier expansion is vectorized over all threads at once, with
geometric skipping (:mod:`sim.public.cascade`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.public.cascade import Exposures, expand_frontier
from sim.public.customers import Customers
from sim.scenario.schema import Scenario
from sim.threads import Kind, ThreadTable, names

__all__ = ["Exposed", "Spread"]

COMPLAINT = Kind.COMPLAINT


@dataclass
class Exposed:
    """This tick's new exposures: (thread, customer) pairs, and what each thread was
    when it was seen -- answered yet, carrying a gaffe -- so that an answer posted
    later in the same tick is not seen twice."""

    thread: np.ndarray
    customer: np.ndarray
    answered: np.ndarray
    gaffe: np.ndarray
    negative: np.ndarray
    """Exposure to an unanswered complaint or a gaffe (the negative reach of MODEL.md 5)."""


class Spread:
    """All live cascades: the exposure sets, the frontier, the visibility window."""

    def __init__(
        self,
        scenario: Scenario,
        customers: Customers,
        threads: ThreadTable,
        rng: np.random.Generator,
    ) -> None:
        self.rng = rng
        self.threads = threads
        self.graph = customers.graph
        self.exposures = Exposures(customers.n)
        spec = scenario.spread
        dt = scenario.time.tick_hours
        self.first_hop = np.array([min(1.0, spec.view_share * c.reach) for c in scenario.channels])
        self.reshare = np.array([c.reshare for c in scenario.channels])
        self.visible_ticks = np.array([c.visible_hours / dt for c in scenario.channels])
        self.kind_factor = np.array([getattr(spec, k) for k in names(Kind)])
        self.spec = spec
        self.spreading = np.zeros(0, dtype=np.int64)  # sorted thread ids still visible
        self.frontier_thread = np.zeros(0, dtype=np.int64)
        self.frontier_customer = np.zeros(0, dtype=np.int32)
        self.negative_exposures = 0

    def reach(self, ids: np.ndarray) -> np.ndarray:
        return self.exposures.reach(ids)

    def audience(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Everyone who has seen each of these threads so far (while visible)."""
        spreading = self.spreading  # sorted
        if spreading.size:  # clip: an id past the last one is compared with the last one
            visible = ids[spreading.take(spreading.searchsorted(ids), mode="clip") == ids]
        else:
            visible = ids[:0]
        return self.exposures.members(visible)

    def step(self, tick: int, new: np.ndarray) -> Exposed:
        """Open the cascades of ``new`` threads and advance every visible one a tick."""
        th, g = self.threads, self.graph
        parts_t, parts_c = [], []
        ids = self.spreading
        if ids.size:
            channel = th.channel[ids]
            age = tick - th.created_tick[ids]
            visible = self.visible_ticks[channel]
            # visibility: drop threads past their window
            expired = age >= visible
            if expired.any():
                self.exposures.forget(ids[expired])
                alive = ~expired
                # every frontier thread is in ``spreading`` (sorted), so look it up there
                keep = alive[ids.searchsorted(self.frontier_thread)]
                self.frontier_thread = self.frontier_thread[keep]
                self.frontier_customer = self.frontier_customer[keep]
                ids, channel, age, visible = ids[alive], channel[alive], age[alive], visible[alive]
                self.spreading = ids
            # reshare from last tick's frontier
            if self.frontier_thread.size:
                kind = th.kind[ids]
                fade = 1.0 - age / visible  # in (0, 1]: 0 <= age < visible here
                p = self.reshare[channel] * self.kind_factor[kind] * fade
                p *= self._state_factor(ids, kind)
                p.clip(0.0, 1.0, out=p)
                local = ids.searchsorted(self.frontier_thread)
                hit_local, hit_customer = expand_frontier(  # (valid pairs, p in [0, 1])
                    g.indptr, g.indices, local, self.frontier_customer, p, self.rng, validate=False
                )
                parts_t.append(ids[hit_local])
                parts_c.append(hit_customer)
        # first hop of new threads: the author's followers see the post
        new = new[th.author[new] >= 0]  # threads opened without an author do not spread
        if new.size:
            authors = th.author[new]
            self.exposures.add(new, authors)  # authors have seen their own post (validated)
            self.spreading = np.concatenate([self.spreading, new])
            if self.spreading.size > new.size and self.spreading[-new.size - 1] > new[0]:
                raise ValueError("threads must enter the cascade in id order")
            local = np.arange(new.size)
            p_first = self.first_hop[th.channel[new]]
            hit_local, hit_customer = expand_frontier(
                g.indptr, g.indices, local, authors, p_first, self.rng, validate=False
            )
            parts_t.append(new[hit_local])
            parts_c.append(hit_customer)
        if len(parts_t) == 1:  # (valid pairs: followers from the graph)
            thread, customer = self.exposures.add(parts_t[0], parts_c[0], validate=False)
        elif parts_t:
            thread, customer = self.exposures.add(
                np.concatenate(parts_t), np.concatenate(parts_c), validate=False
            )
        else:
            thread, customer = np.zeros(0, np.int64), np.zeros(0, np.int32)
        self.frontier_thread, self.frontier_customer = thread, customer
        answered = th.first_response_tick[thread] >= 0
        gaffe = th.gaffe[thread]
        negative = ((th.kind[thread] == COMPLAINT) & ~answered) | gaffe
        self.negative_exposures += int(np.count_nonzero(negative))
        return Exposed(thread, customer, answered, gaffe, negative)

    def _state_factor(self, ids: np.ndarray, kind: np.ndarray) -> np.ndarray:
        """Negativity-bias multiplier of each thread in ``ids`` (``kind`` is theirs)."""
        th, spec = self.threads, self.spec
        answered = th.first_response_tick[ids] >= 0
        unanswered = np.where(kind == COMPLAINT, spec.unanswered_complaint, 1.0)
        factor = np.where(answered, spec.answered, unanswered)
        factor[th.gaffe[ids]] = spec.gaffe
        return factor
