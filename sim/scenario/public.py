"""Scenario sections for the public side: customers, their graph, posting, spread,
opinions, broadcasting, learning and interventions (MODEL.md 2, 4.1-4.2, 4.7-4.10).

Rates are per hour; durations in hours. Defaults give a world of tens of thousands of
customers in which the structures' differences show within a simulated week.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Hours, PositiveHours, Section, Share

__all__ = [
    "BroadcastSpec",
    "CrisisSpec",
    "CustomersSpec",
    "GraphSpec",
    "InterventionSpec",
    "LearningSpec",
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
    m: Annotated[int, Field(ge=1, le=1000)] = 5
    """Edges per new customer (Holme-Kim, Barabasi-Albert): mean degree about 2m."""
    p_triangle: Annotated[float, Field(ge=0.0, le=0.5)] = 0.1
    """Holme-Kim: chance each further edge closes a triangle. The vectorized
    generator is faithful to the published clustering up to 0.5 (:mod:`sim.graph`)."""
    k: Annotated[int, Field(ge=2, le=1000)] = 10
    """Watts-Strogatz: ring neighbours (even)."""
    p_rewire: Share = 0.1
    mean_degree: Annotated[float, Field(gt=0.0, le=10_000.0)] = 10.0
    """Erdos-Renyi: mean degree."""
    path: str | None = None
    """Edge-list file (CSV or whitespace separated), relative to the scenario file."""

    @model_validator(mode="after")
    def _path_for_edge_list(self) -> GraphSpec:
        if self.kind == "edge_list" and not self.path:
            raise ValueError("graph.path: an edge_list graph needs a file path")
        return self


class CustomersSpec(Section):
    """Customers' initial state and heterogeneity (MODEL.md 2)."""

    n_customers: Annotated[int, Field(ge=2, le=50_000_000)] = 20_000
    sentiment_mean: Signed = 0.1
    sentiment_sd: Annotated[float, Field(ge=0.0, le=2.0)] = 0.3
    trust_initial: Share = 0.5
    fan_threshold: Signed = 0.5
    detractor_threshold: Signed = -0.5
    activity_sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Log-scale spread of how often customers have problems and post (lognormal,
    mean 1)."""
    brand_follower_share: Share = 0.3
    """Share of customers who follow the brand's own account (broadcast audience)."""

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
    """Problems per customer-hour when product quality and service attitude are 0."""
    attitude_weight: Share = 0.3
    """Share of problems that come from service attitude rather than the product."""
    post_probability: Share = 0.2
    """Chance a problem is posted publicly by a customer of neutral sentiment."""
    post_negativity: Share = 0.4
    """Extra chance per unit of negative sentiment (at sentiment -1: +0.4)."""
    question_rate: Rate = 0.0004
    """Questions per customer-hour."""
    praise_rate: Rate = 0.0005
    """Praise posts per fan-hour."""


class SpreadSpec(Section):
    """Independent cascade per thread (MODEL.md 4.2)."""

    view_share: Share = 0.6
    """Share of an author's followers who see a new post, times the channel's reach."""
    complaint: Annotated[float, Field(ge=0.0, le=100.0)] = 1.0
    question: Annotated[float, Field(ge=0.0, le=100.0)] = 0.3
    praise: Annotated[float, Field(ge=0.0, le=100.0)] = 0.7
    unanswered_complaint: Annotated[float, Field(ge=0.0, le=100.0)] = 2.0
    """Negativity bias: reshare multiplier of a complaint nobody answered."""
    gaffe: Annotated[float, Field(ge=0.0, le=100.0)] = 4.0
    """Gaffes spread most."""
    answered: Annotated[float, Field(ge=0.0, le=100.0)] = 0.3
    """An answered thread cools down."""


class OpinionSpec(Section):
    """Sentiment, trust and word of mouth (MODEL.md 4.7, 4.5 honesty)."""

    problem: Effect = 0.1
    """Sentiment lost by having a problem."""
    ignored: Effect = 0.15
    """Lost when one's own thread is abandoned."""
    answered: Effect = 0.1
    """Gained from an answer to one's own thread, times its quality."""
    resolved: Effect = 0.2
    """Further gain when it resolves."""
    fast_bonus: Effect = 0.1
    """Further gain for a fast answer: times exp(-wait / fast_hours)."""
    fast_hours: PositiveHours = 1.0
    seen_complaint: Effect = 0.01
    """Lost per exposure to an unanswered complaint."""
    seen_answer: Effect = 0.02
    """Gained per exposure to an answered thread, times authenticity x voice."""
    seen_gaffe: Effect = 0.04
    trust_rate: Effect = 0.2
    """Step of trust toward what an answer signals (authenticity x voice)."""
    gaffe_trust: Effect = 0.05
    admit_bonus: Effect = 0.1
    """Honesty: admitting fault raises the trust signal ("stealing thunder")."""
    spin_boost: Effect = 0.03
    """Spin raises the trust signal briefly ..."""
    spin_found_probability: Share = 0.3
    """... but is found out with this chance ..."""
    spin_found_hours: PositiveHours = 48.0
    """... after about this long ..."""
    spin_penalty: Effect = 0.15
    """... and then costs each member of the audience this much trust."""
    memory_hours: Annotated[float, Field(gt=0.0, le=1e7)] = 720.0
    """Sentiment relaxes toward each customer's initial value on this time scale."""
    p_innovation: Annotated[float, Field(ge=0.0, le=10.0)] = 0.005
    """Bass p: hazard per period of a non-fan becoming a fan on its own."""
    q_imitation: Annotated[float, Field(ge=0.0, le=10.0)] = 0.2
    """Bass q: per period, times the share of one's in-neighbours who are fans."""
    bass_period_hours: PositiveHours = 168.0


class BroadcastSpec(Section):
    """The organization's own posts (MODEL.md 4.8; essay 004: "Talk, talk, talk")."""

    rate_per_hour: Rate = 2.0
    """Broadcasts per hour at listening 0; the rate is times (1 - listening)."""
    sentiment: Effect = 0.002
    """Sentiment a broadcast adds among followers, times leadership integrity."""
    say_do_trust: Effect = 0.01
    """Trust a broadcast costs followers whose experience is negative, times the
    say-do gap (1 - leadership integrity)."""
    unfollow: Effect = 0.01
    """Chance a follower leaves per broadcast, times (1 - interactivity)."""


class LearningSpec(Section):
    """Quality learning from complaints (MODEL.md 4.9; essay 000)."""

    rate: Effect = 0.002
    """Quality gained per faithfully heard complaint, x integrity x (1 - quality)."""
    switchboard_fidelity: Share = 0.5
    """A switchboard's paraphrase keeps this much of a complaint's detail."""
    min_fidelity: Share = 0.3
    """Complaints heard with less fidelity teach nothing."""


class CrisisSpec(Section):
    """A burst of complaints on one topic (MODEL.md 4.10)."""

    topic: str
    threads: Annotated[int, Field(ge=1, le=10_000_000)]
    hours: PositiveHours = 6.0
    """Spread evenly over this many hours."""


class InterventionSpec(Section):
    """Set or ramp levers at a given hour (MODEL.md 4.10).

    ``set`` maps lever paths to values, e.g. ``{"culture.silo_permeability" = 1.0,
    "structure.kind" = "direct_dial", "organization.training" = 0.8}``. Numeric levers
    ramp linearly over ``ramp_hours`` (0: at once).
    """

    at_hours: Hours
    label: str = ""
    set: dict[str, Any] = Field(default_factory=dict)
    ramp_hours: Hours = 0.0
    crisis: CrisisSpec | None = None
