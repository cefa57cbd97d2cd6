"""The levers in force: what interventions write and every mechanism reads.

MODEL.md 2 ("Organization": the structure and the culture levers) and 4.10
(interventions set or ramp them mid-run). The scenario gives their starting values;
from then on this one object holds them, shared by the organization side (routing,
answers, learning) and the public side (posting reads product quality and service
attitude, broadcasting reads listening and leadership integrity). Nothing else keeps
a copy of a lever.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario import Scenario
from sim.scenario.schema import ORGANIZATION_LEVERS, CultureSpec
from sim.scenario.structure import StructureParams

__all__ = ["Levers"]


@dataclass
class Levers:
    """The levers of one run.

    Attributes
    ----------
    culture
        The culture levers (silo permeability, spin, honesty, listening, ...).
    structure
        The structure in force and its parameters (its ``kind`` names it).
    topic_quality
        Product quality of each topic (float32), which learning raises and a product
        fix sets (MODEL.md 4.9, 4.1).
    organization
        The organization's staffing levers as last set (``training``,
        ``onboard_share``, ``empowered_share``); the employees' own arrays carry the
        effect.
    """

    culture: CultureSpec
    structure: StructureParams
    topic_quality: np.ndarray
    organization: dict[str, float]

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Levers:
        """The levers at the start of a run: the scenario's values, every topic at the
        scenario's product quality."""
        organization = scenario.organization
        return cls(
            culture=scenario.culture,
            structure=scenario.structure,
            topic_quality=np.full(
                len(scenario.topics), scenario.culture.product_quality, np.float32
            ),
            organization={key: getattr(organization, key) for key in ORGANIZATION_LEVERS},
        )
