"""Customers: state arrays on a social graph (MODEL.md section 2, customers).

Each customer is a row: ``sentiment`` in [-1, 1], ``trust`` in [0, 1], an activity
rate (how often they have problems and post), whether they follow the brand's own
account, and their place in the directed graph (an edge i -> j means j sees what i
posts). Fans and detractors are derived from sentiment. Nothing here is one Python
object per customer; :class:`sim.agents.Customer` agents are made only for customers someone
inspects.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from sim.public.graph import SocialGraph
from sim.public.graph_generators import build_graph
from sim.scenario.schema import Scenario

__all__ = ["Customers", "build_customers"]


@dataclass
class Customers:
    """The public, as arrays.

    Attributes
    ----------
    graph : SocialGraph
        Followers in CSR (``indices[indptr[i]:indptr[i+1]]`` see what i posts).
    sentiment, baseline, trust : float32 arrays
        Current sentiment, the level it relaxes toward, and trust.
    activity : float32 array
        Problem and posting rate multiplier (lognormal, mean 1).
    influence : float32 array
        Followers relative to the mean: what analytics prioritises.
    follows_brand : bool array
        Who receives the organization's broadcasts.
    """

    graph: SocialGraph
    sentiment: np.ndarray
    baseline: np.ndarray
    trust: np.ndarray
    activity: np.ndarray
    influence: np.ndarray
    follows_brand: np.ndarray
    fan_threshold: float
    detractor_threshold: float

    def __post_init__(self) -> None:
        self.graph_seconds = float("nan")
        self.activity_cdf = np.cumsum(self.activity, dtype=np.float64)
        self._activity_total = self.activity_cdf[-1]
        self._last = self.activity_cdf.size - 1
        self.in_degree = self.graph.in_degree().astype(np.float32)
        self._following: SocialGraph | None = None
        self._followers_of: scipy.sparse.csr_array | None = None

    @property
    def n(self) -> int:
        return int(self.sentiment.size)

    def fans(self) -> np.ndarray:
        return self.sentiment >= self.fan_threshold

    def detractors(self) -> np.ndarray:
        return self.sentiment <= self.detractor_threshold

    def sample_by_activity(self, u: np.ndarray) -> np.ndarray:
        """Customers drawn in proportion to activity, from uniforms ``u`` in [0, 1)."""
        index = self.activity_cdf.searchsorted(u * self._activity_total, side="right")
        return np.minimum(index, self._last, out=index).astype(np.int32)

    def following(self) -> SocialGraph:
        """The transpose of the follower graph, made once: row ``j`` lists the
        customers ``j`` follows (its in-neighbours)."""
        if self._following is None:
            self._following = self.graph.transpose()
        return self._following

    def in_neighbours_matrix(self) -> scipy.sparse.csr_array:
        """A matrix M with ``(M @ x)[j] = sum of x over j's in-neighbours`` (whom j
        follows), made once (CSR): the yardstick SpMV of ``orgsim bench``."""
        if self._followers_of is None:
            self._followers_of = self.following().to_csr()
        return self._followers_of

    def fan_share(self, who: np.ndarray) -> np.ndarray:
        """For each of ``who``, the share of the customers it follows who are fans
        (0 for someone who follows nobody).

        The rows of ``who`` only: O(their in-degrees), not one pass over the graph,
        with the same result as ``(M @ fans)[who] / in_degree[who]``.
        """
        which, followed = self.following().arcs_from(who)
        fans = np.bincount(
            which, weights=self.sentiment[followed] >= self.fan_threshold, minlength=who.size
        ).astype(np.float32)  # exact counts, divided in float32 like the sparse product
        degree = self.in_degree[who]
        return np.divide(fans, degree, out=np.zeros(who.size), where=degree > 0)


def build_customers(scenario: Scenario, rng: np.random.Generator) -> Customers:
    """Build the graph and the customers' initial state from the ``customers`` stream,
    so that every structure run on the same seed meets the same public."""
    spec = scenario.customers
    started = time.perf_counter()
    graph = build_graph(scenario, rng)
    graph_seconds = time.perf_counter() - started
    n = graph.n_customers
    sentiment = np.clip(rng.normal(spec.sentiment_mean, spec.sentiment_sd, n), -1.0, 1.0)
    sigma = spec.activity_sigma
    activity = np.exp(sigma * rng.standard_normal(n) - 0.5 * sigma * sigma)
    followers = graph.out_degree().astype(np.float32)
    influence = (1.0 + followers) / (1.0 + followers.mean())
    customers = Customers(
        graph=graph,
        sentiment=sentiment.astype(np.float32),
        baseline=sentiment.astype(np.float32),
        trust=np.full(n, spec.trust_initial, dtype=np.float32),
        activity=activity.astype(np.float32),
        influence=influence.astype(np.float32),
        follows_brand=rng.random(n) < spec.brand_follower_share,
        fan_threshold=spec.fan_threshold,
        detractor_threshold=spec.detractor_threshold,
    )
    customers.graph_seconds = graph_seconds  # reported by orgsim bench
    return customers
