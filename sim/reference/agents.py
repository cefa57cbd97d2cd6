"""The reference implementation's agents: one object per customer, employee and thread.

Everything here is plain Python state, written to be read. A :class:`Customer` and an
:class:`Employee` are Mesa agents; a :class:`Thread` is a small object that moves
between employees' inboxes and the shared queues (:class:`Pool`). Nothing is
vectorized and nothing is shared with the fast core (MODEL.md 6.5).

Examples
--------
Open an employee's inbox (see :meth:`Employee.inbox`)::

    model = ReferenceModel("scenarios/switchboard.toml", rng=1)
    model.run_hours(2)
    for thread in model.employees[0].inbox:
        print(thread)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import mesa
from mesa.discrete_space import FixedAgent

if TYPE_CHECKING:
    from sim.reference.model import ReferenceModel

__all__ = ["Customer", "Employee", "Phase", "Pool", "Stage", "State", "Thread"]


class State(StrEnum):
    """A thread's lifecycle (MODEL.md 2)."""

    OPEN = "open"
    TRIAGE = "triage"
    FORWARDED = "forwarded"
    DRAFTING = "drafting"
    POLISHING = "polishing"
    APPROVAL = "approval"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    ABANDONED = "abandoned"


AWAITING_ANSWER = frozenset(
    {
        State.OPEN,
        State.TRIAGE,
        State.FORWARDED,
        State.DRAFTING,
        State.POLISHING,
        State.APPROVAL,
    }
)
"""States in which the author still waits for an answer (and may give up)."""


class Stage(StrEnum):
    """Work stages with a service time (MODEL.md 4.4)."""

    TRIAGE = "triage"
    FORWARD = "forward"
    DRAFT = "draft"
    POLISH = "polish"


STAGE_STATE = {
    Stage.TRIAGE: State.TRIAGE,
    Stage.FORWARD: State.FORWARDED,
    Stage.DRAFT: State.DRAFTING,
    Stage.POLISH: State.POLISHING,
}
"""The state a thread shows while someone works on it at each stage."""


class Phase(StrEnum):
    """Where a thread sits inside its state."""

    WAITING = "waiting"  # in a queue: an employee's own, or a pool
    SERVICE = "service"  # someone works on it until ``ready_at``
    DELAY = "delay"  # in transit, in approval or before a follow-up, until ``ready_at``
    IDLE = "idle"  # done: resolved, abandoned, or answered and quiet


@dataclass(eq=False, repr=False)
class Thread:
    """One public conversation (MODEL.md 2, messages).

    Times are in ticks (``*_tick``: the tick an event fell in) and in continuous hours
    since the run began (``*_at``; ``clock`` is the time of the thread's latest step);
    :meth:`as_dict` gives them in hours since creation. ``holder``
    is the employee holding the thread now (it is then in that employee's inbox);
    ``pool`` the shared queue it waits in, if any.
    """

    id: int
    kind: str
    topic: str
    channel: str
    severity: float
    author: Customer
    created_tick: int
    patience_ticks: float
    state: State = State.OPEN
    phase: Phase = Phase.WAITING
    stage: Stage | None = None
    leg: str = ""
    holder: Employee | None = None
    pool: Pool | None = None
    created_at: float = 0.0
    clock: float = 0.0
    ready_at: float = 0.0
    turn_tick: int = 0
    deadline: float = math.inf
    """The author's deadline in ticks (continuous), for the public side."""
    deadline_at: float = math.inf
    offered_tick: int = -1
    drafter: Employee | None = None
    editor: Employee | None = None
    polished: bool = False
    second_silo: int | None = None
    """The silo whose knowledge the answer also needs (None: only the owner's)."""
    consulted: bool = False
    backed: bool = False
    """Whether a generalist's answer is backed by the intranet's shared knowledge."""
    approvals_done: int = 0
    hops: int = 0
    silo_crossings: int = 0
    approvals_waited: int = 0
    turns: int = 0
    escalations: int = 0
    first_response_tick: int | None = None
    first_response_at: float | None = None
    resolution_tick: int | None = None
    resolution_at: float | None = None
    abandon_tick: int | None = None
    abandon_at: float | None = None
    voice: str | None = None
    voice_weight: float = 0.0
    authenticity: float = 0.0
    quality: float = 0.0
    gaffe: bool = False
    admitted: bool = False
    spun: bool = False
    fidelity: float = 1.0
    reach: int = 0
    visible: bool = False
    audience: set[int] = field(default_factory=set)

    @property
    def answered(self) -> bool:
        return self.first_response_tick is not None

    @property
    def influence(self) -> float:
        return self.author.influence

    def as_dict(self, dt_hours: float) -> dict[str, Any]:
        """The thread's fields, times in hours since creation (MODEL.md 5)."""

        def since(at: float | None) -> float:
            return math.nan if at is None else at - self.created_at

        return {
            "thread": self.id,
            "kind": self.kind,
            "topic": self.topic,
            "channel": self.channel,
            "author": self.author.index,
            "severity": self.severity,
            "created_hours": self.created_at,
            "state": str(self.state),
            "holder": None if self.holder is None else self.holder.index,
            "hops": self.hops,
            "silo_crossings": self.silo_crossings,
            "approvals_waited": self.approvals_waited,
            "reach": self.reach,
            "turns": self.turns,
            "first_response_hours": since(self.first_response_at),
            "resolution_hours": since(self.resolution_at),
            "abandoned_hours": since(self.abandon_at),
            "voice": self.voice,
            "voice_weight": self.voice_weight,
            "authenticity": self.authenticity,
            "quality": self.quality,
            "gaffe": self.gaffe,
            "admitted": self.admitted,
            "fidelity": self.fidelity,
        }

    def __repr__(self) -> str:
        where = f"held by employee {self.holder.index}" if self.holder else "unheld"
        if self.pool is not None:
            where = f"in the {self.pool.name} pool"
        return (
            f"Thread({self.id}, {self.kind} on {self.topic!r} via {self.channel}, "
            f"{self.state}/{self.phase}, {where}, turns={self.turns}, hops={self.hops})"
        )


