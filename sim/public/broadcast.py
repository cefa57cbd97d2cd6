"""Broadcasting and listening (MODEL.md 4.8; essay 004, essay 001).

The organization spends its social effort between replying and broadcasting, set by
``listening``: it broadcasts ``rate_per_hour x (1 - listening)`` times an hour, and its
repliers work at ``0.5 + listening`` of their social speed (1 at the default 0.5; see
:meth:`sim.organization.core.OrgCore.refresh_speed`). Broadcasts reach the brand's followers. They
move sentiment little (``sentiment x leadership integrity``), cost trust among
followers whose experience contradicts them (``say_do_trust x (1 - integrity)`` for
followers with negative sentiment: essay 001, social media "can actually expose the
disparity between what a leader says and what he or she actually does"), and each
broadcast loses a follower with chance ``unfollow x (1 - interactivity)`` (essay 004:
"Talk, talk, talk. Noise, noise noise. Seriously, shut it already.").

Interactivity is replies / (replies + broadcasts) (essay 002: "What you should be
striving for (and measuring) is the level of interactivity").
"""

from __future__ import annotations

import numpy as np

from sim.public.cascade import bernoulli_positions
from sim.public.customers import Customers
from sim.scenario.schema import CultureSpec, Scenario

__all__ = ["Broadcasting", "interactivity"]


def interactivity(replies: int, broadcasts: int) -> float:
    """Replies / (replies + broadcasts); NaN before the organization has said anything."""
    total = replies + broadcasts
    return replies / total if total else float("nan")


class Broadcasting:
    """The brand account's own posts and their audience."""

    def __init__(
        self,
        scenario: Scenario,
        customers: Customers,
        rng: np.random.Generator,
        unfollow_rng: np.random.Generator,
    ) -> None:
        self.spec = scenario.broadcast
        self.people = customers
        self.rng = rng
        """How many broadcasts a tick: a stream of its own, so that every structure
        run with one seed broadcasts at the same ticks (common random numbers)."""
        self.unfollow_rng = unfollow_rng
        """Who stops following: the public's reaction (the opinions stream)."""
        self.dt = scenario.time.tick_hours
        self.count = 0

    def step(self, culture: CultureSpec, replies: int) -> int:
        """Post this tick's broadcasts and apply their effects; returns how many.

        A broadcast reaches each follower once, so its effects are written straight
        into the arrays (no event queue), and the followers who leave are drawn by
        geometric skipping: O(followers) array operations, O(leavers) draws.
        """
        spec, people = self.spec, self.people
        k = int(self.rng.poisson(spec.rate_per_hour * (1.0 - culture.listening) * self.dt))
        if k == 0:
            return 0
        self.count += k
        followers = np.flatnonzero(people.follows_brand)
        integrity = culture.leadership_integrity
        sentiment, trust = people.sentiment, people.trust
        contradicted = followers[sentiment[followers] < 0]  # experience says otherwise
        loss = np.float32(k * spec.say_do_trust * (1.0 - integrity))
        trust[contradicted] = np.maximum(trust[contradicted] - loss, 0.0)
        gain = np.float32(k * spec.sentiment * integrity)
        sentiment[followers] = np.minimum(sentiment[followers] + gain, 1.0)
        share = interactivity(replies, self.count)
        p_leave = 1.0 - (1.0 - spec.unfollow * (1.0 - share)) ** k
        leaving = followers[bernoulli_positions(followers.size, p_leave, self.unfollow_rng)]
        people.follows_brand[leaving] = False
        return k
