"""Legs: where a thread is in its structure's route (stored in ``threads.leg``).

A thread's state says what it waits for (MODEL.md 2); its *leg* says what its
structure does when the current step ends (:meth:`Structure.advance` dispatches on
it). Every code lives in this one enum, so two structures cannot give one number two
meanings, and the engine's own code (a follow-up turn) cannot collide with a
structure's.
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Leg"]


class Leg(IntEnum):
    """Progress markers shared by the structures and the engine."""

    TRIAGE = 1
    """Switchboard: comms triaged the thread."""
    LIAISON = 2
    """Switchboard: the owning silo's liaison received it."""
    DRAFT = 3
    """Drafting ended (any structure)."""
    POLISH = 4
    """Switchboard: comms polished the draft."""
    CLAIM = 5
    """Direct dial: a claimant from another silo looked for an expert."""
    CONSULT = 6
    """The second silo gave its part of the answer (MODEL.md 4.3)."""
    SECOND_LIAISON = 7
    """Switchboard: the second silo's liaison received the draft."""
    APPROVAL = 20
    """``APPROVAL + k``: k approvals done in this turn (up to 20 levels)."""
    FOLLOWUP = 100
    """The engine's own: an answered thread waiting for its author's reply."""
