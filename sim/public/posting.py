"""Customers post: complaints, questions, praise (MODEL.md 4.1).

- **Problems** arise per customer-hour at ``problem_rate x activity x badness``, where
  ``badness = (1 - attitude_weight)(1 - topic quality) + attitude_weight(1 - service
  attitude)`` (essay 001: social media "can't improve a widget" nor "customer service"
  attitude). Each problem costs its customer sentiment and is posted publicly with
  probability ``post_probability + post_negativity x max(0, -sentiment)``.
- **Questions** arrive per customer-hour at ``question_rate x activity``.
- **Praise** comes from fans at ``praise_rate`` per fan-hour.
- Follow-up turns (authors replying to answers) are opened by the core
  (:mod:`sim.organization.answers`).

Common random numbers (MODEL.md 7). Candidates are drawn at the largest possible rate
from the ``posting`` stream, in the same order and amount whatever the state, and then
thinned (Lewis and Shedler 1979, "Simulation of nonhomogeneous Poisson processes by
thinning"): a candidate becomes a problem if its uniform falls under ``badness``, and
a post if another falls under the posting probability. Two structures run on the same
seed therefore see the same candidate events with the same uniforms; their posts
differ only where the organization has changed the public's state (sentiment, quality).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.public.customers import Customers
from sim.public.patience import Patience
from sim.scenario.schema import Scenario
from sim.threads import Kind, ThreadTable

__all__ = ["CustomerPosting", "PostingEvents"]

_KINDS_IN_ORDER = np.array([Kind.COMPLAINT, Kind.QUESTION, Kind.PRAISE], dtype=np.int8)


def _open_last_edge(cdf: np.ndarray) -> np.ndarray:
    """A copy of a nondecreasing ``cdf`` whose last value is infinite: bin edges for
    ``searchsorted(u, side="right")`` that send a uniform past the end of the (rounded)
    ``cdf`` to the last bin, as clamping the index to ``cdf.size - 1`` would, without
    the clamp."""
    edges = cdf.astype(np.float64)
    edges[-1] = np.inf
    return edges


@dataclass
class PostingEvents:
    """What posting did this tick: the threads opened, and who had a problem."""

    threads: np.ndarray
    problem_customers: np.ndarray


class CustomerPosting:
    """Open this tick's threads from the customers (the ``customers`` arrival mode)."""

    def __init__(self, scenario: Scenario, customers: Customers, rng: np.random.Generator) -> None:
        self.rng = rng
        self.customers = customers
        self.spec = scenario.posting
        self.dt = scenario.time.tick_hours
        self.topic_cdf = np.cumsum(scenario.topic_shares)
        channel = np.array([c.share for c in scenario.channels], float)
        self.channel_cdf = np.cumsum(channel / channel.sum())
        self._topic_edges = _open_last_edge(self.topic_cdf)
        self._channel_edges = _open_last_edge(self.channel_cdf)
        self.patience = Patience(scenario.channels, self.dt)
        total_activity = float(customers.activity_cdf[-1])
        self.mean_problems = self.spec.problem_rate * total_activity * self.dt
        self.mean_questions = self.spec.question_rate * total_activity * self.dt
        self.mean_praise = self.spec.praise_rate * customers.n * self.dt
        self._n = customers.n

    @staticmethod
    def _pick(edges: np.ndarray, u: np.ndarray) -> np.ndarray:
        """The bin of each uniform of ``u`` (edges from :func:`_open_last_edge`)."""
        return edges.searchsorted(u, side="right")

    def open(
        self,
        threads: ThreadTable,
        tick: int,
        topic_quality: np.ndarray,
        service_attitude: float,
    ) -> PostingEvents:
        """Draw this tick's candidates, thin them, and append the posts to ``threads``."""
        rng, people, spec = self.rng, self.customers, self.spec
        # one scalar draw each, in this order: the same numbers as one draw of the three
        # means together, without the checks of an array argument
        n_problem = rng.poisson(self.mean_problems)
        n_question = rng.poisson(self.mean_questions)
        n_praise = rng.poisson(self.mean_praise)
        # every candidate gets all its uniforms up front, so the stream is consumed the
        # same way whatever the state: author, topic, two thinning draws, channel,
        # patience, severity
        u = rng.random((7, n_problem))
        author = people.sample_by_activity(u[0])
        topic = self._pick(self._topic_edges, u[1])
        w = spec.attitude_weight
        badness = (1 - w) * (1 - topic_quality) + w * (1 - service_attitude)  # by topic
        is_problem = u[2] < badness[topic]
        sentiment = people.sentiment[author]
        p_post = spec.post_probability + spec.post_negativity * np.maximum(0.0, -sentiment)
        posted = is_problem & (u[3] < p_post)
        # questions: author by activity, topic by weight (+ channel, patience, severity)
        uq = rng.random((5, n_question))
        q_author = people.sample_by_activity(uq[0])
        q_topic = self._pick(self._topic_edges, uq[1])
        # praise: uniform candidates, kept if they are fans (thinning)
        up = rng.random((5, n_praise))
        p_author = np.minimum((up[0] * self._n).astype(np.int32), self._n - 1)
        praising = people.sentiment[p_author] >= people.fan_threshold
        p_topic = self._pick(self._topic_edges, up[1])
        # the posts, in a fixed order: complaints, questions, praise
        c_author, pr_author = author[posted], p_author[praising]
        author_all = np.concatenate([c_author, q_author, pr_author])
        topic_all = np.concatenate([topic[posted], q_topic, p_topic[praising]])
        kind = _KINDS_IN_ORDER.repeat([c_author.size, n_question, pr_author.size])
        n = author_all.size
        uc = np.concatenate([u[4:, posted], uq[2:], up[2:, praising]], axis=1)
        channel = self._pick(self._channel_edges, uc[0])
        patience = self.patience.ticks(channel, uc[1])
        ids = threads.append(
            n,
            kind=kind,
            topic=topic_all,
            channel=channel,
            severity=uc[2],
            influence=people.influence[author_all],
            author=author_all,
            created_tick=tick,
            patience_ticks=patience,
        )
        return PostingEvents(threads=ids, problem_customers=author[is_problem])
