"""Scenario files: schema, loading, overrides (MODEL.md sections 2-4)."""

from sim.scenario.loader import ScenarioError, load_scenario, parse_override, scenario_from_dict
from sim.scenario.schema import KINDS, SPEAKERS, STRUCTURES, Scenario

__all__ = [
    "KINDS",
    "SPEAKERS",
    "STRUCTURES",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "parse_override",
    "scenario_from_dict",
]
