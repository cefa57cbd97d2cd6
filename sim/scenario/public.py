"""Scenario sections for the public side: customers, their graph, posting, spread,
opinions and broadcasting (MODEL.md 2, 4.1-4.2, 4.7-4.8).

Rates are per hour; durations in hours. Defaults give a world of tens of thousands of
customers in which the structures' differences show within a simulated week.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import PositiveHours, Section, Share

__all__ = [
    "BroadcastSpec",
    "CustomersSpec",
    "GraphSpec",
    "OpinionSpec",
    "PostingSpec",
    "SpreadSpec",
]

Rate = Annotated[float, Field(ge=0.0, le=1000.0)]
Effect = Annotated[float, Field(ge=0.0, le=1.0)]
Signed = Annotated[float, Field(ge=-1.0, le=1.0)]

GRAPH_KINDS = (
    "power_law_cluster",
    "barabasi_albert",
    "watts_strogatz",
    "erdos_renyi",
    "complete",
    "edge_list",
)


class GraphSpec(Section):
    """The customers' social graph (MODEL.md 2). Edge i -> j: j sees what i posts."""

    kind: Literal[GRAPH_KINDS] = "power_law_cluster"  # type: ignore[valid-type]
    """Generator: ``power_law_cluster`` (Holme-Kim), ``barabasi_albert``, ``watts_strogatz``,
    ``erdos_renyi``, ``complete``, or ``edge_list`` (read from ``path``)."""
    m: Annotated[int, Field(ge=1, le=1000)] = 5
    """Holme-Kim, Barabasi-Albert: edges per new customer (count); mean degree about 2m."""
    p_triangle: Annotated[float, Field(ge=0.0, le=0.5)] = 0.1
    """Holme-Kim: chance each further edge closes a triangle. The vectorized generator is
    faithful to the published clustering up to 0.5 (sim.public.graph)."""
    k: Annotated[int, Field(ge=2, le=1000)] = 10
    """Watts-Strogatz: ring neighbours per customer (count, even)."""
    p_rewire: Share = 0.1
    """Watts-Strogatz: chance each ring edge is rewired to a random customer."""
    mean_degree: Annotated[float, Field(gt=0.0, le=10_000.0)] = 10.0
    """Erdos-Renyi: mean number of neighbours per customer."""
    path: str | None = None
    """Edge-list file (CSV or whitespace separated), relative to the scenario file; a line ``i
    j`` means j sees what i posts."""

    @model_validator(mode="after")
    def _path_for_edge_list(self) -> GraphSpec:
        if self.kind != "edge_list":
            return self
        if not self.path:
            raise ValueError("graph.path: an edge_list graph needs a file path")
        path = Path(self.path)
        if not path.exists():
            raise ValueError(f"graph.path = {self.path!r}: no such file")
        if not path.is_file():
            raise ValueError(f"graph.path = {self.path!r}: not a file (an edge-list file is)")
        if not os.access(path, os.R_OK):
            raise ValueError(f"graph.path = {self.path!r}: cannot be read (permission denied)")
        return self


class CustomersSpec(Section):
    """Customers' initial state and heterogeneity (MODEL.md 2)."""

    n_customers: Annotated[int, Field(ge=2, le=2_147_483_647)] = 20_000
    """Number of customers (count): the graph's nodes."""
    sentiment_mean: Signed = 0.1
    """Mean of the initial sentiment (normal, clipped to [-1, 1]), in sentiment units."""
    sentiment_sd: Annotated[float, Field(ge=0.0, le=2.0)] = 0.3
    """Standard deviation of the initial sentiment, in sentiment units."""
    trust_initial: Share = 0.5
    """Initial trust of every customer, in [0, 1]."""
    fan_threshold: Signed = 0.5
    """Fans are customers with sentiment at or above this."""
    detractor_threshold: Signed = -0.5
    """Detractors are customers with sentiment at or below this; must be below ``fan_threshold``."""
    activity_sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Log-scale spread of how often customers have problems and post (lognormal activity
    multiplier with mean 1; dimensionless)."""
    brand_follower_share: Share = 0.3
    """Share of customers who follow the brand's own account (the broadcast audience)."""

    @model_validator(mode="after")
    def _thresholds(self) -> CustomersSpec:
        if self.detractor_threshold >= self.fan_threshold:
            raise ValueError(
                f"customers.detractor_threshold = {self.detractor_threshold}: must be below "
                f"fan_threshold = {self.fan_threshold}"
            )
        return self


