"""Broadcasting and listening (MODEL.md 4.8; essay 004, essay 001).

The organization spends its social effort between replying and broadcasting, set by
``listening``: it broadcasts ``rate_per_hour x (1 - listening)`` times an hour, and the
work-hours those broadcasts take (``hours_per_broadcast`` each) come out of the
repliers' social time, so listening divides a fixed effort and creates none (see
:meth:`sim.organization.core.OrgCore.refresh_speed`). Broadcasts reach the brand's followers. They
move sentiment little (``sentiment x leadership integrity``), cost trust among
followers whose experience contradicts them (a trust signal of ``-say_do_trust x (1 -
integrity)`` for followers with negative sentiment, weighted as a thing seen: essay
001, social media "can actually expose the disparity between what a leader says and
what he or she actually does"), and each
broadcast loses a follower with chance ``unfollow x (1 - interactivity)`` (essay 004:
"Talk, talk, talk. Noise, noise noise. Seriously, shut it already."). Followers also
come: a fan who does not follow the brand starts to at ``follow_rate`` an hour, so a
brand that converses (and so keeps its fans) can grow its audience while one that only
talks loses it.

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
        self._seen_rate = scenario.opinions.trust_rate * scenario.opinions.trust_seen
        self._p_follow = -np.expm1(-self.spec.follow_rate * self.dt)
        """Chance per tick that a fan who does not follow the brand starts to."""

    def step(self, culture: CultureSpec, replies: int) -> int:
        """Post this tick's broadcasts and apply their effects; returns how many.

        A broadcast reaches each follower once, so its effects are written straight
        into the arrays (no event queue), and the followers who leave are drawn by
        geometric skipping: O(followers) array operations, O(leavers) draws.
        """
        spec, people = self.spec, self.people
        self._fans_follow()
        k = int(self.rng.poisson(spec.rate_per_hour * (1.0 - culture.listening) * self.dt))
        if k == 0:
            return 0
        self.count += k
        followers = np.flatnonzero(people.follows_brand)
        integrity = culture.leadership_integrity
        sentiment, trust = people.sentiment, people.trust
        contradicted = followers[sentiment[followers] < 0]  # experience says otherwise
        # a trust signal of -k x say_do_trust x (1 - integrity), seen (not one's own
        # thread): trust falls by trust_rate x trust_seen x that x trust (MODEL.md 4.7)
        signal = k * spec.say_do_trust * (1.0 - integrity) * self._seen_rate
        trust[contradicted] *= np.float32(max(0.0, 1.0 - signal))
        gain = np.float32(k * spec.sentiment * integrity)
        sentiment[followers] = np.minimum(sentiment[followers] + gain, 1.0)
        share = interactivity(replies, self.count)
        p_leave = 1.0 - (1.0 - spec.unfollow * (1.0 - share)) ** k
        leaving = followers[bernoulli_positions(followers.size, p_leave, self.unfollow_rng)]
        people.follows_brand[leaving] = False
        return k

    def _fans_follow(self) -> None:
        """Fans start following the brand at ``follow_rate`` an hour (MODEL.md 4.8):
        candidates are drawn among all customers by geometric skipping, and those who
        are fans and not yet followers follow (O(candidates))."""
        people = self.people
        candidate = bernoulli_positions(people.n, self._p_follow, self.unfollow_rng)
        if candidate.size:
            fan = people.sentiment[candidate] >= np.float32(people.fan_threshold)
            people.follows_brand[candidate[fan]] = True
