"""Inspectable Mesa agent types backed by the arrays (MODEL.md section 2): customer,
employee, silo and hierarchy level.

Each agent holds only its row index; every attribute is a read-through view of the
arrays, so the model never steps agents one by one and inspecting one costs O(1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

import mesa
import numpy as np

from sim.threads import Phase, State

if TYPE_CHECKING:
    from sim.organization import OrgCore
    from sim.public import Customers


class ArrayBacked(Protocol):
    """What the agents read their rows from: a Mesa model with the organization's core
    and the customers' arrays (:class:`sim.model.OrgModel`)."""

    core: OrgCore
    customers: Customers | None


__all__ = ["Customer", "Employee", "HierarchyLevel", "Silo"]


class Employee(mesa.Agent):
    """One employee: a row of :class:`sim.organization.org.Organization`."""

    def __init__(self, model: ArrayBacked, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _org(self):
        return self.model.core.org

    @property
    def silo(self) -> str:
        return self._org.silo_names[self._org.silo[self.index]]

    @property
    def level(self) -> int:
        return int(self._org.level[self.index])

    @property
    def manager(self) -> int | None:
        boss = int(self._org.manager[self.index])
        return None if boss < 0 else boss

    @property
    def expertise(self) -> dict[str, float]:
        row = self._org.expertise[self.index]
        return {topic: float(v) for topic, v in zip(self._org.topic_names, row, strict=True)}

    on_board = property(lambda self: bool(self._org.on_board[self.index]))
    empowered = property(lambda self: bool(self._org.empowered[self.index]))
    training = property(lambda self: float(self._org.training[self.index]))
    authenticity = property(lambda self: float(self._org.authenticity[self.index]))
    capacity = property(lambda self: float(self._org.capacity[self.index]))
    social_share = property(lambda self: float(self._org.social_share[self.index]))

    @property
    def serving(self) -> int | None:
        """The thread being worked on now, if any."""
        thread = int(self.model.core.serving[self.index])
        return None if thread < 0 else thread

    @property
    def queue(self) -> np.ndarray:
        """Ids of the live threads waiting in this employee's own queue."""
        th = self.model.core.threads
        live = th.live
        mine = (th.holder[live] == self.index) & (th.phase[live] == Phase.WAITING)
        return live[mine & (th.state[live] < State.ANSWERED)]

    def __repr__(self) -> str:
        return f"Employee({self.index}, silo={self.silo!r}, level={self.level})"


class Silo(mesa.Agent):
    """A department: owns topics; ``comms`` hosts the social-media team."""

    def __init__(self, model: ArrayBacked, index: int) -> None:
        super().__init__(model)
        self.index = index
        spec = model.scenario_spec.silos[index]
        self.name = spec.name
        self.topics = tuple(spec.topics)
        self.handoff_hours = spec.handoff_hours

    @property
    def members(self) -> np.ndarray:
        return self.model.core.org.members(self.index)

    @property
    def size(self) -> int:
        return int(self.members.size)

    def __repr__(self) -> str:
        return f"Silo({self.name!r}, size={self.size})"


class HierarchyLevel(mesa.Agent):
    """A hierarchy level: approval delay, voice weight, span of control."""

    def __init__(self, model: ArrayBacked, index: int) -> None:
        super().__init__(model)
        self.index = index
        spec = model.scenario_spec.levels[index]
        self.name = spec.name
        self.approval_hours = spec.approval_hours
        self.voice_weight = spec.voice_weight
        self.span_of_control = spec.span_of_control

    @property
    def size(self) -> int:
        return int((self.model.core.org.level == self.index).sum())

    def __repr__(self) -> str:
        return f"HierarchyLevel({self.index}, {self.name!r}, size={self.size})"


class Customer(mesa.Agent):
    """One customer, made on demand by :meth:`sim.model.ArrayBacked.customer`: a view of
    a row of the arrays (no per-tick work, no object for customers nobody inspects)."""

    def __init__(self, model: ArrayBacked, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def _rows(self) -> Customers:
        return self.model.customers

    sentiment = property(lambda self: float(self._rows.sentiment[self.index]))
    trust = property(lambda self: float(self._rows.trust[self.index]))
    activity = property(lambda self: float(self._rows.activity[self.index]))
    follows_brand = property(lambda self: bool(self._rows.follows_brand[self.index]))
    fan = property(lambda self: self.sentiment >= self._rows.fan_threshold)
    detractor = property(lambda self: self.sentiment <= self._rows.detractor_threshold)

    @property
    def followers(self) -> np.ndarray:
        g = self._rows.graph
        return g.indices[g.indptr[self.index] : g.indptr[self.index + 1]]

    @property
    def threads(self) -> np.ndarray:
        """Ids of the threads this customer opened."""
        return np.flatnonzero(self.model.core.threads.column("author") == self.index)

    def __repr__(self) -> str:
        return f"Customer({self.index}, sentiment={self.sentiment:+.2f}, trust={self.trust:.2f})"