@dataclass(eq=False)
class Pool:
    """A shared queue served by its members (a switchboard team, a silo's feed)."""

    name: str
    silo: int
    members: list[Employee] = field(default_factory=list)
    queue: dict[int, Thread] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Pool({self.name!r}, members={len(self.members)}, queued={len(self.queue)})"


class Customer(FixedAgent):
    """One customer: a node of the follower network (MODEL.md 2, customers).

    ``followers`` are the customers who see this customer's posts (edge i -> j);
    ``n_following`` is how many this customer follows, and ``fans_followed`` how many
    of those are fans (kept up to date for word of mouth).
    """

    def __init__(
        self,
        model: ReferenceModel,
        index: int,
        *,
        sentiment: float,
        trust: float,
        activity: float,
        follows_brand: bool,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.sentiment = sentiment
        self.baseline = sentiment
        self.trust = trust
        self.activity = activity
        self.follows_brand = follows_brand
        self.influence = 1.0
        self.followers: list[Customer] = []
        self.n_following = 0
        self.fans_followed = 0
        self.was_fan = False
        # what happened to this customer this tick, applied by the opinion update
        self.feel = 0.0
        self.signal_sum = 0.0

    @property
    def fan(self) -> bool:
        return self.sentiment >= self.model.fan_threshold

    @property
    def detractor(self) -> bool:
        return self.sentiment <= self.model.detractor_threshold

    def __repr__(self) -> str:
        return f"Customer({self.index}, sentiment={self.sentiment:+.2f}, trust={self.trust:.2f})"


class Employee(mesa.Agent):
    """One employee (MODEL.md 2, employees). ``inbox`` lists the threads held now."""

    def __init__(
        self,
        model: ReferenceModel,
        index: int,
        *,
        silo: int,
        level: int,
        expertise: dict[str, float],
        on_board: bool,
        empowered: bool,
        training: float,
        authenticity: float,
        capacity: float,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.silo = silo
        self.level = level
        self.manager: Employee | None = None
        self.expertise = expertise
        self.on_board = on_board
        self.empowered = empowered
        self.training = training
        self.authenticity = authenticity
        self.capacity = capacity
        self.social_share = 0.0
        self.speed = 0.0
        self.pool: Pool | None = None
        self.serving: Thread | None = None
        self.free_at = 0.0
        """When it became free (hours; read only while it serves nothing)."""
        self.held: dict[int, Thread] = {}

    @property
    def silo_name(self) -> str:
        return self.model.spec.silos[self.silo].name

    @property
    def inbox(self) -> list[Thread]:
        """The threads this employee holds, oldest first: queued for it, on its desk,
        in transit to it, or waiting for its approval."""
        return sorted(self.held.values(), key=lambda thread: thread.id)

    @property
    def load(self) -> int:
        """How many threads this employee holds (for routing by the power of two)."""
        return len(self.held)

    def __repr__(self) -> str:
        return (
            f"Employee({self.index}, silo={self.silo_name!r}, level={self.level}, "
            f"inbox={len(self.held)})"
        )
