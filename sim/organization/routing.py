"""The routing interface: what a structure may see and do (MODEL.md 4.3, 4.4).

Structures program against this protocol, not against the whole core: the thread
table, the org chart, the levers, their random stream, and a small vocabulary of
vectorized actions (put threads in a queue, hold them for a delay, define pools, post
answers). :class:`sim.organization.core.OrgCore` implements it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.levers import Levers
from sim.organization.org import Organization
from sim.rng import Streams
from sim.scenario.schema import DelayShape, Scenario
from sim.threads import Stage, State, ThreadTable

__all__ = ["Routing"]


class Routing(Protocol):
    """What the core offers a structure."""

    threads: ThreadTable
    """The thread table."""
    org: Organization
    """The org chart and the employees' arrays."""
    scenario: Scenario
    """The scenario (fixed; levers that change live in :attr:`levers`)."""
    levers: Levers
    """The levers in force."""
    streams: Streams
    """Random streams; structures draw from ``streams.routing`` only."""
    dt: float
    """Tick length, in hours."""
    tick: int
    """Ticks completed: the current tick."""
    speed: np.ndarray
    """Each employee's social work-hours per hour (0: does no social work)."""

    def define_pools(self, pool_of: np.ndarray, pool_silo: np.ndarray) -> None:
        """Set each employee's pool (-1: none) and each pool's silo."""

    def enqueue(
        self,
        ids: np.ndarray,
        stage: Stage,
        state: State,
        leg: int,
        *,
        holder: np.ndarray | None = None,
        pool: np.ndarray | int | None = None,
        delay_hours: np.ndarray | float = 0.0,
        delay_spec: DelayShape | None = None,
    ) -> None:
        """Put threads in a queue (an employee's own, or a pool) for ``stage``."""

    def wait(
        self,
        ids: np.ndarray,
        state: State,
        leg: int | np.ndarray,
        hours: np.ndarray | float,
        spec: DelayShape | None = None,
    ) -> None:
        """Hold threads for a delay (approval, transit), then advance them."""

    def priority(self, ids: np.ndarray) -> np.ndarray:
        """Queue priority of each thread (lower goes first)."""

    def holder_load(self) -> np.ndarray:
        """Threads held by each employee, as of the start of this tick's routing."""

    def approval_hours(self, approver: np.ndarray) -> np.ndarray:
        """Mean approval wait at each approver's level."""

    def post(self, ids: np.ndarray) -> None:
        """Publish the answers of ``ids`` (graded by :mod:`sim.organization.answers`)."""
