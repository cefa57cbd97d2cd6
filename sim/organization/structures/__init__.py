"""Routing structures (MODEL.md 4.3), one module each behind :class:`Structure`.

Adding a structure means adding one module here that subclasses :class:`Structure`
with a ``name`` and its ``Params`` (a :class:`~sim.scenario.structure.StructureParams`
with the same ``kind``). The package finds its modules itself, registers every
structure, and makes their parameters the allowed values of a scenario's
``[structure]``; no other file names a structure.
"""

import importlib
import pkgutil

from sim.organization.structures.base import Leg, Structure
from sim.scenario.schema import bind_structures

__all__ = ["Leg", "Structure", "make_structure", "structure_names"]


def structure_names() -> tuple[str, ...]:
    """Every registered ``structure.kind``, from the most central (switchboard) to the
    most distributed (:attr:`Structure.order`, then the name)."""
    return tuple(sorted(Structure.registry, key=lambda k: (Structure.registry[k].order, k)))


def make_structure(kind: str) -> Structure:
    """The structure registered under ``kind`` (a scenario's ``structure.kind``)."""
    try:
        return Structure.registry[kind]()
    except KeyError:
        known = ", ".join(structure_names())
        raise ValueError(f"unknown structure {kind!r}; known: {known}") from None


for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")
bind_structures(list(structure_names()))
