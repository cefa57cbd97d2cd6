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

import os
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field, ValidationError, model_validator

from sim.scenario.base import Hours, PositiveHours, Section, Share
from sim.scenario.lesson import LessonField
from sim.scenario.public import (
    BroadcastSpec,
    CustomersSpec,
    GraphSpec,
    OpinionSpec,
    PostingSpec,
    SpreadSpec,
)
from sim.scenario.structure import (
    DEFAULT_KIND,
    StructureParams,
    not_a_parameter,
    params_for,
    structure_choice,
)
from sim.scenario.timeline import InterventionSpec
from sim.threads import Kind, Speaker, names

if TYPE_CHECKING:  # at run time, the union of every registered structure (bind_structures)
    StructureChoice = StructureParams

KINDS = names(Kind)
"""Thread kinds by code (:class:`sim.threads.Kind`)."""
SPEAKERS = names(Speaker)
"""Speakers by code (:class:`sim.threads.Speaker`): the fields of ``[voice]``."""
MAX_TICKS = 2_000_000
"""Most ticks in one run (about 57 years of 15-minute ticks); ``ORGSIM_MAX_TICKS``
raises it."""
MAX_THREADS = 50_000_000
"""Most threads one run may be expected to open; ``ORGSIM_MAX_THREADS`` raises it."""
MAX_CUSTOMERS = 50_000_000
"""Most customers in one run (a graph of about 10 edges each needs some 8 GB at 50
million); ``ORGSIM_MAX_CUSTOMERS`` raises it, up to the graph's int32 ids."""


def _limit(variable: str, default: int) -> int:
    """A bound, raised by an environment variable holding a whole number."""
    text = os.environ.get(variable, "")
    return int(text) if text.isdigit() else default


LEVER_SECTIONS = ("culture", "structure", "organization")
ORGANIZATION_LEVERS = ("training", "onboard_share", "empowered_share")


class TimeSpec(Section):
    """Clock. ``tick_minutes`` is the tick length; ``hours`` the default run length."""

    tick_minutes: Annotated[float, Field(gt=0.0, le=1440.0)] = 15.0
    """Length of one tick, in minutes. Durations given in hours are converted to whole ticks of
    this length."""
    hours: Annotated[float, Field(gt=0.0, le=100_000.0)] = 336.0
    """Default run length, in hours (the CLI's ``--hours`` overrides it)."""

    @property
    def tick_hours(self) -> float:
        """Length of one tick, in hours: the one conversion from ``tick_minutes``."""
        return self.tick_minutes / 60.0


class DelayShape(Section):
    """Shape of a duration whose mean is set elsewhere (MODEL.md 4.4): approval waits
    (the approver's ``levels[].approval_hours``) and transit delays (``silos[].handoff_hours``,
    ``structure.intranet_find_hours`` and ``offline_find_hours``)."""

    not_here: ClassVar[dict[str, str]] = {
        "mean_hours": "the mean is not set here: approvals take the approver's "
        "levels[].approval_hours, handoffs silos[].handoff_hours and the structure's "
        "intranet_find_hours / offline_find_hours"
    }
    """Keys a reader may expect here, with where they live instead (for error messages)."""

    distribution: Literal["fixed", "exponential", "lognormal"] = "exponential"
    """Shape of the duration: ``fixed`` (rounded to whole ticks), ``exponential`` (geometric in
    ticks, same mean) or ``lognormal``."""
    sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 0.5
    """Lognormal only: standard deviation of the log duration (dimensionless)."""


class ServiceTime(DelayShape):
    """Service-time distribution of one work stage (MODEL.md 4.4).

    ``fixed`` takes exactly ``mean_hours``; ``exponential`` is geometric in ticks with
    that mean; ``lognormal`` has that mean and log-scale ``sigma``.
    """

    mean_hours: Hours = 0.25
    """Mean duration, in hours, at speed 1: a server takes ``mean_hours / speed`` on average."""


