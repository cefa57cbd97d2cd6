"""What an answer needs to know: the second silo (MODEL.md 2, messages; 4.3).

A share of threads (``organization.cross_silo_share``) needs the knowledge of a silo
besides the one that owns the topic: a billing complaint caused by a late delivery.
Essay 000: "Social interactions on the net are blind to internal silos", so the public
asks questions whose answers lie across a wall. The second silo is drawn among the silos
other than the owner and comms, in proportion to their share of the traffic.

The draws come from the ``needs`` stream, two consecutive uniforms per admitted thread,
so every structure run on one seed sees the same threads need the same silos (common
random numbers, MODEL.md 7), as long as the same threads are posted. Scripted threads
need no second silo unless they say so.
"""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Scenario

__all__ = ["SecondSilos"]


class SecondSilos:
    """Draws each new thread's second silo (``-1``: none needed).

    Parameters
    ----------
    scenario
        The scenario: its silos, their topics and traffic, and ``cross_silo_share``.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.share = scenario.organization.cross_silo_share
        names = [s.name for s in scenario.silos]
        comms = names.index("comms")
        topic_silo = np.array([i for i, s in enumerate(scenario.silos) for _ in s.topics])
        traffic = np.bincount(
            topic_silo, weights=np.asarray(scenario.topic_shares), minlength=len(names)
        )
        traffic[comms] = 0.0
        # the second-silo weights of each owner: every other silo's traffic, comms left out
        weights = np.repeat(traffic[None, :], len(names), axis=0)
        np.fill_diagonal(weights, 0.0)
        total = weights.sum(axis=1, keepdims=True)
        self.possible = total[:, 0] > 0
        """Whether a thread owned by each silo can need another (some other silo exists)."""
        self.cdf = np.cumsum(np.divide(weights, total, where=total > 0, out=weights), axis=1)
        self.topic_silo = topic_silo

    def assign(self, topic: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The second silo of threads on ``topic`` (-1 for those that need none).

        >>> from sim.scenario import load_scenario
        >>> needs = SecondSilos(load_scenario("scenarios/world.toml"))
        >>> second = needs.assign(np.zeros(10_000, np.int16), np.random.default_rng(1))
        >>> round(float((second >= 0).mean()), 2), bool((second != 0).all())
        (0.2, True)
        """
        u = rng.random((topic.size, 2)).T  # a pair per thread, in order: the first
        # threads of a tick get the same numbers however many the tick has
        owner = self.topic_silo[topic]
        crosses = (u[0] < self.share) & self.possible[owner]
        cdf = self.cdf[owner[crosses]]
        pick = (cdf < u[1, crosses, None] * cdf[:, -1:]).sum(axis=1)
        second = np.full(topic.size, -1, dtype=np.int16)
        second[crosses] = pick
        return second
