"""Typed, immutable scenario parameters (MODEL.md sections 2, 3 and 4).

A scenario file is a TOML document; :func:`sim.scenario.load_scenario` reads it and
validates it into a :class:`Scenario`. Every duration is in **hours**; the core converts
to ticks. Unknown keys are rejected (``extra="forbid"``), ranges are enforced by
pydantic constraints, and the loader turns pydantic's errors into messages that name
the file, the key path, the value and what is allowed.

The sections split the world (what customers and the workload do: ``arrivals``,
``channels``) from the levers (what the organization chooses: ``structure``,
``culture``), in the spirit of EMA Workbench's uncertainties versus levers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationError, model_validator

from sim.scenario.base import Hours, PositiveHours, Section, Share
from sim.scenario.public import (
    BroadcastSpec,
    CustomersSpec,
    GraphSpec,
    InterventionSpec,
    LearningSpec,
    OpinionSpec,
    PostingSpec,
    SpreadSpec,
)

STRUCTURES = ("switchboard", "direct_dial", "expert_routing", "coached_direct_dial")
KINDS = ("complaint", "question", "praise")
SPEAKERS = ("expert", "generalist", "brand", "executive")
LEVER_SECTIONS = ("culture", "structure", "organization")
ORGANIZATION_LEVERS = ("training", "onboard_share", "empowered_share")


class TimeSpec(Section):
    """Clock. ``tick_minutes`` is the tick length; ``hours`` the default run length."""

    tick_minutes: Annotated[float, Field(gt=0.0, le=1440.0)] = 15.0
    hours: Annotated[float, Field(gt=0.0, le=100_000.0)] = 336.0


class ServiceTime(Section):
    """Service-time distribution of one work stage (MODEL.md 4.4).

    ``fixed`` takes exactly ``mean_hours``; ``exponential`` is geometric in ticks with
    that mean; ``lognormal`` has that mean and log-scale ``sigma``.
    """

    distribution: Literal["fixed", "exponential", "lognormal"] = "exponential"
    mean_hours: Hours = 0.25
    sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5


class ServiceSpec(Section):
    """Per-stage service times, before scaling by the server's speed and expertise."""

    triage: ServiceTime = ServiceTime(mean_hours=0.1)
    forward: ServiceTime = ServiceTime(mean_hours=0.25)
    draft: ServiceTime = ServiceTime(mean_hours=0.5)
    polish: ServiceTime = ServiceTime(mean_hours=0.25)
    approve: ServiceTime = ServiceTime(distribution="exponential")
    handoff: ServiceTime = ServiceTime(distribution="exponential")
    expertise_slowdown: Annotated[float, Field(ge=0.0, le=20.0)] = 1.0
    """Draft time is multiplied by ``1 + expertise_slowdown * (1 - expertise)``."""


class SiloSpec(Section):
    """A department. It owns topics; one silo must be named ``comms``."""

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
    share: Annotated[float, Field(gt=0.0, le=1.0)]
    topics: Annotated[tuple[str, ...], Field(min_length=1)]
    topic_weight: Annotated[float, Field(ge=0.0, le=1000.0)] = 1.0
    """Relative share of traffic for each of this silo's topics."""
    handoff_hours: Hours = 2.0
    """Mean delay for work crossing into this silo when permeability is 1."""


class LevelSpec(Section):
    """One hierarchy level, front line (level 0) first."""

    name: Annotated[str, Field(min_length=1, max_length=40)]
    approval_hours: Hours = 2.0
    """Mean wait for an approval at this level."""
    voice_weight: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    span_of_control: Annotated[int, Field(ge=1, le=1000)] = 8
    """Direct reports per manager at this level (used to size the level below)."""


class OrganizationSpec(Section):
    """Who works there (MODEL.md 2, employees)."""

    n_employees: Annotated[int, Field(ge=2, le=2_000_000)] = 200
    capacity: Annotated[float, Field(gt=0.0, le=24.0)] = 1.0
    """Work-hours per hour each employee has."""
    onboard_share: Share = 0.3
    """Share of non-comms employees who monitor and take part in social media."""
    empowered_share: Share = 0.5
    """Share of on-board employees who may post without approval."""
    social_share_onboard: Share = 0.5
    """Share of an on-board employee's capacity given to social work."""
    social_share_offboard: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1
    """Share of capacity an employee who is not on board gives social requests."""
    offboard_engagement: Share = 0.6
    """Quality and authenticity multiplier for answers by employees not on board."""
    liaisons_per_silo: Annotated[int, Field(ge=1, le=1000)] = 1
    training: Share = 0.2
    comms_training: Share = 0.8
    authenticity: Share = 0.8
    comms_authenticity: Share = 0.6
    expertise_own: Share = 0.9
    expertise_other: Share = 0.2