class ServiceSpec(Section):
    """Per-stage service times, before scaling by the server's speed and expertise."""

    triage: ServiceTime = ServiceTime(mean_hours=0.1)
    """Switchboard: the comms team reading and sorting a new thread."""
    forward: ServiceTime = ServiceTime(mean_hours=0.25)
    """A liaison assigning an expert (switchboard), or a claimant from another silo reading a
    thread before looking for an expert (direct dial)."""
    draft: ServiceTime = ServiceTime(mean_hours=0.5)
    """Writing an answer; slower outside one's expertise (``expertise_slowdown``)."""
    polish: ServiceTime = ServiceTime(mean_hours=0.25)
    """Switchboard: the comms team polishing a draft that came back from a silo."""
    approve: DelayShape = DelayShape()
    """Shape of each approval wait; its mean is the approver's ``levels[].approval_hours``."""
    handoff: DelayShape = DelayShape()
    """Shape of transit delays: silo handoffs (switchboard) and expert finding (direct dial);
    their means are ``silos[].handoff_hours`` and the structure's find hours."""
    expertise_slowdown: Annotated[float, Field(ge=0.0, le=20.0)] = 1.0
    """Multiplier: draft time is times ``1 + expertise_slowdown x (1 - expertise in the topic)``;
    0 means no slowdown."""


class SiloSpec(Section):
    """A department. It owns topics; one silo must be named ``comms``."""

    name: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*$")]
    """Silo name (lower case, letters, digits, underscores); one silo must be ``comms``."""
    share: Annotated[float, Field(gt=0.0, le=1.0)]
    """Relative share of the employees (normalised over silos; at least two people per silo)."""
    topics: Annotated[tuple[str, ...], Field(min_length=1)]
    """Topics this silo owns; each topic is owned by exactly one silo."""
    topic_weight: Annotated[float, Field(ge=0.0, le=1000.0)] = 1.0
    """Relative traffic of each of this silo's topics (weight per topic, normalised over all
    topics)."""
    handoff_hours: Hours = 2.0
    """Mean delay, in hours, for work crossing into this silo at permeability 1; divided by
    ``culture.silo_permeability`` (switchboard)."""


class LevelSpec(Section):
    """One hierarchy level, front line (level 0) first."""

    name: Annotated[str, Field(min_length=1, max_length=40)]
    """Level name, front line (level 0) first, executives last."""
    approval_hours: Hours = 2.0
    """Mean wait, in hours, for an approval given by someone at this level."""
    voice_weight: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    """Multiplier on the voice weight of answers written by someone at this level (not applied to
    the brand voice)."""
    span_of_control: Annotated[int, Field(ge=1, le=1000)] = 8
    """People at this level per manager one level up (count): it sizes the level above. Unused at
    the top level."""


class OrganizationSpec(Section):
    """Who works there (MODEL.md 2, employees)."""

    n_employees: Annotated[int, Field(ge=2, le=2_000_000)] = 200
    """Number of employees (count), split over silos by their share."""
    capacity: Annotated[float, Field(gt=0.0, le=24.0)] = 1.0
    """Work-hours per hour each employee has (1 = full time); it scales the speed of every
    service."""
    onboard_share: Share = 0.3
    """Share of non-comms employees who monitor and take part in social media (comms is always on
    board)."""
    empowered_share: Share = 0.5
    """Share of on-board employees who may post without approval."""
    social_share_onboard: Share = 0.5
    """Share of an on-board employee's capacity given to social work."""
    social_share_offboard: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1
    """Share of capacity an employee who is not on board gives the social requests routed to
    them."""
    offboard_engagement: Share = 0.6
    """Multiplier on quality and authenticity of answers by employees who are not on board."""
    cross_silo_share: Share = 0.2
    """Share of threads whose answer also needs the knowledge of a second silo (a billing
    complaint caused by a late delivery): the second silo is drawn among the silos other
    than the owner and comms, in proportion to their traffic."""
    liaisons_per_silo: Annotated[int, Field(ge=1, le=1000)] = 1
    """Switchboard: managers per silo (count) who receive forwarded threads; they are put on
    board."""
    training: Share = 0.2
    """Social-media policy and training of staff outside comms, in [0, 1]: raises answer quality,
    lowers the gaffe chance."""
    comms_training: Share = 0.8
    """Training of the comms team, in [0, 1]."""
    authenticity: Share = 0.8
    """How genuine the own voice of staff outside comms is, in [0, 1]."""
    comms_authenticity: Share = 0.6
    """How genuine the comms team's own voice is, in [0, 1]."""
    expertise_own: Share = 0.9
    """Expertise in the own silo's topics, in [0, 1]."""
    expertise_other: Share = 0.2
    """Expertise in other silos' topics, in [0, 1]."""


