"""orgsim: an agent-based simulator of how organizations answer the public.

The model follows ``MODEL.md``; start with :class:`OrgModel` and
:func:`load_scenario`.
"""

from sim.model import OrgModel
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["OrgModel", "Scenario", "ScenarioError", "__version__", "load_scenario"]

__version__ = "0.1.0"
