"""Scenario sections for the timeline: interventions that set or ramp levers, and
crises (MODEL.md 4.10). The levers they may set are checked against the rest of the
scenario by :class:`sim.scenario.schema.Scenario`."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from sim.scenario.base import Hours, PositiveHours, Section

__all__ = ["CrisisSpec", "InterventionSpec"]


class CrisisSpec(Section):
    """A burst of complaints on one topic (MODEL.md 4.10)."""

    topic: str
    """Topic of the burst; must be one of the silos' topics."""
    threads: Annotated[int, Field(ge=1, le=10_000_000)]
    """Number of complaint threads in the burst (count)."""
    hours: PositiveHours = 6.0
    """Hours over which the burst is spread evenly."""


class InterventionSpec(Section):
    """Set or ramp levers at a given hour (MODEL.md 4.10).

    ``set`` maps lever paths to values, e.g. ``{"culture.silo_permeability" = 1.0,
    "structure.kind" = "direct_dial", "organization.training" = 0.8}``. Numeric levers
    ramp linearly over ``ramp_hours`` (0: at once).
    """

    at_hours: Hours
    """When it fires, in hours from the start (rounded to the nearest tick)."""
    label: str = ""
    """Text that names the intervention in outputs."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Lever path to new value: any ``culture.*`` or ``structure.*`` key, or
    ``organization.training``, ``onboard_share``, ``empowered_share``."""
    ramp_hours: Hours = 0.0
    """Hours over which numeric levers move linearly to their target (0: at once)."""
    crisis: CrisisSpec | None = None
    """An optional burst of complaints on one topic."""