class CultureSpec(Section):
    """Culture levers (MODEL.md 2, organization)."""

    silo_permeability: Annotated[float, Field(ge=0.01, le=1.0)] = 0.5
    """How readily work crosses silo walls, in [0.01, 1] (1 = no wall): divides switchboard
    handoff delays; scales direct dial's cross-silo claims."""
    spin: Share = 0.3
    """Polish the comms team adds, in [0, 1]: a polished answer's authenticity is times ``(1 -
    spin)``."""
    honesty: Share = 0.5
    """Chance that an answer to a complaint admits fault."""
    product_quality: Share = 0.7
    """Initial quality of every topic, in [0, 1]: fewer problems, more fixable complaints;
    learning raises it per topic."""
    service_attitude: Share = 0.7
    """Whether the organization truly values its customers, in [0, 1]: fewer problems, more
    fixable threads."""
    leadership_integrity: Share = 0.7
    """One minus leaders' say-do gap, in [0, 1]: scales what broadcasts add, the say-do trust
    loss and learning."""
    listening: Share = 0.5
    """Share of social effort spent replying rather than broadcasting, in [0, 1]: broadcasts
    times ``(1 - listening)``; the effort they take (``broadcast.hours_per_broadcast`` each)
    is taken from the repliers' social time, so listening divides the effort and creates
    none."""
    social_intranet: bool = False
    """Expert finding and shared knowledge: a cross-silo claimant finds an expert fast and surely
    (always on in coached direct dial)."""
    analytics: bool = False
    """Prioritise influential authors in every queue (always on in coached direct dial)."""


class LearningSpec(Section):
    """Quality learning from complaints (MODEL.md 4.9; essay 000)."""

    rate: Annotated[float, Field(ge=0.0, le=1.0)] = 0.002
    """Quality gained per faithfully heard complaint, times leadership integrity and ``(1 -
    quality)``."""
    switchboard_fidelity: Share = 0.5
    """Share of a complaint's detail that survives a switchboard's paraphrase (learning weight;
    direct hearing is 1)."""
    min_fidelity: Share = 0.3
    """Complaints heard with less fidelity than this teach nothing."""


class ChannelSpec(Section):
    """A social channel (MODEL.md 2; essay 002)."""

    name: Annotated[str, Field(min_length=1, max_length=40)]
    """Channel name."""
    share: Share
    """Relative share of new threads on this channel (normalised over channels)."""
    patience_hours: PositiveHours = 4.0
    """Mean hours an author waits for an answer to a turn before giving up."""
    patience: Literal["exponential", "fixed", "infinite"] = "exponential"
    """Patience distribution: ``exponential`` with that mean, ``fixed`` at it, or ``infinite``
    (never gives up)."""
    reach: Annotated[float, Field(ge=0.0, le=100.0)] = 1.0
    """Multiplier on ``spread.view_share`` for the first hop (the author's followers who see a
    new post); the product is capped at 1."""
    reshare: Share = 0.01
    """Chance that a customer who sees a thread passes it on to each of their followers, before
    the kind, state and severity factors of ``[spread]`` (once per viewer, whatever the tick)."""
    visible_hours: PositiveHours = 48.0
    """Hours a thread stays visible after it opens: a view that would come later never comes."""
    half_life_hours: PositiveHours = 1.0
    """Attention decay: the half-life, in hours, of the delay between a post (or a reshare)
    and each follower's view of it (exponential; MODEL.md 4.2)."""