class PostingSpec(Section):
    """Posting (MODEL.md 4.1; essay 001: quality and attitude drive complaints)."""

    problem_rate: Rate = 0.002
    """Problems per customer-hour when product quality and service attitude are 0 (times the
    customer's activity)."""
    attitude_weight: Share = 0.3
    """Share of problems that come from service attitude rather than the product."""
    post_probability: Share = 0.2
    """Chance that a customer of neutral sentiment posts a problem publicly."""
    post_negativity: Share = 0.4
    """Extra posting chance per unit of negative sentiment (at sentiment -1: ``post_probability +
    post_negativity``)."""
    question_rate: Rate = 0.0004
    """Questions per customer-hour (times the customer's activity)."""
    praise_rate: Rate = 0.0005
    """Praise posts per fan-hour."""


class SpreadSpec(Section):
    """Independent cascade per thread in continuous time (MODEL.md 4.2)."""

    view_share: Share = 0.6
    """Chance that each of an author's followers sees a new post (the first hop), times the
    channel's ``reach``."""
    complaint: Annotated[float, Field(ge=0.0, le=100.0)] = 1.0
    """Reshare multiplier of complaints."""
    question: Annotated[float, Field(ge=0.0, le=100.0)] = 0.3
    """Reshare multiplier of questions."""
    praise: Annotated[float, Field(ge=0.0, le=100.0)] = 0.7
    """Reshare multiplier of praise."""
    unanswered_complaint: Annotated[float, Field(ge=0.0, le=100.0)] = 2.0
    """Negativity bias: reshare multiplier of a complaint nobody has answered yet."""
    gaffe: Annotated[float, Field(ge=0.0, le=100.0)] = 4.0
    """Reshare multiplier of a thread once a gaffe was posted in it (gaffes spread most)."""
    answered: Annotated[float, Field(ge=0.0, le=100.0)] = 0.3
    """Reshare multiplier of a thread once answered (it cools down)."""
    ignored_complaint: Annotated[float, Field(ge=0.0, le=100.0)] = 3.0
    """Reshare multiplier of a complaint abandoned unanswered (past its author's patience):
    an ignored complaint spreads more still."""
    severity: Share = 0.5
    """How much a complaint's severity (uniform in [0, 1]) scales its reshare: times
    ``1 + severity x (2 x thread severity - 1)``, so 1 on average."""
    escalation: Share = 0.2
    """Chance, times ``2 x severity``, that the author of an ignored complaint posts again,
    louder: a new turn on the thread that reaches their followers anew."""
    escalation_reach: Annotated[float, Field(ge=0.0, le=100.0)] = 1.5
    """Multiplier on the first-hop view chance of an escalation's repost (capped at 1)."""


