"""Broadcasting and listening (MODEL.md 4.8; essay 004, essay 001).

The organization spends its social effort between replying and broadcasting, set by
``listening``: it broadcasts ``rate_per_hour x (1 - listening)`` times an hour, and its
repliers work at ``0.5 + listening`` of their social speed (1 at the default 0.5; see
:meth:`sim.core.OrgCore.refresh_speed`). Broadcasts reach the brand's followers. They
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

from sim.customers import Customers
from sim.opinions import Opinions
from sim.scenario.schema import CultureSpec, Scenario

__all__ = ["Broadcasting", "interactivity"]


def interactivity(replies: int, broadcasts: int) -> float:
    """Replies / (replies + broadcasts); NaN before the organization has said anything."""
    total = replies + broadcasts
    return replies / total if total else float("nan")


class Broadcasting:
    """The brand account's own posts and their audience."""

    def __init__(self, scenario: Scenario, customers: Customers, rng: np.random.Generator) -> None:
        self.spec = scenario.broadcast
        self.people = customers
        self.rng = rng
        self.dt = scenario.time.tick_minutes / 60.0
        self.count = 0

    def step(self, culture: CultureSpec, replies: int, opinions: Opinions) -> int:
        """Post this tick's broadcasts and apply their effects; returns how many."""
        spec, people = self.spec, self.people
        k = int(self.rng.poisson(spec.rate_per_hour * (1.0 - culture.listening) * self.dt))
        if k == 0:
            return 0
        self.count += k
        followers = np.flatnonzero(people.follows_brand)
        integrity = culture.leadership_integrity
        opinions.feel(followers, k * spec.sentiment * integrity)
        contradicted = followers[people.sentiment[followers] < 0]
        opinions.distrust(contradicted, k * spec.say_do_trust * (1.0 - integrity))
        share = interactivity(replies, self.count)
        p_leave = 1.0 - (1.0 - spec.unfollow * (1.0 - share)) ** k
        leaving = followers[self.rng.random(followers.size) < p_leave]
        people.follows_brand[leaving] = False
        return k