class ArrivalSpec(Section):
    """Where threads come from: ``customers`` post them (MODEL.md 4.1); ``poisson``
    opens them from a Poisson process per topic and channel (the queueing limit,
    MODEL.md 6.1-6.2; ``threads_per_hour`` and the kind mix apply only there)."""

    mode: Literal["customers", "poisson"] = "customers"
    """``customers``: customers post (MODEL.md 4.1); ``poisson``: a Poisson process per topic and
    channel, without customers (the queueing test bed)."""
    threads_per_hour: Annotated[float, Field(ge=0.0, le=1_000_000.0)] = 20.0
    """Poisson mode: new threads per hour, all topics and channels."""
    complaint: Share = 0.5
    """Poisson mode: relative weight of complaints in the kind mix."""
    question: Share = 0.4
    """Poisson mode: relative weight of questions in the kind mix."""
    praise: Share = 0.1
    """Poisson mode: relative weight of praise in the kind mix."""
    influence_sigma: Annotated[float, Field(ge=0.0, le=5.0)] = 1.0
    """Log-scale spread of author influence (followers), lognormal with median 1."""


class ConversationSpec(Section):
    """What follows an answer (MODEL.md 4.5, 4.6)."""

    gaffe_base: Share = 0.1
    """Gaffe probability per answer of an untrained poster; times ``(1 - the poster's
    training)``."""
    followup_probability: Share = 0.3
    """Chance that the author of an answered, unresolved thread replies, which opens a follow-up
    turn."""
    followup_hours: Hours = 2.0
    """Mean delay, in hours, before that reply."""
    max_turns: Annotated[int, Field(ge=1, le=100)] = 5
    """Most answers a thread can get (count); no follow-up after that."""


class VoiceSpec(Section):
    """Voice weight per speaker kind (MODEL.md 4.5). Defaults follow the trust
    surveys: technical experts and employees above CEOs and brands."""

    expert: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    """Voice weight of a field expert: the author's silo owns the topic."""
    generalist: Annotated[float, Field(ge=0.0, le=10.0)] = 0.8
    """Voice weight of an employee answering outside the own silo's topics."""
    brand: Annotated[float, Field(ge=0.0, le=10.0)] = 0.5
    """Voice weight of the brand account: a polished switchboard answer."""
    executive: Annotated[float, Field(ge=0.0, le=10.0)] = 0.6
    """Voice weight of an author at the top hierarchy level."""


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
        ChannelSpec(
            name="twitter", share=0.6, patience_hours=2.0, reshare=0.01, half_life_hours=0.4
        ),
        ChannelSpec(
            name="linkedin",
            share=0.25,
            patience_hours=12.0,
            reshare=0.006,
            visible_hours=72.0,
            half_life_hours=24.0,
        ),
        ChannelSpec(
            name="blog",
            share=0.15,
            patience_hours=48.0,
            reshare=0.003,
            visible_hours=240.0,
            half_life_hours=48.0,
        ),
    )