class StructureSpec(Section):
    """The routing structure (MODEL.md 4.3) and its own parameters."""

    kind: Literal[STRUCTURES] = "switchboard"  # type: ignore[valid-type]
    approval_depth: Annotated[int, Field(ge=0, le=20)] = 1
    """Approval levels above the author (switchboard: up the comms chain;
    direct dial: for employees who are not empowered)."""
    cross_claim: Share = 0.3
    """Direct dial: chance, at permeability 1, that an employee of another silo
    claims a thread first (the public is blind to silos)."""
    intranet_find_hours: Hours = 0.25
    offline_find_hours: Hours = 8.0
    offline_find_probability: Share = 0.3
    coaching_per_week: Annotated[float, Field(ge=0.0, le=1.0)] = 0.3
    """Coached direct dial: training gained per week, times (1 - training)."""
    coachees_per_coach: Annotated[float, Field(gt=0.0, le=10_000.0)] = 20.0
    generalist_quality: Share = 0.5
    analytics_weight_hours: Hours = 4.0
    """With analytics on, queue priority moves an author of influence 1 this many
    hours ahead."""


class CultureSpec(Section):
    """Culture levers (MODEL.md 2, organization)."""

    silo_permeability: Annotated[float, Field(ge=0.01, le=1.0)] = 0.5
    spin: Share = 0.3
    honesty: Share = 0.5
    product_quality: Share = 0.7
    service_attitude: Share = 0.7
    leadership_integrity: Share = 0.7
    listening: Share = 0.5
    social_intranet: bool = False
    analytics: bool = False


class ChannelSpec(Section):
    """A social channel (MODEL.md 2; essay 002)."""

    name: Annotated[str, Field(min_length=1, max_length=40)]
    share: Share
    patience_hours: PositiveHours = 4.0
    """Mean hours before the author gives up waiting for an answer."""
    patience: Literal["exponential", "fixed", "infinite"] = "exponential"
    reach: Annotated[float, Field(ge=0.0, le=100.0)] = 1.0
    reshare: Share = 0.01
    visible_hours: PositiveHours = 48.0