class OpinionSpec(Section):
    """Sentiment, trust and word of mouth (MODEL.md 4.7, 4.5 honesty)."""

    problem: Effect = 0.1
    """Sentiment lost by having a problem (sentiment units)."""
    ignored: Effect = 0.15
    """Sentiment lost when one's own thread is abandoned."""
    answered: Effect = 0.1
    """Sentiment gained from an answer to one's own thread, times its quality."""
    resolved: Effect = 0.2
    """Further sentiment gained when the answer resolves the thread."""
    fast_bonus: Effect = 0.1
    """Further sentiment gained for a fast answer: times ``exp(-wait / fast_hours)``."""
    fast_hours: PositiveHours = 1.0
    """Time scale, in hours, of the fast-answer bonus."""
    seen_complaint: Effect = 0.01
    """Sentiment lost per exposure to an unanswered complaint."""
    seen_answer: Effect = 0.02
    """Sentiment gained per exposure to an answered thread, times authenticity x voice weight."""
    seen_gaffe: Effect = 0.04
    """Sentiment lost per exposure to a gaffe (and by the author who got one)."""
    trust_rate: Effect = 0.2
    """Trust moved by a signal of size 1 about one's own thread: ``trust_rate x signal x (1 -
    trust)`` up, ``trust_rate x signal x trust`` down (MODEL.md 4.7)."""
    trust_seen: Effect = 0.1
    """Weight of a signal seen in someone else's thread, relative to one's own."""
    expect_complaint: Effect = 1.0
    """Trust expected of an answer to a complaint: an answer signals its credibility x
    lateness minus this, silence minus this x (1 + severity)."""
    expect_question: Effect = 0.5
    """Trust expected of an answer to a question (as ``expect_complaint``)."""
    expect_praise: Effect = 0.0
    """Trust expected of an answer to praise (as ``expect_complaint``; 0: nobody expects one)."""
    late_hours: PositiveHours = 6.0
    """Lateness discount of an answer's trust signal: times ``1 / (1 + wait / late_hours)``."""
    trust_memory_hours: Annotated[float, Field(gt=0.0, le=1e7)] = 720.0
    """Time scale, in hours, on which trust relaxes toward ``customers.trust_initial``."""
    gaffe_trust: Effect = 1.0
    """Trust signal lost by a gaffe: its author's, and (times ``trust_seen``) each viewer's."""
    admit_bonus: Effect = 0.1
    """Honesty: added to the trust signal of an answer that admits fault ("stealing thunder")."""
    spin_boost: Effect = 0.03
    """Added to the trust signal of a complaint answer that does not admit fault (spin helps
    briefly) ..."""
    spin_found_probability: Share = 0.3
    """... but that spin is found out with this chance ..."""
    spin_found_hours: PositiveHours = 48.0
    """... after an exponential delay with this mean, in hours ..."""
    spin_penalty: Effect = 0.15
    """... and then signals this much distrust to each customer who has seen the thread (times
    ``trust_seen``)."""
    memory_hours: Annotated[float, Field(gt=0.0, le=1e7)] = 720.0
    """Time scale, in hours, on which sentiment relaxes toward each customer's baseline."""
    p_innovation: Annotated[float, Field(ge=0.0, le=10.0)] = 0.005
    """Bass p: hazard per period (``bass_period_hours``) of a non-fan becoming a fan on its own."""
    q_imitation: Annotated[float, Field(ge=0.0, le=10.0)] = 0.2
    """Bass q: hazard per period, times the share of one's in-neighbours who are fans."""
    bass_period_hours: PositiveHours = 168.0
    """Length, in hours, of the period in which p and q are expressed (default one week)."""


class BroadcastSpec(Section):
    """The organization's own posts (MODEL.md 4.8; essay 004: "Talk, talk, talk")."""

    rate_per_hour: Rate = 2.0
    """Broadcasts per hour at listening 0; the rate is times ``(1 - listening)``."""
    hours_per_broadcast: Annotated[float, Field(ge=0.0, le=100.0)] = 0.5
    """Work-hours one broadcast takes (writing, checking, scheduling), taken from the social
    effort that would otherwise reply (MODEL.md 4.8)."""
    sentiment: Effect = 0.0002
    """Sentiment a broadcast adds to each brand follower, times leadership integrity."""
    say_do_trust: Effect = 0.01
    """Distrust a broadcast signals to each follower whose sentiment is negative (times
    ``trust_seen``), times the say-do gap ``(1 - leadership integrity)``."""
    unfollow: Effect = 0.01
    """Chance per broadcast that a follower leaves, times ``(1 - interactivity)``."""
    follow_rate: Annotated[float, Field(ge=0.0, le=10.0)] = 0.002
    """Chance per hour that a fan who does not follow the brand starts to (MODEL.md 4.8)."""
