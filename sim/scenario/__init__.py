"""Scenario files: schema, loading, overrides (MODEL.md sections 2-4)."""

from sim.scenario.loader import ScenarioError, load_scenario, parse_override, scenario_from_dict
from sim.scenario.schema import KINDS, SPEAKERS, Scenario
from sim.scenario.structure import StructureParams

__all__ = [
    "KINDS",
    "SPEAKERS",
    "Scenario",
    "ScenarioError",
    "StructureParams",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
]
