"""Structure parameters: each routing structure declares its own (MODEL.md 4.3).

A scenario's ``[structure]`` table is a discriminated union on ``kind``: the
parameters every structure takes live in :class:`StructureParams`, and each structure
module (``sim/organization/structures/*.py``) subclasses it with a
``kind: Literal["its name"]`` and its own knobs. A subclass registers itself here on
definition, so a switchboard scenario cannot set a coaching knob by mistake and the
error says which structure takes it. The scenario side never imports the structures:
:func:`bind_structures` is called by :mod:`sim.organization.structures` once it has
found them all (:func:`sim.scenario.schema.bind_structures`).
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, ClassVar, Union

from pydantic import Discriminator, Field, Tag

from sim.scenario.base import Hours, Section, Share

__all__ = [
    "DEFAULT_KIND",
    "StructureParams",
    "not_a_parameter",
    "params_for",
    "structure_choice",
    "takers_of",
]

DEFAULT_KIND = "switchboard"
"""The structure of a scenario whose ``[structure]`` names no ``kind``."""


class StructureParams(Section):
    """The routing structure (MODEL.md 4.3): the parameters every structure takes.

    Subclass it, in the structure's own module, with ``kind: Literal["name"] = "name"``
    and the structure's own parameters (each with an attribute docstring: it is the
    parameter's description in ``orgsim schema`` and in ``docs/ODD.md``).
    """

    registry: ClassVar[dict[str, type[StructureParams]]] = {}
    """Each registered structure's parameter class, by ``kind``."""

    kind: str = DEFAULT_KIND
    """Routing structure: one of the registered structures (``orgsim schema`` lists them)."""
    approval_depth: Annotated[int, Field(ge=0, le=20)] = 1
    """Approval levels (count) an answer climbs before it is posted: switchboard, every answer,
    up the comms chain above the polisher; the others, answers by authors who are not
    empowered, up the author's chain."""
    generalist_quality: Share = 0.5
    """Quality multiplier for an answer whose author's silo does not own the topic."""
    analytics_weight_hours: Hours = 4.0
    """With analytics on, a thread moves this many hours ahead in its queue per unit of
    ``ln(author influence)``; an author with the mean follower count does not move."""
    severity_weight_hours: Hours = 2.0
    """A complaint of severity 1 moves this many hours ahead of one of severity 0 in the
    queues where someone reads it before taking it: the switchboard's triage always,
    every queue with analytics on."""
    intranet_knowledge: Share = 0.5
    """With the social intranet, the share of the gap between a generalist's answer and an
    expert's that shared knowledge closes (``generalist_quality`` becomes ``g + (1 - g) x
    intranet_knowledge``)."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.model_fields["kind"].default
        if not isinstance(kind, str) or kind in StructureParams.registry:
            raise TypeError(f"{cls.__name__}: needs a kind of its own, got {kind!r}")
        StructureParams.registry[kind] = cls


def params_for(kind: str) -> type[StructureParams]:
    """The parameter class of structure ``kind``."""
    if isinstance(kind, str) and kind in StructureParams.registry:
        return StructureParams.registry[kind]
    known = ", ".join(StructureParams.registry)
    raise ValueError(f"must be one of {known}")


def takers_of(key: str) -> list[str]:
    """The structures whose parameters include ``key``, by kind."""
    return [kind for kind, cls in StructureParams.registry.items() if key in cls.model_fields]


def not_a_parameter(kind: str, key: str) -> str:
    """Why ``structure.<key>`` is refused for structure ``kind``, and who takes it.

    >>> import sim  # registers the structures
    >>> not_a_parameter("switchboard", "coaching_per_week")
    'switchboard takes no coaching_per_week; it is a parameter of coached_direct_dial'
    """
    takers = takers_of(key)
    if takers:
        return f"{kind} takes no {key}; it is a parameter of {', '.join(takers)}"
    known = sorted(params_for(kind).model_fields)
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key for {kind}{hint} (known keys: {', '.join(known)})"


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return value.get("kind", DEFAULT_KIND)
    return getattr(value, "kind", DEFAULT_KIND)


def structure_choice(kinds: list[str]) -> Any:
    """The type of ``Scenario.structure``: a union of the structures' parameter classes,
    told apart by ``kind`` (a missing ``kind`` means :data:`DEFAULT_KIND`)."""
    members = tuple(Annotated[params_for(kind), Tag(kind)] for kind in kinds)
    if len(members) == 1:
        return params_for(kinds[0])
    return Annotated[Union[members], Discriminator(_kind_of)]  # noqa: UP007 - built at run time