class ArrivalSpec(Section):
    """Where threads come from: ``customers`` post them (MODEL.md 4.1); ``poisson``
    opens them from a Poisson process per topic and channel (the queueing limit,
    MODEL.md 6.1-6.2; ``threads_per_hour`` and the kind mix apply only there)."""

    mode: Literal["customers", "poisson"] = "customers"
    threads_per_hour: Annotated[float, Field(ge=0.0, le=1_000_000.0)] = 20.0
    complaint: Share = 0.5
    question: Share = 0.4
    praise: Share = 0.1
    influence_sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Log-scale spread of author influence (followers), lognormal with median 1."""


class ConversationSpec(Section):
    """What follows an answer (MODEL.md 4.5, 4.6)."""

    gaffe_base: Share = 0.1
    """Gaffe probability of an untrained author; it falls as ``(1 - training)``."""
    followup_probability: Share = 0.3
    followup_hours: Hours = 2.0
    """Mean delay before an unresolved author replies."""
    max_turns: Annotated[int, Field(ge=1, le=100)] = 5


class VoiceSpec(Section):
    """Voice weight per speaker kind (MODEL.md 4.5). Defaults follow the trust
    surveys: technical experts and employees above CEOs and brands."""

    expert: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    generalist: Annotated[float, Field(ge=0.0, le=10.0)] = 0.8
    brand: Annotated[float, Field(ge=0.0, le=10.0)] = 0.5
    executive: Annotated[float, Field(ge=0.0, le=10.0)] = 0.6


def _default_silos() -> tuple[SiloSpec, ...]:
    return (
        SiloSpec(name="comms", share=0.05, topics=["general"], handoff_hours=1.0),
        SiloSpec(name="product", share=0.35, topics=["defects", "features"]),
        SiloSpec(name="billing", share=0.2, topics=["invoices", "refunds"]),
        SiloSpec(name="logistics", share=0.25, topics=["delivery", "returns"]),
        SiloSpec(name="it", share=0.15, topics=["accounts", "outages"]),
    )


def _default_levels() -> tuple[LevelSpec, ...]:
    return (
        LevelSpec(name="front line", approval_hours=1.0, voice_weight=1.0, span_of_control=8),
        LevelSpec(name="manager", approval_hours=4.0, voice_weight=1.0, span_of_control=6),
        LevelSpec(name="director", approval_hours=12.0, voice_weight=0.9, span_of_control=5),
        LevelSpec(name="executive", approval_hours=24.0, voice_weight=1.0, span_of_control=5),
    )


def _default_channels() -> tuple[ChannelSpec, ...]:
    return (
        ChannelSpec(name="twitter", share=0.6, patience_hours=2.0, reshare=0.01),
        ChannelSpec(
            name="linkedin", share=0.25, patience_hours=12.0, reshare=0.006, visible_hours=72.0
        ),
        ChannelSpec(
            name="blog", share=0.15, patience_hours=48.0, reshare=0.003, visible_hours=240.0
        ),
    )


class Scenario(Section):
    """A whole scenario, validated. Build it with :func:`sim.scenario.load_scenario`."""

    name: str = "scenario"
    description: str = ""
    time: TimeSpec = TimeSpec()
    structure: StructureSpec = StructureSpec()
    culture: CultureSpec = CultureSpec()
    organization: OrganizationSpec = OrganizationSpec()
    silos: Annotated[tuple[SiloSpec, ...], Field(min_length=1, max_length=1000)] = Field(
        default_factory=_default_silos
    )
    levels: Annotated[tuple[LevelSpec, ...], Field(min_length=1, max_length=20)] = Field(
        default_factory=_default_levels
    )
    channels: Annotated[tuple[ChannelSpec, ...], Field(min_length=1, max_length=20)] = Field(
        default_factory=_default_channels
    )
    arrivals: ArrivalSpec = ArrivalSpec()
    service: ServiceSpec = ServiceSpec()
    conversation: ConversationSpec = ConversationSpec()
    voice: VoiceSpec = VoiceSpec()
    customers: CustomersSpec = CustomersSpec()
    graph: GraphSpec = GraphSpec()
    posting: PostingSpec = PostingSpec()
    spread: SpreadSpec = SpreadSpec()
    opinions: OpinionSpec = OpinionSpec()
    broadcast: BroadcastSpec = BroadcastSpec()
    learning: LearningSpec = LearningSpec()
    interventions: tuple[InterventionSpec, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [s.name for s in self.silos]
        if "comms" not in names:
            raise ValueError("silos: one silo must be named 'comms' (it hosts the social team)")
        if len(set(names)) != len(names):
            raise ValueError(f"silos: names must be unique, got {names}")
        topics = [t for s in self.silos for t in s.topics]
        if len(set(topics)) != len(topics):
            raise ValueError("silos: each topic must be owned by exactly one silo")
        if len({c.name for c in self.channels}) != len(self.channels):
            raise ValueError("channels: names must be unique")
        if sum(c.share for c in self.channels) <= 0:
            raise ValueError("channels: at least one channel needs a share above 0")
        a = self.arrivals
        if a.complaint + a.question + a.praise <= 0:
            raise ValueError("arrivals: complaint + question + praise must be above 0")
        if self.organization.n_employees < 2 * len(self.silos):
            raise ValueError(
                f"organization.n_employees: {self.organization.n_employees} is too small for "
                f"{len(self.silos)} silos (at least 2 per silo)"
            )
        self._check_graph()
        for i, intervention in enumerate(self.interventions):
            self._check_intervention(i, intervention, topics)
        return self

    def _check_graph(self) -> None:
        """The generators' own limits, stated in the file's terms."""
        g, n = self.graph, self.customers.n_customers
        if g.kind in ("power_law_cluster", "barabasi_albert") and g.m >= n:
            raise ValueError(f"graph.m = {g.m}: must be below customers.n_customers = {n}")
        if g.kind == "watts_strogatz" and (g.k % 2 or g.k >= n):
            raise ValueError(f"graph.k = {g.k}: must be even and below n_customers = {n}")
        if g.kind == "erdos_renyi" and g.mean_degree > n - 1:
            raise ValueError(f"graph.mean_degree = {g.mean_degree}: must be <= n_customers - 1")

    def _check_intervention(self, i: int, intervention: InterventionSpec, topics: list) -> None:
        """Every lever an intervention sets must exist and take the value given."""
        where = f"interventions.{i}"
        if intervention.crisis is not None and intervention.crisis.topic not in topics:
            raise ValueError(
                f"{where}.crisis.topic = {intervention.crisis.topic!r}: not a topic; "
                f"topics are {topics}"
            )
        for path, value in intervention.set.items():
            section_name, _, key = path.partition(".")
            if section_name not in LEVER_SECTIONS or not key:
                raise ValueError(
                    f"{where}.set.{path}: not a lever; levers live in "
                    f"{', '.join(LEVER_SECTIONS)} (e.g. culture.silo_permeability)"
                )
            section = getattr(self, section_name)
            if section_name == "organization" and key not in ORGANIZATION_LEVERS:
                raise ValueError(
                    f"{where}.set.{path}: cannot change during a run; organization levers "
                    f"are {', '.join(ORGANIZATION_LEVERS)}"
                )
            if key not in type(section).model_fields:
                known = ", ".join(sorted(type(section).model_fields))
                raise ValueError(f"{where}.set.{path}: unknown lever (known: {known})")
            try:
                checked = type(section).model_validate(
                    {**section.model_dump(), key: value}, strict=True
                )
            except ValidationError as error:
                reason = error.errors(include_url=False)[0]["msg"]
                raise ValueError(f"{where}.set.{path} = {value!r}: {reason}") from None
            intervention.set[path] = getattr(checked, key)  # e.g. 1 -> 1.0

    @property
    def topics(self) -> list[str]:
        """All topic names, silo by silo."""
        return [t for s in self.silos for t in s.topics]
