"""Routing structures (MODEL.md 4.3), one module each behind :class:`Structure`.

Adding a fifth structure means adding one module that subclasses :class:`Structure`
with a ``name``; it registers itself and touches no other structure.
"""

from sim.organization.structures.base import Leg, Structure
from sim.organization.structures.coached_direct_dial import CoachedDirectDial
from sim.organization.structures.direct_dial import DirectDial
from sim.organization.structures.expert_routing import ExpertRouting
from sim.organization.structures.switchboard import Switchboard

__all__ = [
    "CoachedDirectDial",
    "DirectDial",
    "ExpertRouting",
    "Leg",
    "Structure",
    "Switchboard",
    "make_structure",
    "structure_names",
]


def make_structure(kind: str) -> Structure:
    """The structure registered under ``kind`` (a scenario's ``structure.kind``)."""
    try:
        return Structure.registry[kind]()
    except KeyError:
        known = ", ".join(sorted(Structure.registry))
        raise ValueError(f"unknown structure {kind!r}; known: {known}") from None


def structure_names() -> tuple[str, ...]:
    """Every registered ``structure.kind``, from the most central (switchboard) to the
    most distributed."""
    return tuple(sorted(Structure.registry, key=lambda k: (Structure.registry[k].order, k)))