class Scenario(Section):
    """A whole scenario, validated. Build it with :func:`sim.scenario.load_scenario`."""

    name: str = "scenario"
    """Scenario name, shown in outputs."""
    description: str = ""
    """One line on what the scenario shows."""
    time: TimeSpec = TimeSpec()
    """Tick length and default run length."""
    structure: StructureChoice = Field(default_factory=lambda: params_for(DEFAULT_KIND)())
    """The routing structure and its own parameters (MODEL.md 4.3): a table whose ``kind``
    says which structure, and so which parameters it takes."""
    culture: CultureSpec = CultureSpec()
    """Culture levers (MODEL.md 2, organization)."""
    organization: OrganizationSpec = OrganizationSpec()
    """Employees: numbers, shares on board, training, voice, expertise."""
    silos: Annotated[tuple[SiloSpec, ...], Field(min_length=1, max_length=1000)] = Field(
        default_factory=_default_silos
    )
    """Departments, each owning topics; one must be ``comms``."""
    levels: Annotated[tuple[LevelSpec, ...], Field(min_length=1, max_length=20)] = Field(
        default_factory=_default_levels
    )
    """Hierarchy levels, front line first."""
    channels: Annotated[tuple[ChannelSpec, ...], Field(min_length=1, max_length=20)] = Field(
        default_factory=_default_channels
    )
    """Social channels (essay 002)."""
    arrivals: ArrivalSpec = ArrivalSpec()
    """Where threads come from: customers, or a Poisson process."""
    service: ServiceSpec = ServiceSpec()
    """Service-time distributions per work stage (MODEL.md 4.4)."""
    conversation: ConversationSpec = ConversationSpec()
    """Gaffes and follow-up turns (MODEL.md 4.5, 4.6)."""
    voice: VoiceSpec = VoiceSpec()
    """Voice weight per kind of speaker (MODEL.md 4.5)."""
    customers: CustomersSpec = CustomersSpec()
    """Customers' initial state and heterogeneity."""
    graph: GraphSpec = GraphSpec()
    """The customers' social graph."""
    posting: PostingSpec = PostingSpec()
    """Problems, questions and praise (MODEL.md 4.1)."""
    spread: SpreadSpec = SpreadSpec()
    """Independent cascades over the graph (MODEL.md 4.2)."""
    opinions: OpinionSpec = OpinionSpec()
    """Sentiment, trust and word of mouth (MODEL.md 4.7)."""
    broadcast: BroadcastSpec = BroadcastSpec()
    """The organization's own posts (MODEL.md 4.8)."""
    learning: LearningSpec = LearningSpec()
    """Quality learning from heard complaints (MODEL.md 4.9)."""
    interventions: tuple[InterventionSpec, ...] = ()
    """A timeline of lever changes and crises (MODEL.md 4.10)."""
    lesson: LessonField = None
    """A trainer's narrative of the timeline (:mod:`sim.scenario.lesson`; issue 18)."""

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [s.name for s in self.silos]
        if "comms" not in names:
            raise ValueError("silos: one silo must be named 'comms' (it hosts the social team)")
        if len(set(names)) != len(names):
            raise ValueError(f"silos: names must be unique, got {names}")
        topics = [t for s in self.silos for t in s.topics]
        if not any(s.topic_weight > 0 for s in self.silos):
            raise ValueError("silos: at least one silo needs a topic_weight above 0")
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
        self.check_size(self.time.hours)
        kind = self.structure.kind  # the structure in force when each one fires
        order = sorted(range(len(self.interventions)), key=lambda i: self.interventions[i].at_hours)
        for i in order:
            intervention = self.interventions[i]
            kind = intervention.set.get("structure.kind", kind)
            self._check_intervention(i, intervention, topics, kind)
        return self

    def check_size(self, hours: float, source: str = "time.hours") -> None:
        """Refuse a run too big to finish: more customers than :data:`MAX_CUSTOMERS`,
        more ticks than :data:`MAX_TICKS` or more expected threads than
        :data:`MAX_THREADS` in ``hours`` (named by ``source``). Each bound can be raised
        with an environment variable: ``ORGSIM_MAX_CUSTOMERS``, ``ORGSIM_MAX_TICKS``,
        ``ORGSIM_MAX_THREADS``."""
        max_customers = _limit("ORGSIM_MAX_CUSTOMERS", MAX_CUSTOMERS)
        n = self.customers.n_customers
        if self.arrivals.mode == "customers" and n > max_customers:
            raise ValueError(
                f"customers.n_customers = {n:,}: at most {max_customers:,} "
                "(set ORGSIM_MAX_CUSTOMERS to raise it)"
            )
        max_ticks = _limit("ORGSIM_MAX_TICKS", MAX_TICKS)
        ticks = hours / self.time.tick_hours
        if not ticks <= max_ticks:
            raise ValueError(
                f"{source} = {hours:g} at time.tick_minutes = {self.time.tick_minutes:g} is "
                f"{ticks:.3g} ticks; at most {max_ticks:,} (set ORGSIM_MAX_TICKS to raise it)"
            )
        if self.arrivals.mode == "poisson":
            rate = self.arrivals.threads_per_hour
        else:
            p = self.posting
            rate = (p.problem_rate + p.question_rate + p.praise_rate) * self.customers.n_customers
        threads = rate * hours + sum(i.crisis.threads for i in self.interventions if i.crisis)
        max_threads = _limit("ORGSIM_MAX_THREADS", MAX_THREADS)
        if not threads <= max_threads:
            raise ValueError(
                f"{source} = {hours:g}: up to {threads:.3g} threads at these rates; at most "
                f"{max_threads:,} (set ORGSIM_MAX_THREADS to raise it)"
            )

    def _check_graph(self) -> None:
        """The generators' own limits, stated in the file's terms."""
        g, n = self.graph, self.customers.n_customers
        if g.kind in ("power_law_cluster", "barabasi_albert") and g.m >= n:
            raise ValueError(f"graph.m = {g.m}: must be below customers.n_customers = {n}")
        if g.kind == "watts_strogatz" and (g.k % 2 or g.k >= n):
            raise ValueError(f"graph.k = {g.k}: must be even and below n_customers = {n}")
        if g.kind == "erdos_renyi" and g.mean_degree > n - 1:
            raise ValueError(f"graph.mean_degree = {g.mean_degree}: must be <= n_customers - 1")

    def _check_intervention(
        self, i: int, intervention: InterventionSpec, topics: list, kind: str
    ) -> None:
        """Every lever an intervention sets must exist and take the value given; a
        structure's parameter must be one of the structure in force after it (``kind``)."""
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
            model = type(section)
            values = section.model_dump()
            if section_name == "structure":
                try:
                    model = params_for(kind)
                except ValueError as error:
                    raise ValueError(f"{where}.set.structure.kind = {kind!r}: {error}") from None
                values = {k: v for k, v in values.items() if k in model.model_fields}
                values["kind"] = kind
                if key not in model.model_fields:
                    raise ValueError(f"{where}.set.{path}: {not_a_parameter(kind, key)}")
            if section_name == "organization" and key not in ORGANIZATION_LEVERS:
                raise ValueError(
                    f"{where}.set.{path}: cannot change during a run; organization levers "
                    f"are {', '.join(ORGANIZATION_LEVERS)}"
                )
            if key not in model.model_fields:
                known = ", ".join(sorted(model.model_fields))
                raise ValueError(f"{where}.set.{path}: unknown lever (known: {known})")
            try:
                checked = model.model_validate({**values, key: value}, strict=True)
            except ValidationError as error:
                reason = error.errors(include_url=False)[0]["msg"]
                raise ValueError(f"{where}.set.{path} = {value!r}: {reason}") from None
            intervention.set[path] = getattr(checked, key)  # e.g. 1 -> 1.0

    @property
    def topics(self) -> list[str]:
        """All topic names, silo by silo."""
        return [t for s in self.silos for t in s.topics]

    @property
    def topic_shares(self) -> np.ndarray:
        """Each topic's share of the traffic, silo by silo: its silo's ``topic_weight``
        over the sum of every topic's (never 0: validation needs one weight above 0)."""
        weights = np.array([s.topic_weight for s in self.silos for _ in s.topics], float)
        return weights / weights.sum()


def bind_structures(kinds: list[str]) -> None:
    """Make the registered structures the allowed values of ``Scenario.structure``.

    Called by :mod:`sim.organization.structures` once it has imported every structure
    module, with their kinds from the most central to the most distributed (listings
    follow that order); until then a :class:`Scenario` cannot be validated.
    """
    registry = StructureParams.registry
    ordered = {kind: registry[kind] for kind in kinds}
    registry.clear()
    registry.update(ordered)
    Scenario.model_rebuild(
        force=True, _types_namespace={"StructureChoice": structure_choice(kinds)}
    )
